"""Chain records: checked when made, and made only for chains the user gave an RPC for."""

from __future__ import annotations

import pytest

from nitro_desktop.chain import Chain, InvalidChain, chains_from_config

HUB = "0x" + "11" * 20


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "The RPC URL is empty: give an http:// or https:// address."),
        ("file:///etc/passwd", "The RPC URL must start with http:// or https://."),
        ("http://127.0.0.1:99999", "The RPC URL has an invalid port."),
        ("https://", "The RPC URL has no host."),
    ],
)
def test_bad_rpc_urls_are_refused_when_the_record_is_made(url: str, message: str) -> None:
    with pytest.raises(InvalidChain) as bad:
        Chain("x", 1, url, HUB)
    assert str(bad.value) == message


def test_a_hub_address_with_a_wrong_checksum_is_refused() -> None:
    with pytest.raises(InvalidChain, match="wrong checksum"):
        Chain("x", 1, "http://127.0.0.1:1", "0x" + "aB" * 20)


def test_chain_ids_out_of_range_are_refused() -> None:
    for chain_id in (0, -1, 2**53, True):
        with pytest.raises(InvalidChain, match="chain id"):
            Chain("x", chain_id, "http://127.0.0.1:1", HUB)


def test_only_the_node_chains_with_a_user_rpc_become_records() -> None:
    blockchains = [
        {"name": "Sepolia", "blockchain_id": "11155111", "channel_hub_address": HUB},
        {"name": "Local", "blockchain_id": "31337", "channel_hub_address": "0x" + "22" * 20},
        "junk",
        {"name": "bad id", "blockchain_id": "x"},
    ]
    found = chains_from_config(blockchains, {31337: "http://127.0.0.1:8545"})
    assert found == [Chain("Local", 31337, "http://127.0.0.1:8545", "0x" + "22" * 20)]
    assert found[0].channel_hub == "0x2222222222222222222222222222222222222222"
    assert chains_from_config(blockchains, {}) == []

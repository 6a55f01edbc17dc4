"""The replayed upstream deployment: the real ChannelHub v1 on anvil, linked to the libraries we placed."""

from __future__ import annotations

import pytest

from tests.chainkit import CHAIN_ID, AnvilHub

VERSION_SELECTOR = "0xffa1ad74"  # VERSION()
NODE_SELECTOR = "0x51bfcdbd"  # NODE()
DEFAULT_SIG_VALIDATOR_SELECTOR = "0x71a47141"  # DEFAULT_SIG_VALIDATOR()


def _call(chain: AnvilHub, selector: str) -> str:
    return str(chain.rpc("eth_call", {"to": chain.hub, "data": selector}, "latest"))


def test_hub_answers_version_1_with_our_node_and_validator(chain: AnvilHub) -> None:
    assert int(chain.rpc("eth_chainId"), 16) == CHAIN_ID
    assert int(_call(chain, VERSION_SELECTOR), 16) == 1
    assert int(_call(chain, NODE_SELECTOR), 16) == int(chain.node, 16)
    assert int(_call(chain, DEFAULT_SIG_VALIDATOR_SELECTOR), 16) == int(chain.deployment.validator, 16)


def test_libraries_sit_where_the_hub_is_linked(chain: AnvilHub) -> None:
    code = str(chain.rpc("eth_getCode", chain.hub, "latest")).lower()
    assert set(chain.deployment.libraries) == {
        "ChannelEngine",
        "EscrowDepositEngine",
        "EscrowWithdrawalEngine",
    }
    for address in chain.deployment.libraries.values():
        assert len(str(chain.rpc("eth_getCode", address, "latest"))) > 2
        # A linked library's address is a PUSH20 operand in the hub's runtime code.
        assert "73" + address[2:].lower() in code


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_from_the_fresh_deployment(chain: AnvilHub, run: int) -> None:
    # The per-test snapshot/revert: blocks mined by the first run are gone for the second.
    assert int(chain.rpc("eth_blockNumber"), 16) == chain.deployed_block
    chain.mine(3)
    assert int(chain.rpc("eth_blockNumber"), 16) == chain.deployed_block + 3

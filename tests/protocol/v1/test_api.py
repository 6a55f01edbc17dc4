"""The v1 public API beyond the vectors: round trips, the project's signers, and hostile input."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from nitro_desktop.keys.signer import UnlockedSigner
from nitro_desktop.protocol.crypto import RawKeySigner
from nitro_desktop.protocol.errors import AddressError, ProtocolError, SignatureError
from nitro_desktop.protocol.v1 import (
    app_session_id,
    app_state_update_hash,
    create_session_hash,
    home_channel_id,
    pack_state,
    parse_definition,
    parse_state_update,
    quorum_signature,
    recover_quorum,
    recover_quorum_signer,
)

KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
ADDRESS = Account.from_key(KEY).address
A = "0x1111111111111111111111111111111111111111"
B = "0x2222222222222222222222222222222222222222"
HASH = "0x405d15a85c16ac1e555b3319de58acf7b4b86ebe2ccaf6af802d61e450b88632"


def definition(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "application_id": "chess-v1",
        "participants": [
            {"wallet_address": A, "signature_weight": 1},
            {"wallet_address": B, "signature_weight": 1},
        ],
        "quorum": 2,
        "nonce": "1",
    }
    base.update(changes)
    return base


def update(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "app_session_id": app_session_id(definition()),
        "intent": 0,
        "version": "2",
        "allocations": [{"participant": A, "asset": "usdc", "amount": "1.5"}],
        "session_data": "",
    }
    base.update(changes)
    return base


# --- signatures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signer",
    [
        KEY,
        KEY[2:],
        bytes.fromhex(KEY[2:]),
        RawKeySigner(KEY),
        UnlockedSigner(ADDRESS, bytes.fromhex(KEY[2:])),
        Account.from_key(KEY),
    ],
    ids=["hex", "bare-hex", "bytes", "RawKeySigner", "UnlockedSigner", "eth-account"],
)
def test_every_kind_of_signer_makes_the_same_signature(signer: Any) -> None:
    expected = quorum_signature(HASH, KEY)
    assert quorum_signature(HASH, signer) == expected
    assert recover_quorum_signer(HASH, expected) == ADDRESS.lower()


def test_quorum_signature_is_eip191_over_the_hash_behind_a_type_byte() -> None:
    signature = quorum_signature(HASH, KEY, "session_key")
    assert signature[:4] == "0xa2" and len(signature) == 2 + 2 * 66 and signature == signature.lower()
    # eth-account's own EIP-191 over the 32 raw bytes recovers the same key.
    message = encode_defunct(primitive=bytes.fromhex(HASH[2:]))
    assert Account.recover_message(message, signature="0x" + signature[4:]) == ADDRESS
    assert recover_quorum(HASH, signature) == ("session_key", ADDRESS.lower())
    assert quorum_signature(bytes.fromhex(HASH[2:]), KEY, 0xA2) == signature
    assert quorum_signature(HASH, KEY, 0xA1) == quorum_signature(HASH, KEY, "wallet")


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("a1" + "00" * 65, "0x-prefixed"),
        ("0x", "empty"),
        ("0xzz", "not hex"),
        ("0xa3" + "00" * 65, "unknown signer type 163"),
        ("0xa1" + "00" * 64, "65 signature bytes"),
        ("0xa1" + "00" * 66, "65 signature bytes"),
        ("0xa1" + "00" * 64 + "1d", "recovery id"),
        ("0xa1" + "00" * 64 + "1b", "does not recover"),
        ("0x" + "a1" * 5000, "too long"),
        (None, "0x-prefixed"),
    ],
)
def test_recover_refuses_malformed_quorum_signatures(signature: Any, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        recover_quorum_signer(HASH, signature)


@pytest.mark.parametrize("bad_hash", ["0x1234", HASH[2:], "0x" + "zz" * 32, b"\0" * 31])
def test_signing_refuses_a_hash_that_is_not_32_bytes(bad_hash: Any) -> None:
    with pytest.raises(SignatureError):
        quorum_signature(bad_hash, KEY)


def test_bad_private_keys_and_kinds_are_refused_without_echoing_the_key() -> None:
    with pytest.raises(SignatureError) as caught:
        quorum_signature(HASH, "0x" + "ab" * 31)
    assert "ab" * 31 not in str(caught.value)
    with pytest.raises(SignatureError, match="wallet"):
        quorum_signature(HASH, KEY, "owner")
    with pytest.raises(SignatureError, match="unsafe_sign_hash"):
        quorum_signature(HASH, object())  # type: ignore[arg-type]


# --- ids and hashes -----------------------------------------------------------------------


def test_case_and_spelling_of_the_same_definition_give_the_same_id() -> None:
    upper = definition(
        participants=[
            {"wallet_address": "0X" + A[2:].upper(), "signature_weight": 1},
            {"wallet_address": B, "signature_weight": 1},
        ],
        nonce="0001",
    )
    assert app_session_id(upper) == app_session_id(definition())
    # Go's decoder matches keys in any case, and the last matching key wins.
    shouty = {
        "Application_ID": "chess-v1",
        "PARTICIPANTS": definition()["participants"],
        "quorum": 9,
        "Quorum": 2,
        "nonce": 1,
    }
    assert app_session_id(shouty) == app_session_id(definition())
    assert parse_definition(definition()).to_wire() == definition()


def test_everything_signed_changes_the_hash() -> None:
    base = create_session_hash(definition(), "")
    assert create_session_hash(definition(), "x") != base
    assert create_session_hash(definition(quorum=1), "") != base
    assert create_session_hash(definition(nonce="2"), "") != base
    assert create_session_hash(definition(application_id="chess-v2"), "") != base
    swapped = definition(participants=list(reversed(definition()["participants"])))
    assert create_session_hash(swapped, "") != base
    first = app_state_update_hash(update())
    for changed in (
        update(intent=3),
        update(version="3"),
        update(session_data="{}"),
        update(allocations=[{"participant": A, "asset": "usdc", "amount": "1.50001"}]),
    ):
        assert app_state_update_hash(changed) != first
    # Amounts are signed as shopspring prints them: equal values, equal hashes.
    same = update(
        allocations=[{"participant": A.upper().replace("0X", "0x"), "asset": "usdc", "amount": "1.50"}]
    )
    assert app_state_update_hash(same) == first
    assert parse_state_update(update()).to_wire()["allocations"][0]["amount"] == "1.5"


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"quorum": 256}, ProtocolError, "quorum must be from 0 to 255"),
        ({"quorum": -1}, ProtocolError, "quorum"),
        ({"quorum": "2"}, ProtocolError, "quorum must be an integer"),
        ({"quorum": 2.0}, ProtocolError, "quorum must be an integer"),
        ({"quorum": True}, ProtocolError, "quorum must be an integer"),
        ({"nonce": "18446744073709551616"}, ProtocolError, "nonce must be between"),
        ({"nonce": "-1"}, ProtocolError, "nonce must be a decimal string"),
        ({"nonce": "1e3"}, ProtocolError, "nonce must be a decimal string"),
        ({"nonce": " 1"}, ProtocolError, "nonce must be a decimal string"),
        ({"nonce": "9" * 5000}, ProtocolError, "nonce must be a decimal string"),
        ({"nonce": None}, ProtocolError, "nonce"),
        (
            {"participants": [{"wallet_address": A, "signature_weight": 300}]},
            ProtocolError,
            "signature_weight",
        ),
        ({"participants": [{"wallet_address": A[:-1], "signature_weight": 1}]}, AddressError, "40 hex"),
        ({"participants": [{"wallet_address": A[2:], "signature_weight": 1}]}, AddressError, "40 hex"),
        ({"participants": [{"wallet_address": A}] * 1000}, ProtocolError, "at most 256"),
        ({"participants": "0x11"}, ProtocolError, "JSON array"),
        ({"application_id": 5}, ProtocolError, "application_id must be a string"),
        ({"application_id": "x" * 5000}, ProtocolError, "longer than"),
    ],
)
def test_hostile_definitions_are_refused(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        app_session_id(definition(**changes))
    with pytest.raises(error, match=message):
        create_session_hash(definition(**changes), "")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"intent": 4}, "intent must be 0 operate"),
        ({"intent": "1"}, "intent must be an integer"),
        ({"app_session_id": "0x1234"}, "64 hex"),
        ({"app_session_id": "0X" + "ab" * 32}, "64 hex"),
        ({"version": "1.0"}, "version"),
        ({"allocations": [{"participant": A, "asset": "usdc", "amount": "1e999"}]}, "exponent"),
        ({"allocations": [{"participant": A, "asset": "usdc", "amount": "1" * 500}]}, "longer than"),
        ({"allocations": [{"participant": A, "asset": "usdc", "amount": 1.5}]}, "decimal string"),
        ({"allocations": [{"participant": A, "asset": "usdc", "amount": "NaN"}]}, "can't convert"),
        ({"allocations": [{"participant": "me", "asset": "usdc", "amount": "1"}]}, "40 hex"),
        ({"allocations": [{}] * 5000}, "at most"),
        ({"session_data": 7}, "session_data must be a string"),
        ({"session_data": "x" * (2 << 20)}, "longer than"),
    ],
)
def test_hostile_updates_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        app_state_update_hash(update(**changes))


def test_home_channel_id_needs_both_parties_and_bounded_fields() -> None:
    good = {"node": A, "user": B, "nonce": "1", "challenge": 86400}
    assert home_channel_id(good, "usdc") == home_channel_id({**good, "node": None}, "usdc", node=A)
    assert home_channel_id(good, "usdc").startswith("0x01")
    with pytest.raises(AddressError):
        home_channel_id({**good, "user": None}, "usdc")
    with pytest.raises(ProtocolError, match="challenge"):
        home_channel_id({**good, "challenge": 1 << 32}, "usdc")
    with pytest.raises(ProtocolError, match="256 bits"):
        home_channel_id({**good, "approved_sig_validators": "0x1" + "0" * 64}, "usdc")


STATE = {
    "version": "1",
    "home_channel_id": "0x" + "11" * 32,
    "transition": {"type": 10, "tx_id": "0x" + "22" * 32, "account_id": A, "amount": "1"},
    "home_ledger": {
        "token_address": B,
        "blockchain_id": "1",
        "user_balance": "1.5",
        "user_net_flow": "1.5",
        "node_balance": "0",
        "node_net_flow": "0",
    },
}


@pytest.mark.parametrize(
    ("ledger_changes", "decimals", "message"),
    [
        ({"user_balance": "1.0000001"}, 6, "exceeds maximum decimal precision"),
        ({"user_balance": "-1"}, 6, "is negative"),
        ({"user_balance": "1" + "0" * 78}, 1, "exceeds uint256 max"),
        ({"node_net_flow": "-1" + "0" * 77}, 1, "below int256 min"),
        ({"user_balance": "1e300"}, 6, "exceeds uint256 max"),
        ({}, None, "token decimals are needed"),
        ({}, {"1-0x0000000000000000000000000000000000000000": 6}, "no decimals known"),
        ({}, 256, "decimals must be from 0 to 255"),
        ({"blockchain_id": "-1"}, 6, "blockchain_id"),
    ],
)
def test_pack_state_refuses_what_upstream_refuses(
    ledger_changes: dict[str, Any], decimals: Any, message: str
) -> None:
    state = {**STATE, "home_ledger": {**STATE["home_ledger"], **ledger_changes}}
    with pytest.raises(ProtocolError, match=message):
        pack_state(state, decimals)


def test_pack_state_takes_decimals_in_every_documented_form() -> None:
    by_int = pack_state(STATE, 6)
    assert pack_state(STATE, {(1, B): 6}) == by_int
    assert pack_state(STATE, {B: 6}) == by_int
    assert pack_state(STATE, lambda chain, token: 6) == by_int
    assert pack_state(STATE, {"1-" + B.upper().replace("0X", "0x"): 6}) == by_int

    class AssetStore:
        def get_token_decimals(self, chain: int, token: str) -> int:
            assert (chain, token) == (1, B)
            return 6

    assert pack_state(STATE, AssetStore()) == by_int
    assert pack_state({**STATE, "decimals": 6}) == by_int
    with pytest.raises(ProtocolError, match="mapping or a callable"):
        pack_state(STATE, "6")
    assert pack_state({**STATE, "home_ledger": {**STATE["home_ledger"], "decimals": 6}}) == by_int
    assert pack_state(STATE, 7) != by_int
    with pytest.raises(ProtocolError, match="HomeChannelID is required"):
        pack_state({**STATE, "home_channel_id": None}, 6)

"""The user's side of a home channel: transitions as upstream's, signatures checked against the signer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nitro_desktop.protocol import ProtocolError, RawKeySigner
from nitro_desktop.protocol.v1 import home_channel_id, state_id
from nitro_desktop.protocol.v1.deposit import sign_channel_state
from nitro_desktop.protocol.v1.home import (
    FINALIZE,
    HOME_DEPOSIT,
    ChannelDefinition,
    NodeSignatureMismatch,
    apply_channel_creation,
    apply_finalize,
    apply_home_deposit,
    apply_home_withdrawal,
    next_state,
    sig_validators_bitmap,
    state_signer,
    supported_sig_validators,
    verify_node_signature,
    void_state,
)

USER = RawKeySigner(bytes([7]) * 32)
NODE = RawKeySigner(bytes([9]) * 32)
TOKEN = "0x" + "00" * 20


def _opened(amount: str = "2.5") -> dict:
    state = next_state(void_state("eth", USER.address))
    apply_channel_creation(state, ChannelDefinition(nonce=42), 31337, TOKEN, NODE.address)
    apply_home_deposit(state, Decimal(amount))
    return state


def test_first_state_is_version_1_of_epoch_0_on_the_channel_the_definition_derives() -> None:
    state = _opened()
    assert (state["epoch"], state["version"]) == ("0", "1")
    assert state["id"] == state_id(USER.address, "eth", 0, 1)
    expected = home_channel_id(
        {"nonce": 42, "challenge": 86400, "approved_sig_validators": "0x01"},
        "eth",
        node=NODE.address,
        user=USER.address,
    )
    assert state["home_channel_id"] == expected
    assert state["transition"]["type"] == HOME_DEPOSIT
    assert state["transition"]["account_id"] == expected
    assert state["home_ledger"]["user_balance"] == "2.5"
    assert state["home_ledger"]["user_net_flow"] == "2.5"


def test_withdrawal_and_finalize_move_the_user_balance_and_net_flow() -> None:
    state = next_state(_opened("3"))
    apply_home_withdrawal(state, Decimal("1.25"))
    assert state["home_ledger"]["user_balance"] == "1.75"
    assert state["home_ledger"]["user_net_flow"] == "1.75"
    final = next_state(state)
    assert apply_finalize(final) == Decimal("1.75")
    assert final["transition"]["type"] == FINALIZE
    assert final["home_ledger"]["user_balance"] == "0"
    assert final["home_ledger"]["user_net_flow"] == "0"
    after = next_state(final)  # a fresh epoch, no channel
    assert (after["epoch"], after["version"]) == ("1", "1")
    assert "home_channel_id" not in after


def test_a_withdrawal_beyond_the_balance_is_refused() -> None:
    state = next_state(_opened("1"))
    with pytest.raises(ProtocolError, match="holds 1 eth"):
        apply_home_withdrawal(state, Decimal("1.5"))


def test_signatures_carry_the_default_type_byte_and_recover_to_their_signer() -> None:
    state = _opened()
    signature = sign_channel_state(state, NODE, 18)
    assert signature.startswith("0x00") and len(signature) == 2 + 132
    assert state_signer(state, signature, 18) == NODE.address
    assert verify_node_signature(state, signature, NODE.address.lower(), 18) == signature


@pytest.mark.parametrize("case", ["other signer", "other state", "other decimals", "garbage", "no prefix"])
def test_a_node_signature_that_does_not_verify_is_refused_with_the_reason(case: str) -> None:
    state = _opened()
    signature = sign_channel_state(state, NODE, 18)
    decimals = 18
    if case == "other signer":
        signature = sign_channel_state(state, USER, 18)
    elif case == "other state":
        other = _opened("2.6")
        signature = sign_channel_state(other, NODE, 18)
    elif case == "other decimals":
        decimals = 6
    elif case == "garbage":
        signature = "0x00" + "ff" * 65
    else:
        signature = "0x" + signature[4:]
    with pytest.raises(NodeSignatureMismatch, match="does not verify — nothing was sent"):
        verify_node_signature(state, signature, NODE.address, decimals)


def test_sig_validator_bitmaps_as_upstream_builds_them() -> None:
    assert sig_validators_bitmap([0]) == "0x01"
    assert sig_validators_bitmap([0, 1]) == "0x03"
    assert sig_validators_bitmap([9]) == "0x0200"
    assert supported_sig_validators({"supported_sig_validators": "AAE="}) == [0, 1]
    assert supported_sig_validators({"supported_sig_validators": [0]}) == [0]
    with pytest.raises(ProtocolError):
        supported_sig_validators({"supported_sig_validators": "!!"})

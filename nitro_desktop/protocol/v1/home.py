"""The user's side of a home channel: next states, their transitions, signing and checking.

States are kept in upstream's wire shape (``rpc.StateV1``: decimal strings, string epoch and
version) so what is signed is what is sent. The transitions follow ``pkg/core/types.go``
(``NextState``, ``ApplyChannelCreation``, ``ApplyHomeDeposit/Withdrawal/FinalizeTransition``)
and a signature is ``ChannelDefaultSigner``'s: the type byte ``0x00``, then an EIP-191
signature of ``pack_state``'s bytes — what the ChannelHub contract checks.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from nitro_desktop.protocol.crypto import recover_address
from nitro_desktop.protocol.errors import ProtocolError, SignatureError
from nitro_desktop.protocol.v1.channel import home_channel_id, state_id
from nitro_desktop.protocol.v1.deposit import go_decimal, state_digest, transaction_id
from nitro_desktop.protocol.v1.values import normalize_address, parse_uint

VOID, ACKNOWLEDGEMENT, HOME_DEPOSIT, HOME_WITHDRAWAL = 0, 1, 10, 11
COMMIT, RELEASE, FINALIZE = 40, 41, 200
#: ``sdk.DefaultChallengePeriod``: one day.
DEFAULT_CHALLENGE = 86400
DEFAULT_SIGNER = 0  # core.ChannelSignerType_Default
MAX_SIG_VALIDATORS = 256
LEDGER_AMOUNTS = ("user_balance", "user_net_flow", "node_balance", "node_net_flow")


class NodeSignatureMismatch(ProtocolError):
    """The node's countersignature does not recover to the node's address: nothing may be sent."""

    def __init__(self, expected: str, found: str | None) -> None:
        self.expected, self.found = expected, found
        signer = f"it was made by {found}" if found else "it does not recover to any address"
        super().__init__(
            "The node's signature on the channel does not verify — nothing was sent "
            f"(the node is {expected}; {signer})"
        )


@dataclass(frozen=True, slots=True)
class ChannelDefinition:
    """``core.ChannelDefinition``: what the user and node agree on when a home channel is made."""

    nonce: int
    challenge: int = DEFAULT_CHALLENGE
    approved_sig_validators: str = "0x01"

    def to_wire(self) -> dict[str, Any]:
        """``rpc.ChannelDefinitionV1``: the nonce as a decimal string."""
        return {
            "nonce": str(self.nonce),
            "challenge": self.challenge,
            "approved_sig_validators": self.approved_sig_validators,
        }

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> ChannelDefinition:
        return cls(
            nonce=parse_uint(raw.get("nonce"), "nonce"),
            challenge=parse_uint(raw.get("challenge", raw.get("challenge_duration")), "challenge", bits=32),
            approved_sig_validators=str(raw.get("approved_sig_validators") or "0x00")[:80],
        )


def sig_validators_bitmap(types: Iterable[int]) -> str:
    """``core.BuildSigValidatorsBitmap``: bit i set for signer type i, compact hex."""
    mask = 0
    for kind in types:
        if not 0 <= kind < MAX_SIG_VALIDATORS:
            raise ProtocolError(f"a signature validator type is 0 to 255, got {kind}")
        mask |= 1 << kind
    if mask == 0:
        return "0x00"
    raw = mask.to_bytes(32, "big").lstrip(b"\0")
    return "0x" + raw.hex()


def supported_sig_validators(config: Mapping[str, Any]) -> list[int]:
    """``node.v1.get_config``'s ``supported_sig_validators``: Go marshals the byte slice as base64."""
    raw = config.get("supported_sig_validators")
    if raw is None:
        return [DEFAULT_SIGNER]
    if isinstance(raw, list) and len(raw) <= MAX_SIG_VALIDATORS and all(type(x) is int for x in raw):
        return list(raw)
    if isinstance(raw, str) and len(raw) <= 400:
        try:
            return list(base64.b64decode(raw, validate=True))
        except ValueError:
            pass
    raise ProtocolError("the node's supported_sig_validators is neither base64 nor a list of numbers")


def _amount(value: Any, field: str) -> Decimal:
    text = str(value)
    if len(text) > 100:
        raise ProtocolError(f"{field} is longer than 100 characters")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ProtocolError(f"{field} is not a decimal number: {text[:64]!r}") from None
    if not number.is_finite() or abs(number.as_tuple().exponent) > 100:  # type: ignore[arg-type]
        raise ProtocolError(f"{field} is out of range: {text[:64]!r}")
    return number


def void_state(asset: str, wallet: str) -> dict[str, Any]:
    """``core.NewVoidState``: version 0, no channel, empty ledger."""
    return {
        "id": "",
        "transition": {"type": VOID, "tx_id": "", "account_id": "", "amount": "0"},
        "asset": asset,
        "user_wallet": wallet,
        "epoch": "0",
        "version": "0",
        "home_ledger": {
            "token_address": "",
            "blockchain_id": "0",
            **dict.fromkeys(LEDGER_AMOUNTS, "0"),
        },
    }


def is_final(state: Mapping[str, Any]) -> bool:
    transition = state.get("transition")
    return isinstance(transition, Mapping) and transition.get("type") == FINALIZE


def next_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """``State.NextState`` for a home channel (no escrow): next version, or a new epoch after a finalize."""
    epoch = parse_uint(state.get("epoch", "0"), "epoch")
    version = parse_uint(state.get("version", "0"), "version")
    if is_final(state):
        new = void_state(str(state["asset"]), str(state["user_wallet"]))
        new["epoch"], new["version"] = str(epoch + 1), "1"
    else:
        new = {
            "asset": state["asset"],
            "user_wallet": state["user_wallet"],
            "epoch": str(epoch),
            "version": str(version + 1),
            "home_ledger": copy.deepcopy(dict(state["home_ledger"])),
            "transition": {"type": VOID, "tx_id": "", "account_id": "", "amount": "0"},
        }
        if state.get("home_channel_id"):
            new["home_channel_id"] = state["home_channel_id"]
    new["id"] = state_id(new["user_wallet"], new["asset"], new["epoch"], new["version"])
    return new


def apply_channel_creation(
    state: dict[str, Any], definition: ChannelDefinition, blockchain_id: int, token: str, node: str
) -> str:
    """``ApplyChannelCreation``: bind the state to a new home channel; returns its id."""
    normalize_address(token, "token_address")  # checked; kept as the node spells it
    state["home_ledger"]["token_address"] = token
    state["home_ledger"]["blockchain_id"] = str(blockchain_id)
    channel = home_channel_id(
        {
            "nonce": definition.nonce,
            "challenge": definition.challenge,
            "approved_sig_validators": definition.approved_sig_validators,
        },
        state["asset"],
        node=node,
        user=state["user_wallet"],
    )
    state["home_channel_id"] = channel
    return channel


def _transition(state: dict[str, Any], kind: int, amount: Decimal) -> None:
    if state["transition"]["type"] != VOID:
        raise ProtocolError(f"state already has a transition ({state['transition']['type']})")
    channel = state.get("home_channel_id")
    if not channel:
        raise ProtocolError("missing home channel ID")
    state["transition"] = {
        "type": kind,
        "tx_id": transaction_id(channel, state["id"]),
        "account_id": channel,
        "amount": go_decimal(amount),
    }


def _ledger_add(state: dict[str, Any], user_delta: Decimal) -> None:
    ledger = state["home_ledger"]
    for key in ("user_balance", "user_net_flow"):
        ledger[key] = go_decimal(_amount(ledger[key], key) + user_delta)


def apply_home_deposit(state: dict[str, Any], amount: Decimal) -> None:
    if amount <= 0:
        raise ProtocolError("a deposit must be more than 0")
    _transition(state, HOME_DEPOSIT, amount)
    _ledger_add(state, amount)


def apply_home_withdrawal(state: dict[str, Any], amount: Decimal) -> None:
    if amount <= 0:
        raise ProtocolError("a withdrawal must be more than 0")
    held = _amount(state["home_ledger"]["user_balance"], "user_balance")
    if amount > held:
        raise ProtocolError(
            f"the home channel holds {go_decimal(held)} {state['asset']}; it cannot pay out more"
        )
    _transition(state, HOME_WITHDRAWAL, amount)
    _ledger_add(state, -amount)


def apply_finalize(state: dict[str, Any]) -> Decimal:
    """``ApplyFinalizeTransition``: everything the user holds leaves the channel; returns that amount."""
    held = _amount(state["home_ledger"]["user_balance"], "user_balance")
    _transition(state, FINALIZE, held)
    _ledger_add(state, -held)
    state["home_ledger"]["user_balance"] = "0"
    return held


def state_signer(state: Mapping[str, Any], signature: Any, decimals: int) -> str | None:
    """Who made a default-signer channel signature over ``state`` (None: unreadable or another kind)."""
    if not isinstance(signature, str) or len(signature) != 2 + 2 * 66:
        return None
    if not signature.lower().startswith("0x00"):
        return None
    try:
        return recover_address(state_digest(state, decimals), "0x" + signature[4:])
    except SignatureError:
        return None


def verify_node_signature(state: Mapping[str, Any], signature: Any, node: str, decimals: int) -> str:
    """``signature`` if the node at ``node`` made it over ``state``; ``NodeSignatureMismatch`` otherwise."""
    found = state_signer(state, signature, decimals)
    if found is None or found.lower() != node.lower():
        raise NodeSignatureMismatch(node, found)
    return str(signature)


def user_balance(state: Mapping[str, Any] | None) -> Decimal:
    """What the user holds in the channel by this state (0 for none)."""
    if not state:
        return Decimal(0)
    ledger = state.get("home_ledger")
    if not isinstance(ledger, Mapping):
        return Decimal(0)
    return _amount(ledger.get("user_balance", "0"), "user_balance")

"""Channel states as the node reads and advances them (``pkg/core``: ``StateAdvancerV1``).

``read_state`` / ``unmap_state`` turn a wire ``StateV1`` into the node's internal form
(``Decimal`` amounts, int epoch and version); ``validate_advancement`` is
``StateAdvancerV1.ValidateAdvancement`` for the transitions the sandbox serves, raising
``ValueError`` with Go's text. Signatures are not checked here, as upstream.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.devnode.v1.channels import (
    ACKNOWLEDGEMENT,
    COMMIT,
    FINALIZE,
    HOME_DEPOSIT,
    HOME_WITHDRAWAL,
    TRANSFER_SEND,
    apply_transition,
    next_state,
)
from nitro_desktop.devnode.v1.wire import Struct, decimal_exponent, parse_decimal, parse_go_uint

TRANSITION_NAMES = {
    0: "void",
    1: "acknowledgement",
    10: "home_deposit",
    11: "home_withdrawal",
    20: "escrow_deposit",
    21: "escrow_withdraw",
    30: "transfer_send",
    31: "transfer_receive",
    40: "commit",
    41: "release",
    100: "migrate",
    110: "escrow_lock",
    120: "mutual_lock",
    200: "finalize",
    201: "challenge_rescue",
}
LEDGER_KEYS = ("user_balance", "user_net_flow", "node_balance", "node_net_flow")
UINT256_MAX = (1 << 256) - 1
INT256_MAX, INT256_MIN = (1 << 255) - 1, -(1 << 255)
s = hashes.go_decimal


def transition_name(kind: int) -> str:
    return TRANSITION_NAMES.get(kind, "unknown")


def read_ledger(obj: Struct) -> dict[str, str]:
    return {k: obj.string(k) for k in ("token_address", "blockchain_id", *LEDGER_KEYS)}


def read_state(obj: Struct) -> dict[str, Any]:
    """A wire ``StateV1`` as Go's JSON decoder reads it (``PayloadError`` on a wrong type)."""
    t = obj.struct("transition")
    escrow = obj.opt_struct("escrow_ledger")
    return {
        "id": obj.string("id"),
        "transition": {
            "type": t.uint("type", 8),
            "tx_id": t.string("tx_id"),
            "account_id": t.string("account_id"),
            "amount": t.string("amount"),
        },
        "asset": obj.string("asset"),
        "user_wallet": obj.string("user_wallet"),
        "epoch": obj.string("epoch"),
        "version": obj.string("version"),
        "home_channel_id": obj.opt_string("home_channel_id"),
        "escrow_channel_id": obj.opt_string("escrow_channel_id"),
        "home_ledger": read_ledger(obj.struct("home_ledger")),
        "escrow_ledger": None if escrow is None else read_ledger(escrow),
        "user_sig": obj.opt_string("user_sig"),
        "node_sig": obj.opt_string("node_sig"),
    }


def unmap_ledger(ledger: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: parse_decimal(ledger[k]) for k in LEDGER_KEYS}
    out["blockchain_id"] = parse_go_uint(ledger["blockchain_id"])
    out["token_address"] = ledger["token_address"]
    return out


def unmap_state(state: dict[str, Any]) -> None:
    """``toCoreState`` in place; ``ValueError`` on any unreadable number."""
    state["transition"]["amount"] = parse_decimal(state["transition"]["amount"])
    state["epoch"] = parse_go_uint(state["epoch"])
    state["version"] = parse_go_uint(state["version"])
    state["home_ledger"] = unmap_ledger(state["home_ledger"])
    if state["escrow_ledger"] is not None:
        state["escrow_ledger"] = unmap_ledger(state["escrow_ledger"])


def _scaled(value: Decimal, decimals: int) -> int:
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"amount {s(value)} exceeds maximum decimal precision: max {decimals} decimals allowed"
        )
    return int(scaled)


def to_uint256(value: Decimal, decimals: int) -> None:
    """``DecimalToUint256``'s checks, with its texts."""
    number = _scaled(value, decimals)
    if number < 0:
        raise ValueError(f"amount {s(value)} is negative, expected uint256 range [0, 2^256-1]")
    if number > UINT256_MAX:
        raise ValueError(f"amount {s(value)} exceeds uint256 max (2^256-1)")


def to_int256(value: Decimal, decimals: int) -> None:
    """``DecimalToInt256``'s checks, with its texts."""
    number = _scaled(value, decimals)
    if number > INT256_MAX:
        raise ValueError(f"amount {s(value)} exceeds int256 max (2^255-1)")
    if number < INT256_MIN:
        raise ValueError(f"amount {s(value)} below int256 min (-2^255)")


def validate_ledger(ledger: dict[str, Any], decimals: int) -> None:
    """``Ledger.Validate``."""
    if ledger["token_address"] == "":
        raise ValueError("invalid token address")
    if ledger["blockchain_id"] == 0:
        raise ValueError("invalid blockchain ID")
    if ledger["user_balance"] < 0:
        raise ValueError("user balance cannot be negative")
    if ledger["node_balance"] < 0:
        raise ValueError("node balance cannot be negative")
    balances = ledger["user_balance"] + ledger["node_balance"]
    flows = ledger["user_net_flow"] + ledger["node_net_flow"]
    if balances != flows:
        raise ValueError(
            f"ledger balances do not match net flows: balances={s(balances)}, net_flows={s(flows)}"
        )
    for key, check, label in (
        ("user_balance", to_uint256, "user balance out of uint256 range"),
        ("node_balance", to_uint256, "node balance out of uint256 range"),
        ("user_net_flow", to_int256, "user net flow out of int256 range"),
        ("node_net_flow", to_int256, "node net flow out of int256 range"),
    ):
        try:
            check(ledger[key], decimals)
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}") from None
    for value, check, label in (
        (balances, to_uint256, "allocation sum out of uint256 range"),
        (flows, to_int256, "net flow sum out of int256 range"),
    ):
        try:
            check(value, decimals)
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}") from None


def _ledgers_equal(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    """``Ledger.Equal``: the first difference, in Go's field order."""
    if mine["token_address"] != theirs["token_address"]:
        raise ValueError(
            f"token address mismatch: expected={mine['token_address']}, proposed={theirs['token_address']}"
        )
    if mine["blockchain_id"] != theirs["blockchain_id"]:
        raise ValueError(
            f"blockchain ID mismatch: expected={mine['blockchain_id']}, proposed={theirs['blockchain_id']}"
        )
    for key in LEDGER_KEYS:
        if mine[key] != theirs[key]:
            label = key.replace("_", " ")
            raise ValueError(f"{label} mismatch: expected={s(mine[key])}, proposed={s(theirs[key])}")


def _transitions_equal(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    """``Transition.Equal``."""
    if mine["type"] != theirs["type"]:
        raise ValueError(
            f"transition type mismatch: expected={transition_name(mine['type'])},"
            f" proposed={transition_name(theirs['type'])}"
        )
    for key, label in (("tx_id", "transaction ID"), ("account_id", "account ID")):
        if mine[key] != theirs[key]:
            raise ValueError(f"{label} mismatch: expected={mine[key]}, proposed={theirs[key]}")
    if mine["amount"] != theirs["amount"]:
        raise ValueError(f"amount mismatch: expected={s(mine['amount'])}, proposed={s(theirs['amount'])}")


def _apply(expected: dict[str, Any], current: dict[str, Any], t: dict[str, Any]) -> None:
    """The transition switch of ``ValidateAdvancement`` for the transitions the sandbox has."""
    kind = t["type"]
    if kind == 0:
        raise ValueError("cannot apply void transition as new transition")
    if kind == ACKNOWLEDGEMENT and current["user_sig"] is not None:
        raise ValueError("current state is already acknowledged")
    if kind not in (ACKNOWLEDGEMENT, HOME_DEPOSIT, HOME_WITHDRAWAL, TRANSFER_SEND, COMMIT, FINALIZE):
        raise ValueError(f"unsupported type for new transition: {kind}")
    if kind in (HOME_DEPOSIT, HOME_WITHDRAWAL, FINALIZE) and expected["home_channel_id"] is None:
        raise ValueError("failed to apply new transition: missing home channel ID")
    apply_transition(expected, kind, t["account_id"], t["amount"])


def validate_advancement(node: Any, current: dict[str, Any], proposed: dict[str, Any]) -> None:
    """``StateAdvancerV1.ValidateAdvancement`` (``ValueError`` with Go's text)."""
    expected = next_state(current)
    if proposed["home_channel_id"] is None:
        raise ValueError("home channel ID cannot be nil")
    if expected["home_channel_id"] is None:  # a wallet that has no channel yet adopts the proposed one
        expected["home_channel_id"] = proposed["home_channel_id"]
        expected["home_ledger"]["blockchain_id"] = proposed["home_ledger"]["blockchain_id"]
        expected["home_ledger"]["token_address"] = proposed["home_ledger"]["token_address"]
    if proposed["home_channel_id"] != expected["home_channel_id"]:
        raise ValueError(
            f"home channel ID mismatch: expected={expected['home_channel_id']},"
            f" proposed={proposed['home_channel_id']}"
        )
    for key, label in (("version", "version"), ("user_wallet", "user wallet"), ("asset", "asset")):
        if proposed[key] != expected[key]:
            raise ValueError(f"{label} mismatch: expected={expected[key]}, proposed={proposed[key]}")
    if proposed["epoch"] != expected["epoch"]:
        raise ValueError(f"epoch mismatch: expected={expected['epoch']}, proposed={proposed['epoch']}")
    if proposed["id"] != expected["id"]:
        raise ValueError(f"state ID mismatch: expected={expected['id']}, proposed={proposed['id']}")
    t = proposed["transition"]
    decimals = node.channels.decimals(proposed["asset"])
    if decimals is None:
        raise ValueError(f"failed to get asset decimals: asset '{proposed['asset']}' is not supported")
    if decimal_exponent(t["amount"]) < -decimals:
        raise ValueError(
            f"invalid amount for asset {proposed['asset']}: amount exceeds maximum decimal precision:"
            f" max {decimals} decimals allowed, got {-decimal_exponent(t['amount'])}"
        )
    if t["type"] == ACKNOWLEDGEMENT:
        if t["amount"] != 0:
            raise ValueError(f"transition amount must be zero, got {s(t['amount'])}")
    elif t["type"] == FINALIZE:
        if t["amount"] < 0:
            raise ValueError(f"transition amount must not be negative, got {s(t['amount'])}")
    elif not t["amount"] > 0:
        raise ValueError(f"transition amount must be positive, got {s(t['amount'])}")
    _apply(expected, current, t)
    try:
        _transitions_equal(expected["transition"], t)
    except ValueError as exc:
        raise ValueError(f"new transition does not match expected: {exc}") from None
    try:
        _ledgers_equal(expected["home_ledger"], proposed["home_ledger"])
    except ValueError as exc:
        raise ValueError(f"home ledger mismatch: {exc}") from None
    try:
        token_decimals = node.channels.token_decimals(
            proposed["home_ledger"]["blockchain_id"], proposed["home_ledger"]["token_address"]
        )
    except ValueError as exc:
        raise ValueError(f"failed to get home token decimals: {exc}") from None
    try:
        validate_ledger(proposed["home_ledger"], token_decimals)
    except ValueError as exc:
        raise ValueError(f"invalid home ledger: {exc}") from None
    if proposed.get("escrow_channel_id") is not None:
        raise ValueError("escrow channel ID presence mismatch")
    if proposed.get("escrow_ledger") is not None:
        raise ValueError("escrow ledger presence mismatch")

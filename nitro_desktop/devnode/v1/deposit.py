"""``app_sessions.v1.submit_deposit_state``: a signed ``commit`` of the user's home channel
state moves funds into the session (``submit_deposit_state.go`` and ``StateAdvancerV1``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.devnode.v1.channels import COMMIT, apply_transition, next_state
from nitro_desktop.devnode.v1.quorum import Fail, hexutil_decode, recover_eth_msg
from nitro_desktop.devnode.v1.sessions import (
    CLOSED,
    MAX_SESSION_DATA,
    Update,
    intent_name,
    normalize_address,
    read_sigs,
    weights_of,
)
from nitro_desktop.devnode.v1.updates import DEPOSIT, check_precision
from nitro_desktop.devnode.v1.wire import PayloadError, Struct, decimal_exponent, parse_decimal, parse_go_uint

TRANSITION_NAMES = {
    0: "void",
    1: "acknowledgement",
    10: "home_deposit",
    11: "home_withdrawal",
    20: "escrow_deposit",
}
TRANSITION_NAMES.update({21: "escrow_withdraw", 30: "transfer_send", 31: "transfer_receive", 40: "commit"})
TRANSITION_NAMES.update(
    {41: "release", 100: "migrate", 110: "escrow_lock", 120: "mutual_lock", 200: "finalize"}
)
LEDGER_KEYS = ("user_balance", "user_net_flow", "node_balance", "node_net_flow")
UINT256_MAX = (1 << 256) - 1
s = hashes.go_decimal


def read_ledger(obj: Struct) -> dict[str, str]:
    return {k: obj.string(k) for k in ("token_address", "blockchain_id", *LEDGER_KEYS)}


def read_state(obj: Struct) -> dict[str, Any]:
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
    """``unmapStateV1`` in place; ``ValueError`` on any unreadable number."""
    state["transition"]["amount"] = parse_decimal(state["transition"]["amount"])
    state["epoch"] = parse_go_uint(state["epoch"])
    state["version"] = parse_go_uint(state["version"])
    state["home_ledger"] = unmap_ledger(state["home_ledger"])
    if state["escrow_ledger"] is not None:
        state["escrow_ledger"] = unmap_ledger(state["escrow_ledger"])


def _fits(value: Decimal, decimals: int, signed: bool) -> bool:
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        return False
    number = int(scaled)
    return -(1 << 255) <= number < (1 << 255) if signed else 0 <= number <= UINT256_MAX


def validate_advancement(node: Any, current: dict[str, Any], proposed: dict[str, Any]) -> None:
    """``StateAdvancerV1.ValidateAdvancement`` for a ``commit`` (``ValueError`` with Go's text)."""
    expected = next_state(current)
    if proposed["home_channel_id"] is None:
        raise ValueError("home channel ID cannot be nil")
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
    if not t["amount"] > 0:
        raise ValueError(f"transition amount must be positive, got {s(t['amount'])}")
    apply_transition(expected, COMMIT, t["account_id"], t["amount"])
    e = expected["transition"]
    for key, label in (("tx_id", "transaction ID"), ("account_id", "account ID")):
        if e[key] != t[key]:
            raise ValueError(
                f"new transition does not match expected: {label} mismatch:"
                f" expected={e[key]}, proposed={t[key]}"
            )
    mine, theirs = expected["home_ledger"], proposed["home_ledger"]
    if mine["token_address"] != theirs["token_address"]:
        raise ValueError(
            f"home ledger mismatch: token address mismatch: expected={mine['token_address']},"
            f" proposed={theirs['token_address']}"
        )
    if mine["blockchain_id"] != theirs["blockchain_id"]:
        raise ValueError(
            f"home ledger mismatch: blockchain ID mismatch: expected={mine['blockchain_id']},"
            f" proposed={theirs['blockchain_id']}"
        )
    for key in LEDGER_KEYS:
        if mine[key] != theirs[key]:
            label = key.replace("_", " ")
            raise ValueError(
                f"home ledger mismatch: {label} mismatch: expected={s(mine[key])}, proposed={s(theirs[key])}"
            )
    if theirs["user_balance"] < 0:
        raise ValueError("invalid home ledger: user balance cannot be negative")
    for key, signed in (
        ("user_balance", False),
        ("node_balance", False),
        ("user_net_flow", True),
        ("node_net_flow", True),
    ):
        if not _fits(theirs[key], decimals, signed):
            kind = "int256" if signed else "uint256"
            raise ValueError(f"invalid home ledger: {key.replace('_', ' ')} out of {kind} range")
    if proposed["escrow_channel_id"] is not None:
        raise ValueError("escrow channel ID presence mismatch")
    if proposed["escrow_ledger"] is not None:
        raise ValueError("escrow ledger presence mismatch")


def submit_deposit_state(node: Any, payload: Struct) -> dict[str, Any]:
    try:
        update = Update.read(payload.struct("app_state_update"))
        sigs = read_sigs(payload)
        user_state = read_state(payload.struct("user_state"))
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    if len(update.session_data.encode()) > MAX_SESSION_DATA:
        raise Fail(f"session_data exceeds maximum length of {MAX_SESSION_DATA}")
    try:
        update.unmap()
    except ValueError:
        raise Fail("failed to parse app state update") from None
    try:
        user_state["user_wallet"] = normalize_address(user_state["user_wallet"])
    except ValueError as exc:
        raise Fail(f"invalid user_wallet: {exc}") from None
    try:
        unmap_state(user_state)
    except ValueError:
        raise Fail("failed to parse user state") from None
    with node.db.transaction():
        row = node.store.session(update.app_session_id.lower())
        if row is None:
            raise Fail("app session not found")
        weights = weights_of(row)
        if len(sigs) > len(weights):
            raise Fail(f"quorum_sigs count ({len(sigs)}) exceeds participants count ({len(weights)})")
        if row["status"] == CLOSED:
            raise Fail("app session is already closed")
        if update.version != row["version"] + 1:
            raise Fail(f"invalid app session version: expected {row['version'] + 1}, got {update.version}")
        if update.intent != DEPOSIT:
            raise Fail(f"invalid intent: expected 'deposit', got '{intent_name(update.intent)}'")
        if not sigs:
            raise Fail("no signatures provided")
        t = user_state["transition"]
        if t["type"] != COMMIT:
            raise Fail(
                "user state transition must have 'commit' type,"
                f" got '{TRANSITION_NAMES.get(t['type'], 'unknown')}'"
            )
        channel = node.store.home_channel(user_state["user_wallet"], user_state["asset"])
        if channel is None:
            raise Fail("user has no active channel")
        if t["account_id"] != update.app_session_id:
            raise Fail(
                f"user state transition account ID '{t['account_id']}' does not match app session ID"
                f" '{update.app_session_id}'"
            )
        if user_state["user_sig"] is None:
            raise Fail("missing user signature on user state")
        current = node.store.last_state(user_state["user_wallet"], user_state["asset"])
        if current is None:
            raise Fail("last user state not found")
        try:
            validate_advancement(node, current, user_state)
        except ValueError as exc:
            raise Fail(f"invalid state transitions: {exc}") from None
        decimals = node.channels.decimals(user_state["asset"]) or 0
        packed_state = hashes.pack_state(user_state, decimals)
        try:
            user_sig = hexutil_decode(user_state["user_sig"])
        except ValueError as exc:
            raise Fail(f"failed to decode user signature: {exc}") from None
        if not user_sig:
            raise Fail("failed to get user signature type: invalid signature: too short")
        if user_sig[0] != 0:  # the simulated channels approve the default signer only (0x01)
            raise Fail(f"user signature type '{user_sig[0]}' is not supported by channel")
        try:
            signer = recover_eth_msg(packed_state, user_sig[1:])
        except ValueError as exc:
            raise Fail(f"failed to validate signature: failed to recover wallet address: {exc}") from None
        if signer.lower() != user_state["user_wallet"]:
            raise Fail("failed to validate signature: invalid signature")
        node.verify_quorum(
            row["session_id"], row["application_id"], weights, row["quorum"], update.packed(), sigs
        )
        deposit(node, row, update, user_state, weights)
        data = update.session_data or row["session_data"]
        node.store.update_session(row["session_id"], row["status"], row["version"] + 1, data, node.clock())
        user_state["node_sig"] = node.channels.sign(user_state)
        user_state["asset"] = current["asset"]
        node.store.store_state(user_state)
        node.channels.record(user_state, node.clock())
    return {"signature": user_state["node_sig"]}


def deposit(node: Any, row: Any, update: Update, user_state: dict[str, Any], weights: dict[str, int]) -> None:
    """The allocation checks; each increase is recorded as it is met, as upstream does."""
    assert update.allocations is not None
    current = node.store.allocations(row["session_id"])
    asset_in = user_state["asset"]
    total = Decimal(0)
    given: dict[str, dict[str, Decimal]] = {}
    for participant, asset, amount in update.allocations:
        if participant not in weights:
            raise Fail(f"allocation to non-participant {participant}")
        if amount < 0:
            raise Fail(f"negative allocation: {s(amount)} for asset {asset}")
        try:
            check_precision(node, asset, amount, "invalid amount for allocation")
        except Fail as exc:
            raise Fail(exc.text.replace("{p}", participant)) from None
        if asset in given.get(participant, {}):
            raise Fail(f"duplicate allocation for participant {participant}, asset {asset}")
        now = current.get(participant, {}).get(asset, Decimal(0))
        if amount == 0 and now == 0:
            raise Fail(
                f"zero allocation for participant {participant}, asset {asset} with no existing balance"
            )
        if amount < now:
            raise Fail(f"decreased allocation for {asset} for participant {participant}")
        if amount > now:
            if asset != asset_in:
                raise Fail(
                    f"app session deposit allocation for asset '{asset}' does not match user channel state"
                    f" asset '{asset_in}'"
                )
            total += amount - now
            node.store.add_allocation(row["session_id"], participant, asset, amount - now)
        given.setdefault(participant, {})[asset] = amount
    for participant in sorted(current):
        for asset, now in sorted(current[participant].items()):
            if now == 0:
                continue
            if asset not in given.get(participant, {}):
                raise Fail(
                    f"deposit intent missing allocation for participant {participant}, asset {asset}"
                    f" with current amount {s(now)}"
                )
            if asset != asset_in and given[participant][asset] != now:
                raise Fail(
                    "deposit intent requires non-deposited asset allocations to match current state:"
                    f" participant {participant}, asset {asset}, current {s(now)},"
                    f" provided {s(given[participant][asset])}"
                )
    if total != user_state["transition"]["amount"]:
        raise Fail(
            f"total deposit amount {s(total)} does not match transition amount"
            f" {s(user_state['transition']['amount'])}"
        )

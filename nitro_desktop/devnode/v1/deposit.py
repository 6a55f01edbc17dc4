"""``app_sessions.v1.submit_deposit_state``: a signed ``commit`` of the user's home channel
state moves funds into the session (``submit_deposit_state.go`` and ``StateAdvancerV1``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.devnode.v1.advance import read_state, transition_name, unmap_state, validate_advancement
from nitro_desktop.devnode.v1.channels import COMMIT
from nitro_desktop.devnode.v1.home import ensure_no_ongoing_transitions, verify_user_signature
from nitro_desktop.devnode.v1.quorum import Fail
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
from nitro_desktop.devnode.v1.wire import PayloadError, Struct

s = hashes.go_decimal


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
            raise Fail(f"user state transition must have 'commit' type, got '{transition_name(t['type'])}'")
        channel = node.store.active_channel(user_state["user_wallet"], user_state["asset"])
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
            ensure_no_ongoing_transitions(node, user_state["user_wallet"], user_state["asset"])
        except ValueError as exc:
            raise Fail(f"ongoing state transitions check failed: {exc}") from None
        try:
            validate_advancement(node, current, user_state)
        except ValueError as exc:
            raise Fail(f"invalid state transitions: {exc}") from None
        packed_state = hashes.pack_state(user_state, node.channels.decimals(user_state["asset"]) or 0)
        verify_user_signature(
            node,
            packed_state,
            user_state,
            channel["validators"],
            decode="failed to decode user signature: ",
            invalid="failed to validate signature: ",
        )
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

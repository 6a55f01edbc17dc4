"""``app_sessions.v1.submit_app_state``: intents operate, withdraw and close.

nitronode's ``submit_app_state.go`` check by check; funds leaving a session go back
to each participant's home channel as a ``release`` state (``channels.py``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.devnode.v1.quorum import Fail
from nitro_desktop.devnode.v1.sessions import (
    CLOSED,
    MAX_SESSION_DATA,
    Update,
    intent_name,
    read_sigs,
    weights_of,
)
from nitro_desktop.devnode.v1.wire import PayloadError, Struct, decimal_exponent

OPERATE, DEPOSIT, WITHDRAW, CLOSE = 0, 1, 2, 3
Shares = dict[str, dict[str, Decimal]]
ZERO = Decimal(0)
s = hashes.go_decimal


def check_precision(node: Any, asset: str, amount: Decimal, what: str) -> None:
    decimals = node.channels.decimals(asset)
    if decimals is None:
        raise Fail(f"failed to get asset decimals: asset '{asset}' is not supported")
    if decimal_exponent(amount) < -decimals:
        raise Fail(
            f"{what} with asset {asset} and participant {{p}}: amount exceeds maximum decimal precision:"
            f" max {decimals} decimals allowed, got {-decimal_exponent(amount)}"
        )


def incoming(update: Update, weights: dict[str, int], node: Any | None, precision: bool) -> Shares:
    """The common loop: participant, sign, (precision), duplicates."""
    assert update.allocations is not None
    out: Shares = {}
    for participant, asset, amount in update.allocations:
        if participant not in weights:
            raise Fail(f"allocation to non-participant {participant}")
        if amount < 0:
            raise Fail(f"negative allocation: {s(amount)} for asset {asset}")
        if precision and node is not None:
            try:
                check_precision(node, asset, amount, "invalid amount for allocation")
            except Fail as exc:
                raise Fail(exc.text.replace("{p}", participant)) from None
        if asset in out.get(participant, {}):
            raise Fail(f"duplicate allocation for participant {participant}, asset {asset}")
        out.setdefault(participant, {})[asset] = amount
    return out


def _current_pairs(current: Shares) -> list[tuple[str, str, Decimal]]:
    return [(p, a, x) for p in sorted(current) for a, x in sorted(current[p].items()) if x != 0]


def operate(node: Any, update: Update, current: Shares, weights: dict[str, int]) -> None:
    balances = node.store.session_balances(update.app_session_id)
    given = incoming(update, weights, node, True)
    sums: dict[str, Decimal] = {}
    assert update.allocations is not None
    for _, asset, amount in update.allocations:
        sums[asset] = sums.get(asset, ZERO) + amount
    for participant, asset, amount in _current_pairs(current):
        if asset not in given.get(participant, {}):
            raise Fail(
                f"operate intent missing allocation for participant {participant}, asset {asset}"
                f" with current amount {s(amount)}"
            )
        diff = given[participant][asset] - amount
        if diff != 0:
            node.store.add_allocation(update.app_session_id, participant, asset, diff)
    for participant in sorted(given):
        for asset, amount in sorted(given[participant].items()):
            if amount != 0 and current.get(participant, {}).get(asset, ZERO) == 0:
                node.store.add_allocation(update.app_session_id, participant, asset, amount)
    for asset in sorted(sums):
        balance = balances.get(asset, ZERO)
        if sums[asset] != balance:
            raise Fail(
                f"operate intent allocation mismatch for asset {asset}: total allocations {s(sums[asset])},"
                f" session balance {s(balance)}"
            )
    for asset, balance in sorted(balances.items()):
        if balance != 0 and asset not in sums:
            raise Fail(f"operate intent missing allocations for asset {asset} with balance {s(balance)}")


def withdraw(node: Any, update: Update, current: Shares, weights: dict[str, int]) -> None:
    assert update.allocations is not None
    given: Shares = {}
    for participant, asset, amount in update.allocations:
        if participant not in weights:
            raise Fail(f"allocation to non-participant {participant}")
        if amount < 0:
            raise Fail(f"negative allocation: {s(amount)} for asset {asset}")
        if asset in given.get(participant, {}):
            raise Fail(f"duplicate allocation for participant {participant}, asset {asset}")
        if amount != 0 and current.get(participant, {}).get(asset, ZERO) == 0:
            raise Fail(
                f"withdraw intent cannot add new allocation for participant {participant}, asset {asset}"
            )
        given.setdefault(participant, {})[asset] = amount
    for participant, asset, amount in _current_pairs(current):
        if asset not in given.get(participant, {}):
            raise Fail(
                f"withdraw intent missing allocation for participant {participant}, asset {asset}"
                f" with current amount {s(amount)}"
            )
        wanted = given[participant][asset]
        if wanted > amount:
            raise Fail(
                f"withdraw intent cannot increase allocations: participant {participant}, asset {asset}"
            )
        if wanted < amount:
            out = amount - wanted
            node.store.add_allocation(update.app_session_id, participant, asset, -out)
            try:
                check_precision(node, asset, out, "invalid withdraw amount for allocation")
            except Fail as exc:
                raise Fail(exc.text.replace("{p}", participant)) from None
            node.channels.release(participant, asset, update.app_session_id, out, node.clock())


def close(node: Any, update: Update, current: Shares, weights: dict[str, int]) -> None:
    given = incoming(update, weights, None, False)
    for participant, asset, amount in _current_pairs(current):
        if asset not in given.get(participant, {}):
            raise Fail(
                f"close intent missing allocation for participant {participant}, asset {asset}"
                f" with current amount {s(amount)}"
            )
        if given[participant][asset] != amount:
            raise Fail(
                f"close intent requires allocations to match current state: participant {participant},"
                f" asset {asset}, current {s(amount)}, provided {s(given[participant][asset])}"
            )
    for participant in sorted(given):
        for asset, amount in sorted(given[participant].items()):
            if current.get(participant, {}).get(asset, ZERO) == 0 and amount != 0:
                raise Fail(
                    f"close intent contains unexpected allocation for participant {participant},"
                    f" asset {asset} with amount {s(amount)}"
                )
    for participant, asset, amount in _current_pairs(current):
        node.store.add_allocation(update.app_session_id, participant, asset, -amount)
        node.channels.release(participant, asset, update.app_session_id, amount, node.clock())


def submit_app_state(node: Any, payload: Struct) -> dict[str, Any]:
    try:
        update = Update.read(payload.struct("app_state_update"))
        sigs = read_sigs(payload)
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    if len(update.session_data.encode()) > MAX_SESSION_DATA:
        raise Fail(f"session_data exceeds maximum length of {MAX_SESSION_DATA}")
    try:
        update.unmap()
    except ValueError:
        raise Fail("failed to parse app state update") from None
    if update.intent == DEPOSIT:
        raise Fail("deposit intent must use submit_deposit_state endpoint")
    if update.intent not in (OPERATE, WITHDRAW, CLOSE):
        raise Fail(f"invalid intent: {intent_name(update.intent)}")
    with node.db.transaction():
        row = node.store.session(update.app_session_id.lower())
        if row is None:
            raise Fail("app session not found")
        if row["status"] == CLOSED:
            raise Fail("app session is already closed")
        weights = weights_of(row)
        if len(sigs) > len(weights):
            raise Fail(f"quorum_sigs count ({len(sigs)}) exceeds participants count ({len(weights)})")
        if update.version != row["version"] + 1:
            raise Fail(f"invalid app session version: expected {row['version'] + 1}, got {update.version}")
        if not sigs:
            raise Fail("no signatures provided")
        update.app_session_id = row["session_id"]
        node.verify_quorum(
            row["session_id"], row["application_id"], weights, row["quorum"], update.packed(), sigs
        )
        current = node.store.allocations(row["session_id"])
        {OPERATE: operate, WITHDRAW: withdraw, CLOSE: close}[update.intent](node, update, current, weights)
        status = CLOSED if update.intent == CLOSE else row["status"]
        data = update.session_data or row["session_data"]
        node.store.update_session(row["session_id"], status, row["version"] + 1, data, node.clock())
    return {}

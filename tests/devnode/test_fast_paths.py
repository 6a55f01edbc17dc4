"""The create path's shortcuts answer exactly as the general code they skip.

``go_numbers`` hands back params unchanged instead of copying them when a float64 round trip
would change nothing; the RPC history remembers each sender's row count instead of asking
SQLite for the rows past the bound on every request.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.devnode import db as dbm
from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.db import Database

_EDGE = 1 << 53
_numbers = st.one_of(
    st.integers(-_EDGE - 3, _EDGE + 3),
    st.integers(),
    st.sampled_from([-_EDGE - 1, -_EDGE, _EDGE, _EDGE + 1, 0]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.sampled_from([Decimal("1.0"), Decimal("-0"), Decimal("1E+2"), Decimal("0.5")]),
)
_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.text(max_size=5), _numbers),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=25,
)


def _typed(value: Any) -> Any:
    """The value with every leaf's type beside it: 1 == 1.0 == True must not pass for equal."""
    if isinstance(value, list):
        return ["list", [_typed(v) for v in value]]
    if isinstance(value, dict):
        return ["dict", [(k, _typed(v)) for k, v in value.items()]]
    return [type(value).__name__, str(value)]


@settings(max_examples=400, deadline=None)
@given(_json)
def test_go_numbers_equals_the_copying_walk(value: Any) -> None:
    try:
        expected: Any = ("value", _typed(P.go_numbers_copy(value)))
    except P.NumberRangeError:
        expected = "range"
    try:
        got: Any = ("value", _typed(P.go_numbers(value)))
    except P.NumberRangeError:
        got = "range"
    assert got == expected


def test_plain_params_come_back_as_the_same_object() -> None:
    params = [{"definition": {"weights": [100, 0], "nonce": _EDGE}, "allocations": [{"amount": "1"}]}]
    assert P.go_numbers(params) is params
    beyond = [{"nonce": _EDGE + 1}]
    assert P.go_numbers(beyond) == [{"nonce": _EDGE}]
    assert P.go_numbers([Decimal("2.0")]) == [2]


_BEYOND = f"SELECT id, {dbm._ROW_BYTES} FROM rpc_history WHERE sender = ? ORDER BY id DESC LIMIT -1 OFFSET ?"  # noqa: S608
_OLDEST = f"SELECT id, {dbm._ROW_BYTES} FROM rpc_history ORDER BY id LIMIT 64"  # noqa: S608


class _AskEveryTime(Database):
    """The history as it was kept before the row counts: every insert asks SQLite for the
    sender's rows past the bound (an OFFSET from its newest row)."""

    def add_history(self, sender: str, row: tuple[Any, ...]) -> None:
        conn = self.conn
        before = self.history_bytes()
        conn.execute(dbm._HISTORY_INSERT, row)
        total = before + sum(len(str(row[i]).encode("utf-8")) for i in dbm._TEXT_COLUMNS)
        old = conn.execute(_BEYOND, (sender, self.history_rows_per_sender)).fetchall()
        total -= self._drop_history([r[0] for r in old], sum(r[1] for r in old))
        while total > self.history_max_bytes:
            oldest = conn.execute(_OLDEST).fetchall()
            if not oldest:
                total = 0
                break
            dropped, ids = 0, []
            for row_id, row_bytes in oldest:
                if total - dropped <= self.history_max_bytes:
                    break
                ids.append(row_id)
                dropped += row_bytes
            total -= self._drop_history(ids, dropped)
        self._history_bytes = total


def _held(db: Database) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.query("SELECT id, sender, req_id, params FROM rpc_history ORDER BY id")]


_history_steps = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "fail", "limit", "bytes", "reopen"]),
        st.integers(0, 2),
        st.integers(1, 5),
        st.integers(0, 300),
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(steps=_history_steps)
def test_history_keeps_the_same_rows_as_asking_every_time(tmp_path_factory: Any, steps: Any) -> None:
    """Adds (some in turns that roll back after trimming), bound and size changes, reopens: the
    counted history keeps exactly the rows, and the byte total, of the one that asks each time."""
    where: Path = tmp_path_factory.mktemp("h")
    kinds: tuple[type[Database], type[Database]] = (Database, _AskEveryTime)
    dbs = [kind(where / f"{kind.__name__}.sqlite") for kind in kinds]
    limits, next_id = {"rows": 1000, "bytes": dbm.HISTORY_MAX_BYTES}, 1
    try:
        for action, who, n, size in steps:
            sender = f"0xS{who}"
            if action in ("limit", "bytes"):
                limits["rows" if action == "limit" else "bytes"] = n if action == "limit" else 200 + 8 * size
            if action == "reopen":
                for db in dbs:
                    db.close()
                dbs = [kind(where / f"{kind.__name__}.sqlite") for kind in kinds]
            for db in dbs:
                db.history_rows_per_sender, db.history_max_bytes = limits["rows"], limits["bytes"]
            if action in ("add", "fail"):
                for db in dbs:
                    with pytest.raises(RuntimeError) if action == "fail" else contextlib.nullcontext():
                        with db.transaction():
                            for i in range(n):
                                db.add_history(sender, _row(sender, next_id + i, size))
                            if action == "fail":
                                raise RuntimeError("the turn fails after its inserts and trims")
                next_id += n
            counted, asked = dbs
            assert _held(counted) == _held(asked)
            assert counted.history_bytes() == asked.history_bytes()
    finally:
        for db in dbs:
            db.close()


def _row(sender: str, i: int, size: int) -> tuple[Any, ...]:
    return (sender, i, "m", "p" * size, 1, "[]", f"[{i}]", "[]")

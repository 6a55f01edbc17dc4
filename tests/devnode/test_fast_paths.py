"""The create path's shortcuts answer exactly as the general code they skip.

``go_numbers`` hands back params unchanged instead of copying them when a float64 round trip
would change nothing; the RPC history remembers each sender's row count instead of asking
SQLite for the rows past the bound on every request.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _row(sender: str, i: int) -> tuple[Any, ...]:
    return (sender, i, "m", "[]", 1, "[]", f"[{i}]", "[]")


def _held(db: Database) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for r in db.query("SELECT sender, req_id FROM rpc_history ORDER BY id"):
        out.setdefault(r["sender"], []).append(r["req_id"])
    return out


_history_steps = st.lists(
    st.tuples(st.sampled_from(["add", "fail", "limit", "reopen"]), st.integers(0, 2), st.integers(1, 4)),
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(steps=_history_steps)
def test_history_keeps_the_same_rows_as_asking_every_time(tmp_path_factory: Any, steps: Any) -> None:
    """Adds (some in turns that roll back), bound changes and reopens: per sender, the newest rows
    up to the bound are kept, exactly as the query run on every insert keeps them."""
    path: Path = tmp_path_factory.mktemp("h") / "h.sqlite"
    db = Database(path)
    model: dict[str, list[int]] = {}
    limit = 1000
    next_id = 1
    try:
        for action, who, n in steps:
            sender = f"0xS{who}"
            if action == "limit":
                limit = n
                db.history_rows_per_sender = n
                continue  # as upstream: a lower bound applies at the sender's next request
            if action == "reopen":
                db.close()
                db = Database(path)
                db.history_rows_per_sender = limit
                continue
            with pytest.raises(RuntimeError) if action == "fail" else _nothing():
                with db.transaction():
                    for _ in range(n):
                        db.add_history(sender, _row(sender, next_id))
                        if action == "add":
                            kept = [*model.get(sender, []), next_id]
                            model[sender] = kept[-limit:]
                        next_id += 1
                    if action == "fail":
                        raise RuntimeError("the turn fails after trimming")
            assert _held(db) == {s: ids for s, ids in model.items() if ids}
    finally:
        db.close()


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None

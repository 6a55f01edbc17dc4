"""Exact decimals end to end (issue 11 §3): whatever amounts a client sends, tiny or huge, every
accepted move debits and credits exactly that amount and the sum of all balances is what was minted.

Hypothesis drives transfers and app-session creates/closes over a real socket to a fresh sandbox
per example; the expected balances are computed here with a 500-digit context.
"""

from __future__ import annotations

import asyncio
import itertools
from decimal import Context, Decimal, localcontext
from typing import Any

import py_ecc  # noqa: F401 - imported before Hypothesis runs: its first import raises the recursion limit
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import connect

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.protocol import RawKeySigner
from tests.devnode.conftest import KEY_A, KEY_B, Client

WIDE = Context(prec=500)
DECIMALS = {"usdc": 6, "eth": 18}
_nonces = itertools.count(1_900_000_000_000)


def plain(digits: int, places: int) -> str:
    return format(Decimal((0, tuple(int(d) for d in str(digits)), -places)), "f")


NASTY = [
    "1e-25",
    "1e-26",
    "1e-28",
    "1e-100",
    "-1e-1000000",
    "1e-19",
    "1e-18",
    "0.000001",
    "0.0000001",
    "1e45",
    "9" * 46,
    "1e46",
    "1e47",
    "123456789012345678901234567890.123456789012345678",
    "0",
    "-1",
]
AMOUNTS = st.one_of(
    st.sampled_from(NASTY),
    st.builds(plain, st.integers(1, 10**50), st.integers(0, 30)),
    st.builds(plain, st.integers(1, 10**8), st.integers(0, 8)),
)
FUNDING = st.sampled_from(["100", "1" + "0" * 40, "123456789.123456", "0.000001"])
ASSETS = st.sampled_from(sorted(DECIMALS))
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("transfer"), ASSETS, AMOUNTS),
        st.tuples(st.just("create"), ASSETS, AMOUNTS),
        st.tuples(st.just("close"), st.integers(0, 5), AMOUNTS),
    ),
    min_size=1,
    max_size=6,
)


def places(text: str) -> int:
    exponent = Decimal(text).normalize(WIDE).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def definition(dialect: str, a: RawKeySigner, b: RawKeySigner) -> dict[str, Any]:
    d = {
        "protocol": "NitroRPC/0.2" if dialect == "0.2" else "NitroRPC/0.4",
        "participants": [a.address, b.address],
        "weights": [100, 0],
        "quorum": 100,
        "challenge": 0,
        "nonce": next(_nonces),
    }
    return {"application": "Nitro Test", **d} if dialect == "0.5" else d


async def scenario(dialect: str, funding: str, ops: list[tuple[Any, ...]]) -> None:
    a, b = RawKeySigner(KEY_A), RawKeySigner(KEY_B)
    node = SandboxNode(port=0, dialect=dialect, rate_limit=None)
    await node.start()
    try:
        for wallet in (a, b):
            for asset in DECIMALS:
                node.fund(wallet.address, asset, funding)
        ws = await connect(node.url, max_size=None)
        c = Client(ws, dialect, node)
        await c.recv()
        await c.login(a)
        sessions: list[tuple[str, str, str]] = []  # (id, asset, amount A put in)

        def held() -> dict[tuple[str, str], Decimal]:
            out = {}
            for wallet in (a, b):
                got = node.balances(wallet.address)
                for asset in DECIMALS:
                    out[(wallet.address, asset)] = got.get(asset, Decimal(0))
            return out

        for op in ops:
            before = held()
            expected = dict(before)
            kind = op[0]
            if kind == "transfer":
                _, asset, amount = op
                msg = await c.call(
                    "transfer",
                    {"destination": b.address, "allocations": [{"asset": asset, "amount": amount}]},
                    [a],
                )
                moves = [(a.address, asset, "-" + amount), (b.address, asset, amount)]
            elif kind == "create":
                _, asset, amount = op
                msg = await c.call(
                    "create_app_session",
                    {
                        "definition": definition(dialect, a, b),
                        "allocations": [
                            {"participant": a.address, "asset": asset, "amount": amount},
                            {"participant": b.address, "asset": asset, "amount": "0"},
                        ],
                    },
                    [a],
                )
                moves = [(a.address, asset, "-" + amount)]
            else:
                _, index, to_a = op
                if not sessions:
                    continue
                session_id, asset, put = sessions[index % len(sessions)]
                with localcontext(WIDE):
                    to_b = format(Decimal(put) - Decimal(to_a), "f")
                msg = await c.call(
                    "close_app_session",
                    {
                        "app_session_id": session_id,
                        "allocations": [
                            {"participant": a.address, "asset": asset, "amount": to_a},
                            {"participant": b.address, "asset": asset, "amount": to_b},
                        ],
                    },
                    [a],
                )
                moves = [(a.address, asset, to_a), (b.address, asset, to_b)]
            accepted = not msg.is_error
            after = held()
            if accepted:
                for wallet, asset, delta in moves:
                    with localcontext(WIDE):
                        expected[(wallet, asset)] = expected[(wallet, asset)] + Decimal(delta)
                if kind == "create":
                    result = c.spec.unwrap_result("create_app_session", msg.frame.result)
                    sessions.append((str(result["app_session_id"]), op[1], op[2]))
                elif kind == "close":
                    sessions.pop(op[1] % len(sessions))
            assert after == expected, (op, accepted, msg.frame.result)
            if accepted:
                assert all(places(delta) <= DECIMALS[asset] for _, asset, delta in moves), (op, "too precise")
            totals, minted = node.ledger_totals()
            assert totals == minted, (op, accepted)
        await ws.close()
    finally:
        await node.stop()


@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(funding=FUNDING, ops=OPS)
@example(funding="100", ops=[("transfer", "usdc", "1e-26")])
@example(funding="100", ops=[("transfer", "eth", "1e-28"), ("create", "eth", "1e-26")])
@example(
    funding="1" + "0" * 40, ops=[("transfer", "eth", "1e-18"), ("create", "eth", "0.000000000000000001")]
)
@example(funding="1" + "0" * 40, ops=[("create", "usdc", "0.5"), ("close", 0, "0.000001")])
def test_every_accepted_amount_moves_exactly_and_the_ledger_sums_to_what_was_minted(
    dialect: str, funding: str, ops: list[tuple[Any, ...]]
) -> None:
    asyncio.run(scenario(dialect, funding, ops))

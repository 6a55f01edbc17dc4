"""One odd number from a server must not stop the client (issue 11 §3).

First the sandbox over a real loopback socket whose ledger file holds what the unbounded node
stored after a transfer of ``1e-100`` (a 104-character balance); then a scripted node on
127.0.0.1 that answers with amounts that are no bounded decimal at all.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.protocol import Balance, BalanceUpdate, RawKeySigner
from tests.client.fake_server import FakeNode
from tests.client.helpers import APP, FAST, sandbox

ODD = "100." + "0" * 99 + "1"  # what the unbounded node stored after a transfer of 1e-100


def plant(db: Path, wallet: str, asset: str, amount: str) -> None:
    """Write a balance into the node's ledger file behind its back."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE balances SET amount = ? WHERE wallet = ? AND asset = ?", (amount, wallet, asset))
    conn.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_an_unreadable_balance_is_kept_as_received_and_the_client_connects(
    tmp_path: Path, dialect: str
) -> None:
    planted = ODD
    db = tmp_path / "node.sqlite"
    async with sandbox(dialect, db_path=db) as node:
        victim = RawKeySigner.generate()
        node.fund(victim.address, "usdc", 100)
        node.fund(victim.address, "eth", 1)
        plant(db, victim.address, "usdc", planted)

        client = ClearNodeClient(node.url, dialect, timeout=2.0, backoff=FAST)
        events: list[Any] = []
        client.on(events.append)
        try:
            await client.connect()
            await client.authenticate(victim, app_name=APP)
            balances = {b.asset: b for b in await client.get_ledger_balances()}
            assert balances["eth"] == Balance("eth", Decimal(1))
            usdc = balances["usdc"]
            assert usdc.odd and usdc.raw == planted and usdc.amount == Decimal(0)
            assert usdc.problem == "balance.amount has more than 78 characters"
            # The balance notification after sign-in is delivered too, with the same flag.
            updates = [e for e in events if isinstance(e, BalanceUpdate)]
            assert updates
            assert {b.asset: (b.odd, b.raw) for b in updates[-1].balances}["usdc"] == (True, planted)
            # and the connection is still good for everything else
            assert (await client.get_config()).broker_address == node.broker_address
        finally:
            await client.close()


@pytest.mark.asyncio
async def test_amounts_that_are_no_bounded_decimal_are_flagged_not_fatal() -> None:
    odd: list[Any] = ["lots", "1e-1000000", "-" + "9" * 5_000, {"value": "1"}, None, True]

    async def answer(node: FakeNode, ws: Any, req: Any) -> bool:
        if req.method != "get_ledger_balances":
            return False
        rows = [{"asset": f"a{i}", "amount": amount} for i, amount in enumerate(odd)]
        await ws.send(
            node.response(req.request_id, "get_ledger_balances", [*rows, {"asset": "usdc", "amount": "7"}])
        )
        return True

    node = await FakeNode(handler=answer).start()
    try:
        async with ClearNodeClient(node.url, timeout=2.0, backoff=FAST) as client:
            got = await client.get_ledger_balances()
        assert got[-1] == Balance("usdc", Decimal(7))
        flagged = got[:-1]
        assert all(b.odd and b.amount == Decimal(0) and b.problem for b in flagged)
        assert [b.raw for b in flagged[:2]] == ["lots", "1e-1000000"]
        assert flagged[2].raw == ("-" + "9" * 5_000)[: Balance.MAX_RAW_CHARS] + "…"  # kept, but bounded
        assert [b.raw for b in flagged[3:]] == ['{"value": "1"}', "null", "true"]
        assert all(len(b.problem) < 120 for b in flagged)
    finally:
        await node.stop()

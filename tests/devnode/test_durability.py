"""The guarantee the node keeps with one transaction per request turn.

Every answered request is committed before its answer (and the turn's
notifications) are queued, so a kill -9 right after an answer loses nothing
that was answered; a failing step inside the turn undoes its own writes only.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.devnode.db import Database
from nitro_desktop.protocol import RawKeySigner
from tests.devnode.test_faults import create_frame, session_client


def test_a_failed_nested_step_undoes_only_its_own_writes(tmp_path: Path) -> None:
    db = Database(tmp_path / "n.sqlite")
    with db.transaction() as conn:
        db.set_meta("outer", "kept")
        with pytest.raises(RuntimeError), db.transaction():
            db.set_meta("inner", "undone")
            raise RuntimeError("a handler failed half-way")
        db.set_meta("after", "kept")
        assert conn.in_transaction
    db.close()
    reopened = Database(tmp_path / "n.sqlite")
    assert reopened.get_meta("outer") == reopened.get_meta("after") == "kept"
    assert reopened.get_meta("inner") is None
    reopened.close()


@pytest.mark.asyncio
async def test_a_refused_create_leaves_no_money_moved_but_its_history_row(sandbox_factory) -> None:
    node = await sandbox_factory(dialect="0.2")
    wallet = RawKeySigner.generate()
    node.fund(wallet.address, "usdc", "1")
    c = await session_client(node, wallet)
    ok = await c.send_raw(create_frame(10, "0.2", wallet, 77), 10)
    assert not ok.is_error
    refused = await c.send_raw(create_frame(11, "0.2", wallet, 78), 11)  # the 1 usdc is spent
    assert refused.is_error and "insufficient funds" in refused.payload.message
    assert node.ledger_totals()[0] == {"usdc": Decimal(1)}
    assert node.router.db.query("SELECT COUNT(*) FROM app_sessions")[0][0] == 1
    ids = [r[0] for r in node.router.db.query("SELECT req_id FROM rpc_history ORDER BY id")]
    assert ids[-2:] == [10, 11]


@pytest.mark.asyncio
@pytest.mark.slow
async def test_every_answered_create_survives_a_kill(tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite"
    wallet = RawKeySigner.generate()
    command = [sys.executable, "-m", "nitro_desktop", "sandbox", "--port", "0", "--db", str(db)]
    proc = subprocess.Popen(
        [*command, "--fund", f"{wallet.address}:usdc:100000"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    answered: set[str] = set()
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().rsplit(" ", 1)[-1].strip()
        assert url.startswith("ws://")
        node_stub = type("N", (), {"url": url, "dialect": type("D", (), {"value": "0.2"})()})()
        clients = [await session_client(node_stub, wallet) for _ in range(3)]  # type: ignore[arg-type]
        enough = asyncio.Event()

        async def hammer(k: int) -> None:
            c = clients[k]
            for i in range(5000):
                # Several in flight per socket, so the kill lands between commits and answers.
                await c.ws.send(create_frame(i + 1, "0.2", wallet, 10_000_000 * (k + 1) + i))
                if i % 4 == 3:
                    await asyncio.sleep(0)

        async def collect(k: int) -> None:
            c = clients[k]
            while True:
                msg = await c.recv(timeout=30)
                if msg.frame.method == "create_app_session":
                    result = c.spec.unwrap_result("create_app_session", msg.frame.result)
                    answered.add(result["app_session_id"])
                    if len(answered) >= 150:
                        enough.set()

        tasks = [asyncio.ensure_future(f(k)) for k in range(3) for f in (hammer, collect)]
        await asyncio.wait_for(enough.wait(), 60)
        os.kill(proc.pid, signal.SIGKILL)  # right after an answer arrived, with more in flight
        proc.wait(5)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    node = SandboxNode(db_path=db, port=0)
    await node.start()
    try:
        stored = {r[0] for r in node.router.db.query("SELECT session_id FROM app_sessions")}
        assert answered <= stored, f"{len(answered - stored)} answered sessions lost"
        total, minted = node.ledger_totals()
        assert total == minted == {"usdc": Decimal(100000)}
        assert node.balances(wallet.address)["usdc"] == 100000 - len(stored)
    finally:
        await node.stop()


def test_history_size_counted_in_python_is_sqlites_count(tmp_path: Path) -> None:
    # add_history no longer asks SQLite for each new row's size: the running total must not drift.
    db = Database(tmp_path / "h.sqlite")
    db.history_max_bytes = 600
    with db.transaction():
        for i, text in enumerate(["plain", "é😀\u2028", '"quoted" \\ <&>', "x" * 150]):
            db.add_history("0xSender", ("0xSender", i + 1, "m", text, 1, "[]", f'[{i},"ü"]', "[]"))
    counted = db.history_bytes()
    db._history_bytes = None  # the one-off SUM an open does
    assert counted == db.history_bytes() <= 600
    db.close()

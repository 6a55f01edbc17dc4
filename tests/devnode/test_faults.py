"""Fault tests: vanishing clients, 200 concurrent clients, oversize frames, rate limit, kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.protocol import RawKeySigner, sign_request
from tests.devnode.conftest import Client

B = RawKeySigner("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")


def create_frame(
    rid: int, dialect: str, wallet: RawKeySigner, nonce: int, amounts: Sequence[str] | None = None
) -> str:
    """A signed create from ``wallet`` with B; ``amounts`` lists the wallet's shares (else 1, and 0 for B)."""
    d = {
        "protocol": "NitroRPC/0.2",
        "participants": [wallet.address, B.address],
        "weights": [100, 0],
        "quorum": 100,
        "challenge": 0,
        "nonce": nonce,
    }
    if dialect == "0.5":
        d = {"application": "bench", **d}
    obj = {
        "definition": d,
        "allocations": (
            [{"participant": wallet.address, "asset": "usdc", "amount": a} for a in amounts]
            if amounts is not None
            else [
                {"participant": wallet.address, "asset": "usdc", "amount": "1"},
                {"participant": B.address, "asset": "usdc", "amount": "0"},
            ]
        ),
    }
    params = [obj] if dialect == "0.2" else obj
    return sign_request(rid, "create_app_session", params, int(time.time() * 1000), [wallet])


async def session_client(node: SandboxNode, wallet: RawKeySigner) -> Client:
    ws = await connect(node.url)
    c = Client(ws, node.dialect.value, node)
    await c.recv()  # assets
    await c.login(wallet)
    return c


@pytest.mark.asyncio
@pytest.mark.slow
async def test_200_concurrent_clients_conserve_the_ledger(sandbox_factory) -> None:
    node = await sandbox_factory(dialect="0.2")
    wallets = [RawKeySigner.generate() for _ in range(200)]
    for w in wallets:
        node.fund(w.address, "usdc", "10")

    async def one(i: int, w: RawKeySigner) -> bool:
        c = await session_client(node, w)
        try:
            results = []
            for k in range(3):
                msg = await c.send_raw(create_frame(10 + k, "0.2", w, 1_000_000 + i * 10 + k), 10 + k)
                results.append(not msg.is_error)
            return all(results)
        finally:
            await c.ws.close()

    oks = await asyncio.gather(*(one(i, w) for i, w in enumerate(wallets)))
    assert all(oks)
    total, minted = node.ledger_totals()
    assert total == minted == {"usdc": Decimal(2000)}
    assert {node.balances(w.address)["usdc"] for w in wallets} == {Decimal(7)}
    rows = node.router.db.query("SELECT COUNT(*) FROM app_sessions")
    assert rows[0][0] == 600
    deposits = node.router.db.query("SELECT COUNT(*) FROM ledger_transactions WHERE tx_type = 301")
    assert deposits[0][0] == 1200  # one per allocation, zero amounts included (as the Go server)


@pytest.mark.asyncio
async def test_client_vanishing_mid_request_leaves_node_healthy(
    sandbox_factory, client_factory, wallets
) -> None:
    node = await sandbox_factory(dialect="0.5")
    a = wallets["A"]
    node.fund(a.address, "usdc", "10")
    for i in range(5):
        c = await session_client(node, a)
        await c.ws.send(create_frame(99, "0.5", a, 5000 + i))
        c.ws.transport.abort()  # gone without a close handshake
    await asyncio.sleep(0.2)
    total, minted = node.ledger_totals()
    assert total == minted
    other = await client_factory(node)
    assert (await other.call("ping")).frame.method == "pong"
    sessions = await other.result("get_app_sessions", {"participant": a.address})
    assert len(sessions) + node.balances(a.address)["usdc"] == 10
    await asyncio.sleep(0.1)
    assert node.connection_count == 1


@pytest.mark.asyncio
async def test_oversize_frame_closes_only_that_connection(sandbox_factory, client_factory) -> None:
    node = await sandbox_factory(dialect="0.2", max_frame_bytes=4096)
    victim = await client_factory(node)
    bystander = await client_factory(node)
    await victim.ws.send(sign_request(1, "ping", [{"x": "y" * 10_000}], 1, []))
    with pytest.raises(ConnectionClosed):
        for _ in range(3):
            await victim.recv()
    assert (await bystander.call("ping")).frame.method == "pong"


@pytest.mark.asyncio
async def test_rate_limit(sandbox_factory, client_factory) -> None:
    node = await sandbox_factory(dialect="0.2", rate_limit=5.0)
    c = await client_factory(node)
    for i in range(20):
        await c.ws.send(sign_request(100 + i, "ping", [], 1, []))
    replies = [await c.recv() for _ in range(20)]
    limited = [m for m in replies if m.is_error and m.payload.message == "too many requests"]
    assert 10 <= len(limited) <= 15


@pytest.mark.asyncio
@pytest.mark.slow
async def test_kill_during_writes_then_restart_is_consistent(tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite"
    wallet = RawKeySigner.generate()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nitro_desktop",
            "sandbox",
            "--port",
            "0",
            "--db",
            str(db),
            "--fund",
            f"{wallet.address}:usdc:100000",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.rsplit(" ", 1)[-1].strip()
        assert url.startswith("ws://"), line
        node_stub = type("N", (), {"url": url, "dialect": type("D", (), {"value": "0.2"})()})()
        clients = [await session_client(node_stub, wallet) for _ in range(4)]  # type: ignore[arg-type]

        async def hammer(k: int, c: Client) -> None:
            for i in range(10_000):
                await c.ws.send(create_frame(i + 1, "0.2", wallet, 10_000_000 * (k + 1) + i))

        tasks = [asyncio.ensure_future(hammer(k, c)) for k, c in enumerate(clients)]
        await asyncio.sleep(0.8)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    node = SandboxNode(db_path=db, port=0)
    await node.start()
    try:
        total, minted = node.ledger_totals()
        assert total == minted == {"usdc": Decimal(100000)}
        sessions = node.router.db.query("SELECT COUNT(*) FROM app_sessions")[0][0]
        assert sessions > 0
        assert node.balances(wallet.address)["usdc"] == 100000 - sessions
        deposits = node.router.db.query(
            "SELECT COUNT(*) FROM ledger_transactions WHERE tx_type = 301 AND amount = '1'"
        )[0][0]
        assert deposits == sessions
    finally:
        await node.stop()

"""SandboxNode lifecycle, public getters, auth, balances and create_app_session (both dialects)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.protocol import builders, sign_request

DIALECTS = ["0.2", "0.5"]


def definition(dialect: str, a: str, b: str, nonce: int, weights=(100, 0), quorum: int = 100) -> dict:
    d = {
        "protocol": "NitroRPC/0.2" if dialect == "0.2" else "NitroRPC/0.4",
        "participants": [a, b],
        "weights": list(weights),
        "quorum": quorum,
        "challenge": 0,
        "nonce": nonce,
    }
    if dialect == "0.5":
        d = {"application": "Nitro Test", **d}
    return d


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_start_stop_url_and_port_survive_restart(dialect: str) -> None:
    node = SandboxNode(dialect=dialect)
    await node.start()
    assert node.url == f"ws://127.0.0.1:{node.port}/ws" and node.port > 0
    port = node.port
    await node.stop()
    await node.start()
    assert node.port == port
    async with connect(node.url) as ws:
        assert '"assets"' in await ws.recv()
    await node.stop()


@pytest.mark.asyncio
async def test_context_manager_and_wrong_path() -> None:
    async with SandboxNode() as node:
        with pytest.raises(InvalidStatus):
            async with connect(node.url.replace("/ws", "/other")):
                pass


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_public_getters(sandbox_factory, client_factory, dialect: str) -> None:
    node = await sandbox_factory(dialect=dialect)
    c = await client_factory(node)
    cfg = await c.result("get_config")
    assert cfg["broker_address"] == node.broker_address
    assets = await c.result("get_assets")
    assert [a["symbol"] for a in assets] == ["eth", "usdc"]
    msg = await c.call("ping")
    assert msg.frame.method == "pong"
    assert msg.frame.signers() == [node.broker_address]
    assert await c.result("get_channels") == []


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_auth_then_balances_and_bu(sandbox_factory, client_factory, wallets, dialect: str) -> None:
    node = await sandbox_factory(dialect=dialect)
    a = wallets["A"]
    node.fund(a.address, "usdc", "12.5")
    c = await client_factory(node)
    assert await c.error("get_ledger_balances") == "authentication required"
    res = await c.login(a)
    assert res["address"] == a.address and res["success"] is True and res["jwt_token"]
    ch = await c.wait_for("channels")
    bu = await c.wait_for("bu")
    assert ch.frame.signers() == [node.broker_address]
    assert [(b.asset, b.amount) for b in bu.payload.balances] == [("usdc", Decimal("12.5"))]
    balances = await c.result("get_ledger_balances", {})
    assert balances == [{"asset": "usdc", "amount": "12.5"}]
    node.fund(a.address, "usdc", "0.5")
    bu = await c.wait_for("bu")
    assert [(b.asset, b.amount) for b in bu.payload.balances] == [("usdc", Decimal("13"))]
    # JWT re-auth on a second socket
    c2 = await client_factory(node)
    msg = await c2.call("auth_verify", {"jwt": res["jwt_token"]})
    assert not msg.is_error
    out = c2.spec.unwrap_result("auth_verify", msg.frame.result)
    assert out == {"address": a.address, "session_key": a.address, "success": True}
    assert await c2.result("get_ledger_balances", {}) == [{"asset": "usdc", "amount": "13"}]


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_create_app_session_moves_funds(sandbox_factory, client_factory, wallets, dialect: str) -> None:
    node = await sandbox_factory(dialect=dialect)
    a, b = wallets["A"], wallets["B"]
    node.fund(a.address, "usdc", "100")
    c = await client_factory(node)
    await c.login(a)
    d = definition(dialect, a.address, b.address, int(time.time() * 1000))
    res = await c.result(
        "create_app_session",
        {
            "definition": d,
            "allocations": [
                {"participant": a.address, "asset": "usdc", "amount": "40"},
                {"participant": b.address, "asset": "usdc", "amount": "0"},
            ],
        },
        [a],
    )
    assert res["status"] == "open" and res["version"] == 1
    assert res["app_session_id"] == builders.app_session_id(d, dialect)
    assert node.balances(a.address) == {"usdc": Decimal("60")}
    sessions = await c.result("get_app_sessions", {"participant": a.address})
    assert [s["app_session_id"] for s in sessions] == [res["app_session_id"]]
    share = await c.result("get_ledger_balances", {"account_id": res["app_session_id"]})
    assert share == [{"asset": "usdc", "amount": "40"}]
    total, minted = node.ledger_totals()
    assert total == minted == {"usdc": Decimal("100")}


@pytest.mark.asyncio
async def test_fund_admin_call_from_loopback(sandbox_factory, client_factory, wallets) -> None:
    node = await sandbox_factory(dialect="0.5")
    c = await client_factory(node)
    a = wallets["A"]
    res = await c.result("fund", {"address": a.address, "asset": "eth", "amount": "1.5"})
    assert res["balances"] == [{"asset": "eth", "amount": "1.5"}]
    assert (
        await c.error("fund", {"address": a.address, "asset": "doge", "amount": "1"})
        == "unsupported asset: doge"
    )
    assert node.balances(a.address) == {"eth": Decimal("1.5")}
    assert sign_request  # the helper builds frames with the protocol package

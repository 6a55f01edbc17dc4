"""Amounts cannot be weapons (issue 11 §3): bounded parsing, short errors, a bounded RPC history,
nothing finer than the asset stored, over a real socket to the sandbox in both dialects."""

from __future__ import annotations

import itertools
import time
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

from nitro_desktop.protocol import encode_request, frame_from_req
from nitro_desktop.protocol.frames import sign_req_text

_nonces = itertools.count(1_800_000_000_000)
_ids = itertools.count(900_000)
BOTH = pytest.mark.parametrize("env", ["0.2", "0.5"], indirect=True)
# Any answer to a ~500-byte request stays this small; the unbounded node wrote 1 MB.
SHORT = 2_000


def definition(dialect: str, a: Any, b: Any) -> dict[str, Any]:
    d = {
        "protocol": "NitroRPC/0.2" if dialect == "0.2" else "NitroRPC/0.4",
        "participants": [a.address, b.address],
        "weights": [100, 0],
        "quorum": 100,
        "challenge": 0,
        "nonce": next(_nonces),
    }
    return {"application": "Nitro Test", **d} if dialect == "0.5" else d


@pytest_asyncio.fixture
async def env(sandbox_factory, client_factory, wallets, request):  # type: ignore[no-untyped-def]
    node = await sandbox_factory(dialect=request.param)
    for name in "AB":
        node.fund(wallets[name].address, "usdc", "100")
        node.fund(wallets[name].address, "eth", "1")
    c = await client_factory(node)
    await c.login(wallets["A"])
    return node, c, wallets


async def create_with_amount(c: Any, w: Any, amount_json: str, *, match_id: bool = True) -> Any:
    """A create whose allocation amount is the literal JSON text given (string or number).

    ``match_id=False`` takes the next answer whatever its id (a frame-level error may carry none).
    """
    params = c.spec.wrap_params(
        {
            "definition": definition(c.dialect, w["A"], w["B"]),
            "allocations": [{"participant": w["A"].address, "asset": "usdc", "amount": "AMOUNT"}],
        }
    )
    rid = next(_ids)
    req = encode_request(rid, "create_app_session", params, int(time.time() * 1000))
    req = req.replace('"AMOUNT"', amount_json)
    frame = frame_from_req(req, sign_req_text(req, [w["A"]]))
    assert len(frame) < 1_000
    return await c.send_raw(frame, rid if match_id else None)


@pytest.mark.asyncio
@BOTH
async def test_a_huge_exponent_gets_a_short_answer_and_a_short_history_row(env) -> None:
    node, c, w = env
    for amount_json in ('"-1e-1000000"', '"1e-1000000"', '"1e1000000"', "-1e-1000000", '"0e-1000000"'):
        msg = await create_with_amount(c, w, amount_json, match_id=False)
        # zero is zero whatever its exponent (the session is created); the rest are refused
        assert msg.is_error == (amount_json != '"0e-1000000"'), amount_json
        assert len(msg.frame.text) < SHORT, (amount_json, len(msg.frame.text))
    texts = []
    for amount_json in ('"-1e-1000000"', '"1e1000000"'):
        texts.append(str((await create_with_amount(c, w, amount_json)).payload.message))
    assert texts == [
        "amount exceeds maximum decimal precision: max 18 decimals allowed, got 1000000",
        "amount exceeds the ledger's range: at most 46 digits before the decimal point",
    ]
    # A JSON number that size is refused while the frame is read.
    msg = await create_with_amount(c, w, "1e-1000000", match_id=False)
    assert str(msg.payload.message) == "invalid message format"
    history = await c.result("get_rpc_history", {"limit": 100})
    rows = history["rpc_entries"] if isinstance(history, dict) else history
    assert rows and all(len(r["response"]) < SHORT and len(r["params"]) < SHORT for r in rows)
    assert node.balances(w["A"].address) == {"usdc": Decimal(100), "eth": Decimal(1)}


@pytest.mark.asyncio
@BOTH
async def test_rpc_history_keeps_the_newest_rows_per_sender_and_a_total_size(env) -> None:
    node, c, w = env
    db = node._ensure_router().db
    db.history_rows_per_sender = 5
    for _ in range(8):
        await create_with_amount(c, w, '"1000"')  # insufficient funds: stored all the same
    rows = await c.result("get_rpc_history", {"limit": 100, "sort": "asc"})
    rows = rows["rpc_entries"] if isinstance(rows, dict) else rows
    assert len(rows) == 5
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    stored = db.query("SELECT id FROM rpc_history ORDER BY id")
    assert [r["id"] for r in rows] == [r["id"] for r in stored]  # the oldest three went

    db.history_max_bytes = 4_000
    big = "x" * 1_500
    for _ in range(6):
        rid = next(_ids)
        params = c.spec.wrap_params(
            {
                "definition": definition(c.dialect, w["A"], w["B"]),
                "allocations": [],
                "session_data": big,
            }
        )
        req = encode_request(rid, "create_app_session", params, int(time.time() * 1000))
        await c.send_raw(frame_from_req(req, sign_req_text(req, [w["A"]])), rid)
    total = db.query(
        "SELECT COALESCE(SUM(length(sender) + length(method) + length(params) + length(req_sig)"
        " + length(response) + length(res_sig)), 0) AS n, COUNT(*) AS rows FROM rpc_history"
    )[0]
    assert 0 < total["n"] <= 4_000
    assert total["rows"] >= 1
    newest = db.query("SELECT params FROM rpc_history ORDER BY id DESC LIMIT 1")[0]["params"]
    assert big in newest  # the newest row is the one kept


@pytest.mark.asyncio
@BOTH
async def test_nothing_finer_than_the_asset_is_moved_or_stored(env) -> None:
    node, c, w = env
    a, b = w["A"], w["B"]

    async def transfer(asset: str, amount: str) -> Any:
        return await c.call(
            "transfer",
            {"destination": b.address, "allocations": [{"asset": asset, "amount": amount}]},
            [a],
        )

    too_fine = [
        ("usdc", "1e-100", "amount exceeds maximum decimal precision: max 6 decimals allowed, got 100"),
        ("usdc", "0.0000001", "amount exceeds maximum decimal precision: max 6 decimals allowed, got 7"),
        ("eth", "1e-19", "amount exceeds maximum decimal precision: max 18 decimals allowed, got 19"),
        ("usdc", "1e-26", "amount exceeds maximum decimal precision: max 6 decimals allowed, got 26"),
    ]
    for asset, amount, text in too_fine:
        msg = await transfer(asset, amount)
        assert msg.is_error and msg.payload.message == text, (amount, msg.frame.result)
    assert node.balances(b.address) == {"usdc": Decimal(100), "eth": Decimal(1)}
    assert node.balances(a.address) == {"usdc": Decimal(100), "eth": Decimal(1)}

    # The smallest unit is fine, and trailing zeros are not extra precision.
    assert not (await transfer("usdc", "0.000001")).is_error
    assert not (await transfer("eth", "0.000000000000000001000")).is_error
    assert node.balances(b.address) == {"usdc": Decimal("100.000001"), "eth": Decimal("1.000000000000000001")}
    assert node.balances(a.address) == {"usdc": Decimal("99.999999"), "eth": Decimal("0.999999999999999999")}

    msg = await create_with_amount(c, w, '"0.0000001"')
    assert msg.is_error
    assert msg.payload.message == "amount exceeds maximum decimal precision: max 6 decimals allowed, got 7"
    # Every balance the node holds fits DECIMAL(64,18).
    for row in node._ensure_router().db.query("SELECT amount FROM balances"):
        text = row["amount"]
        assert len(text.split(".")[1]) <= 18 if "." in text else True
    totals, minted = node.ledger_totals()
    assert totals == minted


@pytest.mark.asyncio
async def test_a_balance_an_older_node_stored_too_precisely_still_moves_exactly(
    sandbox_factory, client_factory, wallets
) -> None:
    node = await sandbox_factory(dialect="0.2")
    a, b = wallets["A"], wallets["B"]
    node.fund(a.address, "usdc", "100")
    node.fund(b.address, "usdc", "1")
    legacy = "0." + "0" * 99 + "1"
    node._ensure_router().db.conn.execute(
        "UPDATE balances SET amount = ? WHERE wallet = ? AND asset = 'usdc'", (legacy, b.address)
    )
    c = await client_factory(node)
    await c.login(a)
    await c.result(
        "transfer", {"destination": b.address, "allocations": [{"asset": "usdc", "amount": "2"}]}, [a]
    )
    assert node.balances(b.address) == {"usdc": Decimal("2." + "0" * 99 + "1")}  # not locked, not rounded
    assert node.balances(a.address) == {"usdc": Decimal(98)}

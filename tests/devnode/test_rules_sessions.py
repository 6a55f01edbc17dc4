"""One test per app-session rule and error text (PROTOCOL.md §5), both dialects."""

from __future__ import annotations

import itertools
import time
from decimal import Decimal

import pytest
import pytest_asyncio

_nonces = itertools.count(1_700_000_000_000)


def defn(dialect: str, participants, weights, quorum, protocol=None, application="Nitro Test") -> dict:
    d = {
        "protocol": protocol or ("NitroRPC/0.2" if dialect == "0.2" else "NitroRPC/0.4"),
        "participants": list(participants),
        "weights": list(weights),
        "quorum": quorum,
        "challenge": 0,
        "nonce": next(_nonces),
    }
    return {"application": application, **d} if dialect == "0.5" else d


def alloc(who, amount, asset="usdc") -> dict:
    return {"participant": who.address if hasattr(who, "address") else who, "asset": asset, "amount": amount}


@pytest_asyncio.fixture
async def env(sandbox_factory, client_factory, wallets, request):
    dialect = request.param
    node = await sandbox_factory(dialect=dialect)
    for name in "AB":
        node.fund(wallets[name].address, "usdc", "100")
    c = await client_factory(node)
    await c.login(wallets["A"])
    return node, c, wallets


async def create(c, w, weights=(50, 50), quorum=100, amounts=("40", "10"), signers=("A", "B"), **kw) -> str:
    res = await c.result(
        "create_app_session",
        {
            "definition": defn(c.dialect, [w["A"].address, w["B"].address], weights, quorum, **kw),
            "allocations": [alloc(w["A"], amounts[0]), alloc(w["B"], amounts[1])],
        },
        [w[s] for s in signers],
    )
    return str(res["app_session_id"])


BOTH = pytest.mark.parametrize("env", ["0.2", "0.5"], indirect=True)
E2 = pytest.mark.parametrize("env", ["0.2"], indirect=True)
E4 = pytest.mark.parametrize("env", ["0.5"], indirect=True)


@pytest.mark.asyncio
@BOTH
async def test_create_rules(env) -> None:
    node, c, w = env
    a, b = w["A"], w["B"]

    async def err(d, allocations, signers=("A",)) -> str:
        return await c.error(
            "create_app_session", {"definition": d, "allocations": allocations}, [w[s] for s in signers]
        )

    d = c.dialect
    assert await err(defn(d, [a.address], [100], 100), []) == "invalid number of participants"
    assert await err(defn(d, [a.address, b.address], [100], 100), []) == (
        "number of weights must be equal to participants"
    )
    nonce0 = {**defn(d, [a.address, b.address], [100, 0], 100), "nonce": 0}
    assert await err(nonce0, []) == "nonce is zero or not provided"
    two = defn(d, [a.address, b.address], [100, 0], 100)
    assert await err(two, [alloc(b, "1")]) == f"missing signature for participant {b.address}"
    assert await err(two, [alloc(a, "-1")]) == "negative allocation: -1 for asset usdc"
    assert await err(two, [alloc(a, "100.5")]) == f"insufficient funds: {a.address} for asset usdc"
    assert await c.error("create_app_session", {"definition": "x"}, [a]) == "failed to parse parameters"
    assert await c.error(
        "create_app_session", {"definition": two, "allocations": [alloc(a, "abc")]}, [a]
    ) == ("failed to parse parameters")
    ok = await c.result("create_app_session", {"definition": two, "allocations": [alloc(a, "1")]}, [a])
    assert ok["version"] == 1
    assert await err(two, [alloc(a, "1")]) == "failed to create application session"  # same id twice
    assert node.balances(a.address) == {"usdc": Decimal("99")}  # failed attempts moved nothing


@pytest.mark.asyncio
@E2
async def test_e2_bad_signature_and_free_protocol(env) -> None:
    _node, c, w = env
    a, b = w["A"], w["B"]
    from nitro_desktop.protocol import encode_request, frame_from_req

    d = defn("0.2", [a.address, b.address], [100, 0], 100, protocol="any free string")
    req = encode_request(
        77, "create_app_session", [{"definition": d, "allocations": []}], int(time.time() * 1000)
    )
    msg = await c.send_raw(frame_from_req(req, ["0x1234"]), 77)
    assert msg.payload.message == "failed to get wallets from RPC message"
    assert (await c.result("create_app_session", {"definition": d, "allocations": []}, [a]))[
        "status"
    ] == "open"


@pytest.mark.asyncio
@E4
async def test_e4_create_rules(env) -> None:
    _node, c, w = env
    a, b = w["A"], w["B"]

    async def err(d) -> str:
        return await c.error("create_app_session", {"definition": d, "allocations": []}, [a])

    assert await err(defn("0.5", [a.address, b.address], [1, 1], 1, protocol="nitroliterpc")) == (
        "unsupported protocol: nitroliterpc"
    )
    assert await err(defn("0.5", [a.address, b.address], [-1, 1], 0)) == (
        f"participant {a.address} weight cannot be negative"
    )
    assert await err(defn("0.5", [a.address, b.address], [50, 50], 200)) == (
        "target quorum (200) cannot be greater than total sum of weights (100)"
    )
    from nitro_desktop.protocol import encode_request, frame_from_req

    req = encode_request(
        78, "create_app_session", {"definition": defn("0.5", [a.address], [1], 1)}, int(time.time() * 1000)
    )
    msg = await c.send_raw(frame_from_req(req, ["0x" + "00" * 64 + "05"]), 78)
    assert msg.payload.message == "failed to get signers from RPC message"


@pytest.mark.asyncio
@E2
async def test_e2_submit_rules(env) -> None:
    _node, c, w = env
    a, b, r = w["A"], w["B"], w["R"]
    sid = await create(c, w, weights=(100, 0))

    async def err(allocations, signers=("A",), session=None) -> str:
        return await c.error(
            "submit_app_state",
            {"app_session_id": session or sid, "allocations": allocations},
            [w[s] for s in signers],
        )

    assert await err([], session="0xdead") == "virtual app 0xdead is not opened"
    assert await err([], signers=("R",)) == f"signature from unknown participant wallet {r.address}"
    assert await err([], signers=("A", "B")) == f"zero weight for signer {b.address}"
    assert await err([], signers=()) == "quorum not met: 0 / 100"
    assert await err([alloc(a, "30"), alloc(b, "10")]) == "asset usdc not fully redistributed"
    assert await err([alloc(a, "40"), alloc(b, "10"), alloc(a, "1", "eth")]) == (
        "allocation references unknown asset eth"
    )
    assert await err([alloc(r, "50")]) == f"allocation to non-participant {r.address}"
    assert await err([alloc(a, "-1")]) == "failed to submit app state"
    res = await c.result(
        "submit_app_state", {"app_session_id": sid, "allocations": [alloc(a, "15"), alloc(b, "35")]}, [a]
    )
    assert res["version"] == 2 and res["status"] == "open"
    definition = await c.result("get_app_definition", {"app_session_id": sid})
    assert definition["weights"] == [100, 0]
    assert await c.error("get_app_definition", {}) == "missing account ID"


@pytest.mark.asyncio
@E4
async def test_e4_submit_rules(env) -> None:
    node, c, w = env
    a, b, r = w["A"], w["B"], w["R"]
    sid = await create(c, w)  # weights 50/50, quorum 100, A 40, B 10

    async def err(obj, signers=("A", "B")) -> str:
        return await c.error("submit_app_state", {"app_session_id": sid, **obj}, [w[s] for s in signers])

    assert await c.error("submit_app_state", {"app_session_id": "0xdead", "version": 2}, [a]) == (
        "an open app session not found: record not found"
    )
    assert await err({"intent": "operate", "version": 5}) == (
        "incorrect app state: incorrect version: expected 2, got 5"
    )
    assert await err({"intent": "operate", "version": 2}, ("A",)) == (
        "incorrect submit_state request: quorum not reached: 50 / 100"
    )
    assert await err({"intent": "deposit", "version": 2}, ("A",)) == (
        "incorrect deposit request: quorum not reached: 50 / 100"
    )
    assert await err({"intent": "withdraw", "version": 2}, ("A",)) == (
        "incorrect withdrawal request: quorum not reached: 50 / 100"
    )
    assert await err({"intent": "operate", "version": 2}, ("A", "R")) == (
        f"signature from unknown participant wallet {r.address}"
    )
    assert await err({"intent": "swap", "version": 2}) == "incorrect app state: unsupported intent: swap"
    op = {"intent": "operate", "version": 2}
    assert await err({**op, "allocations": [alloc(a, "41"), alloc(b, "10")]}) == (
        "incorrect operate request: non-zero allocations sum delta: asset usdc not fully redistributed"
    )
    assert await err({**op, "allocations": [alloc(a, "-1")]}) == "negative allocation: -1 for asset usdc"
    assert await err({**op, "allocations": [alloc(r, "1")]}) == f"allocation to non-participant {r.address}"
    dep = {"intent": "deposit", "version": 2}
    assert await err({**dep, "allocations": [alloc(a, "39")]}) == (
        f"incorrect deposit request: decreased allocation for participant {a.address}"
    )
    assert await err({**dep, "allocations": [alloc(a, "40")]}) == (
        "incorrect deposit request: non-positive allocations sum delta"
    )
    assert await err({**dep, "allocations": [alloc(a, "200")]}) == (
        "incorrect deposit request: insufficient unified balance"
    )
    wd = {"intent": "withdraw", "version": 2}
    assert await err({**wd, "allocations": [alloc(a, "41")]}) == (
        f"incorrect withdrawal request: increased allocation for participant {a.address}"
    )
    assert await err({**wd, "allocations": [alloc(a, "40")]}) == (
        "incorrect withdrawal request: non-negative allocations sum delta"
    )
    # the happy path: deposit, withdraw, operate with versions 2, 3, 4 and asu to participants
    res = await c.result(
        "submit_app_state", {"app_session_id": sid, **dep, "allocations": [alloc(a, "50")]}, [a, b]
    )
    assert res["version"] == 2
    asu = await c.wait_for("asu")
    assert asu.payload.app_session.version == 2
    res = await c.result(
        "submit_app_state",
        {"app_session_id": sid, **wd, "version": 3, "allocations": [alloc(b, "5")]},
        [a, b],
    )
    assert res["version"] == 3 and node.balances(b.address)["usdc"] == Decimal("95")
    res = await c.result(
        "submit_app_state",
        {"app_session_id": sid, **op, "version": 4, "allocations": [alloc(a, "25"), alloc(b, "30")]},
        [a, b],
    )
    assert res["version"] == 4
    # NitroRPC/0.2 sessions on a 0.5 node refuse intent/version
    sid2 = await create(c, w, protocol="NitroRPC/0.2", amounts=("1", "0"), signers=("A",))
    assert await c.error("submit_app_state", {"app_session_id": sid2, "intent": "operate"}, [a, b]) == (
        "incorrect request: specified parameters are not supported in this protocol"
    )


@pytest.mark.asyncio
@BOTH
async def test_close_rules(env) -> None:
    node, c, w = env
    a, b = w["A"], w["B"]
    sid = await create(c, w)
    missing = await c.error("close_app_session", {"app_session_id": sid, "allocations": []}, [a, b])
    if c.dialect == "0.2":
        assert missing == "failed to close application session"
    else:
        assert missing == "missing required parameters: app_id or allocations"
    bad = await c.error("close_app_session", {"app_session_id": sid, "allocations": [alloc(a, "-1")]}, [a, b])
    assert bad == (
        "failed to close application session"
        if c.dialect == "0.2"
        else "negative allocation: -1 for asset usdc"
    )
    short = await c.error(
        "close_app_session", {"app_session_id": sid, "allocations": [alloc(a, "40")]}, [a, b]
    )
    assert short == "asset usdc not fully redistributed"
    res = await c.result(
        "close_app_session", {"app_session_id": sid, "allocations": [alloc(a, "20"), alloc(b, "30")]}, [a, b]
    )
    assert res["status"] == "closed" and res["version"] == 2
    assert node.balances(a.address)["usdc"] == Decimal("80") and node.balances(b.address)["usdc"] == Decimal(
        "120"
    )
    again = await c.error(
        "close_app_session", {"app_session_id": sid, "allocations": [alloc(a, "1")]}, [a, b]
    )
    assert again in (f"virtual app {sid} is not opened", "an open app session not found: record not found")
    closed = await c.result("get_app_sessions", {"status": "closed"})
    assert [s["app_session_id"] for s in closed] == [sid]
    history = await c.result("get_rpc_history", {})
    assert history[0]["method"] == "close_app_session"
    total, minted = node.ledger_totals()
    assert total == minted


@pytest.mark.asyncio
@BOTH
async def test_transfer_rules(env) -> None:
    node, c, w = env
    a, b = w["A"], w["B"]
    assert (
        await c.error("transfer", {"allocations": []}, [a])
        == "destination or destination_tag must be provided"
    )
    assert await c.error("transfer", {"destination": "0x12", "allocations": []}, [a]) == (
        "invalid destination account: 0x12"
    )
    assert await c.error("transfer", {"destination": b.address, "allocations": []}, [a]) == (
        "allocations cannot be empty"
    )
    one = {"destination": b.address, "allocations": [{"asset": "usdc", "amount": "5"}]}
    assert await c.error("transfer", one) == "missing participant signature"
    assert await c.error("transfer", one, [b]) == "invalid signature"
    assert await c.error("transfer", {**one, "destination": a.address}, [a]) == "cannot transfer to self"
    zero = {"destination": b.address, "allocations": [{"asset": "usdc", "amount": "0"}]}
    assert await c.error("transfer", zero, [a]) == "invalid allocation: 0 for asset usdc"
    big = {"destination": b.address, "allocations": [{"asset": "usdc", "amount": "1000"}]}
    assert await c.error("transfer", big, [a]) == f"insufficient funds: {a.address} for asset usdc"
    txs = await c.result("transfer", one, [a])
    assert txs[0]["tx_type"] == "transfer" and txs[0]["amount"] == "5"
    assert node.balances(b.address)["usdc"] == Decimal("105")
    listed = await c.result("get_ledger_transactions", {"account_id": b.address, "tx_type": "transfer"})
    assert [t["id"] for t in listed] == [txs[0]["id"]]

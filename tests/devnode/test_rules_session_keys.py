"""One test per 0.5 session-key rule and error text (PROTOCOL.md §3.2, §4, §5.3).

Texts as in erc7824/nitrolite at clearnode/v0.5.2: ``session_key.go``
(ValidateSessionKeyApplication / ValidateSessionKeySpending),
``app_session_service.go`` (validateDepositWithSessionKey,
validateQuorumSessionKeysApplication), ``rpc_router_private.go``
(HandleRevokeSessionKey, HandleTransfer with its MessageCache).
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import pytest_asyncio

from nitro_desktop.protocol import RawKeySigner, encode_request, frame_from_req, sign_request
from tests.devnode.test_rules_auth import Clock
from tests.devnode.test_rules_sessions import alloc, defn

APP = "Nitro Test"  # the application Client.login registers keys for by default


@pytest_asyncio.fixture
async def node_a(sandbox_factory, client_factory, wallets):
    """A 0.5 node, A and B funded with 100 usdc and 1 eth, a client logged in as A."""
    node = await sandbox_factory(dialect="0.5")
    for name in "AB":
        node.fund(wallets[name].address, "usdc", "100")
        node.fund(wallets[name].address, "eth", "1")
    c = await client_factory(node)
    await c.login(wallets["A"])
    return node, c, wallets


def create_params(c, w, amount: str, application: str = APP, asset: str = "usdc") -> dict:
    return {
        "definition": defn(
            c.dialect, [w["A"].address, w["B"].address], [100, 0], 100, application=application
        ),
        "allocations": [alloc(w["A"], amount, asset)],
    }


def pay(to: RawKeySigner, amount: str, asset: str = "usdc") -> dict:
    return {"destination": to.address, "allocations": [{"asset": asset, "amount": amount}]}


def mismatch(key_app: str, session_app: str) -> str:
    return (
        f"session key application mismatch: session key is for '{key_app}', "
        f"but app session is for '{session_app}'"
    )


@pytest.mark.asyncio
async def test_e4_session_key_application_mismatch(node_a) -> None:
    node, c, w = node_a
    a, b = w["A"], w["B"]
    key, wildcard = RawKeySigner.generate(), RawKeySigner.generate()
    await c.login(a, key.address, allowances=[("usdc", "100")])
    await c.login(a, wildcard.address, application="clearnode")

    # create: a key bound to another application cannot fund its wallet's allocation
    assert await c.error("create_app_session", create_params(c, w, "5", "Other Game"), [key]) == (
        "session key application validation failed: " + mismatch(APP, "Other Game")
    )
    # zero allocations are skipped, so nothing about the key is checked
    assert (await c.result("create_app_session", create_params(c, w, "0", "Other Game"), [key]))[
        "version"
    ] == 1
    # the wallet's own signature wins over its session key
    await c.result("create_app_session", create_params(c, w, "5", "Other Game"), [a, key])
    # the key's own application, and a "clearnode" key for any application
    await c.result("create_app_session", create_params(c, w, "5"), [key])
    await c.result("create_app_session", create_params(c, w, "5", "Other Game"), [wildcard])
    assert node.balances(a.address)["usdc"] == Decimal("85")

    # submit/close: every quorum signer that is a session key must be bound to the session's application
    sid = (await c.result("create_app_session", create_params(c, w, "1", "Other Game"), [a]))[
        "app_session_id"
    ]
    op = {
        "app_session_id": sid,
        "intent": "operate",
        "version": 2,
        "allocations": [alloc(a, "0"), alloc(b, "1")],
    }
    assert await c.error("submit_app_state", op, [key]) == (
        f"session key application validation failed for signer {key.address}: " + mismatch(APP, "Other Game")
    )
    assert (await c.result("submit_app_state", op, [wildcard]))["version"] == 2
    close = {"app_session_id": sid, "allocations": [alloc(a, "0"), alloc(b, "1")]}
    assert await c.error("close_app_session", close, [key]) == (
        f"session key application validation failed for signer {key.address}: " + mismatch(APP, "Other Game")
    )
    assert (await c.result("close_app_session", close, [wildcard]))["status"] == "closed"


@pytest.mark.asyncio
async def test_e4_session_key_spending_cap(node_a) -> None:
    node, c, w = node_a
    a, b = w["A"], w["B"]
    key, wildcard = RawKeySigner.generate(), RawKeySigner.generate()
    await c.login(a, key.address, allowances=[("usdc", "10")])
    await c.login(a, wildcard.address, application="clearnode")
    prefix = "session key spending validation failed: operation denied: "

    # create_app_session and transfer draw on the same cap
    await c.result("create_app_session", create_params(c, w, "4"), [key])
    await c.result("transfer", pay(b, "3"), [key])
    assert await c.error("create_app_session", create_params(c, w, "4"), [key]) == (
        prefix + "insufficient session key allowance: 4 required, 3 available"
    )
    assert await c.error("transfer", pay(b, "3.5"), [key]) == (
        prefix + "insufficient session key allowance: 3.5 required, 3 available"
    )
    # the cap is checked before the unified balance
    assert await c.error("transfer", pay(b, "500"), [key]) == (
        prefix + "insufficient session key allowance: 500 required, 3 available"
    )
    # an asset missing from the cap is refused
    assert await c.error("create_app_session", create_params(c, w, "0.5", asset="eth"), [key]) == (
        prefix + "asset eth not allowed in session key spending cap"
    )
    assert await c.error("transfer", pay(b, "0.5", "eth"), [key]) == (
        prefix + "asset eth not allowed in session key spending cap"
    )
    # the wallet's own signature and a "clearnode" key are not capped
    await c.result("transfer", pay(b, "20"), [a])
    await c.result("transfer", pay(b, "30"), [wildcard])
    await c.result("transfer", pay(b, "3"), [key])  # exactly what is left
    keys = {k["session_key"]: k for k in await c.result("get_session_keys", {})}
    assert keys[key.address]["allowances"] == [{"asset": "usdc", "allowance": "10", "used": "10"}]
    assert node.balances(a.address)["usdc"] == Decimal("40")


@pytest.mark.asyncio
async def test_e4_revoke_session_key(node_a, client_factory) -> None:
    node, c, w = node_a
    a, b = w["A"], w["B"]
    key, other, wildcard = RawKeySigner.generate(), RawKeySigner.generate(), RawKeySigner.generate()
    stranger, b_key = RawKeySigner.generate(), RawKeySigner.generate()
    await c.login(a, key.address)
    await c.login(a, other.address, application="Other Game")
    await c.login(a, wildcard.address, application="clearnode")
    cb = await client_factory(node)
    await cb.login(b, b_key.address)
    denied = "operation denied: provided address is not an active session key of this user"

    async def revoke(target: str, signers) -> str:
        msg = await c.call("revoke_session_key", {"session_key": target}, signers)
        if msg.is_error:
            return str(msg.payload.message)
        return "revoked " + str(c.spec.unwrap_result("revoke_session_key", msg.frame.result)["session_key"])

    assert await revoke("", [a]) == "session_key parameter is required"
    assert await revoke(other.address, []) == "missing participant signature"
    assert await revoke(other.address, [stranger]) == "invalid signature"  # not the wallet nor its key
    assert await revoke(other.address, [b_key]) == "invalid signature"  # another wallet's key
    req = encode_request(
        4242, "revoke_session_key", c.spec.wrap_params({"session_key": key.address}), int(time.time() * 1000)
    )
    msg = await c.send_raw(frame_from_req(req, ["0x" + "00" * 64 + "05"]), 4242)  # unrecoverable
    assert msg.payload.message == "failed to verify signer"
    assert await revoke(stranger.address, [a]) == denied  # unknown key
    assert await revoke(b_key.address, [a]) == denied  # another wallet's key
    assert await revoke(a.address, [a]) == denied  # the wallet itself is no session key
    # a key of another application may only revoke itself; a "clearnode" key may revoke any
    assert await revoke(other.address, [key]) == (
        "operation denied: insufficient permissions for the active session key"
    )
    assert await revoke(other.address, [wildcard]) == f"revoked {other.address}"
    assert await revoke(other.address, [a]) == denied  # already revoked
    assert await revoke(key.address, [key]) == f"revoked {key.address}"
    assert await revoke(wildcard.address, [key]) == "invalid signature"  # a revoked key signs for nobody
    assert [k["session_key"] for k in await c.result("get_session_keys", {})] == [wildcard.address]
    # a revoked key cannot be registered again
    params = c.auth_params(a, key.address)
    challenge = await c.challenge(params)
    msg = await c.verify(challenge, c.eip712(a, params, challenge))
    assert msg.payload.message == "session key already exists but is expired"
    assert await revoke(wildcard.address, [a]) == f"revoked {wildcard.address}"
    assert await c.result("get_session_keys", {}) == []
    # B's key is untouched
    assert [k["session_key"] for k in await cb.result("get_session_keys", {})] == [b_key.address]


@pytest.mark.asyncio
async def test_e4_transfer_replay_protection(sandbox_factory, client_factory, wallets) -> None:
    clock = Clock()
    node = await sandbox_factory(dialect="0.5", clock=clock)
    a, b = wallets["A"], wallets["B"]
    node.fund(a.address, "usdc", "10")
    c = await client_factory(node)
    await c.login(a)
    cb = await client_factory(node)
    await cb.login(b)
    replayed = "operation denied: the request has already been processed"

    def frame(rid: int, amount: str) -> str:
        return sign_request(rid, "transfer", c.spec.wrap_params(pay(b, amount)), int(clock.now * 1000), [a])

    first = frame(9001, "4")
    assert not (await c.send_raw(first, 9001)).is_error
    assert (await c.send_raw(first, 9001)).payload.message == replayed
    # the same frame replayed by another authenticated socket is refused before its signature is looked at
    assert (await cb.send_raw(first, 9001)).payload.message == replayed
    # same content in a new frame (new request id) is a new transfer
    assert not (await c.send_raw(frame(9002, "4"), 9002)).is_error
    assert node.balances(b.address)["usdc"] == Decimal("8")
    # a failed frame is not remembered: once funded, the identical frame goes through
    big = frame(9003, "5")
    assert (await c.send_raw(big, 9003)).payload.message == f"insufficient funds: {a.address} for asset usdc"
    node.fund(a.address, "usdc", "10")
    assert not (await c.send_raw(big, 9003)).is_error
    assert (await c.send_raw(big, 9003)).payload.message == replayed
    # past the expiry window the frame's timestamp is refused first
    clock.now += 61
    assert (await c.send_raw(first, 9001)).payload.message == "invalid message timestamp"
    assert node.balances(b.address)["usdc"] == Decimal("13")


@pytest.mark.asyncio
async def test_e4_transfer_replay_window_without_timestamp_check(
    sandbox_factory, client_factory, wallets
) -> None:
    """With the timestamp check off (a sandbox option) the cache still forgets a frame after 60 s."""
    clock = Clock()
    node = await sandbox_factory(dialect="0.5", clock=clock, timestamp_window=None)
    a, b = wallets["A"], wallets["B"]
    node.fund(a.address, "usdc", "10")
    c = await client_factory(node)
    await c.login(a)
    frame = sign_request(9101, "transfer", c.spec.wrap_params(pay(b, "1")), int(clock.now * 1000), [a])
    assert not (await c.send_raw(frame, 9101)).is_error
    clock.now += 59
    assert (await c.send_raw(frame, 9101)).payload.message == (
        "operation denied: the request has already been processed"
    )
    clock.now += 2
    assert not (await c.send_raw(frame, 9101)).is_error
    assert node.balances(b.address)["usdc"] == Decimal("2")


@pytest.mark.asyncio
async def test_e2_has_no_transfer_replay_protection(sandbox_factory, client_factory, wallets) -> None:
    node = await sandbox_factory(dialect="0.2")
    a, b = wallets["A"], wallets["B"]
    node.fund(a.address, "usdc", "10")
    c = await client_factory(node)
    await c.login(a)
    frame = sign_request(9201, "transfer", c.spec.wrap_params(pay(b, "1")), int(time.time() * 1000), [a])
    assert not (await c.send_raw(frame, 9201)).is_error
    assert not (await c.send_raw(frame, 9201)).is_error
    assert node.balances(b.address)["usdc"] == Decimal("2")

"""Group commit: turns of one loop pass share a commit, and nothing leaves before it.

The batched path must answer exactly as one commit per turn does (same frames, same order per
connection, same rows), pipelined requests must share commits, and a batch that cannot commit
must answer nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.devnode.batch import MAX_TURNS
from nitro_desktop.devnode.router import Connection
from nitro_desktop.protocol import (
    RawKeySigner,
    auth_typed_data,
    encode_request,
    frame_from_req,
    sign_request,
    spec,
    typed_data_digest,
)
from nitro_desktop.protocol.crypto import sign_digest
from tests.devnode.conftest import KEY_A, KEY_B, KEY_R, KEY_S
from tests.devnode.test_faults import create_frame, session_client

NOW = 1_800_000_000.0
TS = int(NOW * 1000)
WALLETS = [RawKeySigner(k) for k in (KEY_A, KEY_B, KEY_S)]
KEY_PEER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
ACTIONS = ("create", "transfer", "balances", "ping", "unknown", "garbage", "empty")


@pytest.fixture
def same_randomness(monkeypatch: pytest.MonkeyPatch) -> None:
    """JWT secret and user tags drawn alike by every node made here, so their frames compare."""
    monkeypatch.setattr("nitro_desktop.devnode.server.new_jwt_secret", lambda: b"k" * 32)
    monkeypatch.setattr("nitro_desktop.devnode.router.secrets", _Tags())


class _Tags:
    """Stands in for ``secrets`` in the router: tags drawn from a sequence, not at random."""

    def __init__(self) -> None:
        self.rng = random.Random(0)

    def choice(self, alphabet: str) -> str:
        return self.rng.choice(alphabet)

    def reset(self) -> None:
        self.rng = random.Random(0)


def _node(dialect: str) -> SandboxNode:
    from nitro_desktop.devnode import router

    if isinstance(router.secrets, _Tags):
        router.secrets.reset()
    counter = itertools.count(1)
    return SandboxNode(
        dialect=dialect,
        broker_key=KEY_R,
        clock=lambda: NOW,
        challenge_factory=lambda: str(uuid.UUID(int=next(counter))),
        rate_limit=None,
    )


def _script(dialect: str, steps: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(connection, frame text): each wallet logs in on its own connection, then the steps."""
    sp = spec(dialect)
    out: list[tuple[int, str]] = []
    for k, w in enumerate(WALLETS):
        params = sp.auth_request_params(
            address=w.address,
            session_key=w.address,
            application="Nitro Test",
            allowances=[],
            expires_at=int(NOW) + 3600,
            scope="console",
            app_address="0x1111111111111111111111111111111111111111",
        )
        out.append((k, sign_request(1, "auth_request", params, TS, [])))
        challenge = str(uuid.UUID(int=k + 1))
        sig = sign_digest(w, typed_data_digest(auth_typed_data(dialect, params, challenge)))
        req = encode_request(2, "auth_verify", sp.wrap_params({"challenge": challenge}), TS)
        out.append((k, frame_from_req(req, [sig])))
    for i, (k, action) in enumerate(steps):
        w, rid = WALLETS[k], 10 + i
        if action == "create":
            d: dict[str, Any] = {
                "protocol": "NitroRPC/0.2",
                "participants": [w.address, KEY_PEER],
                "weights": [100, 0],
                "quorum": 100,
                "challenge": 0,
                "nonce": 1000 + i,
            }
            if dialect == "0.5":
                d = {"application": "test", **d}
            obj = {
                "definition": d,
                "allocations": [{"participant": w.address, "asset": "usdc", "amount": "1"}],
            }
            out.append((k, sign_request(rid, "create_app_session", sp.wrap_params(obj), TS, [w])))
        elif action == "transfer":
            dest = WALLETS[(k + 1) % len(WALLETS)].address
            obj = {"destination": dest, "allocations": [{"asset": "usdc", "amount": "1"}]}
            out.append((k, sign_request(rid, "transfer", sp.wrap_params(obj), TS, [w])))
        elif action == "balances":
            out.append((k, sign_request(rid, "get_ledger_balances", sp.wrap_params({}), TS, [w])))
        elif action == "ping":
            out.append((k, sign_request(rid, "ping", sp.wrap_params({}), TS, [])))
        elif action == "unknown":
            out.append((k, sign_request(rid, "no_such_method", sp.wrap_params({}), TS, [w])))
        elif action == "garbage":
            out.append((k, '{"req":[' + str(rid) + ',"ping",'))
        else:
            out.append((k, "{}"))
    return out


def _dump(node: SandboxNode) -> dict[str, list[tuple[Any, ...]]]:
    db = node.router.db
    tables = [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: [tuple(r) for r in db.query(f"SELECT * FROM {t}")] for t in tables}  # noqa: S608


def _run_turn_by_turn(dialect: str, script: list[tuple[int, str]]) -> tuple[Any, Any]:
    node = _node(dialect)
    conns = [Connection(loopback=True) for _ in WALLETS]
    for w in WALLETS:
        node.fund(w.address, "usdc", 2)
    for k, text in script:  # no running loop: every turn commits on its own
        node.router.handle_text(conns[k], text)
    return [_drain(c) for c in conns], _dump(node)


async def _run_batched(dialect: str, script: list[tuple[int, str]]) -> tuple[Any, Any]:
    node = _node(dialect)
    conns = [Connection(loopback=True) for _ in WALLETS]
    for w in WALLETS:
        node.fund(w.address, "usdc", 2)
    commits = node.router.commits
    for k, text in script:  # one loop pass: the turns share batches of up to MAX_TURNS
        node.router.handle_text(conns[k], text)
        assert commits.open
    await asyncio.sleep(0)  # the batch commits on the next pass, then its frames go out
    assert not commits.open
    return [_drain(c) for c in conns], _dump(node)


def _drain(conn: Connection) -> list[str]:
    out = []
    while not conn.outbox.empty():
        text = conn.outbox.get_nowait()
        assert text is not None
        out.append(text)
    return out


@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, len(WALLETS) - 1), st.sampled_from(ACTIONS)), max_size=12))
def test_batched_turns_answer_exactly_as_one_commit_per_turn(
    dialect: str, steps: list[Any], same_randomness: None
) -> None:
    script = _script(dialect, steps)
    frames_one, rows_one = _run_turn_by_turn(dialect, script)
    loop = asyncio.new_event_loop()
    try:
        frames_batched, rows_batched = loop.run_until_complete(_run_batched(dialect, script))
    finally:
        loop.close()
    assert frames_batched == frames_one
    assert rows_batched == rows_one


@pytest.mark.asyncio
async def test_a_batch_holds_every_frame_until_it_commits() -> None:
    node = _node("0.2")
    conns = [Connection(loopback=True) for _ in WALLETS]
    script = _script("0.2", [(0, "ping"), (1, "garbage")])
    for k, text in script:
        node.router.handle_text(conns[k], text)
    assert all(c.outbox.empty() for c in conns)  # answers, challenges, errors: all wait
    assert node.router.db.in_batch
    await asyncio.sleep(0)
    assert not node.router.db.in_batch
    # each login: challenge, auth_verify answer, channels, bu; then pong / the error / nothing
    assert [len(_drain(c)) for c in conns] == [5, 5, 4]


@pytest.mark.asyncio
async def test_pipelined_creates_share_commits_and_all_survive(tmp_path: Path) -> None:
    node = SandboxNode(dialect="0.2", rate_limit=None, db_path=tmp_path / "n.sqlite")
    await node.start()
    try:
        wallet = RawKeySigner.generate()
        node.fund(wallet.address, "usdc", 40)
        c = await session_client(node, wallet)
        commits: list[str] = []
        node.router.db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
        count = 2 * MAX_TURNS + 5
        for i in range(count):  # sent back to back: the node reads them in few loop passes
            await c.ws.send(create_frame(100 + i, "0.2", wallet, 5000 + i))
        answered = []
        while len(answered) < count:
            msg = await c.recv(timeout=30)
            if msg.frame.method == "create_app_session" or msg.is_error:
                answered.append(msg)
        node.router.db.conn.set_trace_callback(None)
        assert [m.frame.request_id for m in answered] == list(range(100, 100 + count))
        assert sum(not m.is_error for m in answered) == 40  # then insufficient funds
        assert 3 <= len(commits) < count  # at most MAX_TURNS turns per commit
        await c.ws.close()
    finally:
        await node.stop()
    check = sqlite3.connect(tmp_path / "n.sqlite")
    try:
        assert check.execute("SELECT COUNT(*) FROM app_sessions").fetchone()[0] == 40
        assert check.execute("SELECT COUNT(*) FROM rpc_history").fetchone()[0] == count
    finally:
        check.close()


class _FailingCommit:
    """The node's connection with a disk that refuses the next COMMIT (fault injection)."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real
        self.armed = True

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT" and self.armed:
            self.armed = False
            raise sqlite3.OperationalError("disk I/O error")
        return self.real.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.mark.asyncio
async def test_a_batch_that_cannot_commit_answers_nothing_and_drops_its_sockets(sandbox_factory) -> None:
    node = await sandbox_factory(dialect="0.2")
    wallet = RawKeySigner.generate()
    node.fund(wallet.address, "usdc", "3")
    c = await session_client(node, wallet)
    node.router.db.conn = _FailingCommit(node.router.db.conn)  # type: ignore[assignment]
    await c.ws.send(create_frame(10, "0.2", wallet, 77))
    texts = []
    with pytest.raises(Exception):  # noqa: B017 - closed by the node, whatever the close code
        while True:
            texts.append(str(await asyncio.wait_for(c.ws.recv(), 10)))
    assert not any('"create_app_session"' in t for t in texts)
    assert node.balances(wallet.address) == {"usdc": Decimal(3)}
    assert node.ledger_totals()[0] == {"usdc": Decimal(3)}
    c2 = await session_client(node, wallet)  # the node goes on serving
    ok = await c2.send_raw(create_frame(11, "0.2", wallet, 78), 11)
    assert not ok.is_error
    assert node.balances(wallet.address) == {"usdc": Decimal(2)}
    await c2.ws.close()

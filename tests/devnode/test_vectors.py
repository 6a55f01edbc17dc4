"""The shared SDK vectors replayed byte for byte against the sandbox node."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import VECTORS

FUNDS = Decimal("5000000")
VECTOR_CLOCK = 1735689600.0 + 60  # 2025-01-01: the vectors' session-key expiry is in the future


def load(name: str) -> dict[str, Any]:
    return {v["id"]: v for v in json.loads((VECTORS / name).read_text())["vectors"]}


def challenges(vectors: dict[str, Any], *ids: str) -> Any:
    queue = [vectors[i]["typed_data"]["message"]["challenge"] for i in ids]
    return lambda: queue.pop(0)


async def replay(client: Any, vector: dict[str, Any]) -> Any:
    req = json.loads(vector["wire"])["req"]
    return await client.send_raw(vector["wire"], req[0])


def fund_all(node: Any, wallets: dict[str, Any]) -> None:
    for name in "ABR":
        node.fund(wallets[name].address, "usdc", FUNDS)


def conserved(node: Any) -> None:
    total, minted = node.ledger_totals()
    assert total == minted


@pytest.mark.asyncio
async def test_seed013_replay(sandbox_factory, client_factory, wallets) -> None:
    vectors = load("seed_sdk013.json")
    node = await sandbox_factory(dialect="0.2", timestamp_window=None)
    fund_all(node, wallets)
    c = await client_factory(node)
    await c.login(wallets["A"])
    assert (await replay(c, vectors["seed013.ping"])).frame.method == "pong"
    assert not (await replay(c, vectors["seed013.get_ledger_balances"])).is_error
    for name in ("2p", "2p_multisig", "3p_referee"):
        v = vectors[f"seed013.create_app_session.{name}"]
        msg = await replay(c, v)
        assert not msg.is_error, msg.payload
        assert msg.payload.app_session_id == v["expected"]["app_session_id"]
        assert msg.payload.version == 1 and msg.payload.status == "open"
    for name in ("2p", "2p_multisig", "3p_referee"):
        msg = await replay(c, vectors[f"seed013.close_app_session.{name}"])
        assert not msg.is_error, msg.payload
        assert msg.payload.status == "closed" and msg.payload.version == 2
    assert node.balances(wallets["A"].address)["usdc"] == FUNDS + Decimal(400000 + 500000 + 0)
    conserved(node)
    msg = await replay(c, vectors["seed013.message"])
    assert msg.payload.message == "unknown method: message"
    msg = await replay(c, vectors["seed013.legacy.auth_request"])
    assert msg.payload.message == "invalid parameters: expected 7 parameters"
    msg = await replay(c, vectors["seed013.legacy.auth_verify_plain"])
    assert msg.payload.message == "invalid challenge"
    negative = vectors["seed013.negative.create_app_session_eip191"]
    msg = await replay(c, negative)
    assert msg.payload.message == f"missing signature for participant {wallets['A'].address}"


@pytest.mark.asyncio
async def test_seed0226_session_key_chain(sandbox_factory, client_factory, wallets) -> None:
    vectors = load("seed_sdk0226.json")
    node = await sandbox_factory(
        dialect="0.2",
        timestamp_window=None,
        challenge_factory=challenges(vectors, "seed0226.auth_verify_eip712.session_key"),
    )
    fund_all(node, wallets)
    c = await client_factory(node)
    msg = await replay(c, vectors["seed0226.auth_request.session_key"])
    assert msg.frame.method == "auth_challenge"
    msg = await replay(c, vectors["seed0226.auth_verify_eip712.session_key"])
    assert not msg.is_error, msg.payload
    assert msg.payload.address == wallets["A"].address
    assert msg.payload.session_key == wallets["S"].address
    msg = await replay(c, vectors["seed0226.auth_verify_jwt"])
    assert msg.payload.message == "invalid JWT token"
    v = vectors["seed0226.create_app_session"]
    msg = await replay(c, v)
    assert not msg.is_error, msg.payload
    assert msg.payload.app_session_id == v["expected"]["app_session_id"]
    msg = await replay(c, vectors["seed0226.submit_app_state"])
    assert not msg.is_error and msg.payload.version == 2
    msg = await replay(c, vectors["seed0226.close_app_session"])
    assert not msg.is_error and msg.payload.version == 3 and msg.payload.status == "closed"
    assert node.balances(wallets["B"].address)["usdc"] == FUNDS + 350000
    for name in ("get_ledger_balances", "get_app_sessions"):
        assert not (await replay(c, vectors[f"seed0226.{name}"])).is_error
    conserved(node)


@pytest.mark.asyncio
async def test_seed0226_self_auth(sandbox_factory, client_factory) -> None:
    vectors = load("seed_sdk0226.json")
    node = await sandbox_factory(
        dialect="0.2", challenge_factory=challenges(vectors, "seed0226.auth_verify_eip712.self")
    )
    c = await client_factory(node)
    assert (await replay(c, vectors["seed0226.auth_request.self"])).frame.method == "auth_challenge"
    msg = await replay(c, vectors["seed0226.auth_verify_eip712.self"])
    assert not msg.is_error, msg.payload
    assert msg.frame.signers() == [node.broker_address]
    # A second use of the same challenge is refused.
    msg = await replay(c, vectors["seed0226.auth_verify_eip712.self"])
    assert msg.payload.message == "invalid challenge or signature"


@pytest.mark.asyncio
async def test_v04_replay(sandbox_factory, client_factory, wallets) -> None:
    vectors = load("v04_sdk053.json")
    node = await sandbox_factory(
        dialect="0.5",
        timestamp_window=None,
        clock=lambda: VECTOR_CLOCK,
        challenge_factory=challenges(
            vectors, "v04.auth_verify_eip712.self", "v04.auth_verify_eip712.session_key"
        ),
    )
    fund_all(node, wallets)
    c = await client_factory(node)
    for vid in vectors:
        v = vectors[vid]
        msg = await replay(c, v)
        if vid == "v04.auth_verify_jwt":
            assert msg.payload.message == "invalid JWT token"
            continue
        assert not msg.is_error, (vid, msg.payload)
        expected = v.get("expected", {})
        if "app_session_id" in expected:
            assert msg.payload.app_session_id == expected["app_session_id"]
        for key in ("new_version", "final_version"):
            if key in expected:
                assert msg.payload.version == expected[key], vid
        if "status" in expected:
            assert msg.payload.status == expected["status"]
    conserved(node)

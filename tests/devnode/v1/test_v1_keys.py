"""App session keys and the transaction log, over a real socket (nitronode v1.4.1's checks and texts)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from nitro_desktop.protocol import RawKeySigner, v1
from nitro_desktop.protocol.crypto import sign_digest
from tests.devnode.v1.helper import KEY_A, KEY_B, KEY_C, V1Client, definition, update, update_sig
from tests.devnode.v1.test_v1_flow import DEPOSIT, SUBMIT, create, deposit_payload

pytestmark = pytest.mark.asyncio
A, B, C = RawKeySigner(KEY_A), RawKeySigner(KEY_B), RawKeySigner(KEY_C)
a, b, c = (s.address.lower() for s in (A, B, C))
SUBMIT_KEY, KEY_STATES = "app_sessions.v1.submit_session_key_state", "app_sessions.v1.get_last_key_states"
CREATE = "app_sessions.v1.create_app_session"
BAD = "invalid_session_key_state: "


def key_state(
    version: int, expires_at: int, *, user: RawKeySigner = A, key: RawKeySigner = C, **extra: Any
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "user_address": user.address,
        "session_key": key.address,
        "version": str(version),
        "application_ids": ["test-app"],
        "app_session_ids": [],
        "expires_at": str(expires_at),
        **extra,
    }
    digest = v1.eip191_digest(bytes.fromhex(v1.session_key_state_hash(state)[2:]))
    state.setdefault("user_sig", sign_digest(user, digest))
    state.setdefault("session_key_sig", sign_digest(key, digest))
    return state


def key_create(nonce: str) -> tuple[dict[str, Any], dict[str, Any]]:
    d = definition([A, B], [1, 1], 1, nonce)
    sig = v1.quorum_signature(v1.create_session_hash(d, ""), C, "session_key")
    return d, {"definition": d, "session_data": "", "quorum_sigs": [sig]}


async def test_a_registered_key_signs_for_its_wallet_until_revoked(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    later = int(time.time()) + 3600
    async with connect(node.url) as ws:
        client = V1Client(ws)
        d, payload = key_create("1")
        sid = v1.app_session_id(d)
        assert await client.error(CREATE, payload) == (
            f"failed to recover user wallet: no active session key found for key {c},"
            f" app session {sid}, application test-app"
        )
        assert await client.ok(SUBMIT_KEY, {"state": key_state(1, later)}) == {}
        assert (await client.ok(CREATE, payload))["app_session_id"] == sid
        listed = await client.ok(KEY_STATES, {"user_address": A.address})
        assert listed["metadata"] == {"page": 1, "per_page": 10, "total_count": 1, "page_count": 1}
        (state,) = listed["states"]
        assert (state["user_address"], state["session_key"], state["version"]) == (a, c, "1")
        assert state["application_ids"] == ["test-app"] and state["expires_at"] == str(later)

        revoke = key_state(2, 0, session_key_sig="")  # the wallet alone may revoke
        assert await client.ok(SUBMIT_KEY, {"state": revoke}) == {}
        _, payload = key_create("2")
        assert (await client.error(CREATE, payload)).startswith(
            "failed to recover user wallet: no active session key"
        )
        assert (await client.ok(KEY_STATES, {"user_address": a}))["states"] == []
        (gone,) = (await client.ok(KEY_STATES, {"user_address": a, "include_inactive": True}))["states"]
        assert gone["version"] == "2" and gone["session_key_sig"] == ""


async def test_key_state_rules_in_upstream_order(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    later = int(time.time()) + 3600
    async with connect(node.url) as ws:
        client = V1Client(ws)

        async def err(state: dict[str, Any]) -> str:
            return await client.error(SUBMIT_KEY, {"state": state})

        ok = key_state(1, later)
        assert await err({**ok, "version": 1}) == "failed to parse parameters"
        assert await err({**ok, "version": "x"}) == (
            f'{BAD}invalid version: strconv.ParseUint: parsing "x": invalid syntax'
        )
        assert await err({**ok, "version": "1" * 30}) == (
            f'{BAD}invalid version: strconv.ParseUint: parsing "{"1" * 30}": value out of range'
        )
        assert await err({**ok, "expires_at": ""}) == (
            f'{BAD}invalid expires_at: strconv.ParseInt: parsing "": invalid syntax'
        )
        assert await err({**ok, "user_address": "0x12"}) == (
            f"{BAD}invalid user_address: invalid hex address: incorrect length,"
            " expected 42 characters including 0x prefix"
        )
        assert (
            await err({**ok, "session_key": A.address}) == f"{BAD}session_key must differ from user_address"
        )
        assert await err({**ok, "version": "0"}) == f"{BAD}version must be greater than 0"
        assert await err({**ok, "expires_at": "-1"}) == f"{BAD}expires_at must be non-negative"
        assert await err({**ok, "app_session_ids": ["0x" + "ab" * 32] * 11}) == (
            f"{BAD}app_session_ids array exceeds maximum length of 10"
        )
        assert await err({**ok, "application_ids": ["Bad"]}) == (
            f"{BAD}application_ids must contain only lowercase letters, digits, dashes, and underscores"
            " (max 66 chars), got: Bad"
        )
        assert await err({**ok, "app_session_ids": ["0x" + "AB" * 32]}) == (
            f"{BAD}app_session_ids must be 0x-prefixed 32-byte lowercase hex hashes, got: 0x{'AB' * 32}"
        )
        assert await err({**ok, "user_sig": ""}) == f"{BAD}user_sig is required"
        assert await err({**ok, "session_key_sig": ""}) == f"{BAD}session_key_sig is required"
        assert await err({**ok, "user_sig": "0xzz"}) == f"{BAD}failed to decode user_sig: invalid hex string"
        assert (
            await err({**ok, "user_sig": ok["session_key_sig"]})
            == f"{BAD}user_sig does not match user_address"
        )
        assert await err({**ok, "session_key_sig": "0x" + "11" * 64}) == (
            f"{BAD}failed to recover session_key_sig: invalid signature length"
        )
        assert await err(key_state(1, 0)) == f"{BAD}cannot revoke a session key with no prior delegation"
        assert await err(key_state(2, later)) == f"{BAD}expected version 1, got 2"
        assert await client.ok(SUBMIT_KEY, {"state": ok}) == {}
        assert await err(key_state(1, later, user=B)) == f"{BAD}session_key not allowed"
        assert await err(key_state(1, later)) == f"{BAD}expected version 2, got 1"
        assert await client.error(KEY_STATES, {}) == "user_address is required"
        assert await client.error(KEY_STATES, {"user_address": a, "pagination": {"sort": "asc"}}) == (
            "invalid_pagination: sort is not supported by get_last_key_states"
        )


async def test_transactions_list_what_moved(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    node.fund(A.address, "usdc", "5")
    async with connect(node.url) as ws:
        client = V1Client(ws)
        sid = await create(client)
        await client.ok(DEPOSIT, await deposit_payload(client, sid, "2", 2))
        upd = update(sid, 3, 3, [(a, "usdc", "2")])
        await client.ok(SUBMIT, {"app_state_update": upd, "quorum_sigs": [update_sig(upd, A)]})
        channel = (await client.ok("channels.v1.get_home_channel", {"wallet": a, "asset": "usdc"}))["channel"]
        listed = await client.ok("user.v1.get_transactions", {"wallet": A.address})
        moves = [
            (t["tx_type"], t["from_account"], t["to_account"], t["amount"]) for t in listed["transactions"]
        ]
        assert sorted(moves) == sorted(
            [(10, channel["channel_id"], a, "5"), (40, a, sid, "2"), (41, sid, a, "2")]
        )
        release = next(t for t in listed["transactions"] if t["tx_type"] == 41)
        assert "receiver_new_state_id" in release and "sender_new_state_id" not in release
        assert release["created_at"].endswith("Z") and len(release["created_at"]) == 20
        assert listed["metadata"] == {"page": 1, "per_page": 10, "total_count": 3, "page_count": 1}
        page = await client.ok(
            "user.v1.get_transactions", {"wallet": a, "tx_type": 40, "pagination": {"offset": 0, "limit": 1}}
        )
        assert [t["tx_type"] for t in page["transactions"]] == [40]
        assert page["metadata"] == {"page": 1, "per_page": 1, "total_count": 1, "page_count": 1}
        assert await client.error("user.v1.get_transactions", {"wallet": "nope"}) == (
            "invalid wallet: invalid hex address: incorrect length,"
            " expected 42 characters including 0x prefix"
        )
        assert await client.error("user.v1.get_transactions", {"wallet": a, "tx_type": 256}) == (
            "failed to parse parameters"
        )


async def test_keys_and_transactions_survive_a_restart(v1_sandbox_factory: Any, tmp_path: Path) -> None:
    db = tmp_path / "v1.sqlite"
    node = await v1_sandbox_factory(db_path=db)
    node.fund(a, "usdc", "1")
    async with connect(node.url) as ws:
        assert await V1Client(ws).ok(SUBMIT_KEY, {"state": key_state(1, int(time.time()) + 3600)}) == {}
    await node.stop()
    again = await v1_sandbox_factory(db_path=db)
    async with connect(again.url) as ws:
        client = V1Client(ws)
        _, payload = key_create("1")
        assert (await client.ok(CREATE, payload))["status"] == "open"
        listed = await client.ok("user.v1.get_transactions", {"wallet": a})
        assert [(t["tx_type"], t["amount"]) for t in listed["transactions"]] == [(10, "1")]

"""The dialect "1" sandbox over a real websocket: the full flow, rules with upstream's texts,
persistence across a restart, and hostile frames."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from nitro_desktop.protocol import RawKeySigner
from tests.devnode.v1.helper import (
    KEY_A,
    KEY_B,
    KEY_C,
    V1Client,
    commit_state,
    create_sig,
    definition,
    frame,
    update,
    update_sig,
)

pytestmark = pytest.mark.asyncio

A, B, C = RawKeySigner(KEY_A), RawKeySigner(KEY_B), RawKeySigner(KEY_C)
a, b, c = (s.address.lower() for s in (A, B, C))
CREATE, DEPOSIT, SUBMIT = (
    "app_sessions.v1.create_app_session",
    "app_sessions.v1.submit_deposit_state",
    "app_sessions.v1.submit_app_state",
)


async def create(client: V1Client, nonce: str = "1") -> str:
    d = definition([A, B], [1, 1], 1, nonce)
    reply = await client.ok(CREATE, {"definition": d, "session_data": "", "quorum_sigs": [create_sig(d, A)]})
    assert reply["version"] == "1" and reply["status"] == "open"
    return str(reply["app_session_id"])


async def deposit_payload(client: V1Client, sid: str, amount: str, version: int) -> dict[str, Any]:
    latest = (await client.ok("channels.v1.get_latest_state", {"wallet": a, "asset": "usdc"}))["state"]
    upd = update(sid, 1, version, [(a, "usdc", amount)])
    return {
        "app_state_update": upd,
        "quorum_sigs": [update_sig(upd, A)],
        "user_state": commit_state(latest, sid, amount, A, 6),
    }


async def test_create_deposit_operate_close_conserves_funds(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    node.fund(A.address, "usdc", "100.5")
    async with connect(node.url) as ws:
        client = V1Client(ws)
        sid = await create(client)
        listed = await client.ok("app_sessions.v1.get_app_sessions", {"app_session_id": sid})
        assert listed["app_sessions"][0]["allocations"] == []  # created with zero allocations
        reply = await client.ok(DEPOSIT, await deposit_payload(client, sid, "10.25", 2))
        assert reply["signature"].startswith("0x00") and len(reply["signature"]) == 2 + 2 * 66
        assert node.balances(a) == {"usdc": Decimal("90.25")}
        upd = update(sid, 0, 3, [(a, "usdc", "4.25"), (b, "usdc", "6")])
        assert await client.ok(SUBMIT, {"app_state_update": upd, "quorum_sigs": [update_sig(upd, B)]}) == {}
        upd = update(sid, 3, 4, [(a, "usdc", "4.25"), (b, "usdc", "6")])
        assert await client.ok(SUBMIT, {"app_state_update": upd, "quorum_sigs": [update_sig(upd, A)]}) == {}
        info = (await client.ok("app_sessions.v1.get_app_sessions", {"participant": B.address}))[
            "app_sessions"
        ][0]
        assert info["status"] == "closed" and info["version"] == "4"
        balances = await client.ok("user.v1.get_balances", {"wallet": B.address})
        assert balances["balances"] == [{"asset": "usdc", "amount": "6", "enforced": "0"}]
    assert node.balances(a) == {"usdc": Decimal("94.5")}
    held, minted = node.ledger_totals()
    assert held == minted == {"usdc": Decimal("100.5")}


async def test_create_rules_in_upstream_order(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    async with connect(node.url) as ws:
        client = V1Client(ws)
        d = definition([A, B], [1, 1], 2)
        sig = create_sig(d, A)

        async def err(defn: dict[str, Any], sigs: list[str], data: str = "") -> str:
            return await client.error(CREATE, {"definition": defn, "session_data": data, "quorum_sigs": sigs})

        assert await err(d, [sig, sig, sig]) == "quorum_sigs count (3) exceeds participants count (2)"
        assert await err(d, [sig], "x" * 1025) == "session_data exceeds maximum length of 1024"
        assert await err({**d, "application_id": ""}, [sig]) == "application id is required"
        assert (
            await err({**d, "application_id": "Bad"}, [sig])
            == "invalid application id: must match ^[a-z0-9_-]{1,66}$"
        )
        assert await err({**d, "nonce": "x"}, [sig]) == "invalid app definition"
        assert await err({**d, "nonce": "0"}, [sig]) == "nonce must be non-zero"
        assert await err({**d, "quorum": 0}, [sig]) == "quorum must be greater than zero"
        assert await err({**d, "quorum": 256}, [sig]) == "failed to parse parameters"
        dup = {
            **d,
            "participants": [d["participants"][0], {**d["participants"][0], "wallet_address": A.address}],
        }
        assert await err(dup, [sig]) == f"duplicate participant address: {A.address}"
        assert (
            await err({**d, "quorum": 3}, [sig])
            == "target quorum (3) cannot be greater than total sum of weights (2)"
        )
        assert await err(d, []) == "no signatures provided"
        assert await err(d, [sig]) == "quorum not met: achieved 1, required 2"
        assert await err(d, [create_sig(d, C)]) == f"signature from non-participant: {c}"
        assert await err(d, ["0xzz"]) == "failed to decode signature: invalid hex string"
        assert await err(d, ["0x"]) == "empty signature after decode at index 0"
        assert (
            await err(d, ["0xb1" + sig[4:]])
            == "failed to recover user wallet: invalid signature: unknown signer type 177"
        )
        assert await err(d, [sig[:-2]]) == (
            "failed to recover user wallet: failed to recover wallet address: invalid signature length"
        )
        bad = d["participants"][0]["wallet_address"][:-1] + "g"
        bad_def = {
            **d,
            "participants": [{"wallet_address": bad, "signature_weight": 1}, d["participants"][1]],
        }
        assert await err(bad_def, [sig]) == (
            f"invalid participant wallet_address \"{bad}\": invalid hex address: character 'g' at position 41"
            " is not a valid hexadecimal character"
        )


async def test_update_and_deposit_rules(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    node.fund(A.address, "usdc", "5")
    async with connect(node.url) as ws:
        client = V1Client(ws)
        sid = await create(client)
        upd = update(sid, 1, 2, [(a, "usdc", "1")])
        assert await client.error(SUBMIT, {"app_state_update": upd, "quorum_sigs": []}) == (
            "deposit intent must use submit_deposit_state endpoint"
        )
        upd = update(sid, 9, 2, [])
        assert (
            await client.error(SUBMIT, {"app_state_update": upd, "quorum_sigs": []})
            == "invalid intent: unknown"
        )
        upd = update("0x" + "11" * 32, 0, 2, [])
        assert (
            await client.error(SUBMIT, {"app_state_update": upd, "quorum_sigs": []})
            == "app session not found"
        )
        upd = update(sid, 0, 5, [])
        assert await client.error(SUBMIT, {"app_state_update": upd, "quorum_sigs": []}) == (
            "invalid app session version: expected 2, got 5"
        )
        upd = update(sid, 0, 2, [(c, "usdc", "1")])
        assert await client.error(SUBMIT, {"app_state_update": upd, "quorum_sigs": [update_sig(upd, A)]}) == (
            f"allocation to non-participant {c}"
        )
        too_much = await deposit_payload(client, sid, "6", 2)
        assert await client.error(DEPOSIT, too_much) == (
            "invalid state transitions: invalid home ledger: user balance cannot be negative"
        )
        payload = await deposit_payload(client, sid, "1", 2)
        payload["user_state"]["user_sig"] = "0x01" + payload["user_state"]["user_sig"][4:]
        assert await client.error(DEPOSIT, payload) == "user signature type '1' is not supported by channel"
        payload = await deposit_payload(client, sid, "1", 2)
        payload["app_state_update"]["intent"] = 0
        assert await client.error(DEPOSIT, payload) == "invalid intent: expected 'deposit', got 'operate'"
        payload = await deposit_payload(client, sid, "1.0000001", 2)
        assert await client.error(DEPOSIT, payload) == (
            "invalid state transitions: invalid amount for asset usdc:"
            " amount exceeds maximum decimal precision: max 6 decimals allowed, got 7"
        )
        assert await client.error("app_sessions.v1.get_app_sessions", {}) == (
            "either app_session_id or participant must be provided"
        )
        assert await client.error("no.such", {}) == "unknown method: no.such"
    assert node.ledger_totals()[0] == node.ledger_totals()[1] == {"usdc": Decimal(5)}


async def test_state_survives_restart(v1_sandbox_factory: Any, tmp_path: Path) -> None:
    db = tmp_path / "v1.sqlite"
    node = await v1_sandbox_factory(db_path=db, broker_key="0x" + "07" * 32)
    node.fund(A.address, "usdc", "3")
    async with connect(node.url) as ws:
        client = V1Client(ws)
        sid = await create(client)
        await client.ok(DEPOSIT, await deposit_payload(client, sid, "2", 2))
    await node.stop()
    again = await v1_sandbox_factory(db_path=db, broker_key="0x" + "07" * 32)
    async with connect(again.url) as ws:
        client = V1Client(ws)
        info = (await client.ok("app_sessions.v1.get_app_sessions", {"app_session_id": sid}))["app_sessions"][
            0
        ]
        assert info["version"] == "2" and info["allocations"] == [
            {"participant": a, "asset": "usdc", "amount": "2"}
        ]
        assert (await client.ok("app_sessions.v1.get_app_definition", {"app_session_id": sid}))["definition"][
            "nonce"
        ] == "1"
    assert again.balances(a) == {"usdc": Decimal(1)}


@pytest.mark.parametrize(
    ("text", "request_id"),
    [
        ("not json", 0),
        ("[1, 7]", 0),
        ("[1, 7, 5, {}, 1]", 7),  # elements read before the bad one keep their values
        ('[1, 99999999999999999999999, "node.v1.ping", {}, 1]', 0),
        ('[1, 8, "node.v1.ping", {}, -1]', 8),
        ('[1, 9, "node.v1.ping", {"x": NaN}, 1]', 0),
    ],
)
async def test_hostile_frames_get_invalid_message_format(
    v1_sandbox_factory: Any, text: str, request_id: int
) -> None:
    node = await v1_sandbox_factory()
    async with connect(node.url) as ws:
        reply = await V1Client(ws).send_text(text)
        assert reply[:4] == [4, request_id, "", {"error": "invalid message format"}]
        assert (await V1Client(ws).call("node.v1.ping", {}))[0] == 2  # still serving


async def test_deep_json_is_refused_without_recursing(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    depth = 5000
    async with connect(node.url) as ws:
        reply = await V1Client(ws).send_text("[" * depth + "]" * depth)
        assert reply[3] == {"error": "invalid message format"}


async def test_huge_numbers_and_oversized_frames(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    node.fund(A.address, "usdc", "1")
    async with connect(node.url, max_size=None) as ws:
        client = V1Client(ws)
        sid = await create(client)
        upd = update(sid, 0, 2, [(a, "usdc", "9" * 500)])
        assert (
            await client.error(SUBMIT, {"app_state_update": upd, "quorum_sigs": []})
            == "failed to parse app state update"
        )
        upd = update(sid, 0, 2, [(a, "usdc", "1e999999999")])
        assert (
            await client.error(SUBMIT, {"app_state_update": upd, "quorum_sigs": []})
            == "failed to parse app state update"
        )
        _, text = frame("node.v1.ping", {"pad": "x" * (200 * 1024)})
        await ws.send(text)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    held, minted = node.ledger_totals()
    assert held == minted
    assert json.loads(json.dumps(node.balances(a), default=str)) == {"usdc": "1"}

"""Dialect "1" refusals, with the target's exact texts (the sandbox copies nitronode's)."""

from __future__ import annotations

import re

import pytest

from nitro_desktop.client import ClearNodeError
from nitro_desktop.protocol import v1
from tests.live.conftest import FrameRecorder, LiveTarget
from tests.live.helpers import connected, stranger
from tests.live.helpers_v1 import DUPLICATE_CREATE_TEXT, v1_definition

pytestmark = pytest.mark.asyncio
CREATE = "app_sessions.v1.create_app_session"
SUBMIT = "app_sessions.v1.submit_app_state"


def _exact(text: str) -> str:
    return "^" + re.escape(text) + "$"


async def test_v1_create_refusals(v1_target: LiveTarget, frames: FrameRecorder) -> None:
    a, b, c = v1_target.wallets()
    d = v1_definition([a, b], [50, 50], 100)
    async with connected(v1_target, frames) as client:
        with pytest.raises(ClearNodeError) as refused:
            await client.v1.create_app_session(d, [a, c])
        assert refused.value.message == f"signature from non-participant: {c.address.lower()}"
        with pytest.raises(ClearNodeError) as refused:
            await client.v1.create_app_session(d, [a])
        assert refused.value.message == "quorum not met: achieved 50, required 100"
        with pytest.raises(ClearNodeError) as refused:
            await client.v1.create_app_session(v1_definition([a, b], [50, 50], 101), [a, b])
        assert (
            refused.value.message == "target quorum (101) cannot be greater than total sum of weights (100)"
        )
        with pytest.raises(ClearNodeError) as refused:
            await client.v1.call(CREATE, {"definition": {**d, "nonce": "0"}, "session_data": ""})
        assert refused.value.message == "nonce must be non-zero"


async def test_v1_duplicate_create_is_already_created(v1_target: LiveTarget, frames: FrameRecorder) -> None:
    a, b, _c = v1_target.wallets()
    d = v1_definition([a, b], [1, 1], 1)
    sig = v1.quorum_signature(v1.create_session_hash(d, ""), a)
    payload = v1.create_app_session_payload(d, "", [sig])
    async with connected(v1_target, frames) as client:
        first = await client.v1.create_app_session(d, [a])
        with pytest.raises(ClearNodeError) as refused:  # the bare refusal, as the node words it
            await client.v1.call(CREATE, payload)
        assert refused.value.message == DUPLICATE_CREATE_TEXT
        again = await client.v1.create_app_session(d, [a])  # the client reads it as "already created"
        assert again.extra["already_created"] is True and again.app_session_id == first.app_session_id
        page = await client.v1.get_app_sessions(app_session_id=first.app_session_id)
        assert [s.app_session_id for s in page.sessions] == [first.app_session_id]


async def test_v1_update_refusals(v1_target: LiveTarget, frames: FrameRecorder) -> None:
    a, b, _c = v1_target.wallets()
    async with connected(v1_target, frames) as client:
        sid = (
            await client.v1.create_app_session(v1_definition([a, b], [50, 50], 100), [a, b])
        ).app_session_id
        with pytest.raises(ClearNodeError) as refused:
            await client.v1.update(sid, "operate", [], [a, b], version=5)
        assert refused.value.message == "invalid app session version: expected 2, got 5"
        with pytest.raises(ClearNodeError) as refused:
            await client.v1.update(sid, "operate", [], [a])
        assert refused.value.message == "quorum not met: achieved 50, required 100"
        outsider = stranger()
        with pytest.raises(ClearNodeError) as refused:
            await client.v1.update(sid, "operate", [], [a, outsider])
        assert refused.value.message == f"signature from non-participant: {outsider.address.lower()}"
        deposit = {"app_session_id": sid, "intent": 1, "version": "2", "allocations": [], "session_data": ""}
        with pytest.raises(
            ClearNodeError, match=_exact("deposit intent must use submit_deposit_state endpoint")
        ):
            await client.v1.call(SUBMIT, {"app_state_update": deposit, "quorum_sigs": []})
        await client.v1.update(sid, "close", [], [a, b])
        with pytest.raises(ClearNodeError, match=_exact("app session is already closed")):
            await client.v1.update(sid, "operate", [], [a, b], version=3)


async def test_v1_unknown_methods_and_versions(v1_target: LiveTarget, frames: FrameRecorder) -> None:
    async with connected(v1_target, frames) as client:
        for method in ("app_sessions.v2.create_app_session", "node.v0.ping", "ping", "create_app_session"):
            with pytest.raises(ClearNodeError) as refused:
                await client.v1.call(method, {})
            assert refused.value.message == f"unknown method: {method}"
        with pytest.raises(ClearNodeError, match=_exact("failed to parse parameters")):
            await client.v1.call(CREATE, {"definition": {"quorum": 256}})
        await client.v1.ping()  # the connection is still fine after refusals

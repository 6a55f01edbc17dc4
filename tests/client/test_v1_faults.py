"""Dialect "1" creates and updates across lost answers: never re-sent, reported once.

node (v1 sandbox) ← fault proxy ← client, all on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from nitro_desktop.client import (
    ClearNodeClient,
    OperationNotApplied,
    OperationOutcome,
    RequestTimeout,
)
from nitro_desktop.protocol import Dialect, v1
from tests.client.helpers import FAST
from tests.client.proxy import FaultProxy
from tests.client.test_v1_client import A, B, definition

pytestmark = pytest.mark.asyncio
CREATE = "app_sessions.v1.create_app_session"
SUBMIT = "app_sessions.v1.submit_app_state"
LIST = "app_sessions.v1.get_app_sessions"


@contextlib.asynccontextmanager
async def rig(factory: Any, **kwargs: Any) -> AsyncIterator[tuple[Any, FaultProxy, ClearNodeClient]]:
    node = await factory()
    proxy = await FaultProxy(node.url).start()
    kwargs.setdefault("timeout", 2.0)
    client = ClearNodeClient(proxy.url, Dialect.V1, backoff=FAST, **kwargs)
    try:
        await client.connect()
        yield node, proxy, client
    finally:
        await client.close()
        await proxy.stop()


async def test_connection_dropped_after_create_is_reconciled_by_the_derived_id(
    v1_sandbox_factory: Any,
) -> None:
    async with rig(v1_sandbox_factory) as (_node, proxy, client):
        d = definition()
        proxy.drop_after(CREATE)
        session = await client.v1.create_app_session(d, [A, B])
        assert session.app_session_id == v1.app_session_id(d) and session.version == 1
        assert proxy.seen[CREATE] == 1 and client.stats.reconnects == 1  # asked, never re-sent
        page = await client.v1.get_app_sessions(participant=A.address)
        assert [s.app_session_id for s in page.sessions] == [session.app_session_id]


async def test_connection_dropped_before_create_is_not_applied(v1_sandbox_factory: Any) -> None:
    async with rig(v1_sandbox_factory) as (_node, proxy, client):
        d = definition()
        proxy.drop_before(CREATE)
        with pytest.raises(OperationNotApplied, match="was not created"):
            await client.v1.create_app_session(d, [A, B])
        assert (await client.v1.create_app_session(d, [A, B])).version == 1  # safe to send again


async def test_close_whose_answer_is_lost_is_reconciled(v1_sandbox_factory: Any) -> None:
    async with rig(v1_sandbox_factory) as (_node, proxy, client):
        sid = (await client.v1.create_app_session(definition(), [A, B])).app_session_id
        proxy.drop_after(SUBMIT)
        closed = await client.v1.update(sid, "close", [], [A, B])
        assert (closed.status, closed.version) == ("closed", 2) and proxy.seen[SUBMIT] == 1


async def test_duplicate_create_after_a_lost_answer_means_already_created_once(
    v1_sandbox_factory: Any,
) -> None:
    async with rig(v1_sandbox_factory, timeout=1.0) as (_node, proxy, client):
        outcomes: list[OperationOutcome] = []
        client.on(outcomes.append, (OperationOutcome,))
        d = definition()
        proxy.lose_answer(CREATE)
        proxy.stall(LIST)  # the client's own follow-up goes unanswered: the retry learns it first
        with pytest.raises(RequestTimeout) as lost:
            await client.v1.create_app_session(d, [A, B])
        assert lost.value.pending is not None and lost.value.pending.app_session_id == v1.app_session_id(d)
        assert [op.app_session_id for op in client.pending_operations] == [v1.app_session_id(d)]
        again = await client.v1.create_app_session(d, [A, B])  # the user tries again
        assert again.extra["already_created"] is True and again.app_session_id == v1.app_session_id(d)
        assert client.pending_operations == ()  # settled by the refusal, not reported twice
        async with asyncio.timeout(10):  # the stalled follow-up runs out and finds nothing left to report
            while client.stats.timeouts < 2:  # the lost create, then the stalled follow-up
                await asyncio.sleep(0.05)
        await client.v1.ping()  # anything the follow-up's end would still publish is out by now
        assert [(o.operation.app_session_id, o.applied) for o in outcomes] == [(again.app_session_id, True)]
        assert proxy.seen[CREATE] == 2

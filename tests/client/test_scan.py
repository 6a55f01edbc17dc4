"""A full get_app_sessions scan while sessions move: each once, none skipped (difference #7)."""

from __future__ import annotations

import pytest

from tests.client.helpers import definition, ready_client, sandbox, split, submit_kwargs, wallets


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_scan_survives_a_session_moving_to_the_front(dialect: str) -> None:
    async with sandbox(dialect) as node:
        a, b = wallets(node)
        client = await ready_client(node.url, dialect, a)
        try:
            ids = []
            for _ in range(5):
                created = await client.create_app_session(definition(dialect, a, b), split(a, b, 0, 0), [a])
                ids.append(created.app_session_id)
            scanned = []
            async for session in client.iter_app_sessions(participant=a.address, page_size=2):
                scanned.append(session.app_session_id)
                if len(scanned) == 2:  # someone moves the oldest session while we read
                    await client.submit_app_state(ids[0], split(a, b, 0, 0), [a], **submit_kwargs(dialect, 2))
            assert sorted(scanned) == sorted(ids)
        finally:
            await client.close()

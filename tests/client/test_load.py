"""The client under a flooding load (issue 11 §2 last bullet, §4): prompt errors, bounded queues."""

from __future__ import annotations

import asyncio

import pytest

from nitro_desktop.client import ClearNodeClient, ClearNodeError
from tests.client.helpers import FAST, sandbox


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_rate_limit_error_answers_the_request_it_refused(dialect: str) -> None:
    # The client would wait 60 s for an answer that never names its request.
    async with sandbox(dialect, rate_limit=1.0) as node:
        client = ClearNodeClient(node.url, dialect, timeout=60.0, backoff=FAST)
        await client.connect()
        try:
            results = await asyncio.gather(*(client.ping() for _ in range(8)), return_exceptions=True)
            refused = [r for r in results if isinstance(r, BaseException)]
            assert refused, "a flood of 8 requests against 1 request/s must be limited"
            for error in refused:
                assert isinstance(error, ClearNodeError), repr(error)
                assert error.message == "too many requests" and error.method == "ping"
            assert len({e.request_id for e in refused}) == len(refused)  # each under its own id
            assert client.stats.responses_unmatched == 0 and client.stats.timeouts == 0
        finally:
            await client.close()

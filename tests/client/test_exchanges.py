"""The client keeps the exact frames of answered requests: what was signed and what came back."""

from __future__ import annotations

import json

import pytest

from nitro_desktop.client import Exchange
from nitro_desktop.protocol import app_session_id, recover_signers
from tests.client.helpers import definition, ready_client, sandbox, split, wallets
from tests.client.proxy import FaultProxy


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_exchange_log_holds_the_signed_request_and_the_broker_signed_answer(dialect: str) -> None:
    async with sandbox(dialect) as node:
        a, b = wallets(node)
        client = await ready_client(node.url, dialect, a)
        try:
            session = await client.create_app_session(definition(dialect, a, b), split(a, b, 10, 0), [a])
            exchange = client.exchanges.last("create_app_session")
            assert exchange is not None and exchange.method == "create_app_session"
            assert recover_signers(exchange.request) == [a.address]
            assert json.loads(exchange.request)["req"][0] == exchange.request_id
            assert recover_signers(exchange.response) == [node.broker_address]
            assert session.app_session_id in exchange.response
            # A refusal is kept too, with the server's own frame.
            with pytest.raises(Exception, match="insufficient funds"):
                await client.create_app_session(definition(dialect, a, b), split(a, b, 10**9, 0), [a])
            refused = client.exchanges.last("create_app_session")
            assert refused is not None and refused.request_id != exchange.request_id
            assert "insufficient funds" in refused.response
            assert client.exchanges.last("no_such_method") is None
        finally:
            await client.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_a_create_recovered_after_a_drop_keeps_its_own_frame_by_request_id(dialect: str) -> None:
    """Two creates; the second's answer is lost and recovered through a reconnect.

    Its exchange is found by its own request id (ids never repeat across reconnects),
    not confused with the first create's, which is still the last *answered* one.
    """
    async with sandbox(dialect) as node:
        proxy = await FaultProxy(node.url).start()
        a, b = wallets(node)
        client = await ready_client(proxy.url, dialect, a)
        try:
            first: list[Exchange] = []
            one = await client.create_app_session(
                definition(dialect, a, b), split(a, b, 10, 0), [a], on_sent=first.append
            )
            d2 = definition(dialect, a, b)
            proxy.drop_after("create_app_session")
            second: list[Exchange] = []
            two = await client.create_app_session(d2, split(a, b, 5, 0), [a], on_sent=second.append)
            assert two.app_session_id == app_session_id(d2, dialect) != one.app_session_id
            assert client.stats.reconnects == 1 and proxy.seen["create_app_session"] == 2
            (sent_one,), (sent_two,) = first, second
            assert (
                json.loads(sent_two.request)["req"][0]
                == sent_two.request_id
                == proxy.sent_ids["create_app_session"][-1]
            )
            assert recover_signers(sent_two.request) == [a.address]
            assert sent_two.request != sent_one.request
            # The log answers by request id: the first with its answer, the second with its frame only.
            assert client.exchanges.get(sent_one.request_id).response  # type: ignore[union-attr]
            assert client.exchanges.get(sent_two.request_id) == sent_two  # its answer never came
            # After the reconnect the client's ids ran on: no later request reused the lost one's id.
            assert await client.ping() >= 0
            assert client.exchanges.get(sent_two.request_id) == sent_two
        finally:
            await client.close()
            await proxy.stop()

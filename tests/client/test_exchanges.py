"""The client keeps the exact frames of answered requests: what was signed and what came back."""

from __future__ import annotations

import json

import pytest

from nitro_desktop.protocol import recover_signers
from tests.client.helpers import definition, ready_client, sandbox, split, wallets


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

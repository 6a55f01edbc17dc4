"""The broker seen first is the broker: a reconnect that finds another one is refused, nothing is sent."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

import pytest

from nitro_desktop.client import ConnectionState, NotConnected
from tests.client.helpers import definition, ready_client, sandbox, split, wallets
from tests.client.proxy import FaultProxy

BROKER_KEY_A = "0x" + "11" * 32
BROKER_KEY_B = "0x" + "22" * 32


@pytest.mark.asyncio
@pytest.mark.parametrize("pinned", [False, True], ids=["first-use", "expected_broker"])
async def test_a_reconnect_to_another_broker_is_refused_before_auth_or_signing(
    pinned: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nitro_desktop.client")
    async with sandbox("0.2", broker_key=BROKER_KEY_A) as node_a:
        # The proxy stays put while the node behind it is replaced: it counts what reaches it.
        proxy = await FaultProxy(node_a.url).start()
        a, b = wallets(node_a)
        expected = node_a.broker_address if pinned else None
        client = await ready_client(proxy.url, "0.2", a, expected_broker=expected)
        broker_a, port = node_a.broker_address, node_a.port
    try:
        async with sandbox("0.2", port=port, broker_key=BROKER_KEY_B) as node_b:
            node_b.fund(a.address, "usdc", 100)
            broker_b = node_b.broker_address
            assert broker_b != broker_a
            auth_before = proxy.seen["auth_request"] + proxy.seen["auth_verify"]

            status = await client.wait_for_state(ConnectionState.DISCONNECTED, 15)
            assert status.fatal
            assert status.last_error and broker_a in status.last_error and broker_b in status.last_error
            assert proxy.seen["auth_request"] + proxy.seen["auth_verify"] == auth_before

            with pytest.raises(NotConnected) as info:
                await client.create_app_session(definition("0.2", a, b), split(a, b, 100, 0), [a])
            assert broker_b in str(info.value)
            assert proxy.seen["create_app_session"] == 0
            assert node_b.balances(a.address) == {"usdc": Decimal(100)}  # nothing locked on the impostor

            connections = proxy.connections
            await asyncio.sleep(0.3)  # the backoff is 10-50 ms: a retry loop would have knocked again
            assert proxy.connections == connections
            refusals = [
                r.getMessage()
                for r in caplog.records
                if r.levelno >= logging.ERROR and broker_a in r.getMessage() and broker_b in r.getMessage()
            ]
            assert refusals, "the log names the expected and the seen broker"
    finally:
        await client.close()
        await proxy.stop()

"""Connect, get_config, broker pin, EIP-712 auth, JWT re-auth on a new socket, balances."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from nitro_desktop.client import BrokerMismatch, ClearNodeClient, ConnectionState
from nitro_desktop.protocol import RawKeySigner
from tests.live.conftest import FrameRecorder, LiveTarget
from tests.live.helpers import APP, FAST, balance, client_for, stranger


@pytest.mark.asyncio
async def test_config_and_broker_pin(target: LiveTarget, frames: FrameRecorder) -> None:
    client = await client_for(target, frames)
    try:
        config = await client.get_config()
        assert config.broker_address == client.broker_address
        assert config.broker_address and config.broker_address.startswith("0x")
        assert await client.ping() >= 0
    finally:
        await client.close()
    pinned = frames.watch(
        ClearNodeClient(target.url, target.dialect, timeout=5, expected_broker=config.broker_address)
    )
    await pinned.connect()
    await pinned.close()
    other = RawKeySigner.generate().address
    wrong = frames.watch(
        ClearNodeClient(target.url, target.dialect, timeout=5, backoff=FAST, expected_broker=other)
    )
    with pytest.raises(BrokerMismatch):
        await wrong.connect()
    await wrong.close()


@pytest.mark.asyncio
async def test_auth_then_jwt_on_a_new_socket(target: LiveTarget, frames: FrameRecorder) -> None:
    wallet = target.wallets()[0]
    client = await client_for(target, frames, wallet)
    try:
        assert client.address == wallet.address
        first = client.exchanges.last("auth_verify")
        assert first is not None and '"challenge"' in first.request
        assert json.loads(first.response)["res"][1] == "auth_verify"
        client.drop_connection("live test: new socket")
        await client.wait_for_state(ConnectionState.RECONNECTING, 10)
        await client.wait_for_state(ConnectionState.READY, 20)
        again = client.exchanges.last("auth_verify")
        assert again is not None and again is not first
        assert '"jwt"' in again.request, again.request
        assert json.loads(again.response)["res"][1] == "auth_verify"
        assert await balance(client, target.asset) > 0
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_balances_of_every_key(target: LiveTarget, frames: FrameRecorder) -> None:
    for wallet in target.wallets()[:3]:
        client = await client_for(target, frames, wallet)
        try:
            assert await balance(client, target.asset) > 0, wallet.address
        finally:
            await client.close()


@pytest.mark.asyncio
async def test_login_again_after_the_session_key_expired(target: LiveTarget, frames: FrameRecorder) -> None:
    """A login after the first login's session key expired must still work.

    The first login's key expires after 2 s here (the GUI's is 24 h): a login after that
    moment is what a user does the next day.
    """
    wallet = stranger()
    client = await client_for(target, frames)
    try:
        await client.authenticate(wallet, app_name=APP, expires=int(time.time()) + 2)
    finally:
        await client.close()
    await asyncio.sleep(3.5)
    later = await client_for(target, frames)
    try:
        await later.authenticate(wallet, app_name=APP)
        assert later.address == wallet.address
    finally:
        await later.close()


@pytest.mark.asyncio
async def test_wallet_login_after_another_session_key(target: LiveTarget, frames: FrameRecorder) -> None:
    """A wallet that once registered a separate session key can still log in from the GUI."""
    wallet, key = stranger(), stranger()
    client = await client_for(target, frames)
    try:
        await client.authenticate(wallet, session_key=key, app_name=APP)
    finally:
        await client.close()
    later = await client_for(target, frames)
    try:
        await later.authenticate(wallet, app_name=APP)
        assert later.address == wallet.address
    finally:
        await later.close()

"""Logins keep working across days and across the node's session-key rules (differences #1, #2)."""

from __future__ import annotations

import time

import pytest

from nitro_desktop.client import AuthenticationError, ClearNodeClient
from nitro_desktop.protocol import RawKeySigner
from tests.client.helpers import APP, FAST, sandbox

DAY = 24 * 3600


async def _client(url: str, dialect: str) -> ClearNodeClient:
    client = ClearNodeClient(url, dialect, timeout=2.0, backoff=FAST)
    await client.connect()
    return client


@pytest.mark.asyncio
async def test_login_the_next_day_after_the_first_key_expired() -> None:
    """0.5 never extends a registered key: the second login, a day later, must not reuse it."""
    now = [time.time()]
    async with sandbox("0.5", clock=lambda: now[0], timestamp_window=None) as node:
        wallet = RawKeySigner.generate()
        client = await _client(node.url, "0.5")
        try:
            await client.authenticate(wallet, app_name=APP, expires=int(now[0]) + DAY)
        finally:
            await client.close()
        now[0] += DAY + 3600
        later = await _client(node.url, "0.5")
        try:
            result = await later.authenticate(wallet, app_name=APP, expires=int(now[0]) + DAY)
            assert result.success and later.address == wallet.address
        finally:
            await later.close()


@pytest.mark.asyncio
async def test_an_expired_key_chosen_by_the_caller_is_explained() -> None:
    now = [time.time()]
    async with sandbox("0.5", clock=lambda: now[0], timestamp_window=None) as node:
        wallet, key = RawKeySigner.generate(), RawKeySigner.generate()
        client = await _client(node.url, "0.5")
        try:
            await client.authenticate(wallet, session_key=key, app_name=APP, expires=int(now[0]) + 60)
            now[0] += 120
            with pytest.raises(AuthenticationError) as refused:
                await client.authenticate(wallet, session_key=key, app_name=APP, expires=int(now[0]) + 60)
        finally:
            await client.close()
    assert "session key already exists but is expired" in refused.value.message
    assert "log in with a new session key" in refused.value.message


@pytest.mark.asyncio
async def test_02_wallet_login_after_it_registered_another_key() -> None:
    """0.2 refuses the wallet as its own signer once it has another: the login uses a new key."""
    async with sandbox("0.2") as node:
        wallet, key = RawKeySigner.generate(), RawKeySigner.generate()
        node.fund(wallet.address, "usdc", 5)
        client = await _client(node.url, "0.2")
        try:
            await client.authenticate(wallet, session_key=key, app_name=APP)
        finally:
            await client.close()
        for _ in range(2):  # and again: the scheme keeps working
            later = await _client(node.url, "0.2")
            try:
                await later.authenticate(wallet, app_name=APP)
                assert later.address == wallet.address
                # requests signed by the wallet itself are still its own
                assert [b.amount for b in await later.get_ledger_balances()] == [5]
            finally:
                await later.close()


@pytest.mark.asyncio
async def test_02_separate_key_after_the_wallet_logged_in_as_itself_is_explained() -> None:
    async with sandbox("0.2") as node:
        wallet, key = RawKeySigner.generate(), RawKeySigner.generate()
        client = await _client(node.url, "0.2")
        try:
            await client.authenticate(wallet, app_name=APP)
            with pytest.raises(AuthenticationError) as refused:
                await client.authenticate(wallet, session_key=key, app_name=APP)
            await client.authenticate(wallet, app_name=APP)  # the wallet itself still works
        finally:
            await client.close()
    assert "wallet is already in use as a signer" in refused.value.message
    assert "log in without a session key" in refused.value.message

"""The client against the sandbox ClearNode over real loopback sockets, in both dialects."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from nitro_desktop.client import (
    AuthenticationError,
    ClearNodeClient,
    ClearNodeError,
    ConnectionState,
    OverflowPolicy,
)
from nitro_desktop.protocol import (
    AppSessionUpdate,
    BalanceUpdate,
    RawKeySigner,
    app_session_id,
)
from tests.client.helpers import (
    APP,
    KEY_A,
    definition,
    ready_client,
    sandbox,
    split,
    submit_kwargs,
    wallets,
)

DIALECTS = ["0.2", "0.5"]


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_full_flow(dialect: str) -> None:
    async with sandbox(dialect) as node:
        a, b = wallets(node)
        client = await ready_client(node.url, dialect, a)
        events = client.subscribe(maxsize=100, policy=OverflowPolicy.DROP_OLDEST)
        try:
            assert client.state is ConnectionState.READY and client.address == a.address
            assert client.broker_address == node.broker_address
            assert (await client.get_config()).broker_address == node.broker_address
            assert {x.symbol for x in await client.get_assets()} >= {"usdc"}
            assert await client.ping() < 1
            assert [(x.asset, x.amount) for x in await client.get_ledger_balances()] == [
                ("usdc", Decimal(100))
            ]

            d = definition(dialect, a, b)
            created = await client.create_app_session(d, split(a, b, 10, 0), [a])
            assert created.app_session_id == app_session_id(d, dialect)
            assert (created.status, created.version) == ("open", 1)
            fetched = await client.get_app_definition(created.app_session_id)
            # v0.5.2 never returns the application (docs/protocol-notes.md #8): the rest matches.
            assert fetched.application == "" or dialect == "0.2"
            assert (
                app_session_id(replace(fetched, application=d.application), dialect) == created.app_session_id
            )

            sid = created.app_session_id
            submitted = await client.submit_app_state(
                sid, split(a, b, 6, 4), [a], **submit_kwargs(dialect, 2)
            )
            assert (submitted.status, submitted.version) == ("open", 2)
            closed = await client.close_app_session(sid, split(a, b, 6, 4), [a])
            assert (closed.status, closed.version) == ("closed", 3)

            for _ in range(2):  # two more, to page through three
                await client.create_app_session(definition(dialect, a, b), split(a, b, 1, 0), [a])
            listed = await client.get_app_sessions(participant=a.address)
            assert len(listed) == 3 and sid in {s.app_session_id for s in listed}
            paged = [
                s.app_session_id async for s in client.iter_app_sessions(participant=a.address, page_size=1)
            ]
            assert sorted(paged) == sorted(s.app_session_id for s in listed)
            assert [
                s.status for s in await client.get_app_sessions(participant=a.address, status="closed")
            ] == ["closed"]
            assert [(x.asset, x.amount) for x in await client.get_ledger_balances()] == [
                ("usdc", Decimal(94))
            ]

            await asyncio.sleep(0.05)
            seen = []
            while (event := events.get_nowait()) is not None:
                seen.append(event)
            balances = [e for e in seen if isinstance(e, BalanceUpdate)]
            assert balances and balances[-1].balances[0].amount == Decimal(94)
            if dialect == "0.5":  # asu exists from ClearNode v0.5 (PROTOCOL.md §6)
                updates = [e for e in seen if isinstance(e, AppSessionUpdate)]
                assert updates and updates[0].app_session.app_session_id == sid
        finally:
            await client.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_server_errors_surface_with_exact_text(dialect: str) -> None:
    async with sandbox(dialect) as node:
        a, b = wallets(node, amount=5)
        anon = ClearNodeClient(node.url, dialect, timeout=2.0)
        await anon.connect()
        with pytest.raises(ClearNodeError) as info:
            await anon.get_ledger_balances()
        assert info.value.message == "authentication required" and info.value.method == "get_ledger_balances"
        assert info.value.request_id > 0
        await anon.close()

        client = await ready_client(node.url, dialect, a)
        try:
            cases = [
                (split(a, b, 50, 0), [a], f"insufficient funds: {a.address} for asset usdc"),
                (split(a, b, 1, 0), [b], f"missing signature for participant {a.address}"),
            ]
            for allocations, signers, text in cases:
                with pytest.raises(ClearNodeError) as info:
                    await client.create_app_session(definition(dialect, a, b), allocations, signers)
                assert info.value.message == text == str(info.value)
                assert info.value.method == "create_app_session"
            d = definition(dialect, a, b)
            one_party = type(d)(d.protocol, (a.address,), (100,), 100, 0, d.nonce, application=APP)
            with pytest.raises(ClearNodeError, match=r"^invalid number of participants$"):
                await client.create_app_session(one_party, split(a, b, 1, 0)[:1], [a])
            assert client.pending_operations == ()  # a refusal is an answer: nothing to reconcile
        finally:
            await client.close()


@pytest.mark.asyncio
async def test_refused_authentication_is_an_error_and_keeps_the_connection() -> None:
    class WrongKey:  # claims one address, signs with another key
        def __init__(self) -> None:
            self.address = RawKeySigner.generate().address
            self._other = RawKeySigner.generate()

        def unsafe_sign_hash(self, digest: bytes) -> bytes:
            return self._other.unsafe_sign_hash(digest)

    async with sandbox("0.2") as node:
        client = ClearNodeClient(node.url, "0.2", timeout=2.0)
        await client.connect()
        with pytest.raises(AuthenticationError) as info:
            await client.authenticate(WrongKey(), app_name=APP)
        assert info.value.message == "invalid challenge or signature"
        assert client.state is ConnectionState.READY and client.address is None
        assert client.status.last_error == "invalid challenge or signature"
        await client.ping()
        await client.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_logs_carry_no_secrets(dialect: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="nitro_desktop.client")
    async with sandbox(dialect) as node:
        a, b = wallets(node)
        client = await ready_client(node.url, dialect, a)
        jwt = client._link._jwt
        d = definition(dialect, a, b)
        await client.create_app_session(d, split(a, b, 3, 0), [a])
        client.drop_connection("test")
        await client.wait_for_state(ConnectionState.RECONNECTING, 5)
        await client.wait_for_state(ConnectionState.READY, 5)
        await client.get_ledger_balances()
        await client.close()
    text = caplog.text
    assert "→" in text and "←" in text and "create_app_session" in text  # frames are logged…
    assert KEY_A not in text.lower()  # …but never a key,
    assert jwt and jwt not in text  # never a whole token,
    assert not re.search(r"0x[0-9a-fA-F]{100,}", text)  # never a whole signature


@pytest.mark.asyncio
async def test_transfer_and_session_keys() -> None:
    async with sandbox("0.5") as node:
        a, b = wallets(node)
        key = RawKeySigner.generate()
        client = ClearNodeClient(node.url, "0.5", timeout=2.0)
        await client.connect()
        try:
            await client.authenticate(a, session_key=key, app_name=APP, allowances=[("usdc", "50")])
            moved = await client.transfer([("usdc", "5")], destination=b.address)  # signed by the session key
            assert moved and node.balances(b.address) == {"usdc": Decimal(5)}
            keys = await client.get_session_keys()
            assert key.address in {k.get("session_key") for k in keys}
            revoked = await client.revoke_session_key(key.address)
            assert revoked.get("session_key") == key.address
        finally:
            await client.close()

"""The session core without Qt: connect, create, update, close, merge, passwords, events.

Every test runs the core against the app's own sandbox ClearNode on 127.0.0.1 (through
``nitro_desktop.app.local_sandbox_factory``, as the app composes it).
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.client import ClearNodeClient, ConnectionState
from nitro_desktop.flows import UpdateSessionFlow
from nitro_desktop.protocol import Allocation, AppDefinition, RawKeySigner, definition_from_dict
from nitro_desktop.wallet.endpoints import SANDBOX_NAME
from nitro_desktop.wallet.events import SessionsChanged
from nitro_desktop.wallet.unlock import PASSWORD_ATTEMPTS, RETRY_NOTE
from tests.wallet.helpers import BOB_KEY, create_flow, request_id_and_method, wallet_rig


@pytest.mark.asyncio
async def test_connect_authenticates_loads_balances_and_says_so(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        await rig.wallet.connect_to(SANDBOX_NAME, rig.me)
        client = rig.wallet.client
        assert client is not None and client.state is ConnectionState.READY
        assert client.address == rig.me  # authenticated as the account
        # The sandbox the factory handed in funded the new account with its grant.
        assert rig.wallet.sandbox is not None and client.url == rig.wallet.sandbox.url
        assert rig.wallet.balances == {"usdc": Decimal(1000), "eth": Decimal(1)}
        assert {"usdc", "eth"} <= set(rig.wallet.assets)
        heard = rig.heard.events
        assert heard["ready_changed"] == [False, True]
        assert heard["balances_changed"][-1] == {"usdc": Decimal(1000), "eth": Decimal(1)}
        assert heard["status_changed"][-1].state is ConnectionState.READY
        assert heard["problem"] == []


@pytest.mark.asyncio
async def test_each_create_is_one_history_record_with_its_own_frames(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        await rig.wallet.connect_to(SANDBOX_NAME, rig.me)
        first = await rig.wallet.create_session(create_flow(rig.wallet, 10))
        second = await rig.wallet.create_session(create_flow(rig.wallet, 5))
        assert (first.status, first.version) == ("open", 1)
        assert rig.store.sessions.count() == 2
        client = rig.wallet.client
        assert client is not None
        ids = set()
        for result in (first, second):
            saved = rig.store.sessions.get(result.app_session_id)
            assert saved is not None and saved.origin == "created"
            request_id, method = request_id_and_method(saved.request_frame)
            assert method == "create_app_session"
            # The frames are those of this session's own request, as the client logged them.
            exchange = client.exchanges.get(request_id)
            assert exchange is not None
            assert (saved.request_frame, saved.response_frame) == (exchange.request, exchange.response)
            assert request_id_and_method(saved.response_frame)[0] == request_id
            ids.add(request_id)
        assert len(ids) == 2
        assert rig.heard.events["sessions_changed"] == [
            SessionsChanged((first.app_session_id,), first.app_session_id),
            SessionsChanged((second.app_session_id,), second.app_session_id),
        ]
        assert rig.wallet.balances["usdc"] == Decimal(985)  # the bu notification moved them


@pytest.mark.asyncio
async def test_update_then_close_are_recorded_with_their_frames(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_NAME, rig.me)
        flow = create_flow(wallet, 10)
        created = await wallet.create_session(flow)
        sid = created.app_session_id
        other = flow.participants[1].address

        def update_flow(kind: str) -> UpdateSessionFlow:
            saved = wallet.store.sessions.get(sid)
            assert saved is not None and wallet.endpoint is not None
            current = {
                (a["participant"], a["asset"]): Decimal(a["amount"])
                for a in json.loads(saved.allocations_json)
            }
            return UpdateSessionFlow(
                kind,
                wallet.endpoint.dialect,  # type: ignore[arg-type]
                sid,
                definition_from_dict(json.loads(saved.definition_json)),
                saved.version,
                [rig.me],
                dict(wallet.assets),
                current,
            )

        submit = update_flow("submit")
        submit.amounts = {0: "6", 1: "4"}
        assert (await wallet.update_session(submit)).version == 2
        saved = wallet.store.sessions.get(sid)
        assert saved is not None and (saved.status, saved.version) == ("open", 2)
        assert request_id_and_method(saved.request_frame)[1] == "submit_app_state"
        assert request_id_and_method(saved.response_frame)[0] == request_id_and_method(saved.request_frame)[0]
        assert {a["participant"]: a["amount"] for a in json.loads(saved.allocations_json)} == {
            rig.me: "6",
            other: "4",
        }

        closing = update_flow("close")
        assert [closing.amounts[0], closing.amounts[1]] == ["6", "4"]
        await wallet.update_session(closing)
        saved = wallet.store.sessions.get(sid)
        assert saved is not None and (saved.status, saved.version) == ("closed", 3)
        assert request_id_and_method(saved.request_frame)[1] == "close_app_session"
        assert [h.version for h in wallet.store.sessions.history(sid)] == [1, 2, 3]
        assert wallet.sandbox is not None and wallet.sandbox.balances(other)["usdc"] == Decimal(4)
        assert [c.selected for c in rig.heard.events["sessions_changed"]][-2:] == [sid, sid]


@pytest.mark.asyncio
async def test_sessions_found_on_the_server_are_merged_once(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_NAME, rig.me)
        assert wallet.sandbox is not None and wallet.client is not None
        bob = RawKeySigner(BOB_KEY)
        wallet.sandbox.fund(bob.address, "usdc", "50")
        async with ClearNodeClient(wallet.client.url, "0.2") as theirs:
            await theirs.authenticate(bob, app_name="Bob's game")
            definition = AppDefinition("NitroRPC/0.2", (bob.address, rig.me), (100, 0), 100, 0, 42)
            made = await theirs.create_app_session(
                definition,
                [Allocation(bob.address, "usdc", Decimal(20)), Allocation(rig.me, "usdc", Decimal(0))],
                [bob],
            )
        assert await wallet.refresh_from_server() == 1
        saved = wallet.store.sessions.get(made.app_session_id)
        assert saved is not None and (saved.origin, saved.status, saved.version) == ("server", "open", 1)
        assert saved.request_frame is None  # none of ours crossed the wire for it
        assert rig.heard.events["sessions_changed"] == [SessionsChanged((made.app_session_id,), None)]
        assert await wallet.refresh_from_server() == 1
        assert wallet.store.sessions.count() == 1
        assert [h.version for h in wallet.store.sessions.history(made.app_session_id)] == [1]


@pytest.mark.asyncio
async def test_a_wrong_password_is_asked_again_with_a_note(tmp_path: Path) -> None:
    asked: list[tuple[str, str]] = []
    answers = iter(["wrong", "correct horse battery"])

    async def prompt(address: str, note: str) -> str | None:
        asked.append((address, note))
        return next(answers)

    async with wallet_rig(tmp_path, password="correct horse battery", prompt=prompt) as rig:
        await rig.wallet.connect_to(SANDBOX_NAME, rig.me)
        assert asked == [(rig.me, ""), (rig.me, RETRY_NOTE)]
        assert rig.heard.events["ready_changed"] == [False, True]


@pytest.mark.asyncio
async def test_a_cancelled_password_stops_the_login_and_nothing_is_ready(tmp_path: Path) -> None:
    async def cancel(address: str, note: str) -> str | None:
        return None

    async with wallet_rig(tmp_path, password="correct horse battery", prompt=cancel) as rig:
        with pytest.raises(PermissionError, match="no password given"):
            await rig.wallet.connect_to(SANDBOX_NAME, rig.me)
        assert rig.heard.events["ready_changed"] == [False]
        assert rig.wallet.client is not None and rig.wallet.client.address is None  # never authenticated


@pytest.mark.asyncio
async def test_wrong_passwords_give_up_after_the_last_attempt(tmp_path: Path) -> None:
    asked: list[str] = []

    async def wrong(address: str, note: str) -> str | None:
        asked.append(note)
        return "wrong"

    async with wallet_rig(tmp_path, password="correct horse battery", prompt=wrong) as rig:
        with pytest.raises(PermissionError, match=f"{PASSWORD_ATTEMPTS} times"):
            await rig.wallet.connect_to(SANDBOX_NAME, rig.me)
        assert len(asked) == PASSWORD_ATTEMPTS


@pytest.mark.asyncio
async def test_shutdown_stops_the_round_trip_meter_and_the_sandbox(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        await rig.wallet.connect_to(SANDBOX_NAME, rig.me)
        sandbox = rig.wallet.sandbox
        assert sandbox is not None
        url = sandbox.url
        await rig.wallet.shutdown()
        assert rig.wallet.client is None and rig.wallet.sandbox is None
        assert [t for t in asyncio.all_tasks() if t.get_name() == "Measuring the round trip"] == []
        with pytest.raises(OSError):
            async with ClearNodeClient(url, "0.2", timeout=1.0) as late:
                await late.ping()

"""Notifications (issue 16): someone else moves or closes one of your sessions, and a signing request
you saved comes back complete. Offscreen there is no tray, so they show in the window's banner."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop import signing
from nitro_desktop.client import ClearNodeClient
from nitro_desktop.flows import CreateSessionFlow
from nitro_desktop.protocol import Allocation, AppDefinition, RawKeySigner
from nitro_desktop.ui.notifier import WATCHED, Notifier
from nitro_desktop.wallet.endpoints import SANDBOX_05_NAME
from nitro_desktop.wallet.events import SessionNotice
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import add_account, choose_endpoint, ready

BOB = RawKeySigner("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")


@pytest.mark.asyncio
async def test_a_session_someone_else_moves_then_closes_is_notified(profile: Profile) -> None:
    me = add_account(profile)
    choose_endpoint(profile, SANDBOX_05_NAME)
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        await ready(run)
        notifier: Notifier = run.window.notifier
        assert notifier.tray is None  # offscreen: no tray, so the banner says it
        banner = run.window.banner
        assert not banner.isVisible()
        run.wallet.sandbox.fund(BOB.address, "usdc", "50")
        definition = AppDefinition("NitroRPC/0.4", (BOB.address, me), (100, 100), 100, 0, 4343)
        async with ClearNodeClient(run.wallet.client.url, "0.5") as theirs:
            await theirs.authenticate(BOB, app_name="Bob's game")
            made = await theirs.create_app_session(
                definition,
                [Allocation(BOB.address, "usdc", Decimal(20)), Allocation(me, "usdc", Decimal(0))],
                [BOB],
            )
            sid = made.app_session_id
            run.window.act_refresh.trigger()
            await until(lambda: run.window.model.rowCount() == 1, what="the merged row")
            assert not banner.isVisible()  # finding a session is not news

            split = [Allocation(BOB.address, "usdc", Decimal(5)), Allocation(me, "usdc", Decimal(15))]
            await theirs.submit_app_state(sid, split, [BOB], intent="operate", version=2)
            await until(banner.isVisible, what="the banner")
            assert banner.text.accessibleName() == (
                f"Session moved. Someone else moved session {sid[:10]}… to version 2."
            )
            banner.dismiss.click()
            assert not banner.isVisible()

            split = [Allocation(BOB.address, "usdc", Decimal(1)), Allocation(me, "usdc", Decimal(19))]
            await theirs.submit_app_state(sid, split, [BOB], intent="operate", version=3)
            await until(banner.isVisible, what="the banner again")
        assert banner.text.accessibleName() == (
            f"Session moved. Someone else moved session {sid[:10]}… to version 3."
        )
        # (The sandbox announces submits only; a node that announces a close is told as a close.)
        run.wallet.events.moved_by_others.emit(
            SessionNotice(sid, "closed", 4, f"Someone else closed session {sid[:10]}… (version 4).")
        )
        assert banner.text.accessibleName().startswith("Session closed. Someone else closed session")
        assert [n.title for n in notifier.recent] == ["Session moved", "Session moved", "Session closed"]
        run.window.table.clearSelection()
        assert banner.action.isVisible() and banner.action.text() == "&Show"
        banner.action.click()  # shows the session in the list
        assert run.window.selected() is not None and run.window.selected().app_session_id == sid
        assert not banner.isVisible()


@pytest.mark.asyncio
async def test_a_saved_signing_request_that_comes_back_complete_is_notified(
    profile: Profile, tmp_path: Path
) -> None:
    me = add_account(profile)
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        await ready(run)
        flow = CreateSessionFlow(
            "0.2",
            local_accounts=[me],
            assets={"usdc": 6},
            balances={(me, "usdc"): Decimal(1000)},
            now_ms=1735689600000,
        )
        flow.participants[1].address = BOB.address
        flow.allocations[0].amount = "10"
        flow.allocations[1].amount = "5"  # Bob puts funds in: his signature is needed
        mine = (await run.wallet.unlocked_signers([me]))[0]
        request = signing.sign_all(signing.request_for(flow, run.wallet.client.url), [mine])
        path = tmp_path / "game.nitroreq"
        signing.save(request, path)
        run.window.menu_actions.follow_request(str(path), request)
        assert run.window.notifier.requests.paths() == [str(path.resolve())]
        assert run.window.settings.value("notify/requests") in ([str(path.resolve())], str(path.resolve()))

        # Bob signs the file on his computer and it comes back (written over the one sent).
        signing.save(signing.sign(request, BOB), path)
        banner = run.window.banner
        await until(banner.isVisible, what="the banner")
        assert banner.text.accessibleName() == (
            "Signing request complete. game.nitroreq has every signature it needs: open it to submit."
        )
        assert run.window.notifier.requests.paths() == []  # told once, then let go
        banner.action.click()
        dialog = await until(lambda: run.window.menu_actions.signing_dialog, what="the signing dialog")
        assert dialog.path == path and dialog.submit_button.isEnabled()
        dialog.close()


@pytest.mark.asyncio
async def test_followed_requests_are_bounded_and_survive_a_restart(profile: Profile, tmp_path: Path) -> None:
    me = add_account(profile)
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        await ready(run)
        flow = CreateSessionFlow("0.2", local_accounts=[me], assets={"usdc": 6}, now_ms=1735689600000)
        flow.participants[1].address = BOB.address
        flow.allocations[1].amount = "5"
        request = signing.request_for(flow, run.wallet.client.url)
        paths = []
        for i in range(WATCHED + 3):
            paths.append(tmp_path / f"r{i}.nitroreq")
            signing.save(request, paths[-1])
            run.window.menu_actions.follow_request(str(paths[-1]), request)
        assert run.window.notifier.requests.paths() == [str(p.resolve()) for p in paths[3:]]
        await app_runner.close(run)

        # Bob's signature arrives while the app is closed: the next start says so.
        signing.save(signing.sign(request, BOB), paths[-1])
        run = app_runner.open(profile)
        await ready(run)
        await until(run.window.banner.isVisible, what="the banner after the restart")
        assert f"{paths[-1].name} has every signature it needs" in run.window.banner.text.accessibleName()

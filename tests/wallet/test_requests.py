"""Signing requests (.nitroreq) go through the core: sent, then recorded by the one history writer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop import signing
from nitro_desktop.devnode import SandboxNode
from nitro_desktop.history import Draft, Frames, SessionHistory
from nitro_desktop.protocol import Allocation, AppDefinition, AppSession, AppSessionUpdate
from nitro_desktop.wallet.endpoints import SANDBOX_NAME
from nitro_desktop.wallet.events import SessionsChanged
from tests.wallet.helpers import OTHER, request_id_and_method, wallet_rig


def _definition(me: str, nonce: int) -> AppDefinition:
    return AppDefinition("NitroRPC/0.2", (me, OTHER), (100, 0), 100, 0, nonce, application="req-test")


@pytest.mark.asyncio
async def test_a_request_for_this_endpoint_is_sent_on_its_connection_and_recorded_with_both_frames(
    tmp_path: Path,
) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_NAME, rig.me)
        assert wallet.client is not None
        request = signing.create_request(
            wallet.client.url,
            "0.2",
            _definition(rig.me, 7),
            [Allocation(rig.me, "usdc", Decimal(3)), Allocation(OTHER, "usdc", Decimal(0))],
            created_by=rig.me,
        )
        request = signing.sign_all(request, await wallet.unlocked_signers([rig.me]))
        session = await wallet.submit_request(request)
        saved = wallet.store.sessions.get(session.app_session_id)
        assert saved is not None and (saved.status, saved.endpoint) == ("open", SANDBOX_NAME)
        assert saved.request_frame == request.frame_text()  # sent verbatim
        # The broker's answer to that very request is kept too (matched by its request id).
        assert saved.response_frame is not None
        assert request_id_and_method(saved.response_frame)[0] == request_id_and_method(saved.request_frame)[0]
        assert rig.heard.events["sessions_changed"] == [
            SessionsChanged((session.app_session_id,), session.app_session_id)
        ]


@pytest.mark.asyncio
async def test_a_request_for_another_endpoint_uses_its_own_connection(tmp_path: Path) -> None:
    node = SandboxNode(host="127.0.0.1", port=0, dialect="0.2")
    await node.start()
    try:
        async with wallet_rig(tmp_path) as rig:
            node.fund(rig.me, "usdc", "10")
            request = signing.create_request(
                node.url,
                "0.2",
                _definition(rig.me, 8),
                [Allocation(rig.me, "usdc", Decimal(4)), Allocation(OTHER, "usdc", Decimal(0))],
                created_by=rig.me,
            )
            request = signing.sign_all(request, await rig.wallet.unlocked_signers([rig.me]))
            assert rig.wallet.client is None  # not connected anywhere
            session = await rig.wallet.submit_request(request)
            saved = rig.store.sessions.get(session.app_session_id)
            assert saved is not None and (saved.endpoint, saved.account) == (node.url, rig.me)
            assert saved.request_frame == request.frame_text() and saved.response_frame is not None
            assert node.balances(rig.me)["usdc"] == Decimal(6)
    finally:
        await node.stop()


def test_history_applies_what_the_server_reports_and_says_who_moved_it(tmp_path: Path) -> None:
    from nitro_desktop.store import Store

    with Store.open(tmp_path / "data") as store:
        history = SessionHistory(store)
        draft = Draft("Local sandbox", OTHER, "NitroRPC/0.2", "", '{"participants": []}', "[]")
        history.created(draft, AppSession("0xabc", "open", 1), Frames("req", "res"))
        moved = AppSessionUpdate(AppSession("0xabc", "open", 4), ())
        assert history.session_update(moved) == "Someone else moved session 0xabc… to version 4."
        assert history.session_update(moved) == ""  # already there: nothing to say
        saved = store.sessions.get("0xabc")
        assert saved is not None and (saved.version, saved.request_frame, saved.response_frame) == (
            4,
            "req",
            "res",
        )

"""UI tasks live as long as their widget: closing cancels and awaits them, nothing reaches a deleted one.

The send is held in flight by the fault proxy (it swallows ``create_app_session``)
between the app and a real sandbox node on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QDialog

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.store import EndpointRecord, Store
from nitro_desktop.ui import tasks
from nitro_desktop.ui.wizard import CreateSessionWizard, SubmitPage
from tests.client.proxy import FaultProxy
from tests.ui.conftest import AppRunner, Profile, Running, until
from tests.ui.test_session_wizard import B, add_account, choose_endpoint, open_wizard, ready

SLOW = "Slow node"


@asynccontextmanager
async def stalled_node(profile: Profile) -> AsyncIterator[tuple[FaultProxy, str]]:
    """A funded account on a real node behind a proxy that never forwards a create."""
    me = add_account(profile)
    async with SandboxNode(port=0, dialect="0.2") as node:
        node.fund(me, "usdc", "1000")
        proxy = await FaultProxy(node.url).start()
        proxy.stall("create_app_session")
        with Store.open(profile.data_dir) as store:
            store.endpoints.save(EndpointRecord(SLOW, proxy.url, "0.2"))
        choose_endpoint(profile, SLOW)
        try:
            yield proxy, me
        finally:
            await proxy.stop()


@asynccontextmanager
async def watched_errors() -> AsyncIterator[list[Any]]:
    """Every error the loop or Python would only print: callbacks that raised, unraisable exceptions."""
    seen: list[Any] = []
    loop = asyncio.get_running_loop()
    previous_handler, previous_hook = loop.get_exception_handler(), sys.unraisablehook
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    sys.unraisablehook = seen.append
    try:
        yield seen
    finally:
        loop.set_exception_handler(previous_handler)
        sys.unraisablehook = previous_hook


async def send_from_wizard(run: Running, proxy: FaultProxy) -> tuple[CreateSessionWizard, SubmitPage]:
    wizard = await open_wizard(run)
    wizard.next()
    wizard.pages["participants"].table.item(1, 0).setText(B)
    wizard.next()
    wizard.pages["allocations"]._editors[0][1].setText("10")
    for _ in range(3):
        wizard.next()
    submit = wizard.pages["submit"]
    assert isinstance(submit, SubmitPage)
    await until(lambda: proxy.seen["create_app_session"] == 1, what="the create on the wire")
    assert submit.task is not None and not submit.task.done()
    return wizard, submit


def ui_tasks_left() -> list[asyncio.Task[Any]]:
    """Unfinished tasks running our UI or session-core code (the core's, the service's, the dialogs')."""
    ours = (os.path.join("nitro_desktop", "ui", ""), os.path.join("nitro_desktop", "wallet", ""))
    left = []
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        if code is not None and any(part in code.co_filename for part in ours):
            left.append(task)
    return left


@pytest.mark.asyncio
async def test_closing_the_wizard_while_it_sends(profile: Profile) -> None:
    async with stalled_node(profile) as (proxy, _me), AppRunner() as apps:
        run = apps.open(profile)
        await ready(run)
        wizard, submit = await send_from_wizard(run, proxy)
        task = submit.task
        assert task is not None
        async with watched_errors() as errors:
            wizard.close()  # WA_DeleteOnClose: the wizard and its pages are deleted
            await until(lambda: not shiboken6.isValid(wizard), what="the wizard deleted")
            await until(task.done, what="the send to end")
            for _ in range(5):  # let every callback scheduled by the cancellation run
                await asyncio.sleep(0.02)
        assert task.cancelled()
        assert errors == []
        assert run.store.sessions.count() == 0


@pytest.mark.asyncio
async def test_shutdown_returns_with_every_task_finished(profile: Profile) -> None:
    async with stalled_node(profile) as (proxy, _me), AppRunner() as apps:
        run = apps.open(profile)
        await ready(run)
        _wizard, submit = await send_from_wizard(run, proxy)
        assert ui_tasks_left()  # the send, the round-trip meter…
        async with watched_errors() as errors:
            await apps.close(run)  # the window's close, then the service's shutdown
            assert ui_tasks_left() == []
            assert tasks.unfinished() == set()
        assert submit.task is not None and submit.task.done()
        assert errors == []


@pytest.mark.asyncio
async def test_results_never_reach_a_deleted_owner() -> None:
    delivered: list[asyncio.Task[Any]] = []
    started = asyncio.Event()

    async def slow() -> str:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(0)  # cleanup that itself awaits: the owner is gone by now
            raise
        return "late"

    dialog = QDialog()
    task = tasks.spawn(dialog, slow(), on_done=delivered.append)
    await started.wait()
    async with watched_errors() as errors:
        shiboken6.delete(dialog)
        assert await tasks.settle([task]) == set()
        await asyncio.sleep(0)
    assert task.cancelled() and delivered == [] and errors == []

    # A closed dialog (not deleted) does hear that its task was cancelled.
    dialog = QDialog()
    task = tasks.spawn(dialog, slow(), on_done=delivered.append)
    dialog.open()
    await asyncio.sleep(0)
    dialog.reject()
    assert await tasks.settle([task]) == set()
    await asyncio.sleep(0)
    assert delivered == [task] and task.cancelled()
    dialog.deleteLater()

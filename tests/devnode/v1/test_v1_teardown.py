"""No connection task outlives ``stop()``, even when the test's loop stops between runs.

qasync's ``run_until_complete`` processes Qt events once more after it has cleared the
running loop: a server connection task finishing there fails in ``asyncio.current_task()``.
The node must collect that outcome; left to garbage collection, the loop reports
"Task exception was never retrieved" at a random later moment (on CPython 3.11, possibly
inside ``ast.parse``, which then fails with a SystemError).
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication
from websockets.asyncio.client import connect

from nitro_desktop.devnode import V1SandboxNode
from tests.devnode.v1.helper import V1Client


def test_stop_collects_every_connection_task_after_the_loop_paused() -> None:
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    node = V1SandboxNode()

    async def talk_then_leave() -> None:
        await node.start()
        for _ in range(3):
            async with connect(node.url) as ws:
                assert (await V1Client(ws).ok("node.v1.ping", {})) == {}

    try:
        # The test returns as the client's close completes: the server's tasks finish in the gap.
        loop.run_until_complete(talk_then_leave())
        loop.run_until_complete(node.stop())
        gc.collect()
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        loop.close()
    assert [c.get("message") for c in reported] == []

"""Shared test set-up: Qt offscreen, and qasync as the event loop of async tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

# The protocol vectors live beside the project, in ../shared (read at test time, never copied).
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
VECTORS = SHARED / "protocol" / "vectors"


def pytest_asyncio_loop_factories(config: object, item: object) -> Mapping[str, Callable[[], object]]:
    """Run every async test on a qasync loop, as the app does.

    A QApplication must exist first; pytest-qt's ``qapp`` fixture makes the same
    singleton, so creating it here is harmless when a test also asks for qtbot.
    """

    def make_loop() -> object:
        import qasync
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
        # Closing a test's last window must not stop the loop the test runs on.
        app.setQuitOnLastWindowClosed(False)
        return qasync.QEventLoop(app)

    return {"qasync": make_loop}


# ---- sandbox ClearNode fixtures (nitro_desktop.devnode) ----------------------------
import pytest_asyncio  # noqa: E402


@pytest_asyncio.fixture
async def sandbox_factory():  # type: ignore[no-untyped-def]
    """``await sandbox_factory(dialect="0.5", **kwargs)`` -> a started SandboxNode on a free port.

    Every node made is stopped at teardown.
    """
    from nitro_desktop.devnode import SandboxNode

    nodes: list[SandboxNode] = []

    async def make(**kwargs: object) -> SandboxNode:
        kwargs.setdefault("port", 0)
        node = SandboxNode(**kwargs)  # type: ignore[arg-type]
        await node.start()
        nodes.append(node)
        return node

    yield make
    for node in reversed(nodes):
        await node.stop()

"""Shared test set-up: an isolated desktop, Qt offscreen, and qasync as the event loop of async tests.

The suite never touches the real desktop of whoever runs it. Before anything else is
imported, the environment is replaced (and every child process inherits it): a HOME and
XDG folders of its own, the keyring's "fail" backend, and no DISPLAY, WAYLAND_DISPLAY or
D-Bus session bus, so nothing can reach the user's Secret Service, keyring prompt, windows
or files. Each test then gets a fresh HOME and XDG folders of its own (``isolated_desktop``).
A test that needs a keyring sets its own (an in-memory one); one that needs a display or
a bus starts its own.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

SAFE_KEYRING = "keyring.backends.fail.Keyring"
DESKTOP_VARIABLES = (
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "WAYLAND_SOCKET",
    "XAUTHORITY",
    "DBUS_SESSION_BUS_ADDRESS",
    "DESKTOP_SESSION",
    "XDG_SESSION_TYPE",
    "XDG_CURRENT_DESKTOP",
    "GNOME_KEYRING_CONTROL",
    "SSH_AUTH_SOCK",
    "NITRO_DESKTOP_DATA_DIR",
    "NITRO_DESKTOP_PASSWORD",
    "NITRO_DESKTOP_PRIVATE_KEY",
    "NITRO_DESKTOP_KEYSTORE_PASSWORD",
    "NITRO_DESKTOP_EXPORT_PASSWORD",
)
XDG_FOLDERS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_CACHE_HOME": ".cache",
    "XDG_STATE_HOME": ".local/state",
    "XDG_RUNTIME_DIR": "run",
}


def desktop_environment(home: Path) -> dict[str, str]:
    """The variables that make ``home`` the whole desktop: HOME, XDG folders (created), safe keyring."""
    values = {"HOME": str(home), "PYTHON_KEYRING_BACKEND": SAFE_KEYRING, "QT_QPA_PLATFORM": "offscreen"}
    for variable, relative in XDG_FOLDERS.items():
        folder = home / relative
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        values[variable] = str(folder)
    return values


_SUITE_HOME = Path(tempfile.mkdtemp(prefix="nitro-tests-home-"))
atexit.register(shutil.rmtree, _SUITE_HOME, ignore_errors=True)
for _variable in DESKTOP_VARIABLES:
    os.environ.pop(_variable, None)
os.environ.update(desktop_environment(_SUITE_HOME))
os.environ.setdefault("QT_API", "pyside6")


@pytest.fixture(autouse=True)
def isolated_desktop(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A fresh HOME and XDG folders per test, no desktop variables, and the safe keyring in this process."""
    import keyring
    from keyring.backends import fail

    home = tmp_path_factory.mktemp("home")
    for variable in DESKTOP_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in desktop_environment(home).items():
        monkeypatch.setenv(variable, value)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # whatever an earlier test set, this one starts with none
    try:
        yield home
    finally:
        keyring.set_keyring(previous)


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


@pytest.fixture(autouse=True)
def _qt_garbage_freed_on_the_main_thread() -> Iterator[None]:
    """Free what a test dropped now, on the main thread, with no loop running.

    Each async test runs on its own qasync loop, whose QObjects (its timer object among them)
    become garbage when the test ends. Left to the collector, they are freed whenever it next
    runs, possibly on an executor thread (web3's, the node's chain watcher): a QObject with live
    timers deleted off its own thread is a later segfault in QTimerInfoList::activateTimers.
    """
    yield
    gc.collect()


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


@pytest_asyncio.fixture
async def v1_sandbox_factory():  # type: ignore[no-untyped-def]
    """``await v1_sandbox_factory(**kwargs)`` -> a started dialect "1" sandbox node on a free port."""
    from nitro_desktop.devnode import V1SandboxNode

    nodes: list[V1SandboxNode] = []

    async def make(**kwargs: object) -> V1SandboxNode:
        kwargs.setdefault("port", 0)
        node = V1SandboxNode(**kwargs)  # type: ignore[arg-type]
        await node.start()
        nodes.append(node)
        return node

    yield make
    for node in reversed(nodes):
        await node.stop()


# ---- anvil with the v1 ChannelHub (tests/chainkit.py) ------------------------------
from tests.chainkit import anvil_hub, chain  # noqa: E402, F401  (fixtures for every folder)

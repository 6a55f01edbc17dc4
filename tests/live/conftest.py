"""The live harness: the same tests against any ClearNode URL, or against the sandbox.

Target, from the environment:

``NITRO_DESKTOP_LIVE_URL``
    ``ws://…/ws`` of a running ClearNode. Unset: the tests run against the project's
    sandbox (``nitro-desktop sandbox`` on 127.0.0.1), once per dialect.
``NITRO_DESKTOP_LIVE_DIALECT``
    ``0.2`` (array params, mid-2025 server), ``0.5`` (ClearNode v0.5.x) or ``1``
    (nitronode v1.4.x; its tests are ``test_live_v1*.py``, the others are 0.x only). Default ``0.5``.
``NITRO_DESKTOP_LIVE_KEYS``
    Comma-separated hex private keys, at least 3, each already holding some of the asset
    below in its unified balance (the tests move a few units at a time and always put them
    back where they can; give each key 100 or more to run the suite many times).
``NITRO_DESKTOP_LIVE_ASSET``
    The asset symbol those keys hold (default ``usdc``).
``NITRO_DESKTOP_LIVE_FRAMES``
    Optional folder: every test writes the exact request/response frames it exchanged
    there (``<target>/<test>.txt``), so two targets can be compared side by side.

With a URL but fewer than 3 keys every test is skipped with one line saying why.
Tests that show a known difference between the real server and this project are marked
``xfail(strict=True)`` for a real target only (``known_difference``), with the number of
the difference in docs/protocol-notes.md; against the sandbox they must pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from nitro_desktop.protocol import RawKeySigner

ENV_URL = "NITRO_DESKTOP_LIVE_URL"
ENV_DIALECT = "NITRO_DESKTOP_LIVE_DIALECT"
ENV_KEYS = "NITRO_DESKTOP_LIVE_KEYS"
ENV_ASSET = "NITRO_DESKTOP_LIVE_ASSET"
ENV_FRAMES = "NITRO_DESKTOP_LIVE_FRAMES"
SANDBOX_FUNDS = 1000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    keep, dropped = [], []
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.live)
        callspec = getattr(item, "callspec", None)
        param = callspec.params.get("live_target") if callspec is not None else None
        # Dialect 1 is another protocol: its tests and the 0.x tests each run on their own targets.
        if isinstance(param, str) and param.endswith("-1") != _is_v1_test(item):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _is_v1_test(item: pytest.Item) -> bool:
    return Path(str(item.fspath)).name.startswith("test_live_v1")


class _SandboxProcess:
    """``nitro-desktop sandbox`` in a child process: a black box on loopback, like a real server.

    (A node on a thread of this process would share the garbage collector with the qasync
    loop of the async tests, and Qt objects must not be freed from another thread.)
    """

    def __init__(self, dialect: str, funds: list[str], home: Path) -> None:
        argv = [sys.executable, "-m", "nitro_desktop", "sandbox", "--host", "127.0.0.1", "--port", "0"]
        argv += ["--dialect", dialect]
        for spec in funds:
            argv += ["--fund", spec]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISPLAY", "DBUS", "WAYLAND"))}
        env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"))
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        assert self.proc.stdout is not None
        self.url = ""
        for line in self.proc.stdout:
            found = re.search(r"listening on (ws://\S+)", line)
            if found:
                self.url = found.group(1)
            if line.startswith("Press Ctrl-C"):
                break
        if not self.url:
            self.stop()
            raise RuntimeError("the sandbox did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.proc.kill()
            self.proc.wait(10)


@dataclass
class LiveTarget:
    """Where the tests run: a real ClearNode (``real``) or the project's sandbox."""

    name: str
    url: str
    dialect: str
    keys: tuple[str, ...]
    asset: str
    real: bool
    frames_dir: Path | None = None

    def wallets(self) -> list[RawKeySigner]:
        return [RawKeySigner(k) for k in self.keys]

    def protocols(self) -> list[str]:
        """App protocols the target accepts for sessions."""
        return ["NitroRPC/0.2", "NitroRPC/0.4"] if self.dialect == "0.5" else ["nitroliterpc"]


def _targets() -> list[str]:
    if os.environ.get(ENV_URL):
        return [f"live-{os.environ.get(ENV_DIALECT, '0.5')}"]
    return ["sandbox-0.2", "sandbox-0.5", "sandbox-1"]


@pytest.fixture(scope="session", params=_targets())
def live_target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveTarget]:
    frames = os.environ.get(ENV_FRAMES)
    frames_dir = Path(frames) / request.param if frames else None
    if frames_dir:
        frames_dir.mkdir(parents=True, exist_ok=True)
    url = os.environ.get(ENV_URL)
    asset = os.environ.get(ENV_ASSET, "usdc")
    if url:
        dialect = os.environ.get(ENV_DIALECT, "0.5")
        if dialect not in ("0.2", "0.5", "1"):
            pytest.skip(f"{ENV_DIALECT} must be 0.2, 0.5 or 1, not {dialect!r}")
        keys = tuple(k.strip() for k in os.environ.get(ENV_KEYS, "").split(",") if k.strip())
        if len(keys) < 3:
            pytest.skip(f"{ENV_URL} is set but {ENV_KEYS} holds {len(keys)} key(s); 3 funded keys are needed")
        yield LiveTarget(request.param, url, dialect, keys, asset, True, frames_dir)
        return
    dialect = request.param.removeprefix("sandbox-")
    keys = tuple("0x" + os.urandom(32).hex() for _ in range(3))
    funds = [f"{RawKeySigner(k).address}:usdc:{SANDBOX_FUNDS}" for k in keys]
    node = _SandboxProcess(dialect, funds, tmp_path_factory.mktemp(f"sandbox-{dialect}"))
    target = LiveTarget(request.param, node.url, dialect, keys, "usdc", False, frames_dir)
    try:
        yield target
    finally:
        node.stop()


@pytest.fixture
def target(live_target: LiveTarget) -> LiveTarget:
    """A 0.x target (the 0.x tests speak the 0.x API)."""
    if live_target.dialect == "1":
        pytest.skip("a 0.x test; dialect 1 runs tests/live/test_live_v1*.py")
    return live_target


@pytest.fixture
def v1_target(live_target: LiveTarget) -> LiveTarget:
    """A dialect "1" target (nitronode v1.4.x or the v1 sandbox)."""
    if live_target.dialect != "1":
        pytest.skip("a dialect 1 test")
    return live_target


@pytest.fixture
def known_difference(request: pytest.FixtureRequest, target: LiveTarget) -> Callable[..., None]:
    """``known_difference(n, why, on=...)``: this test is expected to fail (strict) on those targets.

    ``on="real"`` (default): the real server shows a bug of ours the sandbox hides.
    ``on="sandbox"``: the sandbox answers differently from the real server.
    ``on="both"``: the sandbox copies the server faithfully and the bug is the client's.
    ``n`` is the difference's number in docs/protocol-notes.md; the fix flips the test.
    """

    def mark(number: int, why: str, on: str = "real") -> None:
        hit = {"real": target.real, "sandbox": not target.real, "both": True}[on]
        if hit:
            request.applymarker(pytest.mark.xfail(strict=True, reason=f"difference #{number}: {why}"))

    return mark


class FrameRecorder:
    """Keeps every client a test made, to write their exchanged frames at teardown."""

    def __init__(self) -> None:
        self.clients: list[Any] = []
        self.raw: list[tuple[str, str]] = []

    def watch(self, client: Any) -> Any:
        self.clients.append(client)
        return client

    def note(self, direction: str, text: str) -> None:
        self.raw.append((direction, text))


@pytest.fixture
def frames(request: pytest.FixtureRequest, live_target: LiveTarget) -> Iterator[FrameRecorder]:
    recorder = FrameRecorder()
    yield recorder
    target = live_target
    if target.frames_dir is None:
        return
    lines: list[str] = []
    for i, client in enumerate(recorder.clients):
        for ex in client.exchanges.all():
            lines += [f"## client {i} {ex.method} #{ex.request_id}", f"> {ex.request}", f"< {ex.response}"]
    lines += [f"{d} {t}" for d, t in recorder.raw]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    (target.frames_dir / f"{name}.txt").write_text("\n".join(lines) + "\n")

"""``nitro-desktop --self-test``: does this installation work? Prints a report, exits 0 or 1.

Written for installers: the same checks run from a source tree and from the frozen
(PyInstaller) bundle, where a missing data file, plugin or entry point shows up only at
run time. Checks, in order:

* Qt's platform plugin loads (probed first in a child process, because Qt aborts the
  process when no platform plugin can be initialised), then in this process;
* qasync drives PySide6: a coroutine and a ``QTimer`` callback both run on one loop;
* the keyring backend in use, and whether it is secure (an insecure one is a warning:
  keys then go to encrypted keystore files) — and that keyring's backend entry points
  are present at all (PyInstaller drops them unless their metadata is bundled);
* eth-account signs a hash raw and recovers it, derives an account from a BIP-39
  mnemonic (its word lists are data files), and encrypts + decrypts a keystore;
* a loopback round trip to an in-process sandbox ClearNode over a websocket
  (``get_config`` and ``ping`` through ``ClearNodeClient``), then authenticating and
  creating an application session on it.

Heavy modules are imported inside the checks, never at module import.
"""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TextIO

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"

# Set in the child process that probes the Qt platform plugin.
_CHILD_ENV = "NITRO_DESKTOP_SELFTEST_CHILD"
_PROBE_TIMEOUT = 60.0
_LOOPBACK_TIMEOUT = 30.0

# The well-known development mnemonic and its first account (m/44'/60'/0'/0/0).
_TEST_MNEMONIC = "test test test test test test test test test test test junk"
_TEST_MNEMONIC_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: str
    detail: str
    seconds: float = 0.0


class Report:
    """Collects results and prints each one as soon as it is known."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.results: list[CheckResult] = []

    def add(self, result: CheckResult) -> CheckResult:
        self.results.append(result)
        self.out.write(f"  {result.status}  {result.name:<22} {result.detail}  ({result.seconds:.2f} s)\n")
        self.out.flush()
        return result

    def run(self, name: str, check: Callable[[], tuple[str, str]]) -> CheckResult:
        start = time.perf_counter()
        try:
            status, detail = check()
        except Exception as exc:
            status, detail = FAIL, _error_text(exc)
        return self.add(CheckResult(name, status, detail, time.perf_counter() - start))

    async def run_async(self, name: str, check: Callable[[], Coroutine[Any, Any, tuple[str, str]]]) -> None:
        start = time.perf_counter()
        try:
            status, detail = await check()
        except Exception as exc:
            status, detail = FAIL, _error_text(exc)
        self.add(CheckResult(name, status, detail, time.perf_counter() - start))

    @property
    def failed(self) -> int:
        return sum(r.status == FAIL for r in self.results)


def _error_text(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    at = f" at {os.path.basename(where[0].filename)}:{where[0].lineno}" if where else ""
    return f"{type(exc).__name__}: {exc}{at}"


def _is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def _self_command() -> list[str]:
    """How to start this program again with ``--self-test``."""
    if _is_frozen():
        return [sys.executable, "--self-test"]
    return [sys.executable, "-m", "nitro_desktop", "--self-test"]


# ---- Qt ---------------------------------------------------------------------------------
def _child_probe_qt() -> int:
    """In the child: create the QApplication and say which platform plugin loaded."""
    from PySide6.QtWidgets import QApplication

    app = QApplication(["nitro-desktop"])
    screen = app.primaryScreen()
    size = screen.size() if screen is not None else None
    where = f"{size.width()}x{size.height()}" if size is not None else "no screen"
    print(f"{app.platformName()} {where}", flush=True)
    return 0


def check_qt_platform_in_child() -> tuple[str, str]:
    env = dict(os.environ, **{_CHILD_ENV: "qt"})
    try:
        proc = subprocess.run(  # noqa: S603 -- our own executable, fixed arguments
            _self_command(), env=env, capture_output=True, text=True, timeout=_PROBE_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return FAIL, f"the Qt probe did not finish within {_PROBE_TIMEOUT:.0f} s"
    if proc.returncode == 0 and proc.stdout.strip():
        return PASS, f"plugin {proc.stdout.strip().splitlines()[-1]} loads in a fresh process"
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    why = " | ".join(lines[-3:]) or f"exit code {proc.returncode}"
    return FAIL, f"no Qt platform plugin could be initialised: {why}"


def check_qt_platform(app_holder: list[Any]) -> tuple[str, str]:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QLibraryInfo, qVersion
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["nitro-desktop"])
    app_holder.append(app)
    plugins = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    available = sorted(
        name.split("libq", 1)[-1].split(".", 1)[0].removeprefix("q")
        for name in os.listdir(os.path.join(plugins, "platforms"))
    )
    name = QApplication.platformName()
    return PASS, (
        f"{name} (PySide6 {pyside_version}, Qt {qVersion()}; platforms bundled: {', '.join(available)})"
    )


async def check_qasync() -> tuple[str, str]:
    from PySide6.QtCore import QTimer

    loop = asyncio.get_running_loop()
    fired: asyncio.Future[float] = loop.create_future()
    start = loop.time()

    def on_timeout() -> None:
        if not fired.done():
            fired.set_result(loop.time() - start)

    QTimer.singleShot(10, on_timeout)
    await asyncio.sleep(0.01)
    elapsed = await asyncio.wait_for(fired, timeout=5.0)
    return PASS, f"{type(loop).__name__} ran a coroutine and a QTimer callback ({elapsed * 1000:.0f} ms)"


# ---- keyring ------------------------------------------------------------------------------
def check_keyring() -> tuple[str, str]:
    from importlib.metadata import entry_points

    from nitro_desktop.keys import keyring_status

    found = sorted(ep.name for ep in entry_points(group="keyring.backends"))
    if not found:
        return FAIL, "keyring's backend entry points are missing (its package metadata was not bundled)"
    status = keyring_status()
    if status.available:
        return PASS, f"{status.backend_name} is in use and secure (entry points: {', '.join(found)})"
    return WARN, (
        f"{status.backend_name} is in use and NOT secure: {status.reason}; "
        f"keys would go to encrypted keystore files (entry points: {', '.join(found)})"
    )


# ---- eth-account --------------------------------------------------------------------------
def check_eth_account() -> tuple[str, str]:
    from eth_account import Account
    from eth_hash.auto import keccak

    key = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
    account = Account.from_key(key)
    digest = keccak(b"nitro-desktop self-test")
    signed = account.unsafe_sign_hash(digest)
    recovered = Account._recover_hash(digest, signature=signed.signature)
    if recovered != account.address:
        return FAIL, f"raw signature recovered {recovered}, expected {account.address}"

    Account.enable_unaudited_hdwallet_features()
    derived = Account.from_mnemonic(_TEST_MNEMONIC).address
    if derived != _TEST_MNEMONIC_ADDRESS:
        return FAIL, f"mnemonic derived {derived}, expected {_TEST_MNEMONIC_ADDRESS}"

    keystore = Account.encrypt(key, "self-test", kdf="scrypt", iterations=2**10)
    if Account.decrypt(keystore, "self-test") != key:
        return FAIL, "a keystore did not decrypt to the key it was made from"
    return PASS, "raw hash signature recovers, BIP-39 mnemonic derives, scrypt keystore decrypts"


# ---- sandbox loopback -------------------------------------------------------------------------
class LoopbackNode(Protocol):
    """The sandbox node the loopback check talks to (the caller makes it: ui does not import devnode)."""

    @property
    def url(self) -> str: ...
    @property
    def broker_address(self) -> str: ...

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def fund(self, address: str, asset: str, amount: Decimal) -> object: ...


#: Makes a dialect "0.2" sandbox node on 127.0.0.1 and a free port, not started yet.
NodeFactory = Callable[[], LoopbackNode]


async def check_loopback(report: Report, make_node: NodeFactory) -> None:
    """get_config + ping through ClearNodeClient, then auth and create an app session."""
    from eth_account import Account

    from nitro_desktop.client import ClearNodeClient
    from nitro_desktop.protocol import Allocation, AppDefinition

    node = make_node()
    start = time.perf_counter()
    try:
        await asyncio.wait_for(node.start(), _LOOPBACK_TIMEOUT)
    except Exception as exc:
        report.add(CheckResult("sandbox loopback", FAIL, _error_text(exc), time.perf_counter() - start))
        return
    try:
        client = ClearNodeClient(node.url, "0.2", timeout=10.0)
        try:

            async def round_trip() -> tuple[str, str]:
                await asyncio.wait_for(client.connect(), _LOOPBACK_TIMEOUT)
                config = await client.get_config()
                if config.broker_address != node.broker_address:
                    return FAIL, f"get_config: broker {config.broker_address}, node: {node.broker_address}"
                rtt = await client.ping()
                broker = config.broker_address[:10]
                return PASS, f"{node.url}: get_config (broker {broker}…), ping {rtt * 1000:.1f} ms"

            await report.run_async("sandbox loopback", round_trip)
            if report.results[-1].status != PASS:
                return

            async def create_session() -> tuple[str, str]:
                alice, bob = Account.create(), Account.create()
                node.fund(alice.address, "usdc", Decimal("10"))
                await asyncio.wait_for(client.authenticate(alice, app_name="nitro-desktop-selftest"), 15)
                definition = AppDefinition(
                    protocol="nitroliterpc",
                    participants=(alice.address, bob.address),
                    weights=(100, 0),
                    quorum=100,
                    challenge=0,
                    nonce=int(time.time() * 1000),
                )
                allocations = [
                    Allocation(alice.address, "usdc", Decimal("1")),
                    Allocation(bob.address, "usdc", Decimal("0")),
                ]
                session = await client.create_app_session(definition, allocations, [alice])
                return PASS, f"created {session.app_session_id[:14]}… status {session.status or '?'}"

            await report.run_async("sandbox app session", create_session)
        finally:
            await client.close()
    finally:
        await node.stop()


# ---- driver ----------------------------------------------------------------------------------
def _header(out: TextIO) -> None:
    from nitro_desktop import __version__

    form = "frozen bundle" if _is_frozen() else "source"
    out.write(
        f"Nitro Desktop {__version__} self-test — {form}, {sys.executable}\n"
        f"  Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', '(unset)')}, "
        f"DISPLAY={os.environ.get('DISPLAY', '(unset)')}\n"
    )


def run(make_node: NodeFactory, out: TextIO | None = None) -> int:
    """Run every check, print the report; 0 when nothing failed (warnings allowed)."""
    if os.environ.get(_CHILD_ENV) == "qt":
        return _child_probe_qt()
    out = out or sys.stdout
    os.environ.setdefault("QT_API", "pyside6")  # qasync picks its binding from this
    _header(out)
    report = Report(out)
    started = time.perf_counter()

    report.run("keyring", check_keyring)
    report.run("eth-account", check_eth_account)
    probe = report.run("Qt platform (child)", check_qt_platform_in_child)
    app_holder: list[Any] = []
    qt_ok = (
        probe.status == PASS
        and report.run("Qt platform", lambda: check_qt_platform(app_holder)).status == PASS
    )

    async def on_the_loop() -> None:
        if qt_ok:
            await report.run_async("qasync", check_qasync)
        await check_loopback(report, make_node)

    if qt_ok:
        import qasync

        app = app_holder[0]
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            runner.run(on_the_loop())
    else:
        report.add(CheckResult("qasync", FAIL, "skipped: Qt did not start"))
        asyncio.run(on_the_loop())

    warned = sum(r.status == WARN for r in report.results)
    verdict = FAIL if report.failed else PASS
    out.write(
        f"result: {verdict} — {len(report.results) - report.failed - warned} passed, {warned} warning(s), "
        f"{report.failed} failed in {time.perf_counter() - started:.1f} s\n"
    )
    out.flush()
    return 1 if report.failed else 0

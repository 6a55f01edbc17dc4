"""Fixtures: a sandbox ClearNode on its own thread (so CLI commands can run asyncio.run), a keyring."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from decimal import Decimal
from typing import Any, TypeVar

import keyring
import pytest

from nitro_desktop.devnode import sandbox_node
from tests.keys.memory_keyring import MemoryKeyring

T = TypeVar("T")


class ThreadedSandbox:
    """A SandboxNode served by a loop on a background thread; every call hops onto that loop."""

    def __init__(self, dialect: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sandbox", daemon=True)
        self.thread.start()
        self.node = sandbox_node(dialect, host="127.0.0.1", port=0)
        asyncio.run_coroutine_threadsafe(self.node.start(), self.loop).result(10)

    @property
    def url(self) -> str:
        return self.node.url

    def call(self, func: Callable[[], T]) -> T:
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(func())
            except BaseException as exc:  # pragma: no cover - surfaced to the test
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return done.result(10)

    def fund(self, address: str, amount: int) -> None:
        self.call(lambda: self.node.fund(address, "usdc", amount))

    def balance(self, address: str) -> Decimal:
        return self.call(lambda: self.node.balances(address)).get("usdc", Decimal(0))

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.node.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture(params=["0.2", "0.5"])
def threaded_sandbox(request: Any) -> Iterator[ThreadedSandbox]:
    sandbox = ThreadedSandbox(request.param)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def v1_node() -> Iterator[ThreadedSandbox]:
    """The dialect "1" sandbox (simulated home channels, faucet) on its own thread."""
    node = ThreadedSandbox("1")
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def global_keyring() -> Iterator[MemoryKeyring]:
    """One in-memory keyring for the process (the three profiles' keys live under different addresses)."""
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        yield memory
    finally:
        keyring.set_keyring(previous)

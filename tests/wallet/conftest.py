"""The core's tests: no garbage collection off the main thread.

The on-chain tests run web3 calls on qasync's executor threads and a node's chain watcher on
its own thread. A cyclic collection can start in whichever thread allocates; started on one of
those it may free a qasync/Qt object off the GUI thread: a segfault in whichever test is
running (seen in about 1 run in 4). So automatic collection is off while a test runs and the
garbage is collected here, on the main thread, with no loop running.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def collect_on_the_main_thread_only() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()

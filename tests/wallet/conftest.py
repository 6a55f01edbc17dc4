"""Between the core's tests: collect garbage on the main thread with no loop running.

The on-chain tests run web3 calls on qasync's executor threads and a node's chain watcher on
its own thread; a cyclic collection started on one of those threads could free a qasync/Qt
object off the GUI thread (a crash in whichever test comes next), so each test's leftovers are
collected here first.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread() -> Iterator[None]:
    yield
    gc.collect()

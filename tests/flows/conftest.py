"""The flows are plain Python: their async tests run on a plain asyncio loop, with no Qt in sight."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping


def pytest_asyncio_loop_factories(config: object, item: object) -> Mapping[str, Callable[[], object]]:
    # Nearer conftests answer first (the hook takes the first result): this overrides the qasync loop.
    return {"asyncio": asyncio.new_event_loop}

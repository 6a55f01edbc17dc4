"""Ask a ClearNode which dialect it speaks: one probe frame, a few answers read, bounded."""

from __future__ import annotations

import asyncio
import time

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from nitro_desktop.protocol import Dialect
from nitro_desktop.protocol.detect import MAX_PROBE_ANSWER, dialect_of_answer, probe_frame

MAX_FRAMES = 8  # frames read before giving up (0.x nodes push a few on connect)
PROBE_ID = 1


class DetectError(ConnectionError):
    """The ClearNode could not be reached, or its answers fit no dialect this app speaks."""


async def detect_dialect(url: str, *, timeout: float = 10.0) -> Dialect:
    """The dialect of the ClearNode at ``url``; ``DetectError`` saying why when it cannot tell."""
    try:
        async with asyncio.timeout(timeout):
            async with connect(url, max_size=MAX_PROBE_ANSWER, open_timeout=timeout) as ws:
                await ws.send(probe_frame(PROBE_ID, int(time.time() * 1000)))
                for _ in range(MAX_FRAMES):
                    found = dialect_of_answer(await ws.recv(), PROBE_ID)
                    if found is not None:
                        return found
    except TimeoutError:
        raise DetectError(f"{url} did not answer within {timeout:g} s") from None
    except (OSError, WebSocketException) as exc:
        raise DetectError(f"cannot reach {url}: {exc or type(exc).__name__}") from None
    raise DetectError(f"{url} answered in a way no known ClearNode dialect does")

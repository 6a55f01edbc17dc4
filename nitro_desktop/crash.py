"""Crash reports: unhandled errors are written, redacted, to a private folder in the data dir.

A report holds the exception's type, message and traceback (source lines, no
local variables), passed through the same redaction as the log, so no key,
token or whole signature can end up in a file a user may send us.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from nitro_desktop.redact import redact_text
from nitro_desktop.store.paths import make_private

log = logging.getLogger("nitro_desktop.crash")

Notify = Callable[[Path], None]


def write_report(directory: Path, exc: BaseException) -> Path:
    """Write one redacted report (mode 0600) and return its path."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    make_private(directory)  # one left readable by an older version is fixed
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    body = f"Nitro Desktop crash report, {time.strftime('%Y-%m-%d %H:%M:%S')}\n\n{redact_text(text)}\n"
    # Nanoseconds and O_EXCL: two errors in the same second never overwrite each other.
    path = (
        directory / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.getpid()}.txt"
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    return path


def install(directory: Path, notify: Notify | None = None) -> Callable[[Any, dict[str, Any]], None]:
    """Route unhandled exceptions (sys.excepthook) to reports; returns an asyncio exception handler."""

    def report(exc: BaseException) -> None:
        try:
            path = write_report(directory, exc)
        except OSError as err:  # a report that cannot be written must not hide the original error
            log.error("could not write a crash report: %s", err)
            return
        log.error("unexpected error (%s); report written to %s", type(exc).__name__, path)
        if notify is not None:
            notify(path)

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        report(exc.with_traceback(tb))

    def loop_handler(loop: Any, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            report(exc)
        else:
            log.error("asyncio: %s", redact_text(str(context.get("message", context))))

    sys.excepthook = excepthook
    return loop_handler

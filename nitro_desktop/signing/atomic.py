"""One way to write the files signing keeps (``.nitroreq`` requests, definitions): atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], text: str, mode: int) -> Path:
    """Write ``text`` to ``path`` with permissions ``mode``: a temporary file beside it, fsync, rename.

    A reader (or a crash) sees the old file or the new one, never half of one.
    Raises ``OSError`` when it cannot be written; no temporary file is left behind.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target

"""Where the data lives: the platform's per-user data directory unless overridden."""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

APP_NAME = "nitro-desktop"
DATA_DIR_ENV = "NITRO_DESKTOP_DATA_DIR"
DB_FILENAME = "nitro-desktop.sqlite3"


def default_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: ``override``, else ``$NITRO_DESKTOP_DATA_DIR``, else the platform's.

    The directory is not created here; opening the store does that.
    """
    if override:
        return Path(override).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    fast = _linux_user_data_dir()
    if fast is not None:
        return Path(fast)
    # platformdirs is imported lazily: only the fallback pays for it (~15 ms, before the first paint).
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _linux_user_data_dir() -> str | None:
    """platformdirs' answer on a desktop Linux with an absolute XDG_DATA_HOME or HOME, else None.

    Its module imports tempfile and shutil before the window can paint; the common case is two
    environment variables. Anything less plain (Android, a relative HOME) asks platformdirs.
    """
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel"):
        return None
    if os.environ.get("ANDROID_DATA") or os.environ.get("ANDROID_ROOT"):
        return None
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if posixpath.isabs(xdg):
        return os.path.join(xdg, APP_NAME)
    home = os.environ.get("HOME", "")
    if not posixpath.isabs(home):
        return None
    return os.path.join(home.rstrip("/") + "/.local/share", APP_NAME)


def make_private(path: Path) -> None:
    """Take group and other bits off ``path`` (a file or folder), if it exists and is ours to change.

    Only those bits: a read-only folder stays read-only. Symbolic links are left alone.
    """
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode) or not st.st_mode & 0o077:
            return
        os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o077)
    except FileNotFoundError:
        return
    except OSError as exc:  # not our file (another owner): say so, do not fail the open
        log.warning("could not make %s private: %s", path, exc.strerror or exc)


def make_data_private(data_dir: Path) -> None:
    """The data folder, every file in it and in its sub-folders (keystore, crash reports): owner only.

    Fixes what an older version, a copy or a restore left readable by others.
    """
    make_private(data_dir)
    with contextlib.suppress(OSError):
        for entry in os.scandir(data_dir):
            make_private(Path(entry.path))
            if entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    for inner in os.scandir(entry.path):
                        make_private(Path(inner.path))


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Files created meanwhile (SQLite's -wal and -shm among them) are born owner-only.

    The umask is per process: keep the block short.
    """
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)

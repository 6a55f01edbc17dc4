"""Where the data lives: the platform's per-user data directory unless overridden."""

from __future__ import annotations

import os
from pathlib import Path

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
    # platformdirs is imported lazily: only the fallback pays for it.
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable only by the user, as wallets do."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path

"""The sandbox's broker key, kept beside its database: a restarted sandbox is the same broker.

Clients pin the broker they first see, so a sandbox that made a new key on every
start would be refused by everything that knew it. The key lives in
``<database>.broker-key`` (or a file the user names): one line of 64 hex digits,
mode 0600, written atomically. It is never printed; the broker *address* is.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from nitro_desktop.protocol import RawKeySigner

SUFFIX = ".broker-key"
_HEX_KEY = re.compile(r"(0x)?[0-9a-fA-F]{64}")
_MAX_FILE_BYTES = 256  # a key is 66 characters; anything much longer is not a key file


class BrokerKeyError(ValueError):
    """The broker key file cannot be used; the text says why and what to do."""


def key_path_for(db_path: str | Path) -> Path:
    """Where the broker key of the sandbox database ``db_path`` is kept."""
    return Path(f"{db_path}{SUFFIX}")


def read_broker_key(path: str | Path) -> str:
    """The key in ``path``, refusing a file others may read or one that does not hold a key."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            mode = os.fstat(f.fileno()).st_mode & 0o777
            data = f.read(_MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise BrokerKeyError(f"the broker key file {path} does not exist") from None
    except OSError as exc:
        raise BrokerKeyError(f"cannot read the broker key file {path}: {exc.strerror or exc}") from None
    if os.name == "posix" and mode & 0o077:
        raise BrokerKeyError(
            f"the broker key file {path} is readable by others (mode {mode:o}); run chmod 600 on it"
        )
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        text = ""
    if len(data) > _MAX_FILE_BYTES or not _HEX_KEY.fullmatch(text):
        # Never echo the content: it may be a real key in the wrong shape.
        raise BrokerKeyError(f"the broker key file {path} must hold one private key: 64 hex digits")
    try:
        RawKeySigner(text)
    except ValueError:
        raise BrokerKeyError(f"the broker key file {path} does not hold a valid secp256k1 key") from None
    return text.removeprefix("0x")


def load_or_create_broker_key(path: str | Path) -> str:
    """The key kept in ``path``; a new one is made and saved (0600) the first time."""
    path = Path(path)
    if path.exists():
        return read_broker_key(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    while True:
        key = secrets.token_hex(32)
        try:
            RawKeySigner(key)  # out of the curve's range once in 2**128 draws
        except ValueError:
            continue
        break
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.write(fd, (key + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            # No-clobber: if another sandbox saved a key first, that key is the broker.
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:
            os.replace(tmp, path)  # a file system without hard links
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return read_broker_key(path)

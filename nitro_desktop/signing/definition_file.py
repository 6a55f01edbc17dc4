"""A definition file's nonce, kept: the same file always names the same app session.

The session id is derived from the definition, nonce included. A nonce made up
anew on each run would turn a re-run (after a lost answer, say) into a second
session with its funds locked twice; so a made-up nonce goes back into the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nitro_desktop.signing.atomic import write_atomically


def write_nonce(path: str | os.PathLike[str], raw: dict[str, Any], nonce: int) -> None:
    """Write ``raw`` (the file's object as read) with ``nonce`` back to ``path``, atomically.

    The file keeps its mode. Raises ``OSError`` when it cannot be written.
    """
    mode = Path(path).stat().st_mode & 0o777
    write_atomically(path, json.dumps({**raw, "nonce": nonce}, indent=2) + "\n", mode)


def kept_nonce_note(path: str, raw: dict[str, Any], nonce: int) -> str:
    """Keep a made-up nonce in the file; say where it went, or what to do when it could not go there."""
    try:
        write_nonce(path, raw, nonce)
    except OSError as exc:
        why = exc.strerror or exc
        return (
            f"The definition had no nonce; this run uses {nonce}, but it could not be written back "
            f'to {path} ({why}). Add "nonce": {nonce} to it before running this command again, '
            "or a second session is created."
        )
    return (
        f'The definition had no nonce: added "nonce": {nonce} to {path}, so running this command '
        "again names the same session instead of creating another."
    )

"""What the two signing benchmarks share: the floor's keccak, and a run of another checkout's code.

The floor hashes with the fastest Keccak-256 this process has, called inline: safe-pysha3's
C type when it is installed (what ``nitro_desktop.protocol.crypto`` then uses too), else our
own ``keccak256`` (pycryptodome's raw functions over a reused state, which is faster than
``keccak.new``). So a faster keccak in our code moves the floor with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def floor_keccak() -> tuple[str, Callable[[bytes], Any] | None]:
    """(name, safe-pysha3's ``keccak_256`` type or None): the floor calls the type inline
    (``keccak_256(data).digest()``, no wrapper frame); with None it calls our ``keccak256``."""
    try:
        from _pysha3 import keccak_256
    except ImportError:
        return "our keccak256 (pycryptodome raw functions, reused state)", None
    constructor: Callable[[bytes], Any] = keccak_256
    return "safe-pysha3 keccak_256", constructor


def other_round(script: str, checkout: str, n: int) -> dict[str, float]:
    """One round of ``script`` with ``checkout``'s nitro_desktop package, in a child process.

    The child prints its floor and its own rate as JSON (``--one-round``); its floor is the
    same as ours (same interpreter, same libraries), so its ratio is comparable.
    """
    env = dict(os.environ, PYTHONPATH=str(Path(checkout).resolve()))
    out = subprocess.run(
        [sys.executable, script, str(n), "1", "--one-round"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def print_against(results: dict[str, list[float]], against: str | None, median: float) -> None:
    """The ``--against`` line: the other checkout's ratio to the same floor, with its spread."""
    if against:
        spread = f"{min(results['other']):.2f}-{max(results['other']):.2f}"
        print(f"ratio of {against}'s code / the same floor: {median:.2f}x (rounds {spread})")


def run_from_argv(main: Callable[[int, int, str | None, bool], None]) -> None:
    """``[N] [ROUNDS] [--against CHECKOUT] [--one-round]`` from the command line, into ``main``."""
    args = sys.argv[1:]
    single = "--one-round" in args
    if single:
        args.remove("--one-round")
    against = None
    if "--against" in args:
        at = args.index("--against")
        against = args[at + 1]
        del args[at : at + 2]
    main(int(args[0]) if args else 1000, int(args[1]) if len(args) > 1 else 31, against, single)

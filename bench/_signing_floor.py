"""What the two signing benchmarks share: the floor's keccak, and a run of other code beside ours.

The floor hashes with the fastest Keccak-256 this process has, called inline: safe-pysha3's
C type when it is installed (what ``nitro_desktop.protocol.crypto`` then uses too), else our
own ``keccak256`` (pycryptodome's raw functions over a reused state, which is faster than
``keccak.new``). So a faster keccak in our code moves the floor with it.

The ratio depends on the interpreter as much as on our code: the floor is almost all C, our
side has some thousands of Python bytecodes a create, and an interpreter built with PGO/LTO
(Debian's and Ubuntu's ``python3``) runs those faster than one built without (pyenv's
default). So every run names its interpreter, and ``--python PY`` runs a round under another
interpreter after each of ours (same code, same command), to put the two side by side.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Other:
    """What runs one round in a child process after each of ours: whose code, on which interpreter."""

    checkout: str
    python: str

    def label(self) -> str:
        own_code = Path(self.checkout).resolve() == HERE.parent
        own_python = Path(self.python).absolute() == Path(sys.executable).absolute()
        code = "this checkout's code" if own_code else f"{self.checkout}'s code"
        return code if own_python else f"{code} on {self.python}"


def interpreter() -> str:
    """The interpreter this process runs on, as the first lines of a run name it."""
    return f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"


def floor_keccak() -> tuple[str, Callable[[bytes], Any] | None]:
    """(name, safe-pysha3's ``keccak_256`` type or None): the floor calls the type inline
    (``keccak_256(data).digest()``, no wrapper frame); with None it calls our ``keccak256``."""
    try:
        from _pysha3 import keccak_256
    except ImportError:
        return "our keccak256 (pycryptodome raw functions, reused state)", None
    constructor: Callable[[bytes], Any] = keccak_256
    return "safe-pysha3 keccak_256", constructor


def other_round(script: str, other: Other, n: int) -> dict[str, float]:
    """One round of ``script`` with ``other``'s nitro_desktop package and interpreter, in a child.

    The child prints its floor and its own rate as JSON (``--one-round``); its floor is made
    the same way (its interpreter, its libraries), so its ratio is comparable with ours.
    """
    env = dict(os.environ, PYTHONPATH=str(Path(other.checkout).resolve()))
    out = subprocess.run(
        [other.python, script, str(n), "1", "--one-round"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def print_against(results: dict[str, list[float]], other: Other | None, median: float) -> None:
    """The line for the other runs: their ratio to their own floor, with its spread."""
    if other:
        spread = f"{min(results['other']):.2f}-{max(results['other']):.2f}"
        print(f"ratio of {other.label()} / its floor: {median:.2f}x (rounds {spread})")


def run_from_argv(main: Callable[[int, int, Other | None, bool], None]) -> None:
    """``[N] [ROUNDS] [--against CHECKOUT] [--python PY] [--one-round]`` from the command line.

    ``--against`` alone runs that checkout's code on this interpreter; ``--python`` alone runs
    this checkout's code on that interpreter (its environment needs the package's dependencies,
    e.g. a venv of Debian's ``python3`` with this checkout installed); both may be given.
    """
    args = sys.argv[1:]
    single = "--one-round" in args
    if single:
        args.remove("--one-round")
    options: dict[str, str] = {}
    for flag in ("--against", "--python"):
        if flag in args:
            at = args.index(flag)
            if at + 1 >= len(args):
                raise SystemExit(f"{flag} needs a value")
            options[flag] = args[at + 1]
            del args[at : at + 2]
    other = None
    if options:
        other = Other(options.get("--against", str(HERE.parent)), options.get("--python", sys.executable))
    if not single:
        print(f"interpreter: {interpreter()}")
    main(int(args[0]) if args else 1000, int(args[1]) if len(args) > 1 else 31, other, single)

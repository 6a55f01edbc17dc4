"""Command line entry point.

With no subcommand the GUI opens. Each feature package contributes its own
subcommands through a ``register(subparsers)`` function listed in
``_COMMAND_MODULES``; the modules are imported lazily so ``--version`` and
the GUI start do not pay for crypto or database imports they do not use.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from nitro_desktop.cli_errors import CliError

__all__ = ["CliError", "build_parser", "main"]

# Modules that define `register(subparsers: argparse._SubParsersAction) -> None`.
# Each registered subparser sets `func=callable(args) -> int` via set_defaults.
_COMMAND_MODULES: tuple[str, ...] = (
    "nitro_desktop.keys.cli",
    "nitro_desktop.store.cli",
    "nitro_desktop.devnode.cli",
    "nitro_desktop.signing.cli",
    "nitro_desktop.wallet.cli",
)


class _Version(argparse.Action):
    """--version, reading the version only when asked (the GUI start does not pay for it)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from nitro_desktop import __version__

        print(f"nitro-desktop {__version__}")
        parser.exit()


def build_parser(*, with_commands: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nitro-desktop",
        description="Nitro Desktop: keys, ClearNode connections and application sessions.",
    )
    parser.add_argument("--version", action=_Version)
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (Qt plugin, qasync, keyring, eth-account, a loopback round trip "
        "to an in-process sandbox node), print a report and exit 0 or 1",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where accounts' public data and the session history live "
        "(default: the platform's per-user data directory, or $NITRO_DESKTOP_DATA_DIR)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES if with_commands else ():
        importlib.import_module(name).register(subparsers)
    return parser


def _names_a_command(argv: Sequence[str]) -> bool:
    """True when argv holds a word that is not an option or an option's value (or asks for help)."""
    words = list(argv)
    while words:
        word = words.pop(0)
        if word in ("-h", "--help"):
            return True
        if word == "--data-dir":
            words = words[1:]
        elif not word.startswith("-"):
            return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; with no subcommand, open the GUI."""
    argv = sys.argv[1:] if argv is None else argv
    # Every file the app writes (database, -wal/-shm, settings, keystores, crash reports,
    # .nitroreq) is born readable by its owner only, as wallets do.
    previous_umask = os.umask(0o077)
    try:
        return _main(argv)
    finally:
        os.umask(previous_umask)


def _main(argv: Sequence[str]) -> int:
    if not argv:  # the desktop launcher's case: straight to the window, no argparse
        from nitro_desktop.app import main as gui_main

        return gui_main()
    # The GUI start and --version need none of the commands' modules (the sandbox node, signing…).
    args = build_parser(with_commands=_names_a_command(argv)).parse_args(argv)
    if args.self_test:
        from nitro_desktop.devnode import SandboxNode
        from nitro_desktop.ui.selftest import run as run_self_test

        return run_self_test(lambda: SandboxNode(host="127.0.0.1", port=0, dialect="0.2"))
    func = getattr(args, "func", None)
    if func is None:
        from nitro_desktop.app import main as gui_main

        return gui_main(data_dir=args.data_dir)
    try:
        result: int = func(args)
    except CliError as exc:
        print(f"nitro-desktop: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result

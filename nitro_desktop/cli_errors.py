"""The command line's one error type, in a leaf module every subcommand can import.

It lives here, not in ``nitro_desktop.cli``, so that ``keys/cli.py``, ``store/cli.py``,
``signing/cli*.py`` and ``devnode/cli.py`` raise it without importing the entry point
that imports them (arrows point down; see tools/import_graph.py).
"""

from __future__ import annotations


class CliError(Exception):
    """A user-facing command-line error: printed without a traceback, exit 2."""

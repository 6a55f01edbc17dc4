"""``nitro-desktop sessions list``: the session history, headless."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from nitro_desktop.cli_errors import CliError
from nitro_desktop.store import Store, StoreError


def cmd_sessions_list(args: argparse.Namespace) -> int:
    try:
        with Store.open(args.data_dir) as store:
            rows = store.sessions.find(
                id_prefix=args.id,
                participant=args.participant,
                status=args.status,
                limit=args.limit,
            )
    except StoreError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps([row._asdict() for row in rows], indent=2))
        return 0
    if not rows:
        print("No application sessions.")
        return 0
    for row in rows:
        updated = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.updated_at))
        print(f"{row.app_session_id}  {row.status:<8} v{row.version:<4} {updated}  {row.application}")
    return 0


def sessions_subcommands(subparsers: Any) -> Any:
    """The subparsers of ``sessions`` (made on first use): other packages add their actions here."""
    existing = getattr(subparsers, "nitro_sessions_actions", None)
    if existing is None:
        sessions = subparsers.add_parser("sessions", help="application sessions: history, create, close")
        existing = sessions.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
        subparsers.nitro_sessions_actions = existing
    return existing


def register(subparsers: Any) -> None:
    """Add ``sessions`` and its ``list`` subcommand to the top-level parser."""
    sub = sessions_subcommands(subparsers)
    p = sub.add_parser("list", help="list application sessions, newest first")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--status", help="only sessions with this status (e.g. open, closed)")
    p.add_argument("--participant", help="only sessions with a participant matching this")
    p.add_argument("--id", help="only sessions whose id starts with this")
    p.add_argument("--limit", type=int, help="at most this many")
    p.set_defaults(func=cmd_sessions_list)

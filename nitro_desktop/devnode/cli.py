"""``nitro-desktop sandbox``: run a local ClearNode until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any

from nitro_desktop.devnode.config import parse_fund_spec


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a local sandbox ClearNode (no chain; balances come from a faucet)",
        description="Run a local ClearNode speaking the NitroRPC protocol on ws://HOST:PORT/ws.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000, 0 = any free port)")
    parser.add_argument("--dialect", choices=("0.2", "0.5"), default="0.2", help="wire dialect (default 0.2)")
    parser.add_argument("--db", metavar="PATH", help="SQLite file that keeps state across restarts")
    parser.add_argument(
        "--fund",
        metavar="ADDRESS:ASSET:AMOUNT",
        action="append",
        default=[],
        help="credit a wallet at start-up (repeatable)",
    )
    parser.add_argument(
        "--timestamp-window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how old a private request's timestamp may be (default 60; 0 disables the check)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nitro_desktop.cli import CliError

    try:
        funds = [parse_fund_spec(text) for text in args.fund]
    except ValueError as exc:
        raise CliError(str(exc)) from None
    try:
        return asyncio.run(_serve(args, funds))
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None


async def _serve(args: argparse.Namespace, funds: list[Any]) -> int:
    from nitro_desktop.devnode import SandboxNode

    node = SandboxNode(
        host=args.host,
        port=args.port,
        dialect=args.dialect,
        db_path=args.db,
        timestamp_window=args.timestamp_window or None,
    )
    await node.start()
    try:
        for address, asset, amount in funds:
            node.fund(address, asset, amount)
        print(f"Sandbox ClearNode (dialect {args.dialect}) listening on {node.url}")
        print(f"Broker address: {node.broker_address}")
        for address in dict.fromkeys(a for a, _, _ in funds):
            held = ", ".join(f"{v} {k}" for k, v in sorted(node.balances(address).items()))
            print(f"Funded {address}: {held}")
        if args.db:
            print(f"State kept in {args.db}")
        print("Press Ctrl-C to stop.")
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await node.stop()
    print("Sandbox stopped.")
    return 0

"""``nitro-desktop sandbox``: run a local ClearNode until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

from nitro_desktop.cli_errors import CliError
from nitro_desktop.devnode.config import parse_fund_spec


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a local sandbox ClearNode (no chain; balances come from a faucet)",
        description="Run a local ClearNode speaking the NitroRPC protocol on ws://HOST:PORT/ws.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000, 0 = any free port)")
    parser.add_argument(
        "--dialect",
        choices=("0.2", "0.5", "1"),
        default="0.2",
        help="wire dialect (default 0.2; 1 = Nitrolite v1)",
    )
    parser.add_argument("--db", metavar="PATH", help="SQLite file that keeps state across restarts")
    parser.add_argument(
        "--broker-key-file",
        metavar="PATH",
        help="the broker's private key (64 hex digits, mode 600; made if missing). "
        "Default: kept beside --db as DB.broker-key, so a restart is the same broker",
    )
    parser.add_argument(
        "--fund",
        metavar="ADDRESS:ASSET:AMOUNT",
        action="append",
        default=[],
        help="credit a wallet at start-up (repeatable)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=1000.0,
        metavar="PER_SECOND",
        help="requests per second per connection (default 1000; 0 = no limit). Over it, dialect 1 drops "
        "the connection as nitronode does (its default: --rate-limit 10 --rate-burst 20); the others answer "
        "'too many requests'",
    )
    parser.add_argument(
        "--rate-burst",
        type=float,
        metavar="REQUESTS",
        help="requests a connection may send at once before the rate applies (default: the rate)",
    )
    parser.add_argument(
        "--timestamp-window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how old a private request's timestamp may be (default 60; 0 disables the check)",
    )
    chain = parser.add_argument_group(
        "chain (dialect 1)",
        "watch a real ChannelHub instead of the faucet: home channels are opened, funded and closed on-chain",
    )
    chain.add_argument("--rpc", metavar="URL", help="the chain's JSON-RPC URL (http:// or https://)")
    chain.add_argument("--hub", metavar="ADDRESS", help="the ChannelHub contract address on that chain")
    chain.add_argument("--chain-id", type=int, metavar="ID", help="the chain id the RPC must serve")
    chain.add_argument("--chain-name", default="anvil", metavar="NAME", help="its name in get_config (anvil)")
    parser.set_defaults(func=run)


def _chain_options(args: argparse.Namespace) -> dict[str, Any]:
    given = {"--rpc": args.rpc, "--hub": args.hub, "--chain-id": args.chain_id}
    if all(v is None for v in given.values()):
        return {}
    if args.dialect != "1":
        raise CliError("--rpc, --hub and --chain-id need --dialect 1 (the 0.x sandboxes have no chain)")
    missing = [flag for flag, value in given.items() if value is None]
    if missing:
        raise CliError(f"a chain needs --rpc, --hub and --chain-id together (missing {', '.join(missing)})")
    if args.fund:
        raise CliError("--fund is the faucet; with a chain, deposit on the chain instead")
    from nitro_desktop.devnode.v1.chainwatch import ChainConfig

    try:
        ChainConfig(args.rpc, args.hub, args.chain_id, args.chain_name)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return {
        "rpc_url": args.rpc,
        "hub_address": args.hub,
        "chain_id": args.chain_id,
        "chain_name": args.chain_name,
    }


def run(args: argparse.Namespace) -> int:
    try:
        funds = [parse_fund_spec(text) for text in args.fund]
    except ValueError as exc:
        raise CliError(str(exc)) from None
    for flag, value in (("--rate-limit", args.rate_limit), ("--rate-burst", args.rate_burst)):
        if value is not None and not 0 <= value < float("inf"):
            raise CliError(f"{flag} must be a number of requests, 0 or more (got {value})")
    if args.rate_burst is not None and args.rate_burst < 1:
        raise CliError("--rate-burst must be at least 1 (one request)")
    chain = _chain_options(args)
    key, key_file = _broker_key(args)
    try:
        return asyncio.run(_serve(args, funds, key, key_file, chain))
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None


def _broker_key(args: argparse.Namespace) -> tuple[str | None, Path | None]:
    """The broker key to serve with and the file it is kept in (none without --db: a new broker)."""
    from nitro_desktop.devnode.broker_key import BrokerKeyError, key_path_for, load_or_create_broker_key

    if args.broker_key_file:
        path = Path(args.broker_key_file)
    elif args.db:
        path = key_path_for(args.db)
    else:
        return None, None
    try:
        return load_or_create_broker_key(path), path
    except BrokerKeyError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot save the broker key in {path}: {exc.strerror or exc}") from None


async def _serve(
    args: argparse.Namespace, funds: list[Any], key: str | None, key_file: Path | None, chain: dict[str, Any]
) -> int:
    from nitro_desktop.devnode import sandbox_node

    node = sandbox_node(
        host=args.host,
        port=args.port,
        dialect=args.dialect,
        db_path=args.db,
        broker_key=key,
        timestamp_window=args.timestamp_window or None,
        rate_limit=args.rate_limit or None,
        **chain,
    )
    node.rate_burst = args.rate_burst
    await node.start()
    # Handlers first: whoever reads "Press Ctrl-C" may press it at once.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        for address, asset, amount in funds:
            node.fund(address, asset, amount)
        print(f"Sandbox ClearNode (dialect {args.dialect}) listening on {node.url}")
        print(f"Broker address: {node.broker_address}")
        if chain:
            print(f"Watching ChannelHub {args.hub} on chain {args.chain_id} through {args.rpc}")
        if key_file is not None:
            print(f"Broker key kept in {key_file} (the same broker on every start)")
        for address in dict.fromkeys(a for a, _, _ in funds):
            held = ", ".join(f"{v} {k}" for k, v in sorted(node.balances(address).items()))
            print(f"Funded {address}: {held}")
        if args.db:
            print(f"State kept in {args.db}")
        print("Press Ctrl-C to stop.")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await node.stop()
    print("Sandbox stopped.")
    return 0

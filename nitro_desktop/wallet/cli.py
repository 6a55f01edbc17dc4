"""``chains add|list`` and ``channel open|deposit|withdraw|close|show|resume``: v1 funds, headless.

Every on-chain step prints its plan (what, value, gas, fee) and asks before sending unless
``--yes``; questions go to stderr. Each bad input gets its own sentence: a wrong chain id,
an RPC that does not answer, too little ETH for gas, a node countersignature that does not
verify, a revert with the ChannelHub's reason.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from nitro_desktop.cli_errors import CliError
from nitro_desktop.protocol import Dialect, ProtocolError, parse_address, parse_amount

DEFAULT_TIMEOUT = 15.0


def _store(args: argparse.Namespace) -> Any:
    from nitro_desktop.store import Store, StoreError

    try:
        return Store.open(args.data_dir)
    except StoreError as exc:
        raise CliError(str(exc)) from None


# ---- chains ----------------------------------------------------------------------------------
def cmd_chains_add(args: argparse.Namespace) -> int:
    from nitro_desktop.chain import ChainError, check_rpc_url
    from nitro_desktop.store import ChainRecord
    from nitro_desktop.wallet.hub_chain import ChainHubPort
    from nitro_desktop.wallet.hub_port import ChainFault

    try:
        url = check_rpc_url(args.rpc_url)
    except ChainError as exc:
        raise CliError(str(exc)) from None
    if args.chain_id <= 0:
        raise CliError("the chain id must be a whole number above 0")
    with _store(args) as store:
        old = store.chains.get(args.chain_id)
        name = args.name or (old.name if old else f"chain {args.chain_id}")
        record = ChainRecord(args.chain_id, name, url, old.hub_address if old else None)
        if not args.no_check:
            try:
                asyncio.run(ChainHubPort(record, _NoKey()).check())
            except ChainFault as exc:
                raise CliError(f"{exc} Nothing was saved (pass --no-check to save it anyway).") from None
        saved = store.chains.save(record)
    print(f"Saved chain {saved.chain_id} ({saved.name}): {saved.rpc_url}")
    return 0


class _NoKey:
    address = "0x" + "00" * 20

    def unsafe_sign_hash(self, message_hash: bytes) -> Any:
        raise CliError("nothing is signed while adding a chain")


def cmd_chains_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        chains = store.chains.list()
    if args.json:
        rows = [
            {"chain_id": c.chain_id, "name": c.name, "rpc_url": c.rpc_url, "hub": c.hub_address}
            for c in chains
        ]
        print(json.dumps(rows, indent=2))
        return 0
    if not chains:
        print("No chains yet: nitro-desktop chains add --chain-id ID --rpc-url URL")
    for c in chains:
        print(f"{c.chain_id}\t{c.name}\t{c.rpc_url}\thub {c.hub_address or '(from the node, on first use)'}")
    return 0


# ---- channel ---------------------------------------------------------------------------------
def _amount(text: str) -> Decimal:
    try:
        value = parse_amount(text, what="the amount")
    except ProtocolError as exc:
        raise CliError(str(exc)) from None
    if value <= 0:
        raise CliError("the amount must be more than 0")
    return value


def _account(args: argparse.Namespace, store: Any) -> str:
    local = [r.address for r in store.accounts.list()]
    if args.account:
        try:
            wanted = parse_address(args.account, what="--account")
        except ProtocolError as exc:
            raise CliError(str(exc)) from None
        if wanted not in local:
            raise CliError(f"{wanted} is not an account on this computer (see `nitro-desktop accounts list`)")
        return wanted
    if len(local) != 1:
        raise CliError("name the account: --account ADDRESS" if local else "no account here: accounts new")
    return str(local[0])


def _signer(args: argparse.Namespace, store: Any, address: str) -> Any:
    from nitro_desktop.keys.accounts import AccountManager
    from nitro_desktop.keys.cli import PASSWORD_ENV, read_secret
    from nitro_desktop.keys.errors import KeysError

    manager = AccountManager(store)
    try:
        record = manager.get(address)
        password = None
        if record.backend == "file":
            password = read_secret(args.password_file, PASSWORD_ENV, f"Password for {record.address}: ")
        return manager.signer(record.address, password=password).unlocked()
    except KeysError as exc:
        raise CliError(str(exc)) from None


def _confirmer(args: argparse.Namespace) -> Callable[[Any], Awaitable[bool]]:
    from nitro_desktop.keys.cli import confirm

    async def ask(plan: Any) -> bool:
        print("\n".join(plan.lines()))
        try:
            confirm(args, "Send it?")
        except CliError as exc:
            print(f"nitro-desktop: {exc}", file=sys.stderr)
            return False
        return True

    return ask


Action = Callable[[Any, Callable[[Any], Awaitable[bool]]], Awaitable[Any]]


def _run_channel(args: argparse.Namespace, action: Action) -> int:
    from nitro_desktop.client import ClearNodeClient, ClientError
    from nitro_desktop.wallet.channel_types import ChannelError
    from nitro_desktop.wallet.home_channels import HomeChannels
    from nitro_desktop.wallet.hub_chain import ChainHubPort
    from nitro_desktop.wallet.hub_port import ChainFault

    with _store(args) as store:
        saved = store.endpoints.get(args.endpoint)
        url, dialect = (saved.url, saved.dialect) if saved is not None else (args.endpoint, Dialect.V1)
        if dialect is not Dialect.V1:
            raise CliError(f"home channels are dialect 1 (nitronode v1); {url} speaks {dialect.value}")
        account = _account(args, store)
        signer = _signer(args, store, account)
        endpoint = args.endpoint

        async def go() -> Any:
            async with ClearNodeClient(url, dialect, timeout=args.timeout) as client:
                channels = HomeChannels(
                    store, client, signer, lambda record, key: ChainHubPort(record, key), endpoint=endpoint
                )
                channels.events.tx_progress.subscribe(_progress)
                return await action(channels, _confirmer(args))

        try:
            result = asyncio.run(go())
        except (ChannelError, ChainFault) as exc:
            raise CliError(str(exc)) from None
        except ClientError as exc:
            raise CliError(f"the ClearNode at {url}: {exc}") from None
        except OSError as exc:
            raise CliError(f"cannot reach the ClearNode at {url}: {exc.strerror or exc}") from None
        _report(result)
    return 0


def _progress(progress: Any) -> None:
    detail = f": {progress.detail}" if progress.detail else ""
    print(f"  {progress.phase} {progress.tx_hash}{detail}", file=sys.stderr)


def _report(result: Any) -> None:
    from nitro_desktop.wallet.channel_types import ChannelView

    if isinstance(result, ChannelView):
        print(view_text(result))
    elif isinstance(result, list):
        for op in result:
            print(f"{op.kind} {op.amount} {op.asset}: {op.step}")
        if not result:
            print("Nothing to resume.")
    elif result is not None:
        print(f"{result.kind} {result.amount} {result.asset}: {result.step} (transaction {result.tx_hash})")


def view_text(view: Any) -> str:
    def amount(value: Decimal | None) -> str:
        return "not read" if value is None else f"{value.normalize():f} {view.asset}"

    lines = [
        f"{view.asset} home channel of {view.account} on chain {view.chain_id}:",
        f"  channel        {view.channel_id or 'none'} "
        f"({view.status or 'no channel'}, version {view.state_version})",
        f"  off-chain      {amount(view.off_chain)} (the node's latest state)",
        f"  node balance   {amount(view.node_balance)}",
        f"  on-chain       {amount(view.on_chain_locked)} locked in the ChannelHub",
        f"  wallet         {amount(view.wallet_token)}",
    ]
    for op in view.pending:
        lines.append(
            f"  in flight      {op.kind} {op.amount} {op.asset}: {op.step} {op.tx_hash or ''}".rstrip()
        )
    return "\n".join(lines)


def cmd_open(args: argparse.Namespace) -> int:
    amount = _amount(args.amount)
    return _run_channel(args, lambda c, ok: c.open(args.asset, amount, ok, chain_id=args.chain_id))


def cmd_deposit(args: argparse.Namespace) -> int:
    amount = _amount(args.amount)
    return _run_channel(args, lambda c, ok: c.deposit(args.asset, amount, ok))


def cmd_withdraw(args: argparse.Namespace) -> int:
    amount = _amount(args.amount)
    return _run_channel(args, lambda c, ok: c.withdraw(args.asset, amount, ok))


def cmd_close(args: argparse.Namespace) -> int:
    return _run_channel(args, lambda c, ok: c.close(args.asset, ok))


def cmd_show(args: argparse.Namespace) -> int:
    return _run_channel(args, lambda c, ok: c.show(args.asset, args.chain_id))


def cmd_resume(args: argparse.Namespace) -> int:
    return _run_channel(args, lambda c, ok: c.resume(ok))


def register(subparsers: Any) -> None:
    chains = subparsers.add_parser("chains", help="EVM chains for v1 funds (RPC URLs you choose)")
    chain_cmds = chains.add_subparsers(dest="chains_command", metavar="COMMAND", required=True)
    add = chain_cmds.add_parser(
        "add", help="add or edit a chain: its id and RPC URL (checked unless --no-check)"
    )
    add.add_argument("--chain-id", type=int, required=True)
    add.add_argument("--rpc-url", required=True)
    add.add_argument("--name")
    add.add_argument("--no-check", action="store_true", help="save without asking the RPC for its chain id")
    add.set_defaults(func=cmd_chains_add)
    listed = chain_cmds.add_parser("list", help="the chains saved here")
    listed.add_argument("--json", action="store_true")
    listed.set_defaults(func=cmd_chains_list)

    channel = subparsers.add_parser(
        "channel", help="your v1 home channel: open, deposit, withdraw, close, show"
    )
    cmds = channel.add_subparsers(dest="channel_command", metavar="COMMAND", required=True)
    specs: list[tuple[str, str, Callable[[argparse.Namespace], int], bool, bool]] = [
        ("open", "open a home channel with a first deposit", cmd_open, True, True),
        ("deposit", "move funds from your wallet into the channel", cmd_deposit, True, True),
        ("withdraw", "move funds from the channel back to your wallet", cmd_withdraw, True, True),
        ("close", "close the channel; its balance goes back to your wallet", cmd_close, True, False),
        ("show", "the channel and where your funds are", cmd_show, True, False),
        (
            "resume",
            "finish operations a crash, a 'no' or a dropped transaction left",
            cmd_resume,
            False,
            False,
        ),
    ]
    for name, help_text, func, has_asset, has_amount in specs:
        p = cmds.add_parser(name, help=help_text)
        if has_asset:
            p.add_argument("asset", help="the asset's symbol on the node (e.g. eth, usdc)")
        if has_amount:
            p.add_argument("amount", help="in the asset's units, as a decimal (e.g. 0.5)")
        p.add_argument(
            "--endpoint", required=True, help="the v1 ClearNode: a saved endpoint's name or its URL"
        )
        p.add_argument("--account", help="the local account (default: the only one)")
        p.add_argument(
            "--chain-id", type=int, help="the chain (default: the node's suggestion for the asset)"
        )
        p.add_argument("--yes", action="store_true", help="send without asking (the plan is still printed)")
        p.add_argument("--password-file", help="password of a file-backed key (or $NITRO_DESKTOP_PASSWORD)")
        p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request")
        p.set_defaults(func=func)

"""``sessions deposit``: put funds from a home channel into a dialect 1 session (``submit_deposit_state``).

The depositor (``--account``) signs the next state of their home channel committing the
amount to the session, as the app's Deposit dialog does (``V1ClearNodeClient.prepare_deposit``);
the deposit itself needs quorum signatures like any v1 change. When the local accounts
reach the quorum it is sent at once, otherwise ``--out`` saves a ``.nitroreq`` for the others.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from nitro_desktop.cli_errors import CliError
from nitro_desktop.protocol import Dialect, HashSigner, ProtocolError, parse_address, parse_amount

Common = Callable[[argparse.ArgumentParser], None]
SignersOf = Callable[[argparse.Namespace, Any, list[str]], list[HashSigner]]
EndpointName = Callable[[Any, str, Dialect], str]


def _amount(text: str) -> Decimal:
    try:
        value = parse_amount(text.strip(), what="--amount")
    except ProtocolError as exc:
        raise CliError(str(exc)) from None
    if value <= 0:
        raise CliError(f"--amount must be more than 0, got {text.strip()[:40]}")
    return value


def _where(args: argparse.Namespace, store: Any) -> str:
    from nitro_desktop.signing.cli_inputs import endpoint_of

    saved = store.sessions.get(args.id)
    url, dialect = endpoint_of(args, store, saved.endpoint if saved is not None else None)
    if dialect is not Dialect.V1:
        raise CliError(
            f"a deposit is a dialect 1 (nitronode) call; the ClearNode at {url} speaks {dialect.value}, "
            "where sessions are funded when they are created"
        )
    return url


def cmd_deposit(args: argparse.Namespace, signers_of: SignersOf, endpoint_name: EndpointName) -> int:
    from nitro_desktop.client import ClientError
    from nitro_desktop.protocol import check_precision
    from nitro_desktop.signing import SigningError, cli_v1
    from nitro_desktop.signing.cli import _store
    from nitro_desktop.signing.v1_submission import deposit_request

    amount = _amount(args.amount)
    with _store(args) as store:
        url = _where(args, store)
        try:
            depositor_address = parse_address(args.account, what="--account")
        except ProtocolError as exc:
            raise CliError(str(exc)) from None
        others = [a for a in args.sign if a.lower() != depositor_address.lower()]
        depositor, *signers = signers_of(args, store, [depositor_address, *others])

        async def prepare() -> Any:
            async with cli_v1.v1_client(url, args.timeout) as client:
                assets = {a.symbol: a.decimals for a in await client.get_assets()}
                if args.asset in assets:
                    check_precision(amount, assets[args.asset], what="--amount")
                return await deposit_request(client, args.id, args.asset, amount, depositor)

        try:
            request = asyncio.run(prepare())
        except SigningError as exc:
            raise CliError(str(exc)) from None
        except (ClientError, ProtocolError, OSError) as exc:
            raise CliError(f"deposit failed: {exc}") from None
        return cli_v1.finish(args, store, request, [depositor, *signers], endpoint_name)


def register(sessions: Any, common: Common, signers_of: SignersOf, endpoint_name: EndpointName) -> None:
    p = sessions.add_parser(
        "deposit", help="dialect 1: move funds from your home channel into a session (or save a .nitroreq)"
    )
    p.add_argument("id", help="the app session id")
    p.add_argument("--asset", required=True, help="the asset's symbol, e.g. usdc")
    p.add_argument("--amount", required=True, help="how much to put in, e.g. 12.5")
    p.add_argument("--account", required=True, help="the local account whose home channel pays")
    p.add_argument(
        "--sign", metavar="ACCOUNT", nargs="+", action="extend", default=[], help="more local quorum signers"
    )
    p.add_argument("--out", metavar="FILE.nitroreq", help="save a signing request for the other signers")
    common(p)
    p.set_defaults(func=lambda args: cmd_deposit(args, signers_of, endpoint_name))

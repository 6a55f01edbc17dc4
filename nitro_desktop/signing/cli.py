"""``sessions create|update|close``, ``sign`` and ``submit``: multi-party signing, headless.

``sessions create/update/close`` build the exact request and sign it with local accounts;
with ``--out`` they save a ``.nitroreq`` for others to sign, otherwise they submit at
once when the local signatures suffice. ``sign`` adds one account's signature to a file;
``submit`` sends a file whose signatures suffice. Their inputs (files, endpoint, the
session's state on the server) are gathered in ``cli_inputs``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nitro_desktop import signing
from nitro_desktop.protocol import Dialect, HashSigner, ProtocolError, parse_address, spec
from nitro_desktop.signing.cli_inputs import (
    cli_error,
    endpoint_of,
    pin_for,
    read_allocations,
    read_definition,
    session_definition,
    state_on_server,
)
from nitro_desktop.store.cli import sessions_subcommands

Handler = Callable[[argparse.Namespace], int]


def _store(args: argparse.Namespace) -> Any:
    from nitro_desktop.store import Store, StoreError

    try:
        return Store.open(args.data_dir)
    except StoreError as exc:
        raise cli_error(str(exc)) from None


def _signers(args: argparse.Namespace, store: Any, addresses: list[str]) -> list[HashSigner]:
    from nitro_desktop.keys.accounts import AccountManager
    from nitro_desktop.keys.cli import PASSWORD_ENV, read_secret
    from nitro_desktop.keys.errors import KeysError

    manager = AccountManager(store)
    out: list[HashSigner] = []
    try:
        for address in addresses:
            record = manager.get(parse_address(address, what="account"))
            password = None
            if record.backend == "file":
                password = read_secret(args.password_file, PASSWORD_ENV, f"Password for {record.address}: ")
            out.append(manager.signer(record.address, password=password).unlocked())
    except (KeysError, ProtocolError) as exc:
        raise cli_error(str(exc)) from None
    return out


def _local_addresses(store: Any) -> list[str]:
    return [r.address for r in store.accounts.list()]


def _print_summary(request: signing.Request, viewer: list[str]) -> None:
    print(signing.describe(request, viewer).text())


def _finish(args: argparse.Namespace, store: Any, request: signing.SigningRequest) -> int:
    """Sign with ``--sign`` accounts, then save for co-signers (``--out``) or submit when enough."""
    request = signing.sign_all(request, _signers(args, store, args.sign))
    if args.out:
        path = signing.save(request, _with_suffix(args.out))
        _print_summary(request, _local_addresses(store))
        print(f"\nSaved the signing request to {path}")
        return 0
    verdict = signing.sufficiency(request)
    if not verdict.sufficient:
        raise cli_error(
            f"the local signatures are not enough ({verdict.explanation}); "
            "save a signing request for the others with --out FILE.nitroreq"
        )
    return _submit(args, store, request)


def _with_suffix(path: str) -> Path:
    p = Path(path)
    return p if p.suffix else p.with_suffix(signing.FILE_SUFFIX)


def _submit(args: argparse.Namespace, store: Any, request: signing.SigningRequest) -> int:
    """Send at most once; whatever happens to the answer, find out, record it and say it."""
    from nitro_desktop.client import BrokerMismatch, ClientError
    from nitro_desktop.signing import submission
    from nitro_desktop.signing.cli_report import report

    auth: HashSigner | None = None
    account = getattr(args, "account", None) or request.created_by
    if getattr(args, "account", None):
        auth = _signers(args, store, [args.account])[0]
    pin = pin_for(args, store, request.endpoint, request.dialect, request.app_session_id)
    try:
        signing.ready_frame(request)
        done = asyncio.run(
            submission.submit_once(
                request,
                auth_signer=auth,
                timeout=args.timeout,
                settle=args.outcome_wait,
                expected_broker=pin.expected,
                on_broker=pin.announce,
            )
        )
    except signing.SigningError as exc:
        raise cli_error(str(exc)) from None
    except BrokerMismatch as exc:
        raise cli_error(pin.refusal(exc)) from None
    except (ClientError, OSError) as exc:
        raise cli_error(f"{request.method} failed: {exc}") from None
    endpoint = (
        ""
        if done.outcome == "unknown"
        else pin.name or _endpoint_name(store, request.endpoint, request.dialect)
    )
    return report(store, request, done, account=account, endpoint=endpoint)


def _endpoint_name(store: Any, url: str, dialect: Dialect) -> str:
    """The saved endpoint for this URL and dialect; saved (named by its URL) if there is none."""
    from nitro_desktop.store import EndpointRecord

    for record in store.endpoints.list():
        if record.url == url and record.dialect == dialect.value:
            return str(record.name)
    name = url if store.endpoints.get(url) is None else f"{url} ({dialect.value})"
    store.endpoints.save(EndpointRecord(name, url, dialect))
    return name


def _with_errors(func: Handler) -> Handler:
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except signing.SigningError as exc:
            raise cli_error(str(exc)) from None

    wrapper.__doc__ = func.__doc__
    return wrapper


@_with_errors
def cmd_create(args: argparse.Namespace) -> int:
    with _store(args) as store:
        url, dialect = endpoint_of(args, store)
        definition = read_definition(args.definition, dialect, keep_nonce=True)
        if spec(dialect).own_session_calls:  # quorum signatures inside the payload: sent directly
            return _v1(args, store, url, "create", definition)
        request = signing.create_request(
            url,
            dialect,
            definition,
            read_allocations(args.allocations),
            args.session_data,
            timestamp_window=args.timestamp_window,
            created_by=args.sign[0] if args.sign else "",
        )
        return _finish(args, store, request)


@_with_errors
def cmd_close(args: argparse.Namespace) -> int:
    with _store(args) as store:
        definition, url, dialect = session_definition(args, store)
        if spec(dialect).own_session_calls:
            return _v1(args, store, url, "close", definition)
        args.command_word = "close"
        state_on_server(args, store, url, dialect, definition)
        request = signing.close_request(
            url,
            dialect,
            definition,
            read_allocations(args.allocations),
            args.session_data,
            timestamp_window=args.timestamp_window,
            created_by=args.sign[0] if args.sign else "",
        )
        return _finish(args, store, request)


@_with_errors
def cmd_update(args: argparse.Namespace) -> int:
    with _store(args) as store:
        definition, url, dialect = session_definition(args, store)
        if spec(dialect).own_session_calls:
            return _v1(args, store, url, "submit", definition)
        args.command_word = "update"
        session = state_on_server(args, store, url, dialect, definition)
        # Sessions whose protocol the dialect versions name the next version (and an intent).
        versioned = definition.protocol in spec(dialect).versioned_protocols
        version = args.version or (session.version + 1 if versioned and session is not None else None)
        request = signing.submit_request(
            url,
            dialect,
            definition,
            read_allocations(args.allocations),
            intent=args.intent or ("operate" if version is not None else None),
            version=version,
            session_data=args.session_data,
            timestamp_window=args.timestamp_window,
            created_by=args.sign[0] if args.sign else "",
        )
        return _finish(args, store, request)


def _v1(args: argparse.Namespace, store: Any, url: str, kind: str, definition: Any) -> int:
    """Dialect 1: quorum signatures inside the payload (``cli_v1``)."""
    from nitro_desktop.signing import cli_v1

    allocations = read_allocations(args.allocations)
    signers_for = lambda addresses: _signers(args, store, list(addresses))  # noqa: E731
    if kind == "create":
        return cli_v1.create(args, store, url, definition, allocations, signers_for, _endpoint_name)
    return cli_v1.change(args, store, url, kind, definition, allocations, signers_for, _endpoint_name)


@_with_errors
def cmd_sign(args: argparse.Namespace) -> int:
    with _store(args) as store:
        request = signing.load(args.file)
        if args.rebuild:
            request = signing.rebuild(request)
            print("Rebuilt with a fresh timestamp; the earlier signatures were dropped.", file=sys.stderr)
        account = parse_address(args.account, what="account")
        request.check_signer(account)
        try:
            signing.check_fresh(request)
        except signing.ExpiredRequestError as exc:
            raise cli_error(f"{exc} (nitro-desktop sign {args.file} --rebuild --account ADDRESS)") from None
        _print_summary(request, [account])
        if sys.stdin.isatty() and not args.yes:
            # The question goes to stderr, like every prompt: stdout is the command's output.
            print(f"\nSign this request as {account}? [y/N] ", end="", file=sys.stderr, flush=True)
            answer = sys.stdin.readline()
            if answer.strip().lower() not in {"y", "yes"}:
                raise cli_error("not signed")
        request = signing.sign(request, _signers(args, store, [account])[0])
        path = signing.save(request, args.out or args.file)
        print(f"\nSigned as {account}; saved to {path}. {signing.sufficiency(request).explanation}.")
        return 0


@_with_errors
def cmd_submit(args: argparse.Namespace) -> int:
    with _store(args) as store:
        request = signing.load(args.file)
        if isinstance(request, signing.V1SigningRequest):
            from nitro_desktop.signing import cli_v1

            return cli_v1.send(args, store, request, _endpoint_name)
        return _submit(args, store, request)


def _common(p: argparse.ArgumentParser, *, endpoint: bool = True) -> None:
    if endpoint:
        p.add_argument("--endpoint", metavar="URL", help="the ClearNode's URL, or a saved endpoint's name")
        p.add_argument("--dialect", choices=[d.value for d in Dialect], help="wire dialect (default 0.2)")
    p.add_argument("--password-file", help="password of file-backed keys (or $NITRO_DESKTOP_PASSWORD)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the ClearNode")
    p.add_argument(
        "--outcome-wait",
        type=float,
        metavar="SECONDS",
        help="when an answer is lost, how long to keep asking the ClearNode what became of the "
        "request before giving up (default: 3 x timeout, at least 30)",
    )


def _build_options(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--allocations", metavar="FILE", required=True, help="JSON list of allocations")
    p.add_argument(
        "--sign", metavar="ACCOUNT", nargs="+", action="extend", default=[], help="sign with local accounts"
    )
    p.add_argument("--out", metavar="FILE.nitroreq", help="save a signing request for the other signers")
    p.add_argument("--session-data", help="application data to send with the request")
    p.add_argument(
        "--timestamp-window",
        type=float,
        default=signing.DEFAULT_TIMESTAMP_WINDOW,
        metavar="SECONDS",
        help="how old the server lets a request be (default 60, the ClearNode's default)",
    )


def register(subparsers: Any) -> None:
    from nitro_desktop.signing import cli_deposit

    sessions = sessions_subcommands(subparsers)
    cli_deposit.register(sessions, _common, _signers, _endpoint_name)
    p = sessions.add_parser("create", help="create an application session (or save a signing request)")
    p.add_argument("--definition", metavar="FILE", required=True, help="JSON session definition")
    _build_options(p)
    p.set_defaults(func=cmd_create)

    for name, func, text in (
        ("update", cmd_update, "submit a new state (submit_app_state)"),
        ("close", cmd_close, "close an application session and pay out"),
    ):
        p = sessions.add_parser(name, help=f"{text} (or save a signing request)")
        p.add_argument("id", help="the app session id")
        p.add_argument(
            "--definition", metavar="FILE", help="the session's definition (default: history/server)"
        )
        if name == "update":
            p.add_argument(
                "--intent", choices=("operate", "deposit", "withdraw"), help="NitroRPC/0.4 and dialect 1"
            )
            p.add_argument("--version", type=int, help="the next version (NitroRPC/0.4 and dialect 1)")
        _build_options(p)
        p.set_defaults(func=func)

    p = subparsers.add_parser("sign", help="add your signature to a signing request (.nitroreq)")
    p.add_argument("file")
    p.add_argument("--account", required=True, help="the local account that signs")
    p.add_argument("--out", metavar="FILE", help="save to FILE instead of back to the same file")
    p.add_argument("--rebuild", action="store_true", help="renew an expired request first (drops signatures)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _common(p, endpoint=False)
    p.set_defaults(func=cmd_sign)

    p = subparsers.add_parser("submit", help="send a signing request whose signatures suffice")
    p.add_argument("file")
    p.add_argument("--account", help="authenticate as this local account (default: a throwaway key)")
    _common(p, endpoint=False)
    p.set_defaults(func=cmd_submit)

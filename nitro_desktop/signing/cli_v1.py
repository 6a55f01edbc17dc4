"""``sessions create|update|close`` and ``submit`` for dialect 1 (nitronode), where quorum
signatures ride inside the payload.

Each command builds a dialect 1 signing request (``v1_build``) and signs it with the
``--sign`` accounts. With ``--out`` it is saved as a ``.nitroreq`` for the other signers;
otherwise it is sent at once when the local signatures reach the quorum. ``submit`` sends
a file whose quorum is met. Outcomes are recorded by ``history`` with their frames.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nitro_desktop import signing
from nitro_desktop.cli_errors import CliError
from nitro_desktop.history import Frames
from nitro_desktop.protocol import AppDefinition, Dialect, HashSigner, ProtocolError
from nitro_desktop.signing.v1_build import create_request_v1, update_request_v1
from nitro_desktop.signing.v1_request import V1SigningRequest

SignersFor = Callable[[Sequence[str]], list[HashSigner]]
EndpointName = Callable[[Any, str, Dialect], str]
_DONE = {"create": "Created", "submit": "Updated", "deposit": "Deposited into", "close": "Closed"}


def _out_path(path: str) -> Path:
    p = Path(path)
    return p if p.suffix else p.with_suffix(signing.FILE_SUFFIX)


def v1_client(url: str, timeout: float) -> Any:
    from nitro_desktop.client import ClearNodeClient

    return ClearNodeClient(url, Dialect.V1, timeout=timeout)


def finish(
    args: argparse.Namespace,
    store: Any,
    request: V1SigningRequest,
    signers: Sequence[HashSigner],
    endpoint_name: EndpointName,
) -> int:
    """Sign with the local accounts; save for co-signers (``--out``) or send when the quorum is met."""
    eligible = set(request.eligible_signers()) - set(request.signers)
    request = signing.sign_all(request, [s for s in signers if s.address in eligible])
    if getattr(args, "out", None):
        path = signing.save(request, _out_path(args.out))
        print(signing.describe(request, [r.address for r in store.accounts.list()]).text())
        print(f"\nSaved the signing request to {path}")
        return 0
    verdict = signing.sufficiency(request)
    if not verdict.sufficient:
        raise CliError(
            f"the local signatures are not enough ({verdict.explanation}); "
            "save a signing request for the others with --out FILE.nitroreq"
        )
    return send(args, store, request, endpoint_name)


def send(
    args: argparse.Namespace,
    store: Any,
    request: V1SigningRequest,
    endpoint_name: EndpointName,
) -> int:
    """Send a request whose quorum is met, record what the node answered, and say it."""
    from nitro_desktop.client import ClientError
    from nitro_desktop.signing import v1_submission

    try:
        session, exchange = asyncio.run(v1_submission.send_v1(request, timeout=args.timeout))
    except signing.SigningError as exc:
        raise CliError(str(exc)) from None
    except (ClientError, ProtocolError, OSError) as exc:
        raise CliError(f"{request.method} failed: {exc}") from None
    account = getattr(args, "account", None) or request.created_by or (request.signers or ("",))[0]
    endpoint = endpoint_name(store, request.endpoint, request.dialect)
    record = v1_submission.record_v1(
        store, request, session, Frames.of(exchange), endpoint=endpoint, account=account
    )
    sid = request.app_session_id
    if v1_submission.already_done(session):
        print(
            f"App session {sid} already exists on {request.endpoint}; nothing new was created.",
            file=sys.stderr,
        )
    elif request.kind == "create":
        print(f"Created {sid} (version {record.version}, {record.status}); it starts empty.")
    else:
        print(f"{_DONE[request.kind]} {sid}: version {session.version}, {session.status}.")
    return 0


def create(
    args: argparse.Namespace,
    store: Any,
    url: str,
    definition: AppDefinition,
    allocations: Sequence[Any],
    signers_for: SignersFor,
    endpoint_name: EndpointName,
) -> int:
    if any(a.amount for a in allocations):
        raise CliError(
            "a dialect 1 session is created empty: give --allocations an empty list ([]) "
            "and put funds in afterwards with a deposit (nitro-desktop sessions deposit)"
        )
    if not args.sign and not args.out:
        raise CliError("name the local accounts whose signatures reach the quorum: --sign ADDRESS")
    request = create_request_v1(
        url, definition, args.session_data or "", created_by=args.sign[0] if args.sign else ""
    )
    return finish(args, store, request, signers_for(args.sign), endpoint_name)


def change(
    args: argparse.Namespace,
    store: Any,
    url: str,
    kind: str,
    definition: AppDefinition,
    allocations: Sequence[Any],
    signers_for: SignersFor,
    endpoint_name: EndpointName,
) -> int:
    """A submit (``--intent`` operate or withdraw) or a close, at the session's next version."""
    intent = "close" if kind == "close" else (getattr(args, "intent", None) or "operate")
    if intent == "deposit":
        raise CliError(
            "a deposit moves funds from a home channel: use nitro-desktop sessions deposit ID "
            "--asset ASSET --amount AMOUNT --account ADDRESS"
        )
    if not args.sign and not args.out:
        raise CliError("name the local accounts whose signatures reach the quorum: --sign ADDRESS")
    signers = signers_for(args.sign)
    version = getattr(args, "version", None) or _next_version(url, args.id, args.timeout)
    request = update_request_v1(
        url,
        definition,
        intent,
        version,
        allocations,
        args.session_data or "",
        created_by=args.sign[0] if args.sign else "",
    )
    return finish(args, store, request, signers, endpoint_name)


def _next_version(url: str, sid: str, timeout: float) -> int:
    from nitro_desktop.client import ClientError

    async def read() -> Any:
        async with v1_client(url, timeout) as client:
            return await client.v1.find_app_session(sid)

    try:
        info = asyncio.run(read())
    except (ClientError, ProtocolError, OSError) as exc:
        raise CliError(f"cannot read the version of {sid} from {url} ({exc}); give --version") from None
    if info is None:
        raise CliError(f"the ClearNode at {url} has no app session {sid}")
    if info.status == "closed":
        raise CliError(f"{sid} is already closed (version {info.version}); it cannot change any more")
    return int(info.version) + 1

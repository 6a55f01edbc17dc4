"""``sessions create|update|close`` for a ClearNode whose sessions are signed inside the payload.

Dialect 1 (nitronode) has no request signature to collect: its quorum signatures are
made over a hash of the definition or the state update and ride inside the payload.
So the ``.nitroreq`` path does not apply; here every quorum signer must be a local
account (``--sign``), the request is sent at once, and the outcome is recorded by
``history`` with its own frames, as the wallet core does.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from typing import Any

from nitro_desktop.cli_errors import CliError
from nitro_desktop.history import Draft, Frames, Kind, SessionHistory
from nitro_desktop.protocol import Allocation, AppDefinition, AppSession, Dialect, HashSigner, go_json
from nitro_desktop.signing.request import NO_V1_REQUESTS

NO_NITROREQ = NO_V1_REQUESTS


def refuse_out(args: argparse.Namespace) -> None:
    if getattr(args, "out", None):
        raise CliError(NO_NITROREQ)


async def _send(url: str, dialect: Dialect, timeout: float, call: Any) -> tuple[AppSession, Frames]:
    from nitro_desktop.client import ClearNodeClient
    from nitro_desktop.client.exchanges import Exchange

    sent: list[Exchange] = []
    async with ClearNodeClient(url, dialect, timeout=timeout) as client:
        session: AppSession = await call(client, sent.append)
        answered = client.exchanges.get(sent[0].request_id) if sent else None
        return session, Frames.of(answered or (sent[0] if sent else None))


def create(
    args: argparse.Namespace,
    store: Any,
    url: str,
    dialect: Dialect,
    endpoint: str,
    definition: AppDefinition,
    allocations: Sequence[Allocation],
    signers: Sequence[HashSigner],
) -> int:
    refuse_out(args)
    if any(a.amount for a in allocations):
        raise CliError(
            "a dialect 1 session is created empty: give --allocations an empty list ([]) "
            "and put funds in afterwards with a deposit"
        )
    from nitro_desktop.protocol import app_session_id

    expected = app_session_id(definition, dialect)
    session, frames = asyncio.run(
        _send(
            url,
            dialect,
            args.timeout,
            lambda client, on_sent: client.create_app_session(
                definition, [], signers, args.session_data, on_sent=on_sent
            ),
        )
    )
    draft = Draft(
        endpoint=endpoint,
        account=signers[0].address,
        protocol=definition.protocol,
        application=definition.application,
        definition_json=go_json(definition.to_wire(with_application=True)),
        allocations_json="[]",
    )
    record = SessionHistory(store).created(draft, session, frames)
    print(f"Created {expected} (version {record.version}, {record.status}); it starts empty.")
    return 0


def change(
    args: argparse.Namespace,
    store: Any,
    url: str,
    dialect: Dialect,
    kind: Kind,
    allocations: Sequence[Allocation],
    signers: Sequence[HashSigner],
) -> int:
    """A submit (``--intent`` operate or withdraw) or a close of a saved or listed session."""
    refuse_out(args)
    intent = "close" if kind == "close" else (getattr(args, "intent", None) or "operate")
    if intent == "deposit":
        raise CliError(
            "a deposit moves funds from your home channel: use the app's Deposit (not the CLI yet)"
        )
    version = getattr(args, "version", None)
    session, frames = asyncio.run(
        _send(
            url,
            dialect,
            args.timeout,
            lambda client, on_sent: client.submit_app_state(
                args.id,
                allocations,
                signers,
                intent=intent,
                version=version,
                session_data=args.session_data,
                on_sent=on_sent,
            ),
        )
    )
    history = SessionHistory(store)
    if store.sessions.get(args.id) is not None:
        history.changed(
            args.id,
            kind,
            session,
            frames,
            expected_version=session.version,
            allocations_json=go_json([a.to_wire() for a in allocations]),
        )
    done = "Closed" if kind == "close" else "Updated"
    print(f"{done} {args.id}: version {session.version}, {session.status}.")
    return 0

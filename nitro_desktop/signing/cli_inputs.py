"""Where ``sessions create|update|close`` get what they work on: files, saved endpoints, the server.

The definition and allocation files are read and checked here, the endpoint and its
pin are resolved from the store, and for update/close the session's definition and
current state are fetched from the ClearNode when they are not saved locally.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    Dialect,
    ProtocolError,
    check_definition_numbers,
    definition_from_dict,
    parse_address,
    parse_amount,
    spec,
)

if TYPE_CHECKING:
    from nitro_desktop.signing.pinning import EndpointPin


def cli_error(message: str) -> Exception:
    from nitro_desktop.cli_errors import CliError

    return CliError(message)


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise cli_error(f"cannot read the {what} file {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise cli_error(f"the {what} file {path} is not JSON: {exc}") from None


def read_definition(path: str, dialect: Dialect, *, keep_nonce: bool = False) -> AppDefinition:
    """The definition in ``path``; ``keep_nonce``: a nonce made up here is written back (create)."""
    raw = _read_json(path, "definition")
    if not isinstance(raw, dict):
        raise cli_error("the definition must be a JSON object")
    original, raw = raw, dict(raw)
    if "application_id" in raw and isinstance(raw.get("participants"), list):
        raw = _from_v1_shape(raw)  # nitronode's own shape: {wallet_address, signature_weight} entries
    raw.setdefault("protocol", spec(dialect).default_protocol)
    if not raw.get("nonce"):
        import time

        raw["nonce"] = int(time.time() * 1000)
        if keep_nonce:
            from nitro_desktop.signing.definition_file import kept_nonce_note

            print(kept_nonce_note(path, original, raw["nonce"]), file=sys.stderr)
    try:
        raw["participants"] = [parse_address(p, what="participant") for p in raw.get("participants") or []]
        return check_definition_numbers(definition_from_dict(raw))
    except ProtocolError as exc:
        raise cli_error(f"definition: {exc}") from None


def _from_v1_shape(raw: dict[str, Any]) -> dict[str, Any]:
    entries = [p if isinstance(p, dict) else {} for p in raw["participants"]]
    return {
        "application": raw.get("application_id"),
        "participants": [p.get("wallet_address") for p in entries],
        "weights": [p.get("signature_weight") for p in entries],
        "quorum": raw.get("quorum"),
        "nonce": int(raw["nonce"]) if str(raw.get("nonce", "")).isdigit() else raw.get("nonce"),
    }


def read_allocations(path: str) -> list[Allocation]:
    raw = _read_json(path, "allocations")
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise cli_error('allocations must be a JSON list of {"participant", "asset", "amount"} objects')
    try:
        return [
            Allocation(
                parse_address(x.get("participant"), what="allocation participant"),
                str(x.get("asset", "")),
                parse_amount(x.get("amount"), what=f"amount of {x.get('participant')}"),
            )
            for x in raw
        ]
    except ProtocolError as exc:
        raise cli_error(f"allocations: {exc}") from None


def endpoint_of(args: argparse.Namespace, store: Any, fallback: str | None = None) -> tuple[str, Dialect]:
    """``--endpoint`` is a URL or the name of a saved endpoint; its dialect comes with it."""
    name = args.endpoint or fallback
    if not name:
        raise cli_error("name the ClearNode: --endpoint URL (or a saved endpoint's name) and --dialect")
    record = store.endpoints.get(name)
    url = record.url if record is not None else name
    dialect = args.dialect or (record.dialect if record is not None else "0.2")
    try:
        return url, Dialect(dialect)
    except ValueError:
        raise cli_error(
            f"unknown dialect {dialect!r}; known: {', '.join(d.value for d in Dialect)}"
        ) from None


def pin_for(args: argparse.Namespace, store: Any, url: str, dialect: Dialect, sid: str | None) -> EndpointPin:
    """The saved endpoint this command talks to (``--endpoint``, else the session's, else by URL)."""
    from nitro_desktop.signing.pinning import EndpointPin

    saved = store.sessions.get(sid) if sid else None
    names = (getattr(args, "endpoint", None), saved.endpoint if saved else None)
    return EndpointPin.find(store, url, dialect, *names)


def session_definition(args: argparse.Namespace, store: Any) -> tuple[AppDefinition, str, Dialect]:
    from nitro_desktop.protocol import app_session_id

    saved = store.sessions.get(args.id)
    url, dialect = endpoint_of(args, store, saved.endpoint if saved is not None else None)
    if args.definition:
        definition = read_definition(args.definition, dialect)
    elif saved is not None:
        definition = definition_from_dict(json.loads(saved.definition_json))
    else:
        pin = pin_for(args, store, url, dialect, None)
        definition = asyncio.run(_fetch_definition(pin, args.id, args.timeout))
    if app_session_id(definition, dialect) != args.id:
        raise cli_error(
            f"the definition does not belong to {args.id} (it gives {app_session_id(definition, dialect)})"
        )
    return definition, url, dialect


async def _fetch_definition(pin: EndpointPin, sid: str, timeout: float) -> AppDefinition:
    from nitro_desktop.client import BrokerMismatch, ClearNodeClient, ClientError

    try:
        client = ClearNodeClient(pin.url, pin.dialect, timeout=timeout, expected_broker=pin.expected)
        async with client:
            if client.broker_address:
                pin.announce(client.broker_address)
            definition = await client.get_app_definition(sid)
            # v0.5.2 leaves `application` empty here, and the id covers it: the session list has it.
            if definition.participants:
                async for session in client.iter_app_sessions(participant=definition.participants[0]):
                    if session.app_session_id == sid:
                        return session.definition()
            return definition
    except BrokerMismatch as exc:
        raise cli_error(pin.refusal(exc)) from None
    except (ClientError, OSError) as exc:
        raise cli_error(f"cannot get the definition of {sid} from {pin.url}: {exc}") from None


def state_on_server(
    args: argparse.Namespace, store: Any, url: str, dialect: Dialect, definition: AppDefinition
) -> Any:
    """The session as the server has it now: others may have moved it since it was saved here.

    The saved record follows the server first (and the user hears of it), so the new
    request builds on the current version. None when the server does not list it.
    """
    from nitro_desktop.client import BrokerMismatch, ClientError
    from nitro_desktop.signing import submission

    pin = pin_for(args, store, url, dialect, args.id)
    participant = definition.participants[0] if definition.participants else ""
    try:
        session = asyncio.run(
            submission.fetch_state(
                url, dialect.value, args.id, participant,
                timeout=args.timeout, expected_broker=pin.expected, on_broker=pin.announce,
            )
        )  # fmt: skip
    except BrokerMismatch as exc:
        raise cli_error(pin.refusal(exc)) from None
    except (ClientError, OSError) as exc:
        if not args.out:
            raise cli_error(f"cannot read the current state of {args.id} from {url}: {exc}") from None
        # A request saved for others can still be made offline, on the version saved here.
        print(
            f"warning: cannot read the current state of {args.id} ({exc}); using the saved one",
            file=sys.stderr,
        )
        return None
    if session is not None:
        note = submission.moved_note(submission.record_seen(store, session), session, args.command_word)
        if note:
            print(note, file=sys.stderr)
        if session.status == "closed" and args.command_word == "update":
            raise cli_error(
                f"{args.id} is closed (version {session.version}); there is nothing to {args.command_word}"
            )
    return session

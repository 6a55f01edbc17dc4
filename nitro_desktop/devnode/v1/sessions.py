"""``app_sessions.v1``: create, reads and the shared pieces of every state update.

Checks run in nitronode's order with its texts (``nitronode/api/app_session_v1``);
where Go walks a map (random order) the sandbox walks it sorted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.devnode.v1.quorum import Fail
from nitro_desktop.devnode.v1.wire import PayloadError, Struct, parse_decimal, parse_go_uint, string_item

APPLICATION_ID = re.compile(r"^[a-z0-9_-]{1,66}$")
APPLICATION_ID_TEXT = "^[a-z0-9_-]{1,66}$"
HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
OPEN, CLOSED = 1, 2
STATUS_NAMES = {0: "", 1: "open", 2: "closed"}
INTENTS = {0: "operate", 1: "deposit", 2: "withdraw", 3: "close"}
MAX_PARTICIPANTS = 32
MAX_SESSION_DATA = 1024
DEFAULT_LIMIT, MAX_LIMIT = 10, 100
# nitronode passes its database's error through (wrapped twice); the public nodes run PostgreSQL.
DUPLICATE_SESSION = (
    "failed to create app session: failed to create app session: ERROR: duplicate key value violates"
    ' unique constraint "app_sessions_v1_pkey" (SQLSTATE 23505)'
)


def normalize_address(text: str) -> str:
    """``core.NormalizeHexAddress``; ``ValueError`` with its text."""
    s = text.lower()
    if not s.startswith("0x") or len(s) != 42:
        raise ValueError("invalid hex address: incorrect length, expected 42 characters including 0x prefix")
    for i, c in enumerate(s[2:], start=2):
        if c not in "0123456789abcdef":
            raise ValueError(
                f"invalid hex address: character '{c}' at position {i} is not a valid hexadecimal character"
            )
    return s


def valid_application_id(text: str) -> bool:
    """``app.IsValidApplicationID`` (Go's ``$`` does not match before a final newline)."""
    return bool(APPLICATION_ID.match(text)) and not text.endswith("\n")


def intent_name(intent: int) -> str:
    return INTENTS.get(intent, "unknown")


# ---- request shapes ------------------------------------------------------------------------
def read_participant(value: Any) -> tuple[str, int]:
    item = Struct(value)
    return item.string("wallet_address"), item.uint("signature_weight", 8)


def read_definition(obj: Struct) -> dict[str, Any]:
    return {
        "application_id": obj.string("application_id"),
        "participants": obj.items("participants", read_participant),
        "quorum": obj.uint("quorum", 8),
        "nonce": obj.string("nonce"),
    }


def read_allocation(value: Any) -> tuple[str, str, str]:
    item = Struct(value)
    return item.string("participant"), item.string("asset"), item.string("amount")


@dataclass
class Update:
    """``AppStateUpdateV1`` as sent (strings) and, after ``unmap``, as checked."""

    app_session_id: str
    intent: int
    version_text: str
    raw_allocations: list[tuple[str, str, str]]
    session_data: str
    version: int = 0
    allocations: list[tuple[str, str, Decimal]] | None = None

    @classmethod
    def read(cls, obj: Struct) -> Update:
        return cls(
            obj.string("app_session_id"),
            obj.uint("intent", 8),
            obj.string("version"),
            obj.items("allocations", read_allocation),
            obj.string("session_data"),
        )

    def unmap(self) -> None:
        """``unmapAppStateUpdateV1``: any failure is the caller's fallback text."""
        self.allocations = [(p.lower(), a, parse_decimal(x)) for p, a, x in self.raw_allocations]
        self.version = parse_go_uint(self.version_text)

    def packed(self) -> bytes:
        assert self.allocations is not None
        return hashes.app_state_update_hash(
            self.app_session_id, self.intent, self.version, self.allocations, self.session_data
        )


def read_sigs(obj: Struct) -> list[str]:
    return obj.items("quorum_sigs", string_item)


# ---- session rows ----------------------------------------------------------------------------
def weights_of(row: Any) -> dict[str, int]:
    return {w.lower(): weight for w, weight in json.loads(row["participants"])}


def definition_to_wire(row: Any) -> dict[str, Any]:
    return {
        "application_id": row["application_id"],
        "participants": [
            {"wallet_address": w, "signature_weight": x} for w, x in json.loads(row["participants"])
        ],
        "quorum": row["quorum"],
        "nonce": row["nonce"],
    }


def session_to_wire(row: Any, allocations: dict[str, dict[str, Decimal]]) -> dict[str, Any]:
    """``mapAppSessionInfoV1``: allocations sorted by asset, then participant."""
    rows = [
        {"participant": p, "asset": a, "amount": hashes.go_decimal(x)}
        for p, shares in allocations.items()
        for a, x in shares.items()
    ]
    rows.sort(key=lambda r: (r["asset"], r["participant"]))
    wire: dict[str, Any] = {
        "app_session_id": row["session_id"],
        "status": STATUS_NAMES.get(row["status"], "unknown"),
        "app_definition": definition_to_wire(row),
    }
    if row["session_data"]:
        wire["session_data"] = row["session_data"]
    wire["version"] = str(row["version"])
    wire["allocations"] = rows
    return wire


# ---- handlers ----------------------------------------------------------------------------------
def create_app_session(node: Any, payload: Struct) -> dict[str, Any]:
    try:
        definition = read_definition(payload.struct("definition"))
        session_data = payload.string("session_data")
        sigs = read_sigs(payload)
        payload.string("owner_sig")
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    participants = definition["participants"]
    if len(participants) > MAX_PARTICIPANTS:
        raise Fail(f"participants array exceeds maximum length of {MAX_PARTICIPANTS}")
    if len(sigs) > len(participants):
        raise Fail(f"quorum_sigs count ({len(sigs)}) exceeds participants count ({len(participants)})")
    if len(session_data.encode()) > MAX_SESSION_DATA:
        raise Fail(f"session_data exceeds maximum length of {MAX_SESSION_DATA}")
    if definition["application_id"] == "":
        raise Fail("application id is required")
    if not valid_application_id(definition["application_id"]):
        raise Fail(f"invalid application id: must match {APPLICATION_ID_TEXT}")
    try:
        nonce = parse_go_uint(definition["nonce"])
    except ValueError:
        raise Fail("invalid app definition") from None
    if nonce == 0:
        raise Fail("nonce must be non-zero")
    if definition["quorum"] == 0:
        raise Fail("quorum must be greater than zero")
    weights: dict[str, int] = {}
    normalized: list[tuple[str, int]] = []
    for wallet, weight in participants:
        try:
            key = normalize_address(wallet)
        except ValueError as exc:
            raise Fail(f"invalid participant wallet_address {json.dumps(wallet)}: {exc}") from None
        if key in weights:
            raise Fail(f"duplicate participant address: {wallet}")
        weights[key] = weight
        normalized.append((key, weight))
    total = sum(weights.values())
    if definition["quorum"] > total:
        raise Fail(
            f"target quorum ({definition['quorum']}) cannot be greater than total sum of weights ({total})"
        )
    if not sigs:
        raise Fail("no signatures provided")
    canonical = {**definition, "participants": normalized, "nonce": nonce}
    packed = hashes.create_session_hash(canonical, session_data)
    session_id = hashes.app_session_id(canonical)
    with node.db.transaction():
        node.verify_quorum(
            session_id, definition["application_id"], weights, definition["quorum"], packed, sigs
        )
        if node.store.session(session_id) is not None:
            raise Fail(DUPLICATE_SESSION)
        node.store.create_session(
            {**canonical, "session_id": session_id, "session_data": session_data}, node.clock()
        )
    return {"app_session_id": session_id, "version": "1", "status": "open"}


def get_app_definition(node: Any, payload: Struct) -> dict[str, Any]:
    try:
        session_id = payload.string("app_session_id")
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    row = node.store.session(session_id.lower())
    return {} if row is None else {"definition": definition_to_wire(row)}


def get_app_sessions(node: Any, payload: Struct) -> dict[str, Any]:
    try:
        session_id = payload.opt_string("app_session_id")
        participant = payload.opt_string("participant")
        status_text = payload.opt_string("status")
        page = payload.opt_struct("pagination")
        offset = page.opt_uint("offset", 32) if page else None
        limit = page.opt_uint("limit", 32) if page else None
        if page:
            page.opt_string("sort")
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    if session_id is None and participant is None:
        raise Fail("either app_session_id or participant must be provided")
    if session_id is not None and not (HASH.match(session_id) and not session_id.endswith("\n")):
        raise Fail("invalid app_session_id")
    if participant is not None:
        try:
            participant = normalize_address(participant)
        except ValueError as exc:
            raise Fail(f"invalid participant: {exc}") from None
    status = 0
    if status_text is not None:
        if status_text not in ("open", "closed"):
            raise Fail(f"invalid status: {status_text}")
        status = OPEN if status_text == "open" else CLOSED
    offset = min(offset or 0, 2**31 - 1)
    limit = min(limit, MAX_LIMIT) if limit else DEFAULT_LIMIT
    rows, total = node.store.sessions(
        session_id.lower() if session_id else None, participant or None, status, offset, limit, True
    )
    return {
        "app_sessions": [session_to_wire(r, node.store.allocations(r["session_id"])) for r in rows],
        "metadata": {
            "page": offset // limit + 1,
            "per_page": limit,
            "total_count": total,
            "page_count": (total + limit - 1) // limit,
        },
    }

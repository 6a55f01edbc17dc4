"""App session keys: ``app_sessions.v1.submit_session_key_state`` / ``get_last_key_states``.

nitronode's ``submit_session_key_state.go`` check by check, with its texts. A wallet
delegates to a session key, scoped to application ids and/or app session ids, until
``expires_at``; the key then signs quorum signatures (type 0xA2) for its owner. A key
belongs to the first wallet that registered it, for good. The sandbox keeps only each
key's newest state (the only one any method reads back); nitronode keeps the history.
"""

from __future__ import annotations

import json
import re
from typing import Any

from nitro_desktop.devnode.db import Database
from nitro_desktop.devnode.v1.quorum import Fail, hexutil_decode, recover_eth_msg
from nitro_desktop.devnode.v1.reads import offset_and_limit, page_of
from nitro_desktop.devnode.v1.sessions import normalize_address, valid_application_id
from nitro_desktop.devnode.v1.wire import PayloadError, Struct, go_quote, string_item
from nitro_desktop.protocol import v1

MAX_KEY_IDS = 10  # NITRONODE_MAX_SESSION_KEY_IDS default
MAX_KEYS_PER_USER = 100  # NITRONODE_MAX_SESSION_KEYS_PER_USER default
KEY_STATES_PAGE = 10  # rpc.GetLastKeyStatesPageLimit: default and maximum
MAX_KEYS_STORED = 100_000  # the sandbox's own bound on what strangers can make it keep
LOWERCASE_HASH = re.compile(r"0x[0-9a-f]{64}")
BAD = "invalid_session_key_state: "

_SCHEMA = """
CREATE TABLE IF NOT EXISTS v1_session_keys (
    session_key TEXT PRIMARY KEY, user_address TEXT NOT NULL, version INTEGER NOT NULL,
    application_ids TEXT NOT NULL, app_session_ids TEXT NOT NULL, expires_at INTEGER NOT NULL,
    user_sig TEXT NOT NULL, session_key_sig TEXT NOT NULL, state_id TEXT NOT NULL,
    created_at REAL NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS v1_session_keys_user ON v1_session_keys (user_address)
"""


def parse_go_int(text: str, unsigned: bool) -> int:
    """``strconv.ParseUint(s, 10, 64)`` / ``ParseInt(s, 10, 64)``; ``ValueError`` with Go's text."""
    name = "ParseUint" if unsigned else "ParseInt"
    body = text[1:] if not unsigned and text[:1] in "+-" else text
    if not body or not (body.isascii() and body.isdigit()):
        raise ValueError(f"strconv.{name}: parsing {go_quote(text)}: invalid syntax")
    digits = body.lstrip("0") or "0"
    if len(digits) > 20:  # past 64 bits, and past what int() would read
        raise ValueError(f"strconv.{name}: parsing {go_quote(text)}: value out of range")
    number = -int(digits) if text[:1] == "-" else int(digits)
    low, high = (0, 2**64 - 1) if unsigned else (-(2**63), 2**63 - 1)
    if not low <= number <= high:
        raise ValueError(f"strconv.{name}: parsing {go_quote(text)}: value out of range")
    return number


class SessionKeys:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as conn:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    def owner(self, session_key: str, session_id: str, application: str, now: float) -> str:
        """``GetAppSessionKeyOwner``: the wallet behind an active key scoped to the session or its app."""
        row = self.db.conn.execute(
            "SELECT * FROM v1_session_keys WHERE session_key = ? AND version > 0", (session_key.lower(),)
        ).fetchone()
        if row is not None and row["expires_at"] > now:
            if session_id.lower() in json.loads(row["app_session_ids"]) or application.lower() in json.loads(
                row["application_ids"]
            ):
                return str(row["user_address"])
        raise ValueError(
            f"no active session key found for key {session_key.lower()},"
            f" app session {session_id.lower()}, application {application.lower()}"
        )


def read_state(obj: Struct) -> dict[str, Any]:
    return {
        "user_address": obj.string("user_address"),
        "session_key": obj.string("session_key"),
        "version": obj.string("version"),
        "application_ids": obj.items("application_ids", string_item),
        "app_session_ids": obj.items("app_session_ids", string_item),
        "expires_at": obj.string("expires_at"),
        "user_sig": obj.string("user_sig"),
        "session_key_sig": obj.string("session_key_sig"),
    }


def _signer(state: dict[str, Any], field: str, digest: bytes) -> str:
    try:
        raw = hexutil_decode(state[field])
    except ValueError as exc:
        raise Fail(f"{BAD}failed to decode {field}: {exc}") from None
    try:
        return recover_eth_msg(digest, raw).lower()
    except ValueError as exc:
        raise Fail(f"{BAD}failed to recover {field}: {exc}") from None


def _check_signatures(state: dict[str, Any], both: bool) -> None:
    """``ValidateAppSessionKeyStateV1`` (both) or ``ValidateAppSessionKeyStateUserSigV1``."""
    digest = bytes.fromhex(v1.session_key_state_hash(state)[2:])
    if _signer(state, "user_sig", digest) != state["user_address"]:
        raise Fail(f"{BAD}user_sig does not match user_address")
    if both and _signer(state, "session_key_sig", digest) != state["session_key"]:
        raise Fail(f"{BAD}session_key_sig does not match session_key")


def submit_session_key_state(node: Any, payload: Struct) -> dict[str, Any]:
    try:
        state = read_state(payload.struct("state"))
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    try:
        state["version"] = parse_go_int(state["version"], unsigned=True)
    except ValueError as exc:
        raise Fail(f"{BAD}invalid version: {exc}") from None
    try:
        state["expires_at"] = parse_go_int(state["expires_at"], unsigned=False)
    except ValueError as exc:
        raise Fail(f"{BAD}invalid expires_at: {exc}") from None
    for field in ("user_address", "session_key"):
        try:
            state[field] = normalize_address(state[field])
        except ValueError as exc:
            raise Fail(f"{BAD}invalid {field}: {exc}") from None
    if state["user_address"] == state["session_key"]:
        raise Fail(f"{BAD}session_key must differ from user_address")
    if state["version"] == 0:
        raise Fail(f"{BAD}version must be greater than 0")
    if state["expires_at"] < 0:
        raise Fail(f"{BAD}expires_at must be non-negative")
    for field in ("app_session_ids", "application_ids"):
        if len(state[field]) > MAX_KEY_IDS:
            raise Fail(f"{BAD}{field} array exceeds maximum length of {MAX_KEY_IDS}")
    for app_id in state["application_ids"]:
        if not valid_application_id(app_id):
            raise Fail(
                f"{BAD}application_ids must contain only lowercase letters, digits, dashes, and underscores"
                f" (max 66 chars), got: {app_id}"
            )
    for session_id in state["app_session_ids"]:
        if not LOWERCASE_HASH.fullmatch(session_id):
            raise Fail(
                f"{BAD}app_session_ids must be 0x-prefixed 32-byte lowercase hex hashes, got: {session_id}"
            )
    if state["user_sig"] == "":
        raise Fail(f"{BAD}user_sig is required")
    now = node.clock()
    active = state["expires_at"] > now
    if active:
        if state["session_key_sig"] == "":
            raise Fail(f"{BAD}session_key_sig is required")
        _check_signatures(state, both=True)
    else:  # a revocation: the wallet alone may end its delegation
        if state["version"] == 1:
            raise Fail(f"{BAD}cannot revoke a session key with no prior delegation")
        _check_signatures(state, both=False)
        state["session_key_sig"] = ""
    with node.db.transaction():
        _store(node, state, active, now)
    return {}


def _store(node: Any, state: dict[str, Any], active: bool, now: float) -> None:
    conn = node.db.conn
    row = conn.execute(
        "SELECT * FROM v1_session_keys WHERE session_key = ?", (state["session_key"],)
    ).fetchone()
    if row is not None and row["user_address"] != state["user_address"]:
        raise Fail(f"{BAD}session_key not allowed")
    latest = 0 if row is None else int(row["version"])
    was_active = row is not None and row["expires_at"] > now
    if not was_active and active:
        count = conn.execute(
            "SELECT COUNT(*) FROM v1_session_keys WHERE user_address = ? AND expires_at > ?",
            (state["user_address"], now),
        ).fetchone()[0]
        if count >= MAX_KEYS_PER_USER:
            raise Fail(f"{BAD}user has reached the session key limit of {MAX_KEYS_PER_USER}")
    if state["version"] != latest + 1:
        raise Fail(f"{BAD}expected version {latest + 1}, got {state['version']}")
    if row is None and conn.execute("SELECT COUNT(*) FROM v1_session_keys").fetchone()[0] >= MAX_KEYS_STORED:
        raise Fail("failed to store session key state")
    seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM v1_session_keys").fetchone()[0]
    conn.execute(
        "INSERT OR REPLACE INTO v1_session_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            state["session_key"],
            state["user_address"],
            state["version"],
            json.dumps([a.lower() for a in state["application_ids"]]),
            json.dumps([s.lower() for s in state["app_session_ids"]]),
            state["expires_at"],
            state["user_sig"],
            state["session_key_sig"],
            v1.session_key_state_id(state["user_address"], state["session_key"], state["version"]),
            now,
            seq,
        ),
    )


def _key_states_request(payload: Struct) -> tuple[str, str | None, bool, int, int]:
    """Both ``get_last_key_states`` read and check the same request."""
    try:
        user = payload.string("user_address")
        session_key = payload.opt_string("session_key")
        include_inactive = payload.boolean("include_inactive")
        offset, limit, sort = page_of(payload)
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    if user == "":
        raise Fail("user_address is required")
    if sort:
        raise Fail("invalid_pagination: sort is not supported by get_last_key_states")
    offset, limit = offset_and_limit(offset, limit, KEY_STATES_PAGE, KEY_STATES_PAGE)
    return user, session_key, include_inactive, offset, limit


def get_channel_key_states(node: Any, payload: Struct) -> dict[str, Any]:
    """``channels.v1.get_last_key_states``: none, as channel session keys cannot be registered here."""
    _, _, _, offset, limit = _key_states_request(payload)
    return {
        "states": [],
        "metadata": {"page": offset // limit + 1, "per_page": limit, "total_count": 0, "page_count": 0},
    }


def get_last_key_states(node: Any, payload: Struct) -> dict[str, Any]:
    """Each key's newest state for a wallet, newest first; inactive ones only when asked."""
    user, session_key, include_inactive, offset, limit = _key_states_request(payload)
    key = session_key.lower() if session_key else None
    where = (
        " FROM v1_session_keys WHERE user_address = ? AND version > 0"
        " AND (? IS NULL OR session_key = ?) AND (? OR expires_at > ?)"
    )
    args = (user.lower(), key, key, include_inactive, node.clock())
    conn = node.db.conn
    total = conn.execute("SELECT COUNT(*)" + where, args).fetchone()[0]
    order = " ORDER BY created_at DESC, state_id ASC LIMIT ? OFFSET ?"
    rows = conn.execute("SELECT *" + where + order, (*args, limit, offset)).fetchall()
    return {
        "states": [key_state_to_wire(r) for r in rows],
        "metadata": {
            "page": offset // limit + 1,
            "per_page": limit,
            "total_count": total,
            "page_count": (total + limit - 1) // limit,
        },
    }


def key_state_to_wire(row: Any) -> dict[str, Any]:
    """``mapSessionKeyStateV1``."""
    return {
        "user_address": row["user_address"],
        "session_key": row["session_key"],
        "version": str(row["version"]),
        "application_ids": json.loads(row["application_ids"]),
        "app_session_ids": json.loads(row["app_session_ids"]),
        "expires_at": str(row["expires_at"]),
        "user_sig": row["user_sig"],
        "session_key_sig": row["session_key_sig"],
    }

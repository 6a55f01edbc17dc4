"""The session list's light rows (tuples: 100k of them load fast), apart from the records' dataclasses."""

from __future__ import annotations

from typing import NamedTuple


class SessionRow(NamedTuple):
    """A light row for the session list's model (a tuple: 100k of them load fast)."""

    app_session_id: str
    status: str
    version: int
    application: str
    protocol: str
    account: str
    endpoint: str
    participants: str  # lower-case addresses, comma-joined
    updated_at: float
    origin: str
    totals: str  # what the session holds per asset, e.g. "250 usdc"


SESSION_ROW_COLUMNS = ", ".join(SessionRow._fields)


class StatusChange(NamedTuple):
    status: str
    version: int
    at: float

"""The app-session history: saved as sent, listed fast, filtered by id, participant, status."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from nitro_desktop.store.db import Database
from nitro_desktop.store.errors import StoreNotFoundError
from nitro_desktop.store.rows import SESSION_ROW_COLUMNS, SessionRow, StatusChange
from nitro_desktop.store.schema import allocation_totals, participants_text, totals_sort_key

if TYPE_CHECKING:
    # The records' dataclasses load on first use: the list's first page needs only rows.
    from nitro_desktop.store.records import AppSessionRecord

_FULL_COLUMNS = (
    "app_session_id, endpoint, account, protocol, application, definition_json, "
    "allocations_json, status, version, created_at, updated_at, request_frame, "
    "response_frame, origin"
)
_UPSERT = f"""
    INSERT INTO app_sessions ({_FULL_COLUMNS}, participants, totals, totals_key)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (app_session_id) DO UPDATE SET
      endpoint = excluded.endpoint, account = excluded.account,
      protocol = excluded.protocol, application = excluded.application,
      definition_json = excluded.definition_json,
      allocations_json = excluded.allocations_json, status = excluded.status,
      version = excluded.version, updated_at = excluded.updated_at,
      request_frame = COALESCE(excluded.request_frame, app_sessions.request_frame),
      response_frame = COALESCE(excluded.response_frame, app_sessions.response_frame),
      participants = excluded.participants, totals = excluded.totals,
      totals_key = excluded.totals_key
"""  # noqa: S608 (column names are our constants)


class Sessions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, session: AppSessionRecord) -> None:
        """Insert or update one session, adding a history entry when its state changed."""
        self.save_many((session,))

    def save_many(self, sessions: Iterable[AppSessionRecord]) -> int:
        """Save many sessions in one transaction (e.g. a page found on the server)."""
        count = 0
        with self._db.write() as conn:
            for s in sessions:
                before = conn.execute(
                    "SELECT status, version FROM app_sessions WHERE app_session_id = ?",
                    (s.app_session_id,),
                ).fetchone()
                conn.execute(_UPSERT, _params(s))
                if before != (s.status, s.version):
                    conn.execute(
                        "INSERT INTO app_session_history (app_session_id, status, version, at) "
                        "VALUES (?, ?, ?, ?)",
                        (s.app_session_id, s.status, s.version, s.updated_at),
                    )
                count += 1
        return count

    def update_status(
        self,
        app_session_id: str,
        status: str,
        version: int,
        *,
        allocations_json: str | None = None,
        request_frame: str | None = None,
        response_frame: str | None = None,
        at: float | None = None,
    ) -> None:
        """Record a new state (e.g. after submit_app_state or close_app_session)."""
        now = time.time() if at is None else at
        totals = None if allocations_json is None else allocation_totals(allocations_json)
        with self._db.write() as conn:
            cur = conn.execute(
                """UPDATE app_sessions SET status = ?, version = ?, updated_at = ?,
                     allocations_json = COALESCE(?, allocations_json),
                     totals = COALESCE(?, totals),
                     totals_key = COALESCE(?, totals_key),
                     request_frame = COALESCE(?, request_frame),
                     response_frame = COALESCE(?, response_frame)
                   WHERE app_session_id = ?""",
                (
                    status,
                    version,
                    now,
                    allocations_json,
                    totals,
                    None if totals is None else totals_sort_key(totals),
                    request_frame,
                    response_frame,
                    app_session_id,
                ),
            )
            if cur.rowcount == 0:
                raise StoreNotFoundError(f"no app session {app_session_id}")
            conn.execute(
                "INSERT INTO app_session_history (app_session_id, status, version, at) VALUES (?, ?, ?, ?)",
                (app_session_id, status, version, now),
            )

    def get(self, app_session_id: str) -> AppSessionRecord | None:
        rows = self._db.query(
            f"SELECT {_FULL_COLUMNS} FROM app_sessions WHERE app_session_id = ?",  # noqa: S608
            (app_session_id,),
        )
        from nitro_desktop.store.records import AppSessionRecord

        return AppSessionRecord(*rows[0]) if rows else None

    def history(self, app_session_id: str) -> list[StatusChange]:
        rows = self._db.query(
            "SELECT status, version, at FROM app_session_history WHERE app_session_id = ? ORDER BY at, id",
            (app_session_id,),
        )
        return [StatusChange(*row) for row in rows]

    def rows(self) -> list[SessionRow]:
        """Every session as a light row, newest first: what the list model loads."""
        return self.find()

    def find(
        self,
        *,
        id_prefix: str | None = None,
        participant: str | None = None,
        status: str | None = None,
        account: str | None = None,
        limit: int | None = None,
    ) -> list[SessionRow]:
        """Rows matching every given filter (case-insensitive), newest first.

        ``participant`` matches any part of a participant's address, so a
        search box can pass what the user has typed so far.
        """
        where: list[str] = []
        params: list[object] = []
        if id_prefix:
            where.append("app_session_id LIKE ? ESCAPE '\\'")
            params.append(_like_escape(id_prefix) + "%")
        if participant:
            where.append("instr(participants, ?) > 0")
            params.append(participant.lower())
        if status:
            where.append("status = ?")
            params.append(status)
        if account:
            where.append("account = ? COLLATE NOCASE")
            params.append(account)
        sql = f"SELECT {SESSION_ROW_COLUMNS} FROM app_sessions"  # noqa: S608
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY updated_at DESC, app_session_id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return list(map(SessionRow._make, self._db.query(sql, params)))

    def count(self) -> int:
        count: int = self._db.query("SELECT count(*) FROM app_sessions")[0][0]
        return count

    # ---- windowed reads for the list model: one page at a time, memory stays flat ----
    def row(self, app_session_id: str) -> SessionRow | None:
        """The light row of one session (exact id)."""
        rows = self._db.query(
            f"SELECT {SESSION_ROW_COLUMNS} FROM app_sessions WHERE app_session_id = ?",  # noqa: S608
            (app_session_id,),
        )
        return SessionRow._make(rows[0]) if rows else None

    def page(
        self,
        *,
        text: str = "",
        status: str | None = None,
        sort: str = "updated_at",
        descending: bool = True,
        offset: int = 0,
        limit: int = 500,
    ) -> list[SessionRow]:
        """Rows ``filter_rows`` keeps, ordered like a stable sort by ``sort`` of ``rows()``.

        Ties keep the ``rows()`` order (newest first, then id), as Python's
        stable sort (also with ``reverse``) keeps them.
        """
        if sort not in SORT_FIELDS:
            raise ValueError(f"cannot sort sessions by {sort!r}")
        where, params = _text_status_filter(text, status)
        direction = "DESC" if descending else "ASC"
        keys = ", ".join(f"{column} {direction}" for column in SORT_FIELDS[sort])
        sql = (
            f"SELECT {SESSION_ROW_COLUMNS} FROM app_sessions{where}"  # noqa: S608 (our constants)
            f" ORDER BY {keys}, updated_at DESC, app_session_id LIMIT ? OFFSET ?"
        )
        return list(map(SessionRow._make, self._db.query(sql, [*params, limit, offset])))

    def count_matching(self, *, text: str = "", status: str | None = None) -> int:
        """How many rows ``page`` can give for this filter."""
        where, params = _text_status_filter(text, status)
        count: int = self._db.query(f"SELECT count(*) FROM app_sessions{where}", params)[0][0]  # noqa: S608
        return count

    def delete(self, app_session_id: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM app_sessions WHERE app_session_id = ?", (app_session_id,))


def filter_rows(
    rows: Sequence[SessionRow],
    *,
    text: str = "",
    status: str | None = None,
) -> list[SessionRow]:
    """In-memory filter for a list model: ``text`` matches the id or any participant.

    Lets the GUI filter as the user types without a query per keystroke.
    """
    needle = text.strip().lower()
    return [
        r
        for r in rows
        if (status is None or r.status == status)
        and (not needle or needle in r.app_session_id.lower() or needle in r.participants)
    ]


# Sort keys of the list model, as SQL columns (application sorts by application, then protocol).
SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "app_session_id": ("app_session_id",),
    "status": ("status",),
    "participants": ("participants",),
    "application": ("application", "protocol"),
    "totals": ("totals_key",),  # by amount per asset (``totals_sort_key``), not as text
    "version": ("version",),
    "updated_at": ("updated_at",),
    "endpoint": ("endpoint",),
}


def _text_status_filter(text: str, status: str | None) -> tuple[str, list[object]]:
    """SQL for ``filter_rows``: ``text`` within the id (any case) or a participant (stored lower-case)."""
    where: list[str] = []
    params: list[object] = []
    if status:
        where.append("status = ?")
        params.append(status)
    needle = text.strip().lower()
    if needle:
        # Ids are 0x-hex, so SQLite's ASCII lower() is Python's str.lower() for them.
        where.append("(instr(lower(app_session_id), ?) > 0 OR instr(participants, ?) > 0)")
        params += [needle, needle]
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _params(s: AppSessionRecord) -> tuple[object, ...]:
    totals = allocation_totals(s.allocations_json)
    return (
        s.app_session_id,
        s.endpoint,
        s.account,
        s.protocol,
        s.application,
        s.definition_json,
        s.allocations_json,
        s.status,
        s.version,
        s.created_at,
        s.updated_at,
        s.request_frame,
        s.response_frame,
        s.origin,
        participants_text(s.definition_json),
        totals,
        totals_sort_key(totals),
    )

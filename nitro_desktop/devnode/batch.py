"""Group commit: the request turns of one event-loop pass share one transaction and one commit.

On a database file every commit is an fsync; one per answer is most of a request's time. The
turns handled before the loop next looks at its sockets join one batch (each turn keeps its own
savepoint, so a failing turn undoes only its own writes), and every frame those turns produce
waits here until the batch has committed. So no answer, error or notification leaves before the
state it may reflect is as durable as it was with one commit per turn; frames of one connection
keep their order. Driven outside a running loop (tests, tools), every turn commits on its own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from nitro_desktop.devnode.db import Database

if TYPE_CHECKING:
    from nitro_desktop.devnode.router import Connection

log = logging.getLogger(__name__)

# Turns in one batch at most: a client pipelining requests (its reader then never yields) still
# gets answers after this many, and the frames held here stay bounded.
MAX_TURNS = 64


class GroupCommit:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._held: list[tuple[Connection, str]] | None = None  # None: no batch open
        self._turns = 0

    @property
    def open(self) -> bool:
        return self._held is not None

    def join(self) -> None:
        """Before a request turn: join the open batch, or open one (committed on the next loop pass)."""
        if self._held is not None:
            if self._turns < MAX_TURNS:
                self._turns += 1
                return
            self.flush()
        if self.db.in_transaction:
            return  # inside someone else's transaction (a caller of the router's own): its commit rules
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self.db.begin_batch()
        self._held, self._turns = [], 1
        loop.call_soon(self.flush)

    def send(self, conn: Connection, text: str) -> None:
        """Queue a frame for a connection: at once without a batch, after its commit with one."""
        if self._held is None:
            conn.send(text)
        else:
            self._held.append((conn, text))

    def flush(self) -> None:
        """Commit the batch, then let its frames go, in the order they were made."""
        held, self._held = self._held, None
        if held is None:
            return
        try:
            self.db.commit_batch()
        except Exception:
            # Nothing of the batch is stored: its answers must not go out. Each connection that
            # was waiting for one is dropped, as a node that crashed before committing would be.
            log.exception("the sandbox node could not commit %d request turns", self._turns)
            for conn in {id(c): c for c, _ in held}.values():
                conn.abort()
            return
        for conn, text in held:
            conn.send(text)

"""The store facade the GUI and the command line share."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from nitro_desktop.store.db import Database
from nitro_desktop.store.sessions import Sessions

if TYPE_CHECKING:
    from nitro_desktop.store.chains import Chains, ChannelOperations
    from nitro_desktop.store.tables import Accounts, Endpoints, SessionKeys


class Store:
    """One open database with a table object per kind of record.

    >>> store = Store.open(data_dir)          # doctest: +SKIP
    >>> store.sessions.rows()                 # doctest: +SKIP
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.sessions = Sessions(db)

    # The other tables (and their records' dataclasses) load on first use: the window
    # lists its first sessions before anything else needs them.
    @cached_property
    def accounts(self) -> Accounts:
        from nitro_desktop.store.tables import Accounts

        return Accounts(self.db)

    @cached_property
    def endpoints(self) -> Endpoints:
        from nitro_desktop.store.tables import Endpoints

        return Endpoints(self.db)

    @cached_property
    def session_keys(self) -> SessionKeys:
        from nitro_desktop.store.tables import SessionKeys

        return SessionKeys(self.db)

    @cached_property
    def chains(self) -> Chains:
        from nitro_desktop.store.chains import Chains

        return Chains(self.db)

    @cached_property
    def channel_operations(self) -> ChannelOperations:
        from nitro_desktop.store.chains import ChannelOperations

        return ChannelOperations(self.db)

    @classmethod
    def open(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        read_only: bool = False,
        busy_timeout: float = 5.0,
    ) -> Store:
        """Open (creating and migrating as needed) the database under ``data_dir``.

        ``data_dir`` None means ``$NITRO_DESKTOP_DATA_DIR`` or the platform's
        per-user data directory. Raises a :class:`StoreError` subclass.
        """
        return cls(Database.open(data_dir, read_only=read_only, busy_timeout=busy_timeout))

    @property
    def data_dir(self) -> Path:
        return self.db.data_dir

    @property
    def path(self) -> Path:
        return self.db.path

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

"""Durable local store (SQLite, WAL): accounts' public data, endpoints, session history.

No Qt here; the GUI and the command line share it.

Names load on first use (PEP 562): the window is shown from the store's paths
alone, and the database modules (sqlite3, the records' dataclasses, the
schema) load when it opens the store, after its first paint.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nitro_desktop.store.errors import (
        StoreConflictError,
        StoreCorruptError,
        StoreError,
        StoreLockedError,
        StoreNotFoundError,
        StoreReadOnlyError,
        StoreTooNewError,
    )
    from nitro_desktop.store.paths import DATA_DIR_ENV, DB_FILENAME, default_data_dir
    from nitro_desktop.store.records import (
        AccountRecord,
        AppSessionRecord,
        Backend,
        ChainRecord,
        ChannelOperationRecord,
        EndpointRecord,
        Origin,
        SessionKeyRecord,
    )
    from nitro_desktop.store.rows import SessionRow, StatusChange
    from nitro_desktop.store.schema import LATEST_VERSION, totals_sort_key
    from nitro_desktop.store.sessions import filter_rows
    from nitro_desktop.store.store import Store

__all__ = [
    "DATA_DIR_ENV",
    "DB_FILENAME",
    "LATEST_VERSION",
    "AccountRecord",
    "AppSessionRecord",
    "Backend",
    "ChainRecord",
    "ChannelOperationRecord",
    "EndpointRecord",
    "Origin",
    "SessionKeyRecord",
    "SessionRow",
    "StatusChange",
    "Store",
    "StoreConflictError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreNotFoundError",
    "StoreReadOnlyError",
    "StoreTooNewError",
    "default_data_dir",
    "filter_rows",
    "totals_sort_key",
]

# Which module each name comes from.
_HOME: dict[str, str] = {
    "StoreConflictError": "errors",
    "StoreCorruptError": "errors",
    "StoreError": "errors",
    "StoreLockedError": "errors",
    "StoreNotFoundError": "errors",
    "StoreReadOnlyError": "errors",
    "StoreTooNewError": "errors",
    "DATA_DIR_ENV": "paths",
    "DB_FILENAME": "paths",
    "default_data_dir": "paths",
    "AccountRecord": "records",
    "AppSessionRecord": "records",
    "Backend": "records",
    "ChainRecord": "records",
    "ChannelOperationRecord": "records",
    "EndpointRecord": "records",
    "Origin": "records",
    "SessionKeyRecord": "records",
    "SessionRow": "rows",
    "StatusChange": "rows",
    "LATEST_VERSION": "schema",
    "totals_sort_key": "schema",
    "filter_rows": "sessions",
    "Store": "store",
}


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # looked up once
    return value

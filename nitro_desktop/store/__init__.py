"""Durable local store (SQLite, WAL): accounts' public data, endpoints, session history.

No Qt here; the GUI and the command line share it.
"""

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
    SessionRow,
    StatusChange,
)
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

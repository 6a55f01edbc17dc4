"""The asyncio ClearNode client (no Qt): connect, authenticate, call, listen, reconnect.

Start here: ``ClearNodeClient``. The GUI observes ``status``/``on_status`` and
``on``/``subscribe`` and awaits the typed methods through qasync.
"""

from __future__ import annotations

from nitro_desktop.client.auth import Credentials
from nitro_desktop.client.client import ClearNodeClient
from nitro_desktop.client.connection import ClientStats
from nitro_desktop.client.errors import (
    AuthenticationError,
    BrokerMismatch,
    ClearNodeError,
    ClientClosed,
    ClientError,
    ConnectionLost,
    MalformedResponse,
    NotConnected,
    OperationNotApplied,
    OperationRef,
    RequestTimeout,
    explain_server_error,
)
from nitro_desktop.client.exchanges import Exchange, ExchangeLog
from nitro_desktop.client.notifications import (
    ClientEvent,
    NotificationHub,
    OperationOutcome,
    Overflow,
    OverflowPolicy,
    Subscription,
)
from nitro_desktop.client.operations import is_applied
from nitro_desktop.client.redact import redact
from nitro_desktop.client.state import Backoff, ConnectionState, ConnectionStatus

__all__ = [
    "AuthenticationError",
    "Backoff",
    "BrokerMismatch",
    "ClearNodeClient",
    "ClearNodeError",
    "ClientClosed",
    "ClientError",
    "ClientEvent",
    "ClientStats",
    "ConnectionLost",
    "ConnectionState",
    "ConnectionStatus",
    "Credentials",
    "Exchange",
    "ExchangeLog",
    "MalformedResponse",
    "NotConnected",
    "NotificationHub",
    "OperationNotApplied",
    "OperationOutcome",
    "OperationRef",
    "Overflow",
    "OverflowPolicy",
    "RequestTimeout",
    "Subscription",
    "explain_server_error",
    "is_applied",
    "redact",
]

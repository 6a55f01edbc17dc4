"""What a failure says to the user: never a raw Python exception text (the log keeps that).

Offline is not refusal: a socket that could not be opened is "No connection to <node> (connection
refused)", a server's own refusal is its exact text, and anything the app did not expect is said
to be unexpected, with the details in the log.
"""

from __future__ import annotations

import errno
import re
import socket

from nitro_desktop.client import ClearNodeError, ClientError, ConnectionLost, NotConnected
from nitro_desktop.protocol import ProtocolError

UNEXPECTED = "an unexpected error (the details are in Help → Log)"

# What a connection failure's text (ours, the OS's or the websocket library's) comes to.
_REASONS = (
    ("refused", "connection refused"),
    ("name or service not known", "address not found"),
    ("nodename nor servname", "address not found"),
    ("getaddrinfo", "address not found"),
    ("no route to host", "unreachable"),
    ("network is unreachable", "unreachable"),
    ("timed out", "no answer in time"),
    ("timeout", "no answer in time"),
    ("ssl", "a TLS error"),
    ("certificate", "a TLS error"),
)


# A text that is an exception's own (``ConnectionRefusedError: [Errno 111] …``), not one written for people.
_RAW = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b|\[Errno|Connect call failed|Traceback")


def connection_reason(text: str) -> str:
    """Why a connection failed, in a few plain words, from whatever text described it."""
    lowered = text.lower()
    for needle, reason in _REASONS:
        if needle in lowered:
            return reason
    return "unreachable"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 8:  # bounded: a cycle ends it
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


_OFFLINE_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH, errno.ENETUNREACH}
    | {errno.ETIMEDOUT, errno.EHOSTDOWN, errno.ENETDOWN}
)


def _offline(exc: BaseException) -> bool:
    """Whether ``exc`` is the network's (not a file's): a socket error, a name lookup, a refused connect."""
    if isinstance(exc, socket.gaierror):
        return True
    if isinstance(exc, ConnectionError) and not isinstance(exc, ClientError) and exc.errno is not None:
        return True  # (one raised by this app's own code has no errno, and says what it means)
    return isinstance(exc, OSError) and (
        exc.errno in _OFFLINE_ERRNOS or "connect call failed" in str(exc).lower()
    )


def user_message(exc: BaseException, node: str = "the ClearNode") -> str:
    """One sentence for ``exc`` fit for a status bar or dialog, naming ``node`` when offline."""
    if isinstance(exc, ClearNodeError):
        return str(exc.message or exc)  # the server's own words: it did answer, and refused
    chain = _chain(exc)
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return f"No connection to {node} (connection refused)"
    text = str(exc)
    if isinstance(exc, NotConnected | ConnectionLost) and _RAW.search(text):
        return f"No connection to {node} ({connection_reason(text)})"
    if isinstance(exc, ClientError | ProtocolError):
        return text or UNEXPECTED  # the client's and protocol's own texts are written for people
    if any(_offline(e) for e in chain):
        return f"No connection to {node} ({connection_reason(' '.join(str(e) for e in chain))})"
    if isinstance(exc, TimeoutError):
        return f"No connection to {node} (no answer in time)"
    if isinstance(exc, OSError) and exc.errno is not None and exc.strerror:
        # A file the app could not read or write: the OS's words and the file, without "[Errno 13]".
        return f"{exc.strerror} ({exc.filename})" if exc.filename else str(exc.strerror)
    if isinstance(exc, PermissionError | ValueError | ConnectionError):
        # Our own errors, written for people (a KeyError's or TypeError's text is not).
        return text or UNEXPECTED
    if isinstance(exc, LookupError) and not isinstance(exc, KeyError | IndexError):
        return text or UNEXPECTED
    return UNEXPECTED


_OFFLINE = ("refused", "unreachable", "no route", "not known", "getaddrinfo", "timed out", "connect call")


def status_error(text: str, node: str) -> str:
    """A client's ``last_error`` for the status bar: a failed connection in plain words, else as said."""
    if _RAW.search(text) or any(word in text.lower() for word in _OFFLINE):
        return f"No connection to {node} ({connection_reason(text)})"
    return text

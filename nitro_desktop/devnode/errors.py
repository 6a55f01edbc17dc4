"""The two kinds of handler failure, as the Go server has them (PROTOCOL.md §1.4).

``RPCError`` is a deliberate error whose text the client sees verbatim
(``RPCErrorf`` upstream). Any other exception is internal: the client sees the
handler's fixed fallback text instead (``Fail(err, fallback)``).
"""

from __future__ import annotations


class RPCError(Exception):
    """An error whose message is sent to the client as is."""

    @property
    def text(self) -> str:
        return str(self.args[0]) if self.args else ""


class InternalError(Exception):
    """A plain error: the client only sees the handler's fallback text."""


GENERIC_FAILURE = "an error occurred while processing the request"


def error_text(exc: BaseException | None, fallback: str) -> str:
    """What ``Fail(err, fallback)`` sends for this exception."""
    if isinstance(exc, RPCError):
        return exc.text
    return fallback or GENERIC_FAILURE


QUOTE_LIMIT = 64


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A peer's text as an error quotes it: unchanged when short, cut with "…" when not."""
    return text if len(text) <= limit else text[:limit] + "…"

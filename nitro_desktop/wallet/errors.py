"""The one way an error becomes text for the user."""

from __future__ import annotations


def error_text(exc: BaseException) -> str:
    """The server's own message when the error carries one, else the exception's text, else its type."""
    message = getattr(exc, "message", None)
    return str(message or exc) or type(exc).__name__

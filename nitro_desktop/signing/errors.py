"""Typed refusals of a signing request: each one says what is wrong and what to do about it."""

from __future__ import annotations


class SigningError(ValueError):
    """Base of every refusal; the message is meant for the person holding the file."""


class SigningFormatError(SigningError):
    """Not a signing request this version of Nitro Desktop can read (bad JSON, unknown format)."""


class UnknownDialectError(SigningFormatError):
    """The file names a wire dialect this version does not speak."""


class TamperedRequestError(SigningError):
    """The request text changed after it was made or signed: it must not be used."""


class WrongSignerError(SigningError):
    """A signature (or a signing account) that cannot count for this request."""


class DuplicateSignatureError(SigningError):
    """This account has already signed the request."""


class ExpiredRequestError(SigningError):
    """The request's timestamp is older than the ClearNode's window; it must be rebuilt.

    ``age`` and ``window`` are in seconds.
    """

    def __init__(self, message: str, *, age: float, window: float) -> None:
        super().__init__(message)
        self.age = age
        self.window = window


class InsufficientSignaturesError(SigningError):
    """Not enough signatures yet to submit; ``missing`` names who still has to sign."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing

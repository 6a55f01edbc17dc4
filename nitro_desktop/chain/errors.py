"""What can go wrong on a chain, each with the sentence a user reads.

Every error's ``str`` is written for the user; raw RPC or library text never reaches it
(a peer's text is not ours to show, and may be crafted). ``detail`` keeps a bounded,
developer-facing hint for the log only.
"""

from __future__ import annotations


class ChainError(Exception):
    """Base of every chain failure; ``str(error)`` is the user's message."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail[:300]

    def __str__(self) -> str:
        return self.message


class InvalidChain(ChainError):
    """A chain record that cannot be used: bad URL, chain id or hub address."""


class RpcUnreachable(ChainError):
    """No answer from the RPC: refused, timed out, DNS, TLS."""


class RpcBadAnswer(ChainError):
    """The RPC answered, but not with something we accept (too large, not JSON-RPC, wrong shape)."""


class WrongChain(ChainError):
    """The RPC serves another chain than the record says: nothing is sent."""

    def __init__(self, url: str, actual: int, expected: int) -> None:
        super().__init__(f"Wrong chain: the RPC at {url} is chain {actual}, expected {expected}.")
        self.actual = actual
        self.expected = expected


class InsufficientFunds(ChainError):
    """The sender cannot pay the value plus the most the gas may cost."""


class TransactionReverted(ChainError):
    """The contract refused the transaction (before sending, or mined with status 0)."""

    def __init__(self, message: str, *, reason: str, tx_hash: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.tx_hash = tx_hash


class SendUncertain(ChainError):
    """The RPC went silent while taking the transaction: it may or may not have it. Watch ``sent``."""

    def __init__(self, message: str, *, sent: object) -> None:
        super().__init__(message)
        self.sent = sent

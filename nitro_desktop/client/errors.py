"""Errors the client raises; every one says what happened in words a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class OperationRef:
    """A state-changing request whose outcome the client tracks across dropped connections.

    ``kind`` is "create", "submit" or "close"; ``version`` is the session version the
    server will report once the operation is applied (1 for a create); ``request_id``
    is the id of the request that carried it, once sent (ids are unique per client,
    so it names that request's frames in ``ClearNodeClient.exchanges``).
    """

    kind: str
    app_session_id: str
    version: int
    request_id: int = 0


class ClientError(Exception):
    """Base of everything ``nitro_desktop.client`` raises."""


# Server texts whose cure is outside the request itself: what they mean and what to do.
_EXPLANATIONS = (
    (
        "operation denied: non-zero allocation in",
        "Your funds are still in an on-chain channel with this ClearNode, and a v0.5 node refuses "
        "sessions, deposits and transfers while they are. Close the channel (or resize it to zero) "
        "with the Yellow app or SDK first, so its funds return to your unified balance; then try again.",
    ),
)


def explain_server_error(message: str) -> str | None:
    """What a refusal means for the user, when its text alone does not say what to do."""
    for prefix, explanation in _EXPLANATIONS:
        if prefix in message:
            return explanation
    return None


class ClearNodeError(ClientError):
    """The server answered with an error; ``message`` is its exact text.

    ``str()`` adds ``explanation`` when the app knows what the text means for the user.
    """

    def __init__(self, message: str, method: str, request_id: int) -> None:
        self.explanation = explain_server_error(message)
        super().__init__(message if self.explanation is None else f"{message}. {self.explanation}")
        self.message = message
        self.method = method
        self.request_id = request_id

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, method={self.method!r}, request_id={self.request_id})"
        )


class AuthenticationError(ClearNodeError):
    """The server refused to authenticate us (retrying the same credentials will not help)."""


class RequestTimeout(ClientError, TimeoutError):
    """No answer within the timeout; everything the request held has been released.

    For create/submit/close ``pending`` is set: the server may still have applied
    it, and the client reports the outcome later as one ``OperationOutcome`` event.
    """

    def __init__(
        self, method: str, request_id: int, timeout: float, pending: OperationRef | None = None
    ) -> None:
        text = f"no answer to {method} (request {request_id}) within {timeout:g} s"
        if pending is not None:
            text += "; its outcome will be reported once the server can be asked"
        super().__init__(text)
        self.method = method
        self.request_id = request_id
        self.timeout = timeout
        self.pending = pending


class ConnectionLost(ClientError, ConnectionError):
    """The socket closed (or was found dead) before the answer arrived."""


class NotConnected(ClientError, ConnectionError):
    """There is no usable connection (never connected, given up, or still reconnecting)."""


class ClientClosed(NotConnected):
    """The client was closed."""


class BrokerMismatch(ClientError):
    """The server is not the broker we expect: refuse to talk to it."""

    def __init__(self, url: str, expected: str, actual: str, detail: str = "") -> None:
        text = (
            f"the ClearNode at {url} signs as broker {actual or '(nobody)'}, but this endpoint is "
            f"pinned to broker {expected}; refusing to use it"
        )
        super().__init__(detail or text)
        self.url = url
        self.expected = expected
        self.actual = actual


class MalformedResponse(ClientError):
    """A signed, matching answer whose content does not follow the protocol."""

    def __init__(self, method: str, request_id: int, detail: str) -> None:
        super().__init__(f"malformed answer to {method} (request {request_id}): {detail}")
        self.method = method
        self.request_id = request_id


def expect(value: Any, kind: type | tuple[type, ...], method: str) -> Any:
    """``value`` when it is the typed answer ``method`` should have; ``MalformedResponse`` otherwise."""
    if not isinstance(value, kind):
        raise MalformedResponse(method, 0, f"expected {kind}, got {type(value).__name__}")
    return value


class OperationNotApplied(ClientError):
    """The connection dropped before the answer, and the server confirms it did not apply it.

    Nothing happened on the server; sending it again is safe.
    """

    def __init__(self, operation: OperationRef, cause: BaseException | None = None) -> None:
        what = {"create": "created", "submit": "updated", "close": "closed"}.get(operation.kind, "applied")
        super().__init__(
            f"app session {operation.app_session_id} was not {what} (the connection dropped before "
            "the server received the request); it is safe to try again"
        )
        self.operation = operation
        self.cause = cause

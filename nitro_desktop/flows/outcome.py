"""What a create came to, and which wizard page fixes what a server refused: plain rules, no Qt.

``CreateSubmission`` is the submit page's state machine: not sent → sending → sent,
or refused (with the page that fixes it), or outcome unknown (the request left and
its answer did not come back), or not sent after all (nothing reached the server).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nitro_desktop.client import (
    ClearNodeError,
    ClientError,
    ConnectionLost,
    MalformedResponse,
    RequestTimeout,
    explain_server_error,
)
from nitro_desktop.flows.messages import user_message
from nitro_desktop.protocol import ProtocolError

log = logging.getLogger("nitro_desktop.flows")


@dataclass(frozen=True)
class SubmitResult:
    app_session_id: str
    status: str
    version: int
    #: The frame that was sent, signatures and all ("" when it was not recorded).
    request_frame: str = ""


def error_text(exc: BaseException) -> str:
    """What to show for a failure: a server's exact text when it sent one, else the error itself."""
    message = getattr(exc, "message", None)
    return str(message or exc) or type(exc).__name__


def page_for_server_error(message: str) -> str | None:
    """Which wizard page lets the user fix what the server refused (None: no page can)."""
    text = message.lower()
    if "operation denied: non-zero allocation in" in text:
        return None  # funds in an on-chain channel: fixed outside the wizard (explain_server_error)
    if any(k in text for k in ("insufficient funds", "negative allocation", "allocation", "asset")):
        return "allocations"
    if any(k in text for k in ("missing signature", "signature", "session key")):
        return "signers"
    if any(k in text for k in ("participant", "weight", "quorum")):
        return "participants"
    return "application"


#: What a 0.x ClearNode answers to any create it could not store, a duplicate id among them.
GENERIC_CREATE_REFUSAL = "failed to create application session"

#: Says what the saved session with this id is ("open, version 1, created …"), None when none is saved.
SavedSession = Callable[[str], "str | None"]


def explain_create_refusal(message: str, app_session_id: str, saved: str | None) -> str | None:
    """What a refusal of a create means when the server's words do not say (None: they do)."""
    known = explain_server_error(message)
    if known is not None or GENERIC_CREATE_REFUSAL not in message.lower():
        return known
    if saved is not None:
        return (
            f"This session is already in your list: {app_session_id} ({saved}). The same participants, "
            "weights, quorum, challenge and nonce always make the same session id, and a ClearNode "
            "creates each id only once. For a new session, change the nonce on the Application page."
        )
    return (
        "The ClearNode did not say why. Most often a session with this same definition exists on it "
        "already (Refresh from server lists yours); a new nonce on the Application page makes a new "
        "session id."
    )


class SubmitState(enum.Enum):
    NOT_SENT = "not sent"
    SENDING = "sending"
    SENT = "sent"
    OUTCOME_UNKNOWN = "outcome unknown"
    REFUSED = "refused"


def _may_have_left(exc: BaseException) -> bool:
    """Whether the request may have reached the server although no answer says what it did."""
    if isinstance(exc, RequestTimeout):
        return exc.pending is not None  # the client follows it up and reports its outcome
    return isinstance(exc, ConnectionLost | MalformedResponse)


CANCELLED_TEXT = "Cancelled. The request may still reach the server; Refresh shows it if so."


@dataclass
class CreateSubmission:
    """One create's way to the server and back; ``run`` drives it, the submit page shows it."""

    state: SubmitState = SubmitState.NOT_SENT
    result: SubmitResult | None = None
    #: The failure's text (the server's exact words when it refused), None while there is none.
    error: str | None = None
    #: What a refusal means for the user when its text alone does not say what to do.
    explanation: str | None = None
    #: The wizard page that fixes a refusal (None: no page can).
    fix_page: str | None = None
    cancelled: bool = False
    #: The id this create gives its session, and what the local list says of that id.
    app_session_id: str = ""
    saved: SavedSession | None = None

    async def run(self, sending: Awaitable[SubmitResult]) -> SubmitState:
        """Await the send and record what it came to; a cancellation is recorded, then re-raised."""
        self.start()
        try:
            result = await sending
        except asyncio.CancelledError:
            self.cancel()
            raise
        except Exception as exc:  # every failure is shown; which state depends on whether it left
            self.fail(exc)
        else:
            self.succeed(result)
        return self.state

    def start(self) -> None:
        self.state, self.result, self.cancelled = SubmitState.SENDING, None, False
        self.error = self.explanation = self.fix_page = None

    def succeed(self, result: SubmitResult) -> None:
        self.state, self.result = SubmitState.SENT, result

    def cancel(self) -> None:
        # Cancelled mid-send: the request may have left, so its outcome is not known here.
        self.state, self.cancelled = SubmitState.OUTCOME_UNKNOWN, True

    def fail(self, exc: BaseException) -> None:
        raw = error_text(exc)
        # A refusal is the server's own words; anything else in words for people (the log keeps raw).
        self.error = raw if isinstance(exc, ClearNodeError) else user_message(exc)
        if isinstance(exc, ClearNodeError):
            self.state = SubmitState.REFUSED
            saved = self.saved(self.app_session_id) if self.saved and self.app_session_id else None
            self.explanation = explain_create_refusal(self.error, self.app_session_id, saved)
            self.fix_page = page_for_server_error(self.error)
        elif _may_have_left(exc):
            self.state = SubmitState.OUTCOME_UNKNOWN
        else:
            # Refused before it left: not connected, nothing applied, a key not unlocked, a bad build.
            self.state = SubmitState.NOT_SENT
        # Shown to the user either way; a failure of no known kind is a bug, so its traceback is kept.
        expected = isinstance(exc, ClientError | ProtocolError)
        log.log(
            logging.INFO if expected else logging.WARNING,
            "create %s: %s",
            self.state.value,
            raw,
            exc_info=None if expected else exc,
        )

    # ---- what the page shows ----------------------------------------------------------------------
    @property
    def status_text(self) -> str:
        if self.state is SubmitState.SENDING:
            return "Signing and sending…"
        if self.state is SubmitState.SENT and self.result is not None:
            r = self.result
            return (
                f"Created. Session {r.app_session_id} is {r.status} "
                f"(version {r.version}) and is in your session list."
            )
        if self.state is SubmitState.REFUSED:
            return "The ClearNode refused the request:"
        if self.state is SubmitState.OUTCOME_UNKNOWN:
            if self.cancelled:
                return CANCELLED_TEXT
            return "No answer came back; the app keeps asking the ClearNode and records what it says:"
        if self.error is not None:
            return "Nothing was sent:"
        return ""

    @property
    def problem_text(self) -> str | None:
        """The error to show under the status (with its explanation), None when there is none."""
        if self.error is None:
            return None
        return self.error if self.explanation is None else f"{self.error}\n\n{self.explanation}"

    @property
    def can_retry(self) -> bool:
        # An unknown outcome is safe to retry: the same definition names the same session.
        return (
            self.state is SubmitState.REFUSED
            or self.state is SubmitState.OUTCOME_UNKNOWN
            or (self.state is SubmitState.NOT_SENT and self.error is not None)
        )

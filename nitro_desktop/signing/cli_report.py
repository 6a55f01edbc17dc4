"""What ``sessions create|update|close`` and ``submit`` say and record once the server has answered.

Every outcome is recorded once and said plainly, including the one a lost answer
leaves: the command asked the server again; if even that failed, it says so, records
nothing, and exits 3 (a re-run asks the server first, so it never sends twice).
"""

from __future__ import annotations

import sys

from nitro_desktop.protocol import AppSession
from nitro_desktop.signing.request import SigningRequest
from nitro_desktop.signing.submission import Submitted, record, record_found
from nitro_desktop.store import Store

_DONE = {"create": "created", "submit": "updated", "close": "closed"}


def report(store: Store, request: SigningRequest, done: Submitted, *, account: str, endpoint: str) -> int:
    """Record what became of the request and print it; the exit code (3: outcome unknown)."""
    sid, what = request.app_session_id, _DONE.get(request.kind, "applied")
    if done.outcome == "unknown":
        again = (
            "Before submitting another state, look up the session's version on the ClearNode."
            if request.kind == "submit"
            else "Run the same command again: it asks the ClearNode first and does not send it twice."
        )
        print(
            f"The answer to {request.method} for {sid} was lost and {done.detail}, so whether it was "
            f"{what} is not known; nothing was recorded. {again}",
            file=sys.stderr,
        )
        return 3
    if done.outcome == "exists":
        known = store.sessions.get(sid) is not None
        saved = record_found(store, request, _session(done), endpoint=endpoint, account=account)
        print(
            f"App session {sid} is already {what} on {request.endpoint} "
            f"({'in your history' if known else 'now added to your history'}); nothing was sent.",
            file=sys.stderr,
        )
    else:
        saved = record(
            store,
            request,
            _session(done),
            endpoint=endpoint,
            account=account,
            request_frame=done.request_frame,
            response_frame=done.response_frame,
        )
        if done.outcome == "recovered":
            print(
                f"The answer to {request.method} was lost; the ClearNode, asked again, shows "
                f"app session {sid} {what} (recorded once).",
                file=sys.stderr,
            )
    print(f"{saved.app_session_id}  {saved.status}  v{saved.version}")
    return 0


def _session(done: Submitted) -> AppSession:
    assert done.session is not None  # every outcome but "unknown" comes with the server's session
    return done.session

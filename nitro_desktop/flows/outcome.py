"""What a create came to, and which wizard page fixes what a server refused: plain rules, no Qt."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubmitResult:
    app_session_id: str
    status: str
    version: int


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

"""When a signing request may be submitted: enough signatures, and still inside the time window."""

from __future__ import annotations

import time
from dataclasses import dataclass

from nitro_desktop.signing.errors import ExpiredRequestError, InsufficientSignaturesError
from nitro_desktop.signing.v1_request import Request as AnyRequest


@dataclass(frozen=True, slots=True)
class Sufficiency:
    """Whether the signatures suffice, and in words why (not)."""

    sufficient: bool
    rule: str
    missing: tuple[str, ...]  # who still must sign (create) / who could still sign (submit, close)
    signed_weight: int
    quorum: int
    explanation: str


def sufficiency(request: AnyRequest) -> Sufficiency:
    """0.x create: every positive allocation's participant signed; otherwise weights reach the quorum.

    (nitronode v1 counts every distinct participant's weight once, a create included: ``verifyQuorum``.)
    """
    signed = set(request.signers)
    quorum = request.definition.quorum
    weight = sum(request.weight_of(a) for a in signed)
    if not request.quorum_rule:
        funded = [a.participant for a in request.allocations if a.amount > 0]
        missing = tuple(p for p in dict.fromkeys(funded) if p not in signed)
        rule = "every participant who puts funds in signs"
        if missing:
            text = f"still needed: a signature from {', '.join(missing)} (each puts funds into the session)"
        else:
            text = "every participant who puts funds in has signed"
        return Sufficiency(not missing, rule, missing, weight, quorum, text)
    rule = f"signers' weights add up to the quorum ({quorum})"
    could = tuple(p for p in request.eligible_signers() if p not in signed)
    if weight >= quorum:
        text = f"quorum reached: signed weight {weight} of {quorum} needed"
        return Sufficiency(True, rule, (), weight, quorum, text)
    text = f"quorum not reached: signed weight {weight} of {quorum} needed; can still sign: " + (
        ", ".join(f"{p} (weight {request.weight_of(p)})" for p in could) or "nobody"
    )
    return Sufficiency(False, rule, could, weight, quorum, text)


def require_sufficient(request: AnyRequest) -> None:
    verdict = sufficiency(request)
    if not verdict.sufficient:
        raise InsufficientSignaturesError(
            f"not enough signatures to submit: {verdict.explanation}", verdict.missing
        )


def age_seconds(request: AnyRequest, now: float | None = None) -> float:
    return (time.time() if now is None else now) - request.timestamp_ms / 1000


def is_expired(request: AnyRequest, now: float | None = None) -> bool:
    return age_seconds(request, now) > request.timestamp_window


def check_fresh(request: AnyRequest, now: float | None = None) -> None:
    """Refuse a request the ClearNode would refuse as "invalid message timestamp" (PROTOCOL.md §1.3)."""
    age = age_seconds(request, now)
    window = request.timestamp_window
    if age <= window:
        return
    made = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(request.timestamp_ms / 1000))
    raise ExpiredRequestError(
        f"this request was made at {made}, {_duration(age)} ago. A ClearNode only accepts requests "
        f"whose timestamp is at most {_duration(window)} old, so it would be refused now. Rebuild it "
        "with a fresh timestamp (this drops the signatures collected so far, because they cover the old "
        "timestamp) and collect the signatures again, quickly enough to submit within the window",
        age=age,
        window=window,
    )


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"

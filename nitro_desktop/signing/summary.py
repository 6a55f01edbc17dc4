"""What a signer agrees to, in plain words, computed from the request text itself."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from nitro_desktop.protocol import Allocation, format_amount, spec
from nitro_desktop.signing.request import SigningRequest
from nitro_desktop.signing.v1_request import Request, V1SigningRequest


@dataclass(frozen=True, slots=True)
class Summary:
    title: str
    own: tuple[str, ...]  # the viewer's own allocation(s), shown first
    others: tuple[str, ...]
    participants: tuple[str, ...]
    quorum: str
    signed: tuple[str, ...]
    status: str
    timing: str

    def text(self) -> str:
        lines = [self.title, ""]
        if self.own:
            lines += ["Your allocation:", *(f"  {x}" for x in self.own)]
        if self.others:
            lines += ["Other allocations:" if self.own else "Allocations:", *(f"  {x}" for x in self.others)]
        lines += ["Participants (weight):", *(f"  {x}" for x in self.participants), self.quorum]
        lines += ["Signed so far (verified):", *(f"  {x}" for x in self.signed or ("nobody yet",))]
        lines += [self.status, self.timing]
        return "\n".join(lines)


def _money(a: Allocation) -> str:
    return f"{format_amount(a.amount)} {a.asset}"


def _allocation_line(request: SigningRequest, a: Allocation) -> str:
    if request.kind == "create":
        verb = "puts" if a.amount > 0 else "puts nothing but joins with"
        return f"{a.participant} {verb} {_money(a)} into the session"
    if request.kind == "close":
        return f"{a.participant} receives {_money(a)} when the session closes"
    return f"{a.participant} holds {_money(a)} in the session after this update"


def _title(request: SigningRequest) -> str:
    d = request.definition
    app = f' "{d.application}"' if d.application else ""
    if app and not spec(request.dialect).definition_has_application:
        app += " (name as the file says; dialect 0.2 requests do not carry it)"
    where = f"on {request.endpoint} (ClearNode dialect {request.dialect.value})"
    if request.kind == "create":
        return f"Create application session{app} ({d.protocol}) {request.app_session_id} {where}"
    if request.kind == "close":
        return f"Close application session{app} {request.app_session_id} {where}"
    intent = request.params.get("intent")
    version = request.params.get("version")
    extra = f" ({intent}, version {version})" if intent else ""
    return f"Update application session{app} {request.app_session_id}{extra} {where}"


def describe(request: Request, viewer: str | Iterable[str] | None = None) -> Summary:
    """The summary for ``viewer`` (an address or the addresses of this profile's accounts)."""
    from nitro_desktop.signing.rules import sufficiency  # rules imports this module's neighbour

    mine = {viewer} if isinstance(viewer, str) else set(viewer or ())
    if isinstance(request, V1SigningRequest):
        return _describe_v1(request, mine)
    allocations = request.allocations
    own = tuple(_allocation_line(request, a) for a in allocations if a.participant in mine)
    others = tuple(_allocation_line(request, a) for a in allocations if a.participant not in mine)
    d = request.definition
    participants = tuple(
        f"{p} ({w}){' - you' if p in mine else ''}" for p, w in zip(d.participants, d.weights, strict=False)
    )
    quorum = (
        f"Quorum: {d.quorum} - later updates and the close need signers whose weights add up to {d.quorum}."
    )
    signed = tuple(f"{s} (weight {request.weight_of(s)})" for s in request.signers)
    verdict = sufficiency(request)
    status = ("Ready to submit: " if verdict.sufficient else "Not ready: ") + verdict.explanation + "."
    made = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(request.timestamp_ms / 1000))
    until = time.strftime("%H:%M:%S UTC", time.gmtime(request.expires_at))
    timing = f"Made {made}; a ClearNode accepts it until about {until}."
    return Summary(_title(request), own, others, participants, quorum, signed, status, timing)


# ---- dialect 1 ---------------------------------------------------------------------------------
_V1_WHAT = {
    "create": "Create application session",
    "submit": "Update application session",
    "deposit": "Deposit into application session",
    "close": "Close application session",
}


def _v1_allocation_line(request: V1SigningRequest, a: Allocation) -> str:
    if request.kind == "close":
        return f"{a.participant} receives {_money(a)} when the session closes"
    return f"{a.participant} holds {_money(a)} in the session after this {request.intent}"


def _describe_v1(request: V1SigningRequest, mine: set[str]) -> Summary:
    """What a v1 signer agrees to: the definition, the intent and version, the allocations, the hash."""
    from nitro_desktop.signing.rules import sufficiency

    d = request.definition
    where = f"on {request.endpoint} (ClearNode dialect 1)"
    title = f'{_V1_WHAT[request.kind]} "{d.application}" {request.app_session_id} {where}'
    if request.kind == "create":
        title += "; it starts empty (funds come later, by deposit)"
    else:
        title += f"; intent {request.intent}, to version {request.version}"
    allocations = request.allocations
    own = tuple(_v1_allocation_line(request, a) for a in allocations if a.participant in mine)
    others = tuple(_v1_allocation_line(request, a) for a in allocations if a.participant not in mine)
    deposit = request.deposit_amount
    if deposit is not None:
        depositor, amount, asset = deposit
        line = f"{depositor} moves {amount} {asset} from their home channel into the session"
        own, others = ((*own, line), others) if depositor in mine else (own, (*others, line))
    participants = tuple(
        f"{p} ({w}){' - you' if p in mine else ''}" for p, w in zip(d.participants, d.weights, strict=False)
    )
    data = request.session_data
    quorum = (
        f"Quorum: {d.quorum} - this and every later change need signers whose weights add up to "
        f"{d.quorum}. Nonce {d.nonce}."
        + (f" Session data: {data[:200]}" if data else "")
        + f"\nYou sign this hash (0xA1 wallet signature, EIP-191): {request.signed_hash}"
    )
    signed = tuple(f"{s} (weight {request.weight_of(s)})" for s in request.signers)
    verdict = sufficiency(request)
    status = ("Ready to submit: " if verdict.sufficient else "Not ready: ") + verdict.explanation + "."
    made = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(request.made_at))
    timing = f"Made {made}; it does not expire with time" + (
        f", but the node accepts it only while the session is at version {request.version - 1}."
        if request.kind != "create"
        else "."
    )
    return Summary(title, own, others, participants, quorum, signed, status, timing)

"""The create wizard's step order and what it builds: the definition, the request, the review.

``CreateSessionDraft`` (``create_rules``) holds what the user typed and each page's
problems; ``CreateSessionFlow`` adds which pages this ClearNode needs and in what
order, and turns a valid draft into the exact ``create_app_session`` call, the id the
server will derive and the plain-language review. The Qt wizard is a view of this.
"""

from __future__ import annotations

from dataclasses import dataclass

from nitro_desktop.flows.create_rules import (
    PRESETS,
    AllocationDraft,
    CreateSessionDraft,
    ParticipantDraft,
)
from nitro_desktop.flows.values import session_data_or_none
from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    ProtocolError,
    RpcCall,
    app_session_id,
    builders,
    format_amount,
    parse_address,
    parse_amount,
)

PAGES = ("application", "participants", "allocations", "signers", "review", "submit")
#: The pages where the user types; the review checks them all.
INPUT_PAGES = PAGES[:4]

__all__ = [
    "INPUT_PAGES",
    "PAGES",
    "PRESETS",
    "AllocationDraft",
    "CreateSessionFlow",
    "ParticipantDraft",
    "Review",
]


@dataclass(frozen=True)
class Review:
    """What the review page shows: nothing has been signed or sent yet."""

    summary: str
    session_id: str
    #: The unsigned frame: the exact ``req`` text the signers will sign.
    request: str
    #: Why the request cannot be built (then the other fields are empty).
    problem: str | None = None


class CreateSessionFlow(CreateSessionDraft):
    """State, validation, step order and building of one wizard run."""

    # ---- step order ------------------------------------------------------------------------
    def pages(self) -> tuple[str, ...]:
        """The pages this ClearNode needs, in order.

        Where sessions start empty (v1) the allocations page says what each local participant
        deposits from their home channel right after the create.
        """
        return PAGES

    def next_page(self, page: str) -> str | None:
        pages = self.pages()
        i = pages.index(page)
        return pages[i + 1] if i + 1 < len(pages) else None

    def previous_page(self, page: str) -> str | None:
        pages = self.pages()
        i = pages.index(page)
        return pages[i - 1] if i > 0 else None

    def page_problems(self, page: str) -> dict[str, str]:
        """A page's problems; the review's are every input page's (the submit page has none)."""
        if page == "review":
            return self.all_problems()
        return super().page_problems(page) if page in self.pages() else {}

    def all_problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for page in INPUT_PAGES:
            out.update(super().page_problems(page))
        return out

    # ---- what it builds --------------------------------------------------------------------------
    def definition(self) -> AppDefinition:
        self._require_valid()
        fields = self.application_fields()
        return AppDefinition(
            protocol=self.protocol.strip() if "protocol" in fields else "",
            participants=tuple(parse_address(p.address) for p in self.participants),
            weights=tuple(self.weights()),
            quorum=int(self.quorum),
            challenge=int(self.challenge) if "challenge" in fields else 0,
            nonce=int(self.nonce),
            application=self.application.strip() if "application" in fields else "",
        )

    def session_definition(self) -> AppDefinition:
        """The session the request concerns (what ``signing.request_for`` stores beside it)."""
        return self.definition()

    def allocation_list(self) -> list[Allocation]:
        self._require_valid()
        if not self.dialect_spec.funded_at_create:
            return []
        return [
            Allocation(parse_address(p.address), a.asset, parse_amount(a.amount))
            for p, a in zip(self.participants, self.allocations, strict=True)
        ]

    def funding_deposits(self) -> list[Allocation]:
        """Where sessions start empty: the deposits that fund it after the create, one per funder."""
        self._require_valid()
        if self.dialect_spec.funded_at_create:
            return []
        return [
            Allocation(parse_address(p.address), a.asset, parse_amount(a.amount))
            for p, a in zip(self.participants, self.allocations, strict=True)
            if parse_amount(a.amount) > 0
        ]

    @property
    def sent_session_data(self) -> str | None:
        """The session_data that goes on the wire: blank text means the field is left out."""
        return session_data_or_none(self.session_data)

    def call(self) -> RpcCall:
        data = self.sent_session_data
        return builders.create_app_session(self.dialect, self.definition(), self.allocation_list(), data)

    def expected_session_id(self) -> str:
        return app_session_id(self.definition(), self.dialect)

    # ---- the review --------------------------------------------------------------------------
    def summary(self) -> str:
        d, fields = self.definition(), self.application_fields()
        kind = f"{d.protocol} session" if "protocol" in fields else "session"
        lines = [
            f"Create a {kind}" + (f" for “{d.application}”" if d.application else "") + ".",
            f"{len(d.participants)} participants; updates need weight {d.quorum} of {sum(d.weights)}.",
            (
                f"Challenge period {d.challenge} s, nonce {d.nonce}."
                if "challenge" in fields
                else f"Nonce {d.nonce}."
            ),
        ]
        deposits = self.funding_deposits()
        if not self.dialect_spec.funded_at_create:
            lines.append(
                "It starts empty; then each funder below deposits from their home channel."
                if deposits
                else "It starts empty: each participant deposits into it afterwards."
            )
        funds = {a.participant: a for a in [*self.allocation_list(), *deposits]}
        for i, (addr, w) in enumerate(zip(d.participants, d.weights, strict=True)):
            mine = " (you)" if addr in self.local_accounts else ""
            alloc = funds.get(addr)
            puts_in = f", puts in {format_amount(alloc.amount)} {alloc.asset}" if alloc else ""
            lines.append(f"  #{i + 1} {addr}{mine}: weight {w}{puts_in}")
        lines.append(self.quorum_statement())
        lines.append("Signed by: " + ", ".join(self.ordered_signers()))
        return "\n".join(lines)

    def review(self) -> Review:
        """The review page: summary, the id the server will derive, the exact request to sign."""
        try:
            call = self.call()
            # A frame with no signature: the exact req bytes the signers will sign.
            preview = self.dialect_spec.encode_frame(1, call, self.now_ms or 1, [])
            return Review(self.summary(), self.expected_session_id(), preview)
        except ProtocolError as exc:
            return Review("", "", "", str(exc))

    def _require_valid(self) -> None:
        problems = {
            **self.application_problems(),
            **self.participant_problems(),
            **self.allocation_problems(),
        }
        if problems:
            raise ProtocolError(next(iter(problems.values())))

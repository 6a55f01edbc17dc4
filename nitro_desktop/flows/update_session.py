"""Submit-state and close dialogs' rules: final allocations, intent, and a quorum of local signers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from nitro_desktop.flows.values import session_data_or_none
from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    Dialect,
    ProtocolError,
    RpcCall,
    builders,
    check_precision,
    format_amount,
    parse_amount,
    spec,
)

#: Every intent a versioned submit may carry (what a dialect offers is ``UpdateSessionFlow.intents``).
INTENTS = builders.INTENTS


@dataclass
class UpdateSessionFlow:
    """One submit_app_state or close_app_session being prepared."""

    kind: str  # "submit" or "close"
    dialect: Dialect
    app_session_id: str
    definition: AppDefinition
    version: int
    local_accounts: Sequence[str]
    assets: Mapping[str, int]
    #: per (participant, asset) current share, when known (from the create request or an asu)
    current: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    amounts: dict[int, str] = field(default_factory=dict)
    asset: str = ""
    intent: str = "operate"
    session_data: str = ""
    signers: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.dialect = Dialect(self.dialect)
        if self.kind not in ("submit", "close"):
            raise ValueError(f"kind must be 'submit' or 'close', got {self.kind!r}")
        held_assets = sorted({a for (_, a) in self.current})
        self.asset = self.asset or (held_assets[0] if held_assets else next(iter(self.assets), ""))
        for i, p in enumerate(self.definition.participants):
            self.amounts.setdefault(i, format_amount(self.current.get((p, self.asset), Decimal(0))))
        if not self.signers:
            self.signers = set(self.eligible_signers())

    @property
    def uses_intents(self) -> bool:
        """Whether this submit carries an intent and the next version (the dialect names the protocols)."""
        return self.kind == "submit" and self.definition.protocol in spec(self.dialect).versioned_protocols

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents the user may choose from (none when the request carries no intent)."""
        return spec(self.dialect).intents if self.uses_intents else ()

    @property
    def sent_intent(self) -> str | None:
        return self.intent if self.uses_intents else None

    @property
    def sent_version(self) -> int | None:
        """The version the request names: the session's next one, when the request carries one."""
        return self.version + 1 if self.uses_intents else None

    def eligible_signers(self) -> list[str]:
        """Local accounts whose signature counts: participants with a positive weight.

        The array-params server refuses a zero-weight signer outright ("zero weight for signer").
        """
        weights = dict(zip(self.definition.participants, self.definition.weights, strict=True))
        return [a for a in self.local_accounts if weights.get(a, 0) > 0]

    def signed_weight(self) -> int:
        weights = dict(zip(self.definition.participants, self.definition.weights, strict=True))
        return sum(max(weights.get(s, 0), 0) for s in self.signers)

    def current_total(self) -> Decimal | None:
        if not self.current:
            return None
        return sum((v for (_, a), v in self.current.items() if a == self.asset), Decimal(0))

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if self.asset not in self.assets:
            problems["asset"] = f"Choose an asset this ClearNode knows ({', '.join(self.assets)})."
            return problems
        total = Decimal(0)
        for i, _p in enumerate(self.definition.participants):
            try:
                amount = parse_amount(self.amounts.get(i, "0"), what=f"participant {i + 1}'s amount")
                check_precision(amount, self.assets[self.asset], what=f"participant {i + 1}'s amount")
            except ProtocolError as exc:
                problems[f"amount.{i}"] = str(exc)
                continue
            total += amount
        expected = self.current_total()
        if expected is not None and not problems and (not self.uses_intents or self.intent == "operate"):
            if total != expected:
                problems["total"] = (
                    f"The amounts add up to {format_amount(total)} {self.asset} but the session holds "
                    f"{format_amount(expected)}; every unit must be redistributed."
                )
        if self.uses_intents and self.intent not in self.intents:
            problems["intent"] = f"Choose an intent: {', '.join(self.intents)}."
        foreign = self.signers - set(self.eligible_signers())
        if foreign:
            problems["signers"] = "Only participants with a positive weight may sign: " + ", ".join(
                sorted(foreign)
            )
        elif self.signed_weight() < self.definition.quorum:
            problems["signers"] = (
                f"Your signers' weight is {self.signed_weight()} of the {self.definition.quorum} needed; "
                "the other participants' signatures must be collected."
            )
        return problems

    def allocations(self) -> list[Allocation]:
        problems = self.problems()
        amount_problems = {k: v for k, v in problems.items() if k != "signers"}
        if amount_problems:
            raise ProtocolError(next(iter(amount_problems.values())))
        return [
            Allocation(p, self.asset, parse_amount(self.amounts.get(i, "0")))
            for i, p in enumerate(self.definition.participants)
        ]

    @property
    def sent_session_data(self) -> str | None:
        """The session_data that goes on the wire: blank text means the field is left out."""
        return session_data_or_none(self.session_data)

    def session_definition(self) -> AppDefinition:
        """The session the request concerns (what ``signing.request_for`` stores beside it)."""
        return self.definition

    def call(self) -> RpcCall:
        data = self.sent_session_data
        if self.kind == "close":
            return builders.close_app_session(self.dialect, self.app_session_id, self.allocations(), data)
        return builders.submit_app_state(
            self.dialect,
            self.app_session_id,
            self.allocations(),
            intent=self.sent_intent,
            version=self.sent_version,
            session_data=data,
        )

    def ordered_signers(self) -> list[str]:
        return [p for p in self.definition.participants if p in self.signers]

"""The create wizard's first four pages as plain Python: what the user typed and what is wrong with it.

Every field is text as typed; every page has ``*_problems()`` returning field ->
message, and a page is complete when that mapping is empty. Nothing here talks to
the network; the draft only needs to know which accounts are local, which assets
exist and what each local account holds, so it can refuse before sending what the
server would refuse. ``CreateSessionFlow`` (``create_session``) builds the request.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from nitro_desktop.flows.values import address_or_none, amount_or_zero, int_or_none, uint_or_none
from nitro_desktop.protocol import (
    Dialect,
    DialectSpec,
    ProtocolError,
    check_precision,
    format_amount,
    parse_address,
    parse_amount,
    spec,
    to_checksum_address,
)
from nitro_desktop.protocol.values import MAX_EXACT_INT

PRESETS = {
    "i_decide": "I decide: the first participant alone reaches the quorum",
    "equal": "Equal: everyone has the same weight and all must sign",
    "referee": "Referee: the last participant alone decides",
}
# Enumerating signer sets is exponential; past this many participants we state the rule instead.
_MAX_ENUMERATED = 12
#: The application page's fields, in the order it asks for them.
APPLICATION_FIELDS = ("protocol", "application", "challenge", "nonce")


@dataclass
class ParticipantDraft:
    address: str = ""
    weight: str = "0"


@dataclass
class AllocationDraft:
    asset: str = ""
    amount: str = "0"


@dataclass
class CreateSessionDraft:
    """What the user typed on the first four pages, and each page's problems (field -> message)."""

    dialect: Dialect
    local_accounts: Sequence[str]
    #: asset symbol -> decimals (from get_assets)
    assets: Mapping[str, int]
    #: (EIP-55 address, asset) -> unified balance of local accounts, where known
    balances: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    now_ms: int = 0

    protocol: str = ""
    application: str = ""  # empty: the dialect's default application
    challenge: str = "0"
    nonce: str = ""
    participants: list[ParticipantDraft] = field(default_factory=list)
    quorum: str = "100"
    allocations: list[AllocationDraft] = field(default_factory=list)
    signers: set[str] = field(default_factory=set)
    session_data: str = ""

    def __post_init__(self) -> None:
        self.dialect = Dialect(self.dialect)
        self.protocol = self.protocol or self.dialect_spec.default_protocol
        self.application = self.application or self.dialect_spec.default_application
        self.nonce = self.nonce or str(self.now_ms)
        if not self.participants:
            me = self.local_accounts[0] if self.local_accounts else ""
            self.participants = [ParticipantDraft(me, "100"), ParticipantDraft("", "0")]
        self.sync_allocations()

    @property
    def dialect_spec(self) -> DialectSpec:
        """What this ClearNode's dialect says a session holds."""
        return spec(self.dialect)

    # ---- page 1: application --------------------------------------------
    def application_fields(self) -> tuple[str, ...]:
        """The application page's fields this ClearNode's definition holds (the others are not asked)."""
        impl = self.dialect_spec
        held = {
            "protocol": impl.definition_has_protocol,
            "application": impl.definition_has_application,
            "challenge": impl.definition_has_challenge,
            "nonce": True,
        }
        return tuple(name for name in APPLICATION_FIELDS if held[name])

    def application_problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        impl, fields = self.dialect_spec, self.application_fields()
        if "protocol" in fields:
            if not self.protocol.strip():
                problems["protocol"] = "Enter the application protocol."
            elif impl.protocols and self.protocol not in impl.protocols:
                problems["protocol"] = f"This ClearNode accepts only {' or '.join(impl.protocols)}."
        if "application" in fields and not self.application.strip():
            problems["application"] = "Enter the application name (it is part of the session id)."
        elif "application" in fields and impl.application_pattern is not None:
            if not re.fullmatch(impl.application_pattern, self.application):
                problems["application"] = (
                    "The application id may hold only lower-case letters a-z, digits, _ and -, "
                    f"1 to 66 of them (the ClearNode's rule ^{impl.application_pattern}$)."
                )
        for name in ("challenge", "nonce"):
            if name not in fields:
                continue
            value = uint_or_none(getattr(self, name))
            if value is None:
                problems[name] = f"The {name} must be a whole number from 0 to {MAX_EXACT_INT}."
            elif value > MAX_EXACT_INT:
                problems[name] = (
                    f"The {name} must be at most {MAX_EXACT_INT} (2^53 - 1): the ClearNode reads numbers "
                    "as 64-bit floats and would round a larger one, so the session would get another id."
                )
        if "nonce" not in problems and uint_or_none(self.nonce) == 0:
            problems["nonce"] = "The nonce must not be zero: it makes the session id unique."
        return problems

    # ---- page 2: participants and weights ---------------------------------
    def participant_problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if len(self.participants) < 2:
            problems["participants"] = "A session needs at least two participants."
        seen: dict[str, int] = {}
        for i, p in enumerate(self.participants):
            key = f"participant.{i}"
            try:
                address = parse_address(p.address, what=f"participant {i + 1}")
            except ProtocolError as exc:
                problems[key] = str(exc) if p.address.strip() else f"Enter participant {i + 1}'s address."
                continue
            if address in seen:
                problems[key] = f"Participant {i + 1} repeats participant {seen[address] + 1}."
            seen[address] = i
            weight = int_or_none(p.weight)
            top = self.dialect_spec.max_weight
            if weight is None or weight < 0:
                problems[f"weight.{i}"] = f"Participant {i + 1}'s weight must be a whole number of 0 or more."
            elif top is not None and weight > top:
                problems[f"weight.{i}"] = (
                    f"Participant {i + 1}'s weight must be at most {top}: "
                    "this ClearNode keeps a weight in one byte (0 to 255)."
                )
        quorum = uint_or_none(self.quorum)
        top_quorum = self.dialect_spec.max_quorum
        if quorum is None:
            problems["quorum"] = "The quorum must be a whole number."
        elif top_quorum is not None and quorum > top_quorum:
            problems["quorum"] = (
                f"The quorum must be from 1 to {top_quorum}: this ClearNode keeps it in one byte."
            )
        elif not any(k.startswith("weight.") for k in problems):
            total = sum(self.weights())
            if quorum > total:
                problems["quorum"] = (
                    f"No set of signers can reach a quorum of {quorum}: the weights add up to {total}. "
                    "The session could never be updated or closed."
                )
            elif quorum == 0:
                problems["quorum"] = "A quorum of 0 lets anyone change the session; use at least 1."
        return problems

    def fix_checksum(self, index: int) -> bool:
        """Replace a participant's address by its EIP-55 form when only the case is off."""
        text = self.participants[index].address.strip()
        try:
            fixed = to_checksum_address(text.lower())
        except ProtocolError:
            return False
        self.participants[index].address = fixed
        return True

    def apply_preset(self, preset: str) -> None:
        n = len(self.participants)
        if preset == "i_decide":
            weights = [100] + [0] * (n - 1)
            self.quorum = "100"
        elif preset == "equal":
            weights = [1] * n
            self.quorum = str(n)
        elif preset == "referee":
            weights = [0] * (n - 1) + [100]
            self.quorum = "100"
        else:
            raise ValueError(f"unknown preset {preset!r}")
        for p, w in zip(self.participants, weights, strict=True):
            p.weight = str(w)

    def add_participant(self, address: str = "") -> None:
        self.participants.append(ParticipantDraft(address, "0"))
        self.sync_allocations()

    def remove_participant(self, index: int) -> None:
        del self.participants[index]
        del self.allocations[index]

    def move_participant(self, index: int, offset: int) -> None:
        j = index + offset
        if 0 <= j < len(self.participants):
            ps, al = self.participants, self.allocations
            ps[index], ps[j] = ps[j], ps[index]
            al[index], al[j] = al[j], al[index]

    def weights(self) -> list[int]:
        return [max(int_or_none(p.weight) or 0, 0) for p in self.participants]

    def quorum_sets(self) -> list[tuple[int, ...]] | None:
        """Minimal sets of participant indexes whose weights reach the quorum.

        ``None`` when there are too many participants to enumerate.
        """
        weights, quorum = self.weights(), uint_or_none(self.quorum) or 0
        n = len(weights)
        if n > _MAX_ENUMERATED:
            return None
        sets: list[tuple[int, ...]] = []
        for size in range(1, n + 1):
            for combo in itertools.combinations(range(n), size):
                if sum(weights[i] for i in combo) >= quorum and not any(set(s) <= set(combo) for s in sets):
                    sets.append(combo)
        return sets

    def quorum_statement(self) -> str:
        sets = self.quorum_sets()
        quorum = uint_or_none(self.quorum) or 0
        if sets is None:
            return f"Updates need signers whose weights add up to {quorum} or more."
        if not sets:
            return f"Warning: no set of signers reaches the quorum of {quorum}."
        names = [" + ".join(f"#{i + 1}" for i in s) for s in sets]
        return f"Quorum {quorum} is reached by: " + "; ".join(names) + "."

    # ---- page 3: allocations -------------------------------------------------
    def sync_allocations(self) -> None:
        # usdc is what the seed documentation's flows move; otherwise the first asset.
        default_asset = "usdc" if "usdc" in self.assets else next(iter(self.assets), "")
        while len(self.allocations) < len(self.participants):
            self.allocations.append(AllocationDraft(default_asset, "0"))
        del self.allocations[len(self.participants) :]

    def allocation_problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        self.sync_allocations()  # created empty (v1): these are the deposits made right after
        local = set(self.local_accounts)
        for i, (p, a) in enumerate(zip(self.participants, self.allocations, strict=True)):
            key = f"amount.{i}"
            if a.asset not in self.assets:
                problems[f"asset.{i}"] = f"Choose an asset this ClearNode knows ({', '.join(self.assets)})."
                continue
            try:
                amount = parse_amount(a.amount, what=f"participant {i + 1}'s amount")
                check_precision(amount, self.assets[a.asset], what=f"participant {i + 1}'s amount")
            except ProtocolError as exc:
                problems[key] = str(exc)
                continue
            if amount == 0:
                continue
            address = address_or_none(p.address)
            if address is None:
                problems[key] = f"Participant {i + 1} needs a valid address before funding."
            elif address not in local and not self.dialect_spec.funded_at_create:
                problems[key] = (
                    f"Participant {i + 1}'s key is not on this computer: they deposit from their own "
                    "home channel once the session exists (Deposit… on the session; it signs the state of "
                    "their own channel, so nobody can deposit for them). Set their amount to 0 here."
                )
            elif address in local:
                # Unknown balances (another local account, not yet fetched) are left to the server.
                held = self.balances.get((address, a.asset))
                if held is not None and amount > held:
                    problems[key] = (
                        f"Insufficient funds: {address} holds {format_amount(held)} {a.asset}, "
                        f"less than {format_amount(amount)}."
                    )
        return problems

    def total_by_asset(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for a in self.allocations:
            amount = amount_or_zero(a.amount)
            totals[a.asset] = totals.get(a.asset, Decimal(0)) + amount
        return {k: v for k, v in totals.items() if v}

    def total_text(self) -> str:
        totals = self.total_by_asset()
        return "Session total: " + (
            ", ".join(f"{format_amount(v)} {k}" for k, v in totals.items()) or "nothing yet"
        )

    def held_text(self, index: int) -> str:
        """What participant ``index`` holds of the chosen asset, when it is one of ours ("—" otherwise)."""
        p, a = self.participants[index], self.allocations[index]
        if p.address not in self.local_accounts:
            return "—"
        return f"{format_amount(self.balances.get((p.address, a.asset), Decimal(0)))} {a.asset}"

    # ---- page 4: signers -------------------------------------------------------
    def required_signers(self) -> set[str]:
        """Participants whose positive allocation the server will only move with their signature."""
        required = set()
        for p, a in zip(self.participants, self.allocations, strict=True):
            address = address_or_none(p.address)
            if address and amount_or_zero(a.amount) > 0:
                required.add(address)
        return required

    def external_signers(self) -> list[str]:
        """Funding participants whose keys are not here: their signatures must be collected."""
        local = set(self.local_accounts)
        return sorted(a for a in self.required_signers() if a not in local)

    def preselect_signers(self) -> None:
        """Check the local accounts that must sign (they fund the session); called on entering the page."""
        self.signers |= self.required_signers() & set(self.local_accounts)
        if not self.dialect_spec.funded_at_create:
            # An empty session's create is signed by a quorum: check local weight until it is reached.
            for address, weight in self._local_weights():
                if self._signed_weight() >= (uint_or_none(self.quorum) or 0):
                    break
                if weight > 0:
                    self.signers.add(address)

    def _local_weights(self) -> list[tuple[str, int]]:
        local = set(self.local_accounts)
        pairs = zip((address_or_none(p.address) for p in self.participants), self.weights(), strict=True)
        return [(a, w) for a, w in pairs if a is not None and a in local]

    def _signed_weight(self) -> int:
        return sum(w for a, w in self._local_weights() if a in self.signers)

    def signer_problems(self) -> dict[str, str]:
        missing = (self.required_signers() & set(self.local_accounts)) - self.signers
        problems: dict[str, str] = {}
        external = self.external_signers()
        if external:
            problems["external"] = (
                "These participants put funds in and must sign on their own computer: "
                + ", ".join(external)
                + ". Use Collect signatures to save a signing request for them."
            )
        if missing:
            problems["signers"] = "These accounts fund the session and must sign: " + ", ".join(
                sorted(missing)
            )
        unknown = self.signers - set(self.local_accounts)
        if unknown:
            problems["signers"] = "Only your own accounts can sign here: " + ", ".join(sorted(unknown))
        if not self.signers and not problems:
            problems["signers"] = "Choose at least one account to sign the request."
        quorum = uint_or_none(self.quorum) or 0
        reachable = sum(w for _a, w in self._local_weights())
        if not problems and not self.dialect_spec.funded_at_create and reachable < quorum:
            problems["external"] = (
                f"Your accounts' weights add up to {reachable} of the quorum {quorum}: the other "
                "participants must sign on their own computer. Use Collect signatures to save a "
                "signing request for them."
            )
        elif not problems and not self.dialect_spec.funded_at_create and self._signed_weight() < quorum:
            problems["signers"] = (
                f"The signers' weight is {self._signed_weight()} of the quorum {quorum}: this ClearNode "
                "creates a session only with signatures that reach its quorum."
            )
        return problems

    def ordered_signers(self) -> list[str]:
        """Selected signers in participant order, then any others in account order."""
        order = [a for a in (address_or_none(p.address) for p in self.participants) if a in self.signers]
        order += [a for a in self.local_accounts if a in self.signers and a not in order]
        return order

    def page_problems(self, page: str) -> dict[str, str]:
        """The problems of one of the first four pages ({} for any other page)."""
        checks = {
            "application": self.application_problems,
            "participants": self.participant_problems,
            "allocations": self.allocation_problems,
            "signers": self.signer_problems,
        }
        check = checks.get(page)
        return check() if check else {}

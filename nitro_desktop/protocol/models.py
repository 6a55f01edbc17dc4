"""Typed values that travel in requests and come back in results and notifications.

Parsed objects keep every field they do not know in ``extra``, so a newer
server never breaks an older client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from nitro_desktop.protocol.values import format_amount


@dataclass(frozen=True, slots=True)
class AppDefinition:
    """The fixed part of an application session; its JSON determines the session id."""

    protocol: str
    participants: tuple[str, ...]
    weights: tuple[int, ...]
    quorum: int
    challenge: int
    nonce: int
    application: str = ""

    def to_wire(self, *, with_application: bool) -> dict[str, Any]:
        wire: dict[str, Any] = {}
        if with_application:
            wire["application"] = self.application
        wire.update(
            protocol=self.protocol,
            participants=list(self.participants),
            weights=list(self.weights),
            quorum=self.quorum,
            challenge=self.challenge,
            nonce=self.nonce,
        )
        return wire


@dataclass(frozen=True, slots=True)
class Allocation:
    participant: str
    asset: str
    amount: Decimal

    def to_wire(self) -> dict[str, str]:
        return {
            "participant": self.participant,
            "asset": self.asset,
            "amount": format_amount(self.amount),
        }


@dataclass(frozen=True, slots=True)
class Allowance:
    asset: str
    amount: str


@dataclass(frozen=True, slots=True)
class RpcCall:
    """A method and its params in the dialect's shape, ready to be framed and signed.

    ``params_json``, when a builder sets it, is ``js_json(params)`` already
    written (the hot path signs it without walking ``params`` again). Only
    builders set it; a call made by hand leaves it None and is encoded from
    ``params``.
    """

    method: str
    params: Any
    params_json: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Asset:
    token: str
    chain_id: int
    symbol: str
    decimals: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Balance:
    """One asset's balance. A server's amount that is not a bounded decimal does not fail the
    whole answer: it is kept as received in ``raw`` (cut to ``MAX_RAW_CHARS``), ``odd`` is set,
    ``problem`` says why, and ``amount`` is 0 so nothing spends or sums it."""

    asset: str
    amount: Decimal
    extra: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    odd: bool = False
    problem: str = ""

    MAX_RAW_CHARS: ClassVar[int] = 200


@dataclass(frozen=True, slots=True)
class Network:
    chain_id: int
    name: str = ""
    custody_address: str = ""
    adjudicator_address: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    broker_address: str
    networks: tuple[Network, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuthChallenge:
    challenge_message: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuthResult:
    address: str
    session_key: str
    success: bool
    jwt_token: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AppSession:
    """An app session as the server reports it (create/submit/close results and lists)."""

    app_session_id: str
    status: str = ""
    version: int = 0
    application: str = ""
    protocol: str = ""
    participants: tuple[str, ...] = ()
    weights: tuple[int, ...] = ()
    quorum: int = 0
    challenge: int = 0
    nonce: int = 0
    session_data: str = ""
    created_at: str = ""
    updated_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def definition(self) -> AppDefinition:
        return AppDefinition(
            protocol=self.protocol,
            participants=self.participants,
            weights=self.weights,
            quorum=self.quorum,
            challenge=self.challenge,
            nonce=self.nonce,
            application=self.application,
        )


@dataclass(frozen=True, slots=True)
class Record:
    """A result object we show but do not interpret (channels, ledger rows, history, keys)."""

    fields: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


@dataclass(frozen=True, slots=True)
class Pong:
    pass


@dataclass(frozen=True, slots=True)
class ServerError:
    """An error response: ``message`` is the server's exact text."""

    message: str
    shape: str  # "E1" [{"error": m}], "E2" ["m"], "E3" {"error": m}


@dataclass(frozen=True, slots=True)
class AssetsNotification:
    assets: tuple[Asset, ...]


@dataclass(frozen=True, slots=True)
class ChannelsNotification:
    channels: tuple[Record, ...]


@dataclass(frozen=True, slots=True)
class BalanceUpdate:
    balances: tuple[Balance, ...]


@dataclass(frozen=True, slots=True)
class ChannelUpdate:
    channel: Record


@dataclass(frozen=True, slots=True)
class TransferNotification:
    transactions: tuple[Record, ...]


@dataclass(frozen=True, slots=True)
class AppSessionUpdate:
    app_session: AppSession
    participant_allocations: tuple[Allocation, ...]


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A method this client does not know: kept whole, never an error."""

    method: str
    payload: Any

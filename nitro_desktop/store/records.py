"""Plain records the store hands out: public data only, never a secret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nitro_desktop.protocol.dialect_id import Dialect

# The list's light rows live apart: the window's first rows load without these dataclasses.
from nitro_desktop.store.rows import SESSION_ROW_COLUMNS as SESSION_ROW_COLUMNS
from nitro_desktop.store.rows import SessionRow as SessionRow
from nitro_desktop.store.rows import StatusChange as StatusChange

#: Where an account's secret lives, as the store keeps it (the key store's ``keys.Backend`` words).
Backend = Literal["keyring", "file"]
Origin = Literal["created", "server"]


@dataclass(frozen=True, slots=True)
class AccountRecord:
    address: str  # EIP-55
    label: str
    backend: Backend  # where the secret lives: the OS keyring or an encrypted keystore file
    created_at: float  # Unix seconds


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    name: str
    url: str
    dialect: Dialect
    broker_address: str | None = None  # pinned; None = trust the first one seen
    is_sandbox: bool = False

    def __post_init__(self) -> None:
        # Callers holding the plain text ("0.5") get the enum too; an unknown dialect fails here.
        object.__setattr__(self, "dialect", Dialect(self.dialect))


@dataclass(frozen=True, slots=True)
class AppSessionRecord:
    """One application session with everything as it was sent and received."""

    app_session_id: str
    endpoint: str
    account: str
    protocol: str
    application: str
    definition_json: str
    allocations_json: str
    status: str
    version: int
    created_at: float
    updated_at: float
    request_frame: str | None = None
    response_frame: str | None = None
    origin: Origin = "created"


@dataclass(frozen=True, slots=True)
class SessionKeyRecord:
    """Public data of a session key: ClearNode auth for one application until expiry."""

    address: str
    account: str  # the main account it acts for
    application: str
    backend: Backend
    expires_at: float
    created_at: float
    scope: str = ""
    endpoint: str = ""


@dataclass(frozen=True, slots=True)
class ChainRecord:
    """An EVM chain the user reaches through ``rpc_url`` (theirs to edit; none is built in)."""

    chain_id: int
    name: str
    rpc_url: str
    hub_address: str | None = None  # the ChannelHub the node reports for this chain
    updated_at: float = 0.0


#: A home-channel operation's steps, in order; ``failed`` and ``dropped`` end one that did not happen.
ChannelStep = Literal["signed", "countersigned", "sent", "done", "failed", "dropped"]
ChannelKind = Literal["open", "deposit", "withdraw", "close"]


@dataclass(frozen=True, slots=True)
class ChannelOperationRecord:
    """One open / deposit / withdraw / close of a home channel, as far as it got."""

    id: int
    account: str
    endpoint: str
    asset: str
    chain_id: int
    kind: ChannelKind
    amount: str
    step: ChannelStep
    state_json: str  # the channel state this operation signs (public data: no secrets)
    definition_json: str  # the channel definition, for an open
    tx_hash: str | None
    error: str
    created_at: float
    updated_at: float

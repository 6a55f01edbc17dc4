"""What the home-channel core shows and tells: plans, progress, channel views, and its events.

The window (and the CLI) get a ``ChannelPlan`` through the confirmation callback before any
transaction is sent, ``TxProgress`` while it is out, and a ``ChannelView`` whenever the
channel's numbers change. Plain frozen dataclasses: the GUI adapter re-emits them as Qt
signals without copying anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from nitro_desktop.chain import TxPlan
from nitro_desktop.store import ChannelOperationRecord
from nitro_desktop.wallet.events import Event

ChannelAction = Literal["open", "deposit", "withdraw", "close", "resume"]
TxPhase = Literal["sent", "pending", "mined", "reverted", "dropped", "credited", "waiting"]


class ChannelError(Exception):
    """A home-channel operation that could not go on; ``str()`` is the text to show as is."""


class Declined(ChannelError):
    """The user said no to the plan: nothing was sent on-chain."""


@dataclass(frozen=True, slots=True)
class ChannelPlan:
    """Everything that will be sent for one action, shown before anything is.

    ``steps`` are the chain layer's ``TxPlan`` s (what each transaction does, to, value, gas
    and fees), in the order they will be sent.
    """

    action: ChannelAction
    asset: str
    amount: Decimal  # what moves in (open, deposit) or out (withdraw, close), in asset units
    steps: tuple[TxPlan, ...]
    eth_balance_wei: int  # what the sender holds for value and gas

    @property
    def chain_id(self) -> int:
        return self.steps[0].chain_id

    @property
    def chain_name(self) -> str:
        return self.steps[0].chain_name

    @property
    def sender(self) -> str:
        return self.steps[0].sender

    @property
    def total_value_wei(self) -> int:
        return sum(s.value for s in self.steps)

    @property
    def max_fee_wei(self) -> int:
        return sum(s.max_fee for s in self.steps)

    @property
    def affordable(self) -> bool:
        return self.eth_balance_wei >= self.total_value_wei + self.max_fee_wei

    def lines(self) -> list[str]:
        """The plan as text lines (the CLI prints these; a dialog may show ``TxPlan.summary()`` rows)."""
        out: list[str] = []
        for number, step in enumerate(self.steps, 1):
            out.append(f"Transaction {number} of {len(self.steps)}:")
            out.extend(f"  {label + ':':<12} {text}" for label, text in step.summary())
        out.append(f"You hold {wei_text(self.eth_balance_wei)} ETH on {self.chain_name}.")
        return out


@dataclass(frozen=True, slots=True)
class TxProgress:
    """A transaction's status until mined or failed (and then the node crediting it)."""

    operation_id: int
    action: ChannelAction
    phase: TxPhase
    tx_hash: str = ""
    detail: str = ""  # a revert reason, a block number, what is awaited


@dataclass(frozen=True, slots=True)
class ChannelView:
    """A home channel and where the user's funds are: on-chain, off-chain, in flight."""

    asset: str
    account: str
    chain_id: int
    channel_id: str | None  # None: no home channel for this asset
    status: str  # the node's word: void (not on-chain yet), open, challenged, closing, closed; "" if none
    off_chain: Decimal  # the user's balance in the node's latest state (a Release is node-signed only)
    node_balance: Decimal | None  # user.v1.get_balances for the asset (None if not read)
    on_chain_locked: Decimal | None  # what the hub holds in the channel (None if not read)
    wallet_token: Decimal | None  # the asset in the wallet on the chain (None if not read)
    wallet_eth_wei: int | None
    state_version: int = 0
    pending: tuple[ChannelOperationRecord, ...] = ()  # operations not finished (funds in flight)


def wei_text(wei: int) -> str:
    return _scaled(wei, 18)


def gwei_text(wei: int) -> str:
    return _scaled(wei, 9)


def _scaled(value: int, places: int) -> str:
    text = format(Decimal(value).scaleb(-places), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


#: Called with the plan before anything is sent; True sends it.
Confirm = Callable[[ChannelPlan], Awaitable[bool]]


@dataclass(slots=True)
class ChannelEvents:
    """The home-channel core's events, one field per kind."""

    operation_changed: Event[ChannelOperationRecord] = field(
        default_factory=lambda: Event("operation_changed")
    )
    tx_progress: Event[TxProgress] = field(default_factory=lambda: Event("tx_progress"))
    channel_changed: Event[ChannelView] = field(default_factory=lambda: Event("channel_changed"))

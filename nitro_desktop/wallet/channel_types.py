"""What the home-channel core shows and tells: plans, progress, channel views, and its events.

The window (and the CLI) get a ``TxPlan`` through the confirmation callback before any
transaction is sent, ``TxProgress`` while it is out, and a ``ChannelView`` whenever the
channel's numbers change. Plain frozen dataclasses: the GUI adapter re-emits them as Qt
signals without copying anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from nitro_desktop.store import ChannelOperationRecord
from nitro_desktop.wallet.events import Event

ChannelAction = Literal["open", "deposit", "withdraw", "close", "resume"]
TxPhase = Literal["sent", "mined", "reverted", "dropped", "credited", "waiting"]


class ChannelError(Exception):
    """A home-channel operation that could not go on; ``str()`` is the text to show as is."""


class Declined(ChannelError):
    """The user said no to the plan: nothing was sent on-chain."""


@dataclass(frozen=True, slots=True)
class TxStep:
    """One transaction of a plan (an ERC-20 approval may come before the hub call)."""

    description: str  # what it does, in words ("createChannel: open the usdc home channel with 5 usdc")
    to: str  # the contract called
    function: str  # the ChannelHub (or token) function
    value_wei: int  # ETH sent with it
    gas: int  # gas limit (estimate with margin)
    max_fee_per_gas: int  # EIP-1559, wei
    max_priority_fee_per_gas: int  # wei

    @property
    def max_fee_wei(self) -> int:
        return self.gas * self.max_fee_per_gas


@dataclass(frozen=True, slots=True)
class TxPlan:
    """Everything that will be sent for one action, shown before anything is."""

    action: ChannelAction
    chain_id: int
    chain_name: str
    sender: str
    asset: str
    amount: Decimal  # in asset units (0 for a close that pays out the whole balance: see ``payout``)
    steps: tuple[TxStep, ...]
    eth_balance_wei: int  # what the sender holds for value and gas
    payout: Decimal = Decimal(0)  # what comes back to the wallet (withdraw, close)

    @property
    def total_value_wei(self) -> int:
        return sum(s.value_wei for s in self.steps)

    @property
    def max_fee_wei(self) -> int:
        return sum(s.max_fee_wei for s in self.steps)

    @property
    def affordable(self) -> bool:
        return self.eth_balance_wei >= self.total_value_wei + self.max_fee_wei

    def lines(self) -> list[str]:
        """The plan as text lines (the CLI prints these; the dialog may too)."""
        out = [f"On {self.chain_name} (chain id {self.chain_id}), from {self.sender}:"]
        for number, step in enumerate(self.steps, 1):
            out.append(f"  {number}. {step.description}")
            out.append(
                f"     to {step.to}, value {wei_text(step.value_wei)} ETH, gas {step.gas}, "
                f"max fee {wei_text(step.max_fee_wei)} ETH "
                f"({gwei_text(step.max_fee_per_gas)} gwei/gas, "
                f"tip {gwei_text(step.max_priority_fee_per_gas)})"
            )
        out.append(
            f"  Total at most {wei_text(self.total_value_wei + self.max_fee_wei)} ETH; "
            f"you hold {wei_text(self.eth_balance_wei)} ETH."
        )
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
    off_chain: Decimal  # the user's balance in the latest state the node countersigned
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
Confirm = Callable[[TxPlan], Awaitable[bool]]


@dataclass(slots=True)
class ChannelEvents:
    """The home-channel core's events, one field per kind."""

    operation_changed: Event[ChannelOperationRecord] = field(
        default_factory=lambda: Event("operation_changed")
    )
    tx_progress: Event[TxProgress] = field(default_factory=lambda: Event("tx_progress"))
    channel_changed: Event[ChannelView] = field(default_factory=lambda: Event("channel_changed"))

"""What the home-channel core needs from a chain: one ChannelHub on one chain, for one sender.

``nitro_desktop.chain`` does the work (web3, ABI, fees, signing with the held key, receipts,
revert decoding); ``wallet.hub_chain`` adapts it to this shape so the core's steps stay
readable and the core can be driven by any chain access that keeps these promises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from nitro_desktop.protocol.v1.home import ChannelDefinition
from nitro_desktop.wallet.channel_types import ChannelAction, ChannelError, ChannelPlan

HubCall = Literal["create", "deposit", "withdraw", "close"]


@dataclass(frozen=True, slots=True)
class HubRequest:
    """One ChannelHub call with the countersigned state it carries."""

    call: HubCall
    state: Mapping[str, Any]  # user- and node-signed, wire shape
    decimals: int  # the token's, to pack and scale amounts
    node: str  # the node's address (the channel's other party)
    definition: ChannelDefinition | None = None  # for create
    amount: Decimal = Decimal(0)  # what moves in (deposit, create) or out (withdraw, close)


@dataclass(frozen=True, slots=True)
class TxOutcome:
    """How a sent transaction ended: mined and succeeded, reverted (with the reason), or dropped."""

    status: Literal["mined", "reverted", "dropped"]
    tx_hash: str
    block: int | None = None
    reason: str = ""  # the revert reason decoded from the ChannelHub ABI, or why it counts as dropped


class ChainFault(ChannelError):
    """A chain problem stated for the user: wrong chain id, RPC unreachable, not enough ETH, ..."""


class NotSent(ChainFault):
    """The RPC refused a transaction whose hash ``on_sent`` had already been given: it never left."""

    def __init__(self, message: str, tx_hash: str) -> None:
        super().__init__(message)
        self.tx_hash = tx_hash


class HubPort(Protocol):
    """One sender on one chain's ChannelHub."""

    chain_id: int
    chain_name: str

    async def check(self) -> None:
        """Reach the RPC and check its chain id; ``ChainFault`` with the reason otherwise."""

    async def plan(self, request: HubRequest, action: ChannelAction, asset: str) -> ChannelPlan:
        """Estimate gas and fees for the request; ``ChainFault`` when it cannot or would not go through."""

    async def send(self, plan: ChannelPlan, on_sent: Callable[[str], None]) -> list[str]:
        """Sign and send each step in this process.

        ``on_sent(tx_hash)`` runs for each step after signing and before it is broadcast, so the hash
        is on record even if the process dies while the RPC takes it; a step the RPC then refuses
        raises ``NotSent`` with that hash.
        """

    async def wait(self, tx_hash: str, request: HubRequest, on_status: Callable[[str], None]) -> TxOutcome:
        """Watch a sent transaction until it is mined, reverted or gone; ``on_status`` hears each change."""

    async def wallet_balances(self, wallet: str, token: str, decimals: int) -> tuple[int, Decimal | None]:
        """ETH (wei) and the token (asset units; None if not read) the wallet holds."""

    async def channel_locked(self, channel_id: str, decimals: int) -> Decimal | None:
        """What the hub holds in the channel (None when the hub does not know it)."""

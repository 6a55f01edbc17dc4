"""``HubPort`` over ``nitro_desktop.chain``: the ChannelHub calls, planned, signed here and watched.

The chain layer states every fault for the user (wrong chain id, unreachable RPC, not enough
ETH, a call the hub would refuse with its decoded reason); they reach the core as
``ChainFault`` with that sentence. The transaction key never leaves this process: the
account's signer signs through ``sign_transaction``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from nitro_desktop.chain import (
    Chain,
    ChainClient,
    ChainError,
    SendUncertain,
    SentTx,
    TxPlan,
    TxState,
    close_channel,
    create_channel,
    deposit_to_channel,
    withdraw_from_channel,
)
from nitro_desktop.chain.hub import HubCall
from nitro_desktop.protocol import HashSigner
from nitro_desktop.store import ChainRecord
from nitro_desktop.wallet.channel_types import ChannelAction, ChannelPlan
from nitro_desktop.wallet.hub_port import ChainFault, HubRequest, NotSent, TxOutcome

NO_HUB = "0x" + "00" * 20
#: Confirmations a transaction needs before the core counts it as done.
CONFIRMATIONS = 1


class TxKey(Protocol):
    """A signer that also signs transactions (``keys.Signer`` and ``UnlockedSigner`` are ones)."""

    @property
    def address(self) -> str: ...

    def sign_transaction(self, fields: dict[str, Any]) -> bytes: ...


def chain_of(record: ChainRecord) -> Chain:
    try:
        return Chain(record.name, record.chain_id, record.rpc_url, record.hub_address or NO_HUB)
    except ChainError as exc:
        raise ChainFault(str(exc)) from None


def hub_call(request: HubRequest) -> HubCall:
    """The ChannelHub function a request maps to (``sdk.Checkpoint``'s choice, by transition)."""
    state, decimals = request.state, request.decimals
    try:
        if request.call == "create":
            assert request.definition is not None
            return create_channel(request.definition.to_wire(), state, node=request.node, decimals=decimals)
        if request.call == "deposit":
            return deposit_to_channel(state, decimals=decimals)
        if request.call == "withdraw":
            return withdraw_from_channel(state, decimals=decimals)
        return close_channel(state, decimals=decimals)
    except ChainError as exc:
        raise ChainFault(str(exc)) from None


class ChainHubPort:
    """One account on one chain's ChannelHub (see ``HubPort``)."""

    def __init__(self, record: ChainRecord, signer: HashSigner, *, poll_interval: float = 1.0) -> None:
        self.chain = chain_of(record)
        self.chain_id, self.chain_name = record.chain_id, record.name
        self.client = ChainClient(self.chain, poll_interval=poll_interval)
        self.signer = signer
        self._plans: dict[str, TxPlan] = {}

    def _key(self) -> TxKey:
        if not callable(getattr(self.signer, "sign_transaction", None)):
            raise ChainFault(f"The key of {self.signer.address} cannot sign transactions here.")
        key: TxKey = self.signer  # type: ignore[assignment]
        return key

    async def check(self) -> None:
        try:
            await self.client.check_chain()
        except ChainError as exc:
            raise ChainFault(str(exc)) from None

    async def plan(self, request: HubRequest, action: ChannelAction, asset: str) -> ChannelPlan:
        call = hub_call(request)
        try:
            step = await self.client.plan(call, self.signer.address)
            balance = await self.client.balance(self.signer.address)
        except ChainError as exc:
            raise ChainFault(str(exc)) from None
        return ChannelPlan(action, asset, request.amount, (step,), balance)

    async def send(self, plan: ChannelPlan, on_sent: Callable[[str], None]) -> list[str]:
        hashes: list[str] = []
        for step in plan.steps:
            recorded: list[str] = []

            def signed(sent: SentTx, step: TxPlan = step, recorded: list[str] = recorded) -> None:
                self._plans[sent.tx_hash] = step
                on_sent(sent.tx_hash)
                recorded.append(sent.tx_hash)

            try:
                sent = await self.client.send(step, self._key(), on_signed=signed)
            except SendUncertain as exc:
                # The RPC may hold it: it is on record as sent and watched, never sent blind again.
                if not isinstance(exc.sent, SentTx):
                    raise ChainFault(str(exc)) from None
                sent = exc.sent
            except ChainError as exc:
                if recorded:
                    raise NotSent(str(exc), recorded[0]) from None
                raise ChainFault(str(exc)) from None
            hashes.append(sent.tx_hash)
        return hashes

    async def wait(self, tx_hash: str, request: HubRequest, on_status: Callable[[str], None]) -> TxOutcome:
        step = self._plans.get(tx_hash)
        if step is None:  # after a restart: the same call, planned again, replays a revert's reason
            call = hub_call(request)
            step = TxPlan(
                call.description,
                self.chain_name,
                self.chain_id,
                self.signer.address,
                self.chain.channel_hub,
                call.value,
                call.data,
                0,
                0,
                0,
                0,
            )
        try:
            status = await self.client.wait(
                SentTx(step, tx_hash, -1),
                confirmations=CONFIRMATIONS,
                on_status=lambda s: on_status(s.message),
            )
        except ChainError as exc:
            raise ChainFault(str(exc)) from None
        if status.state is TxState.CONFIRMED:
            return TxOutcome("mined", tx_hash, status.block, status.message)
        if status.state is TxState.REVERTED:
            return TxOutcome("reverted", tx_hash, status.block, f"{status.reason}: {status.message}")
        return TxOutcome("dropped", tx_hash, None, status.message)

    async def wallet_balances(self, wallet: str, token: str, decimals: int) -> tuple[int, Decimal | None]:
        try:
            eth = await self.client.balance(wallet)
        except ChainError as exc:
            raise ChainFault(str(exc)) from None
        if token.lower() != NO_HUB:
            return eth, None  # an ERC-20's balance is not read here yet
        return eth, Decimal(eth).scaleb(-decimals)

    async def channel_locked(self, channel_id: str, decimals: int) -> Decimal | None:
        try:
            data = await self.client.channel_data(channel_id)
        except ChainError:
            return None
        return Decimal(int(data.locked_funds)).scaleb(-decimals)

"""The user's home channels (dialect 1): open with a deposit, deposit more, withdraw, close. No Qt.

Each action runs the same steps, each written down before it leaves this process:
build and sign the next channel state (``signed``) → the node countersigns, checked against
its address (``countersigned``) → the ChannelHub transaction is planned and shown through
``confirm`` → signed and sent (``sent``, with its hash, before it is broadcast) → mined
(``done``) or reverted / dropped (``failed`` / ``dropped``, with the reason). A crash, a "no",
a revert or a dropped transaction therefore leaves the operation where it really is, and
``resume`` finishes what can be finished. Funds committed off-chain but not yet on-chain
show as pending in ``show``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from nitro_desktop.client import ClearNodeClient, ClearNodeError
from nitro_desktop.client.v1_channels import HomeChannel, NodeConfig
from nitro_desktop.protocol import HashSigner, ProtocolError, check_precision
from nitro_desktop.protocol.v1 import home
from nitro_desktop.protocol.v1.deposit import go_decimal, sign_channel_state
from nitro_desktop.protocol.v1.home import ChannelDefinition, NodeSignatureMismatch
from nitro_desktop.store import ChainRecord, ChannelOperationRecord, Store
from nitro_desktop.store.records import ChannelKind
from nitro_desktop.wallet.channel_assets import AssetOnChain, find_asset
from nitro_desktop.wallet.channel_types import (
    ChannelAction,
    ChannelError,
    ChannelEvents,
    ChannelView,
    Confirm,
    Declined,
    TxPhase,
    TxProgress,
    wei_text,
)
from nitro_desktop.wallet.hub_port import ChainFault, HubCall, HubPort, HubRequest, NotSent

log = logging.getLogger("nitro_desktop.wallet.channels")

CREDIT_TIMEOUT = 30.0  # seconds to wait for the node to see a mined transaction
CREDIT_POLL_FIRST, CREDIT_POLL_MAX = 0.02, 1.0  # seconds between looks at the node's channel
PortFactory = Callable[[ChainRecord, HashSigner], HubPort]
NOT_SENT = "Nothing was sent on-chain"
HELD = "the node holds the signed state, and `nitro-desktop channel resume` sends it."


class HomeChannels:
    """One account's home channels on one v1 node; see the module docstring."""

    def __init__(
        self,
        store: Store,
        client: ClearNodeClient,
        signer: HashSigner,
        port_for: PortFactory,
        *,
        endpoint: str,
        events: ChannelEvents | None = None,
        credit_timeout: float = CREDIT_TIMEOUT,
    ) -> None:
        self.store, self.client, self.signer = store, client, signer
        self.account = signer.address
        self.endpoint = endpoint
        self.events = events or ChannelEvents()
        self.credit_timeout = credit_timeout
        self._port_for = port_for
        self._ports: dict[int, HubPort] = {}

    # ---- where things are --------------------------------------------------------------
    async def _context(self, asset: str, chain_id: int | None) -> tuple[NodeConfig, AssetOnChain, HubPort]:
        config = await self.client.v1.node_config()
        found = await find_asset(self.client, asset, chain_id)
        info = config.chain(found.chain_id)
        if info is None:
            watched = ", ".join(str(c.blockchain_id) for c in config.blockchains) or "none"
            raise ChannelError(f"The node does not watch chain {found.chain_id} (it watches: {watched}).")
        record = self.store.chains.get(found.chain_id)
        if record is None:
            raise ChannelError(
                f"No RPC URL for chain {found.chain_id} ({info.name}): add one with "
                f"`nitro-desktop chains add --chain-id {found.chain_id} --rpc-url URL`."
            )
        if record.hub_address is None or record.hub_address.lower() != info.channel_hub_address:
            record = self.store.chains.save(
                ChainRecord(record.chain_id, record.name, record.rpc_url, info.channel_hub_address)
            )
        port = self._ports.get(found.chain_id)
        if port is None:
            port = self._port_for(record, self.signer)
            await port.check()
            self._ports[found.chain_id] = port
        return config, found, port

    async def show(self, asset: str, chain_id: int | None = None) -> ChannelView:
        """The channel, the user's funds on and off chain, and operations still in flight."""
        channel = await self.client.v1.home_channel(self.account, asset)
        latest = await self.client.v1.get_latest_state(self.account, asset)
        found = await find_asset(self.client, asset, chain_id or (channel.blockchain_id if channel else None))
        balances = await self.client.v1.get_balances(self.account)
        node_balance = next((_dec(b.get("amount")) for b in balances if b.get("asset") == asset), None)
        locked = wallet_token = eth = None
        port = self._ports.get(found.chain_id)
        if port is None and self.store.chains.get(found.chain_id) is not None:
            try:
                _, _, port = await self._context(asset, found.chain_id)
            except (ChannelError, ChainFault) as exc:
                log.info("chain not read for %s: %s", asset, exc)
        if port is not None:
            eth, wallet_token = await port.wallet_balances(self.account, found.token, found.decimals)
            if channel is not None:
                locked = await port.channel_locked(channel.channel_id, found.decimals)
        live = channel is not None and channel.status != "closed"
        view = ChannelView(
            asset=asset,
            account=self.account,
            chain_id=found.chain_id,
            channel_id=channel.channel_id if channel else None,
            status=channel.status if channel else "",
            off_chain=home.user_balance(latest) if live else Decimal(0),
            node_balance=node_balance,
            on_chain_locked=locked,
            wallet_token=wallet_token,
            wallet_eth_wei=eth,
            state_version=channel.state_version if channel else 0,
            pending=tuple(self.store.channel_operations.list(self.account, asset, unfinished=True)),
        )
        self.events.channel_changed.emit(view)
        return view

    # ---- the four actions ---------------------------------------------------------------
    async def open(
        self, asset: str, amount: Decimal, confirm: Confirm, *, chain_id: int | None = None
    ) -> ChannelOperationRecord:
        """Create the asset's home channel on-chain with ``amount`` deposited."""
        config, found, port = await self._context(asset, chain_id)
        latest = await self.client.v1.get_latest_state(self.account, asset)
        if latest and latest.get("home_channel_id") and not home.is_final(latest):
            raise ChannelError(
                f"You already have a {asset} home channel ({latest['home_channel_id']}): "
                "deposit into it, or close it first."
            )
        _check_amount(amount, found)
        definition = ChannelDefinition(
            nonce=time.time_ns(), approved_sig_validators=home.sig_validators_bitmap(config.sig_validators)
        )
        state = home.next_state(latest or home.void_state(asset, self.account))
        home.apply_channel_creation(state, definition, found.chain_id, found.token, config.node_address)
        home.apply_home_deposit(state, amount)
        request = HubRequest("create", state, found.decimals, config.node_address, definition, amount)
        return await self._run("open", request, found, port, confirm)

    async def deposit(self, asset: str, amount: Decimal, confirm: Confirm) -> ChannelOperationRecord:
        """Move ``amount`` from the wallet into the open home channel."""
        return await self._advance(
            "deposit", asset, confirm, lambda s: home.apply_home_deposit(s, amount), amount
        )

    async def withdraw(self, asset: str, amount: Decimal, confirm: Confirm) -> ChannelOperationRecord:
        """Move ``amount`` from the home channel back to the wallet."""
        return await self._advance(
            "withdraw", asset, confirm, lambda s: home.apply_home_withdrawal(s, amount)
        )

    async def close(self, asset: str, confirm: Confirm) -> ChannelOperationRecord:
        """Close the home channel; everything the user holds in it goes back to the wallet."""
        return await self._advance("close", asset, confirm, home.apply_finalize)

    async def _advance(
        self,
        kind: ChannelKind,
        asset: str,
        confirm: Confirm,
        apply: Callable[[dict[str, Any]], Any],
        amount: Decimal | None = None,
    ) -> ChannelOperationRecord:
        channel = await self.client.v1.home_channel(self.account, asset)
        latest = await self.client.v1.get_latest_state(self.account, asset)
        if channel is None or not latest or not latest.get("home_channel_id") or home.is_final(latest):
            raise ChannelError(f"You have no open {asset} home channel: open one first.")
        if channel.status != "open":
            raise ChannelError(f"The {asset} home channel is {channel.status or 'unknown'}, not open.")
        config, found, port = await self._context(asset, channel.blockchain_id)
        if amount is not None:
            _check_amount(amount, found)
        state = home.next_state(latest)
        try:
            moved = apply(state)
        except ProtocolError as exc:
            raise ChannelError(str(exc)[:1].upper() + str(exc)[1:] + ".") from None
        amount = Decimal(state["transition"]["amount"]) if moved is None else moved
        call: HubCall = "create" if kind == "open" else kind
        request = HubRequest(call, state, found.decimals, config.node_address, channel.definition, amount)
        return await self._run(kind, request, found, port, confirm)

    # ---- the steps ------------------------------------------------------------------------
    async def _run(
        self,
        kind: ChannelKind,
        request: HubRequest,
        found: AssetOnChain,
        port: HubPort,
        confirm: Confirm,
    ) -> ChannelOperationRecord:
        state = dict(request.state)
        state["user_sig"] = sign_channel_state(state, self.signer, found.decimals)
        op = self.store.channel_operations.start(
            account=self.account,
            endpoint=self.endpoint,
            asset=found.symbol,
            chain_id=found.chain_id,
            kind=kind,
            amount=go_decimal(request.amount),
            state_json=json.dumps(state),
            definition_json=json.dumps(request.definition.to_wire()) if request.definition else "",
        )
        self.events.operation_changed.emit(op)
        try:
            if request.definition is not None and kind == "open":
                node_sig = await self.client.v1.request_creation(
                    state, request.definition, decimals=found.decimals
                )
            else:
                node_sig = await self.client.v1.submit_state(state, decimals=found.decimals)
        except (NodeSignatureMismatch, ClearNodeError) as exc:
            text = str(exc) if isinstance(exc, NodeSignatureMismatch) else f"The node refused it: {exc}"
            self._step(op, "failed", error=text)
            raise ChannelError(text) from exc
        state["node_sig"] = node_sig
        op = self._step(op, "countersigned", state_json=json.dumps(state))
        signed = HubRequest(
            request.call, state, request.decimals, request.node, request.definition, request.amount
        )
        return await self._send(op, signed, found.symbol, port, confirm)

    async def _send(
        self, op: ChannelOperationRecord, request: HubRequest, asset: str, port: HubPort, confirm: Confirm
    ) -> ChannelOperationRecord:
        action: ChannelAction = op.kind
        try:
            plan = await port.plan(request, action, asset)
        except ChainFault as exc:
            raise ChannelError(f"{exc} {NOT_SENT}; {HELD}") from None
        if not plan.affordable:
            raise ChannelError(
                f"Not enough ETH for gas on {plan.chain_name}: this needs up to "
                f"{wei_text(plan.total_value_wei + plan.max_fee_wei)} ETH and {plan.sender} holds "
                f"{wei_text(plan.eth_balance_wei)} ETH. {NOT_SENT}; {HELD}"
            )
        if not await confirm(plan):
            raise Declined(f"{NOT_SENT}; {HELD}")

        step_before = op.step
        on_record: list[str] = []

        def sent(tx_hash: str) -> None:
            # Called before the broadcast: a crash while the RPC takes it leaves a hash to follow.
            nonlocal op
            op = self._step(op, "sent", tx_hash=tx_hash)
            on_record.append(tx_hash)

        try:
            hashes = await port.send(plan, sent)
        except NotSent as exc:
            on_record.remove(exc.tx_hash)
            if on_record:  # an earlier step went out: watch that one
                op = self._step(op, "sent", tx_hash=on_record[-1])
                raise ChannelError(
                    f"{exc} The first transaction went out; `channel resume` follows it."
                ) from None
            op = self._step(op, step_before, tx_hash=None)
            raise ChannelError(f"{exc} {NOT_SENT}; {HELD}") from None
        except ChainFault as exc:
            if op.step == "sent":  # an earlier step went out: watch that one
                raise ChannelError(
                    f"{exc} The first transaction went out; `channel resume` follows it."
                ) from None
            raise ChannelError(f"{exc} {NOT_SENT}; {HELD}") from None
        for tx_hash in hashes:  # said once the RPC has them, not when they were put on record
            self.events.tx_progress.emit(TxProgress(op.id, action, "sent", tx_hash))
        return await self._watch(op, port, hashes, request)

    async def _watch(
        self, op: ChannelOperationRecord, port: HubPort, hashes: list[str], request: HubRequest
    ) -> ChannelOperationRecord:
        action: ChannelAction = op.kind
        for tx_hash in hashes:

            def heard(message: str, tx_hash: str = tx_hash) -> None:
                self.events.tx_progress.emit(TxProgress(op.id, action, "pending", tx_hash, message))

            try:
                outcome = await port.wait(tx_hash, request, heard)
            except ChainFault as exc:
                raise ChannelError(
                    f"{exc} The transaction {tx_hash} is still being followed: `channel resume`."
                ) from None
            if outcome.status != "mined":
                phase: TxPhase = "reverted" if outcome.status == "reverted" else "dropped"
                why = outcome.reason or "no reason given"
                text = (
                    f"The transaction {tx_hash} reverted: {why}"
                    if phase == "reverted"
                    else f"The transaction {tx_hash} was dropped: {why}"
                )
                self.events.tx_progress.emit(TxProgress(op.id, action, phase, tx_hash, why))
                self._step(op, "failed" if phase == "reverted" else "dropped", error=text)
                raise ChannelError(
                    f"{text} Nothing was recorded as done; `channel resume` can send it again."
                )
            self.events.tx_progress.emit(TxProgress(op.id, action, "mined", tx_hash, outcome.reason))
        op = self._step(op, "done")
        await self._await_credit(op)
        return op

    async def _await_credit(self, op: ChannelOperationRecord) -> None:
        """Wait (bounded) until the node's channel shows what the chain now holds."""
        version = int(json.loads(op.state_json).get("version", 0))
        self.events.tx_progress.emit(TxProgress(op.id, op.kind, "waiting", op.tx_hash or "", "node"))
        deadline = asyncio.get_running_loop().time() + self.credit_timeout
        pause = CREDIT_POLL_FIRST
        while True:
            channel = await self.client.v1.home_channel(self.account, op.asset)
            if _credited(channel, op.kind, version):
                self.events.tx_progress.emit(TxProgress(op.id, op.kind, "credited", op.tx_hash or ""))
                await self.show(op.asset, op.chain_id)
                return
            if asyncio.get_running_loop().time() > deadline:
                log.info("the node has not yet seen %s %d on-chain", op.kind, op.id)
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, CREDIT_POLL_MAX)  # a local chain credits at once; a real one in blocks

    def _step(self, op: ChannelOperationRecord, step: Any, **changes: Any) -> ChannelOperationRecord:
        new = self.store.channel_operations.advance(op.id, step, **changes)
        self.events.operation_changed.emit(new)
        return new

    # ---- after a crash, a "no", a revert or a drop ------------------------------------------
    async def resume(self, confirm: Confirm) -> list[ChannelOperationRecord]:
        """Finish this account's unfinished operations as far as each can go; returns them as they end."""
        from nitro_desktop.wallet.channel_resume import resume_operations

        return await resume_operations(self, confirm)


def _check_amount(amount: Decimal, found: AssetOnChain) -> None:
    if amount <= 0:
        raise ChannelError("The amount must be more than 0.")
    try:
        check_precision(amount, found.decimals, what=f"the amount of {found.symbol}")
    except ProtocolError as exc:
        raise ChannelError(
            f"{str(exc)[:1].upper()}{str(exc)[1:]} (its token on chain {found.chain_id})."
        ) from None


def _credited(channel: HomeChannel | None, kind: str, version: int) -> bool:
    if kind == "close":  # the node stops listing a home channel once it is closed
        return channel is None or channel.status == "closed"
    if channel is None:
        return False
    return channel.status == "open" and channel.state_version >= version


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None and len(str(value)) <= 100 else None
    except ArithmeticError:
        return None


def state_of(op: ChannelOperationRecord) -> Mapping[str, Any]:
    state: Mapping[str, Any] = json.loads(op.state_json)
    return state

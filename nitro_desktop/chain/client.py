"""One chain's RPC, as the wallet uses it: checks, views, transaction plans, sends and their status.

Every RPC call runs in the loop's executor (web3's HTTP calls block), so the Qt thread under
qasync never waits on the network. Sends from one account are serialized by an asyncio lock
held from reading the pending nonce to the RPC accepting the transaction, so two sends never
take the same nonce; the nonce always comes from the RPC's pending count (a local counter would
leave a gap after a dropped transaction).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError

from nitro_desktop.chain import hub as hub_calls
from nitro_desktop.chain.errors import (
    ChainError,
    InsufficientFunds,
    RpcBadAnswer,
    RpcUnreachable,
    SendUncertain,
    TransactionReverted,
    WrongChain,
)
from nitro_desktop.chain.hub_abi import decode_returns, decode_revert
from nitro_desktop.chain.records import Chain, checksum_address, shown_url
from nitro_desktop.chain.transport import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, BoundedHTTPProvider
from nitro_desktop.chain.tx import SentTx, TxPlan, TxSigner, TxStatus, eth_text
from nitro_desktop.chain.watch import watch_transaction
from nitro_desktop.protocol.crypto import keccak256

T = TypeVar("T")
#: Gas estimates are exact for the state they ran on; a margin covers the state moving a little.
GAS_MARGIN_PERCENT = 20
#: When the RPC cannot suggest a tip (eth_maxPriorityFeePerGas is not universal).
FALLBACK_PRIORITY_FEE = 10**9


def revert_data(exc: ContractLogicError) -> bytes:
    """The revert bytes web3 found in an RPC error, or b"" (never the error's text)."""
    data = exc.data
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:4098])
        except ValueError:
            return b""
    return b""


def _is_insufficient_funds(exc: Exception) -> bool:
    return "insufficient funds" in str(exc)[:500].lower()


class ChainClient:
    """The wallet's handle on one ``Chain``; cheap to make, holds no connection between calls."""

    def __init__(
        self,
        chain: Chain,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        poll_interval: float = 2.0,
    ) -> None:
        self.chain = chain
        self._shown = shown_url(chain.rpc_url)
        self.poll_interval = poll_interval
        self._w3 = Web3(BoundedHTTPProvider(chain.rpc_url, timeout=timeout, max_bytes=max_bytes))
        # No ENS lookups, no implicit chain-id or gas filling: every field we send is ours.
        self._w3.middleware_onion.clear()
        self._locks: dict[str, asyncio.Lock] = {}

    def __repr__(self) -> str:
        return f"ChainClient({self.chain.name!r}, chain_id={self.chain.chain_id})"

    @property
    def w3(self) -> Web3:
        """The web3 instance (blocking: call its methods through ``run``)."""
        return self._w3

    async def raw(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking web3 call in the executor; its exceptions pass through unchanged."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(fn, *args))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Like ``raw``, but any failure that is not already a ``ChainError`` becomes one."""
        try:
            return await self.raw(fn, *args)
        except ChainError:
            raise
        except Exception as exc:  # a malformed answer can surface as almost any web3/eth-utils error
            raise RpcBadAnswer(
                f"The RPC at {self._shown} gave an answer that could not be used.",
                detail=type(exc).__name__,
            ) from None

    # ---- checks and views ---------------------------------------------------------------

    async def check_chain(self) -> None:
        """WrongChain unless the RPC serves the record's chain id (asked every time: RPCs change)."""
        actual = await self.run(lambda: int(self._w3.eth.chain_id))
        if actual != self.chain.chain_id:
            raise WrongChain(self._shown, actual, self.chain.chain_id)

    async def balance(self, address: str) -> int:
        who = checksum_address(address, "account")
        return await self.run(lambda: int(self._w3.eth.get_balance(who, "latest")))  # type: ignore[arg-type]

    async def call_view(self, name: str, *args: Any) -> tuple[Any, ...]:
        data = hub_calls.view_call(name, *args)
        call = {"to": self.chain.channel_hub, "data": data}
        answer = await self.run(lambda: bytes(self._w3.eth.call(call, "latest")))  # type: ignore[arg-type]
        try:
            return decode_returns(name, answer)
        except Exception:  # an RPC can answer anything; eth_abi raises several kinds
            raise RpcBadAnswer(
                f"The ChannelHub at {self.chain.channel_hub} did not answer {name} as a ChannelHub does."
            ) from None

    async def check_hub(self) -> int:
        """The hub's VERSION (1 for v1) after checking the chain; a ChainError if it is not a hub."""
        await self.check_chain()
        code = await self.run(lambda: bytes(self._w3.eth.get_code(self.chain.channel_hub)))  # type: ignore[arg-type]
        if not code:
            raise ChainError(f"There is no contract at {self.chain.channel_hub} on {self.chain.name}.")
        (version,) = await self.call_view("VERSION")
        return int(version)

    async def channel_data(self, channel_id: str) -> hub_calls.ChannelData:
        data = hub_calls.view_call("getChannelData", hub_calls.channel_id_bytes(channel_id))
        call = {"to": self.chain.channel_hub, "data": data}
        answer = await self.run(lambda: bytes(self._w3.eth.call(call, "latest")))  # type: ignore[arg-type]
        return hub_calls.decode_channel_data(answer)

    # ---- transactions ------------------------------------------------------------------

    async def plan(self, call: hub_calls.HubCall, sender: str) -> TxPlan:
        """Check the chain, estimate gas and fees, and check the sender can pay: what the user confirms."""
        sender = checksum_address(sender, "sending account")
        await self.check_chain()
        balance = await self.balance(sender)
        if balance < call.value:
            raise InsufficientFunds(
                f"{sender} holds {eth_text(balance)} on {self.chain.name}; this needs"
                f" {eth_text(call.value)} plus the network fee."
            )
        tx = {"from": sender, "to": self.chain.channel_hub, "value": call.value, "data": call.data}
        estimate = await self._estimate(tx, call)
        limit = estimate + estimate * GAS_MARGIN_PERCENT // 100
        block = await self.run(lambda: self._w3.eth.get_block("latest"))
        base_fee = int(block.get("baseFeePerGas") or 0)
        limit = min(limit, int(block.get("gasLimit") or limit))
        try:
            tip = int(await self.raw(lambda: self._w3.eth.max_priority_fee))
        except ChainError:
            raise
        except Exception:  # eth_maxPriorityFeePerGas is not on every RPC
            tip = FALLBACK_PRIORITY_FEE
        plan = TxPlan(
            description=call.description,
            chain_name=self.chain.name,
            chain_id=self.chain.chain_id,
            sender=sender,
            to=self.chain.channel_hub,
            value=call.value,
            data=call.data,
            gas_estimate=estimate,
            gas_limit=limit,
            # Twice the base fee keeps the transaction valid through six full blocks in a row.
            max_fee_per_gas=2 * base_fee + tip,
            max_priority_fee_per_gas=tip,
        )
        if balance < plan.max_total:
            raise InsufficientFunds(
                f"Not enough ETH for gas: {sender} holds {eth_text(balance)} on {self.chain.name};"
                f" this needs up to {eth_text(plan.max_total)}"
                f" ({eth_text(plan.value)} value + at most {eth_text(plan.max_fee)} network fee)."
            )
        return plan

    async def _estimate(self, tx: dict[str, Any], call: hub_calls.HubCall) -> int:
        try:
            return int(await self.raw(self._w3.eth.estimate_gas, tx))
        except ChainError:
            raise
        except ContractLogicError as exc:
            name, sentence = decode_revert(revert_data(exc))
            raise TransactionReverted(
                f"The ChannelHub would refuse this ({call.function}): {sentence}. Nothing was sent.",
                reason=name,
            ) from None
        except Web3RPCError as exc:
            if _is_insufficient_funds(exc):
                raise InsufficientFunds(
                    f"Not enough ETH for gas: {tx['from']} cannot pay for this on {self.chain.name}."
                ) from None
            raise RpcBadAnswer(
                f"The RPC at {self._shown} could not estimate the gas for {call.function}.",
                detail=type(exc).__name__,
            ) from None
        except Exception as exc:
            raise RpcBadAnswer(
                f"The RPC at {self._shown} gave an answer that could not be used.",
                detail=type(exc).__name__,
            ) from None

    async def send(
        self, plan: TxPlan, signer: TxSigner, *, on_signed: Callable[[SentTx], None] | None = None
    ) -> SentTx:
        """Sign ``plan`` in this process and hand it to the RPC; returns once the RPC accepted it.

        ``on_signed`` runs with the transaction's hash after signing and before anything leaves:
        a caller that records it there can follow the transaction even if the process dies while
        the RPC takes it (an exception from it sends nothing).
        """
        if plan.chain_id != self.chain.chain_id or plan.to != self.chain.channel_hub:
            raise ChainError("This transaction was planned for another chain or contract; plan it again.")
        if signer.address.lower() != plan.sender.lower():
            raise ChainError(f"The key at hand is for {signer.address}, not for the sender {plan.sender}.")
        lock = self._locks.setdefault(plan.sender, asyncio.Lock())
        async with lock:
            await self.check_chain()
            nonce = await self.run(
                lambda: int(self._w3.eth.get_transaction_count(plan.sender, "pending"))  # type: ignore[arg-type]
            )
            fields: dict[str, Any] = {
                "type": 2,
                "chainId": plan.chain_id,
                "nonce": nonce,
                "to": plan.to,
                "value": plan.value,
                "data": plan.data,
                "gas": plan.gas_limit,
                "maxFeePerGas": plan.max_fee_per_gas,
                "maxPriorityFeePerGas": plan.max_priority_fee_per_gas,
            }
            raw = await self.raw(signer.sign_transaction, fields)
            tx_hash = "0x" + keccak256(raw).hex()
            sent = SentTx(plan, tx_hash, nonce)
            if on_signed is not None:
                on_signed(sent)
            try:
                await self.raw(self._w3.eth.send_raw_transaction, raw)
            except (RpcUnreachable, RpcBadAnswer) as lost:
                raise SendUncertain(
                    f"{lost.message} It may have received the transaction before that: watch it"
                    " before sending again.",
                    sent=sent,
                ) from None
            except ChainError:
                raise
            except Exception as exc:
                if _is_insufficient_funds(exc):
                    raise InsufficientFunds(
                        f"Not enough ETH for gas: {plan.sender} cannot pay up to"
                        f" {eth_text(plan.max_total)} on {self.chain.name}. Nothing was sent."
                    ) from None
                raise ChainError(
                    f"The RPC at {self._shown} did not accept the transaction. Nothing was sent.",
                    detail=type(exc).__name__,
                ) from None
        return sent

    def watch(self, sent: SentTx, *, confirmations: int = 1) -> AsyncIterator[TxStatus]:
        """Each change of ``sent``'s status until a final one (confirmed, reverted, dropped, reorged)."""
        return watch_transaction(self, sent, confirmations=max(1, confirmations))

    async def wait(
        self,
        sent: SentTx,
        *,
        confirmations: int = 1,
        on_status: Callable[[TxStatus], None] | None = None,
    ) -> TxStatus:
        """The final status; ``on_status`` sees each one on the way."""
        status: TxStatus | None = None
        async for status in self.watch(sent, confirmations=confirmations):
            if on_status is not None:
                on_status(status)
        assert status is not None and status.final
        return status

    async def revert_reason(self, sent: SentTx, block: int) -> tuple[str, str]:
        """Why a mined transaction reverted: the same call replayed on the state before its block."""
        plan = sent.plan
        call = {
            "from": plan.sender,
            "to": plan.to,
            "value": plan.value,
            "data": plan.data,
            "gas": plan.gas_limit,
        }
        try:
            await self.raw(self._w3.eth.call, call, max(0, block - 1))
        except ChainError:
            raise
        except ContractLogicError as exc:
            return decode_revert(revert_data(exc))
        except Exception:  # the replay itself failed: the reason stays unknown
            return "unknown", "the contract refused it; the reason could not be read back"
        return "unknown", "the contract refused it (it may have run out of gas)"

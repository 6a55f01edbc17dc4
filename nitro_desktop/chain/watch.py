"""Following a sent transaction until it is confirmed, reverted, dropped or reorged out.

Each round asks the RPC for the receipt and, when there is one, whether its block is still the
chain's block at that height (a receipt can outlive a reorg on some RPCs). A transaction that
disappears from both the chain and the pool is dropped if it was never seen mined, reorged out
if it was; one that falls back into the pool after a reorg is pending again. Only changes are
reported, and nothing is reported as done that the chain does not show.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from web3.exceptions import TransactionNotFound

from nitro_desktop.chain.errors import RpcBadAnswer, RpcUnreachable
from nitro_desktop.chain.tx import SentTx, TxState, TxStatus

if TYPE_CHECKING:
    from nitro_desktop.chain.client import ChainClient

#: Rounds a transaction must be missing from chain and pool before it counts as dropped:
#: an RPC behind a load balancer may not know a transaction its sibling just accepted.
MISSING_ROUNDS = 2
#: The longest pause between rounds while the RPC cannot be reached.
MAX_RETRY_DELAY = 30.0


async def _receipt(client: ChainClient, tx_hash: str) -> Any:
    def fetch() -> Any:
        try:
            return client.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None

    return await client.run(fetch)


async def _in_pool(client: ChainClient, tx_hash: str) -> bool:
    def fetch() -> bool:
        try:
            found = client.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return False
        return found is not None and found.get("blockNumber") is None

    return await client.run(fetch)


async def _canonical_hash(client: ChainClient, number: int) -> bytes | None:
    def fetch() -> bytes | None:
        try:
            block = client.w3.eth.get_block(number)
        except Exception:  # BlockNotFound after a deep reorg: the height is gone
            return None
        return bytes(block["hash"]) if block.get("hash") is not None else None

    return await client.run(fetch)


class _Watch:
    """What one transaction's watcher has learnt so far."""

    def __init__(self, client: ChainClient, sent: SentTx, confirmations: int) -> None:
        self.client, self.sent, self.confirmations = client, sent, confirmations
        self.chain = client.chain.name
        self.seen_mined = False
        self.missing = 0

    async def round(self) -> TxStatus | None:
        """This round's status, or None while a missing transaction may still reappear."""
        client, tx_hash, chain = self.client, self.sent.tx_hash, self.chain
        receipt = await _receipt(client, tx_hash)
        if receipt is not None and receipt.get("blockNumber") is not None:
            number, block_hash = int(receipt["blockNumber"]), bytes(receipt["blockHash"])
            if await _canonical_hash(client, number) != block_hash:
                receipt = None  # a stale receipt from a block that left the chain
        if receipt is not None and receipt.get("blockNumber") is not None:
            return await self._mined(receipt)
        if await _in_pool(client, tx_hash):
            self.missing = 0
            if self.seen_mined:
                message = f"Its block left {chain} in a reorganisation; it waits to be mined again."
            else:
                message = f"Sent to {chain}; waiting to be mined."
            return TxStatus(TxState.PENDING, tx_hash, message)
        self.missing += 1
        if self.missing < MISSING_ROUNDS:
            return None
        if self.seen_mined:
            return TxStatus(
                TxState.REORGED,
                tx_hash,
                f"The block holding the transaction left {chain} in a reorganisation, and the"
                " transaction with it: it has not happened. Check the balances and send it again.",
            )
        return TxStatus(
            TxState.DROPPED,
            tx_hash,
            f"The transaction was dropped by the RPC of {chain} without being mined: nothing"
            " happened on chain and no fee was paid.",
        )

    async def _mined(self, receipt: Any) -> TxStatus:
        client, tx_hash, chain = self.client, self.sent.tx_hash, self.chain
        self.missing = 0
        self.seen_mined = True
        number = int(receipt["blockNumber"])
        head = await client.run(lambda: int(client.w3.eth.block_number))
        depth = max(0, head - number + 1)
        if int(receipt.get("status", 0)) == 0:
            name, sentence = await client.revert_reason(self.sent, number)
            return TxStatus(
                TxState.REVERTED,
                tx_hash,
                f"The transaction failed in block {number} on {chain}: {sentence}. It still cost"
                " its gas; nothing else changed.",
                block=number,
                confirmations=depth,
                reason=name,
            )
        logs = tuple(receipt.get("logs") or ())
        if depth >= self.confirmations:
            return TxStatus(
                TxState.CONFIRMED,
                tx_hash,
                f"Confirmed in block {number} on {chain} ({depth} confirmation{'s' * (depth != 1)}).",
                block=number,
                confirmations=depth,
                logs=logs,
            )
        return TxStatus(
            TxState.MINED,
            tx_hash,
            f"Mined in block {number} on {chain}: {depth} of {self.confirmations} confirmations.",
            block=number,
            confirmations=depth,
            logs=logs,
        )


async def watch_transaction(
    client: ChainClient, sent: SentTx, *, confirmations: int
) -> AsyncIterator[TxStatus]:
    watch = _Watch(client, sent, confirmations)
    last: tuple[TxState, int] | None = None
    outages = 0
    while True:
        try:
            status = await watch.round()
            outages = 0
        except (RpcUnreachable, RpcBadAnswer) as lost:
            # The transaction is out of our hands: its fate is unknown, not failed. Keep asking.
            outages += 1
            status = TxStatus(
                TxState.UNKNOWN,
                sent.tx_hash,
                f"{lost.message} The transaction's status is unknown until it answers again; retrying.",
            )
        if status is not None and (status.state, status.confirmations) != last:
            last = (status.state, status.confirmations)
            yield status
            if status.final:
                return
        await asyncio.sleep(min(MAX_RETRY_DELAY, client.poll_interval * 2 ** min(outages, 5)))

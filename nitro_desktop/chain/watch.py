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

from nitro_desktop.chain.tx import SentTx, TxState, TxStatus

if TYPE_CHECKING:
    from nitro_desktop.chain.client import ChainClient

#: Rounds a transaction must be missing from chain and pool before it counts as dropped:
#: an RPC behind a load balancer may not know a transaction its sibling just accepted.
MISSING_ROUNDS = 2


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


async def watch_transaction(
    client: ChainClient, sent: SentTx, *, confirmations: int
) -> AsyncIterator[TxStatus]:
    tx_hash, chain = sent.tx_hash, client.chain.name
    seen_mined = False
    missing = 0
    last: tuple[TxState, int] | None = None

    def changed(status: TxStatus) -> bool:
        nonlocal last
        key = (status.state, status.confirmations)
        if key == last:
            return False
        last = key
        return True

    while True:
        receipt = await _receipt(client, tx_hash)
        if receipt is not None and receipt.get("blockNumber") is not None:
            number, block_hash = int(receipt["blockNumber"]), bytes(receipt["blockHash"])
            if await _canonical_hash(client, number) != block_hash:
                receipt = None  # a stale receipt from a block that left the chain
        if receipt is not None and receipt.get("blockNumber") is not None:
            missing = 0
            seen_mined = True
            number = int(receipt["blockNumber"])
            head = await client.run(lambda: int(client.w3.eth.block_number))
            depth = max(0, head - number + 1)
            if int(receipt.get("status", 0)) == 0:
                name, sentence = await client.revert_reason(sent, number)
                yield TxStatus(
                    TxState.REVERTED,
                    tx_hash,
                    f"The transaction failed in block {number} on {chain}: {sentence}. It still cost"
                    " its gas; nothing else changed.",
                    block=number,
                    confirmations=depth,
                    reason=name,
                )
                return
            logs = tuple(receipt.get("logs") or ())
            if depth >= confirmations:
                yield TxStatus(
                    TxState.CONFIRMED,
                    tx_hash,
                    f"Confirmed in block {number} on {chain} ({depth} confirmation{'s' * (depth != 1)}).",
                    block=number,
                    confirmations=depth,
                    logs=logs,
                )
                return
            status = TxStatus(
                TxState.MINED,
                tx_hash,
                f"Mined in block {number} on {chain}: {depth} of {confirmations} confirmations.",
                block=number,
                confirmations=depth,
                logs=logs,
            )
        elif await _in_pool(client, tx_hash):
            missing = 0
            if seen_mined:
                message = f"Its block left {chain} in a reorganisation; it waits to be mined again."
            else:
                message = f"Sent to {chain}; waiting to be mined."
            status = TxStatus(TxState.PENDING, tx_hash, message)
        else:
            missing += 1
            if missing >= MISSING_ROUNDS:
                if seen_mined:
                    yield TxStatus(
                        TxState.REORGED,
                        tx_hash,
                        f"The block holding the transaction left {chain} in a reorganisation, and the"
                        " transaction with it: it has not happened. Check the balances and send it again.",
                    )
                else:
                    yield TxStatus(
                        TxState.DROPPED,
                        tx_hash,
                        f"The transaction was dropped by the RPC of {chain} without being mined: nothing"
                        " happened on chain and no fee was paid.",
                    )
                return
            await asyncio.sleep(client.poll_interval)
            continue
        if changed(status):
            yield status
        await asyncio.sleep(client.poll_interval)

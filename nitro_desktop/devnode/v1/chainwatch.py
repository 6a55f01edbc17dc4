"""The sandbox's chain watcher: ChannelHub logs over JSON-RPC, applied to the v1 ledger.

nitronode's listener (``pkg/blockchain/evm/listener.go``) walks ``eth_getLogs`` over block
ranges of ``block_step`` from the last processed block and hands each log to the reactor.
This does the same by polling plain HTTP JSON-RPC (``httppost``: standard library, on the
event loop; devnode imports nothing of the wallet's chain code). Every peer is hostile: one
response is at most ``MAX_RESPONSE_BYTES``, one range at most ``MAX_LOGS`` logs (over it the
range is halved, down to one block), hex quantities at most 64 digits; only the cursor is kept.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nitro_desktop.devnode.v1 import httppost
from nitro_desktop.devnode.v1.events import ChannelEvent, EventError, decode_log
from nitro_desktop.protocol.crypto import keccak256
from nitro_desktop.protocol.nesting import nesting_within

log = logging.getLogger(__name__)
MAX_RESPONSE_BYTES = 4 << 20
MAX_LOGS = 2000
MAX_LOG_DATA = 16 << 10
MAX_DEPTH = 16  # a log list is 4 deep; json.loads must never see hostile nesting (see nesting.py)
DEFAULT_BLOCK_STEP = 1000
DEFAULT_POLL_INTERVAL = 0.5
RPC_TIMEOUT = 5.0
NODE_CALL = "0x" + keccak256(b"NODE()")[:4].hex()  # the hub's immutable node address


class RpcError(Exception):
    """The RPC could not be reached, or answered something unusable (the text says which)."""


@dataclass(frozen=True, slots=True)
class ChainConfig:
    """The chain a v1 sandbox watches, as nitronode's ``blockchains.yaml`` entry and RPC URL."""

    rpc_url: str
    hub_address: str
    chain_id: int
    name: str = "anvil"
    block_step: int = DEFAULT_BLOCK_STEP
    poll_interval: float = DEFAULT_POLL_INTERVAL
    start_block: int = 0

    def __post_init__(self) -> None:
        if not self.rpc_url.startswith(("http://", "https://")):
            raise ValueError(f"the RPC URL must start with http:// or https:// (got {self.rpc_url!r})")
        hub = self.hub_address
        if (
            len(hub) != 42
            or not hub.startswith("0x")
            or any(c not in "0123456789abcdefABCDEF" for c in hub[2:])
        ):
            raise ValueError(f"the ChannelHub address must be 0x and 40 hex digits (got {hub!r})")
        if not 0 < self.chain_id < 1 << 64:
            raise ValueError(f"the chain id must be a positive 64-bit number (got {self.chain_id})")
        if not 1 <= self.block_step <= 1_000_000:
            raise ValueError("block_step must be 1 to 1000000 blocks")
        if not 0 < self.poll_interval <= 3600:
            raise ValueError("poll_interval must be more than 0 and at most 3600 seconds")


def _quantity(value: Any) -> int:
    if not isinstance(value, str) or not value.startswith("0x") or not 2 < len(value) <= 66:
        raise RpcError(f"not a hex quantity: {str(value)[:80]!r}")
    try:
        return int(value, 16)
    except ValueError:
        raise RpcError(f"not a hex quantity: {value[:80]!r}") from None


class JsonRpc:
    """One JSON-RPC endpoint; each call one bounded HTTP POST on the event loop."""

    def __init__(self, url: str, timeout: float = RPC_TIMEOUT, max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None  # the watcher's, set when it starts
        self.url = url
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._ids = 0

    async def call(self, method: str, params: list[Any]) -> Any:
        self._ids += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._ids, "method": method, "params": params}).encode()
        try:
            loop = self.loop or asyncio.get_running_loop()
            raw = await httppost.post(loop, self.url, body, timeout=self.timeout, max_bytes=self.max_bytes)
        except httppost.HttpError as exc:
            raise RpcError(str(exc)) from None
        try:
            text = raw.decode()
            if not nesting_within(text, MAX_DEPTH):
                raise ValueError("nested too deeply")
            reply = json.loads(text)
        except (ValueError, RecursionError):
            raise RpcError(f"{method}: the answer is not JSON") from None
        if not isinstance(reply, dict):
            raise RpcError(f"{method}: the answer is not a JSON-RPC object")
        if reply.get("error") is not None:
            error = reply["error"]
            message = error.get("message") if isinstance(error, dict) else error
            raise RpcError(f"{method}: {str(message)[:200]}")
        return reply.get("result")


Apply = Callable[[list[ChannelEvent], int], None]


class ChainWatcher:
    """Polls the hub's logs and hands each range's events, in order, to ``apply`` with the next block."""

    def __init__(self, config: ChainConfig, apply: Apply, start_block: int, node_address: str) -> None:
        self.config = config
        self.node_address = node_address.lower()
        self.rpc = JsonRpc(config.rpc_url)
        self.apply = apply
        self.next_block = start_block
        self.step = config.block_step
        self.last_error: str | None = None
        self.chain_checked = False
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._polls_started = 0
        self._polls_done = 0  # the number of the last poll that read up to the head it saw
        self._progress = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._loop = self.rpc.loop = asyncio.get_running_loop()
            self._task = self._loop.create_task(self._run(), name="v1-chain-watcher")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # it is being stopped: say why it had ended, and stop
                log.exception("chain watcher had stopped")

    async def caught_up(self) -> None:
        """Wait until a poll that began after this call has read every block up to the chain's head."""
        wanted = self._polls_started + 1
        while self._polls_done < wanted:
            self._progress.clear()
            await self._progress.wait()

    async def _run(self) -> None:
        while True:
            try:
                await self.poll()
                self.last_error = None
            except RpcError as exc:
                if exc.args[0] != self.last_error:
                    log.warning("chain watcher: %s", exc)
                self.last_error = str(exc.args[0])
            except Exception as exc:  # a bug must not end the watching: log it, try again later
                if str(exc) != self.last_error:
                    log.exception("chain watcher: the poll failed")
                self.last_error = str(exc)
            await self._pause()

    async def _pause(self) -> None:
        """``asyncio.sleep`` on the watcher's own loop (see ``httppost.post`` for why not the helper)."""
        assert self._loop is not None
        wake = self._loop.create_future()

        def ring() -> None:
            if not wake.done():
                wake.set_result(None)

        timer = self._loop.call_later(self.config.poll_interval, ring)
        try:
            await wake
        finally:
            timer.cancel()

    async def poll(self) -> None:
        self._polls_started += 1
        number = self._polls_started
        if not self.chain_checked:
            chain_id = _quantity(await self.rpc.call("eth_chainId", []))
            if chain_id != self.config.chain_id:
                raise RpcError(f"the RPC serves chain {chain_id}, not the configured {self.config.chain_id}")
            await self._check_hub_node()
            self.chain_checked = True
        head = _quantity(await self.rpc.call("eth_blockNumber", []))
        if head + 1 < self.next_block:
            # The chain went back (a reorg, anvil's evm_revert): read the new blocks at those heights.
            # What was applied from the old ones stays, as in nitronode without its reconciler.
            log.warning("chain watcher: the head went back to %d; reading again from there", head)
            self.next_block = head + 1
        while self.next_block <= head:
            end = min(head, self.next_block + self.step - 1)
            try:
                events = await self._logs(self.next_block, end)
            except _TooMany:
                if self.step == 1:
                    log.error(
                        "chain watcher: block %d has over %d hub logs; skipped", self.next_block, MAX_LOGS
                    )
                    self.apply([], self.next_block + 1)
                    self.next_block += 1
                    continue
                self.step = max(1, self.step // 2)
                continue
            self.apply(events, end + 1)
            self.next_block = end + 1
            self.step = self.config.block_step
        self._polls_done = number
        self._progress.set()

    async def _check_hub_node(self) -> None:
        """createChannel wants ``def.node == NODE``: a hub made for another node never opens ours."""
        word = await self.rpc.call("eth_call", [{"to": self.config.hub_address, "data": NODE_CALL}, "latest"])
        if not isinstance(word, str) or len(word) != 66:
            raise RpcError(f"no ChannelHub answers at {self.config.hub_address}")
        hub_node = "0x" + word[-40:].lower()
        if hub_node != self.node_address:
            raise RpcError(f"the ChannelHub's node is {hub_node}, not this sandbox's {self.node_address}")

    async def _logs(self, start: int, end: int) -> list[ChannelEvent]:
        params = [{"address": self.config.hub_address, "fromBlock": hex(start), "toBlock": hex(end)}]
        result = await self.rpc.call("eth_getLogs", params)
        if not isinstance(result, list):
            raise RpcError("eth_getLogs: the answer is not a list")
        if len(result) > MAX_LOGS:
            raise _TooMany
        entries = []
        for entry in result:
            if not isinstance(entry, dict) or entry.get("removed") is True:
                continue
            if str(entry.get("address", "")).lower() != self.config.hub_address.lower():
                continue
            try:
                block, index = _quantity(entry.get("blockNumber")), _quantity(entry.get("logIndex"))
                event = decode_log(entry, MAX_LOG_DATA)
            except (RpcError, EventError) as exc:
                log.warning("chain watcher: unreadable hub log skipped: %s", exc)
                continue
            if event is not None and start <= block <= end:
                entries.append((block, index, event))
        entries.sort(key=lambda e: (e[0], e[1]))
        return [e for _, _, e in entries]


class _TooMany(Exception):
    """More logs in one range than the watcher reads at once."""

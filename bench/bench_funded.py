"""From "Create" to a funded v1 session on anvil, beside the sum of its round trips.

    .venv/bin/python bench/bench_funded.py [RUNS]

Each run is a new user with ETH on anvil (upstream's ChannelHub, replayed as the tests do) and a
v1 sandbox node in this process watching it. The clock starts at "Create" and stops when the
session holds the user's deposit: the home channel opened on-chain with a deposit
(request_creation, createChannel, mined, credited by the node), the session created, the
deposit committed into it (submit_deposit_state). Every websocket request/answer and every
JSON-RPC POST is timed on its own; their sum is the floor no client can beat without fewer
round trips. The ratio total / floor is the time spent elsewhere (signing, polling intervals,
the node's chain watcher). Medians over RUNS (default 3).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nitro_desktop.chain import transport  # noqa: E402
from nitro_desktop.client import ClearNodeClient, connection  # noqa: E402
from nitro_desktop.devnode import V1SandboxNode  # noqa: E402
from nitro_desktop.devnode.config import AssetConfig  # noqa: E402
from nitro_desktop.protocol import AppDefinition, Dialect, RawKeySigner  # noqa: E402
from nitro_desktop.store import ChainRecord, Store  # noqa: E402
from nitro_desktop.wallet.home_channels import HomeChannels  # noqa: E402
from nitro_desktop.wallet.hub_chain import ChainHubPort  # noqa: E402
from tests.chainkit import NODE_KEY, Anvil, address_of, anvil_binary, deploy_channel_hub, rpc  # noqa: E402
from tests.live.test_live_v1_funded import KeySigner  # noqa: E402

NATIVE = "0x" + "00" * 20
CHAIN_ID = 31337


class RoundTrips:
    """Wall time of each websocket request and each JSON-RPC POST, summed."""

    def __init__(self) -> None:
        self.ws = self.rpc = 0.0
        self.ws_count = self.rpc_count = 0

    def install(self) -> None:
        request, post = connection.Connection.request, transport.BoundedHTTPProvider._post
        trips = self

        async def timed_request(conn: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await request(conn, *args, **kwargs)
            finally:
                trips.ws += time.perf_counter() - start
                trips.ws_count += 1

        def timed_post(provider: Any, body: bytes) -> bytes:
            start = time.perf_counter()
            try:
                return post(provider, body)
            finally:
                trips.rpc += time.perf_counter() - start
                trips.rpc_count += 1

        connection.Connection.request = timed_request  # type: ignore[method-assign]
        transport.BoundedHTTPProvider._post = timed_post  # type: ignore[method-assign]

    def reset(self) -> None:
        self.ws = self.rpc = 0.0
        self.ws_count = self.rpc_count = 0


async def one_run(url: str, hub: str, trips: RoundTrips, folder: Path) -> tuple[float, float, int, int]:
    node = V1SandboxNode(
        port=0,
        db_path=folder / "node.db",
        assets=[AssetConfig("eth", 18, NATIVE, CHAIN_ID)],
        broker_key=NODE_KEY,
        rpc_url=url,
        hub_address=hub,
        chain_id=CHAIN_ID,
        poll_interval=0.05,
    )
    await node.start()
    key = "0x" + os.urandom(32).hex()
    user = KeySigner(key)
    rpc(url, "anvil_setBalance", [user.address, hex(10 * 10**18)])
    store = Store.open(folder / "data")
    store.chains.save(ChainRecord(CHAIN_ID, "anvil", url))

    async def yes(plan: Any) -> bool:
        return True

    try:
        async with ClearNodeClient(node.url, Dialect.V1, timeout=15.0) as client:
            channels = HomeChannels(
                store, client, user, lambda r, s: ChainHubPort(r, s, poll_interval=0.05), endpoint="bench"
            )
            await client.v1.node_config()  # what the app knows once connected
            trips.reset()
            start = time.perf_counter()  # "Create"
            await channels.open("eth", Decimal("0.5"), yes)
            definition = AppDefinition(
                protocol="",
                participants=(user.address, RawKeySigner.generate().address),
                weights=(100, 0),
                quorum=100,
                challenge=0,
                nonce=time.time_ns(),
                application="bench",
            )
            session = await client.create_app_session(definition, [], [user])
            funded = await client.deposit(session.app_session_id, "eth", Decimal("0.2"), user, [user])
            total = time.perf_counter() - start
            assert funded.version == 2
            return total, trips.ws + trips.rpc, trips.ws_count, trips.rpc_count
    finally:
        await node.stop()
        store.close()


def main(runs: int) -> None:
    binary = anvil_binary()
    if binary is None:
        sys.exit("anvil is not installed: run `python3 tools/dev.py test` once (it installs .tools/anvil)")
    anvil = Anvil(binary)
    trips = RoundTrips()
    try:
        hub = deploy_channel_hub(anvil.url, address_of(NODE_KEY)).hub
        trips.install()
        results = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as folder:
                results.append(asyncio.run(one_run(anvil.url, hub, trips, Path(folder))))
    finally:
        anvil.stop()
    totals = [r[0] for r in results]
    floors = [r[1] for r in results]
    ratios = [t / f for t, f, *_ in results]
    print(f"'Create' to a funded v1 session on anvil: {runs} runs, medians (wall time)")
    print(f"  total                        {statistics.median(totals) * 1000:8.1f} ms")
    print(
        f"  sum of round trips           {statistics.median(floors) * 1000:8.1f} ms "
        f"({results[0][2]} websocket requests, {results[0][3]} JSON-RPC calls in run 1)"
    )
    print(
        f"  ratio total / round trips    {statistics.median(ratios):8.2f}x  (runs: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + ")"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

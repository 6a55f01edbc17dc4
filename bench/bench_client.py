"""create_app_session through ClearNodeClient vs a bare websockets loop, same node, same run.

The bare loop sends frames signed in advance (no client work at all: no id
bookkeeping, no broker-signature check, no typed parsing); the ratio is the
client's overhead. Run: .venv/bin/python bench/bench_client.py [--n 300] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from decimal import Decimal

from websockets.asyncio.client import connect

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.devnode import SandboxNode
from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    RawKeySigner,
    auth_typed_data,
    builders,
    spec,
    typed_data_digest,
)
from nitro_desktop.protocol.crypto import sign_digest

APP = "bench"
DIALECT = "0.2"


def definitions(a: RawKeySigner, b: RawKeySigner, n: int, base: int) -> list[AppDefinition]:
    return [
        AppDefinition("NitroRPC/0.2", (a.address, b.address), (100, 0), 100, 0, base + i) for i in range(n)
    ]


def allocations(a: RawKeySigner, b: RawKeySigner) -> list[Allocation]:
    return [Allocation(a.address, "usdc", Decimal("0.01")), Allocation(b.address, "usdc", Decimal(0))]


async def bare(
    url: str, a: RawKeySigner, b: RawKeySigner, defs: list[AppDefinition], concurrency: int
) -> float:
    """Authenticate with the client's help, then time raw pre-signed frames on a bare socket."""
    async with connect(url, proxy=None, ping_interval=None, max_size=None) as ws:
        impl = spec(DIALECT)
        auth = builders.auth_request(
            DIALECT,
            address=a.address,
            session_key=a.address,
            application=APP,
            expires_at=int(time.time()) + 3600,
        )
        await ws.send(impl.encode_frame(1, auth, int(time.time() * 1000), []))
        res = json.loads(await ws.recv())["res"]
        while res[1] != "auth_challenge":
            res = json.loads(await ws.recv())["res"]
        challenge = res[2][0]["challenge_message"]
        sig = sign_digest(a, typed_data_digest(auth_typed_data(DIALECT, auth.params, challenge)))
        verify = builders.auth_verify_challenge(DIALECT, challenge)
        req = json.dumps([2, "auth_verify", verify.params, int(time.time() * 1000)], separators=(",", ":"))
        await ws.send('{"req":' + req + ',"sig":["' + sig + '"]}')
        while json.loads(await ws.recv())["res"][1] != "auth_verify":
            pass
        now = int(time.time() * 1000)
        frames = [
            impl.encode_frame(100 + i, builders.create_app_session(DIALECT, d, allocations(a, b)), now, [a])
            for i, d in enumerate(defs)
        ]
        start = time.perf_counter()
        sent = 0
        done = 0
        while sent < min(concurrency, len(frames)):
            await ws.send(frames[sent])
            sent += 1
        while done < len(frames):
            res = json.loads(await ws.recv())["res"]
            if res[1] == "create_app_session":
                done += 1
                if sent < len(frames):
                    await ws.send(frames[sent])
                    sent += 1
            elif res[1] == "error":
                raise RuntimeError(res[2])
        return time.perf_counter() - start


async def through_client(
    url: str, a: RawKeySigner, b: RawKeySigner, defs: list[AppDefinition], concurrency: int
) -> float:
    async with ClearNodeClient(url, DIALECT, timeout=30) as client:
        await client.authenticate(a, app_name=APP)
        queue = list(defs)

        async def worker() -> None:
            while queue:
                await client.create_app_session(queue.pop(), allocations(a, b), [a])

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


async def main(n: int, concurrency: int) -> None:
    node = SandboxNode(dialect=DIALECT, rate_limit=None)
    await node.start()
    a, b = RawKeySigner.generate(), RawKeySigner.generate()
    node.fund(a.address, "usdc", 1_000_000)
    base = int(time.time() * 1000) * 1000
    print(f"create_app_session, dialect {DIALECT}, n={n}, sandbox node on 127.0.0.1")
    print(f"{'mode':<26}{'bare s':>9}{'client s':>10}{'bare/s':>9}{'client/s':>10}{'client÷bare':>13}")
    try:
        for label, conc in (("sequential", 1), (f"concurrent ({concurrency} in flight)", concurrency)):
            bare_s = await bare(node.url, a, b, definitions(a, b, n, base), conc)
            base += n
            client_s = await through_client(node.url, a, b, definitions(a, b, n, base), conc)
            base += n
            print(
                f"{label:<26}{bare_s:>9.3f}{client_s:>10.3f}{n / bare_s:>9.0f}{n / client_s:>10.0f}"
                f"{client_s / bare_s:>12.2f}x"
            )
    finally:
        await node.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.concurrency))

"""create_app_session through ClearNodeClient vs a bare websockets loop, same node, same run.

The bare loop sends frames built and signed in advance (no client work at all: no
id bookkeeping, no broker-signature check, no typed parsing); the client path builds,
encodes and signs every request when it is made, checks the broker's signature on
every frame and types every answer and notification. The ratio is the client's
overhead. Both paths get their inputs (definitions, allocations) before the clock
starts. Rounds are interleaved (bare, client, bare, client…); figures are medians
with [min–max] over the rounds.

``--loop qasync`` runs node, bare loop and client on the app's qasync loop (PySide6),
``--loop both`` alternates a plain asyncio round and a qasync round and also prints
qasync's time over plain asyncio's for the same work.

Run: .venv/bin/python bench/bench_client.py [--n 300] [--concurrency 16] [--rounds 5]
     [--loop asyncio|qasync|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

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
        queue = [(d, allocations(a, b)) for d in reversed(defs)]  # inputs, as the bare loop's are

        async def worker() -> None:
            while queue:
                definition, allocs = queue.pop()
                await client.create_app_session(definition, allocs, [a])

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


Timings = dict[tuple[str, str], list[float]]  # (mode, path) -> seconds per round


async def one_round(n: int, modes: list[tuple[str, int]], timings: Timings) -> None:
    """A fresh node; each mode once through the bare loop, then once through the client."""
    node = SandboxNode(dialect=DIALECT, rate_limit=None)
    await node.start()
    try:
        a, b = RawKeySigner.generate(), RawKeySigner.generate()
        node.fund(a.address, "usdc", 1_000_000)
        base = int(time.time() * 1000) * 1000
        for label, conc in modes:
            for path, run in (("bare", bare), ("client", through_client)):
                timings.setdefault((label, path), []).append(
                    await run(node.url, a, b, definitions(a, b, n, base), conc)
                )
                base += n
    finally:
        await node.stop()


def qasync_runner() -> Callable[[Coroutine[Any, Any, None]], None]:
    """Run a coroutine on a qasync loop over one QApplication, as the app does."""
    os.environ.setdefault("QT_API", "pyside6")  # qasync picks its binding from this
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench_client"])

    def run(coro: Coroutine[Any, Any, None]) -> None:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            runner.run(coro)

    return run


def spread(values: list[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} [{min(values):{fmt}}–{max(values):{fmt}}]"


def report(n: int, modes: list[tuple[str, int]], loop: str, timings: Timings) -> None:
    print(f"loop: {loop}")
    print(f"{'mode':<27}{'bare/s':>17}{'client/s':>17}{'client÷bare':>22}")
    for label, _ in modes:
        b, c = timings[(label, "bare")], timings[(label, "client")]
        ratios = [cs / bs for bs, cs in zip(b, c, strict=True)]
        rate_b = [n / s for s in b]
        rate_c = [n / s for s in c]
        rates = f"{spread(rate_b, '.0f'):>17}{spread(rate_c, '.0f'):>17}"
        print(f"{label:<27}{rates}{spread(ratios, '.2f'):>21}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--loop", choices=("asyncio", "qasync", "both"), default="asyncio")
    args = parser.parse_args()
    modes = [("sequential", 1), (f"concurrent ({args.concurrency} in flight)", args.concurrency)]
    loops = ["asyncio", "qasync"] if args.loop == "both" else [args.loop]
    runners: dict[str, Callable[[Coroutine[Any, Any, None]], None]] = {"asyncio": asyncio.run}
    if "qasync" in loops:
        runners["qasync"] = qasync_runner()
    results: dict[str, Timings] = {loop: {} for loop in loops}
    print(
        f"create_app_session, dialect {DIALECT}, n={args.n}, sandbox node on 127.0.0.1, "
        f"{args.rounds} interleaved rounds: median [min–max]"
    )
    for _ in range(args.rounds):
        for loop in loops:
            runners[loop](one_round(args.n, modes, results[loop]))
    for loop in loops:
        report(args.n, modes, loop, results[loop])
    if len(loops) == 2:
        print("qasync time ÷ plain asyncio time, same work, same rounds:")
        for label, _ in modes:
            for path in ("bare", "client"):
                ratios = [
                    q / p
                    for p, q in zip(
                        results["asyncio"][(label, path)], results["qasync"][(label, path)], strict=True
                    )
                ]
                print(f"  {label:<27}{path:<8}{spread(ratios, '.2f')}x")


if __name__ == "__main__":
    main()

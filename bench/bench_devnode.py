"""create_app_session round trips per second against the sandbox node, N concurrent clients.

    .venv/bin/python bench/bench_devnode.py [CLIENTS] [REQUESTS_PER_CLIENT] [DIALECT] [file]

``file`` runs the node on a database file (WAL, synchronous=FULL: a commit,
and so an fsync, before every answer) instead of in memory.

Frames are pre-signed, so the figure measures the node (parse, recover the
signatures, checks, one SQLite transaction, sign the response, notifications).
The baseline, measured in the same run, is a bare websockets echo server
answering the very same frames with a fixed reply: the ratio shows what the
node costs on top of the socket round trip. At the end the ledger is checked:
every balance summed equals what the faucet minted, and each session moved
exactly one unit.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.protocol import RawKeySigner, sign_request

PEER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def frames(dialect: str, wallet: RawKeySigner, count: int, base: int) -> list[str]:
    out = []
    ts = int(time.time() * 1000)
    for i in range(count):
        d = {
            "protocol": "NitroRPC/0.2",
            "participants": [wallet.address, PEER],
            "weights": [100, 0],
            "quorum": 100,
            "challenge": 0,
            "nonce": base + i + 1,
        }
        if dialect == "0.5":
            d = {"application": "bench", **d}
        obj = {
            "definition": d,
            "allocations": [{"participant": wallet.address, "asset": "usdc", "amount": "1"}],
        }
        out.append(
            sign_request(i + 1, "create_app_session", [obj] if dialect == "0.2" else obj, ts, [wallet])
        )
    return out


async def drive(url: str, batches: list[list[str]], login: dict[int, list[str]] | None = None) -> float:
    """Send each client's frames one at a time (request -> response); wall time of the whole run."""

    async def one(k: int, batch: list[str]) -> None:
        async with connect(url, max_size=None) as ws:
            for text in (login or {}).get(k, []):
                await ws.send(text)
            await asyncio.sleep(0)
            start_id = 1
            pending = {f"[{start_id + i}," for i in range(len(batch))}
            for text in batch:
                await ws.send(text)
                while True:
                    reply = str(await ws.recv())
                    head = reply[7 : 7 + reply[7:].index(",") + 1]
                    if head in pending:
                        pending.discard(head)
                        break

    started = time.perf_counter()
    await asyncio.gather(*(one(k, b) for k, b in enumerate(batches)))
    return time.perf_counter() - started


async def echo_baseline(batches: list[list[str]]) -> float:
    async def handler(ws: ServerConnection) -> None:
        async for message in ws:
            text = str(message)
            rid = text[8 : text.index(",", 8)]
            await ws.send('{"res":[' + rid + ',"create_app_session",[{"status":"open"}],1],"sig":["0x"]}')

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        return await drive(f"ws://127.0.0.1:{port}", batches)


async def main(clients: int, per_client: int, dialect: str, on_file: bool = False) -> None:
    wallets = [RawKeySigner.generate() for _ in range(clients)]
    batches = [frames(dialect, w, per_client, k * 1_000_000) for k, w in enumerate(wallets)]
    total = clients * per_client
    baseline = await echo_baseline(batches)
    tmp = tempfile.TemporaryDirectory() if on_file else None
    db_path = None if tmp is None else Path(tmp.name) / "bench.sqlite"
    async with SandboxNode(dialect=dialect, rate_limit=None, db_path=db_path) as node:
        for w in wallets:
            node.fund(w.address, "usdc", per_client)
        # authenticate each socket first: private methods need it (done outside the timing)
        from nitro_desktop.protocol import auth_typed_data, spec, typed_data_digest
        from nitro_desktop.protocol.crypto import sign_digest

        sp = spec(dialect)

        async def login_and_run() -> float:
            async def one(w: RawKeySigner, batch: list[str]) -> None:
                async with connect(node.url, max_size=None) as ws:
                    params = sp.auth_request_params(
                        address=w.address,
                        session_key=w.address,
                        application="bench",
                        allowances=[],
                        expires_at=int(time.time()) + 3600,
                        scope="console",
                        app_address="0x1111111111111111111111111111111111111111",
                    )
                    await ws.send(sign_request(900_001, "auth_request", params, int(time.time() * 1000), []))
                    while True:
                        reply = str(await ws.recv())
                        if "challenge_message" in reply:
                            challenge = reply.split('"challenge_message":"')[1][:36]
                            break
                    sig = sign_digest(w, typed_data_digest(auth_typed_data(dialect, params, challenge)))
                    from nitro_desktop.protocol import encode_request, frame_from_req

                    req = encode_request(
                        900_002,
                        "auth_verify",
                        sp.wrap_params({"challenge": challenge}),
                        int(time.time() * 1000),
                    )
                    await ws.send(frame_from_req(req, [sig]))
                    while '"auth_verify"' not in str(await ws.recv()):
                        pass
                    await ready.wait()
                    pending = {f"[{i + 1}," for i in range(len(batch))}
                    for text in batch:
                        await ws.send(text)
                        while True:
                            reply = str(await ws.recv())
                            head = reply[7 : 7 + reply[7:].index(",") + 1]
                            if head in pending:
                                assert '"error"' not in reply[:40], reply
                                pending.discard(head)
                                break

            ready = asyncio.Event()
            tasks = [asyncio.ensure_future(one(w, b)) for w, b in zip(wallets, batches, strict=True)]
            await asyncio.sleep(0.5 + clients * 0.01)
            started = time.perf_counter()
            ready.set()
            await asyncio.gather(*tasks)
            return time.perf_counter() - started

        elapsed = await login_and_run()
        totals, minted = node.ledger_totals()
        moved = sum(per_client - node.balances(w.address).get("usdc", Decimal(0)) for w in wallets)
        ok = totals == minted and moved == total
    if tmp is not None:
        tmp.cleanup()
    node_rate, echo_rate = total / elapsed, total / baseline
    where = "on a database file" if on_file else "in memory"
    print(f"dialect {dialect}: {clients} clients x {per_client} create_app_session = {total} round trips")
    print(f"  node database: {where}")
    print(f"  sandbox node : {node_rate:9.0f} round trips/s ({elapsed:.2f} s)")
    print(f"  echo baseline: {echo_rate:9.0f} round trips/s ({baseline:.2f} s)")
    print(f"  ratio node/echo: {node_rate / echo_rate:.3f}")
    print(
        f"  ledger check: sum of balances {dict(totals)} == minted {dict(minted)}; moved {moved} == {total}:"
        f" {'OK' if ok else 'FAILED'}"
    )
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    n_clients = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    dial = sys.argv[3] if len(sys.argv) > 3 else "0.2"
    asyncio.run(main(n_clients, per, dial, len(sys.argv) > 4 and sys.argv[4] == "file"))

"""create_app_session round trips per second against the sandbox node, N concurrent clients.

    .venv/bin/python bench/bench_devnode.py [CLIENTS] [REQUESTS_PER_CLIENT] [DIALECT] [file] [ROUNDS]
    .venv/bin/python bench/bench_devnode.py turns [DIALECT] [CREATES] [FRAMES_SIGNED]
    .venv/bin/python bench/bench_devnode.py floor [CLIENTS] [REQUESTS_PER_CLIENT] [ROUNDS]

``file`` runs the node on a database file (WAL, synchronous=FULL: every answer
leaves only after the commit, and so the fsync, that holds its write) instead
of in memory; ``mem`` (or nothing) keeps it in memory.

Clients and node share one process and one event loop, as the echo baseline and
its clients do: both figures pay for both ends of every socket. The frames are
signed before the clock starts, for the node as for the echo server (whose
clients sign nothing either): signing is the client's cost, measured by
bench_client and bench_protocol, and signing inside the timed loop on the same
cores would charge it to the node here. What is timed is the node's work (parse,
recover the signatures, checks, the SQLite transaction, sign the answer and the
balance notification, write three frames) against an echo server answering the
very same frames with a fixed reply.

Rounds alternate echo and node (default 3 each, fresh node and frames per round);
the medians and the ranges are printed, with the process CPU time per round trip
of each (steadier than wall time while other work loads the machine). At the end
of every node round the ledger is checked: every balance summed equals what the
faucet minted, and each session moved exactly one unit.

``floor`` runs echo servers that do only what no create can skip, beside the plain echo:
recover the request's signer, sign the answer and the balance notification, and send three
frames (the answer and ``bu`` twice, as the node does) in one write; and the same three frames
unsigned. No parsing beyond the id, no checks, no database: what the node's own logic has
left to spend at a given ratio is the gap between these and the node.

``turns`` feeds the same create frames straight to ``Router.handle_text`` (no
sockets, 20 wallets, turns of one pass committed together as the server does) and
prints the node's CPU per create; run it under callgrind, or with PYTHONPATH set
to another checkout, to compare two versions of the node.
"""

from __future__ import annotations

import asyncio
import statistics
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


async def node_round(
    clients: int, per_client: int, dialect: str, on_file: bool
) -> tuple[float, float, bool, dict[str, Decimal]]:
    """(wall seconds, CPU seconds, ledger conserved, balance totals) of one node round."""
    wallets = [RawKeySigner.generate() for _ in range(clients)]
    batches = [frames(dialect, w, per_client, k * 1_000_000) for k, w in enumerate(wallets)]
    total = clients * per_client
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
            started, cpu = time.perf_counter(), time.process_time()
            ready.set()
            await asyncio.gather(*tasks)
            return time.perf_counter() - started, time.process_time() - cpu

        elapsed, cpu = await login_and_run()
        totals, minted = node.ledger_totals()
        moved = sum(per_client - node.balances(w.address).get("usdc", Decimal(0)) for w in wallets)
        ok = totals == minted and moved == total
    if tmp is not None:
        tmp.cleanup()
    if not ok:
        print(f"  ledger check FAILED: sum of balances {dict(totals)}, minted {dict(minted)}, moved {moved}")
    return elapsed, cpu, ok, totals


async def echo_round(clients: int, per_client: int, dialect: str) -> tuple[float, float]:
    wallets = [RawKeySigner.generate() for _ in range(clients)]
    batches = [frames(dialect, w, per_client, k * 1_000_000) for k, w in enumerate(wallets)]
    cpu = time.process_time()
    elapsed = await echo_baseline(batches)
    return elapsed, time.process_time() - cpu


def _spread(values: list[float], fmt: str) -> str:
    low, mid, high = (format(v, fmt) for v in (min(values), statistics.median(values), max(values)))
    return f"median {mid} (range {low}-{high})"


async def main(clients: int, per_client: int, dialect: str, on_file: bool = False, rounds: int = 3) -> None:
    total = clients * per_client
    node_rates, echo_rates, ratios, node_cpu, echo_cpu = [], [], [], [], []
    all_ok = True
    for _ in range(rounds):
        e_wall, e_cpu = await echo_round(clients, per_client, dialect)
        n_wall, n_cpu, ok, _totals = await node_round(clients, per_client, dialect, on_file)
        all_ok = all_ok and ok
        echo_rates.append(total / e_wall)
        node_rates.append(total / n_wall)
        ratios.append(node_rates[-1] / echo_rates[-1])
        echo_cpu.append(e_cpu / total * 1e6)
        node_cpu.append(n_cpu / total * 1e6)
    where = "on a database file" if on_file else "in memory"
    print(f"dialect {dialect}: {clients} clients x {per_client} create_app_session = {total} round trips")
    print(f"  node database: {where}; {rounds} rounds, echo and node alternating")
    print(f"  sandbox node : {_spread(node_rates, '.0f')} round trips/s")
    print(f"  echo baseline: {_spread(echo_rates, '.0f')} round trips/s")
    print(
        f"  ratio node/echo: {statistics.median(node_rates) / statistics.median(echo_rates):.3f}"
        " of the medians;"
        f" per round {min(ratios):.3f}-{max(ratios):.3f}"
    )
    print(
        f"  process CPU per round trip: node {_spread(node_cpu, '.0f')} us,"
        f" echo {_spread(echo_cpu, '.0f')} us"
    )
    print(
        f"  ledger check (every round): sum of balances == minted, each session moved one unit:"
        f" {'OK' if all_ok else 'FAILED'}"
    )
    if not all_ok:
        raise SystemExit(1)


async def floor_round(clients: int, per_client: int, signed: bool) -> tuple[float, float]:
    """(wall, CPU) of an echo server answering each 0.2 create with the node's frames, nothing else."""
    from nitro_desktop.protocol import recover_address, sign_response
    from nitro_desktop.protocol.crypto import keccak256

    broker = RawKeySigner.generate()
    wallets = [RawKeySigner.generate() for _ in range(clients)]
    batches = [frames("0.2", w, per_client, k * 1_000_000) for k, w in enumerate(wallets)]
    result = [{"app_session_id": "0x" + "ab" * 32, "status": "open", "version": 1}]
    balances = [{"balance_updates": [{"asset": "usdc", "amount": "99"}]}]

    def unsigned(rid: int, method: str, payload: object, ts: int) -> str:
        from nitro_desktop.protocol.canonical import go_json

        return '{"res":' + go_json([rid, method, payload, ts]) + ',"sig":["0x' + "ab" * 65 + '"]}'

    async def handler(ws: ServerConnection) -> None:
        async for message in ws:
            text = str(message)
            rid = int(text[8 : text.index(",", 8)])
            now = int(time.time() * 1000)
            if signed:
                req, sig = text[7 : text.rindex(',"sig":')], text[text.rindex('["') + 2 : -3]
                recover_address(keccak256(req.encode()), sig)
                res = sign_response(rid, "create_app_session", result, now, broker, v_offset=0)
                bu = sign_response(now, "bu", balances, now, broker, v_offset=0)
            else:
                res, bu = unsigned(rid, "create_app_session", result, now), unsigned(now, "bu", balances, now)
            async with ws.send_context():
                for out in (bu, bu, res):
                    ws.protocol.send_text(out.encode())

    cpu = time.process_time()
    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        elapsed = await drive(f"ws://127.0.0.1:{port}", batches)
    return elapsed, time.process_time() - cpu


async def floor(clients: int, per_client: int, rounds: int) -> None:
    total = clients * per_client
    names = ("echo", "3 frames", "3 frames + crypto")
    rates: dict[str, list[float]] = {n: [] for n in names}
    cpus: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(rounds):
        for name in names:
            if name == "echo":
                wall, cpu = await echo_round(clients, per_client, "0.2")
            else:
                wall, cpu = await floor_round(clients, per_client, signed=name != "3 frames")
            rates[name].append(total / wall)
            cpus[name].append(cpu / total * 1e6)
    echo = statistics.median(rates["echo"])
    print(f"floor: {clients} clients x {per_client} creates (0.2 frames), {rounds} rounds interleaved")
    for name in names:
        mid = statistics.median(rates[name])
        print(
            f"  {name:18}: {_spread(rates[name], '.0f')} round trips/s, {mid / echo:.3f} of echo;"
            f" CPU per round trip {_spread(cpus[name], '.0f')} us"
        )


def turns(dialect: str, creates: int, signed: int = 0) -> None:
    """Node CPU per create without sockets: 20 wallets, their frames in passes of one turn each.

    ``signed`` frames are made beforehand (at least ``creates``): two callgrind runs with the same
    ``signed`` and different ``creates`` differ by the node's work alone.
    """
    from nitro_desktop.devnode.router import Connection

    wallets = [RawKeySigner.generate() for _ in range(20)]
    per = max(1, creates // len(wallets))
    made = max(per, signed // len(wallets))
    batches = [frames(dialect, w, made, k * 1_000_000) for k, w in enumerate(wallets)]
    # A wide timestamp window: under callgrind the last frames are minutes old when handled.
    node = SandboxNode(dialect=dialect, rate_limit=None, timestamp_window=3600.0)
    router = node.router
    conns = []
    for w in wallets:
        node.fund(w.address, "usdc", per)
        conn = Connection(loopback=True)
        conn.outbox = asyncio.Queue()  # unbounded here: nothing reads it during the run
        conn.user_id, conn.policy = w.address, {}
        router.auth.register_session(w.address)
        router.hub.setdefault(w.address, set()).add(conn)
        conns.append(conn)

    async def run() -> float:
        cpu = time.process_time()
        for i in range(per):
            for conn, batch in zip(conns, batches, strict=True):
                router.handle_text(conn, batch[i])
            await asyncio.sleep(0)  # one loop pass: the pass's turns commit together
        return time.process_time() - cpu

    cpu = asyncio.run(run())
    errors = sum(
        '"error"' in conn.outbox.get_nowait()[:40] for conn in conns for _ in range(conn.outbox.qsize())
    )
    totals, minted = node.ledger_totals()
    n = per * len(wallets)
    print(
        f"dialect {dialect}: {n} creates straight into Router.handle_text:"
        f" {cpu / n * 1e6:.0f} us CPU per create"
    )
    print(f"  errors {errors}; ledger conserved: {'OK' if totals == minted and errors == 0 else 'FAILED'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "turns":
        turns(
            sys.argv[2] if len(sys.argv) > 2 else "0.2",
            int(sys.argv[3]) if len(sys.argv) > 3 else 2000,
            int(sys.argv[4]) if len(sys.argv) > 4 else 0,
        )
        raise SystemExit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "floor":
        args = [int(a) for a in sys.argv[2:5]]
        asyncio.run(floor(*(args + [20, 100, 3][len(args) :])))
        raise SystemExit(0)
    n_clients = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    dial = sys.argv[3] if len(sys.argv) > 3 else "0.2"
    file_db = len(sys.argv) > 4 and sys.argv[4] == "file"
    n_rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    asyncio.run(main(n_clients, per, dial, file_db, n_rounds))

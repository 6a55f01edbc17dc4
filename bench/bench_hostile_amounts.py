"""What hostile amounts cost a terminal sandbox: RSS and database size after N tiny frames.

Starts ``nitro-desktop sandbox --db`` in a child process, authenticates one wallet and sends N
``create_app_session`` frames whose only allocation is ``-1e-1000000`` (about 500 bytes each),
then prints the child's RSS and the database size (file + WAL) before and after, and the largest
answer. ``--amount 1`` gives an ordinary baseline.
Run: .venv/bin/python bench/bench_hostile_amounts.py [--n 200] [--amount TEXT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import connect

from nitro_desktop.protocol import (
    RawKeySigner,
    auth_typed_data,
    builders,
    sign_request,
    spec,
    typed_data_digest,
)
from nitro_desktop.protocol.crypto import sign_digest

DIALECT = "0.2"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


async def attack(url: str, n: int, amount: str) -> tuple[int, float]:
    """Send the frames one after another; return the largest answer and the seconds taken."""
    a, b = RawKeySigner.generate(), RawKeySigner.generate()
    impl = spec(DIALECT)
    async with connect(url, proxy=None, ping_interval=None, max_size=None) as ws:
        auth = builders.auth_request(
            DIALECT,
            address=a.address,
            session_key=a.address,
            application="bench",
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
        largest = 0
        start = time.perf_counter()
        for i in range(n):
            definition = {
                "protocol": "NitroRPC/0.2",
                "participants": [a.address, b.address],
                "weights": [100, 0],
                "quorum": 100,
                "challenge": 0,
                "nonce": 1_000 + i,
            }
            params = impl.wrap_params(
                {
                    "definition": definition,
                    "allocations": [{"participant": a.address, "asset": "usdc", "amount": amount}],
                }
            )
            frame = sign_request(100 + i, "create_app_session", params, int(time.time() * 1000), [a])
            await ws.send(frame)
            while True:
                text = await ws.recv()
                if json.loads(text)["res"][0] == 100 + i:
                    largest = max(largest, len(text))
                    break
        return largest, time.perf_counter() - start


def main(n: int, amount: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sandbox.db"
        child = subprocess.Popen(
            [sys.executable, "-m", "nitro_desktop", "sandbox", "--port", "0", "--db", str(db)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            url = ""
            while not url:
                line = child.stdout.readline()
                if not line:
                    raise SystemExit("the sandbox did not start")
                if "listening on" in line:
                    url = line.rsplit(" ", 1)[1].strip()
            rss0, db0 = rss_kb(child.pid), db_bytes(db)
            largest, seconds = asyncio.run(attack(url, n, amount))
            rss1, db1 = rss_kb(child.pid), db_bytes(db)
        finally:
            child.terminate()
            child.wait(10)
    print(f"{n} create_app_session frames with amount {amount!r} against a sandbox --db, dialect {DIALECT}")
    print(f"largest answer   {largest:>12,} bytes")
    print(f"sandbox RSS      {rss0 / 1024:>9.1f} MB -> {rss1 / 1024:.1f} MB")
    print(f"database + WAL   {db0 / 1e6:>9.2f} MB -> {db1 / 1e6:.2f} MB")
    print(f"time             {seconds:>9.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument(
        "--amount", default="-1e-1000000", help="the allocation's amount (default -1e-1000000)"
    )
    args = parser.parse_args()
    main(args.n, args.amount)

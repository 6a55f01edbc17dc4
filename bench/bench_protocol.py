"""Encode and sign create_app_session requests; compare with the bare crypto floor.

    .venv/bin/python bench/bench_protocol.py [N]

The floor is keccak256 + libsecp256k1 recoverable signing (coincurve) of the
same request bytes, with no JSON work at all: the ratio shows what the
protocol layer costs on top of the unavoidable crypto. Goal: >= 0.5x.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal

import coincurve
from Crypto.Hash import keccak

from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    RawKeySigner,
    builders,
    encode_request,
    sign_request,
)

KEY = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def main(n: int) -> None:
    signer = RawKeySigner(KEY)
    ts = 1735689600000

    def call(i: int):  # type: ignore[no-untyped-def]
        definition = AppDefinition("NitroRPC/0.2", (signer.address, B), (100, 0), 100, 0, ts + i)
        allocations = [
            Allocation(signer.address, "usdc", Decimal("1000000")),
            Allocation(B, "usdc", Decimal(0)),
        ]
        return builders.create_app_session("0.2", definition, allocations)

    # Pre-built texts for the floor: it does no JSON work at all.
    texts = [encode_request(i + 1, "create_app_session", call(i).params, ts + i).encode() for i in range(n)]
    raw_key = coincurve.PrivateKey(KEY)

    t0 = time.perf_counter()
    for data in texts:
        digest = keccak.new(digest_bits=256, data=data).digest()
        raw_key.sign_recoverable(digest, hasher=None)
    floor = n / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    for i in range(n):
        c = call(i)
        sign_request(i + 1, c.method, c.params, ts + i, [signer])
    ours = n / (time.perf_counter() - t0)

    extra = ""
    try:
        from eth_account import Account

        account = Account.from_key(KEY)
        m = max(200, n // 10)
        t0 = time.perf_counter()
        for i in range(m):
            c = call(i)
            sign_request(i + 1, c.method, c.params, ts + i, [account])
        extra = (
            f"\nwith eth-account LocalAccount as signer:       {m / (time.perf_counter() - t0):>10,.0f} req/s"
        )
    except ImportError:
        pass

    print(f"requests: {n}")
    print(f"floor (keccak + coincurve sign, no JSON):     {floor:>10,.0f} req/s")
    print(f"build + encode + sign (RawKeySigner):         {ours:>10,.0f} req/s{extra}")
    print(f"ratio ours / floor: {ours / floor:.2f}x  (goal >= 0.50x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)

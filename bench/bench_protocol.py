"""Build, encode and sign create_app_session requests; compare with the bare crypto floor.

    .venv/bin/python bench/bench_protocol.py [N] [ROUNDS] [--against CHECKOUT] [--python PY]

The floor is keccak256 + libsecp256k1 recoverable signing (coincurve's
``sign_recoverable``) of the same request bytes, with no JSON work at all: the
ratio shows what the protocol layer costs on top of the crypto. The floor's
keccak is the fastest in this process, called inline: safe-pysha3's
``keccak_256(data).digest()`` when installed (the one our code then uses too),
else our own ``keccak256``. The loops run interleaved in ROUNDS rounds and are
timed in process CPU time, so other load on the machine shifts both alike;
each figure is the median over the rounds. Goal: >= 0.8x.

``--against CHECKOUT`` (e.g. ``/work/main``) also runs one round of that
checkout's ``nitro_desktop`` in a child process after each of ours, with the
same floor, and prints its ratio beside ours; ``--python PY`` runs this checkout's code
on another interpreter the same way (see ``_signing_floor``).

A second line times our own crypto calls alone (the hash and sign steps
``sign_request`` makes, nothing else), to show the JSON and build share apart
from the crypto share.
"""

from __future__ import annotations

import json
import statistics
import time
from decimal import Decimal

import coincurve
from _signing_floor import Other, floor_keccak, other_round, print_against, run_from_argv

from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    RawKeySigner,
    builders,
    encode_request,
    spec,
)
from nitro_desktop.protocol.crypto import keccak256

KEY = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
TS = 1735689600000


def main(n: int, rounds: int, against: Other | None = None, one_round: bool = False) -> None:
    signer = RawKeySigner(KEY)

    def call(i: int):  # type: ignore[no-untyped-def]
        definition = AppDefinition("NitroRPC/0.2", (signer.address, B), (100, 0), 100, 0, TS + i)
        allocations = [
            Allocation(signer.address, "usdc", Decimal("1000000")),
            Allocation(B, "usdc", Decimal(0)),
        ]
        return builders.create_app_session("0.2", definition, allocations)

    # Pre-built texts for the floors: they do no JSON work at all.
    texts = [encode_request(i + 1, "create_app_session", call(i).params, TS + i).encode() for i in range(n)]
    raw_key = coincurve.PrivateKey(KEY)

    floor_name, keccak_256 = floor_keccak()

    if keccak_256 is not None:

        def floor() -> None:
            for data in texts:
                raw_key.sign_recoverable(keccak_256(data).digest(), hasher=None)

    else:

        def floor() -> None:
            for data in texts:
                raw_key.sign_recoverable(keccak256(data), hasher=None)

    def crypto_only() -> None:
        for data in texts:
            signer.unsafe_sign_hash(keccak256(data))

    # The client's path: DialectSpec.encode_frame of the builder's RpcCall.
    dialect = spec("0.2")

    def ours() -> None:
        for i in range(n):
            dialect.encode_frame(i + 1, call(i), TS + i, [signer])

    def rate(fn) -> float:  # type: ignore[no-untyped-def]
        t0 = time.process_time()
        fn()
        return n / (time.process_time() - t0)

    if one_round:
        f, o = rate(floor), rate(ours)
        print(json.dumps({"floor": f, "ours": o}))
        return
    results: dict[str, list[float]] = {"floor": [], "crypto": [], "ours": [], "ratio": [], "other": []}
    for _ in range(rounds):
        f, c, o = rate(floor), rate(crypto_only), rate(ours)
        results["floor"].append(f)
        results["crypto"].append(c)
        results["ours"].append(o)
        results["ratio"].append(o / f)
        if against:
            other = other_round(__file__, against, n)
            results["other"].append(other["ours"] / other["floor"])
    med = {k: statistics.median(v) for k, v in results.items() if v}

    extra = ""
    try:
        from eth_account import Account

        account = Account.from_key(KEY)
        m = max(200, n // 10)
        t0 = time.process_time()
        for i in range(m):
            dialect.encode_frame(i + 1, call(i), TS + i, [account])
        extra = (
            f"\nwith eth-account LocalAccount as signer:       {m / (time.process_time() - t0):>10,.0f} req/s"
        )
    except ImportError:
        pass

    spread = f"{min(results['ratio']):.2f}-{max(results['ratio']):.2f}"
    print(f"requests: {n} per loop, {rounds} interleaved rounds, process CPU time, medians")
    print(f"floor keccak: {floor_name}")
    print(f"floor (keccak + coincurve sign, no JSON):     {med['floor']:>10,.0f} req/s")
    print(f"our crypto calls alone (hash + sign, no JSON):{med['crypto']:>10,.0f} req/s")
    print(f"build + encode + sign (RawKeySigner):         {med['ours']:>10,.0f} req/s{extra}")
    print(f"ratio ours / floor: {med['ratio']:.2f}x (rounds {spread})  (goal >= 0.80x)")
    print_against(results, against, med.get("other", 0.0))


if __name__ == "__main__":
    run_from_argv(main)

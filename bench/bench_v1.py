"""v1 app-session creation (dialect "1"): build, hash, quorum-sign and frame, against the crypto floor.

    .venv/bin/python bench/bench_v1.py [N] [ROUNDS] [--against CHECKOUT] [--python PY]

One "create" is what a client does to open a v1 session: build the definition in wire
shape, compute ``create_session_hash`` (ABI encoding + keccak256), make a wallet quorum
signature (EIP-191 keccak + libsecp256k1 recoverable signature) and encode the
``app_sessions.v1.create_app_session`` request frame.

The floor is the create's own crypto and nothing else, as ``bench_protocol.py``'s floor is the
0.x request's: keccak256 of the create's ABI encoding (built beforehand, so no ABI work), the
EIP-191 keccak of that digest, and coincurve's ``sign_recoverable``; no JSON. Goal: >= 0.8x.
A stricter line is printed beside it: one keccak256 of 32 bytes plus the signature, which
leaves out the four extra keccak permutations every v1 create needs whoever writes it.
Keccak is the fastest in this process, called inline: safe-pysha3's ``keccak_256(data).digest()``
when installed (the one our code then uses too), else our own ``keccak256``. Loops take
turns every 50 creates within each of ROUNDS rounds, timed in process CPU time (other load
shifts all alike); each figure is the median over the rounds.

``--against CHECKOUT`` (e.g. ``/work/main``) also runs one round of that checkout's
``nitro_desktop`` in a child process after each of ours, with the same floor, and prints its
ratio beside ours; ``--python PY`` does the same on another interpreter (see
``_signing_floor``: the ratio depends on how the interpreter was built).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import coincurve
from _signing_floor import Other, floor_keccak, other_round, print_against, run_from_argv

from nitro_desktop.protocol.crypto import RawKeySigner, keccak256
from nitro_desktop.protocol.v1 import create_session_hash, encode_frame, quorum_signature
from nitro_desktop.protocol.v1.app_session import generic_encodings

KEY = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
B = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
TS = 1767225600000
METHOD = "app_sessions.v1.create_app_session"
SESSION_DATA = '{"game":"chess"}'
CHUNK = 50
EIP191 = b"\x19Ethereum Signed Message:\n32"
# generic_encodings writes an update's encoding too; any valid one does.
UPDATE = {
    "app_session_id": "0x" + "00" * 32,
    "intent": 0,
    "version": 1,
    "allocations": [],
    "session_data": "",
}


def definition_of(me: str, i: int) -> dict[str, Any]:
    return {
        "application_id": "chess-v1",
        "participants": [
            {"wallet_address": me, "signature_weight": 1},
            {"wallet_address": B, "signature_weight": 1},
        ],
        "quorum": 1,
        "nonce": str(TS + i),
    }


def main(n: int, rounds: int, against: Other | None = None, one_round: bool = False) -> None:
    signer = RawKeySigner(KEY)
    me = signer.address.lower()
    raw_key = coincurve.PrivateKey(KEY)
    digests = [keccak256(i.to_bytes(32, "big")) for i in range(n)]
    # The general ABI encoder's bytes, checked against what our create hashes.
    encodings = [generic_encodings(definition_of(me, i), SESSION_DATA, UPDATE)[1] for i in range(n)]
    if "0x" + keccak256(encodings[-1]).hex() != create_session_hash(definition_of(me, n - 1), SESSION_DATA):
        raise SystemExit("the floor would hash other bytes than the create does")
    floor_name, keccak_256 = floor_keccak()
    hash32: Callable[[bytes], bytes] = keccak256 if keccak_256 is None else lambda b: keccak_256(b).digest()

    if keccak_256 is not None:

        def floor(lo: int, hi: int) -> None:
            for i in range(lo, hi):
                raw_key.sign_recoverable(
                    keccak_256(EIP191 + keccak_256(encodings[i]).digest()).digest(), hasher=None
                )

        def strict(lo: int, hi: int) -> None:
            for i in range(lo, hi):
                raw_key.sign_recoverable(keccak_256(digests[i]).digest(), hasher=None)

    else:

        def floor(lo: int, hi: int) -> None:
            for i in range(lo, hi):
                raw_key.sign_recoverable(hash32(EIP191 + hash32(encodings[i])), hasher=None)

        def strict(lo: int, hi: int) -> None:
            for i in range(lo, hi):
                raw_key.sign_recoverable(hash32(digests[i]), hasher=None)

    def ours(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            definition: dict[str, Any] = {
                "application_id": "chess-v1",
                "participants": [
                    {"wallet_address": me, "signature_weight": 1},
                    {"wallet_address": B, "signature_weight": 1},
                ],
                "quorum": 1,
                "nonce": str(TS + i),
            }
            session_data = SESSION_DATA
            signature = quorum_signature(create_session_hash(definition, session_data), signer)
            payload = {"definition": definition, "session_data": session_data, "quorum_sigs": [signature]}
            encode_frame(1, i + 1, METHOD, payload, TS + i)

    def rates() -> tuple[float, float, float]:
        # The three loops take turns every CHUNK creates, so a burst of load on the machine
        # lands on all three rather than on whichever loop was running.
        spent = [0.0, 0.0, 0.0]
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            for k, fn in enumerate((floor, strict, ours)):
                t0 = time.process_time()
                fn(lo, hi)
                spent[k] += time.process_time() - t0
        return n / spent[0], n / spent[1], n / spent[2]

    if one_round:
        f, s, o = rates()
        print(json.dumps({"floor": f, "strict": s, "ours": o}))
        return
    results: dict[str, list[float]] = {
        k: [] for k in ("floor", "strict", "ours", "ratio", "strict_ratio", "other")
    }
    for _ in range(rounds):
        f, s, o = rates()
        results["floor"].append(f)
        results["strict"].append(s)
        results["ours"].append(o)
        results["ratio"].append(o / f)
        results["strict_ratio"].append(o / s)
        if against:
            other = other_round(__file__, against, n)
            results["other"].append(other["ours"] / other["floor"])
    med = {k: statistics.median(v) for k, v in results.items() if v}
    spread = f"{min(results['ratio']):.2f}-{max(results['ratio']):.2f}"
    strict_spread = f"{min(results['strict_ratio']):.2f}-{max(results['strict_ratio']):.2f}"
    print(f"v1 creates: {n} per loop, {rounds} interleaved rounds, process CPU time, medians")
    print(f"floor keccak: {floor_name}")
    print(f"floor: the create's crypto (ABI bytes' keccak, EIP-191 keccak, sign) {med['floor']:>8,.0f} /s")
    print(f"stricter floor: keccak of 32 bytes + coincurve sign                 {med['strict']:>8,.0f} /s")
    print(f"v1 create (definition + hash + quorum sig + frame)                  {med['ours']:>8,.0f} /s")
    print(f"ratio ours / floor: {med['ratio']:.2f}x (rounds {spread})  (goal >= 0.80x)")
    print(f"ratio ours / stricter floor: {med['strict_ratio']:.2f}x (rounds {strict_spread})")
    print_against(results, against, med.get("other", 0.0))


if __name__ == "__main__":
    run_from_argv(main)

"""The two Keccak-256 libraries give the same digests, and the package hashes with the faster one.

``protocol.crypto`` picks safe-pysha3 when it imports and pycryptodome otherwise; every id,
request hash and quorum signature depends on the two agreeing byte for byte, around the
sponge's 136-byte block edges above all.
"""

from __future__ import annotations

import subprocess
import sys

import eth_hash.auto
import pytest
from Crypto.Hash import keccak
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol import crypto

# Empty, around one and two rate blocks (136 bytes), and far past them.
EDGE_LENGTHS = [0, 1, 31, 32, 33, 135, 136, 137, 271, 272, 273, 4096, 100_003]


@pytest.mark.parametrize("length", EDGE_LENGTHS)
def test_block_edges_agree(length: int) -> None:
    data = bytes((i * 7 + length) & 0xFF for i in range(length))
    want = keccak.new(digest_bits=256, data=data).digest()
    assert crypto.keccak256_pysha3(data) == want
    assert crypto.keccak256_pycryptodome(data) == want
    assert crypto.keccak256(data) == want


@given(st.integers(0, 700).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
@example(b"")
@example(b"\x00" * 135)
@example(b"\xff" * 136)
@example(b"\x01" * 137)
@settings(max_examples=300)
def test_both_backends_give_pycryptodome_keccak(data: bytes) -> None:
    want = keccak.new(digest_bits=256, data=data).digest()
    assert crypto.keccak256_pysha3(data) == want
    assert crypto.keccak256_pycryptodome(data) == want
    assert crypto.keccak256_pysha3(bytearray(data)) == want
    assert crypto.keccak256_pycryptodome(memoryview(data)) == want


def test_the_known_vector() -> None:
    empty = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert crypto.keccak256(b"").hex() == empty
    assert crypto.keccak256_pycryptodome(b"").hex() == empty


def test_the_package_hashes_with_safe_pysha3() -> None:
    # A dependency: when it is installed, one place (protocol.crypto) picks it.
    assert crypto.KECCAK_BACKEND == "safe-pysha3"
    assert crypto.keccak256 is not crypto.keccak256_pycryptodome


def test_eth_hash_keeps_its_own_backend() -> None:
    # eth-account hashes through eth_hash, which prefers pycryptodome in its list; installing
    # safe-pysha3 must not move it (its answers are the same either way).
    assert eth_hash.auto.keccak(b"") == crypto.keccak256(b"")
    backend = eth_hash.auto.keccak.hasher.__self__
    assert type(backend).__module__ == "eth_hash.backends.pycryptodome"


def test_without_safe_pysha3_the_package_falls_back_to_pycryptodome() -> None:
    # A fresh interpreter where ``import _pysha3`` fails, as on a platform without its wheel.
    code = (
        "import sys; sys.modules['_pysha3'] = None\n"
        "from nitro_desktop.protocol import crypto\n"
        "from nitro_desktop.protocol.v1 import create_session_hash\n"
        "print(crypto.KECCAK_BACKEND, crypto.keccak256(b'').hex(), crypto.keccak256(bytes(137)).hex())\n"
        "d = {'application_id': 'a', 'participants': [], 'quorum': 1, 'nonce': '1'}\n"
        "print(create_session_hash(d, ''))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    first, second = out.splitlines()
    assert first.split() == [
        "pycryptodome",
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        keccak.new(digest_bits=256, data=bytes(137)).hexdigest(),
    ]
    from nitro_desktop.protocol.v1 import create_session_hash

    definition = {"application_id": "a", "participants": [], "quorum": 1, "nonce": "1"}
    assert second == create_session_hash(definition, "")

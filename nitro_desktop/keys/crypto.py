"""secp256k1 primitives over coincurve: fast to import, fast to sign.

eth-account is only needed for keystore files (see ``keyfile``); keeping it out
of this path saves ~0.5 s at GUI start-up.
"""

from __future__ import annotations

import secrets
from typing import NamedTuple

from hexbytes import HexBytes

# The order of the secp256k1 group: valid private keys are 1 .. N-1.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class SignedHash(NamedTuple):
    """Field for field what eth-account's ``unsafe_sign_hash`` returns (``SignedMessage``)."""

    message_hash: HexBytes
    r: int
    s: int
    v: int
    signature: HexBytes  # 65 bytes: r || s || v, v in {27, 28}


def keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak

    return keccak.new(data=data, digest_bits=256).digest()


def to_checksum_address(address: str | bytes) -> str:
    """EIP-55 form of a 20-byte address (bytes or hex, any case)."""
    raw = address.hex() if isinstance(address, bytes) else address.lower().removeprefix("0x")
    if len(raw) != 40 or any(c not in "0123456789abcdef" for c in raw):
        raise ValueError("not a 20-byte hex address")
    digest = keccak256(raw.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(raw)
    )


def is_valid_private_key(key: bytes) -> bool:
    return len(key) == 32 and 0 < int.from_bytes(key, "big") < SECP256K1_N


def new_private_key() -> bytes:
    """32 bytes from the OS CSPRNG, redrawn in the (2^-128) case they fall outside the group."""
    while True:
        key = secrets.token_bytes(32)
        if is_valid_private_key(key):
            return key


def parse_private_key(text: str) -> bytes:
    """A hex private key (with or without 0x) to bytes; ValueError without echoing it."""
    raw = text.strip().removeprefix("0x").removeprefix("0X")
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise ValueError("the private key is not hexadecimal") from None
    if not is_valid_private_key(key):
        raise ValueError("the private key must be 32 bytes, within the secp256k1 group")
    return key


def address_of(key: bytes) -> str:
    """EIP-55 address of a private key."""
    import coincurve

    public = coincurve.PrivateKey(key).public_key.format(compressed=False)
    return to_checksum_address(keccak256(public[1:])[-20:])


def sign_hash(key: bytes, message_hash: bytes) -> SignedHash:
    """Raw recoverable signature over a 32-byte digest (no EIP-191 prefix)."""
    import coincurve

    if len(message_hash) != 32:
        raise ValueError("the digest to sign must be exactly 32 bytes")
    # libsecp256k1 signs deterministically (RFC 6979) with low s, as eth-keys does.
    raw = coincurve.PrivateKey(key).sign_recoverable(message_hash, hasher=None)
    r = int.from_bytes(raw[:32], "big")
    s = int.from_bytes(raw[32:64], "big")
    v = raw[64] + 27
    return SignedHash(HexBytes(message_hash), r, s, v, HexBytes(raw[:64] + bytes([v])))

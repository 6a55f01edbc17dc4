"""Private keys as the key store handles them: made, parsed, checked, used for one signature.

Hashing, addresses and the curve work are ``nitro_desktop.protocol.crypto``'s (one
implementation for the whole app); eth-account is only needed for keystore files
(see ``keyfile``), which keeps it off the GUI's start-up path.
"""

from __future__ import annotations

import secrets
from typing import Any, NamedTuple

from hexbytes import HexBytes

from nitro_desktop.protocol.crypto import address_of_key, sign_hash_with_key

# The order of the secp256k1 group: valid private keys are 1 .. N-1.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class SignedHash(NamedTuple):
    """Field for field what eth-account's ``unsafe_sign_hash`` returns (``SignedMessage``)."""

    message_hash: HexBytes
    r: int
    s: int
    v: int
    signature: HexBytes  # 65 bytes: r || s || v, v in {27, 28}


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
    return address_of_key(key)


def sign_hash(key: bytes, message_hash: bytes) -> SignedHash:
    """Raw recoverable signature over a 32-byte digest (no EIP-191 prefix)."""
    raw = sign_hash_with_key(key, message_hash)
    r = int.from_bytes(raw[:32], "big")
    s = int.from_bytes(raw[32:64], "big")
    return SignedHash(HexBytes(message_hash), r, s, raw[64], HexBytes(raw))


def sign_transaction(key: bytes, fields: dict[str, Any]) -> bytes:
    """The raw signed transaction (EIP-2718 bytes) of ``fields``, as eth-account encodes it.

    eth-account is imported here, not at start-up: only on-chain sends need it.
    """
    from eth_account import Account

    signed = Account.sign_transaction(fields, key)
    return bytes(signed.raw_transaction)

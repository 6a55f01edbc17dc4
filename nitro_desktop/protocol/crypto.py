"""keccak256, EIP-55 addresses, raw secp256k1 signing and recovery.

Request signatures are raw ECDSA over keccak256 of the exact ``req`` bytes —
never EIP-191 — with v = 27/28 on the way out and v in {0, 1, 27, 28} accepted
on the way in, as the ClearNode does. libsecp256k1 (coincurve) does the curve
work because it is ~20x faster than the pure-Python fallback.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import coincurve
from Crypto.Hash import keccak as _keccak

from nitro_desktop.protocol.errors import AddressError, SignatureError

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def keccak256(data: bytes) -> bytes:
    """Legacy Keccak-256 (Ethereum's hash, not NIST SHA3-256)."""
    return _keccak.new(digest_bits=256, data=data).digest()


def _checksum_hex(hex40_lower: str) -> str:
    digest = keccak256(hex40_lower.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hex40_lower)
    )


def to_checksum_address(value: str) -> str:
    """Return the EIP-55 form of an address; reject a wrong mixed-case checksum.

    All-lower and all-upper hex carry no checksum and are accepted.
    """
    if not isinstance(value, str) or not _HEX_ADDRESS.fullmatch(value):
        raise AddressError(f"not an Ethereum address (0x and 40 hex digits): {value!r}")
    body = value[2:]
    checksummed = _checksum_hex(body.lower())
    if body != body.lower() and body != body.upper() and checksummed != value:
        raise AddressError(
            f"address checksum is wrong: {value} (the EIP-55 form is {checksummed}); "
            "check for a typo before fixing the case"
        )
    return checksummed


def lenient_checksum(value: str) -> str:
    """EIP-55 form of any-case hex, as go-ethereum reads addresses (no checksum check)."""
    if not isinstance(value, str) or not _HEX_ADDRESS.fullmatch(value):
        raise AddressError(f"not an Ethereum address (0x and 40 hex digits): {value!r}")
    return _checksum_hex(value[2:].lower())


def is_checksum_address(value: str) -> bool:
    """True when ``value`` is exactly in EIP-55 form (what the server compares against)."""
    try:
        return to_checksum_address(value) == value
    except AddressError:
        return False


def address_of_public_key(public_key: coincurve.PublicKey) -> str:
    return _checksum_hex(keccak256(public_key.format(compressed=False)[1:])[-20:].hex())


class HashSigner(Protocol):
    """What signs a request: eth-account's ``LocalAccount`` fits, so do our key-store signers."""

    @property
    def address(self) -> str: ...

    def unsafe_sign_hash(self, message_hash: bytes) -> Any: ...


def signature_bytes(signed: Any) -> bytes:
    """Normalise what ``unsafe_sign_hash`` returned to 65 bytes r||s||v with v = 27/28."""
    raw = getattr(signed, "signature", signed)
    if isinstance(raw, str):
        raw = decode_signature(raw)
    raw = bytes(raw)
    if len(raw) != 65:
        raise SignatureError(f"a signer returned {len(raw)} bytes; signatures are 65 bytes")
    v = raw[64]
    if v in (0, 1):
        raw = raw[:64] + bytes([v + 27])
    elif v not in (27, 28):
        raise SignatureError(f"a signer returned recovery id v={v}; expected 27 or 28")
    return raw


def sign_digest(signer: HashSigner, digest: bytes) -> str:
    """Sign a 32-byte digest raw and return ``0x``-hex with v = 27/28."""
    return "0x" + signature_bytes(signer.unsafe_sign_hash(digest)).hex()


def decode_signature(signature: str) -> bytes:
    """Decode ``0x``-hex into 65 bytes, or raise ``SignatureError``."""
    if not isinstance(signature, str) or not signature.startswith(("0x", "0X")):
        raise SignatureError(f"signature must be 0x-prefixed hex: {signature!r:.80}")
    try:
        raw = bytes.fromhex(signature[2:])
    except ValueError as exc:
        raise SignatureError(f"signature is not hex: {signature!r:.80}") from exc
    if len(raw) != 65:
        raise SignatureError(f"signature must be 65 bytes, got {len(raw)}")
    return raw


def recover_address(digest: bytes, signature: str) -> str:
    """EIP-55 address whose key made ``signature`` over ``digest`` (raw, no prefix)."""
    raw = decode_signature(signature)
    v = raw[64]
    if v >= 27:
        v -= 27
    if v not in (0, 1):
        raise SignatureError(f"signature recovery id must be 0, 1, 27 or 28, got {raw[64]}")
    try:
        public_key = coincurve.PublicKey.from_signature_and_message(
            raw[:64] + bytes([v]), digest, hasher=None
        )
    except Exception as exc:  # coincurve raises plain Exception/ValueError on bad curve points
        raise SignatureError("signature does not recover to a public key") from exc
    return address_of_public_key(public_key)


class RawKeySigner:
    """A signer over an in-memory private key, for the sandbox node and benchmarks.

    Desktop accounts sign through ``nitro_desktop.keys``; this class never
    shows its key in ``repr`` and refuses to be pickled.
    """

    __slots__ = ("_address", "_key")

    def __init__(self, private_key: bytes | str) -> None:
        if isinstance(private_key, str):
            private_key = bytes.fromhex(private_key.removeprefix("0x"))
        if len(private_key) != 32:
            raise ValueError("a private key is 32 bytes")
        self._key = coincurve.PrivateKey(private_key)
        self._address = address_of_public_key(self._key.public_key)

    @classmethod
    def generate(cls) -> RawKeySigner:
        return cls(coincurve.PrivateKey().secret)

    @property
    def address(self) -> str:
        return self._address

    def unsafe_sign_hash(self, message_hash: bytes) -> bytes:
        sig = self._key.sign_recoverable(bytes(message_hash), hasher=None)
        return sig[:64] + bytes([sig[64] + 27])

    def __repr__(self) -> str:
        return f"RawKeySigner(address={self._address})"

    def __reduce__(self) -> Any:
        raise TypeError("signers hold private keys and cannot be pickled")

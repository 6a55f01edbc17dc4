"""keccak256, EIP-55 addresses, raw secp256k1 signing and recovery.

Request signatures are raw ECDSA over keccak256 of the exact ``req`` bytes —
never EIP-191 — with v = 27/28 on the way out and v in {0, 1, 27, 28} accepted
on the way in, as the ClearNode does. libsecp256k1 (coincurve) does the curve
work because it is ~20x faster than the pure-Python fallback.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any, Protocol

import coincurve
from coincurve._libsecp256k1 import ffi as _secp_ffi
from coincurve._libsecp256k1 import lib as _secp

from nitro_desktop.protocol.errors import AddressError, SignatureError

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")

# Every request and every server frame is hashed and signed or recovered, so
# these two steps call the C libraries as directly as they can. libsecp256k1: coincurve's
# ``sign_recoverable`` allocates a wrapper, an output buffer and a recovery-id cell per call,
# so each thread reuses one set of buffers instead. Keccak: safe-pysha3's C type is one call
# into XKCP's 64-bit permutation (about 3x cheaper a hash than pycryptodome through cffi);
# where it is missing, pycryptodome's raw functions over one reused state per thread.
_local = threading.local()

try:
    from _pysha3 import keccak_256 as _sha3_keccak_256
except ImportError:  # pragma: no cover - safe-pysha3 is a dependency; kept for odd platforms
    _sha3_keccak_256 = None

KECCAK_BACKEND = "safe-pysha3" if _sha3_keccak_256 is not None else "pycryptodome"
"""Which library ``keccak256`` runs on (the benchmarks' floor uses the same one)."""


class _Scratch:
    """One thread's reusable C buffers: libsecp256k1 outputs (and a pycryptodome keccak state)."""

    __slots__ = ("compact", "compact_hex", "compact_view", "digest", "keccak", "recid", "signature", "state")

    def __init__(self) -> None:
        self.signature = _secp_ffi.new("secp256k1_ecdsa_recoverable_signature *")
        self.compact = _secp_ffi.new("unsigned char[65]")
        self.compact_view = _secp_ffi.buffer(self.compact, 65)  # made once: a copy of it is the result
        self.compact_hex = memoryview(self.compact_view)  # .hex() reads the buffer, no bytes between
        self.recid = _secp_ffi.new("int *")
        self.keccak: Any = None
        self.state: Any = None
        self.digest: Any = None


def _scratch() -> _Scratch:
    try:
        scratch: _Scratch = _local.scratch
    except AttributeError:
        scratch = _local.scratch = _Scratch()
    return scratch


_pycryptodome: Any = None


def _pycryptodome_api() -> Any:
    """pycryptodome's raw keccak functions, loaded on first use (their cffi set-up is not free)."""
    global _pycryptodome
    if _pycryptodome is None:
        from Crypto.Hash import keccak as keccak_module
        from Crypto.Util import _raw_api

        lib: Any = keccak_module._raw_keccak_lib  # type: ignore[attr-defined]
        raw: Any = _raw_api
        _pycryptodome = (raw, lib, keccak_module)
    return _pycryptodome


def keccak256_pycryptodome(data: bytes) -> bytes:
    """Keccak-256 on pycryptodome: the fallback, and the reference the tests hold the other to."""
    raw, lib, keccak_module = _pycryptodome_api()
    if raw.backend != "cffi":  # pragma: no cover - pycryptodome without cffi (ctypes backend)
        digest: bytes = keccak_module.new(digest_bits=256, data=data).digest()
        return digest
    if type(data) is not bytes:
        data = bytes(data)
    scratch = _scratch()
    if scratch.state is None:
        state = raw.VoidPointer()
        if lib.keccak_init(state.address_of(), raw.c_size_t(64), raw.c_ubyte(24)):
            raise MemoryError("cannot allocate a keccak state")
        scratch.keccak = raw.SmartPointer(state.get(), lib.keccak_destroy)  # owns and frees it
        scratch.state = scratch.keccak.get()
        scratch.digest = raw.ffi.new("uint8_t[32]")
    state, out = scratch.state, scratch.digest
    # keccak_reset cannot fail on a valid state; absorb and digest only on bad arguments.
    lib.keccak_reset(state)
    if lib.keccak_absorb(state, data, len(data)) or lib.keccak_digest(state, out, 32, 0x01):
        raise ValueError("keccak failed")
    result: bytes = raw.ffi.buffer(out, 32)[:]
    return result


def keccak256_pysha3(data: bytes) -> bytes:
    """Keccak-256 on safe-pysha3 (raises ImportError where it is not installed)."""
    if _sha3_keccak_256 is None:
        raise ImportError("safe-pysha3 is not installed")
    if type(data) is not bytes:
        data = bytes(data)
    digest: bytes = _sha3_keccak_256(data).digest()
    return digest


if _sha3_keccak_256 is not None:
    _new_keccak = _sha3_keccak_256

    def keccak256(data: bytes) -> bytes:
        """Legacy Keccak-256 (Ethereum's hash, not NIST SHA3-256)."""
        if type(data) is not bytes:
            data = bytes(data)
        digest: bytes = _new_keccak(data).digest()
        return digest

else:  # pragma: no cover - exercised by the tests through keccak256_pycryptodome
    keccak256 = keccak256_pycryptodome


class _DigestOf:
    """``keccak256(data)`` behind ``.digest()``, where safe-pysha3 is missing."""

    __slots__ = ("_digest",)

    def __init__(self, data: bytes) -> None:
        self._digest = keccak256_pycryptodome(data)

    def digest(self) -> bytes:
        return self._digest


#: ``new_keccak(data).digest()`` is ``keccak256(data)`` for bytes, one C call with no Python
#: frame around it: for the two hashes of every quorum signature.
new_keccak: Any = _sha3_keccak_256 if _sha3_keccak_256 is not None else _DigestOf


# Pure, and asked again and again for the same few addresses (every recovered signer, every
# ledger key); the bound keeps a peer sending fresh addresses from growing it.
@functools.lru_cache(maxsize=4096)
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


def address_of_key(private_key: bytes) -> str:
    """EIP-55 address of a 32-byte private key."""
    return address_of_public_key(coincurve.PrivateKey(private_key).public_key)


def sign_hash_with_key(private_key: bytes, message_hash: bytes) -> bytes:
    """65 bytes r||s||v (v = 27/28), raw over a 32-byte digest: no EIP-191 prefix, RFC 6979 nonce.

    For callers that hold a key only for one signature (the key store); a long-lived
    key is faster as a ``RawKeySigner``.
    """
    if len(message_hash) != 32:
        raise ValueError("the digest to sign must be exactly 32 bytes")
    raw = coincurve.PrivateKey(private_key).sign_recoverable(bytes(message_hash), hasher=None)
    return raw[:64] + bytes([raw[64] + 27])


class HashSigner(Protocol):
    """What signs a request: eth-account's ``LocalAccount`` fits, so do our key-store signers."""

    @property
    def address(self) -> str: ...

    def unsafe_sign_hash(self, message_hash: bytes) -> Any: ...


def signature_bytes(signed: Any) -> bytes:
    """Normalise what ``unsafe_sign_hash`` returned to 65 bytes r||s||v with v = 27/28."""
    if type(signed) is bytes and len(signed) == 65 and signed[64] in (27, 28):
        return signed  # what our own signers return: nothing to normalise
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
    if type(signer) is RawKeySigner:  # its bytes are r||s||v with v = 27/28 already
        return "0x" + signer.unsafe_sign_hash(digest).hex()
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
    if type(digest) is not bytes or len(digest) != 32:  # libsecp256k1 reads exactly 32 bytes
        raise SignatureError("signature does not recover to a public key: the digest is not 32 bytes")
    # Straight into libsecp256k1 with this thread's buffers: coincurve's from_signature_and_message
    # and format() allocate four cffi cells and two objects per call.
    try:
        cells: _RecoverCells = _local.recover
    except AttributeError:
        cells = _local.recover = _RecoverCells()
    ctx = _RECOVER_CTX
    if not _parse_recoverable(ctx, cells.signature, raw, v) or not _recover(
        ctx, cells.pubkey, cells.signature, digest
    ):
        raise SignatureError("signature does not recover to a public key")
    cells.length[0] = 65
    _serialize_pubkey(ctx, cells.serialized, cells.length, cells.pubkey, _UNCOMPRESSED)
    public_key = _secp_ffi.buffer(cells.serialized, 65)[1:]
    # The address is a function of the key alone, and a client meets few keys (its broker's on
    # every frame): known keys skip two keccaks and the checksum's per-character loop.
    address = _known_addresses.get(public_key)
    if address is None:
        address = _checksum_hex(keccak256(public_key)[-20:].hex())
        if len(_known_addresses) >= MAX_KNOWN_ADDRESSES:
            _known_addresses.clear()  # fresh keys only evict (one clear is atomic across threads)
        _known_addresses[public_key] = address
    return address


#: How many recovered public keys keep their address (64 + 42 bytes each; a peer's fresh keys
#: cost it nothing but their own keccaks).
MAX_KNOWN_ADDRESSES = 16
_known_addresses: dict[bytes, str] = {}


class _RecoverCells:
    """One thread's libsecp256k1 cells for recovering a public key."""

    __slots__ = ("length", "pubkey", "serialized", "signature")

    def __init__(self) -> None:
        self.signature = _secp_ffi.new("secp256k1_ecdsa_recoverable_signature *")
        self.pubkey = _secp_ffi.new("secp256k1_pubkey *")
        self.serialized = _secp_ffi.new("unsigned char[65]")
        self.length = _secp_ffi.new("size_t *")


_parse_recoverable = _secp.secp256k1_ecdsa_recoverable_signature_parse_compact
_recover = _secp.secp256k1_ecdsa_recover
_serialize_pubkey = _secp.secp256k1_ec_pubkey_serialize
_UNCOMPRESSED = _secp.SECP256K1_EC_UNCOMPRESSED
_RECOVER_CTX = coincurve.GLOBAL_CONTEXT.ctx  # the context coincurve recovers with


_sign_recoverable = _secp.secp256k1_ecdsa_sign_recoverable
_serialize_compact = _secp.secp256k1_ecdsa_recoverable_signature_serialize_compact
_NULL = _secp_ffi.NULL


class RawKeySigner:
    """A signer over an in-memory private key, for the sandbox node and benchmarks.

    Desktop accounts sign through ``nitro_desktop.keys``; this class never
    shows its key in ``repr`` and refuses to be pickled.
    """

    __slots__ = ("_address", "_ctx", "_key", "_secret")

    def __init__(self, private_key: bytes | str) -> None:
        if isinstance(private_key, str):
            private_key = bytes.fromhex(private_key.removeprefix("0x"))
        if len(private_key) != 32:
            raise ValueError("a private key is 32 bytes")
        self._key = coincurve.PrivateKey(private_key)
        self._secret = self._key.secret
        self._ctx = self._key.context.ctx
        self._address = address_of_public_key(self._key.public_key)

    @classmethod
    def generate(cls) -> RawKeySigner:
        return cls(coincurve.PrivateKey().secret)

    @property
    def address(self) -> str:
        return self._address

    def _sign(self, message_hash: bytes) -> _Scratch:
        """Sign into this thread's buffers: r||s||v (v = 27/28) is then in ``compact``."""
        if type(message_hash) is not bytes:
            message_hash = bytes(message_hash)
        if len(message_hash) != 32:
            raise ValueError("message hash must be 32 bytes long")
        try:
            scratch: _Scratch = _local.scratch
        except AttributeError:
            scratch = _scratch()
        sig, out, recid = scratch.signature, scratch.compact, scratch.recid
        if not _sign_recoverable(self._ctx, sig, message_hash, self._secret, _NULL, _NULL):
            raise ValueError("the private key was rejected by libsecp256k1")
        _serialize_compact(self._ctx, out, recid, sig)
        out[64] = recid[0] + 27
        return scratch

    def unsafe_sign_hash(self, message_hash: bytes) -> bytes:
        """65 bytes r||s||v, v = 27/28 (RFC 6979 nonce: the same as coincurve's ``sign_recoverable``)."""
        signature: bytes = self._sign(message_hash).compact_view[:]
        return signature

    def sign_hash_hex(self, message_hash: bytes) -> str:
        """``unsafe_sign_hash(message_hash).hex()``, written from the output buffer with no bytes
        object between (quorum signatures are hex)."""
        text: str = self._sign(message_hash).compact_hex.hex()
        return text

    def __repr__(self) -> str:
        return f"RawKeySigner(address={self._address})"

    def __reduce__(self) -> Any:
        raise TypeError("signers hold private keys and cannot be pickled")

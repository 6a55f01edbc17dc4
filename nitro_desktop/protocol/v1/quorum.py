"""Quorum signatures: a signer-type byte, then a 65-byte EIP-191 signature (``pkg/app/session_key_v1.go``).

0xA1 is a participant's wallet key, 0xA2 an app session key acting for its owner. The
signed message is the 32-byte hash itself behind the ``"\\x19Ethereum Signed Message:\\n32"``
prefix (``sign.EthereumMsgSigner``), v is 27/28, and the result is lowercase ``0x`` hex as
``hexutil.Encode`` writes it.
"""

from __future__ import annotations

from typing import Any, Literal

from nitro_desktop.protocol.crypto import (
    HashSigner,
    RawKeySigner,
    keccak256,
    new_keccak,
    recover_address,
    signature_bytes,
)
from nitro_desktop.protocol.errors import SignatureError
from nitro_desktop.protocol.v1 import known

SignerKind = Literal["wallet", "session_key"]
KIND_BYTES: dict[str, int] = {"wallet": 0xA1, "session_key": 0xA2}
KIND_NAMES: dict[int, str] = {byte: name for name, byte in KIND_BYTES.items()}
_EIP191_PREFIX = b"\x19Ethereum Signed Message:\n32"
_PREFIXES = {name: f"0x{byte:02x}" for name, byte in KIND_BYTES.items()}
_WALLET = "wallet"


def hash_bytes32(value: bytes | bytearray | memoryview | str, field: str = "hash") -> bytes:
    """A 32-byte digest given as bytes or ``0x`` hex."""
    if isinstance(value, str):
        text = value[2:] if value[:2] in ("0x", "0X") else None
        if text is None or len(text) != 64:
            raise SignatureError(f"{field} must be 32 bytes as 0x and 64 hex digits, got {value!r:.80}")
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
        if len(raw) != 32:  # fromhex skips spaces
            raise SignatureError(f"{field} is not hex: {value!r:.80}")
        return raw
    raw = bytes(value)
    if len(raw) != 32:
        raise SignatureError(f"{field} must be 32 bytes, got {len(raw)}")
    return raw


def eip191_digest(message_hash: bytes) -> bytes:
    """``sign.ComputeEthereumSignedMessageHash`` of a 32-byte hash."""
    return keccak256(_EIP191_PREFIX + message_hash)


def as_signer(signer: HashSigner | bytes | bytearray | str) -> HashSigner:
    """A raw private key (32 bytes, or 64 hex digits with or without 0x) or any ``HashSigner``."""
    if isinstance(signer, bytes | bytearray | str):
        try:
            return RawKeySigner(bytes(signer) if not isinstance(signer, str) else signer)
        except ValueError:
            # Never echo the value: it is meant to be a private key.
            raise SignatureError("a private key must be 32 bytes (64 hex digits)") from None
    if not callable(getattr(signer, "unsafe_sign_hash", None)):
        raise SignatureError(
            f"cannot sign with {type(signer).__name__}: pass a private key or an object with unsafe_sign_hash"
        )
    return signer


def signer_kind_byte(kind: str | int) -> int:
    """'wallet' or 'session_key' (upstream's names), or their type bytes 0xA1 / 0xA2."""
    if type(kind) is int and kind in KIND_NAMES:
        return kind
    try:
        return KIND_BYTES[kind]  # type: ignore[index]
    except (KeyError, TypeError):
        raise SignatureError(
            f"signer kind must be 'wallet' (0xA1) or 'session_key' (0xA2), got {kind!r:.40}"
        ) from None


def quorum_signature(
    hash: bytes | bytearray | str,
    signer: HashSigner | bytes | bytearray | str,
    kind: SignerKind | str | int = _WALLET,
) -> str:
    """Sign a create/update hash as a quorum signature: ``0xa1``/``0xa2`` + r‖s‖v (v = 27/28)."""
    # The default kind is this very str object (no lookup); an equal one takes the dict.
    prefix = "0xa1" if kind is _WALLET else _PREFIXES.get(kind) if type(kind) is str else None
    if prefix is None:
        prefix = f"0x{signer_kind_byte(kind):02x}"
    last = known.last_hash
    if hash is last[0]:
        raw = last[1]  # create_session_hash's own text: its bytes, not a parse of them
    elif type(hash) is str and len(hash) == 66 and hash[:2] == "0x" and hash.isascii():
        try:
            raw = bytes.fromhex(hash[2:])  # the usual case: create_session_hash's own text
        except ValueError:
            raw = b""
        if len(raw) != 32:  # fromhex skips spaces: then it is not 64 hex digits
            raw = hash_bytes32(hash)  # says what is wrong
    else:
        raw = hash_bytes32(hash)
    digest = new_keccak(_EIP191_PREFIX + raw).digest()
    if type(signer) is RawKeySigner:  # r||s||v with v = 27/28 already, as hex
        text = prefix + signer.sign_hash_hex(digest)
    else:
        signer = as_signer(signer)
        text = prefix + signature_bytes(signer.unsafe_sign_hash(digest)).hex()
    known.last_signature = text
    return text


def decode_quorum_signature(signature: Any) -> tuple[str, bytes]:
    """Split a quorum signature into its kind name and its 65-byte signature, as the node does."""
    if not isinstance(signature, str) or not signature.startswith(("0x", "0X")):
        raise SignatureError(f"quorum signature must be 0x-prefixed hex: {signature!r:.80}")
    if len(signature) > 2 + 2 * 200:
        raise SignatureError("quorum signature is too long")
    try:
        raw = bytes.fromhex(signature[2:])
    except ValueError:
        raise SignatureError(f"quorum signature is not hex: {signature!r:.80}") from None
    if not raw:
        raise SignatureError("quorum signature is empty")
    kind = KIND_NAMES.get(raw[0])
    if kind is None:
        raise SignatureError(f"invalid signature: unknown signer type {raw[0]}")
    if len(raw) != 66:
        raise SignatureError(
            f"quorum signature must be 1 type byte and 65 signature bytes, got {len(raw)} bytes"
        )
    return kind, raw[1:]


def recover_quorum(hash: bytes | bytearray | str, signature: str) -> tuple[str, str]:
    """(kind, lowercase address) of the key that made ``signature`` over ``hash``.

    For ``session_key`` the address is the session key's; the node then looks up its owner.
    """
    kind, raw = decode_quorum_signature(signature)
    # The project's recovery takes v in {0, 1, 27, 28}, as Go's RecoverAddressFromHash does.
    address = recover_address(eip191_digest(hash_bytes32(hash)), "0x" + raw.hex())
    return kind, address.lower()


def recover_quorum_signer(hash: bytes | bytearray | str, signature: str) -> str:
    """Lowercase address that signed (``EthereumAddress.String()``), for either signer kind."""
    return recover_quorum(hash, signature)[1]

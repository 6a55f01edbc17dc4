"""Small helpers shared by the key tests."""

from __future__ import annotations

from eth_keys import keys

from nitro_desktop.keys import SignedHash


def recover(digest: bytes, signed: SignedHash) -> str:
    """The EIP-55 address that made ``signed`` over ``digest``."""
    sig = bytes(signed.signature)
    signature = keys.Signature(signature_bytes=sig[:64] + bytes([sig[64] - 27]))
    return signature.recover_public_key_from_msg_hash(digest).to_checksum_address()

"""Quorum signatures as nitronode checks them (``verifyQuorum``), with its texts.

Each entry is ``0x`` hex: one type byte (0xA1 wallet, 0xA2 app session key) and a
65-byte EIP-191 signature over the 32-byte packed hash. Weights count once per signer.
"""

from __future__ import annotations

from collections.abc import Callable

from nitro_desktop.devnode.v1.hashes import eip191_digest
from nitro_desktop.protocol.crypto import recover_address
from nitro_desktop.protocol.errors import ProtocolError

WALLET, SESSION_KEY = 0xA1, 0xA2
_HEX = frozenset("0123456789abcdefABCDEF")


class Fail(Exception):
    """An error frame with exactly this text (``rpc.Errorf`` or a handler's fallback)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def hexutil_decode(text: str) -> bytes:
    """go-ethereum ``hexutil.Decode``; ``ValueError`` with its error text."""
    if not text:
        raise ValueError("empty hex string")
    if not (text[0] == "0" and text[1:2] in ("x", "X")):
        raise ValueError("hex string without 0x prefix")
    body = text[2:]
    even = len(body) - len(body) % 2
    if any(c not in _HEX for c in body[:even]) or (len(body) % 2 and body[-1] not in _HEX):
        raise ValueError("invalid hex string")
    if len(body) % 2:
        raise ValueError("hex string of odd length")
    return bytes.fromhex(body)


def recover_eth_msg(data: bytes, signature: bytes) -> str:
    """``EthereumMsgAddressRecoverer.RecoverAddress`` -> EIP-55 address; ``ValueError`` with Go's text."""
    if len(signature) != 65:
        raise ValueError("invalid signature length")
    v = signature[64] - 27 if signature[64] >= 27 else signature[64]
    if v >= 4:
        raise ValueError("signature recovery failed: invalid signature recovery id")
    if v >= 2:
        raise ValueError("signature recovery failed: recovery failed")
    try:
        return recover_address(eip191_digest(data), "0x" + (signature[:64] + bytes([27 + v])).hex())
    except ProtocolError:
        raise ValueError("signature recovery failed: recovery failed") from None


OwnerLookup = Callable[[str], str]


def recover_quorum_signer(data: bytes, signature: bytes, owner_of: OwnerLookup) -> str:
    """``AppSessionKeyValidatorV1.Recover``: the wallet behind one quorum signature."""
    kind = signature[0]
    if kind == WALLET:
        try:
            return recover_eth_msg(data, signature[1:])
        except ValueError as exc:
            raise ValueError(f"failed to recover wallet address: {exc}") from None
    if kind == SESSION_KEY:
        try:
            key = recover_eth_msg(data, signature[1:])
        except ValueError as exc:
            raise ValueError(f"failed to recover session key address: {exc}") from None
        return owner_of(key)
    raise ValueError(f"invalid signature: unknown signer type {kind}")


def verify_quorum(
    weights: dict[str, int], required: int, data: bytes, signatures: list[str], owner_of: OwnerLookup
) -> None:
    signed: set[str] = set()
    achieved = 0
    for index, text in enumerate(signatures):
        try:
            raw = hexutil_decode(text)
        except ValueError as exc:
            raise Fail(f"failed to decode signature: {exc}") from None
        if not raw:
            raise Fail(f"empty signature after decode at index {index}")
        try:
            wallet = recover_quorum_signer(data, raw, owner_of).lower()
        except ValueError as exc:
            raise Fail(f"failed to recover user wallet: {exc}") from None
        if wallet not in weights:
            raise Fail(f"signature from non-participant: {wallet}")
        if wallet not in signed:
            signed.add(wallet)
            achieved += weights[wallet]
    if achieved < required:
        raise Fail(f"quorum not met: achieved {achieved}, required {required}")

"""Typed errors of the protocol layer: every malformed input ends in one of these."""

from __future__ import annotations


class ProtocolError(ValueError):
    """Input that does not follow the wire protocol; the message is meant for people."""


class FrameFormatError(ProtocolError):
    """Not a JSON object of the frame's shape (server text: "invalid message format")."""


class FrameValidationError(ProtocolError):
    """Well-formed JSON with missing or zero fields (server text: "message validation failed")."""


class EmptyRequestError(ProtocolError):
    """A client frame without ``req`` (server text: "message request is empty")."""


class SignatureError(ProtocolError):
    """A signature that is not 65 bytes of 0x-hex, or that does not recover to a key."""


class AddressError(ProtocolError):
    """Not an Ethereum address, or an address whose EIP-55 checksum is wrong."""


class AmountError(ProtocolError):
    """Not a decimal amount the server accepts."""

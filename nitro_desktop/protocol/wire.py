"""What every dialect's envelope provides: frames out, frames in, and who signed them.

An ``Envelope`` is the part of a dialect that touches bytes. The 0.x dialects share
``frames.ReqSigEnvelope`` (``{"req":[…],"sig":[…]}`` out, ``{"res":[…],"sig":[…]}``
in, every server frame signed by the broker). The v1 protocol brings its own:
bare arrays ``[type, request_id, method, payload, ts]`` both ways, no signature on
any frame (quorum signatures ride inside the payloads), and a ``type`` that says
whether a frame is a response, an event or an error. The client's connection
code only ever talks to this interface, so a new envelope needs no change there.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nitro_desktop.protocol.crypto import HashSigner, keccak256, recover_address
from nitro_desktop.protocol.models import RpcCall


class FrameKind(enum.IntEnum):
    """What a server frame is (v1 writes these numbers on the wire; 0.x infers them)."""

    REQUEST = 1
    RESPONSE = 2
    EVENT = 3
    ERROR = 4


@dataclass(frozen=True, slots=True)
class ServerFrame:
    """A server frame as the client sees it, with the exact signed text (``raw_res``) kept."""

    request_id: int
    method: str
    result: Any
    timestamp: int
    raw_res: str
    signatures: tuple[str, ...]
    #: the whole frame as received, for showing and keeping it exactly
    text: str = ""
    kind: FrameKind = FrameKind.RESPONSE

    def signers(self) -> list[str]:
        """Addresses recovered from the broker's signature(s) over the raw ``res`` bytes."""
        digest = keccak256(self.raw_res.encode("utf-8"))
        return [recover_address(digest, s) for s in self.signatures]


class Envelope(ABC):
    """How one dialect frames requests and reads server frames."""

    #: Whether request frames carry signatures of their own (0.x ``sig``; v1: none).
    signs_requests: bool = True
    #: Whether every server frame is signed by a broker the client pins (0.x; v1: none).
    server_signed: bool = True

    @abstractmethod
    def encode_request(
        self, request_id: int, call: RpcCall, timestamp: int, signers: Sequence[HashSigner]
    ) -> str:
        """The exact text to send. An envelope that does not sign frames refuses signers."""

    @abstractmethod
    def decode(self, text: str | bytes) -> ServerFrame:
        """One server frame, its ``kind`` set; ``ProtocolError`` for anything malformed."""

    def signer(self, frame: ServerFrame) -> str | None:
        """The address that signed ``frame``; None when unsigned (always, without server signatures)."""
        return None

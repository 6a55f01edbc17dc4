"""One request as the handlers see it: the frame, its connection, the parsed params, its signers.

Its own module so ``handlers``, ``transfer`` and ``auth_handlers`` share it without
reaching into each other (the router builds a ``Call`` and hands it to a handler).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.errors import RPCError
from nitro_desktop.protocol import RequestFrame, recover_address, req_digest
from nitro_desktop.protocol.errors import ProtocolError

if TYPE_CHECKING:
    from nitro_desktop.devnode.router import Connection, Router


@dataclass(slots=True)
class Call:
    router: Router
    conn: Connection
    frame: RequestFrame
    user_id: str
    fallback: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def parse(self, fallback: str = "failed to parse parameters") -> dict[str, Any]:
        self.fallback = fallback
        try:
            self.params = self.router.spec.unwrap_params(self.frame.params)
        except ProtocolError:
            raise P.ParamsError("params") from None
        return self.params

    def recovered(self) -> list[str]:
        digest = req_digest(self.frame.raw_req)
        return [recover_address(digest, sig) for sig in self.frame.signatures]

    def verify_signer(self) -> str:
        """``verifySigner``: sig[0] must map to the authenticated wallet; returns the raw signer."""
        if not self.frame.signatures:
            raise RPCError("missing participant signature")
        recovered = recover_address(req_digest(self.frame.raw_req), self.frame.signatures[0])
        mapped = self.router.keys.wallet_of(recovered) or recovered
        if mapped != self.user_id:
            raise RPCError("invalid signature")
        return recovered

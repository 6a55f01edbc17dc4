"""JSON-RPC over HTTP for web3.py, bounded in time and size: the RPC is a peer we do not trust.

web3's own HTTP provider reads whatever the server sends for as long as it sends it. This one
reads at most ``max_bytes`` and gives up after ``timeout`` seconds in all (not per read), never
follows a proxy from the environment, and turns every transport failure into a ``ChainError``
naming the URL (never the peer's own text).
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Any

from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from nitro_desktop.chain.errors import RpcBadAnswer, RpcUnreachable
from nitro_desktop.chain.records import shown_url
from nitro_desktop.protocol.nesting import nesting_within

DEFAULT_TIMEOUT = 15.0
#: Our calls return at most a block header or a channel's data; 4 MiB is far above that.
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024
#: A receipt with its logs nests 4 deep; blocks and errors fewer.
MAX_NESTING = 16


class BoundedHTTPProvider(JSONBaseProvider):
    """A web3 provider that refuses oversized or slow answers."""

    def __init__(
        self, url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        super().__init__()
        self.url = url
        self.shown = shown_url(url)
        self.timeout = timeout
        self.max_bytes = max_bytes
        # An RPC URL is the user's choice; a proxy from the environment is not asked for.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __repr__(self) -> str:
        return f"BoundedHTTPProvider({self.shown!r})"

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        raw = self._post(self.encode_rpc_request(method, params))
        try:
            text = raw.decode("utf-8")
            # web3 imports py_ecc, which lifts the recursion limit: deep JSON would crash, not raise.
            if not nesting_within(text, MAX_NESTING):
                raise ValueError("nested too deep")
            answer = json.loads(text)
        except (ValueError, RecursionError):
            raise RpcBadAnswer(
                f"The RPC at {self.shown} did not answer in JSON-RPC.", detail=f"{method}: not JSON"
            ) from None
        if not isinstance(answer, dict) or ("result" not in answer and "error" not in answer):
            raise RpcBadAnswer(
                f"The RPC at {self.shown} did not answer in JSON-RPC.", detail=f"{method}: no result"
            )
        return answer  # type: ignore[return-value]

    def _post(self, body: bytes) -> bytes:
        deadline = time.monotonic() + self.timeout
        request = urllib.request.Request(  # noqa: S310 (records allow http and https only)
            self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        unreachable = RpcUnreachable(f"No connection to the RPC at {self.shown}.")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                length = response.headers.get("Content-Length")
                if length is not None and length.isdigit() and int(length) > self.max_bytes:
                    raise self._too_large()
                chunks: list[bytes] = []
                size = 0
                while True:
                    if time.monotonic() > deadline:
                        raise RpcUnreachable(
                            f"The RPC at {self.shown} took longer than {self.timeout:g} s to answer."
                        )
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise self._too_large()
                    chunks.append(chunk)
                return b"".join(chunks)
        except urllib.error.HTTPError as exc:
            raise RpcBadAnswer(
                f"The RPC at {self.shown} answered with HTTP error {exc.code}.", detail=str(exc.code)
            ) from None
        except TimeoutError:
            raise RpcUnreachable(
                f"The RPC at {self.shown} took longer than {self.timeout:g} s to answer."
            ) from None
        except (OSError, ValueError, http.client.HTTPException) as exc:  # refused, reset, DNS, TLS, bad HTTP
            unreachable.detail = type(exc).__name__
            raise unreachable from None

    def _too_large(self) -> RpcBadAnswer:
        return RpcBadAnswer(
            f"The RPC at {self.shown} sent an answer over {self.max_bytes // 1024} KiB; it was refused."
        )

"""A hostile JSON-RPC server on loopback: answers too large, too slow, not JSON, or wrong.

For the faults anvil will not produce. ``answers`` maps a method to a JSON result, or to raw
bytes sent as the whole HTTP body; ``stall`` holds every answer until released. With
``upstream`` (an anvil URL) it is a proxy instead: ``down`` hangs up on every request unanswered,
and a method in ``swallow`` reaches anvil but its answer is thrown away.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class HostileRpc:
    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.stall = threading.Event()
        self.release = threading.Event()
        self.url = ""
        self.upstream = ""
        self.down = threading.Event()
        self.swallow: set[str] = set()

    def forward(self, request: bytes) -> bytes | None:
        """anvil's answer to ``request``, or None when the client must get no answer."""
        if self.down.is_set():
            return None
        forwarded = urllib.request.Request(  # noqa: S310 (a loopback anvil)
            self.upstream, request, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(forwarded, timeout=30) as answer:  # noqa: S310
            body: bytes = answer.read()
        return None if json.loads(request).get("method") in self.swallow else body

    def body_for(self, request: bytes) -> bytes:
        message = json.loads(request)
        answer = self.answers.get(message.get("method"))
        if isinstance(answer, bytes):
            return answer
        if answer is None:
            return json.dumps({"jsonrpc": "2.0", "id": message.get("id"), "error": {"code": -32601}}).encode()
        return json.dumps({"jsonrpc": "2.0", "id": message.get("id"), "result": answer}).encode()


@contextmanager
def hostile_rpc() -> Iterator[HostileRpc]:
    rpc = HostileRpc()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if rpc.stall.is_set():
                rpc.release.wait(30)
                return
            body = rpc.forward(request) if rpc.upstream else rpc.body_for(request)
            if body is None:
                return  # hang up unanswered
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()  # no Content-Length: the client must bound the read itself
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rpc.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rpc
    finally:
        rpc.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)

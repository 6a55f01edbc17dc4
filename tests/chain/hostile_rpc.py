"""A hostile JSON-RPC server on loopback: answers too large, too slow, not JSON, or wrong.

For the faults anvil will not produce. ``answers`` maps a method to a JSON result, or to raw
bytes sent as the whole HTTP body; ``stall`` holds every answer until released.
"""

from __future__ import annotations

import json
import threading
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
            body = rpc.body_for(request)
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

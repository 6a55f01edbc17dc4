"""One bounded HTTP/1.1 POST on the event loop (the chain watcher's transport).

On the loop rather than in a worker thread: a thread that runs Python can trigger the garbage
collector, which may then free Qt objects off the GUI thread (the app runs the sandbox under
qasync). Standard library only; no proxy from the environment, no redirects, no compression.
Every part of the answer is bounded: the status line and headers (64 KiB, 100 lines), the body
(``max_bytes``, whether sized, chunked or read to the end), and the whole exchange (``timeout``).
"""

from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit

MAX_HEAD_BYTES = 64 << 10
MAX_HEADERS = 100


class HttpError(Exception):
    """The request could not be made or its answer read (the text says which)."""


async def _head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    status_line = await reader.readline()
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise HttpError("not an HTTP answer")
    headers: dict[str, str] = {}
    size = len(status_line)
    for _ in range(MAX_HEADERS + 1):
        line = await reader.readline()
        size += len(line)
        if size > MAX_HEAD_BYTES:
            raise HttpError("answer headers too long")
        if line in (b"\r\n", b"\n", b""):
            return int(parts[1]), headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    raise HttpError("too many answer headers")


async def _chunked(reader: asyncio.StreamReader, max_bytes: int) -> bytes:
    body = bytearray()
    while True:
        size_text = (await reader.readline()).split(b";", 1)[0].strip()
        if not size_text or len(size_text) > 16:
            raise HttpError("bad chunk size")
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpError("bad chunk size") from None
        if size == 0:
            return bytes(body)
        if len(body) + size > max_bytes:
            raise HttpError(f"answer over {max_bytes} bytes")
        body += await reader.readexactly(size)
        await reader.readexactly(2)  # the chunk's CRLF


async def _body(reader: asyncio.StreamReader, headers: dict[str, str], max_bytes: int) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _chunked(reader, max_bytes)
    length_text = headers.get("content-length")
    if length_text is not None:
        if not length_text.isdigit() or len(length_text) > 18:
            raise HttpError("bad Content-Length")
        if int(length_text) > max_bytes:
            raise HttpError(f"answer over {max_bytes} bytes")
        return await reader.readexactly(int(length_text))
    body = await reader.read(max_bytes + 1)
    while len(body) <= max_bytes:
        more = await reader.read(max_bytes + 1 - len(body))
        if not more:
            break
        body += more
    if len(body) > max_bytes:
        raise HttpError(f"answer over {max_bytes} bytes")
    return body


async def _exchange(loop: asyncio.AbstractEventLoop, url: str, body: bytes, max_bytes: int) -> bytes:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpError(f"not an http(s) URL: {url}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    context = ssl.create_default_context() if parts.scheme == "https" else None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rpartition("@")[2]
    reader = asyncio.StreamReader(limit=MAX_HEAD_BYTES, loop=loop)
    protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport, _ = await loop.create_connection(lambda: protocol, parts.hostname, port, ssl=context)
    writer = asyncio.StreamWriter(transport, protocol, reader, loop)
    try:
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        status, headers = await _head(reader)
        if status != 200:
            raise HttpError(f"HTTP {status} from {url}")
        return await _body(reader, headers, max_bytes)
    finally:
        writer.close()  # not awaited: a peer that never finishes closing must not hold the watcher


async def post(
    loop: asyncio.AbstractEventLoop, url: str, body: bytes, *, timeout: float, max_bytes: int
) -> bytes:
    """POST ``body`` as JSON to ``url``; the answer's body, or ``HttpError``.

    Everything goes through ``loop`` (none of asyncio's helpers that ask for the running loop):
    under qasync a timer may resume the watcher while Qt, not the loop, is processing events.
    """
    exchange = loop.create_task(_exchange(loop, url, body, max_bytes))
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        exchange.cancel()

    timer = loop.call_later(timeout, expire)
    try:
        return await exchange
    except HttpError:
        raise
    except asyncio.CancelledError:
        if expired:
            raise HttpError(f"cannot reach {url}: no answer in {timeout:g} s") from None
        raise
    except asyncio.IncompleteReadError:
        raise HttpError(f"{url} closed the connection mid-answer") from None
    except (asyncio.LimitOverrunError, ValueError):
        raise HttpError("an answer line too long") from None
    except OSError as exc:
        raise HttpError(f"cannot reach {url}: {exc.strerror or exc}") from None
    finally:
        timer.cancel()
        exchange.cancel()

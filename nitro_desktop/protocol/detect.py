"""Which dialect a ClearNode speaks, from what it answers to one probe (pure; the socket is the client's).

The probe is v1's ``[1, id, "node.v1.get_config", {}, ts]``. A v1 node answers it in kind
(``[2, id, …]``); a 0.x node cannot read it and answers ``{"res": [id, "error", …]}``, or
has already pushed its assets. A 0.x frame's params tell the generation: a one-element
array in the mid-2025 servers (0.2), a bare object from v0.3 on (0.5).
"""

from __future__ import annotations

import json
from typing import Any

from nitro_desktop.protocol.dialect import Dialect

PROBE_METHOD = "node.v1.get_config"
#: Answers longer than this are not parsed for detection (a config is a few KiB).
MAX_PROBE_ANSWER = 256 * 1024


def probe_frame(request_id: int, timestamp: int) -> str:
    return json.dumps([1, request_id, PROBE_METHOD, {}, timestamp], separators=(",", ":"))


def dialect_of_answer(text: str | bytes, request_id: int) -> Dialect | None:
    """The dialect a frame shows, or None when it tells nothing (then read the next one)."""
    if len(text) > MAX_PROBE_ANSWER:
        return None
    try:
        doc: Any = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(doc, list):
        if len(doc) == 5 and doc[0] in (2, 4) and doc[1] == request_id:
            return Dialect.V1 if doc[0] == 2 and doc[2] == PROBE_METHOD else None
        return None
    if isinstance(doc, dict):
        body = doc.get("res")
        if isinstance(body, list) and len(body) >= 3:
            params = body[2]
            if isinstance(params, dict):
                return Dialect.V05
            if isinstance(params, list):
                return Dialect.V02
    return None

"""Who signed a server frame, remembered for frames that come again byte for byte.

Recovering the signer is the dearest step of reading a frame (one libsecp256k1
recovery per signature, several times the cost of parsing it), and servers do send
the same frame twice: the same ``bu`` for each of a wallet's entries in a change,
a notification re-sent unchanged. An envelope's ``signer`` depends on the signed
text and the signatures alone (``Envelope.signer``: it recovers from ``raw_res``
and ``signatures``), so a frame seen before gets the same answer without the curve
work. The memo is bounded in entries and keeps only small frames' text: a peer
sending fresh frames only evicts, and large frames are always recovered afresh.
"""

from __future__ import annotations

from nitro_desktop.protocol import Envelope, ServerFrame

#: Frames longer than this (in characters, signed text or whole frame) are not remembered.
MAX_TEXT = 2048
#: How many distinct frames are remembered (the oldest goes first).
MAX_ENTRIES = 32


class SignerMemo:
    """``envelope.signer(frame)``, with the last few small frames' answers kept."""

    __slots__ = ("_envelope", "_known", "_max_entries", "_max_text", "hits")

    def __init__(
        self, envelope: Envelope, *, max_entries: int = MAX_ENTRIES, max_text: int = MAX_TEXT
    ) -> None:
        self._envelope = envelope
        self._known: dict[tuple[str, tuple[str, ...]], str | None] = {}
        self._max_entries = max_entries
        self._max_text = max_text
        #: answers given from memory (for tests and status views)
        self.hits = 0

    def signer(self, frame: ServerFrame) -> str | None:
        raw = frame.raw_res
        # The whole text bounds the signatures too.
        if len(raw) > self._max_text or len(frame.text) > self._max_text:
            return self._envelope.signer(frame)
        key = (raw, frame.signatures)
        known = self._known
        if key in known:
            self.hits += 1
            return known[key]
        signer = self._envelope.signer(frame)
        if len(known) >= self._max_entries:
            del known[next(iter(known))]
        known[key] = signer
        return signer

"""EIP-55 addresses for display, ready for the session list's first paint.

``protocol.crypto`` loads coincurve (cffi) with it, tens of milliseconds the first
paint of a list with rows would wait for. safe-pysha3's C type, the keccak
``protocol.crypto`` itself prefers, imports in about a millisecond, so the list
hashes through it directly (tests/ui/test_checksum.py compares both on random
addresses); where it is not installed, ``protocol.crypto`` answers instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def _load_keccak() -> Callable[[bytes], bytes]:
    try:
        from _pysha3 import keccak_256
    except ImportError:  # pragma: no cover - safe-pysha3 is a dependency; kept for odd platforms
        from nitro_desktop.protocol.crypto import keccak256

        return keccak256
    return lambda data: bytes(keccak_256(data).digest())


_keccak256: Callable[[bytes], bytes] | None = None


def keccak256(data: bytes) -> bytes:
    """Legacy Keccak-256 (as Ethereum hashes), without loading coincurve or pycryptodome."""
    global _keccak256
    if _keccak256 is None:
        _keccak256 = _load_keccak()
    return _keccak256(data)


@lru_cache(maxsize=4096)
def _checksum_hex(hex40_lower: str) -> str:
    digest = keccak256(hex40_lower.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hex40_lower)
    )


def eip55(value: object) -> str:
    """The EIP-55 form of an address, or the text as stored when it is not one.

    As ``protocol.crypto.to_checksum_address``, except that what it refuses (not an
    address, or a mixed-case address with a wrong checksum) is shown as it is.
    """
    text = str(value)[:100]
    if not _HEX_ADDRESS.fullmatch(text):
        return text
    body = text[2:]
    checksummed = _checksum_hex(body.lower())
    if body != body.lower() and body != body.upper() and checksummed != text:
        return text
    return checksummed

"""EIP-55 addresses for display, ready for the session list's first paint.

``protocol.crypto`` hashes through pycryptodome's cffi binding, whose set-up
(cffi parsing C declarations with pycparser) takes about 150 ms: paid in the
first paint of a list with rows, it kept the window blank that long. The same
C keccak is reached here through ctypes, which loads in a millisecond. Same
library, same digest (tests/ui/test_checksum.py compares both on random
addresses); when the library cannot be found this way (an unusual bundle),
``protocol.crypto`` answers instead.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import importlib.util
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_KECCAK256_CAPACITY, _ROUNDS, _KECCAK_PADDING = 64, 24, 0x01  # legacy Keccak, as Ethereum hashes


def _load_keccak() -> Callable[[bytes], bytes] | None:
    """keccak256 over pycryptodome's C library through ctypes, or None when it is not found."""
    spec = importlib.util.find_spec("Crypto")  # finds the package without importing it
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    files = [
        Path(folder, "Hash", "_keccak" + suffix)
        for folder in folders
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
    ]
    found = next((f for f in files if f.is_file()), None)
    if found is None:
        return None
    try:
        lib = ctypes.CDLL(str(found))
        init, absorb, digest, destroy = (
            lib.keccak_init,
            lib.keccak_absorb,
            lib.keccak_digest,
            lib.keccak_destroy,
        )
    except (OSError, AttributeError):
        return None
    init.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t, ctypes.c_uint8]
    absorb.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    digest.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint8]
    destroy.argtypes = [ctypes.c_void_p]
    for f in (init, absorb, digest, destroy):
        f.restype = ctypes.c_int

    def keccak256(data: bytes) -> bytes:
        # A state per call: nothing shared between threads, and 40-byte inputs make it cheap.
        state = ctypes.c_void_p()
        if init(ctypes.byref(state), _KECCAK256_CAPACITY, _ROUNDS):
            raise MemoryError("cannot allocate a keccak state")
        try:
            out = ctypes.create_string_buffer(32)
            if absorb(state, data, len(data)) or digest(state, out, 32, _KECCAK_PADDING):
                raise ValueError("keccak failed")
            return out.raw
        finally:
            destroy(state)

    return keccak256


_keccak256: Callable[[bytes], bytes] | None = None
_loaded = False


def keccak256(data: bytes) -> bytes:
    """Legacy Keccak-256, through ctypes when the library is found, else through protocol.crypto."""
    global _keccak256, _loaded
    if not _loaded:
        _keccak256, _loaded = _load_keccak(), True
    if _keccak256 is not None:
        return _keccak256(data)
    from nitro_desktop.protocol.crypto import keccak256 as slow_to_load

    return slow_to_load(data)


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

"""What may appear in logs: frames with signatures and tokens shortened, never a key."""

from __future__ import annotations

import re

_LONG_HEX = re.compile(r"0x[0-9a-fA-F]{100,}")  # signatures (130 hex), not 64-hex ids
_TOKEN_FIELD = re.compile(r'("(?:jwt_token|jwt|challenge|challenge_message)"\s*:\s*")([^"]*)(")')
_JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}")
_MAX_LOGGED = 600


def short(secret: str, keep: int = 6) -> str:
    """``0x1234…abcd``: enough to tell values apart, too little to use one."""
    if len(secret) <= 2 * keep + 1:
        return "…" if len(secret) > keep else secret
    return f"{secret[:keep]}…{secret[-4:]}"


_KEY_FIELD = re.compile(r"(?i)(private[_ ]?key|secret|password)(\W{1,4})(0x)?[0-9a-fA-F]{64}")


def redact_text(text: str) -> str:
    """Free text (a traceback, an error) made safe: secrets shortened, nothing cut."""
    text = _KEY_FIELD.sub(lambda m: m.group(1) + m.group(2) + "<redacted>", text)
    text = _TOKEN_FIELD.sub(lambda m: m.group(1) + short(m.group(2)) + m.group(3), text)
    text = _JWT.sub(lambda m: short(m.group(0)), text)
    return _LONG_HEX.sub(lambda m: short(m.group(0)), text)


def redact(text: str | bytes) -> str:
    """A frame made safe for logs: long hex (signatures), JWTs and challenges shortened, then cut."""
    if isinstance(text, bytes):
        text = f"<{len(text)} binary bytes>"
    text = _TOKEN_FIELD.sub(lambda m: m.group(1) + short(m.group(2)) + m.group(3), text)
    text = _JWT.sub(lambda m: short(m.group(0)), text)
    text = _LONG_HEX.sub(lambda m: short(m.group(0)), text)
    if len(text) > _MAX_LOGGED:
        text = text[:_MAX_LOGGED] + f"… ({len(text)} chars)"
    return text

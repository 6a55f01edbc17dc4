"""The client's log redaction: the rules of ``nitro_desktop.redact``, a leaf module any layer may use."""

from __future__ import annotations

from nitro_desktop.redact import forget_secret, redact, redact_text, register_secret, short

__all__ = ["forget_secret", "redact", "redact_text", "register_secret", "short"]

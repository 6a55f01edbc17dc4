"""The key store's own small types (the store keeps the same words as text of its own)."""

from __future__ import annotations

from typing import Literal

#: Where a secret lives: the OS keyring, or an encrypted keystore file.
Backend = Literal["keyring", "file"]

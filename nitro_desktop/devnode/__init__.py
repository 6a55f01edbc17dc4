"""The local sandbox ClearNode: a websockets server with the real server's rules.

``SandboxNode`` is the public API; ``nitro-desktop sandbox`` runs one from the
command line. See PROTOCOL.md §1–§6 for the rules it follows.
"""

from __future__ import annotations

from nitro_desktop.devnode.config import DEFAULT_ASSETS, AssetConfig
from nitro_desktop.devnode.server import SandboxNode

__all__ = ["DEFAULT_ASSETS", "AssetConfig", "SandboxNode"]

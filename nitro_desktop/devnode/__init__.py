"""The local sandbox ClearNode: a websockets server with the real server's rules.

``SandboxNode`` is the public API; ``nitro-desktop sandbox`` runs one from the
command line. See PROTOCOL.md §1–§6 for the rules it follows.
"""

from __future__ import annotations

from typing import Any

from nitro_desktop.devnode.config import DEFAULT_ASSETS, AssetConfig
from nitro_desktop.devnode.server import SandboxNode
from nitro_desktop.devnode.v1 import V1SandboxNode

SANDBOX_DIALECTS = ("0.2", "0.5", "1")


def sandbox_node(dialect: str = "0.2", **kwargs: Any) -> SandboxNode:
    """A sandbox node for ``dialect``: "1" is the v1 node (its own module), the rest ``SandboxNode``."""
    node_class = V1SandboxNode if dialect == "1" else SandboxNode
    return node_class(dialect=dialect, **kwargs)


__all__ = [
    "DEFAULT_ASSETS",
    "SANDBOX_DIALECTS",
    "AssetConfig",
    "SandboxNode",
    "V1SandboxNode",
    "sandbox_node",
]

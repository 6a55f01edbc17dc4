"""The sandbox ClearNode in dialect "1" (Nitrolite v1 / nitronode v1.4.1); see docs/sandbox-v1.md."""

from __future__ import annotations

from nitro_desktop.devnode.v1.node import V1SandboxNode

__all__ = ["V1SandboxNode"]

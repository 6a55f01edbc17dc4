"""The dialect names alone, for what only stores or compares them (the store, settings).

Kept apart from ``dialect`` (the specs), which loads the crypto and frame modules.
"""

from __future__ import annotations

import enum


class Dialect(enum.StrEnum):
    """Wire dialects: "0.2" is the mid-2025 array-params ClearNode, "0.5" is ClearNode v0.5.x,
    "1" is Nitrolite v1 (nitronode v1.4.x)."""

    V02 = "0.2"
    V05 = "0.5"
    V1 = "1"

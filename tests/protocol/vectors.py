"""Loads the SDK test vectors from ../shared at test time (never copied into the repo)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from tests.conftest import VECTORS

FILES = {
    "seed_sdk013.json": "0.2",
    "seed_sdk0226.json": "0.2",
    "v04_sdk053.json": "0.5",
    "responses_constructed.json": None,
    "upstream_server_test.json": None,
}


@cache
def load(name: str) -> dict[str, Any]:
    with open(VECTORS / name, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def all_vectors() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(file name, file-level data, vector) for every vector of every file."""
    out = []
    for name in FILES:
        data = load(name)
        for vector in data["vectors"]:
            out.append((name, data, vector))
    return out


def private_keys(data: dict[str, Any]) -> dict[str, str]:
    """EIP-55 address -> private key hex, from a file's `keys` table."""
    return {k["address"]: k["private_key"] for k in data.get("keys", {}).values()}

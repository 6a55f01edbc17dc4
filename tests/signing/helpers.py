"""Shared set-up for the signing tests: a referee of weight 100 and two funding players."""

from __future__ import annotations

import time
from decimal import Decimal

from nitro_desktop.protocol import Allocation, AppDefinition, RawKeySigner

REFEREE_KEY = "0x" + "11" * 32
ALICE_KEY = "0x" + "22" * 32
BOB_KEY = "0x" + "33" * 32
APP = "nitro-desktop-signing-tests"
URL = "ws://127.0.0.1:1/ws"


def players() -> tuple[RawKeySigner, RawKeySigner, RawKeySigner]:
    return RawKeySigner(REFEREE_KEY), RawKeySigner(ALICE_KEY), RawKeySigner(BOB_KEY)


def game(dialect: str = "0.2", nonce: int | None = None) -> AppDefinition:
    referee, alice, bob = players()
    protocol = "NitroRPC/0.4" if dialect == "0.5" else "NitroRPC/0.2"
    return AppDefinition(
        protocol,
        (referee.address, alice.address, bob.address),
        (100, 0, 0),
        100,
        0,
        nonce or time.time_ns() // 1000,
        application=APP,
    )


def stakes(alice: int, bob: int, referee: int = 0) -> list[Allocation]:
    r, a, b = players()
    return [
        Allocation(r.address, "usdc", Decimal(referee)),
        Allocation(a.address, "usdc", Decimal(alice)),
        Allocation(b.address, "usdc", Decimal(bob)),
    ]

"""Shared set-up for client tests against the sandbox ClearNode on 127.0.0.1."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from nitro_desktop.client import Backoff, ClearNodeClient
from nitro_desktop.devnode import SandboxNode
from nitro_desktop.protocol import Allocation, AppDefinition, RawKeySigner

FAST = Backoff(initial=0.01, cap=0.05)
APP = "nitro-desktop-tests"
KEY_A = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


@contextlib.asynccontextmanager
async def sandbox(dialect: str, **kwargs: Any) -> AsyncIterator[SandboxNode]:
    kwargs.setdefault("port", 0)
    node = SandboxNode(host="127.0.0.1", dialect=dialect, **kwargs)
    await node.start()
    try:
        yield node
    finally:
        await node.stop()


def wallets(node: SandboxNode, amount: int = 100) -> tuple[RawKeySigner, RawKeySigner]:
    a, b = RawKeySigner(KEY_A), RawKeySigner.generate()
    node.fund(a.address, "usdc", amount)
    return a, b


_nonce = [0]


def definition(dialect: str, a: RawKeySigner, b: RawKeySigner) -> AppDefinition:
    _nonce[0] += 1
    protocol = "NitroRPC/0.4" if dialect == "0.5" else "NitroRPC/0.2"
    nonce = int(time.time() * 1000) * 1000 + _nonce[0]
    return AppDefinition(protocol, (a.address, b.address), (100, 0), 100, 0, nonce, application=APP)


def split(a: RawKeySigner, b: RawKeySigner, x: int, y: int) -> list[Allocation]:
    return [Allocation(a.address, "usdc", Decimal(x)), Allocation(b.address, "usdc", Decimal(y))]


def submit_kwargs(dialect: str, version: int) -> dict[str, Any]:
    return {"intent": "operate", "version": version} if dialect == "0.5" else {}


async def ready_client(url: str, dialect: str, wallet: RawKeySigner, **kwargs: Any) -> ClearNodeClient:
    kwargs.setdefault("timeout", 2.0)
    kwargs.setdefault("backoff", FAST)
    client = ClearNodeClient(url, dialect, **kwargs)
    await client.connect()
    await client.authenticate(wallet, app_name=APP, allowances=[("usdc", "1000")], scope="app.create")
    return client

"""Building blocks of the live tests: clients, definitions, allocations, fresh nonces."""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from typing import Any

from nitro_desktop.client import Backoff, ClearNodeClient
from nitro_desktop.protocol import Allocation, AppDefinition, HashSigner, RawKeySigner
from tests.live.conftest import FrameRecorder, LiveTarget

APP = "nitro-desktop-live"
FAST = Backoff(initial=0.05, cap=0.2)
_counter = itertools.count(1)


def fresh_nonce() -> int:
    """Unique per run and process, and below 2**53 (the real server reads params as float64)."""
    return int(time.time() * 1000) * 1000 + next(_counter) % 1000


async def client_for(
    target: LiveTarget,
    frames: FrameRecorder,
    wallet: HashSigner | None = None,
    *,
    app: str = APP,
    **kwargs: Any,
) -> ClearNodeClient:
    """A connected client, authenticated as ``wallet`` (its own session key) when given."""
    kwargs.setdefault("timeout", 5.0)
    kwargs.setdefault("backoff", FAST)
    client = frames.watch(ClearNodeClient(target.url, target.dialect, **kwargs))
    await client.connect()
    if wallet is not None:
        await client.authenticate(wallet, app_name=app, allowances=[(target.asset, "1000000")])
    return client


@contextlib.asynccontextmanager
async def connected(
    target: LiveTarget, frames: FrameRecorder, wallet: HashSigner | None = None, **kwargs: Any
) -> AsyncIterator[ClearNodeClient]:
    """``client_for`` as ``async with``: the client is closed however the test ends."""
    client = await client_for(target, frames, wallet, **kwargs)
    try:
        yield client
    finally:
        await client.close()


def definition(
    target: LiveTarget,
    participants: Sequence[str],
    weights: Sequence[int],
    quorum: int = 100,
    *,
    protocol: str | None = None,
    nonce: int | None = None,
    application: str = APP,
) -> AppDefinition:
    return AppDefinition(
        protocol or target.protocols()[-1],
        tuple(participants),
        tuple(weights),
        quorum,
        0,
        fresh_nonce() if nonce is None else nonce,
        application=application,
    )


def allocations(target: LiveTarget, pairs: Sequence[tuple[str, int | str | Decimal]]) -> list[Allocation]:
    return [Allocation(p, target.asset, Decimal(str(a))) for p, a in pairs]


def stranger() -> RawKeySigner:
    """A wallet with nothing on the node (a zero-allocation participant, a co-signer)."""
    return RawKeySigner.generate()


async def balance(client: ClearNodeClient, asset: str) -> Decimal:
    for item in await client.get_ledger_balances():
        if item.asset == asset:
            return Decimal(item.amount)
    return Decimal(0)


def submit_kwargs(target: LiveTarget, protocol: str, version: int, intent: str = "operate") -> dict[str, Any]:
    return {"intent": intent, "version": version} if protocol == "NitroRPC/0.4" else {}

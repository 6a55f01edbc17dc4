"""Which forms of a broker's signature the client accepts, through the real sandbox and the proxy.

Recovery, not ``secp256k1_ecdsa_verify``, decides: the high-s twin of a genuine
signature (r, n-s, other v) recovers the broker and is delivered; the same bytes
with only v flipped recover another key and are dropped (verify, which ignores v,
would take them), and so is a high-s s with v kept. A faster check must keep this.
"""

from __future__ import annotations

from typing import Any

import pytest
from coincurve.utils import GROUP_ORDER_INT

from nitro_desktop.protocol import BalanceUpdate
from tests.client.proxy import FaultProxy
from tests.client.test_signer_memo import rig


def resigned(frame: str, flip_v: bool, high_s: bool) -> str:
    head, sig = frame[: frame.index('"sig":["') + 8], frame[frame.index('"sig":["') + 8 : -3]
    raw = bytes.fromhex(sig[2:])
    r, s, v = raw[:32], raw[32:64], raw[64]
    if high_s:
        s = (GROUP_ORDER_INT - int.from_bytes(s, "big")).to_bytes(32, "big")
    if flip_v:
        v = 55 - v if v >= 27 else 1 - v
    return head + "0x" + (r + s + bytes([v])).hex() + '"]}'


@pytest.mark.asyncio
async def test_the_high_s_twin_is_delivered_a_flipped_v_dropped() -> None:
    async with rig() as (node, proxy, client, a):
        events: list[Any] = []
        client.on(events.append, types=(BalanceUpdate,))
        node.fund(a.address, "usdc", 1)
        await client.ping()
        delivered, rejected = len(events), client.stats.frames_rejected
        genuine = proxy.last_server_frame["bu"]
        forms = {
            "twin": resigned(genuine, flip_v=True, high_s=True),
            "v flipped": resigned(genuine, flip_v=True, high_s=False),
            "high s, v kept": resigned(genuine, flip_v=False, high_s=True),
            "forged": FaultProxy.forged(genuine),
        }
        assert len({genuine, *forms.values()}) == 5
        for text in (
            forms["v flipped"],
            forms["twin"],
            forms["high s, v kept"],
            forms["forged"],
            forms["twin"],
        ):
            await proxy.inject(text)
        await client.ping()
        assert len(events) - delivered == 2  # the twin, twice
        assert client.stats.frames_rejected - rejected == 3
        assert all(e.balances[0].amount == 101 for e in events[delivered:])

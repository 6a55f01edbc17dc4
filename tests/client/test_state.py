"""Backoff, status cell and log redaction (no network)."""

from __future__ import annotations

import asyncio
import random

import pytest

from nitro_desktop.client import Backoff, ConnectionState, redact
from nitro_desktop.client.state import StatusCell


def test_backoff_grows_exponentially_with_jitter_and_caps_at_30s() -> None:
    backoff = Backoff()
    rng = random.Random(7)
    delays = [backoff.delay(n, rng) for n in range(1, 20)]
    assert all(d <= 30.0 for d in delays)
    assert 0.25 <= delays[0] <= 0.5
    assert delays[-1] >= 15.0  # capped base 30 with at most 50 % jitter
    assert len({round(d, 6) for d in delays[-5:]}) == 5  # jitter: no lock-step retries
    for n in range(1, 6):  # the base doubles until the cap
        assert backoff.delay(n, random.Random(0)) * 2 == pytest.approx(backoff.delay(n + 1, random.Random(0)))


def test_backoff_is_injectable_small() -> None:
    backoff = Backoff(initial=0.01, cap=0.05)
    assert max(backoff.delay(n) for n in range(1, 50)) <= 0.05


@pytest.mark.asyncio
async def test_status_cell_notifies_on_change_only() -> None:
    cell = StatusCell("ws://x")
    seen: list[ConnectionState] = []
    unsubscribe = cell.subscribe(lambda s: seen.append(s.state))
    cell.set(ConnectionState.CONNECTING)
    cell.set(ConnectionState.CONNECTING)
    cell.set(ConnectionState.RECONNECTING, last_error="boom", next_attempt_at=1.0, attempt=1)
    assert cell.value.last_error == "boom" and cell.value.next_attempt_at == 1.0
    cell.set(ConnectionState.READY)
    assert cell.value.last_error is None and cell.value.next_attempt_at is None
    unsubscribe()
    cell.set(ConnectionState.DISCONNECTED)
    assert seen == [ConnectionState.CONNECTING, ConnectionState.RECONNECTING, ConnectionState.READY]
    waiter = asyncio.create_task(cell.wait_for(lambda s: s.state is ConnectionState.READY, 1))
    await asyncio.sleep(0)
    cell.set(ConnectionState.READY)
    assert (await waiter).state is ConnectionState.READY


def test_redact_shortens_signatures_and_tokens_but_keeps_labelled_ids() -> None:
    sig = "0x" + "ab" * 65
    session_id = "0x" + "cd" * 32
    jwt = "eyJhbGciOiJFUzI1NiJ9.eyJwb2xpY3kiOnt9fQ.c2lnbmF0dXJlc2lnbmF0dXJl"
    result = f'{{"jwt_token":"{jwt}","app_session_id":"{session_id}"}}'
    frame = f'{{"res":[1,"auth_verify",[{result}],1],"sig":["{sig}"]}}'
    text = redact(frame)
    assert sig not in text and jwt not in text
    assert session_id in text  # labelled as an id; the same 32 bytes unlabelled would be removed
    assert session_id not in redact(f'{{"session":"{session_id}"}}')
    assert redact('{"req":[2,"auth_verify",[{"jwt":"opaque-hmac-token-123456"}],1]}').count("123456") == 0
    assert redact(b"\x00\x01") == "<2 binary bytes>"
    assert len(redact("x" * 10_000)) < 700

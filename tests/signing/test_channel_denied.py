"""0.5 refuses work while funds sit in an on-chain channel; the app explains it (difference #6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nitro_desktop.client import ClearNodeError
from nitro_desktop.flows import page_for_server_error
from tests.client.helpers import definition, ready_client, sandbox, split, wallets
from tests.keys.memory_keyring import MemoryKeyring
from tests.signing.conftest import ThreadedSandbox
from tests.signing.helpers import REFEREE_KEY, players
from tests.signing.test_cli_broker_pin import create_args
from tests.signing.test_cli_three_profiles import profile, run


@pytest.mark.asyncio
async def test_create_refused_for_funds_in_a_channel_is_explained() -> None:
    async with sandbox("0.5") as node:
        a, b = wallets(node)
        node.fund(a.address, "usdc", 7, in_channel=True)
        client = await ready_client(node.url, "0.5", a)
        try:
            with pytest.raises(ClearNodeError) as refused:
                await client.create_app_session(definition("0.5", a, b), split(a, b, 10, 0), [a])
        finally:
            await client.close()
    error = refused.value
    assert error.message.startswith("operation denied: non-zero allocation in 1 channel(s)")
    assert error.explanation is not None and "on-chain channel" in error.explanation
    assert "Close the channel" in str(error) and error.message in str(error)
    assert page_for_server_error(error.message) is None  # no wizard page can fix it


def test_cli_explains_the_channel_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], global_keyring: MemoryKeyring
) -> None:
    referee = players()[0]
    referee_dir = profile(tmp_path, capsys, "referee", REFEREE_KEY)
    node = ThreadedSandbox("0.5")
    try:
        node.fund(referee.address, 100)
        node.call(lambda: node.node.fund(referee.address, "usdc", 3, in_channel=True))
        code, out = run(
            capsys, referee_dir, *create_args(tmp_path, "--endpoint", node.url, "--dialect", "0.5")
        )
    finally:
        node.stop()
    assert code == 2, out
    assert "operation denied: non-zero allocation in 1 channel(s)" in out
    assert "with the Yellow app or SDK first" in out

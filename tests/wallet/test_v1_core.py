"""The session core on dialect "1": the Local sandbox (v1) the app's factory starts on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from nitro_desktop.app import local_sandbox_factory
from nitro_desktop.client import ClearNodeClient
from nitro_desktop.protocol import Dialect
from nitro_desktop.wallet.endpoints import SANDBOX_V1_NAME
from tests.wallet.helpers import wallet_rig

pytestmark = pytest.mark.asyncio


async def test_v1_presets_and_the_factory_starts_a_v1_node(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        saved = {e.name: e for e in rig.store.endpoints.list()}
        assert saved[SANDBOX_V1_NAME].dialect == Dialect.V1 and saved[SANDBOX_V1_NAME].is_sandbox
        assert saved["Yellow v1 sandbox"].url == "wss://nitronode-sandbox.yellow.org/v1/ws"
        assert saved["Yellow v1"].url == "wss://nitronode.yellow.org/v1/ws"
        assert {saved["Yellow v1"].dialect, saved["Yellow v1 sandbox"].dialect} == {Dialect.V1}
    node = await local_sandbox_factory(tmp_path)("1")
    try:
        node.fund(rig.me, "usdc", "7")
        async with ClearNodeClient(node.url, Dialect.V1, timeout=3.0) as client:
            config = await client.v1.get_config()
            assert config["node_address"] == node.broker_address.lower()
            balances = await client.v1.get_balances(rig.me)
            assert [(b["asset"], b["amount"]) for b in balances] == [("usdc", "7")]
    finally:
        await node.stop()

"""The GUI's broker pin holds across reconnects, and the Local sandbox keeps its broker across restarts."""

from __future__ import annotations

import os
import stat

import pytest

from nitro_desktop.client import ConnectionState
from nitro_desktop.devnode import SandboxNode
from nitro_desktop.devnode.broker_key import key_path_for
from nitro_desktop.store import EndpointRecord, Store
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import add_account, choose_endpoint, ready

BROKER_KEY_A = "0x" + "a1" * 32
BROKER_KEY_B = "0x" + "b2" * 32


@pytest.mark.asyncio
async def test_status_bar_names_both_brokers_when_a_reconnect_finds_another(profile: Profile) -> None:
    address = add_account(profile)
    node_a = SandboxNode(port=0, dialect="0.2", broker_key=BROKER_KEY_A)
    await node_a.start()
    node_a.fund(address, "usdc", 10)
    broker_a, port = node_a.broker_address, node_a.port
    with Store.open(profile.data_dir) as store:  # a remote ClearNode to the app: no pin yet
        store.endpoints.save(EndpointRecord("Remote", node_a.url, "0.2"))
    choose_endpoint(profile, "Remote")
    node_b: SandboxNode | None = None
    try:
        async with AppRunner() as apps:
            run = apps.open(profile)
            await ready(run)
            assert run.store.endpoints.get("Remote").broker_address == broker_a  # pinned on first use

            await node_a.stop()  # the same URL now answers with another broker key
            node_b = SandboxNode(port=port, dialect="0.2", broker_key=BROKER_KEY_B)
            await node_b.start()
            node_b.fund(address, "usdc", 10)
            broker_b = node_b.broker_address

            text = await until(
                lambda: broker_b in run.window.indicator.text() and run.window.indicator.text(),
                what="the refusal in the status bar",
            )
            assert broker_a in text and "Disconnected" in text
            client = run.wallet.client
            assert client.state is ConnectionState.DISCONNECTED and client.status.fatal
            assert client.address is None or client.status.address is None
            assert run.store.endpoints.get("Remote").broker_address == broker_a  # the pin is kept
            assert node_b.router.db.query("SELECT COUNT(*) FROM rpc_history")[0][0] == 0
    finally:
        await node_a.stop()
        if node_b is not None:
            await node_b.stop()


@pytest.mark.asyncio
async def test_local_sandbox_is_the_same_broker_after_an_app_restart(profile: Profile) -> None:
    add_account(profile)
    async with AppRunner() as apps:
        run = apps.open(profile)
        await ready(run)
        first = run.wallet.sandbox.broker_address
        assert run.wallet.client.broker_address == first
        await apps.close(run)

        run = apps.open(profile)
        await ready(run)
        assert run.wallet.sandbox.broker_address == first
    key_file = key_path_for(profile.data_dir / "sandbox-0.2.sqlite")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600

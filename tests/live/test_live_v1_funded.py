"""Dialect "1" with real funds on a real chain: a home channel opened on the ChannelHub, topped up,
a session funded from it, operated and closed (the Release comes home), a withdrawal and the
channel's close, through the wallet core (``HomeChannels``) with on-chain amounts checked.

Against a real nitronode: ``NITRO_DESKTOP_LIVE_RPC`` is the JSON-RPC URL of the chain the node
watches, the first of ``NITRO_DESKTOP_LIVE_KEYS`` holds ETH there, and
``NITRO_DESKTOP_LIVE_ASSET`` is a native asset of that chain (``eth``); without the RPC the test
is skipped with that reason. Against the sandbox (no URL): anvil with upstream's ChannelHub and
a ``nitro-desktop sandbox --dialect 1 --rpc … --hub …`` child process watching it (CI runs this).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from nitro_desktop.chain import Chain, ChainClient
from nitro_desktop.client import ClearNodeClient
from nitro_desktop.keys.crypto import sign_transaction
from nitro_desktop.protocol import AppDefinition, Dialect, RawKeySigner
from nitro_desktop.store import ChainRecord, Store
from nitro_desktop.wallet.channel_types import ChannelPlan
from nitro_desktop.wallet.home_channels import HomeChannels
from nitro_desktop.wallet.hub_chain import ChainHubPort
from tests.live.conftest import LiveTarget
from tests.live.helpers import APP, fresh_nonce
from tests.wallet.conftest import collect_on_the_main_thread_only  # noqa: F401  (autouse: see there)

ENV_RPC = "NITRO_DESKTOP_LIVE_RPC"
ENV_AMOUNT = "NITRO_DESKTOP_LIVE_FUND_AMOUNT"  # what is opened with (default 0.01)
pytestmark = pytest.mark.asyncio


class KeySigner:
    """A live key that signs channel states and transactions in this process."""

    def __init__(self, key: str) -> None:
        self._raw = RawKeySigner(key)
        self._key = bytes.fromhex(key.removeprefix("0x"))

    @property
    def address(self) -> str:
        return self._raw.address

    def unsafe_sign_hash(self, message_hash: bytes) -> Any:
        return self._raw.unsafe_sign_hash(message_hash)

    def sign_transaction(self, fields: dict[str, Any]) -> bytes:
        return sign_transaction(self._key, fields)

    def __repr__(self) -> str:
        return f"KeySigner({self.address})"


@dataclass
class FundedTarget:
    url: str
    rpc: str
    key: str
    asset: str


class _ChainSandbox:
    """``nitro-desktop sandbox --dialect 1`` watching a chain, in a child process on loopback."""

    def __init__(self, rpc: str, hub: str, chain_id: int, node_key: str, home: Path) -> None:
        key_file = home / "broker.key"
        key_file.write_text(node_key.removeprefix("0x"))
        key_file.chmod(0o600)
        argv = [sys.executable, "-m", "nitro_desktop", "sandbox", "--dialect", "1", "--port", "0"]
        argv += ["--rpc", rpc, "--hub", hub, "--chain-id", str(chain_id), "--broker-key-file", str(key_file)]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISPLAY", "DBUS", "WAYLAND"))}
        env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"))
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        assert self.proc.stdout is not None
        self.url, seen = "", []
        for line in self.proc.stdout:
            seen.append(line)
            found = re.search(r"listening on (ws://\S+)", line)
            if found:
                self.url = found.group(1)
            if line.startswith("Press Ctrl-C"):
                break
        if not self.url:
            self.stop()
            raise RuntimeError("the chain sandbox did not start: " + "".join(seen)[-2000:])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def funded(v1_target: LiveTarget, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FundedTarget]:
    if v1_target.real:
        rpc = os.environ.get(ENV_RPC)
        if not rpc:
            pytest.skip(f"{ENV_RPC} is not set: the funded path needs the RPC of the chain the node watches")
        yield FundedTarget(v1_target.url, rpc, v1_target.keys[0], v1_target.asset)
        return
    hub = request.getfixturevalue("chain")  # anvil with the ChannelHub (tests/chainkit.py)
    node = _ChainSandbox(hub.url, hub.hub, hub.chain_id, hub.node_key, tmp_path)
    try:
        yield FundedTarget(node.url, hub.url, hub.user_key, "eth")
    finally:
        node.stop()


async def _yes(plan: ChannelPlan) -> bool:
    return plan.affordable


async def test_v1_funded_home_channel_session_and_back(funded: FundedTarget, tmp_path: Path) -> None:
    amount = Decimal(os.environ.get(ENV_AMOUNT, "0.01"))
    signer = KeySigner(funded.key)
    async with ClearNodeClient(funded.url, Dialect.V1, timeout=15.0) as client:
        config = await client.v1.node_config()
        if not config.blockchains:
            pytest.skip("the node watches no chain")
        chain_id = config.blockchains[0].blockchain_id
        rpc = ChainClient(Chain("live", chain_id, funded.rpc, config.blockchains[0].channel_hub_address))
        await rpc.check_chain()
        with Store.open(tmp_path / "data") as store:
            store.chains.save(ChainRecord(chain_id, "live", funded.rpc))
            channels = HomeChannels(
                store, client, signer, lambda r, s: ChainHubPort(r, s, poll_interval=0.2), endpoint="live"
            )
            latest = await client.v1.get_latest_state(signer.address, funded.asset)
            if latest and latest.get("home_channel_id") and latest["transition"]["type"] != 200:
                pytest.skip(f"{signer.address} already has a {funded.asset} home channel: close it first")

            await channels.open(funded.asset, amount, _yes, chain_id=chain_id)
            view = await channels.show(funded.asset)
            assert view.status == "open" and view.on_chain_locked == amount and view.off_chain == amount
            await channels.deposit(funded.asset, amount / 2, _yes)
            assert (await channels.show(funded.asset)).on_chain_locked == amount * 3 / 2

            other = RawKeySigner.generate().address
            definition = AppDefinition(
                protocol="",
                participants=(signer.address, other),
                weights=(100, 0),
                quorum=100,
                challenge=0,
                nonce=fresh_nonce(),
                application=APP,
            )
            session = await client.create_app_session(definition, [], [signer])
            share = amount / 4
            await client.deposit(session.app_session_id, funded.asset, share, signer, [signer])
            assert (await channels.show(funded.asset)).off_chain == amount * 3 / 2 - share
            mine = [(signer.address.lower(), funded.asset, str(share))]
            await client.v1.update(session.app_session_id, "operate", mine, [signer], session_data='{"n":1}')
            await client.v1.update(session.app_session_id, "close", mine, [signer])
            assert (await channels.show(funded.asset)).off_chain == amount * 3 / 2  # released home

            await channels.withdraw(funded.asset, amount / 2, _yes)
            assert (await channels.show(funded.asset)).on_chain_locked == amount
            before = await rpc.balance(signer.address)
            closed = await channels.close(funded.asset, _yes)
            assert closed.step == "done" and Decimal(closed.amount) == amount
            assert await rpc.balance(signer.address) > before  # the rest came back, less the fee
            kinds = [(o.kind, o.step) for o in store.channel_operations.list(signer.address)]
            assert kinds == [("open", "done"), ("deposit", "done"), ("withdraw", "done"), ("close", "done")]

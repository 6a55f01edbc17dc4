"""A home-channel core over the real thing: anvil with upstream's ChannelHub, the v1 sandbox
watching it as a node does (all on 127.0.0.1), a real store and a key in an in-memory keyring."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.devnode import V1SandboxNode
from nitro_desktop.devnode.config import AssetConfig
from nitro_desktop.keys import AccountManager, KdfParams
from nitro_desktop.protocol import Dialect
from nitro_desktop.store import ChainRecord, Store
from nitro_desktop.wallet.channel_types import ChannelPlan
from nitro_desktop.wallet.home_channels import HomeChannels
from nitro_desktop.wallet.hub_chain import ChainHubPort
from tests.chainkit import AnvilHub
from tests.keys.memory_keyring import MemoryKeyring

ETH = 10**18
NATIVE = "0x" + "00" * 20
ENDPOINT = "anvil sandbox"


@dataclass
class Answers:
    """The confirmation callback: records every plan shown and answers ``yes``."""

    yes: bool = True
    plans: list[ChannelPlan] = field(default_factory=list)

    async def __call__(self, plan: ChannelPlan) -> bool:
        self.plans.append(plan)
        return self.yes


@dataclass
class ChannelRig:
    chain: AnvilHub
    node: V1SandboxNode
    store: Store
    client: ClearNodeClient
    channels: HomeChannels
    accounts: AccountManager
    me: str
    confirm: Answers
    heard: dict[str, list[Any]]

    def eth(self, address: str | None = None) -> int:
        return self.chain.balance(address or self.me)


def wei(amount: str) -> int:
    return int(Decimal(amount) * ETH)


@contextlib.asynccontextmanager
async def channel_rig(
    chain: AnvilHub, tmp_path: Path, *, key: str | None = None, node_key: str | None = None
) -> AsyncIterator[ChannelRig]:
    node = V1SandboxNode(
        port=0,
        db_path=tmp_path / "node.db",
        assets=[AssetConfig("eth", 18, NATIVE, chain.chain_id)],
        broker_key=node_key or chain.node_key,
        rpc_url=chain.url,
        hub_address=chain.hub,
        chain_id=chain.chain_id,
        poll_interval=0.05,
    )
    await node.start()
    store = Store.open(tmp_path / "data")
    accounts = AccountManager(store, keyring_backend=MemoryKeyring(), kdf=KdfParams(work_factor=2**10))
    me = accounts.import_private_key(key or chain.user_key, "Me").address
    store.chains.save(ChainRecord(chain.chain_id, "anvil", chain.url))
    client = ClearNodeClient(node.url, Dialect.V1, timeout=10.0)
    await client.connect()
    confirm = Answers()
    channels = HomeChannels(
        store,
        client,
        accounts.signer(me).unlocked(),
        lambda record, signer: ChainHubPort(record, signer, poll_interval=0.05),
        endpoint=ENDPOINT,
        credit_timeout=20.0,
    )
    heard: dict[str, list[Any]] = {}
    for name in ("operation_changed", "tx_progress", "channel_changed"):
        heard[name] = []
        getattr(channels.events, name).subscribe(heard[name].append)
    try:
        yield ChannelRig(chain, node, store, client, channels, accounts, me, confirm, heard)
    finally:
        await client.close()
        await node.stop()
        store.close()

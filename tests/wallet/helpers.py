"""A session core over a real store, an in-memory keyring and the app's own sandbox factory (127.0.0.1)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nitro_desktop.app import local_sandbox_factory
from nitro_desktop.flows import CreateSessionFlow
from nitro_desktop.keys import AccountManager, KdfParams
from nitro_desktop.protocol import Dialect
from nitro_desktop.store import Store
from nitro_desktop.wallet.core import Wallet
from nitro_desktop.wallet.events import WalletEvents
from nitro_desktop.wallet.unlock import PasswordPrompt
from tests.keys.memory_keyring import MemoryKeyring

FAST_KDF = KdfParams(work_factor=2**10)
BOB_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
OTHER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
_nonce = [0]


@dataclass
class Heard:
    """Everything the core emitted, in order, per event."""

    events: dict[str, list[Any]] = field(default_factory=dict)

    def listen(self, events: WalletEvents) -> None:
        for name in WalletEvents.__dataclass_fields__:
            self.events[name] = []
            getattr(events, name).subscribe(self.events[name].append)


@dataclass
class Rig:
    wallet: Wallet
    store: Store
    me: str
    heard: Heard


@contextlib.asynccontextmanager
async def wallet_rig(
    tmp_path: Path, *, password: str | None = None, prompt: PasswordPrompt | None = None
) -> AsyncIterator[Rig]:
    """A core with one account (in the keyring, or in an encrypted file when ``password`` is given)."""
    store = Store.open(tmp_path / "data")
    accounts = AccountManager(store, keyring_backend=MemoryKeyring(), kdf=FAST_KDF)
    backend = "file" if password is not None else "keyring"
    me = accounts.generate("Me", backend=backend, password=password).address
    wallet = Wallet(
        store, accounts, sandbox_factory=local_sandbox_factory(store.data_dir), password_prompt=prompt
    )
    wallet.ensure_default_endpoints()
    heard = Heard()
    heard.listen(wallet.events)
    try:
        yield Rig(wallet, store, me, heard)
    finally:
        await wallet.shutdown()
        store.close()


def create_flow(wallet: Wallet, amount: int, other: str = OTHER) -> CreateSessionFlow:
    """A two-party session funded by the current account alone (weights 100/0)."""
    assert wallet.endpoint is not None and wallet.account is not None
    _nonce[0] += 1
    flow = CreateSessionFlow(
        Dialect(wallet.endpoint.dialect),
        local_accounts=[wallet.account],
        assets=dict(wallet.assets),
        balances=wallet.known_balances(),
        now_ms=int(time.time() * 1000) * 1000 + _nonce[0],
    )
    flow.participants[0].address = wallet.account
    flow.participants[1].address = other
    flow.allocations[0].amount = str(amount)
    flow.signers = {wallet.account}
    assert flow.all_problems() == {}
    return flow


def request_id_and_method(frame: str | None) -> tuple[int, str]:
    """The id and method of a request or response frame ({"req"|"res": [id, method, …]})."""
    assert frame is not None
    doc = json.loads(frame)
    body = doc.get("req") or doc.get("res")
    return int(body[0]), str(body[1])

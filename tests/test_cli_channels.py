"""``nitro-desktop chains add|list`` and ``channel open|deposit|withdraw|close|show`` against the
real ChannelHub on anvil and the v1 sandbox watching it (on its own thread, so the CLI can run
its own loop), with every bad input's own message."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from nitro_desktop.devnode import V1SandboxNode
from nitro_desktop.devnode.config import AssetConfig
from nitro_desktop.store import Store
from tests.chainkit import AnvilHub, free_port
from tests.keys.memory_keyring import MemoryKeyring
from tests.signing.test_cli_three_profiles import profile, run
from tests.wallet.chainrig import ETH, NATIVE, wei
from tests.wallet.conftest import collect_on_the_main_thread_only  # noqa: F401  (autouse: see there)


class ThreadedChainNode:
    """The v1 sandbox watching anvil, served by a loop on a background thread."""

    def __init__(self, chain: AnvilHub, db: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="v1 node", daemon=True)
        self.thread.start()
        self.node = V1SandboxNode(
            port=0,
            db_path=db,
            assets=[AssetConfig("eth", 18, NATIVE, chain.chain_id)],
            broker_key=chain.node_key,
            rpc_url=chain.url,
            hub_address=chain.hub,
            chain_id=chain.chain_id,
            poll_interval=0.05,
        )
        asyncio.run_coroutine_threadsafe(self.node.start(), self.loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.node.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def node(chain: AnvilHub, tmp_path: Path) -> Iterator[ThreadedChainNode]:
    served = ThreadedChainNode(chain, tmp_path / "node.db")
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str], chain: AnvilHub) -> Iterator[Path]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # the CLI's keyring, private to this test
    try:
        yield profile(tmp_path, capsys, "me", chain.user_key)
    finally:
        keyring.set_keyring(previous)


def test_chains_add_checks_the_chain_id_and_the_rpc(
    data: Path, capsys: pytest.CaptureFixture[str], chain: AnvilHub
) -> None:
    code, out = run(capsys, data, "chains", "add", "--chain-id", "5", "--rpc-url", chain.url)
    assert code == 2 and "31337" in out and "5" in out and "Nothing was saved" in out
    dead = f"http://127.0.0.1:{free_port()}"
    code, out = run(capsys, data, "chains", "add", "--chain-id", "31337", "--rpc-url", dead)
    assert code == 2 and dead in out and "Nothing was saved" in out
    code, out = run(capsys, data, "chains", "add", "--chain-id", "31337", "--rpc-url", "ftp://x")
    assert code == 2 and "http://" in out
    code, out = run(capsys, data, "chains", "list")
    assert code == 0 and "No chains yet" in out
    code, out = run(
        capsys, data, "chains", "add", "--chain-id", "31337", "--rpc-url", chain.url, "--name", "anvil"
    )
    assert code == 0 and "Saved chain 31337 (anvil)" in out
    code, out = run(capsys, data, "chains", "list")
    assert code == 0 and f"31337\tanvil\t{chain.url}" in out


def test_channel_open_deposit_show_withdraw_close_from_the_command_line(
    data: Path,
    capsys: pytest.CaptureFixture[str],
    chain: AnvilHub,
    node: ThreadedChainNode,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = node.node.url
    common = ("--endpoint", url)
    # No chain saved yet: the message says how to add it.
    code, out = run(capsys, data, "channel", "open", "eth", "1", *common, "--yes")
    assert code == 2 and "chains add --chain-id 31337" in out
    assert run(capsys, data, "chains", "add", "--chain-id", "31337", "--rpc-url", chain.url)[0] == 0

    code, out = run(capsys, data, "channel", "open", "eth", "0.1234567890123456789", *common, "--yes")
    assert code == 2 and "more than 18 decimal places" in out
    code, out = run(capsys, data, "channel", "open", "eth", "0", *common, "--yes")
    assert code == 2 and "more than 0" in out

    # Without --yes the plan is printed and a "no" sends nothing.
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out = run(capsys, data, "channel", "open", "eth", "1.5", *common)
    assert code == 2 and "Open a home channel for eth and deposit 1.5 eth" in out
    assert "Network fee" in out and "Nothing was sent on-chain" in out
    assert chain.balance(chain.hub) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, out = run(capsys, data, "channel", "resume", *common)
    assert code == 0 and "open 1.5 eth: done" in out, out
    assert chain.balance(chain.hub) == wei("1.5")

    code, out = run(capsys, data, "channel", "deposit", "eth", "0.5", *common, "--yes")
    assert code == 0 and "deposit 0.5 eth: done" in out, out
    code, out = run(capsys, data, "channel", "show", "eth", *common)
    assert code == 0 and "off-chain      2 eth" in out and "on-chain       2 eth locked" in out, out
    code, out = run(capsys, data, "channel", "withdraw", "eth", "5", *common, "--yes")
    assert code == 2 and "holds 2 eth; it cannot pay out more" in out
    code, out = run(capsys, data, "channel", "withdraw", "eth", "0.5", *common, "--yes")
    assert code == 0 and chain.balance(chain.hub) == wei("1.5"), out
    code, out = run(capsys, data, "channel", "close", "eth", *common, "--yes")
    assert code == 0 and "close 1.5 eth: done" in out and chain.balance(chain.hub) == 0, out
    with Store.open(data) as store:
        steps = [(o.kind, o.step) for o in store.channel_operations.list()]
    assert steps == [("open", "done"), ("deposit", "done"), ("withdraw", "done"), ("close", "done")]
    assert chain.balance(chain.user) > 9990 * ETH

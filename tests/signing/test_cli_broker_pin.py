"""The command line uses the broker pinned for a saved endpoint, and pins on first use as the GUI does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.protocol import RawKeySigner
from nitro_desktop.store import EndpointRecord, Store
from tests.keys.memory_keyring import MemoryKeyring
from tests.signing.conftest import ThreadedSandbox
from tests.signing.helpers import REFEREE_KEY, players
from tests.signing.test_cli_three_profiles import profile, run, write_json

OTHER_BROKER = RawKeySigner("0x" + "66" * 32).address


@pytest.fixture
def node() -> Iterator[ThreadedSandbox]:
    sandbox = ThreadedSandbox("0.2")
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def referee_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str], global_keyring: MemoryKeyring) -> Path:
    return profile(tmp_path, capsys, "referee", REFEREE_KEY)


def create_args(tmp_path: Path, *extra: str) -> list[str]:
    """A session the referee alone can create (weight 100), staking 5 of its own usdc."""
    referee, alice, bob = players()
    definition = {
        "application": "chess",
        "participants": [referee.address, alice.address, bob.address],
        "weights": [100, 0, 0],
        "quorum": 100,
        "challenge": 0,
        "nonce": time.time_ns() // 1000,
    }
    stakes = [
        {"participant": referee.address, "asset": "usdc", "amount": "5"},
        {"participant": alice.address, "asset": "usdc", "amount": "0"},
        {"participant": bob.address, "asset": "usdc", "amount": "0"},
    ]
    return [
        "sessions", "create",
        "--definition", write_json(tmp_path / f"definition-{definition['nonce']}.json", definition),
        "--allocations", write_json(tmp_path / "stakes.json", stakes),
        "--sign", referee.address, *extra,
    ]  # fmt: skip


def save_endpoint(data_dir: Path, url: str, broker: str | None) -> None:
    with Store.open(data_dir) as store:
        store.endpoints.save(EndpointRecord("Node", url, "0.2", broker))


def pinned(data_dir: Path, name: str = "Node") -> str | None:
    with Store.open(data_dir) as store:
        record = store.endpoints.get(name)
        return None if record is None else record.broker_address


def test_a_server_answering_as_another_broker_is_refused_and_sent_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], referee_dir: Path, node: ThreadedSandbox
) -> None:
    referee = players()[0]
    node.fund(referee.address, 100)
    save_endpoint(referee_dir, node.url, OTHER_BROKER)

    code, out = run(capsys, referee_dir, *create_args(tmp_path, "--endpoint", "Node"))
    assert code == 2, out
    assert f"endpoint Node is pinned to broker {OTHER_BROKER}" in out
    assert f"answers as {node.node.broker_address}" in out and "nothing was sent" in out

    # The same through a signing request file: submit checks the pin too.
    request_file = tmp_path / "game.nitroreq"
    code, out = run(
        capsys, referee_dir, *create_args(tmp_path, "--endpoint", "Node", "--out", str(request_file))
    )
    assert code == 0, out
    code, out = run(capsys, referee_dir, "submit", str(request_file))
    assert code == 2 and OTHER_BROKER in out and node.node.broker_address in out

    # close of a session not in the history fetches its definition: from the pinned broker only.
    stakes = write_json(tmp_path / "payout.json", [])
    close = ["sessions", "close", "0x" + "ab" * 32, "--endpoint", "Node", "--allocations", stakes]
    code, out = run(capsys, referee_dir, *close, "--sign", referee.address)
    assert code == 2 and f"endpoint Node is pinned to broker {OTHER_BROKER}" in out

    assert node.balance(referee.address) == Decimal(100)
    assert node.call(lambda: node.node.router.db.query("SELECT COUNT(*) FROM app_sessions")[0][0]) == 0
    assert node.call(lambda: node.node.router.db.query("SELECT COUNT(*) FROM rpc_history")[0][0]) == 0
    assert pinned(referee_dir) == OTHER_BROKER
    with Store.open(referee_dir) as store:
        assert store.sessions.rows() == []


def test_an_unpinned_endpoint_is_pinned_on_first_use_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], referee_dir: Path, node: ThreadedSandbox
) -> None:
    referee = players()[0]
    node.fund(referee.address, 100)
    save_endpoint(referee_dir, node.url, None)
    broker = node.node.broker_address

    code, out = run(capsys, referee_dir, *create_args(tmp_path, "--endpoint", "Node"))
    assert code == 0, out
    assert f"pinned broker {broker} for endpoint Node" in out
    assert pinned(referee_dir) == broker
    assert node.balance(referee.address) == Decimal(95)

    code, out = run(capsys, referee_dir, *create_args(tmp_path, "--endpoint", "Node"))
    assert code == 0, out
    assert "pinned broker" not in out  # once only


def test_submit_to_an_unsaved_url_saves_and_pins_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], referee_dir: Path, node: ThreadedSandbox
) -> None:
    referee = players()[0]
    node.fund(referee.address, 100)
    request_file = tmp_path / "game.nitroreq"
    code, out = run(
        capsys, referee_dir, *create_args(tmp_path, "--endpoint", node.url, "--out", str(request_file))
    )
    assert code == 0, out
    assert pinned(referee_dir, node.url) is None  # nothing was contacted yet

    code, out = run(capsys, referee_dir, "submit", str(request_file))
    assert code == 0, out
    assert f"pinned broker {node.node.broker_address} for endpoint {node.url}" in out
    assert pinned(referee_dir, node.url) == node.node.broker_address

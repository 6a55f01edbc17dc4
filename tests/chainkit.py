"""anvil with upstream's ChannelHub, for any test folder that needs a real chain.

Fixtures (registered for the whole suite in tests/conftest.py):

- ``anvil_hub`` (session): one anvil on 127.0.0.1 (chain id 31337) with the v1 ChannelHub deployed
  from ``../shared/v1`` (see its README) for the node ``NODE_KEY``; an ``AnvilHub``.
- ``chain`` (function): the same ``AnvilHub``, with the chain snapshotted before the test and
  reverted after it, so each test starts from the freshly deployed hub and no test sees another's
  blocks (automining is switched back on, pending transactions dropped).

anvil is found through ``NITRO_DESKTOP_ANVIL`` or ``.tools/anvil/anvil`` (``tools/dev.py test``
installs it there). Without it the tests skip, except under ``CI=true`` or
``NITRO_DESKTOP_REQUIRE_ANVIL=1`` (``.ci/run`` sets it), where they fail: CI must run them.
The deployment data is read from ``../shared`` at test time, never copied here.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_V1 = ROOT.parent / "shared" / "v1"  # as tests/conftest.py's SHARED: beside the project
CHAIN_ID = 31337
CREATE2_DEPLOYER = "0x4e59b44847b379578588920ca78fbf26c0b4956c"
#: anvil's default mnemonic ("test test … junk"): funded with 10000 ETH each, unlocked in anvil.
DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
USER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
OTHER_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
#: The hub's NODE: a key of its own (not a dev account), so a test can give it to a sandbox node.
NODE_KEY = "0x" + "4e" * 31 + "01"
START_TIMEOUT = 30.0


def anvil_binary() -> Path | None:
    configured = os.environ.get("NITRO_DESKTOP_ANVIL")
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    local = ROOT / ".tools" / "anvil" / "anvil"
    return local if local.is_file() else None


def anvil_required() -> bool:
    return any(
        os.environ.get(name, "").lower() in {"1", "true", "yes"}
        for name in ("CI", "NITRO_DESKTOP_REQUIRE_ANVIL")
    )


def require_anvil() -> Path:
    """anvil's path; a skip with the reason when it is missing, a failure when CI must run these tests."""
    found = anvil_binary()
    if found is not None:
        return found
    why = (
        "anvil is not installed: run `python3 tools/dev.py test` (it installs .tools/anvil)"
        " or set NITRO_DESKTOP_ANVIL"
    )
    if anvil_required():
        pytest.fail(why + " (this is CI: the on-chain tests must run)", pytrace=False)
    pytest.skip(why)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rpc(url: str, method: str, params: list[Any] | None = None, timeout: float = 30.0) -> Any:
    """One JSON-RPC call over loopback; an RPC error raises RuntimeError with its message."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (loopback only)
        reply = json.loads(answer.read())
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply['error']}")
    return reply["result"]


def address_of(key: str) -> str:
    from eth_account import Account

    return str(Account.from_key(key).address)


class Anvil:
    """One anvil process on a free loopback port; ``stop`` always reaps it."""

    def __init__(self, binary: Path, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._errors = tempfile.TemporaryFile()  # not a pipe: a full pipe would stall anvil
        self._process = subprocess.Popen(
            [
                str(binary),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--chain-id",
                str(CHAIN_ID),
                "--silent",
                *extra,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._errors,
        )
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._process.poll() is not None:
                self._errors.seek(0)
                error = self._errors.read().decode(errors="replace")
                raise RuntimeError(f"anvil exited with {self._process.returncode}: {error[-2000:]}")
            try:
                if int(rpc(self.url, "eth_chainId", timeout=2), 16) == CHAIN_ID:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"anvil did not answer on {self.url} within {START_TIMEOUT:.0f} s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._errors.close()


def _load(name: str) -> list[dict[str, Any]]:
    transactions: list[dict[str, Any]] = json.loads((SHARED_V1 / name).read_text())["transactions"]
    return transactions


def _mined(url: str, tx_hash: str) -> dict[str, Any]:
    deadline = time.monotonic() + START_TIMEOUT
    receipt: dict[str, Any] | None = None
    while receipt is None and time.monotonic() < deadline:  # automine lands a moment after the send
        receipt = rpc(url, "eth_getTransactionReceipt", [tx_hash])
        if receipt is None:
            time.sleep(0.02)
    if receipt is None or receipt.get("status") != "0x1":
        raise RuntimeError(f"deployment transaction {tx_hash} failed: {receipt}")
    return receipt


def _send(url: str, sender: str, data: str, gas: str, to: str | None = None) -> dict[str, Any]:
    tx: dict[str, Any] = {"from": sender, "data": data, "gas": hex(int(gas, 16) * 2)}
    if to is not None:
        tx["to"] = to
    return _mined(url, rpc(url, "eth_sendTransaction", [tx]))


@dataclass(frozen=True)
class HubDeployment:
    hub: str
    validator: str
    libraries: dict[str, str]


def deploy_channel_hub(url: str, node: str) -> HubDeployment:
    """Replay upstream's Sepolia deployment on an anvil at ``url``, with ``node`` as the hub's NODE.

    The three libraries go through the CREATE2 deployer with their exact init code, so they land at
    the addresses the hub's code is linked to. The hub's constructor is ``(validator, node)``: the
    last 64 bytes of its init code are those two words, replaced by the local validator and ``node``.
    """
    if not SHARED_V1.is_dir():
        pytest.skip(f"the v1 deployment data is not at {SHARED_V1}")
    deployer = address_of(DEPLOYER_KEY)
    libraries = {}
    for tx in _load("channelhub-libraries-sepolia.json"):
        if tx["transactionType"] != "CREATE2":
            continue  # the file also holds an older ChannelHub
        _send(url, deployer, tx["transaction"]["input"], tx["transaction"]["gas"], to=CREATE2_DEPLOYER)
        code = rpc(url, "eth_getCode", [tx["contractAddress"], "latest"])
        if len(code) <= 2:
            raise RuntimeError(f"{tx['contractName']} did not land at {tx['contractAddress']}")
        libraries[tx["contractName"].split(".")[0]] = tx["contractAddress"]
    validator_tx, hub_tx = _load("channelhub-deploy-sepolia.json")
    validator = _send(url, deployer, validator_tx["transaction"]["input"], validator_tx["transaction"]["gas"])
    validator_address = validator["contractAddress"]
    init = hub_tx["transaction"]["input"]
    sepolia_args = "".join(arg[2:].lower().rjust(64, "0") for arg in hub_tx["arguments"])
    if not init.lower().endswith(sepolia_args):
        raise RuntimeError("the hub's init code does not end with its (validator, node) arguments")
    local_args = validator_address[2:].lower().rjust(64, "0") + node[2:].lower().rjust(64, "0")
    hub = _send(url, deployer, init[: -len(local_args)] + local_args, hub_tx["transaction"]["gas"])
    return HubDeployment(
        hub=str(hub["contractAddress"]), validator=str(validator_address), libraries=libraries
    )


@dataclass
class AnvilHub:
    """A running anvil with the ChannelHub; the raw JSON-RPC handles for arranging faults."""

    url: str
    deployment: HubDeployment
    deployed_block: int = 0
    node_key: str = NODE_KEY
    user_key: str = USER_KEY
    other_key: str = OTHER_KEY
    chain_id: int = CHAIN_ID
    _snapshots: list[str] = field(default_factory=list)

    @property
    def hub(self) -> str:
        return self.deployment.hub

    @property
    def node(self) -> str:
        return address_of(self.node_key)

    @property
    def user(self) -> str:
        return address_of(self.user_key)

    def rpc(self, method: str, *params: Any) -> Any:
        return rpc(self.url, method, list(params))

    def mine(self, blocks: int = 1) -> None:
        self.rpc("anvil_mine", hex(blocks))

    def automine(self, on: bool) -> None:
        self.rpc("evm_setAutomine", on)

    def snapshot(self) -> str:
        return str(self.rpc("evm_snapshot"))

    def revert(self, snapshot: str) -> None:
        if self.rpc("evm_revert", snapshot) is not True:
            raise RuntimeError(f"anvil could not revert to snapshot {snapshot}")

    def drop(self, tx_hash: str) -> None:
        self.rpc("anvil_dropTransaction", tx_hash)

    def balance(self, address: str) -> int:
        return int(self.rpc("eth_getBalance", address, "latest"), 16)

    def set_balance(self, address: str, wei: int) -> None:
        self.rpc("anvil_setBalance", address, hex(wei))


@pytest.fixture(scope="session")
def anvil_hub() -> Iterator[AnvilHub]:
    anvil = Anvil(require_anvil())
    try:
        deployment = deploy_channel_hub(anvil.url, address_of(NODE_KEY))
        yield AnvilHub(anvil.url, deployment, int(rpc(anvil.url, "eth_blockNumber"), 16))
    finally:
        anvil.stop()


@pytest.fixture
def chain(anvil_hub: AnvilHub) -> Iterator[AnvilHub]:
    mark = anvil_hub.snapshot()
    try:
        yield anvil_hub
    finally:
        anvil_hub.automine(True)
        anvil_hub.rpc("anvil_dropAllTransactions")
        anvil_hub.revert(mark)

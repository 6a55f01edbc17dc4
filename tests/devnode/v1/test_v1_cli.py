"""``nitro-desktop sandbox --dialect 1 --rate-limit 10 --rate-burst 20``: nitronode's limit, from the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from nitro_desktop.cli import main
from tests.chainkit import AnvilHub

ROOT = Path(__file__).resolve().parents[3]


def test_the_cli_serves_nitronodes_rate_limit(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env["HOME"] = str(tmp_path / "home")
    args = ["sandbox", "--port", "0", "--dialect", "1", "--rate-limit", "0.001", "--rate-burst", "20"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nitro_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None
    try:
        url = ""
        for line in proc.stdout:
            if "listening on " in line:
                url = line.rsplit(" ", 1)[1].strip()
            if line.startswith("Press Ctrl-C"):
                break
        with connect(url) as ws:
            for rid in range(1, 21):
                ws.send(json.dumps([1, rid, "node.v1.ping", {}, 0]))
                assert json.loads(ws.recv(timeout=10))[:4] == [2, rid, "node.v1.ping", {}]
            ws.send(json.dumps([1, 21, "node.v1.ping", {}, 0]))
            with pytest.raises(ConnectionClosedError) as closed:
                ws.recv(timeout=10)
        assert closed.value.rcvd is None  # dropped without a close frame, as nitronode does
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--rate-limit", "-1"], "--rate-limit must be a number of requests, 0 or more (got -1.0)"),
        (["--rate-limit", "nan"], "--rate-limit must be a number of requests, 0 or more (got nan)"),
        (["--rate-burst", "0.5"], "--rate-burst must be at least 1 (one request)"),
    ],
)
def test_bad_rate_flags_are_refused(
    capsys: pytest.CaptureFixture[str], flags: list[str], expected: str
) -> None:
    assert main(["sandbox", "--port", "0", "--dialect", "1", *flags]) == 2
    assert expected in capsys.readouterr().err


def test_the_cli_watches_a_chain(tmp_path: Path, chain: AnvilHub) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env["HOME"] = str(tmp_path / "home")
    key_file = tmp_path / "node.key"
    key_file.write_text(chain.node_key[2:])
    key_file.chmod(0o600)
    args = ["sandbox", "--port", "0", "--dialect", "1", "--broker-key-file", str(key_file)]
    args += ["--rpc", chain.url, "--hub", chain.hub, "--chain-id", str(chain.chain_id)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nitro_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None
    try:
        url, said = "", []
        for line in proc.stdout:
            said.append(line)
            if "listening on " in line:
                url = line.rsplit(" ", 1)[1].strip()
            if line.startswith("Press Ctrl-C"):
                break
        assert f"Watching ChannelHub {chain.hub} on chain {chain.chain_id} through {chain.url}\n" in said
        with connect(url) as ws:
            ws.send(json.dumps([1, 1, "node.v1.get_config", {}, 0]))
            config = json.loads(ws.recv(timeout=10))[3]
        assert config["node_address"] == chain.node.lower()
        assert [(b["blockchain_id"], b["channel_hub_address"]) for b in config["blockchains"]] == [
            ("31337", chain.hub)
        ]
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


HUB = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (
            ["--rpc", "http://127.0.0.1:1"],
            "a chain needs --rpc, --hub and --chain-id together (missing --hub, --chain-id)",
        ),
        (
            ["--rpc", "ws://127.0.0.1:1", "--hub", HUB, "--chain-id", "1"],
            "must start with http:// or https://",
        ),
        (["--rpc", "http://127.0.0.1:1", "--hub", "0x12", "--chain-id", "1"], "0x and 40 hex digits"),
        (
            ["--rpc", "http://127.0.0.1:1", "--hub", HUB, "--chain-id", "1", "--fund", f"{HUB}:eth:1"],
            "--fund is the faucet; with a chain, deposit on the chain instead",
        ),
    ],
)
def test_bad_chain_flags_are_refused(
    capsys: pytest.CaptureFixture[str], flags: list[str], expected: str
) -> None:
    assert main(["sandbox", "--port", "0", "--dialect", "1", *flags]) == 2
    assert expected in capsys.readouterr().err


def test_a_chain_needs_dialect_1(capsys: pytest.CaptureFixture[str]) -> None:
    flags = ["--rpc", "http://127.0.0.1:1", "--hub", HUB, "--chain-id", "1"]
    assert main(["sandbox", "--port", "0", "--dialect", "0.5", *flags]) == 2
    assert "need --dialect 1" in capsys.readouterr().err

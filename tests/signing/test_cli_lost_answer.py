"""The command line when an answer is lost: it finds out before it exits, records once, never sends twice.

node ← fault proxy ← ``nitro-desktop sessions …`` / ``submit``, all on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.cli import main
from nitro_desktop.protocol import RawKeySigner, app_session_id, definition_from_dict, recover_signers
from nitro_desktop.store import Store
from tests.client.proxy import FaultProxy
from tests.keys.memory_keyring import MemoryKeyring
from tests.signing.conftest import ThreadedSandbox
from tests.signing.helpers import ALICE_KEY

BOB = RawKeySigner("0x" + "44" * 32).address


class Rig:
    """A threaded sandbox, a fault proxy on its loop, and one profile holding Alice's key."""

    def __init__(self, node: ThreadedSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.node, self.tmp, self.capsys = node, tmp_path, capsys
        self.dialect = node.node.dialect.value
        self.proxy: FaultProxy = asyncio.run_coroutine_threadsafe(
            FaultProxy(node.url).start(), node.loop
        ).result(10)
        self.alice = RawKeySigner(ALICE_KEY)
        self.data = tmp_path / "alice"
        (tmp_path / "alice.key").write_text(ALICE_KEY + "\n")
        code, out = self.run("accounts", "import", "--key-file", str(tmp_path / "alice.key"))
        assert code == 0, out
        node.fund(self.alice.address, 100)

    def run(self, *argv: str) -> tuple[int, str]:
        code = main(["--data-dir", str(self.data), *argv])
        out = self.capsys.readouterr()
        return code, out.out + out.err

    def fault(self, name: str, method: str = "") -> None:
        self.node.call(lambda: getattr(self.proxy, name)(method))

    def write(self, name: str, value: object) -> str:
        (self.tmp / name).write_text(json.dumps(value))
        return str(self.tmp / name)

    def definition_file(self, nonce: int | None = None) -> str:
        """A definition; with no nonce the command makes one up."""
        game = {
            "application": "chess",
            "participants": [self.alice.address, BOB],
            "weights": [100, 0],
            "quorum": 100,
            "challenge": 0,
        }
        return self.write("game.json", game if nonce is None else {**game, "nonce": nonce})

    def stakes(self, alice: int) -> str:
        return self.write(
            f"stakes-{alice}.json",
            [
                {"participant": self.alice.address, "asset": "usdc", "amount": str(alice)},
                {"participant": BOB, "asset": "usdc", "amount": "0"},
            ],
        )

    def create(self, definition: str, *extra: str) -> tuple[int, str]:
        return self.run(
            "sessions", "create", "--definition", definition, "--allocations", self.stakes(10),
            "--endpoint", self.proxy.url, "--dialect", self.dialect, "--sign", self.alice.address,
            "--timeout", "1", *extra,
        )  # fmt: skip

    def sid_of(self, definition: str) -> str:
        raw = json.loads(Path(definition).read_text())
        raw.setdefault("protocol", "NitroRPC/0.4" if self.dialect == "0.5" else "NitroRPC/0.2")
        return app_session_id(definition_from_dict(raw), self.dialect)

    def balance(self) -> Decimal:
        return self.node.balance(self.alice.address)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self.node.loop).result(10)


@pytest.fixture
def rig(
    threaded_sandbox: ThreadedSandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    global_keyring: MemoryKeyring,
) -> Iterator[Rig]:
    rig = Rig(threaded_sandbox, tmp_path, capsys)
    try:
        yield rig
    finally:
        rig.close()


def only_record(rig: Rig, sid: str) -> object:
    with Store.open(rig.data) as store:
        assert [row.app_session_id for row in store.sessions.rows()] == [sid]
        return store.sessions.get(sid)


def test_create_whose_answer_is_dropped_is_recovered_recorded_once_and_not_sent_again(rig: Rig) -> None:
    definition = rig.definition_file()
    rig.fault("drop_after", "create_app_session")
    code, out = rig.create(definition)
    assert code == 0, out
    nonce = json.loads(Path(definition).read_text())["nonce"]
    assert f'added "nonce": {nonce} to {definition}' in out  # kept, so a re-run names the same session
    sid = rig.sid_of(definition)
    assert (
        f"app session {sid} created (recorded once)" in out and "answer to create_app_session was lost" in out
    )
    assert f"{sid}  open  v1" in out.splitlines()
    saved = only_record(rig, sid)
    assert saved.request_frame is not None and saved.response_frame is None  # type: ignore[attr-defined]
    sent = json.loads(saved.request_frame)  # type: ignore[attr-defined]
    assert sent["req"][:2] == [rig.proxy.sent_ids["create_app_session"][0], "create_app_session"]
    assert recover_signers(saved.request_frame) == [rig.alice.address]  # type: ignore[attr-defined]
    assert rig.balance() == Decimal(90)  # locked once

    code, out = rig.create(definition)  # the same command again
    assert code == 0, out
    assert f"App session {sid} is already created" in out and "nothing was sent" in out
    assert rig.proxy.seen["create_app_session"] == 1
    assert rig.balance() == Decimal(90)
    only_record(rig, sid)


def test_create_whose_answer_never_comes_is_found_out_before_the_command_exits(rig: Rig) -> None:
    """The answer is swallowed on a live socket: past the client's timeout the command asks the node."""
    definition = rig.definition_file()
    rig.fault("lose_answer", "create_app_session")
    code, out = rig.create(definition)
    assert code == 0, out
    sid = rig.sid_of(definition)
    assert f"app session {sid} created (recorded once)" in out
    saved = only_record(rig, sid)
    assert json.loads(saved.request_frame)["req"][0] == rig.proxy.sent_ids["create_app_session"][0]  # type: ignore[attr-defined]
    assert rig.balance() == Decimal(90)


def test_when_the_node_cannot_be_asked_the_outcome_is_unknown_and_a_rerun_finds_it(rig: Rig) -> None:
    definition = rig.definition_file()
    rig.fault("go_dark_after", "create_app_session")  # applied by the node, then nothing gets through
    code, out = rig.create(definition, "--outcome-wait", "2")
    assert code == 3, out
    sid = rig.sid_of(definition)
    assert f"The answer to create_app_session for {sid} was lost" in out and "nothing was recorded" in out
    assert "Run the same command again" in out
    with Store.open(rig.data) as store:
        assert store.sessions.rows() == []
    assert rig.balance() == Decimal(90)

    rig.node.call(lambda: setattr(rig.proxy, "dark", False))  # the node is reachable again
    code, out = rig.create(definition)
    assert code == 0, out
    assert f"App session {sid} is already created" in out and "now added to your history" in out
    assert rig.proxy.seen["create_app_session"] == 1 and rig.balance() == Decimal(90)
    only_record(rig, sid)


def test_submit_of_a_create_file_whose_answer_is_lost_is_recorded_once_and_not_resent(rig: Rig) -> None:
    definition = rig.definition_file()
    request_file = str(rig.tmp / "game.nitroreq")
    code, out = rig.create(definition, "--out", request_file)
    assert code == 0, out
    sid = rig.sid_of(definition)
    rig.fault("drop_after", "create_app_session")
    code, out = rig.run("submit", request_file, "--timeout", "1")
    assert code == 0, out
    assert f"app session {sid} created (recorded once)" in out
    only_record(rig, sid)
    code, out = rig.run("submit", request_file, "--timeout", "1")
    assert code == 0 and "is already created" in out and "nothing was sent" in out, out
    assert rig.proxy.seen["create_app_session"] == 1 and rig.balance() == Decimal(90)


def test_update_and_close_whose_answers_are_lost_are_told_by_the_version_and_status(rig: Rig) -> None:
    definition = rig.definition_file(nonce=time.time_ns() // 1000)
    code, out = rig.create(definition)
    assert code == 0, out
    sid = rig.sid_of(definition)
    common = ("--endpoint", rig.proxy.url, "--dialect", rig.dialect, "--sign", rig.alice.address)
    version = ("--intent", "operate", "--version", "2") if rig.dialect == "0.5" else ()
    rig.fault("lose_answer", "submit_app_state")
    code, out = rig.run(
        "sessions", "update", sid, "--allocations", rig.stakes(10), *common, *version, "--timeout", "1"
    )
    assert code == 0, out
    assert f"app session {sid} updated (recorded once)" in out
    assert f"{sid}  open  v2" in out.splitlines()

    rig.fault("lose_answer", "close_app_session")
    code, out = rig.run("sessions", "close", sid, "--allocations", rig.stakes(10), *common, "--timeout", "1")
    assert code == 0, out
    assert f"app session {sid} closed (recorded once)" in out
    with Store.open(rig.data) as store:
        saved = store.sessions.get(sid)
        assert saved is not None and saved.status == "closed"
        assert json.loads(saved.request_frame)["req"][1] == "close_app_session"  # type: ignore[arg-type]
    assert rig.balance() == Decimal(100)  # paid out once

    code, out = rig.run("sessions", "close", sid, "--allocations", rig.stakes(10), *common, "--timeout", "1")
    assert code == 0 and f"App session {sid} is already closed" in out and "nothing was sent" in out, out
    assert rig.proxy.seen["close_app_session"] == 1

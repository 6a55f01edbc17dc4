"""The signing-request dialog, offscreen: summary, verified signers, sign, save, submit, refusals."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from nitro_desktop import signing
from nitro_desktop.protocol import AppSession, HashSigner, RawKeySigner
from nitro_desktop.ui.signing_dialog import SigningRequestDialog
from tests.signing.helpers import URL, game, players, stakes


def _file(tmp_path: Path, now: float | None = None) -> Path:
    request = signing.create_request(URL, "0.2", game(), stakes(10, 5), now=now)
    return signing.save(request, tmp_path / "game.nitroreq")


async def _poll(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_sign_save_and_submit(tmp_path: Path, qtbot: object) -> None:
    _referee, alice, bob = players()
    keys: dict[str, RawKeySigner] = {alice.address: alice, bob.address: bob}
    sent: list[str] = []

    async def unlock(address: str) -> HashSigner:
        await asyncio.sleep(0)
        return keys[address]

    async def submit(request: signing.SigningRequest) -> AppSession:
        sent.append(signing.ready_frame(request))
        return AppSession(request.app_session_id, "open", 1)

    path = _file(tmp_path)
    dialog = SigningRequestDialog(path, [bob.address], unlock, submit)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.open()
    text = dialog.summary.toPlainText()
    assert text.index(f"{bob.address} puts 5 usdc") < text.index(f"{alice.address} puts 10 usdc")
    assert dialog.account.count() == 1 and dialog.account.currentText() == bob.address
    assert not dialog.submit_button.isEnabled()

    dialog.sign_button.click()
    await _poll(lambda: dialog.signed.count() == 1)
    assert "verified" in dialog.signed.item(0).text()
    assert signing.load(path).signers == (bob.address,)  # saved back at once
    assert dialog.account.count() == 0 and not dialog.submit_button.isEnabled()

    # Alice signs on "her computer" (another dialog, another account list).
    other = SigningRequestDialog(path, [alice.address], unlock, submit)
    qtbot.addWidget(other)  # type: ignore[attr-defined]
    other.sign_button.click()
    await _poll(lambda: other.signed.count() == 2)
    assert other.submit_button.isEnabled() and "Ready to submit" in other.status.text()
    submitted: list[AppSession] = []
    other.submitted.connect(submitted.append)
    other.submit_button.click()
    await _poll(lambda: bool(submitted))
    assert len(sent) == 1 and signing.load(path).req in sent[0]
    assert "Done: the session is open" in other.status.text()
    assert not other.submit_button.isEnabled()  # never sent twice


def test_tampered_file_is_refused_with_its_message(tmp_path: Path, qtbot: object) -> None:
    path = _file(tmp_path)
    doc = json.loads(path.read_text())
    doc["req"] = doc["req"].replace('"amount":"10"', '"amount":"1"')
    path.write_text(json.dumps(doc))

    async def never(*_: object) -> object:
        raise AssertionError("must not be called")

    dialog = SigningRequestDialog(path, [], never, never)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    assert "changed after it was made" in dialog.error.text()
    assert not dialog.sign_button.isEnabled() and not dialog.submit_button.isEnabled()
    assert not dialog.save_button.isEnabled()


def test_expired_file_offers_rebuild(tmp_path: Path, qtbot: object) -> None:
    _referee, alice, _bob = players()
    path = _file(tmp_path, now=time.time() - 3600)

    async def unlock(address: str) -> HashSigner:
        return alice

    dialog = SigningRequestDialog(path, [alice.address], unlock)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    assert "Rebuild" in dialog.error.text() and dialog.rebuild_button.isEnabled()
    assert not dialog.sign_button.isEnabled()
    qtbot.mouseClick(dialog.rebuild_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert dialog.sign_button.isEnabled() and not dialog.rebuild_button.isEnabled()
    assert dialog.request is not None and not signing.is_expired(dialog.request)

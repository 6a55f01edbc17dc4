"""The signing dialog (offscreen) on a dialect 1 request, as the app opens it (``open_signing_request``):
the session core's accounts, keys and connection to the Local sandbox (v1) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop import signing
from nitro_desktop.client.v1_common import V1ClearNodeClient
from nitro_desktop.protocol import AppSession, RawKeySigner, v1
from nitro_desktop.ui.signing_dialog import SigningRequestDialog, open_signing_request
from nitro_desktop.wallet.endpoints import SANDBOX_V1_NAME
from tests.wallet.helpers import BOB_KEY, wallet_rig

BOB = RawKeySigner(BOB_KEY)  # a co-signer whose key lives on "another computer"


async def _until(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def _submit(dialog: SigningRequestDialog) -> AppSession:
    done: list[AppSession] = []
    dialog.submitted.connect(done.append)
    assert dialog.submit_button.isEnabled(), dialog.status.text() + dialog.error.text()
    dialog.submit_button.click()
    await _until(
        lambda: bool(done) or "Refused" in dialog.status.text() or "Not done" in dialog.status.text()
    )
    assert done, dialog.error.text()
    return done[0]


@pytest.mark.asyncio
async def test_open_sign_and_submit_v1_create_and_deposit(tmp_path: Path, qtbot: object) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_V1_NAME, rig.me)
        client = wallet.client
        assert isinstance(client, V1ClearNodeClient)
        definition = {
            "application_id": "nitro-desktop-dialog",
            "participants": [
                {"wallet_address": rig.me, "signature_weight": 50},
                {"wallet_address": BOB.address, "signature_weight": 50},
            ],
            "quorum": 100,
            "nonce": str(time.time_ns()),
        }
        sid = v1.app_session_id(definition)
        # Bob made the request on his computer and signed it.
        path = tmp_path / "create.nitroreq"
        signing.save(signing.sign(signing.create_request_v1(client.url, definition), BOB), path)

        dialog = open_signing_request(path, wallet)
        qtbot.addWidget(dialog)  # type: ignore[attr-defined]
        text = dialog.summary.toPlainText()
        request = signing.load(path)
        assert request.signed_hash in text and "nitro-desktop-dialog" in text and sid in text
        assert f"{rig.me} (50) - you" in text and "quorum not reached" in text
        assert [dialog.account.itemText(i) for i in range(dialog.account.count())] == [rig.me]
        assert not dialog.submit_button.isEnabled()
        dialog.sign_button.click()
        await _until(lambda: dialog.signed.count() == 2)
        assert signing.load(path).signers == (BOB.address, rig.me)  # saved back at once
        created = await _submit(dialog)
        assert (created.status, created.version) == ("open", 1)
        record = rig.store.sessions.get(sid)
        assert record is not None and record.origin == "created"
        assert len(json.loads(record.request_frame or "")[3]["quorum_sigs"]) == 2
        assert not dialog.submit_button.isEnabled()  # never sent twice

        # A deposit from this account's home channel needs Bob's signature too.
        signer = (await wallet.unlocked_signers([rig.me]))[0]
        update, state = await client.prepare_deposit(sid, "usdc", Decimal(7), signer)
        deposit = signing.sign(
            signing.deposit_request_v1(client.url, definition, update, state, created_by=rig.me), signer
        )
        deposit_path = signing.save(deposit, tmp_path / "deposit.nitroreq")
        refused = open_signing_request(deposit_path, wallet)
        qtbot.addWidget(refused)  # type: ignore[attr-defined]
        assert not refused.submit_button.isEnabled() and refused.account.count() == 0
        assert f"{rig.me} moves 7 usdc from their home channel" in refused.summary.toPlainText()
        signing.save(signing.sign(signing.load(deposit_path), BOB), deposit_path)  # Bob signs, sends it back
        again = open_signing_request(deposit_path, wallet)
        qtbot.addWidget(again)  # type: ignore[attr-defined]
        deposited = await _submit(again)
        assert deposited.version == 2
        assert wallet.balances["usdc"] == Decimal(993)  # refreshed after the deposit
        record = rig.store.sessions.get(sid)
        assert record is not None and record.version == 2
        assert '"amount":"7"' in record.allocations_json


def test_a_tampered_v1_file_shows_why_and_offers_nothing(tmp_path: Path, qtbot: object) -> None:
    definition = {
        "application_id": "nitro-desktop-dialog",
        "participants": [{"wallet_address": BOB.address, "signature_weight": 1}],
        "quorum": 1,
        "nonce": "5",
    }
    path = signing.save(
        signing.create_request_v1("ws://127.0.0.1:1/v1/ws", definition), tmp_path / "r.nitroreq"
    )
    doc = json.loads(path.read_text())
    doc["signed_hash"] = "0x" + "11" * 32
    path.write_text(json.dumps(doc))

    async def never(*_: object) -> object:
        raise AssertionError("must not be called")

    dialog = SigningRequestDialog(path, [BOB.address], never, never)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    assert "does not match its recorded hash" in dialog.error.text()
    assert not dialog.sign_button.isEnabled() and not dialog.submit_button.isEnabled()

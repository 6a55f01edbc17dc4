"""Adding a ClearNode asks the server for its dialect; the dialects are named with their versions."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from nitro_desktop.devnode import sandbox_node
from nitro_desktop.ui.dialogs import EndpointDialog
from nitro_desktop.ui.endpoints import EndpointsDialog
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import add_account, ready


@pytest.mark.asyncio
async def test_add_asks_the_node_for_its_dialect(profile: Profile) -> None:
    add_account(profile)
    v1_node, old_node = sandbox_node("1", port=0), sandbox_node("0.5", port=0)
    await v1_node.start()
    await old_node.start()
    try:
        async with AppRunner() as apps:
            run = apps.open(profile)
            await ready(run)
            run.window.act_endpoint.trigger()
            dialog = await until(lambda: run.window.findChild(EndpointsDialog), what="the ClearNodes dialog")
            shown = {
                dialog.table.item(i, 0).text(): dialog.table.item(i, 2).text()
                for i in range(dialog.table.rowCount())
            }
            assert shown["Local sandbox (v1)"] == "1 — nitronode v1.4.x"
            assert shown["Yellow clearnet"] == "0.5 — ClearNode v0.5.x"
            assert shown["Local sandbox"] == "0.2 — ClearNode mid-2025, NitroRPC/0.2"
            for name, node, expected in (("New v1", v1_node, "1"), ("Older", old_node, "0.5")):
                dialog._add()
                form = await until(
                    lambda: next((f for f in dialog.findChildren(EndpointDialog) if f.isVisible()), None),
                    what="the add form",
                )
                assert form.dialect.currentText() == "Ask the ClearNode"
                assert [form.dialect.itemText(i) for i in range(1, 4)] == [
                    "0.2 — ClearNode mid-2025, NitroRPC/0.2",
                    "0.5 — ClearNode v0.5.x",
                    "1 — nitronode v1.4.x",
                ]
                form.name.setText(name)
                form.url.setText(node.url)
                form.buttons.button(QDialogButtonBox.StandardButton.Save).click()
                saved = await until(lambda n=name: run.store.endpoints.get(n), what=f"{name} saved")
                assert saved.dialect == expected and saved.url == node.url
                await until(
                    lambda f=form: not shiboken6.isValid(f) or not f.isVisible(), what="the form closed"
                )

            # Nothing there: it says so and the user may choose by hand.
            dialog._add()
            form = await until(
                lambda: next((f for f in dialog.findChildren(EndpointDialog) if f.isVisible()), None),
                what="a fresh add form",
            )
            form.name.setText("Gone")
            form.url.setText("ws://127.0.0.1:9/ws")
            form.buttons.button(QDialogButtonBox.StandardButton.Save).click()
            await until(lambda: "Could not tell its dialect" in form.error.text(), what="the reason")
            # Offline, in words: not the socket's own "[Errno 111] Connect call failed".
            assert "No connection to ws://127.0.0.1:9/ws (connection refused)" in form.error.text()
            assert "Errno" not in form.error.text()
            assert run.store.endpoints.get("Gone") is None
            assert form.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
            form.dialect.setCurrentIndex(form.dialect.findData("1"))
            form.buttons.button(QDialogButtonBox.StandardButton.Save).click()
            assert run.store.endpoints.get("Gone").dialect == "1"
    finally:
        await v1_node.stop()
        await old_node.stop()


@pytest.mark.asyncio
async def test_a_nodes_dialect_is_edited_by_hand_or_asked_again(profile: Profile) -> None:
    from PySide6.QtWidgets import QComboBox

    from nitro_desktop.store import EndpointRecord

    add_account(profile)
    node = sandbox_node("0.5", port=0)
    await node.start()
    try:
        async with AppRunner() as apps:
            run = apps.open(profile)
            await ready(run)
            # Saved with the wrong dialect (an operator upgraded the node, say).
            run.store.endpoints.save(EndpointRecord("Mine", node.url, "0.2"))
            run.window.act_endpoint.trigger()
            dialog = await until(lambda: run.window.findChild(EndpointsDialog), what="the ClearNodes dialog")
            row = next(i for i in range(dialog.table.rowCount()) if dialog.table.item(i, 0).text() == "Mine")
            box = dialog.table.cellWidget(row, 2)
            assert isinstance(box, QComboBox) and box.accessibleName() == "Dialect of Mine"
            assert box.currentText() == "0.2 — ClearNode mid-2025, NitroRPC/0.2"
            sandbox_row = next(
                i for i in range(dialog.table.rowCount()) if dialog.table.item(i, 0).text() == "Local sandbox"
            )
            assert dialog.table.cellWidget(sandbox_row, 2) is None  # built in: one dialect each

            # By hand: the combo box saves at once.
            box.setCurrentIndex(box.findData("1"))
            box.activated.emit(box.currentIndex())
            assert run.store.endpoints.get("Mine").dialect == "1"
            assert "Mine now speaks dialect 1 — nitronode v1.4.x" in dialog.message.text()

            # Asked again: the node says 0.5, and that is kept.
            row = next(i for i in range(dialog.table.rowCount()) if dialog.table.item(i, 0).text() == "Mine")
            dialog.table.setCurrentCell(row, 0)
            dialog._detect()
            await until(lambda: run.store.endpoints.get("Mine").dialect == "0.5", what="the detected dialect")
            assert "now speaks dialect 0.5 — ClearNode v0.5.x" in dialog.message.text()

            # The pin is edited in its cell, as before; the sandbox's is not editable.
            row = next(i for i in range(dialog.table.rowCount()) if dialog.table.item(i, 0).text() == "Mine")
            pin = dialog.table.item(row, 3)
            assert pin.flags() & Qt.ItemFlag.ItemIsEditable
            pin.setText(node.broker_address.lower())
            assert run.store.endpoints.get("Mine").broker_address == node.broker_address
            assert not dialog.table.item(sandbox_row, 3).flags() & Qt.ItemFlag.ItemIsEditable
    finally:
        await node.stop()

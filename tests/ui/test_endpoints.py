"""ClearNodes: add one, pin its broker, and a different server at that URL is refused."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from nitro_desktop.client import ConnectionState
from nitro_desktop.devnode import SandboxNode
from nitro_desktop.store import EndpointRecord
from nitro_desktop.ui.dialogs import EndpointDialog
from nitro_desktop.ui.endpoints import EndpointsDialog
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import add_account, ready

OTHER_BROKER = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"


@pytest.mark.asyncio
async def test_endpoints_dialog_adds_pins_and_refuses_a_different_broker(profile: Profile) -> None:
    add_account(profile)
    async with SandboxNode(port=0, dialect="0.5") as node, AppRunner() as apps:
        run = apps.open(profile)
        await ready(run)
        run.window.act_endpoint.trigger()
        dialog = await until(lambda: run.window.findChild(EndpointsDialog), what="the ClearNodes dialog")
        names = [dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())]
        assert "Local sandbox" in names and "Yellow clearnet" in names

        dialog._add()
        form = await until(lambda: dialog.findChild(EndpointDialog), what="the add form")
        form.name.setText("My node")
        form.url.setText("http://example.org")
        assert "must start with ws://" in form.error.text()
        form.url.setText("ws://example.org/ws")
        assert "Use wss://" in form.error.text()
        form.url.setText(node.url)
        form.dialect.setCurrentIndex(form.dialect.findData("0.5"))
        form.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert run.store.endpoints.get("My node") == EndpointRecord("My node", node.url, "0.5")

        row = next(i for i in range(dialog.table.rowCount()) if dialog.table.item(i, 0).text() == "My node")
        dialog.table.item(row, 3).setText("0x1234")
        assert "40 hex digits" in dialog.message.text()
        assert run.store.endpoints.get("My node").broker_address is None
        row = next(i for i in range(dialog.table.rowCount()) if dialog.table.item(i, 0).text() == "My node")
        dialog.table.item(row, 3).setText(OTHER_BROKER.lower())
        assert run.store.endpoints.get("My node").broker_address == OTHER_BROKER  # checksummed
        dialog.accept()

        # The node at that URL signs with another key: refused, with the reason in view.
        run.window.endpoint_box.setCurrentIndex(run.window.endpoint_box.findData("My node"))
        run.window.reconnect()
        await until(
            lambda: "broker" in run.window.statusBar().currentMessage().lower(), what="the refusal message"
        )
        assert node.broker_address in run.window.statusBar().currentMessage()
        assert run.wallet.client is None or run.wallet.client.state is not ConnectionState.READY

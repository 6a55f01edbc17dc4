"""The v1 funds GUI on the real thing: anvil with upstream's ChannelHub, the v1 sandbox watching it
(all on 127.0.0.1), the real window. The Chains dialog refuses a wrong chain id and takes the hub
from the node; a channel is opened from the Home channels pane through the confirmation (Enter
cancels and nothing is sent; Resume then sends it, mined, the balance moves); a reverted deposit
shows the hub's decoded reason and where the money is; the wizard names the channel it funds from."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QPushButton, QWidget

from nitro_desktop.devnode import V1SandboxNode
from nitro_desktop.devnode.config import AssetConfig
from nitro_desktop.store import ChainRecord, EndpointRecord, Store
from nitro_desktop.ui.chains_dialog import ChainForm, ChainsDialog
from nitro_desktop.ui.channel_action import ChannelActionDialog
from nitro_desktop.ui.home_channels_view import HomeChannelsDock
from nitro_desktop.ui.tx_confirm import TxConfirmDialog
from tests.chainkit import AnvilHub
from tests.ui.conftest import AppRunner, Profile, Running, until
from tests.ui.test_session_wizard import B, add_account, choose_endpoint, open_wizard

pytestmark = pytest.mark.asyncio

ETH = 10**18
NATIVE = "0x" + "00" * 20
NODE = "anvil node"


@contextlib.asynccontextmanager
async def chain_node(chain: AnvilHub, tmp_path: Path) -> AsyncIterator[V1SandboxNode]:
    node = V1SandboxNode(
        port=0,
        db_path=tmp_path / "node.db",
        assets=[AssetConfig("eth", 18, NATIVE, chain.chain_id)],
        broker_key=chain.node_key,
        rpc_url=chain.url,
        hub_address=chain.hub,
        chain_id=chain.chain_id,
        poll_interval=0.05,
    )
    await node.start()
    try:
        yield node
    finally:
        await node.stop()


def prepare(profile: Profile, chain: AnvilHub, node: V1SandboxNode, *, with_rpc: bool = True) -> str:
    """The anvil dev account (unlocked there, so a test can front-run it), the node, maybe the RPC."""
    me = add_account(profile, "Me", key=chain.user_key)
    with Store.open(profile.data_dir) as store:
        store.endpoints.save(EndpointRecord(NODE, node.url, "1"))
        if with_rpc:
            store.chains.save(ChainRecord(chain.chain_id, "anvil", chain.url))
    choose_endpoint(profile, NODE)
    chain.set_balance(me, 10 * ETH)
    return me


async def dock_ready(run: Running) -> HomeChannelsDock:
    dock = run.window.home_dock
    await until(lambda: dock.isVisible() and "eth" in dock.views, what="the Home channels pane", timeout=30)
    dock.table.selectRow(0)
    return dock


async def confirmation(dialog: ChannelActionDialog) -> TxConfirmDialog:
    return await until(
        lambda: next((c for c in dialog.findChildren(TxConfirmDialog) if c.isVisible()), None),
        what="the transaction confirmation",
        timeout=30,
    )


async def outcome(dialog: ChannelActionDialog) -> str:
    await until(lambda: dialog.outcome.isVisible() and dialog.running is None, what="the outcome", timeout=60)
    return dialog.outcome.text()


def assert_named(widget: QWidget) -> None:
    """Every input, list and table has an accessible name; every button a text or one."""
    for child in widget.findChildren(QWidget):
        if isinstance(child, QLineEdit | QAbstractItemView) and not isinstance(child, QHeaderView):
            assert child.accessibleName(), f"{child.objectName()} has no accessible name"
        elif isinstance(child, QPushButton):
            assert child.accessibleName() or child.text(), f"{child.objectName()} is a blank button"


def nonce(chain: AnvilHub, who: str) -> int:
    return int(chain.rpc("eth_getTransactionCount", who, "latest"), 16)


def cell(dock: HomeChannelsDock, column: str) -> str:
    from nitro_desktop.ui.home_channels_view import COLUMNS

    return dock.table.item(0, COLUMNS.index(column)).text()


async def test_the_chains_dialog_refuses_a_wrong_chain_id_and_takes_the_hub_from_the_node(
    chain: AnvilHub, tmp_path: Path, profile: Profile
) -> None:
    async with chain_node(chain, tmp_path) as node, AppRunner() as apps:
        prepare(profile, chain, node, with_rpc=False)
        run = apps.open(profile)
        dock = await dock_ready(run)
        assert cell(dock, "On-chain") == "no RPC set"
        assert "add one in Settings → Chains" in dock.why.text()
        assert not dock.buttons["open"].isEnabled()
        run.window.act_chains.trigger()
        dialog: ChainsDialog = await until(lambda: run.window.menu_actions.chains_dialog, what="Chains")
        # The node's chain is listed before any RPC is set, with the node's hub.
        await until(lambda: dialog.table.rowCount() == 1, what="the node's chain")
        assert dialog.table.item(0, 3).text().lower() == chain.hub.lower()
        assert "not set" in dialog.table.item(0, 2).text()
        assert_named(dialog)
        dialog.table.selectRow(0)
        dialog._edit()
        form: ChainForm = await until(lambda: dialog.form, what="the chain form")
        assert_named(form)
        assert form.chain_id.text() == str(chain.chain_id) and chain.hub.lower() in form.hub.text().lower()
        # Saved as another chain id, the same RPC is refused with the reason; nothing is saved.
        form.chain_id.setReadOnly(False)
        form.chain_id.setText("1")
        form.rpc_url.setText(chain.url)
        form.save_button.click()
        await until(lambda: "Nothing was saved" in form.error.text(), what="the refusal")
        assert f"is chain {chain.chain_id}, expected 1" in form.error.text()
        assert run.store.chains.list() == [] and form.isVisible()
        # A URL that is not http(s) is refused before anything is asked.
        form.chain_id.setText(str(chain.chain_id))
        form.rpc_url.setText("ftp://127.0.0.1")
        form.save_button.click()
        assert form.error.isVisible() and "http" in form.error.text() and form.checking is None
        form.rpc_url.setText(chain.url)
        form.save_button.click()
        await until(lambda: run.store.chains.get(chain.chain_id) is not None, what="the saved chain")
        saved = run.store.chains.get(chain.chain_id)
        assert saved is not None and saved.hub_address is not None
        assert saved.hub_address.lower() == chain.hub.lower() and saved.rpc_url == chain.url
        assert "answered with that chain id" in dialog.message.text()
        # The pane reads the chain now that it has an RPC.
        await until(lambda: cell(dock, "On-chain") != "no RPC set", what="the chain read", timeout=30)
        assert dock.buttons["open"].isEnabled()


async def test_open_a_channel_enter_cancels_and_resume_sends_it_mined(
    chain: AnvilHub, tmp_path: Path, profile: Profile
) -> None:
    async with chain_node(chain, tmp_path) as node, AppRunner() as apps:
        me = prepare(profile, chain, node)
        run = apps.open(profile)
        dock = await dock_ready(run)
        assert cell(dock, "Channel") == "—" and cell(dock, "Status") == "none"
        assert not dock.buttons["deposit"].isEnabled() and "open one first" in dock.why.text()
        dock.buttons["open"].click()
        dialog = dock.dialog
        assert dialog is not None and dialog.focusWidget() is dialog.amount
        dialog.amount.setText("20")
        assert not dialog.go.isEnabled() and "Your wallet holds 10 eth" in dialog.error.text()
        dialog.amount.setText("2")
        before = nonce(chain, me)
        assert_named(dock)
        assert_named(dialog)
        QTest.keyClick(dialog.amount, Qt.Key.Key_Return)  # the keyboard goes on to the confirmation
        confirm = await confirmation(dialog)
        assert_named(confirm)
        # Everything is shown before anything is sent.
        texts = {label.objectName(): label.text() for label in confirm.findChildren(type(dialog.phase))}
        assert "put 2 eth into it" in texts["tx_headline"]
        assert texts["tx_value"] == "2 ETH" and "(chain id 31337)" in texts["tx_chain"]
        assert texts["tx_to"].lower().startswith(chain.hub.lower())
        assert "gwei" in texts["tx_max_fee_per_gas"] and "gwei" in texts["tx_priority_fee"]
        assert "at most" in texts["tx_network_fee"] and "ETH" in texts["tx_total"]
        assert (
            confirm.cancel.isDefault()
            and not confirm.send.isDefault()
            and confirm.focusWidget() is confirm.cancel
        )
        QTest.keyClick(confirm, Qt.Key.Key_Return)  # Enter is Cancel, never Send
        text = await outcome(dialog)
        assert "nothing was sent" in text.lower() and "Your 2 eth is still in your wallet on anvil" in text
        assert "Resume" in text and "`" not in text  # the window's button, not a CLI command
        assert nonce(chain, me) == before and chain.balance(chain.hub) == 0
        assert dialog.phase.text() == "Cancelled" and dialog.resume.isVisible()
        assert dock.buttons["resume"].isEnabled() and not dock.buttons["open"].isEnabled()
        assert "not on-chain yet: Resume sends it" in dock.why.text()
        dialog.resume.click()
        confirm = await confirmation(dialog)
        confirm.send.click()
        text = await outcome(dialog)
        assert dialog.phase.text() == "Done", text
        assert "Your eth home channel is open on anvil with 2 eth in it" in text
        steps = [dialog.steps.item(i).text() for i in range(dialog.steps.count())]
        assert any(s.startswith("✓ Mined") for s in steps), steps
        assert "✓ The ClearNode credited it" in steps
        assert chain.balance(chain.hub) == 2 * ETH
        await until(lambda: cell(dock, "On-chain") == "2 eth", what="the channel's balance in the pane")
        assert cell(dock, "Status") == "open" and cell(dock, "Off-chain") == "2 eth"
        assert "…" in cell(dock, "Channel") and dock.copy.isEnabled()
        assert not dock.buttons["open"].isEnabled() and dock.buttons["deposit"].isEnabled()


async def test_a_reverted_deposit_shows_the_hubs_reason_and_where_the_money_is(
    chain: AnvilHub, tmp_path: Path, profile: Profile
) -> None:
    async with chain_node(chain, tmp_path) as node, AppRunner() as apps:
        me = prepare(profile, chain, node)
        run = apps.open(profile)
        await until(lambda: run.wallet.client is not None and run.window.ready, what="connected", timeout=30)
        channels = await run.wallet.home_channels()

        async def yes(_plan: object) -> bool:
            return True

        await channels.open("eth", Decimal(1), yes)  # type: ignore[arg-type]
        dock = await dock_ready(run)
        await until(lambda: cell(dock, "Status") == "open", what="the open channel", timeout=30)
        # The wizard funds the session from this channel: 5 eth is 4 short, and it says so.
        wizard = await open_wizard(run)
        wizard.next()
        wizard.pages["participants"].table.item(1, 0).setText(B)
        wizard.next()
        page = wizard.pages["allocations"]
        page._editors[0][1].setText("5")
        panel = page.funding_panel  # type: ignore[attr-defined]
        assert "holds 1 eth: 4 eth short of the 5 eth" in panel.text.text()
        assert panel.button.isVisible() and panel.button.text() == "Deposit into eth channel…"
        panel.button.click()
        assert panel.dialog.amount.text() == "4"  # the part the channel lacks
        panel.dialog.close()
        page._editors[0][1].setText("0.5")
        assert "the 0.5 eth deposit comes from it" in panel.text.text() and not panel.button.isVisible()
        wizard.reject()

        dock.buttons["deposit"].click()
        dialog = dock.dialog
        assert dialog is not None
        dialog.amount.setText("0.5")
        dialog.go.click()
        confirm = await confirmation(dialog)
        # The same deposit lands first (anvil's dev account is unlocked): ours then reverts on-chain.
        step = confirm.plan.steps[0]
        tx = {"from": me, "to": step.to, "value": hex(step.value), "data": "0x" + step.data.hex()}
        chain.rpc("eth_sendTransaction", {**tx, "gas": hex(step.gas_limit)})
        confirm.send.click()
        text = await outcome(dialog)
        (op,) = [o for o in run.store.channel_operations.list(me) if o.kind == "deposit"]
        assert op.step == "failed" and op.tx_hash and "reverted" in op.error
        reason = op.error.split("reverted: ", 1)[1].split(" Nothing")[0]
        assert reason and "no reason given" not in reason
        assert dialog.phase.text() == "Not done" and reason in text
        steps = [dialog.steps.item(i).text() for i in range(dialog.steps.count())]
        assert any(s.startswith("✗ Reverted") and reason.split(":")[0] in s for s in steps), steps
        assert "Your 0.5 eth is still in your wallet on anvil" in text
        assert "the channel holds 1.5 eth on-chain" in text  # the front-run deposit, once
        assert chain.balance(chain.hub) == 3 * ETH // 2


async def test_a_dropped_deposit_is_not_done_and_resume_sends_it_again(
    chain: AnvilHub, tmp_path: Path, profile: Profile
) -> None:
    async with chain_node(chain, tmp_path) as node, AppRunner() as apps:
        me = prepare(profile, chain, node)
        run = apps.open(profile)
        await until(lambda: run.wallet.client is not None and run.window.ready, what="connected", timeout=30)
        channels = await run.wallet.home_channels()

        async def yes(_plan: object) -> bool:
            return True

        await channels.open("eth", Decimal(1), yes)  # type: ignore[arg-type]
        dock = await dock_ready(run)
        await until(lambda: cell(dock, "Status") == "open", what="the open channel", timeout=30)
        chain.automine(False)

        def drop(progress: object) -> None:  # the pool forgets it as soon as it is in
            if getattr(progress, "phase", "") == "sent":
                chain.drop(getattr(progress, "tx_hash", ""))

        unsubscribe = run.wallet.channel_events.tx_progress.subscribe(drop)
        dock.buttons["deposit"].click()
        dialog = dock.dialog
        assert dialog is not None
        dialog.amount.setText("0.25")
        QTest.keyClick(dialog.amount, Qt.Key.Key_Return)
        (await confirmation(dialog)).send.click()
        text = await outcome(dialog)
        unsubscribe()
        assert dialog.phase.text() == "Not done" and "was dropped" in text, text
        assert "Your 0.25 eth is still in your wallet on anvil" in text
        assert "the channel holds 1 eth on-chain" in text and chain.balance(chain.hub) == ETH
        steps = [dialog.steps.item(i).text() for i in range(dialog.steps.count())]
        assert any(s.startswith("✗ Dropped") for s in steps), steps
        (op,) = [o for o in run.store.channel_operations.list(me) if o.kind == "deposit"]
        assert op.step == "dropped"  # not recorded as done
        assert dialog.resume.isVisible() and dock.buttons["resume"].isEnabled()
        assert not dock.buttons["deposit"].isEnabled()  # the unfinished deposit comes first
        chain.automine(True)
        dialog.resume.click()
        (await confirmation(dialog)).send.click()
        text = await outcome(dialog)
        assert dialog.phase.text() == "Done", text
        assert "0.25 eth moved from your wallet into your home channel on anvil" in text
        assert chain.balance(chain.hub) == ETH + ETH // 4

"""The v1 funds screens on a real chain, for the README: `tools/screenshots.py --chain OUT_DIR`.

Starts anvil on 127.0.0.1 (``.tools/anvil/anvil`` or ``NITRO_DESKTOP_ANVIL``), replays upstream's
ChannelHub deployment there (``tests/chainkit.py``, data from ``../shared/v1``), runs the v1
sandbox watching it, and drives the real window: Chains, the Home channels pane, opening a
channel through the confirmation and its progress, a reverted deposit, the wizard's funding
panel. Everything stays on loopback; anvil is stopped at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

Grab = Callable[[Any, str], None]


async def _until(predicate: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := predicate()):
        if loop.time() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


async def shoot_chain(out: Path, data_dir: Path, keyring: Any) -> list[Path]:
    from PySide6.QtWidgets import QWidget

    from nitro_desktop.devnode import V1SandboxNode
    from nitro_desktop.devnode.config import AssetConfig
    from tests.chainkit import CHAIN_ID, NODE_KEY, Anvil, address_of, anvil_binary, deploy_channel_hub

    saved: list[Path] = []

    def grab(widget: QWidget, name: str) -> None:
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

    binary = anvil_binary()
    if binary is None:
        raise SystemExit(
            "anvil is not installed: run `python3 tools/dev.py test` once (it installs .tools/anvil)"
        )
    anvil = Anvil(binary)
    try:
        hub = deploy_channel_hub(anvil.url, address_of(NODE_KEY)).hub
        node = V1SandboxNode(
            port=0,
            db_path=data_dir / "node.db",
            assets=[AssetConfig("eth", 18, "0x" + "00" * 20, CHAIN_ID)],
            broker_key=NODE_KEY,
            rpc_url=anvil.url,
            hub_address=hub,
            chain_id=CHAIN_ID,
            poll_interval=0.1,
        )
        await node.start()
        try:
            await _drive(out, data_dir, keyring, anvil, node, grab)
        finally:
            await node.stop()
    finally:
        anvil.stop()
    return saved


async def _drive(out: Path, data_dir: Path, keyring: Any, anvil: Any, node: Any, grab: Grab) -> None:
    from PySide6.QtCore import QSettings

    from nitro_desktop.keys import AccountManager
    from nitro_desktop.store import EndpointRecord, Store
    from nitro_desktop.ui.main_window import MainWindow
    from nitro_desktop.ui.service import AppService
    from nitro_desktop.ui.tx_confirm import TxConfirmDialog
    from nitro_desktop.wallet.core import Wallet
    from tests.chainkit import USER_KEY, rpc

    store = Store.open(data_dir / "app")
    accounts = AccountManager(store, keyring_backend=keyring)
    # anvil's first user account: unlocked there, so this script can front-run it for the revert.
    me = accounts.import_private_key(USER_KEY, "Alice").address
    rpc(anvil.url, "anvil_setBalance", [me, hex(10 * 10**18)])
    store.endpoints.save(EndpointRecord("Local anvil (v1)", node.url, "1"))
    settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("last/endpoint", "Local anvil (v1)")
    service = AppService(Wallet(store, accounts))
    window = MainWindow(service, settings)
    window.resize(1280, 800)
    window.show()
    dock = window.home_dock
    try:
        await _until(lambda: dock.isVisible() and "eth" in dock.views, "the Home channels pane")
        await asyncio.sleep(0.4)
        grab(window, "11-home-channels-no-rpc")
        # Settings → Chains: the node's chain listed, its RPC typed in and checked.
        window.act_chains.trigger()
        chains = await _until(lambda: window.menu_actions.chains_dialog, "Chains")
        await _until(lambda: chains.table.rowCount() == 1, "the node's chain")
        chains.table.selectRow(0)
        chains._edit()
        form = await _until(lambda: chains.form, "the chain form")
        form.rpc_url.setText(anvil.url)
        form.chain_id.setReadOnly(False)
        form.chain_id.setText("1")
        form.save_button.click()
        await _until(lambda: "Nothing was saved" in form.error.text(), "the wrong-chain refusal")
        await asyncio.sleep(0.2)
        grab(form, "12-chain-wrong-id")
        form.chain_id.setText(str(anvil_chain_id(anvil)))
        form.save_button.click()
        await _until(lambda: store.chains.list(), "the saved chain")
        await asyncio.sleep(0.3)
        grab(chains, "13-chains")
        chains.accept()
        await _until(lambda: dock.buttons["open"].isEnabled(), "Open channel enabled")
        # Open a channel: amount, the confirmation, the progress.
        dock.table.selectRow(0)
        dialog = dock.act("open")
        assert dialog is not None
        dialog.amount.setText("2")
        await asyncio.sleep(0.2)
        grab(dialog, "14-open-channel")
        dialog.go.click()
        confirm = await _until(
            lambda: next((c for c in dialog.findChildren(TxConfirmDialog) if c.isVisible()), None), "confirm"
        )
        await asyncio.sleep(0.3)
        grab(confirm, "15-tx-confirm")
        confirm.send.click()
        await _until(lambda: dialog.outcome.isVisible() and dialog.running is None, "the outcome")
        await asyncio.sleep(0.3)
        grab(dialog, "16-tx-mined")
        dialog.close()
        await _until(lambda: dock.table.item(0, 3) and dock.table.item(0, 3).text() == "2 eth", "the new row")
        await asyncio.sleep(0.3)
        grab(window, "17-home-channel-open")
        # A deposit front-run by the same transaction: ours reverts, with the hub's reason.
        dialog = dock.act("deposit")
        assert dialog is not None
        dialog.amount.setText("0.5")
        dialog.go.click()
        confirm = await _until(
            lambda: next((c for c in dialog.findChildren(TxConfirmDialog) if c.isVisible()), None), "confirm"
        )
        step = confirm.plan.steps[0]
        tx = {"from": me, "to": step.to, "value": hex(step.value), "data": "0x" + step.data.hex()}
        rpc(anvil.url, "eth_sendTransaction", [{**tx, "gas": hex(step.gas_limit)}])
        confirm.send.click()
        await _until(lambda: dialog.outcome.isVisible() and dialog.running is None, "the revert")
        await asyncio.sleep(0.3)
        grab(dialog, "18-tx-reverted")
        dialog.close()
        # The wizard's allocations: the session's deposit comes from the home channel.
        window.act_new.trigger()
        wizard = await _until(lambda: window.menu_actions.wizard, "the wizard")
        wizard.next()
        wizard.pages["participants"].table.item(1, 0).setText("0x" + "b0b" * 13 + "b")
        wizard.next()
        page = wizard.pages["allocations"]
        page._editors[0][1].setText("4")  # type: ignore[attr-defined]
        await asyncio.sleep(0.3)
        grab(wizard, "19-wizard-v1-funding")
        wizard.reject()
    finally:
        window.close()
        await service.shutdown()
        store.close()


def anvil_chain_id(anvil: Any) -> int:
    from tests.chainkit import rpc

    return int(rpc(anvil.url, "eth_chainId"), 16)

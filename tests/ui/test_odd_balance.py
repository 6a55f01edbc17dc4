"""A balance the app cannot read is shown as received, marked, and the app still connects (issue 11 §3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nitro_desktop.devnode.db import Database
from nitro_desktop.ui.balances import ODD_MARK
from nitro_desktop.wallet.endpoints import SANDBOX_NAME
from tests.ui.conftest import AppRunner, Profile
from tests.ui.test_session_wizard import add_account, balances, choose_endpoint, ready

# What the unbounded sandbox stored for a wallet that was sent 1e-100 usdc.
PLANTED = "0." + "0" * 99 + "1"


@pytest.mark.asyncio
async def test_an_odd_balance_is_shown_as_received_with_a_warning(profile: Profile) -> None:
    async with AppRunner() as app_runner:
        me = add_account(profile)
        choose_endpoint(profile, SANDBOX_NAME)
        ledger = Database(profile.data_dir / "sandbox-0.2.sqlite")
        with ledger.transaction() as conn:
            for asset, amount in (("usdc", PLANTED), ("eth", "1")):
                conn.execute(
                    "INSERT INTO balances (account_id, wallet, asset, amount) VALUES (?, ?, ?, ?)",
                    (me, me, asset, amount),
                )
        ledger.close()

        run = app_runner.open(profile)
        await ready(run)
        shown = balances(run)
        assert shown["eth"] == "1"
        assert shown["usdc"] == f"{ODD_MARK} {PLANTED}"
        row = [
            i
            for i in range(run.window.balances.rowCount())
            if run.window.balances.item(i, 0).text() == "usdc"
        ]
        assert "cannot read" in run.window.balances.item(row[0], 1).toolTip()
        # Shown, but never counted as money the wizard may spend.
        assert run.wallet.balances["usdc"] == Decimal(0)
        assert run.wallet.known_balances()[(me, "usdc")] == Decimal(0)

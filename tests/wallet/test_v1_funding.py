"""The create wizard's funding on dialect "1": the session is created empty, then each local
funder deposits from their home channel (``submit_deposit_state``); after the close the
Release puts it back in the home channel. Against the Local sandbox (v1) on 127.0.0.1."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.flows import CreateSessionFlow, UpdateSessionFlow
from nitro_desktop.protocol import Dialect, ProtocolError, definition_from_dict
from nitro_desktop.wallet.core import Wallet
from nitro_desktop.wallet.endpoints import SANDBOX_V1_NAME
from tests.wallet.helpers import OTHER, wallet_rig

pytestmark = pytest.mark.asyncio
_nonce = [0]


def funded_flow(wallet: Wallet, amount: str) -> CreateSessionFlow:
    assert wallet.account is not None
    _nonce[0] += 1
    flow = CreateSessionFlow(
        Dialect.V1,
        local_accounts=[wallet.account],
        assets=dict(wallet.assets),
        balances=wallet.known_balances(),
        now_ms=int(time.time() * 1000) * 1000 + _nonce[0],
    )
    assert "allocations" in flow.pages()
    flow.participants[0].address, flow.participants[1].address = wallet.account, OTHER
    flow.allocations[0].amount = amount
    flow.signers = {wallet.account}
    return flow


async def test_the_wizard_funds_a_v1_session_by_deposit_and_the_close_releases_it_home(
    tmp_path: Path,
) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_V1_NAME, rig.me)
        flow = funded_flow(wallet, "25")
        assert flow.all_problems() == {}
        created = await wallet.create_session(flow)
        assert (created.status, created.version) == ("open", 2)  # the create, then the deposit
        assert wallet.balances["usdc"] == Decimal(975)  # out of the home channel
        record = rig.store.sessions.get(created.app_session_id)
        assert record is not None and record.version == 2
        sent = json.loads(record.request_frame or "")
        assert sent[2] == "app_sessions.v1.submit_deposit_state"
        assert sent[3]["user_state"]["transition"]["type"] == 40  # commit
        assert json.loads(record.allocations_json) == [
            {"participant": rig.me.lower(), "asset": "usdc", "amount": "25"}
        ]

        definition = definition_from_dict(json.loads(record.definition_json))
        current = {(rig.me, "usdc"): Decimal(25)}
        close = UpdateSessionFlow(
            "close", Dialect.V1, created.app_session_id, definition, 2, [rig.me], dict(wallet.assets), current
        )
        close.signers = {rig.me}
        await wallet.update_session(close)
        await wallet.refresh_balances()
        assert wallet.balances["usdc"] == Decimal(1000)  # released back into the home channel
        latest = await wallet.require_client().v1.get_latest_state(rig.me, "usdc")
        assert latest is not None and latest["transition"]["type"] == 41  # release
        assert latest["transition"]["account_id"] == created.app_session_id


async def test_more_than_the_home_channel_holds_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_V1_NAME, rig.me)
        flow = funded_flow(wallet, "1000.5")
        assert "Insufficient funds" in flow.allocation_problems()["amount.0"]
        with pytest.raises(ProtocolError, match="Insufficient funds"):
            flow.funding_deposits()
        assert rig.store.sessions.rows() == []

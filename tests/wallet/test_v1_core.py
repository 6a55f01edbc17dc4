"""The session core on dialect "1": the Local sandbox (v1) the app's factory starts on 127.0.0.1."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.app import local_sandbox_factory
from nitro_desktop.client import ClearNodeClient, ConnectionState
from nitro_desktop.flows import CreateSessionFlow, UpdateSessionFlow
from nitro_desktop.protocol import Dialect, ProtocolError, definition_from_dict
from nitro_desktop.wallet.core import Wallet
from nitro_desktop.wallet.endpoints import SANDBOX_V1_NAME
from tests.wallet.helpers import OTHER, wallet_rig

_nonce = [0]

pytestmark = pytest.mark.asyncio


async def test_v1_presets_and_the_factory_starts_a_v1_node(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        saved = {e.name: e for e in rig.store.endpoints.list()}
        assert saved[SANDBOX_V1_NAME].dialect == Dialect.V1 and saved[SANDBOX_V1_NAME].is_sandbox
        assert saved["Yellow v1 sandbox"].url == "wss://nitronode-sandbox.yellow.org/v1/ws"
        assert saved["Yellow v1"].url == "wss://nitronode.yellow.org/v1/ws"
        assert {saved["Yellow v1"].dialect, saved["Yellow v1 sandbox"].dialect} == {Dialect.V1}
    node = await local_sandbox_factory(tmp_path)("1")
    try:
        node.fund(rig.me, "usdc", "7")
        async with ClearNodeClient(node.url, Dialect.V1, timeout=3.0) as client:
            config = await client.v1.get_config()
            assert config["node_address"] == node.broker_address.lower()
            balances = await client.v1.get_balances(rig.me)
            assert [(b["asset"], b["amount"]) for b in balances] == [("usdc", "7")]
    finally:
        await node.stop()


def v1_flow(wallet: Wallet, other: str = OTHER, weights: tuple[str, str] = ("100", "0")) -> CreateSessionFlow:
    """A two-party v1 session the current account alone can move (weights 100/0, quorum 100)."""
    assert wallet.account is not None
    _nonce[0] += 1
    flow = CreateSessionFlow(
        Dialect.V1,
        local_accounts=[wallet.account],
        assets=dict(wallet.assets),
        balances=wallet.known_balances(),
        now_ms=int(time.time() * 1000) * 1000 + _nonce[0],
    )
    flow.participants[0].address, flow.participants[0].weight = wallet.account, weights[0]
    flow.participants[1].address, flow.participants[1].weight = other, weights[1]
    flow.signers = {wallet.account}
    assert flow.all_problems() == {}
    return flow


def v1_method(frame: str | None) -> tuple[int, str]:
    assert frame is not None
    doc = json.loads(frame)
    return int(doc[1]), str(doc[2])


async def test_connect_reads_home_channel_balances_without_login(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        await rig.wallet.connect_to(SANDBOX_V1_NAME, rig.me)
        client = rig.wallet.client
        assert client is not None and client.state is ConnectionState.READY
        assert client.dialect == Dialect.V1 and client.broker_address is None
        assert client.address == rig.me and client.stats.requests_sent >= 2  # get_assets, get_balances
        # The faucet put the grant into the account's simulated home channel.
        assert rig.wallet.balances == {"usdc": Decimal(1000), "eth": Decimal(1)}
        assert rig.wallet.assets == {"usdc": 6, "eth": 18}
        endpoint = rig.store.endpoints.get(SANDBOX_V1_NAME)
        assert endpoint is not None and endpoint.broker_address is None  # nothing to pin
        assert rig.heard.events["ready_changed"] == [False, True]
        assert rig.heard.events["problem"] == []


async def test_create_operate_close_are_recorded_with_their_v1_frames(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_V1_NAME, rig.me)
        flow = v1_flow(wallet)
        created = await wallet.create_session(flow)
        assert (created.status, created.version) == ("open", 1)
        assert created.app_session_id == flow.expected_session_id()
        saved = rig.store.sessions.get(created.app_session_id)
        assert saved is not None and saved.origin == "created" and saved.allocations_json == "[]"
        assert json.loads(saved.definition_json)["participants"] == [rig.me, OTHER]
        request_id, method = v1_method(saved.request_frame)
        assert method == "app_sessions.v1.create_app_session"
        sent = json.loads(saved.request_frame or "")[3]
        assert sent["definition"]["quorum"] == 100 and len(sent["quorum_sigs"]) == 1
        assert sent["quorum_sigs"][0].startswith("0xa1")  # a wallet quorum signature
        assert v1_method(saved.response_frame)[0] == request_id
        # Nothing moved: the session was created empty.
        assert wallet.balances["usdc"] == Decimal(1000)

        sid = created.app_session_id
        definition = definition_from_dict(json.loads(saved.definition_json))
        operate = UpdateSessionFlow("submit", Dialect.V1, sid, definition, 1, [rig.me], dict(wallet.assets))
        operate.signers = {rig.me}
        operate.session_data = '{"move": 1}'
        moved = await wallet.update_session(operate)
        assert moved.version == 2
        record = rig.store.sessions.get(sid)
        assert record is not None and record.version == 2
        assert v1_method(record.request_frame)[1] == "app_sessions.v1.submit_app_state"
        assert json.loads(record.request_frame or "")[3]["app_state_update"]["intent"] == 0  # operate

        close = UpdateSessionFlow("close", Dialect.V1, sid, definition, 2, [rig.me], dict(wallet.assets))
        close.signers = {rig.me}
        closed = await wallet.update_session(close)
        assert (closed.status, closed.version) == ("closed", 3)
        record = rig.store.sessions.get(sid)
        assert record is not None and (record.status, record.version) == ("closed", 3)
        assert json.loads(record.request_frame or "")[3]["app_state_update"]["intent"] == 3  # close
        node = wallet.sandbox
        assert node is not None
        on_node = await wallet.require_client().find_app_session(sid)
        assert on_node is not None and on_node.status == "closed"


async def test_sessions_on_the_node_are_merged_into_the_history(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_V1_NAME, rig.me)
        first = await wallet.create_session(v1_flow(wallet))
        second = await wallet.create_session(v1_flow(wallet))
        rig.store.sessions.delete(first.app_session_id)  # as if created on another computer
        assert await wallet.refresh_from_server() == 2
        merged = rig.store.sessions.get(first.app_session_id)
        assert merged is not None and merged.origin == "server" and merged.status == "open"
        assert {p.lower() for p in json.loads(merged.definition_json)["participants"]} == {
            rig.me.lower(),
            OTHER.lower(),
        }
        kept = rig.store.sessions.get(second.app_session_id)
        assert kept is not None and kept.origin == "created"
        # Saved as created: EIP-55 addresses in the order sent (the node's order is unspecified),
        # so the session can still be updated with local signers after a refresh.
        assert json.loads(kept.definition_json)["participants"] == [rig.me, OTHER]
        assert json.loads(merged.definition_json)["participants"][0] in (rig.me, OTHER)  # checksummed
        saved = rig.store.sessions.get(second.app_session_id)
        assert saved is not None
        definition = definition_from_dict(json.loads(saved.definition_json))
        flow = UpdateSessionFlow(
            "close", Dialect.V1, saved.app_session_id, definition, 1, [rig.me], {"usdc": 6}
        )
        flow.signers = {rig.me}
        assert flow.problems() == {} or set(flow.problems()) == {"asset"}
        assert flow.eligible_signers() == [rig.me]


async def test_deposit_from_the_home_channel_and_a_participant_without_funds(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_V1_NAME, rig.me)
        created = await wallet.create_session(v1_flow(wallet))
        sid = created.app_session_id
        moved = await wallet.deposit(sid, "usdc", Decimal("12.5"))
        assert moved.version == 2
        assert wallet.balances["usdc"] == Decimal("987.5")  # left the home channel
        record = rig.store.sessions.get(sid)
        assert record is not None and record.version == 2
        assert json.loads(record.allocations_json or "") == [
            {"participant": rig.me.lower(), "asset": "usdc", "amount": "12.5"}
        ]
        sent = json.loads(record.request_frame or "")
        assert sent[2] == "app_sessions.v1.submit_deposit_state"
        assert sent[3]["user_state"]["transition"]["type"] == 40  # commit to the session
        listed = await wallet.require_client().find_app_session(sid)
        assert listed is not None and listed.extra["allocations"] == [
            {"participant": rig.me.lower(), "asset": "usdc", "amount": "12.5"}
        ]
        node = wallet.sandbox
        assert node is not None
        held, minted = node.ledger_totals()  # type: ignore[attr-defined]
        assert held == minted  # conserved

        # A second account puts all it has into a session; with no funds left it can still
        # create and close sessions, only not deposit.
        poor = wallet.accounts.generate("Poor", backend="keyring").address
        await wallet.connect_to(SANDBOX_V1_NAME, poor)
        first = await wallet.create_session(v1_flow(wallet, other=rig.me))
        await wallet.deposit(first.app_session_id, "usdc", wallet.balances["usdc"])
        assert wallet.balances["usdc"] == 0
        own = await wallet.create_session(v1_flow(wallet, other=rig.me))
        with pytest.raises(ProtocolError, match="holds 0 usdc; it cannot put in more"):
            await wallet.deposit(own.app_session_id, "usdc", Decimal(1))
        saved = rig.store.sessions.get(own.app_session_id)
        assert saved is not None and saved.version == 1  # nothing was sent
        definition = definition_from_dict(json.loads(saved.definition_json))
        close = UpdateSessionFlow(
            "close", Dialect.V1, own.app_session_id, definition, 1, [poor], dict(wallet.assets)
        )
        close.signers = {poor}
        assert (await wallet.update_session(close)).status == "closed"


async def test_withdraw_then_close_a_funded_session_by_intents(tmp_path: Path) -> None:
    async with wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        await wallet.connect_to(SANDBOX_V1_NAME, rig.me)
        sid = (await wallet.create_session(v1_flow(wallet))).app_session_id
        await wallet.deposit(sid, "usdc", Decimal(20))
        saved = rig.store.sessions.get(sid)
        assert saved is not None
        definition = definition_from_dict(json.loads(saved.definition_json))
        flow = UpdateSessionFlow("submit", Dialect.V1, sid, definition, 2, [rig.me], dict(wallet.assets))
        assert flow.intents == ("operate", "withdraw")  # deposit has its own action; close its own
        flow.intent, flow.asset, flow.signers = "withdraw", "usdc", {rig.me}
        flow.amounts = {0: "15", 1: "0"}
        moved = await wallet.update_session(flow)
        assert moved.version == 3
        sent = json.loads(rig.store.sessions.get(sid).request_frame or "")  # type: ignore[union-attr]
        assert sent[3]["app_state_update"]["intent"] == 2  # withdraw
        await wallet.refresh_balances()
        assert wallet.balances["usdc"] == Decimal(985)  # 1000 - 20 + 5
        close = UpdateSessionFlow("close", Dialect.V1, sid, definition, 3, [rig.me], dict(wallet.assets))
        close.asset, close.signers, close.amounts = "usdc", {rig.me}, {0: "15", 1: "0"}
        assert (await wallet.update_session(close)).status == "closed"
        await wallet.refresh_balances()
        assert wallet.balances["usdc"] == Decimal(1000)  # all back in the home channel

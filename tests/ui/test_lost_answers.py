"""The app when a create's answer is lost: recorded once, when the outcome arrives, with its own frames.

A real window on a sandbox node behind the fault-injecting proxy, all on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from nitro_desktop.client import Backoff, RequestTimeout
from nitro_desktop.devnode import SandboxNode
from nitro_desktop.flows import CreateSessionFlow
from nitro_desktop.protocol import Dialect, RawKeySigner, recover_signers
from nitro_desktop.store import EndpointRecord, Store
from nitro_desktop.wallet.core import ClientOptions
from tests.client.proxy import FaultProxy
from tests.ui.conftest import AppRunner, Profile, Running, until
from tests.ui.test_session_wizard import add_account, choose_endpoint, ready

ALICE_KEY = "0x" + "55" * 32
B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
_nonce = [0]


@contextlib.asynccontextmanager
async def app_behind_proxy(profile: Profile, dialect: str) -> AsyncIterator[tuple[Running, FaultProxy, Any]]:
    """A window connected through the proxy to a sandbox node; Alice holds 100 usdc there."""
    node = SandboxNode(host="127.0.0.1", port=0, dialect=dialect)
    await node.start()
    proxy = await FaultProxy(node.url).start()
    alice = add_account(profile, "Alice", ALICE_KEY)
    node.fund(alice, "usdc", 100)
    with Store.open(profile.data_dir) as store:
        store.endpoints.save(EndpointRecord("Through proxy", proxy.url, dialect))  # type: ignore[arg-type]
    choose_endpoint(profile, "Through proxy")
    async with AppRunner() as runner:
        try:
            run = runner.open(profile)
            # Short waits so a lost answer turns into a late outcome within the test.
            run.wallet.client_options = ClientOptions(timeout=1.0, backoff=Backoff(initial=0.01, cap=0.05))
            await ready(run)
            yield run, proxy, node
        finally:
            # Stopped before the window closes: the runner's clean-up pumps Qt events, and
            # proxy tasks woken then would run inside another task.
            await proxy.stop()
            await node.stop()


def flow_for(run: Running, amount: int) -> CreateSessionFlow:
    _nonce[0] += 1
    service = run.wallet
    assert service.endpoint is not None and service.account is not None
    flow = CreateSessionFlow(
        Dialect(service.endpoint.dialect),
        local_accounts=[service.account],
        assets=dict(service.assets),
        balances=service.known_balances(),
        now_ms=int(time.time() * 1000) * 1000 + _nonce[0],
    )
    flow.participants[0].address = service.account
    flow.participants[1].address = B
    flow.allocations[0].amount = str(amount)
    flow.signers = {service.account}
    assert flow.all_problems() == {}
    return flow


def listed(run: Running, sid: str) -> int:
    model = run.window.model
    return sum(
        1 for i in range(model.rowCount()) if (r := model.row_at(i)) is not None and r.app_session_id == sid
    )


def sent_request_id(frame: str | None) -> int:
    assert frame is not None
    return int(json.loads(frame)["req"][0])


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_a_create_whose_outcome_comes_after_a_reconnect_reaches_the_list_once(
    profile: Profile, dialect: str
) -> None:
    async with app_behind_proxy(profile, dialect) as (run, proxy, node):
        flow = flow_for(run, 10)
        sid = flow.expected_session_id()
        proxy.go_dark_after("create_app_session")  # the node applies it; its answer never comes
        with pytest.raises(RequestTimeout) as info:
            await run.wallet.create_session(flow)
        assert info.value.pending is not None and info.value.pending.app_session_id == sid
        assert run.store.sessions.get(sid) is None and listed(run, sid) == 0

        proxy.dark = False  # the node is reachable again: drop the stale socket, reconnect
        proxy.drop_all()
        await until(lambda: listed(run, sid), what="the session in the list")
        assert listed(run, sid) == 1 and run.store.sessions.count() == 1
        saved = run.store.sessions.get(sid)
        assert saved is not None and (saved.status, saved.version, saved.origin) == ("open", 1, "created")
        # Its own request frame: the id the proxy saw go out, signed by Alice; the answer was lost.
        assert sent_request_id(saved.request_frame) == proxy.sent_ids["create_app_session"][0]
        assert recover_signers(saved.request_frame) == [RawKeySigner(ALICE_KEY).address]  # type: ignore[arg-type]
        assert saved.response_frame is None
        assert node.balances(run.wallet.account)["usdc"] == Decimal(90)  # locked once
        assert proxy.seen["create_app_session"] == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_a_recovered_second_create_keeps_its_own_frames_not_the_first_ones(
    profile: Profile, dialect: str
) -> None:
    async with app_behind_proxy(profile, dialect) as (run, proxy, node):
        first = await run.wallet.create_session(flow_for(run, 10))
        proxy.drop_after("create_app_session")  # the node applies the second; the socket drops
        second = await run.wallet.create_session(flow_for(run, 5))
        assert run.wallet.client.stats.reconnects == 1

        one, two = run.store.sessions.get(first.app_session_id), run.store.sessions.get(second.app_session_id)
        assert one is not None and two is not None
        first_id, second_id = proxy.sent_ids["create_app_session"]
        assert sent_request_id(one.request_frame) == first_id and one.response_frame is not None
        assert sent_request_id(two.request_frame) == second_id != first_id
        assert two.request_frame != one.request_frame and two.response_frame is None
        assert json.loads(two.request_frame)["req"][1] == "create_app_session"  # type: ignore[arg-type]
        assert listed(run, first.app_session_id) == 1 and listed(run, second.app_session_id) == 1
        assert node.balances(run.wallet.account)["usdc"] == Decimal(85)

"""Submit-state and close flows driven headless against a real sandbox ClearNode, and what a
dialect tells the flows (instead of the flows comparing dialects)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.flows import CreateWizard, SubmitState, UpdateSessionFlow
from nitro_desktop.flows.create_wizard import StepRefused
from nitro_desktop.protocol import Dialect, spec
from tests.client.helpers import ready_client
from tests.flows.helpers import ALICE, ASSETS, A, B, PresignedSender, create_flow

Factory = Callable[..., Awaitable[SandboxNode]]


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_create_then_submit_state_then_close(sandbox_factory: Factory, dialect: str) -> None:
    node = await sandbox_factory(dialect=dialect)
    node.fund(A, "usdc", 100)
    client = await ready_client(node.url, dialect, ALICE)
    sender = PresignedSender(client, {A: ALICE})
    try:
        created = create_flow(dialect)
        created.participants[1].address = B
        created.allocations[0].amount = "10"
        wizard = CreateWizard(created)
        while wizard.page != "submit":
            wizard.next()
        assert await wizard.submit(sender.submitter()) is SubmitState.SENT
        sid, definition = created.expected_session_id(), created.definition()

        update = UpdateSessionFlow(
            "submit", Dialect(dialect), sid, definition, 1, [A], ASSETS, {(A, "usdc"): Decimal(10)}
        )
        versioned = dialect == "0.5"  # NitroRPC/0.4 on a v0.5 node
        assert update.uses_intents is versioned
        assert update.intents == (("operate", "deposit", "withdraw") if versioned else ())
        assert update.amounts == {0: "10", 1: "0"} and update.signers == {A}
        update.amounts[0] = "4"
        assert update.problems() == {
            "total": "The amounts add up to 4 usdc but the session holds 10; "
            "every unit must be redistributed."
        }
        update.amounts[1] = "6"
        assert update.problems() == {}
        session = await sender.send(update, update.ordered_signers())
        assert (session.status, session.version) == ("open", 2)
        wire = client.exchanges.get(sender.sent[-1].request_id)
        assert wire is not None and wire.request == sender.sent[-1].frame_text()
        req = json.loads(wire.request)["req"]
        params = req[2] if versioned else req[2][0]
        assert req[1] == "submit_app_state" and params == {
            "app_session_id": sid,
            **({"intent": "operate", "version": 2} if versioned else {}),
            "allocations": [
                {"participant": A, "asset": "usdc", "amount": "4"},
                {"participant": B, "asset": "usdc", "amount": "6"},
            ],
        }

        close = UpdateSessionFlow(
            "close",
            Dialect(dialect),
            sid,
            definition,
            2,
            [A],
            ASSETS,
            {(A, "usdc"): Decimal(4), (B, "usdc"): Decimal(6)},
        )
        assert close.intents == () and close.sent_version is None
        session = await sender.send(close, close.ordered_signers())
        assert (session.status, session.version) == ("closed", 3)
        assert json.loads(sender.sent[-1].frame_text())["req"][1] == "close_app_session"
    finally:
        await client.close()
    assert node.balances(A)["usdc"] == 94 and node.balances(B) == {"usdc": Decimal(6)}


def test_the_application_page_asks_what_the_definition_holds() -> None:
    assert create_flow("0.2").application_fields() == ("protocol", "challenge", "nonce")
    assert create_flow("0.5").application_fields() == ("protocol", "application", "challenge", "nonce")


def test_a_dialect_without_a_challenge_is_not_asked_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec(Dialect.V05), "definition_has_challenge", False)
    flow = create_flow("0.5")
    flow.challenge = "soon"
    assert flow.application_fields() == ("protocol", "application", "nonce")
    assert flow.application_problems() == {}
    flow.participants[1].address = B
    assert flow.definition().challenge == 0


def test_a_session_created_empty_asks_for_the_deposits_that_fund_it_after_the_create(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spec(Dialect.V02), "funded_at_create", False)
    flow = create_flow("0.2", local_accounts=[A])
    assert flow.pages() == ("application", "participants", "allocations", "signers", "review", "submit")
    wizard = CreateWizard(flow)
    flow.participants[1].address = B
    flow.allocations[0].amount = "5000"  # more than A's home channel holds
    assert [wizard.next(), wizard.next()] == ["participants", "allocations"]
    with pytest.raises(StepRefused, match="Insufficient funds"):
        wizard.next()
    flow.allocations[0].amount = "5"
    flow.allocations[1].amount = "1"  # B's key is elsewhere: no deposit can be made for them here
    with pytest.raises(StepRefused, match="not on this computer"):
        wizard.next()
    flow.allocations[1].amount = "0"
    assert wizard.next() == "signers"
    assert flow.allocation_list() == []  # the create itself carries no funds
    assert flow.call().params[0]["allocations"] == []
    assert [(a.participant, a.asset, str(a.amount)) for a in flow.funding_deposits()] == [(A, "usdc", "5")]
    assert f"  #1 {A} (you): weight 100, puts in 5 usdc\n" in flow.summary()
    assert "each funder below deposits from their home channel" in flow.summary()


def test_intents_come_from_the_dialect_and_the_app_protocol() -> None:
    for protocol, dialect, intents in (
        ("NitroRPC/0.4", Dialect.V05, ("operate", "deposit", "withdraw")),
        ("NitroRPC/0.2", Dialect.V05, ()),
        ("NitroRPC/0.2", Dialect.V02, ()),
    ):
        flow = create_flow(dialect.value)
        flow.protocol = protocol
        flow.participants[1].address = B
        update = UpdateSessionFlow("submit", dialect, "0xabc", flow.definition(), 3, [A], ASSETS)
        assert update.intents == intents
        assert update.sent_version == (4 if intents else None)
        update.intent = "lend"
        assert update.problems().get("intent") == (
            "Choose an intent: operate, deposit, withdraw." if intents else None
        )

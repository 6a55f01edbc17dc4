"""create_app_session writes a new session's shares without reading them first (they start at
zero); a share written twice in one create, or a session id already taken, still reads the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nitro_desktop.protocol import RawKeySigner
from tests.devnode.test_faults import create_frame, session_client


def _share(node, session_id: str, wallet: RawKeySigner) -> Decimal:  # type: ignore[no-untyped-def]
    return node.router.ledger.balance(session_id, wallet.address, "usdc")


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_a_share_listed_twice_holds_both_amounts(sandbox_factory, dialect: str) -> None:
    node = await sandbox_factory(dialect=dialect)
    wallet = RawKeySigner.generate()
    node.fund(wallet.address, "usdc", "10")
    c = await session_client(node, wallet)
    msg = await c.send_raw(create_frame(10, dialect, wallet, 41, ["2", "3"]), 10)
    assert not msg.is_error, msg.frame.result
    session_id = c.spec.unwrap_result("create_app_session", msg.frame.result)["app_session_id"]
    assert _share(node, session_id, wallet) == 5
    assert node.balances(wallet.address) == {"usdc": Decimal(5)}
    assert node.ledger_totals()[0] == {"usdc": Decimal(10)}
    await c.ws.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_a_taken_session_id_is_refused_and_moves_nothing(sandbox_factory, dialect: str) -> None:
    node = await sandbox_factory(dialect=dialect)
    wallet = RawKeySigner.generate()
    node.fund(wallet.address, "usdc", "10")
    c = await session_client(node, wallet)
    first = await c.send_raw(create_frame(10, dialect, wallet, 42, ["4"]), 10)
    assert not first.is_error
    session_id = c.spec.unwrap_result("create_app_session", first.frame.result)["app_session_id"]
    again = await c.send_raw(create_frame(11, dialect, wallet, 42, ["1"]), 11)
    assert again.is_error
    assert _share(node, session_id, wallet) == 4
    assert node.balances(wallet.address) == {"usdc": Decimal(6)}
    assert node.ledger_totals()[0] == {"usdc": Decimal(10)}
    await c.ws.close()

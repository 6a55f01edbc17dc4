"""Live harness, the window itself on the target: connect, balances, the seed page's create by the wizard.

The same clicks as tests/ui, but against the live target (a real ClearNode when
NITRO_DESKTOP_LIVE_URL is set, else the sandbox) added as a remote endpoint, so
the broker is pinned on first use and the session id comes from the server.
It lives with the UI tests, which run last: windows and qasync loops leave Qt
objects behind that a plain test's event processing must not meet.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.store import EndpointRecord, Store
from nitro_desktop.ui.wizard import SubmitPage
from tests.keys.memory_keyring import MemoryKeyring
from tests.live.conftest import LiveTarget, live_target, target  # noqa: F401 - the live fixtures
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import (
    add_account,
    balances,
    choose_endpoint,
    next_enabled,
    open_wizard,
    ready,
)

pytestmark = pytest.mark.live


@pytest.mark.asyncio
async def test_wizard_creates_the_seed_session_on_the_target(target: LiveTarget, tmp_path: Path) -> None:  # noqa: F811
    profile = Profile(tmp_path / "profile", MemoryKeyring())
    me = add_account(profile, key=target.keys[0])
    other = target.wallets()[1].address
    with Store.open(profile.data_dir) as store:
        store.endpoints.save(EndpointRecord("Live", target.url, target.dialect))  # type: ignore[arg-type]
    choose_endpoint(profile, "Live")
    async with AppRunner() as apps:
        run = apps.open(profile)
        await ready(run)
        assert run.store.endpoints.get("Live").broker_address  # pinned on first use
        before = Decimal(balances(run)[target.asset])

        wizard = await open_wizard(run)
        pages = wizard.pages
        assert next_enabled(wizard)  # the application page's defaults are valid
        wizard.next()
        table = pages["participants"].table  # the seed page's shape: weights [100, 0], quorum 100
        assert table.item(0, 0).text() == me
        table.item(1, 0).setText(other)
        assert next_enabled(wizard)
        wizard.next()
        editors = pages["allocations"]._editors
        editors[0][0].setCurrentText(target.asset)
        editors[0][1].setText("1")
        assert next_enabled(wizard)
        wizard.next()
        assert pages["signers"].flow.signers == {me}
        wizard.next()
        expected_id = pages["review"].session_id.text()
        wizard.next()
        submit: SubmitPage = pages["submit"]  # type: ignore[assignment]
        await until(lambda: submit.result is not None or submit.error.isVisible(), what="the answer")
        assert submit.result is not None, submit.error.text()
        assert submit.result.app_session_id == expected_id  # the id the server derived

        await until(lambda: run.window.model.rowCount() >= 1, what="the new row")
        record = run.store.sessions.get(expected_id)
        assert record is not None and record.status == "open" and record.version == 1
        assert record.response_frame and expected_id in record.response_frame
        await until(
            lambda: Decimal(balances(run)[target.asset]) == before - 1, what="the balance after the create"
        )
        wizard.accept()
        await apps.close(run)

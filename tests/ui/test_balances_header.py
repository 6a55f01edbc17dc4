"""The Balances header names whose numbers these are with the whole address (issue 16)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication

from tests.ui.conftest import AppRunner, Profile
from tests.ui.test_session_wizard import add_account, ready


@pytest.mark.asyncio
async def test_the_balances_header_shows_and_copies_the_whole_address(profile: Profile) -> None:
    me = add_account(profile)
    async with AppRunner() as apps:
        run = apps.open(profile)
        await ready(run)
        dock = run.window.balances_dock
        first, second, where = dock.owner.text().split("\n")[:3]
        assert first + second == me and where == "on Local sandbox"
        assert dock.owner.width() >= dock.owner.fontMetrics().horizontalAdvance(first)  # not clipped
        assert dock.copy.isVisible()
        dock.copy.click()
        assert QGuiApplication.clipboard().text() == me

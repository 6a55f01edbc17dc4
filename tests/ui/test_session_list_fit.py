"""The session list fits its pane at the window's default size, shows EIP-55, and counts in English."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from nitro_desktop.protocol import to_checksum_address
from nitro_desktop.store import AppSessionRecord, Store
from nitro_desktop.ui.session_columns import MINIMUM_WIDTHS, fit_widths
from tests.keys.memory_keyring import MemoryKeyring
from tests.ui.conftest import AppRunner, Profile, until

ME = "0x61a1b6b3a0c3b43b7eb6fc1a6f0f1c5d3c1b406b"
PEER = "0x" + "bb" * 20


def record(i: int) -> AppSessionRecord:
    people = [ME, f"0x{i + 1:040x}", PEER]
    return AppSessionRecord(
        app_session_id=f"0x{i + 0xABC:064x}",
        endpoint="Local sandbox",
        account=ME,
        protocol="NitroRPC/0.2",
        application="a-rather-long-application-name",
        definition_json=json.dumps({"participants": people}),
        allocations_json=json.dumps([{"participant": ME, "asset": "usdc", "amount": f"{1000 + i}.25"}]),
        status="open",
        version=1 + i,
        created_at=1_700_000_000.0,
        updated_at=time.time() - i,
        origin="server" if i == 0 else "created",
    )


def profile_with(tmp_path: Path, name: str, count: int) -> Profile:
    profile = Profile(tmp_path / name, MemoryKeyring())
    with Store.open(profile.data_dir) as store:
        store.sessions.save_many(record(i) for i in range(count))
    return profile


@pytest.mark.asyncio
async def test_list_fits_its_pane_at_the_default_size(tmp_path: Path) -> None:
    async with AppRunner() as apps:
        run = apps.open(profile_with(tmp_path, "many", 40))
        window, model, table = run.window, run.window.model, run.window.table
        await until(lambda: model.rowCount() == 40, what="the stored rows")
        await until(lambda: table.verticalScrollBar().isVisible(), what="a full list")
        assert (window.width(), window.height()) == (1180, 720)  # the default size, not resized here
        assert not table.horizontalScrollBar().isVisible()
        header = table.horizontalHeader()
        # In this pane Version and Endpoint give way (the details show both); the rest fit, none squeezed.
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        assert shown == [0, 1, 2, 3, 4, 6]
        assert header.length() <= table.viewport().width()
        assert all(header.sectionSize(c) >= MINIMUM_WIDTHS[c] for c in shown)
        table.setFixedWidth(1100)  # a wide pane shows every column again
        await until(lambda: not header.isSectionHidden(7), what="all columns in a wide pane")
        assert header.length() <= table.viewport().width()
        table.setMinimumWidth(0)
        table.setMaximumWidth(16777215)
        await until(lambda: header.isSectionHidden(7), what="the columns to give way again")
        assert not table.horizontalScrollBar().isVisible()

        # Ids and addresses are cut in the middle, the full values in tooltips; participants in EIP-55.
        row = next(i for i in range(40) if model.row_at(i).origin == "server")  # type: ignore[union-attr]
        sid = model.row_at(row).app_session_id  # type: ignore[union-attr]
        shown = model.data(model.index(row, 0))
        assert shown.startswith(sid[:6] + "…" + sid[-4:]) and "found on server" in shown
        assert model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole).startswith(sid)
        me, peer = to_checksum_address(ME), to_checksum_address(PEER)
        assert model.data(model.index(row, 2)).startswith(f"3: {me[:6]}…{me[-4:]}, ")
        assert model.data(model.index(row, 2), Qt.ItemDataRole.ToolTipRole).split("\n")[::2] == [me, peer]

        assert window.count.text() == "40 sessions"
        window.search.setText(sid)
        await until(lambda: model.rowCount() == 1, what="the filter")
        assert window.count.text() == "1 of 40 sessions"

        # The Total column still sorts by amount, not as text ("1039.25" after "999.25" would be text).
        table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        window.search.setText("")
        await until(lambda: model.rowCount() == 40, what="the whole list again")
        amounts = [float(model.row_at(i).totals.split()[0]) for i in range(40)]  # type: ignore[union-attr]
        assert amounts == sorted(amounts)


@pytest.mark.asyncio
async def test_one_session_is_counted_in_the_singular(tmp_path: Path) -> None:
    async with AppRunner() as apps:
        run = apps.open(profile_with(tmp_path, "one", 1))
        await until(lambda: run.window.model.rowCount() == 1, what="the stored row")
        assert run.window.count.text() == "1 session"


def test_fit_widths_gives_up_slack_before_going_below_minimums() -> None:
    assert fit_widths(1000, (100, 50), (60, 40)) == [100, 50]
    assert fit_widths(130, (100, 50), (60, 40)) == [84, 46]  # 20 of 50 px of slack given up, in proportion
    assert fit_widths(10, (100, 50), (60, 40)) == [60, 40]  # never below the minimums


@pytest.mark.asyncio
async def test_the_list_settles_at_every_pane_width(tmp_path: Path) -> None:
    """Fitting the columns and stretching the last one must agree, or they resize each other forever.

    They disagreed by 2 px at some widths (the details pane open on a 1280 px screen): each
    resize scheduled the other, repainting the list ~70 times a second and keeping a core busy.
    """
    async with AppRunner() as apps:
        run = apps.open(profile_with(tmp_path, "settle", 40))
        table = run.window.table
        await until(lambda: run.window.model.rowCount() == 40, what="the stored rows")
        header = table.horizontalHeader()
        resizes: list[tuple[int, int, int]] = []
        header.sectionResized.connect(lambda col, old, new: resizes.append((col, old, new)))
        restless = []
        for width in range(380, 1120, 7):
            table.setFixedWidth(width)
            await asyncio.sleep(0.05)  # the resize and the layout it schedules
            resizes.clear()
            await asyncio.sleep(0.1)  # nothing changed: nothing may resize
            if resizes:
                restless.append((width, resizes[:4]))
        assert restless == []
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        assert header.length() <= table.viewport().width()
        assert all(header.sectionSize(c) >= MINIMUM_WIDTHS[c] for c in shown)

"""The details pane reads as a form: participants, allocations per asset, quorum in words; raw JSON folded."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton, QTableWidget

from nitro_desktop.protocol import to_checksum_address
from nitro_desktop.store import AppSessionRecord, Store
from nitro_desktop.ui.details import DetailsPane

ME = "0x61a1b6b3a0c3b43b7eb6fc1a6f0f1c5d3c1b406b"
PEER = "0x" + "bb" * 20
THIRD = "0x" + "cc" * 20
REQUEST = '{"req":[1,"create_app_session",{},1],"sig":["0xabc"]}'


def record(
    sid: str, definition: dict[str, Any], allocations: list[dict[str, str]], protocol: str
) -> AppSessionRecord:
    return AppSessionRecord(
        app_session_id=sid,
        endpoint="Local sandbox",
        account=ME,
        protocol=protocol,
        application="chess",
        definition_json=json.dumps(definition),
        allocations_json=json.dumps(allocations),
        status="open",
        version=2,
        created_at=1_700_000_000.0,
        updated_at=1_700_000_100.0,
        request_frame=REQUEST,
        response_frame='{"res":[1,"create_app_session",{},1]}',
    )


RECORDS = {
    "0.2": record(
        "0x" + "02" * 32,
        {
            "protocol": "NitroRPC/0.2",
            "participants": [ME, PEER],
            "weights": [100, 0],
            "quorum": 100,
            "challenge": 86400,
            "nonce": 1,
        },
        [
            {"participant": ME, "asset": "usdc", "amount": "250"},
            {"participant": PEER, "asset": "usdc", "amount": "1000.5"},
            {"participant": ME, "asset": "eth", "amount": "0.1"},
        ],
        "NitroRPC/0.2",
    ),
    "0.5": record(
        "0x" + "05" * 32,
        {
            "protocol": "NitroRPC/0.5",
            "participants": [ME, PEER, THIRD],
            "weights": [1, 1, 1],
            "quorum": 2,
            "challenge": 0,
            "nonce": 2,
        },
        [{"participant": ME, "asset": "usdc", "amount": "5"}],
        "NitroRPC/0.5",
    ),
    "v1": record(
        "0x" + "01" * 32,
        {
            "application_id": "chess",
            "quorum": 2,
            "nonce": "3",
            "participants": [
                {"wallet_address": ME, "signature_weight": 1},
                {"wallet_address": PEER, "signature_weight": 1},
            ],
        },
        [],
        "",
    ),
}


@pytest.fixture
def pane(qtbot: Any, tmp_path: Path) -> Any:
    with Store.open(tmp_path / "data") as store:
        for r in RECORDS.values():
            store.sessions.save(r)
        widget = DetailsPane()
        qtbot.addWidget(widget)
        widget.resize(520, 700)
        widget.show()
        yield widget, store


def cells(table: QTableWidget) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
        for r in range(table.rowCount())
    ]


def show(pane: DetailsPane, store: Store, key: str) -> None:
    sid = RECORDS[key].app_session_id
    pane.show_session(store.sessions.get(sid), store.sessions.history(sid))


def test_0_2_participants_weights_you_and_quorum_in_words(pane: Any) -> None:
    widget, store = pane
    show(widget, store, "0.2")
    me, peer = to_checksum_address(ME), to_checksum_address(PEER)
    assert cells(widget.participants) == [[me, "100", "you"], [peer, "0", ""]]
    assert widget.participants_box.title() == "Participants (2)"
    assert widget.fields["quorum"].text() == f"Needs 100 of 100 weight: {me[:6]}…{me[-4:]} alone can sign"
    assert widget.fields["account"].text() == me
    assert widget.fields["protocol"].isVisibleTo(widget)
    # One table per asset, each with its Decimal total (never a float sum).
    assert sorted(widget.allocation_tables) == ["eth", "usdc"]
    assert cells(widget.allocation_tables["usdc"]) == [
        [me, "250"],
        [peer, "1000.5"],
        ["Total", "1250.5 usdc"],
    ]
    assert cells(widget.allocation_tables["eth"]) == [[me, "0.1"], ["Total", "0.1 eth"]]
    assert not widget.no_allocations.isVisibleTo(widget)
    assert "open (version 2)" in widget.history.text()


def test_raw_json_and_frames_are_folded_under_advanced_and_copyable(pane: Any, qapp: Any) -> None:
    widget, store = pane
    show(widget, store, "0.2")
    assert widget.advanced.isVisibleTo(widget)
    assert not widget.request.isVisibleTo(widget)  # not the first thing shown
    assert not widget.definition.isVisibleTo(widget)
    widget.advanced.toggle.click()
    assert widget.request.isVisibleTo(widget) and widget.definition.isVisibleTo(widget)
    assert widget.request.text.toPlainText() == REQUEST
    widget.request.copy.click()
    assert qapp.clipboard().text() == REQUEST
    assert json.loads(widget.definition.text.toPlainText())["quorum"] == 100


def test_0_5_equal_weights_read_as_any_k_of_n(pane: Any) -> None:
    widget, store = pane
    show(widget, store, "0.5")
    assert widget.fields["quorum"].text() == "Needs 2 of 3 weight: any 2 of 3"
    assert [row[2] for row in cells(widget.participants)] == ["you", "", ""]
    assert cells(widget.allocation_tables["usdc"])[-1] == ["Total", "5 usdc"]


def test_v1_shows_what_exists(pane: Any) -> None:
    widget, store = pane
    show(widget, store, "v1")
    assert not widget.fields["protocol"].isVisibleTo(widget)
    assert cells(widget.participants) == [
        [to_checksum_address(ME), "1", "you"],
        [to_checksum_address(PEER), "1", ""],
    ]
    assert widget.fields["quorum"].text() == "Needs 2 of 2 weight: all 2 must sign"
    assert widget.allocation_tables == {}
    assert widget.no_allocations.isVisibleTo(widget)
    # Switching back to a session with allocations replaces the tables, no leftovers.
    show(widget, store, "0.5")
    assert list(widget.allocation_tables) == ["usdc"]


def test_v1_saved_in_the_common_shape_reads_the_same(pane: Any) -> None:
    widget, _store = pane
    common = {
        "application": "chess",
        "protocol": "",
        "participants": [ME, PEER],
        "weights": [1, 1],
        "quorum": 1,
    }
    widget.show_session(replace(RECORDS["v1"], definition_json=json.dumps(common)))
    assert not widget.fields["protocol"].isVisibleTo(widget)
    assert widget.fields["quorum"].text() == "Needs 1 of 2 weight: any one of 2 can sign"
    assert [row[1:] for row in cells(widget.participants)] == [["1", "you"], ["1", ""]]


def test_unreadable_definition_says_so(pane: Any) -> None:
    widget, _store = pane
    hostile = '[{"participant": "x", "asset": "usdc", "amount": "1e999999999"}]'
    widget.show_session(replace(RECORDS["0.2"], definition_json="{not json", allocations_json=hostile))
    assert widget.participants.rowCount() == 0
    assert widget.fields["quorum"].text() == "Unknown (the definition does not state it)"
    # The row is shown as stored, but a million-digit total is not printed.
    assert cells(widget.allocation_tables["usdc"]) == [["x", "1e999999999"], ["Total", "0 usdc"]]


def test_a_narrow_pane_shows_everything_without_clipping(pane: Any, qapp: Any) -> None:
    widget, store = pane
    widget.resize(400, 700)
    show(widget, store, "0.2")
    qapp.processEvents()
    # The body fits the viewport: the long id is elided in the middle, not pushing the form wider.
    assert widget.widget().width() <= widget.viewport().width()
    session_id = widget.fields["app_session_id"]
    assert session_id.text() == RECORDS["0.2"].app_session_id == session_id.toolTip()
    table = widget.participants
    header = table.horizontalHeader()
    assert header.sectionPosition(2) + header.sectionSize(2) <= table.viewport().width()
    widget.findChild(QPushButton, "copy_session_id").click()
    assert qapp.clipboard().text() == RECORDS["0.2"].app_session_id

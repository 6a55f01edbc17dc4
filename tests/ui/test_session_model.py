"""The session list model reads the store page by page: same rows, filter and order as the whole list."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from nitro_desktop.store import AppSessionRecord, SessionRow, Store, filter_rows
from nitro_desktop.ui.session_model import FIRST_PAGE, PAGE, SORT_NAMES, SessionListModel

N = PAGE * 3 + 17
ALICE = "0x" + "A1" * 20
ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder

# The list's order before it was paged: a stable sort of rows() (newest first) by these keys.
REFERENCE_KEYS: dict[str, Any] = {
    "app_session_id": lambda r: r.app_session_id,
    "status": lambda r: r.status,
    "participants": lambda r: r.participants,
    "application": lambda r: (r.application, r.protocol),
    "totals": lambda r: numeric_totals(r.totals),
    "version": lambda r: r.version,
    "updated_at": lambda r: r.updated_at,
    "endpoint": lambda r: r.endpoint,
}


def numeric_totals(totals: str) -> list[tuple[str, Decimal]]:
    """What the Total column sorts by: the amount of each asset, assets in name order."""
    parts = [p.split(" ") for p in totals.split(", ") if p]
    return sorted((asset, Decimal(amount)) for amount, asset in parts)


def record(i: int, *, status: str | None = None, updated: float | None = None) -> AppSessionRecord:
    people = [ALICE if i % 50 == 0 else f"0x{i:040x}", "0x" + "Bb" * 20]
    return AppSessionRecord(
        app_session_id=f"0x{(i * 7919) % 100_003:064x}",
        endpoint=("Local sandbox", "Prod")[i % 2],
        account=people[0],
        protocol=("NitroRPC/0.2", "NitroRPC/0.4")[i % 3 == 0],
        application=("", "chess", "poker")[i % 3],
        definition_json=json.dumps({"participants": people}),
        allocations_json=json.dumps([{"participant": people[0], "asset": "usdc", "amount": str(i % 9)}]),
        status=status or ("open", "closed")[i % 4 == 0],
        version=1 + i % 5,
        created_at=1_700_000_000.0,
        # Many equal times: ties must keep the order they had in rows().
        updated_at=1_700_000_000.0 + (i // 3) if updated is None else updated,
    )


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "data") as s:
        s.sessions.save_many(record(i) for i in range(N))
        yield s


def load_all(model: SessionListModel) -> list[SessionRow]:
    while model.canFetchMore():
        model.fetchMore()
    return [model.row_at(i) for i in range(model.rowCount())]  # type: ignore[misc]


def test_rows_arrive_a_page_at_a_time(qapp: Any, store: Store) -> None:
    model = SessionListModel()
    model.set_source(store.sessions)
    assert model.rowCount() == FIRST_PAGE  # not all N: memory stays flat until the view scrolls
    assert model.total_count() == model.match_count() == N
    assert model.canFetchMore()
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.fetchMore()
    assert model.rowCount() == FIRST_PAGE + PAGE
    assert inserted == [(FIRST_PAGE, FIRST_PAGE + PAGE - 1)]
    assert load_all(model) == store.sessions.rows()
    assert not model.canFetchMore()


def test_a_count_left_for_later_is_made_when_asked_and_rows_are_the_same(qapp: Any, store: Store) -> None:
    statements: list[str] = []
    store.db._conn.set_trace_callback(statements.append)  # the SQL the model runs, as SQLite sees it
    model = SessionListModel()
    model.set_source(store.sessions, count=False)
    assert model.rowCount() == FIRST_PAGE
    assert not [q for q in statements if "count(" in q.lower()]  # the first rows paint before a count
    assert model.canFetchMore()
    assert model.total_count() == model.match_count() == N
    assert [q for q in statements if "count(" in q.lower()]
    assert load_all(model) == store.sessions.rows()


def test_a_count_left_for_later_is_made_before_more_rows_are_read(qapp: Any, store: Store) -> None:
    model = SessionListModel()
    model.set_filter("", "closed")
    model.set_source(store.sessions, count=False)
    reference = filter_rows(store.sessions.rows(), status="closed")
    assert load_all(model) == reference
    assert model.match_count() == len(reference) and model.total_count() == N


def test_a_short_first_page_is_every_row_without_a_count(qapp: Any, tmp_path: Path) -> None:
    with Store.open(tmp_path / "small") as small:
        small.sessions.save_many(record(i) for i in range(FIRST_PAGE - 1))
        statements: list[str] = []
        small.db._conn.set_trace_callback(statements.append)
        model = SessionListModel()
        model.set_source(small.sessions, count=False)
        assert not model.canFetchMore()
        assert model.total_count() == model.match_count() == model.rowCount() == FIRST_PAGE - 1
        assert not [q for q in statements if "count(" in q.lower()]


@pytest.mark.parametrize("sort", SORT_NAMES)
@pytest.mark.parametrize("order", [ASC, DESC])
def test_every_sort_orders_all_rows_as_a_stable_sort_of_the_whole_list(
    qapp: Any, store: Store, sort: str, order: Qt.SortOrder
) -> None:
    model = SessionListModel()
    model.set_source(store.sessions)
    model.sort(SORT_NAMES.index(sort), order)
    want = sorted(store.sessions.rows(), key=REFERENCE_KEYS[sort], reverse=order == DESC)
    assert load_all(model) == want


@pytest.mark.parametrize(
    ("text", "status"),
    [("", "closed"), (ALICE[:12].lower(), None), (ALICE[:12], "open"), ("  0X000000000", None), ("zz", None)],
)
def test_filters_cover_all_rows_not_only_the_loaded_ones(
    qapp: Any, store: Store, text: str, status: str | None
) -> None:
    model = SessionListModel()
    model.set_source(store.sessions)
    model.sort(SORT_NAMES.index("application"), ASC)
    model.set_filter(text, status)
    reference = filter_rows(store.sessions.rows(), text=text, status=status)
    assert model.match_count() == len(reference)
    assert model.total_count() == N
    assert load_all(model) == sorted(reference, key=REFERENCE_KEYS["application"])


def test_a_saved_session_is_placed_without_a_reload(qapp: Any, store: Store) -> None:
    model = SessionListModel()
    model.set_source(store.sessions)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))

    newest = record(N + 1, updated=1_800_000_000.0)
    store.sessions.save(newest)
    model.upsert(store.sessions.row(newest.app_session_id))  # type: ignore[arg-type]
    assert model.row_at(0).app_session_id == newest.app_session_id  # type: ignore[union-attr]
    assert model.total_count() == N + 1
    assert model.rowCount() == FIRST_PAGE + 1

    # A changed session moves to where the order puts it, and is not listed twice.
    moved = record(5, updated=1_900_000_000.0)
    store.sessions.save(moved)
    model.upsert(store.sessions.row(moved.app_session_id))  # type: ignore[arg-type]
    ids = [model.row_at(i).app_session_id for i in range(model.rowCount())]  # type: ignore[union-attr]
    assert ids[:2] == [moved.app_session_id, newest.app_session_id]
    assert ids.count(moved.app_session_id) == 1

    # One that sorts past the loaded rows arrives with its page.
    oldest = record(N + 2, updated=1.0)
    store.sessions.save(oldest)
    model.upsert(store.sessions.row(oldest.app_session_id))  # type: ignore[arg-type]
    assert model.index_of(oldest.app_session_id).isValid() is False
    assert resets == []
    assert load_all(model) == store.sessions.rows()


def test_a_saved_session_the_filter_hides_only_changes_the_counts(qapp: Any, store: Store) -> None:
    model = SessionListModel()
    model.set_source(store.sessions)
    model.set_filter("", "open")
    before = model.match_count()
    closed = record(N + 3, status="closed", updated=1_800_000_000.0)
    store.sessions.save(closed)
    model.upsert(store.sessions.row(closed.app_session_id))  # type: ignore[arg-type]
    assert not model.index_of(closed.app_session_id).isValid()
    assert (model.match_count(), model.total_count()) == (before, N + 1)


def holding(i: int, *amounts: tuple[str, str]) -> AppSessionRecord:
    people = [f"0x{i:040x}", "0x" + "Bb" * 20]
    return AppSessionRecord(
        app_session_id=f"0x{i:064x}",
        endpoint="Local sandbox",
        account=people[0],
        protocol="NitroRPC/0.2",
        application="",
        definition_json=json.dumps({"participants": people}),
        allocations_json=json.dumps(
            [{"participant": people[0], "asset": asset, "amount": amount} for asset, amount in amounts]
        ),
        status="open",
        version=1,
        created_at=1_700_000_000.0,
        updated_at=1_700_000_000.0 + i,
    )


def test_the_total_column_sorts_by_amount_per_asset_not_as_text(qapp: Any, tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        store.sessions.save_many(
            [
                holding(1, ("usdc", "1000")),
                holding(2, ("usdc", "250")),
                holding(3, ("usdc", "99.5")),
                holding(4, ("eth", "2"), ("usdc", "5")),
                holding(5, ("usdc", "0.75")),
                holding(6, ("eth", "10")),
            ]
        )
        model = SessionListModel()
        model.set_source(store.sessions)
        model.sort(SORT_NAMES.index("totals"), ASC)
        totals = [r.totals for r in load_all(model)]
        # eth before usdc; within an asset by amount: '1000 usdc' is not below '250 usdc'
        assert totals == ["2 eth, 5 usdc", "10 eth", "0.75 usdc", "99.5 usdc", "250 usdc", "1000 usdc"]
        model.sort(SORT_NAMES.index("totals"), DESC)
        assert [r.totals for r in load_all(model)] == totals[::-1]

        # A saved session is placed by the same order without a reload.
        resets: list[bool] = []
        model.modelReset.connect(lambda: resets.append(True))
        store.sessions.save(holding(7, ("usdc", "300")))
        model.upsert_many([store.sessions.row(f"0x{7:064x}")])  # type: ignore[list-item]
        assert [r.totals for r in load_all(model)][:3] == ["1000 usdc", "300 usdc", "250 usdc"]
        assert resets == []


def test_roles_the_model_does_not_answer_are_none_and_the_others_unchanged(qapp: Any, store: Store) -> None:
    # data() turns away the roles painting asks for that are not its own before reading the
    # index: every other role still answers None, the display, tooltip, alignment and id roles
    # what they did (the same values through Qt's enum members as through plain ints).
    model = SessionListModel()
    model.set_source(store.sessions)
    answered = {0, 3, 7, SessionListModel.ID_ROLE}
    for row in range(3):
        rec = model.row_at(row)
        assert rec is not None
        for col in range(model.columnCount()):
            index = model.index(row, col)
            for role in range(300):
                if role not in answered:
                    assert model.data(index, role) is None, (row, col, role)
            assert model.data(index, Qt.ItemDataRole.DisplayRole) == model.data(index, 0) is not None
            assert model.data(index, Qt.ItemDataRole.ToolTipRole) == model.data(index, 3)
            assert model.data(index, SessionListModel.ID_ROLE) == rec.app_session_id
        assert model.data(model.index(row, 4), Qt.ItemDataRole.TextAlignmentRole) == 0x0082
    assert model.data(model.index(99, 0), 0) is None  # past the rows: invalid index

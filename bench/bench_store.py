"""Store at scale: insert rate, list load and filter times for 100,000 sessions.

Run: .venv/bin/python bench/bench_store.py [N]
Ratios compare with a bare sqlite3 SELECT of the same rows, measured in the same run.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nitro_desktop.store import AppSessionRecord, Store, filter_rows
from nitro_desktop.store.paths import DB_FILENAME

ALICE = "0x" + "A1" * 20


def session(i: int) -> AppSessionRecord:
    people = [ALICE if i % 1000 == 0 else f"0x{i:040x}", "0x" + "Bb" * 20]
    return AppSessionRecord(
        app_session_id=f"0x{i:064x}",
        endpoint="sandbox",
        account=people[0],
        protocol="NitroRPC/0.2",
        application="chess",
        definition_json=json.dumps({"protocol": "NitroRPC/0.2", "participants": people}),
        allocations_json="[]",
        status="closed" if i % 4 == 0 else "open",
        version=1,
        created_at=1_700_000_000.0 + i,
        updated_at=1_700_000_000.0 + i,
        request_frame='{"req":[1,"create_app_session",[],1],"sig":[]}',
    )


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        with Store.open(data_dir) as store:
            records = [session(i) for i in range(n)]
            t0 = time.perf_counter()
            store.sessions.save_many(records)
            insert = time.perf_counter() - t0

            raw = sqlite3.connect(data_dir / DB_FILENAME)
            columns = "app_session_id, status, version, application, protocol, account, endpoint, participants, updated_at, origin"  # noqa: E501
            base_load, _ = timed(lambda: raw.execute(f"SELECT {columns} FROM app_sessions").fetchall())  # noqa: S608
            base_filter, _ = timed(
                lambda: raw.execute(
                    f"SELECT {columns} FROM app_sessions WHERE status = 'closed'"  # noqa: S608
                ).fetchall()
            )
            load, rows = timed(store.sessions.rows)
            by_status, _ = timed(lambda: store.sessions.find(status="closed"))
            by_participant, _ = timed(lambda: store.sessions.find(participant=ALICE))
            by_id, _ = timed(lambda: store.sessions.find(id_prefix=f"0x{n // 2:064x}"))
            in_memory, _ = timed(lambda: filter_rows(rows, text=ALICE[:16]))
            raw.close()

    def line(what: str, seconds: float, base: float = 0.0, base_name: str = "") -> None:
        ratio = f"   x{seconds / base:.2f} of {base_name}" if base else ""
        print(f"{what:<34}{seconds * 1e3:>10.1f} ms{ratio}")

    print(f"{'sessions:':<34}{n:>10,}")
    print(f"{'insert (one transaction):':<34}{n / insert:>10,.0f} sessions/s  ({insert:.2f} s)")
    line("baseline: bare SELECT all", base_load)
    line("load list rows (newest first)", load, base_load, "baseline")
    line("baseline: bare SELECT by status", base_filter)
    line("filter by status", by_status, base_filter, "baseline")
    line("filter by participant", by_participant, base_load, "SELECT all")
    line("filter by id prefix", by_id, base_load, "SELECT all")
    line("filter loaded rows in memory", in_memory, base_load, "SELECT all")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

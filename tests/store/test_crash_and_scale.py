"""A writer killed mid-transaction leaves a consistent database; 100k sessions stay fast."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from nitro_desktop.store import Store, filter_rows
from tests.store.conftest import make_session

REPO = Path(__file__).resolve().parent.parent.parent

# Commits batches of 50 sessions (each with its history row), reporting each
# commit, and announces when it is half-way through the next transaction.
_WRITER = """
import sys, time
from nitro_desktop.store import Store
from tests.store.conftest import make_session
store = Store.open(sys.argv[1])
start = store.sessions.count()
batch = 0
while True:
    with store.db.write():
        for i in range(50):
            store.sessions.save(make_session(start + batch * 50 + i))
            if i == 25:
                print(f"inside {batch}", flush=True)
                time.sleep(0.01)
    print(f"committed {batch}", flush=True)
    batch += 1
"""


def test_writer_killed_mid_transaction(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    Store.open(data_dir).close()
    expected = 0
    for target in (0, 3, 7):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(data_dir)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == f"inside {target}":
                os.kill(proc.pid, signal.SIGKILL)  # mid-transaction, after `target` commits
                break
        proc.wait()
        proc.stdout.close()
        expected += 50 * target
        with Store.open(data_dir) as store:
            assert store.db.integrity_problems() == []
            assert store.db.query("PRAGMA foreign_key_check") == []
            # Whole batches only: the killed one left nothing behind.
            assert store.sessions.count() == expected
            history = store.db.query("SELECT count(*) FROM app_session_history")[0][0]
            assert history == expected


def test_hundred_thousand_sessions(tmp_path: Path) -> None:
    n = 100_000
    alice = "0x" + "A1" * 20
    with Store.open(tmp_path / "data") as store:
        store.sessions.save_many(
            make_session(i, status="closed" if i % 4 == 0 else "open",
                         participants=(alice, f"0x{i:040x}") if i % 1000 == 0 else ())
            for i in range(n)
        )  # fmt: skip
    with Store.open(tmp_path / "data") as store:
        rows = store.sessions.rows()
        assert len(rows) == n
        by_status = store.sessions.find(status="closed")
        by_participant = store.sessions.find(participant=alice)
        by_id = store.sessions.find(id_prefix=f"0x{77777:064x}")
        in_memory = filter_rows(rows, text=alice[:20])
    assert len(by_status) == n // 4
    assert len(by_participant) == n // 1000 == len(in_memory)
    assert [r.app_session_id for r in by_id] == [f"0x{77777:064x}"]

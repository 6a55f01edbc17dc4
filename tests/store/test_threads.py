"""The GUI thread and executor jobs share one store: writes from threads must not interleave."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from nitro_desktop.store import AppSessionRecord, Store


def _record(i: int) -> AppSessionRecord:
    return AppSessionRecord(
        app_session_id=f"0x{i:064x}",
        endpoint="e",
        account="0xA",
        protocol="NitroRPC/0.2",
        application="",
        definition_json='{"participants":["0xA","0xB"]}',
        allocations_json="[]",
        status="open",
        version=1,
        created_at=time.time(),
        updated_at=time.time(),
    )


def test_writes_from_worker_threads_and_reads_from_main(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        errors: list[BaseException] = []

        def writer(base: int) -> None:
            try:
                for i in range(200):
                    store.sessions.save(_record(base + i))
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(k * 1000,)) for k in range(4)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            assert store.sessions.count() <= 800
        for t in threads:
            t.join()
        assert errors == []
        assert store.sessions.count() == 800
        assert store.db.integrity_problems() == []

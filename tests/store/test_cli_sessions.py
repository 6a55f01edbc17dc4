from __future__ import annotations

import json
from pathlib import Path

import pytest

from nitro_desktop.cli import main
from nitro_desktop.store import DB_FILENAME, Store
from tests.store.conftest import make_session


def test_sessions_list(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "sessions", "list"]) == 0
    assert "No application sessions" in capsys.readouterr().out
    with Store.open(data_dir) as store:
        store.sessions.save_many(make_session(i, status="closed" if i == 2 else "open") for i in (1, 2))
    assert main(["--data-dir", str(data_dir), "sessions", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["app_session_id"] for r in rows] == [f"0x{2:064x}", f"0x{1:064x}"]
    assert main(["--data-dir", str(data_dir), "sessions", "list", "--status", "open"]) == 0
    out = capsys.readouterr().out
    assert f"0x{1:064x}" in out and f"0x{2:064x}" not in out


def test_corrupt_database_is_a_clean_cli_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir.mkdir()
    (data_dir / DB_FILENAME).write_bytes(b"garbage" * 200)
    assert main(["--data-dir", str(data_dir), "sessions", "list"]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "Traceback" not in err

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from nitro_desktop.store import AppSessionRecord, Store


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    with Store.open(data_dir) as s:
        yield s


def make_session(i: int, *, status: str = "open", participants: tuple[str, ...] = ()) -> AppSessionRecord:
    people = participants or (f"0x{i:040x}", "0x" + "Ab" * 20)
    definition = json.dumps(
        {"protocol": "NitroRPC/0.2", "participants": list(people), "weights": [100, 0],
         "quorum": 100, "challenge": 86400, "nonce": i},
        separators=(",", ":"),
    )  # fmt: skip
    return AppSessionRecord(
        app_session_id=f"0x{i:064x}",
        endpoint="sandbox",
        account=people[0],
        protocol="NitroRPC/0.2",
        application="chess",
        definition_json=definition,
        allocations_json=json.dumps([{"participant": people[0], "asset": "usdc", "amount": "1.5"}]),
        status=status,
        version=1,
        created_at=1_700_000_000.0 + i,
        updated_at=1_700_000_000.0 + i,
        request_frame=f'{{"req":[{i},"create_app_session",[],1],"sig":["0x00"]}}',
        response_frame=None,
        origin="created",
    )

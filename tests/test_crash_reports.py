"""Crash reports hold what helps us fix a bug and never a secret."""

from __future__ import annotations

import asyncio
import stat
import sys
from pathlib import Path

import pytest

from nitro_desktop import crash
from nitro_desktop.protocol import RawKeySigner

KEY_HEX = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ3YWxsZXQiOiIweDEyMyJ9.c2lnbmF0dXJlLWJ5dGVz"


def _fail_while_holding_a_key(private_key: str) -> None:
    signer = RawKeySigner(private_key)
    signature = "0x" + signer.unsafe_sign_hash(b"\x01" * 32).hex()
    raise RuntimeError(f"signing failed for private_key={private_key} sig {signature} token {JWT}")


def test_report_is_private_and_redacted(tmp_path: Path) -> None:
    try:
        _fail_while_holding_a_key(KEY_HEX)
    except RuntimeError as exc:
        path = crash.write_report(tmp_path / "reports", exc)
    text = path.read_text()
    assert "RuntimeError: signing failed" in text and "_fail_while_holding_a_key" in text
    assert KEY_HEX not in text and JWT not in text
    assert "private_key=<redacted>" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_unhandled_errors_go_to_a_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    seen: list[Path] = []
    handler = crash.install(tmp_path, notify=seen.append)
    try:
        _fail_while_holding_a_key(KEY_HEX)
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    try:
        handler(loop, {"message": "task failed", "exception": ValueError(f"password: 0x{KEY_HEX}")})
    finally:
        loop.close()
    assert len(set(seen)) == 2 and all(p.parent == tmp_path for p in seen)
    for path in seen:
        assert KEY_HEX not in path.read_text()

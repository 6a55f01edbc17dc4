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


# ---- secrets recognised by their shape, not by a keyword --------------------------------

ADDRESS = "0x904ca2278e719C02E62Cd57CD0cA66F2cEAc1520"  # 20 bytes: users need to see these
SESSION_ID = "0x" + "cd" * 32


def _shaped_secrets(tmp_path: Path) -> tuple[dict[str, str], str]:
    """Each secret shape, and the password a prompt (here its file source) handed to the app."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    _account, mnemonic = Account.create_with_mnemonic(num_words=24)
    other_key = "9b" * 32
    signature = "0x" + RawKeySigner(KEY_HEX).unsafe_sign_hash(b"\x02" * 32).hex()
    password_file = tmp_path / "pw"
    password_file.write_text("correct horse battery staple\n")
    from nitro_desktop.keys.cli import read_secret

    password = read_secret(str(password_file), "NO_SUCH_VARIABLE", "Password: ")
    shapes = {
        "bare 64-hex": KEY_HEX,
        "key=0x…": f"key=0x{other_key}",
        "JSON pk": '{"pk": "' + "4d" * 32 + '"}',
        "JWT": JWT,
        "unsigned JWT": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "BIP-39 words": mnemonic,
        "bytes repr": repr(bytes.fromhex("ab" * 32)),
        "signature": signature,
        "password": password,
    }
    text = " | ".join(f"{k}: {v}" for k, v in shapes.items()) + f" | owner {ADDRESS} session {SESSION_ID}"
    return shapes, text


def _secret_parts(shapes: dict[str, str]) -> list[str]:
    """What must not appear: each value, and its inner hex/words (so no 0x-less copy slips by)."""
    import re

    parts = []
    for value in shapes.values():
        parts.append(value)
        parts.extend(re.findall(r"[0-9a-fA-F]{64,}", value))
    return parts


def test_crash_report_and_log_hold_no_secret_of_any_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from nitro_desktop.ui.dialogs import LogBuffer

    shapes, text = _shaped_secrets(tmp_path)
    buffer = LogBuffer()
    app_log = logging.getLogger("nitro_desktop")
    app_log.addHandler(buffer)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    seen: list[Path] = []
    handler = crash.install(tmp_path / "reports", notify=seen.append)
    try:
        with caplog.at_level(logging.DEBUG, logger="nitro_desktop"):
            try:
                try:
                    raise KeyError(text)
                except KeyError as inner:
                    raise RuntimeError(f"wrapped: {text}") from inner
            except RuntimeError:
                sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
            loop = asyncio.new_event_loop()
            try:
                handler(loop, {"message": f"task failed: {text}", "exception": ValueError(text)})
                handler(loop, {"message": f"callback failed: {text}"})
            finally:
                loop.close()
            # What the app logs about a failure (service.spawn) reaches the log view redacted.
            logging.getLogger("nitro_desktop.ui").warning("Connecting failed: %s", text)
    finally:
        app_log.removeHandler(buffer)
    assert len(set(seen)) == 2
    reports = [p.read_text() for p in seen]
    crash_log = "\n".join(r.getMessage() for r in caplog.records if r.name == "nitro_desktop.crash")
    view = "\n".join(buffer.lines)
    for where, written in [*(("report", r) for r in reports), ("crash log", crash_log), ("log view", view)]:
        for secret in _secret_parts(shapes):
            assert secret not in written, f"{where} holds {secret[:12]}…"
        assert " ".join(shapes["BIP-39 words"].split()[:4]) not in written
    for report in reports:
        assert ADDRESS in report  # addresses stay readable
        assert SESSION_ID not in report  # ids are 32 bytes too: a report drops them
    assert any("RuntimeError: wrapped" in r and "KeyError" in r for r in reports)


def test_log_lines_keep_labelled_ids_and_addresses() -> None:
    from nitro_desktop.redact import redact, register_secret

    line = redact(f'{{"app_session_id":"{SESSION_ID}","participant":"{ADDRESS}","key":"0x{"ee" * 32}"}}')
    assert SESSION_ID in line and ADDRESS in line and "ee" * 32 not in line
    forget = register_secret("a typed password")
    assert "a typed password" not in redact("oops: a typed password")
    forget()  # once the app no longer holds it, it is ordinary text again
    assert "a typed password" in redact("oops: a typed password")

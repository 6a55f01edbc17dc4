"""`accounts export --out` writes a checked 0600 backup; `accounts import --phrase` restores from words."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from nitro_desktop.cli import main
from nitro_desktop.keys.backup import read_backup_file
from nitro_desktop.keys.crypto import address_of
from tests.keys.memory_keyring import MemoryKeyring

PHRASE = "test test test test test test test test test test test junk"
ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_phrase_restores_and_export_out_writes_a_backup_that_restores_the_same_address(
    tmp_path: Path, data_dir: Path, global_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    phrase_file = tmp_path / "phrase.txt"
    phrase_file.write_text(PHRASE + "\n")
    code, out, err = run(capsys, data_dir, "accounts", "import", "--phrase-file", str(phrase_file))
    assert code == 0 and ADDRESS in out

    bad = tmp_path / "bad.txt"
    bad.write_text(PHRASE.replace("junk", "test"))
    code, out, err = run(capsys, data_dir, "accounts", "import", "--phrase-file", str(bad))
    assert code == 2 and "checksum" in err and "test test" not in out + err

    password = tmp_path / "pw"
    password.write_text("backup password\n")
    target = tmp_path / "backup.json"
    args = ["accounts", "export", ADDRESS, "--export-password-file", str(password), "--out", str(target)]
    code, out, err = run(capsys, data_dir, *args)
    assert code == 0 and out == "" and str(target) in err  # nothing secret-shaped on stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert address_of(read_backup_file(target, "backup password")) == ADDRESS

    target.write_text("an older backup")
    code, out, err = run(capsys, data_dir, *args)
    assert code == 2 and "exists already" in err
    assert target.read_text() == "an older backup"


def test_new_says_how_to_back_up_on_stderr(
    data_dir: Path, global_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, data_dir, "accounts", "new", "--label", "fresh")
    address = out.split()[0]
    assert code == 0 and f"accounts export {address} --out FILE" in err

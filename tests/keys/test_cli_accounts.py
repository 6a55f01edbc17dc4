from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from eth_account import Account
from keyring.backends import fail

from nitro_desktop.cli import main
from tests.keys.conftest import PYTHON, REPO, subprocess_env
from tests.keys.memory_keyring import MemoryKeyring

KEY = "0x" + "7a" * 32
ADDRESS = Account.from_key(KEY).address


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def _key_file(tmp_path: Path) -> Path:
    path = tmp_path / "key.txt"
    path.write_text(KEY + "\n")
    return path


def test_accounts_commands_with_keyring(
    tmp_path: Path,
    data_dir: Path,
    global_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outputs: list[str] = []
    code, out = run(capsys, data_dir, "accounts", "import", "--key-file", str(_key_file(tmp_path)))
    assert code == 0 and ADDRESS in out
    outputs.append(out)
    code, out = run(capsys, data_dir, "accounts", "new", "--label", "fresh")
    assert code == 0 and "fresh" in out
    outputs.append(out)
    code, out = run(capsys, data_dir, "accounts", "rename", ADDRESS, "savings")
    outputs.append(out)
    code, out = run(capsys, data_dir, "accounts", "list", "--json")
    listed = json.loads(out)
    assert {a["label"] for a in listed} == {"savings", "fresh"}
    assert {a["backend"] for a in listed} == {"keyring"}
    outputs.append(out)
    code, out = run(capsys, data_dir, "accounts", "list")
    outputs.append(out)

    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out = run(capsys, data_dir, "accounts", "delete", ADDRESS)
    assert code == 2 and "cancelled" in out
    outputs.append(out)
    assert ADDRESS in run(capsys, data_dir, "accounts", "list")[1]

    secrets = [v.removeprefix("0x").lower() for v in global_keyring.entries.values()]
    assert len(secrets) == 2
    for out in outputs:
        for secret in secrets:
            assert secret not in out.lower()

    code, out = run(capsys, data_dir, "accounts", "export", ADDRESS, "--format", "hex", "--yes")
    assert code == 0 and out.strip() == KEY

    code, out = run(capsys, data_dir, "accounts", "delete", ADDRESS, "--yes")
    assert code == 0
    assert ADDRESS not in run(capsys, data_dir, "accounts", "list")[1]


def test_without_keyring_the_file_backend_must_be_chosen(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        code, out = run(capsys, data_dir, "accounts", "new")
        assert code == 2 and "--backend file" in out
        password_file = tmp_path / "pw"
        password_file.write_text("file password\n")
        export_file = tmp_path / "export-pw"
        export_file.write_text("export password")
        code, out = run(
            capsys, data_dir, "accounts", "import", "--backend", "file",
            "--key-file", str(_key_file(tmp_path)), "--password-file", str(password_file),
        )  # fmt: skip
        assert code == 0 and "(file)" in out
        code, out = run(capsys, data_dir, "accounts", "list")
        assert "encrypted file" in out
        code, out = run(
            capsys, data_dir, "accounts", "export", ADDRESS, "--password-file", str(password_file),
            "--export-password-file", str(export_file),
        )  # fmt: skip
        assert code == 0
        assert Account.decrypt(out, "export password").to_0x_hex() == KEY
        wrong = tmp_path / "wrong"
        wrong.write_text("nope")
        code, out = run(
            capsys, data_dir, "accounts", "export", ADDRESS, "--format", "hex", "--yes",
            "--password-file", str(wrong),
        )  # fmt: skip
        assert code == 2 and "wrong password" in out and KEY[2:] not in out
    finally:
        keyring.set_keyring(previous)


def test_import_keystore_file(
    tmp_path: Path, data_dir: Path, global_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    keystore = tmp_path / "wallet.json"
    keystore.write_text(json.dumps(Account.encrypt(KEY, "wallet pw", kdf="pbkdf2", iterations=1000)))
    password = tmp_path / "pw"
    password.write_text("wallet pw")
    code, out = run(
        capsys, data_dir, "accounts", "import", "--keystore", str(keystore),
        "--keystore-password-file", str(password), "--label", "from wallet",
    )  # fmt: skip
    assert code == 0 and ADDRESS in out and KEY[2:] not in out


def test_headless_in_a_subprocess_with_keyring_from_env(tmp_path: Path) -> None:
    env = subprocess_env("memory_keyring.PersistentTestKeyring", tmp_path / "keyring.json")
    base = [PYTHON, "-m", "nitro_desktop", "--data-dir", str(tmp_path / "data"), "accounts"]
    new = subprocess.run([*base, "new", "--label", "cli"], cwd=REPO, env=env, capture_output=True, text=True)
    assert new.returncode == 0, new.stderr
    listed = subprocess.run(
        [*base, "list", "--json"], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    [account] = json.loads(listed.stdout)
    assert account["label"] == "cli" and account["backend"] == "keyring"
    stored = json.loads((tmp_path / "keyring.json").read_text())
    assert [row[:2] for row in stored] == [["nitro-desktop", account["address"]]]
    assert stored[0][2][2:] not in new.stdout + new.stderr + listed.stdout

"""The accounts commands with no terminal: clear errors, and prompts never mixed into stdout.

Each command runs in a child process in a new session (no controlling terminal),
with stdin from /dev/null or a file and stdout redirected to a file, as in a script.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from eth_account import Account

from tests.keys.conftest import PYTHON, REPO, subprocess_env

KEY = "0x" + "5b" * 32
ADDRESS = Account.from_key(KEY).address


def _run(tmp_path: Path, *argv: str, stdin: Path | None = None, name: str = "out") -> tuple[int, str, str]:
    env = subprocess_env("keyring.backends.fail.Keyring")
    for var in ("NITRO_DESKTOP_PASSWORD", "NITRO_DESKTOP_PRIVATE_KEY", "NITRO_DESKTOP_EXPORT_PASSWORD"):
        env.pop(var, None)
    stdout_path, stderr_path = tmp_path / f"{name}.stdout", tmp_path / f"{name}.stderr"
    with (
        stdout_path.open("w") as out,
        stderr_path.open("w") as err,
        stdin.open("rb") if stdin is not None else open(os.devnull, "rb") as inp,
    ):
        code = subprocess.run(
            [PYTHON, "-m", "nitro_desktop", "--data-dir", str(tmp_path / "data"), "accounts", *argv],
            cwd=REPO,
            env=env,
            stdin=inp,
            stdout=out,
            stderr=err,
            start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
            timeout=120,
            check=False,
        ).returncode
    return code, stdout_path.read_text(), stderr_path.read_text()


def test_new_file_account_without_terminal_or_password_source_is_a_clear_error(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path, "new", "--backend", "file")
    assert code == 2, err
    assert "Traceback" not in err and "EOFError" not in err
    assert "no terminal" in err and "--password-file" in err and "$NITRO_DESKTOP_PASSWORD" in err
    assert out == ""
    assert not (tmp_path / "data" / "keystore").exists() or not any(
        (tmp_path / "data" / "keystore").iterdir()
    )


def test_import_without_terminal_names_the_key_file_option(tmp_path: Path) -> None:
    code, _out, err = _run(tmp_path, "import", "--backend", "file")
    assert code == 2 and "Traceback" not in err
    assert "--key-file" in err and "$NITRO_DESKTOP_PRIVATE_KEY" in err


def test_export_hex_keeps_the_question_out_of_stdout(tmp_path: Path) -> None:
    key_file, password_file = tmp_path / "key", tmp_path / "pw"
    key_file.write_text(KEY + "\n")
    password_file.write_text("a file password\n")
    code, _out, err = _run(
        tmp_path, "import", "--backend", "file", "--key-file", str(key_file),
        "--password-file", str(password_file), name="import",
    )  # fmt: skip
    assert code == 0, err

    # Nobody to answer: refused, and the redirected file holds nothing at all.
    code, out, err = _run(
        tmp_path, "export", ADDRESS, "--format", "hex", "--password-file", str(password_file)
    )
    assert code == 2 and "Traceback" not in err
    assert out == ""
    assert "[y/N]" in err and "--yes" in err

    # Answered "y" on stdin: stdout is exactly the key, the question went to stderr.
    answer = tmp_path / "yes"
    answer.write_text("y\n")
    code, out, err = _run(
        tmp_path, "export", ADDRESS, "--format", "hex", "--password-file", str(password_file),
        stdin=answer, name="export",
    )  # fmt: skip
    assert code == 0, err
    assert out == KEY + "\n"
    assert "Print the private key" in err and KEY[2:] not in err


def test_sign_asks_on_stderr_when_a_person_is_at_the_terminal(tmp_path: Path) -> None:
    """``sign`` asks only when stdin is a terminal (a pty here); its question never lands in stdout."""
    import pty

    from nitro_desktop import signing
    from tests.signing.helpers import ALICE_KEY, URL, game, stakes

    key_file, password_file = tmp_path / "key", tmp_path / "pw"
    key_file.write_text(ALICE_KEY)
    password_file.write_text("a file password")
    code, _out, err = _run(
        tmp_path, "import", "--backend", "file", "--key-file", str(key_file),
        "--password-file", str(password_file), name="import",
    )  # fmt: skip
    assert code == 0, err
    request = signing.create_request(URL, "0.2", game(), stakes(10, 0), None)
    path = signing.save(request, tmp_path / "game.nitroreq")
    alice = Account.from_key(ALICE_KEY).address

    master, terminal = pty.openpty()
    os.write(master, b"n\n")
    stdout_path, stderr_path = tmp_path / "sign.stdout", tmp_path / "sign.stderr"
    with stdout_path.open("w") as out, stderr_path.open("w") as err_file:
        code = subprocess.run(
            [PYTHON, "-m", "nitro_desktop", "--data-dir", str(tmp_path / "data"), "sign", str(path),
             "--account", alice, "--password-file", str(password_file)],
            cwd=REPO, env=subprocess_env("keyring.backends.fail.Keyring"), stdin=terminal,
            stdout=out, stderr=err_file, timeout=120, check=False,
        ).returncode  # fmt: skip
    os.close(terminal)
    os.close(master)
    assert code == 2
    assert "[y/N]" not in stdout_path.read_text()
    assert "Sign this request as" in stderr_path.read_text() and "not signed" in stderr_path.read_text()

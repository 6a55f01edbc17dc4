"""``nitro-desktop accounts …``: the same AccountManager the GUI uses, headless."""

from __future__ import annotations

import argparse
import functools
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nitro_desktop.cli_errors import CliError
from nitro_desktop.keys.accounts import AccountManager
from nitro_desktop.keys.backup import key_from_phrase, write_backup_file
from nitro_desktop.keys.errors import KeysError
from nitro_desktop.keys.types import Backend
from nitro_desktop.redact import register_secret
from nitro_desktop.store import AccountRecord, Store, StoreError

# For scripts and tests; an interactive user is asked with getpass instead.
PASSWORD_ENV = "NITRO_DESKTOP_PASSWORD"  # noqa: S105 (a variable name, not a password)
PHRASE_ENV = "NITRO_DESKTOP_RECOVERY_PHRASE"
Handler = Callable[[argparse.Namespace], int]


def _cli_error(message: str) -> Exception:
    return CliError(message)


def handles_errors(func: Handler) -> Handler:
    """Turn our typed errors into CliError (message only, no traceback)."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (KeysError, StoreError) as exc:
            raise _cli_error(str(exc)) from None

    return wrapper


def _has_terminal() -> bool:
    """Whether a person can be asked: a controlling terminal (getpass uses it), or a tty on stdin."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return sys.stdin is not None and sys.stdin.isatty()
    os.close(fd)
    return True


def confirm(args: argparse.Namespace, question: str) -> None:
    """Ask before a destructive step unless --yes; anything but y/yes aborts.

    The question goes to stderr: stdout may be a file meant to hold only the result (a key).
    """
    if getattr(args, "yes", False):
        return
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline() if sys.stdin is not None else ""
    if not answer:
        print(file=sys.stderr)
        raise _cli_error("no answer (end of input): cancelled; pass --yes to skip this question")
    if answer.strip().lower() not in {"y", "yes"}:
        raise _cli_error("cancelled (pass --yes to skip this question)")


def read_secret(
    path: str | None,
    env: str,
    prompt: str,
    *,
    confirm_new: bool = False,
    option: str = "--password-file",
) -> str:
    """A secret from a file, else an environment variable, else the terminal (never echoed).

    Whatever is read is registered with the redactor: no crash report or log line can hold it.
    """
    secret = _read_secret(path, env, prompt, confirm_new=confirm_new, option=option)
    register_secret(secret)  # for the life of this (short) process
    return secret


def _read_secret(path: str | None, env: str, prompt: str, *, confirm_new: bool, option: str) -> str:
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise _cli_error(f"cannot read {path}: {exc.strerror}") from None
    from_env = os.environ.get(env)
    if from_env:
        return from_env
    what = prompt.strip().rstrip(":").strip()
    if not _has_terminal():
        raise _cli_error(f"no terminal to ask for it ({what}): pass {option} FILE or set ${env}")
    try:
        # getpass writes the prompt to the terminal (or stderr), never to stdout.
        secret = getpass.getpass(prompt, stream=sys.stderr)
        if confirm_new and getpass.getpass("Repeat: ", stream=sys.stderr) != secret:
            raise _cli_error("the two entries differ")
    except EOFError:
        raise _cli_error(f"nothing entered ({what}): pass {option} FILE or set ${env}") from None
    if not secret:
        raise _cli_error("nothing entered")
    return secret


def _manager(args: argparse.Namespace) -> AccountManager:
    return AccountManager(Store.open(args.data_dir))


def _backend(args: argparse.Namespace, manager: AccountManager) -> Backend:
    if args.backend:
        chosen: Backend = args.backend
        return chosen
    status = manager.keyring_status()
    if status.available:
        return "keyring"
    # Never fall back silently: the user has to choose the file and its password.
    raise _cli_error(f"{status.reason}; use --backend file to keep the key in a password-protected file")


def _new_password(args: argparse.Namespace, backend: Backend) -> str | None:
    if backend != "file":
        return None
    return read_secret(args.password_file, PASSWORD_ENV, "Password for the keystore file: ", confirm_new=True)


def _unlock_password(args: argparse.Namespace, record: AccountRecord) -> str | None:
    if record.backend != "file":
        return None
    return read_secret(args.password_file, PASSWORD_ENV, f"Password for {record.address}: ")


def _describe(record: AccountRecord) -> dict[str, Any]:
    return {
        "address": record.address,
        "label": record.label,
        "backend": record.backend,
        "created_at": record.created_at,
    }


@handles_errors
def cmd_list(args: argparse.Namespace) -> int:
    manager = _manager(args)
    records = manager.list()
    if args.json:
        print(json.dumps([_describe(r) for r in records], indent=2))
        return 0
    if not records:
        print("No accounts. Create one with: nitro-desktop accounts new")
        return 0
    for r in records:
        where = "OS keyring" if r.backend == "keyring" else "encrypted file"
        print(f"{r.address}  {where:<14}  {r.label}")
    return 0


@handles_errors
def cmd_new(args: argparse.Namespace) -> int:
    manager = _manager(args)
    backend = _backend(args, manager)
    record = manager.generate(args.label, backend=backend, password=_new_password(args, backend))
    print(f"{record.address}  ({record.backend})  {record.label}")
    # stderr: stdout may be a file meant to hold only the result.
    print(
        f"Back it up now: nitro-desktop accounts export {record.address} --out FILE "
        "(without a backup the key is gone for good if this computer is lost)",
        file=sys.stderr,
    )
    return 0


@handles_errors
def cmd_import(args: argparse.Namespace) -> int:
    manager = _manager(args)
    backend = _backend(args, manager)
    if args.phrase or args.phrase_file:
        phrase = read_secret(
            args.phrase_file,
            PHRASE_ENV,
            "Recovery phrase (12-24 words, not shown): ",
            option="--phrase-file",
        )
        restored = key_from_phrase(phrase)  # checked before a password is asked for
        password = _new_password(args, backend)
        record = manager.import_private_key(
            "0x" + restored.hex(), args.label, backend=backend, password=password
        )
    elif args.keystore:
        try:
            keystore = Path(args.keystore).read_text(encoding="utf-8")
        except OSError as exc:
            raise _cli_error(f"cannot read {args.keystore}: {exc.strerror}") from None
        keystore_password = read_secret(
            args.keystore_password_file,
            "NITRO_DESKTOP_KEYSTORE_PASSWORD",
            "Password of the keystore being imported: ",
            option="--keystore-password-file",
        )
        password = _new_password(args, backend)
        record = manager.import_keystore(
            keystore, keystore_password, args.label, backend=backend, password=password
        )
    else:
        key = read_secret(
            args.key_file, "NITRO_DESKTOP_PRIVATE_KEY", "Private key (hex): ", option="--key-file"
        )
        password = _new_password(args, backend)
        record = manager.import_private_key(key, args.label, backend=backend, password=password)
    print(f"{record.address}  ({record.backend})  {record.label}")
    return 0


@handles_errors
def cmd_export(args: argparse.Namespace) -> int:
    manager = _manager(args)
    record = manager.get(args.address)
    if args.format == "hex":
        confirm(args, f"Print the private key of {record.address} in plain text?")
        print(manager.export_private_key(record.address, password=_unlock_password(args, record)))
        return 0
    unlock = _unlock_password(args, record)
    export_password = read_secret(
        args.export_password_file,
        "NITRO_DESKTOP_EXPORT_PASSWORD",
        "Password for the exported keystore: ",
        confirm_new=True,
        option="--export-password-file",
    )
    if args.out:
        key = bytes.fromhex(manager.export_private_key(record.address, password=unlock).removeprefix("0x"))
        kdf = manager.vault.kdf
        write_backup_file(Path(args.out), key, export_password, kdf)
        print(
            f"saved an encrypted backup of {record.address} to {args.out} (mode 600, read back)",
            file=sys.stderr,
        )
        return 0
    print(manager.export_keystore(record.address, export_password, password=unlock))
    return 0


@handles_errors
def cmd_rename(args: argparse.Namespace) -> int:
    record = _manager(args).rename(args.address, args.label)
    print(f"{record.address}  {record.label}")
    return 0


@handles_errors
def cmd_delete(args: argparse.Namespace) -> int:
    manager = _manager(args)
    record = manager.get(args.address)
    confirm(args, f"Delete {record.address} ({record.label}) and destroy its key?")
    manager.delete(record.address)
    print(f"deleted {record.address}", file=sys.stderr)
    return 0


def register(subparsers: Any) -> None:
    """Add ``accounts`` and its subcommands to the top-level parser."""
    accounts = subparsers.add_parser("accounts", help="Ethereum accounts and their keys")
    sub = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="list accounts and where their keys live")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    def key_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--label", default="", help="a name for the account")
        p.add_argument(
            "--backend",
            choices=("keyring", "file"),
            help="where the key goes: the OS keyring (default when there is one) or an "
            "encrypted keystore file protected by a password",
        )
        p.add_argument("--password-file", help=f"keystore-file password (or ${PASSWORD_ENV})")

    p = sub.add_parser("new", help="generate a new account")
    key_options(p)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("import", help="import a private key (asked for) or a keystore file")
    key_options(p)
    p.add_argument("--keystore", metavar="FILE", help="a Web3 Secret Storage (v3) JSON file")
    p.add_argument("--keystore-password-file", metavar="FILE")
    p.add_argument("--key-file", metavar="FILE", help="read the hex private key from FILE")
    p.add_argument(
        "--phrase",
        action="store_true",
        help="restore from a BIP-39 recovery phrase (asked for; the first account, as MetaMask derives it)",
    )
    p.add_argument(
        "--phrase-file", metavar="FILE", help=f"read the recovery phrase from FILE (or ${PHRASE_ENV})"
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="print the private key or a keystore JSON (explicit only)")
    p.add_argument("address")
    p.add_argument("--format", choices=("hex", "keystore"), default="keystore")
    p.add_argument("--password-file", help="password of a file-backed key")
    p.add_argument("--export-password-file", metavar="FILE")
    p.add_argument(
        "--out",
        metavar="FILE",
        help="write the keystore to FILE (mode 600, never over a file, read back) instead of stdout",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("rename", help="change an account's label")
    p.add_argument("address")
    p.add_argument("label")
    p.set_defaults(func=cmd_rename)

    p = sub.add_parser("delete", help="delete an account and destroy its key")
    p.add_argument("address")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_delete)

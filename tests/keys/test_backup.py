"""Backups: a recovery phrase and an encrypted file restore the same account; neither leaks."""

from __future__ import annotations

import json
import logging
import pickle
import stat
from pathlib import Path

import pytest

from nitro_desktop.crash import write_report
from nitro_desktop.keys import AccountManager, InvalidKeyError, KeystoreFileError, WrongPasswordError
from nitro_desktop.keys.backup import (
    MAX_KEYSTORE_BYTES,
    RecoveryPhrase,
    key_from_phrase,
    new_recovery_phrase,
    parse_recovery_phrase,
    read_backup_file,
    write_backup_file,
)
from nitro_desktop.keys.crypto import address_of
from nitro_desktop.keys.keyfile import encrypt_key
from nitro_desktop.store import Store
from tests.keys.conftest import FAST_KDF
from tests.keys.memory_keyring import MemoryKeyring

PASSWORD = "backup-Pa55word-marker"
# The phrase every Ethereum dev tool (Hardhat, Foundry) ships, and its well-known first account.
TEST_PHRASE = "test test test test test test test test test test test junk"
TEST_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def test_the_phrase_derives_the_first_account_other_wallets_derive() -> None:
    assert parse_recovery_phrase(TEST_PHRASE).address() == TEST_ADDRESS
    # Pasted with odd spacing and capitals, it is the same phrase.
    assert parse_recovery_phrase("  " + TEST_PHRASE.upper().replace(" ", " \t ") + "\n").address() == (
        TEST_ADDRESS
    )


def test_a_new_phrase_and_its_backup_file_restore_the_same_address(tmp_path: Path) -> None:
    from eth_account import Account

    phrase = new_recovery_phrase()
    assert len(phrase) == 12 and len(set(phrase.words)) > 1
    key = phrase.key()
    path = tmp_path / "backup.json"
    assert write_backup_file(path, key, PASSWORD, FAST_KDF) == address_of(key)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.json"]  # no temp file left
    from_file = read_backup_file(path, PASSWORD)
    from_words = key_from_phrase(" ".join(phrase.words))
    assert from_file == from_words == key
    Account.enable_unaudited_hdwallet_features()
    assert Account.from_mnemonic(" ".join(phrase.words)).address == address_of(key)
    with pytest.raises(WrongPasswordError):
        read_backup_file(path, "not the password")


def test_both_restores_give_the_same_account_through_the_account_manager(tmp_path: Path) -> None:
    phrase = new_recovery_phrase()
    key = phrase.key()
    backup = tmp_path / "backup.json"
    write_backup_file(backup, key, PASSWORD, FAST_KDF)
    with Store.open(tmp_path / "a") as store_a, Store.open(tmp_path / "b") as store_b:
        by_phrase = AccountManager(store_a, keyring_backend=MemoryKeyring(), kdf=FAST_KDF)
        by_file = AccountManager(store_b, keyring_backend=MemoryKeyring(), kdf=FAST_KDF)
        a = by_phrase.import_private_key("0x" + key_from_phrase(" ".join(phrase.words)).hex(), "phrase")
        b = by_file.import_keystore(backup.read_text(), PASSWORD, "file")
        assert a.address == b.address == address_of(key)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "this one has 0"),
        (" ".join(TEST_PHRASE.split()[:11]), "this one has 11"),
        (TEST_PHRASE.replace("junk", "junkk"), "word 12 is not in the BIP-39"),
        (TEST_PHRASE.replace("test", "tets", 2), "word 1, 2 are not in"),
        (TEST_PHRASE.replace("junk", "test"), "checksum"),
        ("abandon " * 500, "at most 400 characters"),
    ],
)
def test_a_wrong_phrase_says_what_is_wrong_without_quoting_it(text: str, message: str) -> None:
    with pytest.raises(InvalidKeyError) as info:
        parse_recovery_phrase(text)
    assert message in str(info.value)
    for word in ("test", "tets", "junk", "junkk", "abandon"):
        assert word not in str(info.value).replace("BIP-39", "")


def test_the_check_asks_three_distinct_words_and_accepts_only_those(tmp_path: Path) -> None:
    phrase = parse_recovery_phrase(TEST_PHRASE)
    positions = phrase.positions_to_check()
    assert len(positions) == len(set(positions)) == 3 and all(1 <= p <= 12 for p in positions)
    assert phrase.wrong_answers({1: " Test ", 12: "junk"}) == []
    assert phrase.wrong_answers({1: "test", 12: "test", 13: "x"}) == [12, 13]


def test_a_backup_never_replaces_a_file_and_needs_an_existing_folder(tmp_path: Path) -> None:
    key = new_recovery_phrase().key()
    existing = tmp_path / "backup.json"
    existing.write_text("an older backup")
    with pytest.raises(KeystoreFileError, match="exists already"):
        write_backup_file(existing, key, PASSWORD, FAST_KDF)
    assert existing.read_text() == "an older backup"
    with pytest.raises(KeystoreFileError, match="does not exist"):
        write_backup_file(tmp_path / "nowhere" / "b.json", key, PASSWORD, FAST_KDF)
    with pytest.raises(InvalidKeyError, match="needs a password"):
        write_backup_file(tmp_path / "b.json", key, "", FAST_KDF)


def test_reading_a_backup_bounds_its_size_and_its_key_derivation(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (MAX_KEYSTORE_BYTES + 1))
    with pytest.raises(InvalidKeyError, match="not a keystore"):
        read_backup_file(huge, PASSWORD)
    costly = encrypt_key(new_recovery_phrase().key(), PASSWORD, FAST_KDF)
    costly["crypto"]["kdfparams"]["n"] = 2**20  # 1 GiB of scrypt: refused before deriving anything
    path = tmp_path / "costly.json"
    path.write_text(json.dumps(costly))
    with pytest.raises(InvalidKeyError, match="ceiling"):
        read_backup_file(path, PASSWORD)


def test_phrase_and_key_stay_out_of_reprs_logs_crash_reports_and_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    phrase = new_recovery_phrase()
    key = phrase.key()
    words = " ".join(phrase.words)
    path = tmp_path / "backup.json"
    write_backup_file(path, key, PASSWORD, FAST_KDF)
    read_backup_file(path, PASSWORD)

    assert repr(phrase) == str(phrase) == "RecoveryPhrase(<12 words hidden>)"
    assert f"{phrase}" == f"{phrase!r}" and words not in f"{[phrase]}"
    with pytest.raises(TypeError):
        pickle.dumps(phrase)

    try:
        raise RuntimeError(f"failed while holding {phrase!r}: {words} {key.hex()}")
    except RuntimeError as exc:
        report = write_report(tmp_path / "crashes", exc).read_text()
    assert "RecoveryPhrase(<12 words hidden>)" in report

    content = path.read_bytes()
    for secret in (words.encode(), key.hex().encode(), key, PASSWORD.encode()):
        assert secret not in content
        assert secret not in report.encode()
        assert secret not in caplog.text.encode()
    assert address_of(key) in caplog.text  # the log does say what was backed up


def test_answers_ignore_case_and_a_phrase_object_derives_like_a_parsed_one() -> None:
    phrase = RecoveryPhrase(["abandon"] * 11 + ["about"])  # the BIP-39 spec's first test vector
    assert phrase.address() == parse_recovery_phrase(" ".join(phrase.words)).address()
    assert phrase.address() == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
    assert phrase.wrong_answers({12: "ABOUT"}) == []

from __future__ import annotations

import copy
import hashlib
import pickle

import pytest
from eth_account import Account

from nitro_desktop.keys import AccountManager, PasswordRequiredError, WrongPasswordError
from tests.keys.helpers import recover
from tests.keys.memory_keyring import MemoryKeyring

DIGEST = hashlib.sha3_256(b"req bytes").digest()


def test_signature_is_what_eth_account_gives(manager: AccountManager) -> None:
    key = "0x" + "4c" * 32
    record = manager.import_private_key(key, "a")
    signed = manager.signer(record.address).unsafe_sign_hash(DIGEST)
    expected = Account.from_key(key).unsafe_sign_hash(DIGEST)
    assert signed == expected
    assert signed.signature == expected.signature
    assert len(signed.signature) == 65 and signed.signature[64] in (27, 28)
    assert signed.v == signed.signature[64]
    assert recover(DIGEST, signed) == record.address == Account.from_key(key).address


def test_signer_fetches_key_at_signing_time(manager: AccountManager, memory_keyring: MemoryKeyring) -> None:
    record = manager.generate("a")
    signer = manager.signer(record.address)
    memory_keyring.entries.clear()
    with pytest.raises(Exception, match="has no key"):
        signer.unsafe_sign_hash(DIGEST)


def test_wrong_digest_length_is_refused(manager: AccountManager) -> None:
    signer = manager.signer(manager.generate("a").address)
    with pytest.raises(ValueError, match="32 bytes"):
        signer.unsafe_sign_hash(b"short")


def test_signer_never_reveals_its_key(manager: AccountManager) -> None:
    key = "0x" + "5d" * 32
    record = manager.import_private_key(key, "a")
    signer = manager.signer(record.address)
    for text in (repr(signer), str(signer), f"{signer}"):
        assert record.address in text
        assert "5d5d5d" not in text.lower()
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(signer)
    with pytest.raises(TypeError):
        copy.copy(signer)
    assert not hasattr(signer, "__dict__")


def test_file_backed_signer_needs_the_right_password(file_manager: AccountManager) -> None:
    record = file_manager.generate("f", backend="file", password="correct horse")
    with pytest.raises(PasswordRequiredError):
        file_manager.signer(record.address)
    with pytest.raises(WrongPasswordError):
        file_manager.signer(record.address, password="wrong").unsafe_sign_hash(DIGEST)
    asked: list[int] = []

    def ask() -> str:
        asked.append(1)
        return "correct horse"

    signer = file_manager.signer(record.address, password=ask)
    assert asked == []  # asked only when a signature is needed
    assert recover(DIGEST, signer.unsafe_sign_hash(DIGEST)) == record.address
    assert asked == [1]


def test_protocol_signs_requests_with_a_key_store_signer(
    manager: AccountManager, file_manager: AccountManager
) -> None:
    from nitro_desktop.protocol import recover_signers, sign_request

    a = manager.signer(manager.generate("a").address)
    b_record = file_manager.generate("b", backend="file", password="pw")
    b = file_manager.signer(b_record.address, password="pw")
    frame = sign_request(1, "ping", [], 1_700_000_000_000, [a, b])
    assert recover_signers(frame) == [a.address, b.address]


def test_unlocked_signer_signs_the_same_and_never_reveals_its_key(manager: AccountManager) -> None:
    key = "0x" + "6e" * 32
    record = manager.import_private_key(key, "u")
    signer = manager.signer(record.address)
    unlocked = signer.unlocked()
    assert unlocked.address == record.address
    assert unlocked.unsafe_sign_hash(DIGEST).signature == signer.unsafe_sign_hash(DIGEST).signature
    for text in (repr(unlocked), str(unlocked)):
        assert "6e6e6e" not in text.lower()
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(unlocked)
    assert not hasattr(unlocked, "__dict__")


def test_key_store_signs_and_addresses_through_protocol_crypto() -> None:
    from nitro_desktop.keys.crypto import address_of, sign_hash
    from nitro_desktop.protocol import RawKeySigner, recover_address

    key = bytes.fromhex("4c" * 32)
    signed = sign_hash(key, DIGEST)
    assert bytes(signed.signature) == RawKeySigner(key).unsafe_sign_hash(DIGEST)
    assert address_of(key) == RawKeySigner(key).address == Account.from_key(key).address
    assert recover_address(DIGEST, "0x" + bytes(signed.signature).hex()) == address_of(key)
    with pytest.raises(ValueError, match="32 bytes"):
        sign_hash(key, b"short")

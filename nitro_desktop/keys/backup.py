"""Backups of a key: a BIP-39 recovery phrase (new keys) or an encrypted keystore file (any key).

A new account's key is derived from a 12-word English phrase at MetaMask's and
Rabby's first-account path (m/44'/60'/0'/0/0, no passphrase), so the phrase
restores the same address here or in those wallets. The phrase itself is never
stored: it is shown once at creation, then only the key is kept (keyring or
encrypted file). A backup file is a Web3 Secret Storage (v3) keystore written
atomically with mode 0600 and read back (decrypted with its password) before it
counts as saved.

Nothing here logs, prints or repr()s a phrase or a key, and no error quotes
what it was given (eth-account's own errors quote the phrase: they are never
let through).
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from nitro_desktop.keys.crypto import address_of, is_valid_private_key
from nitro_desktop.keys.errors import InvalidKeyError, KeystoreFileError
from nitro_desktop.keys.keyfile import (
    DEFAULT_KDF,
    KdfParams,
    decrypt_keystore,
    encrypt_key,
    read_keystore_file,
    write_keystore_file,
)

log = logging.getLogger(__name__)

BackupKind = Literal["phrase", "file", "skipped"]

DERIVATION_PATH = "m/44'/60'/0'/0/0"
NEW_PHRASE_WORDS = 12
PHRASE_LENGTHS = (12, 15, 18, 21, 24)
WORDS_TO_CHECK = 3
# A phrase typed or pasted by a person: 24 words of at most 8 letters, with generous spacing.
MAX_PHRASE_CHARS = 400
# Real keystore files are under 1 KiB; anything much larger is not one.
MAX_KEYSTORE_BYTES = 64 * 1024


T = TypeVar("T")


class Sealed(Generic[T]):
    """Carries a secret across a thread or a callback; its repr (what executors and loggers show) is blank.

    qasync's executor logs each job's arguments and result at DEBUG: a key passed
    or returned bare would be in that line.
    """

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value = value

    def open(self) -> T:
        return self._value

    def __repr__(self) -> str:
        return "Sealed(<secret>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a sealed secret cannot be pickled")


class RecoveryPhrase:
    """A BIP-39 English phrase. Its repr and str never show a word.

    Read the words with ``words`` only to show them to the user.
    """

    __slots__ = ("_words",)

    def __init__(self, words: Iterable[str]) -> None:
        self._words = tuple(words)

    @property
    def words(self) -> tuple[str, ...]:
        return self._words

    def __len__(self) -> int:
        return len(self._words)

    def __repr__(self) -> str:
        return f"RecoveryPhrase(<{len(self._words)} words hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a recovery phrase cannot be pickled")

    def key(self) -> bytes:
        """The private key at m/44'/60'/0'/0/0."""
        from eth_account.hdaccount import key_from_seed
        from eth_account.hdaccount.mnemonic import Mnemonic

        seed = Mnemonic.to_seed(" ".join(self._words), "")
        key = bytes(key_from_seed(seed, DERIVATION_PATH))
        if not is_valid_private_key(key):  # 2^-127: BIP-32 says to skip such an index
            raise InvalidKeyError("this phrase derives an unusable key at the first account; use another")
        return key

    def address(self) -> str:
        return address_of(self.key())

    def positions_to_check(self, count: int = WORDS_TO_CHECK) -> list[int]:
        """``count`` distinct 1-based word positions, drawn at random, in order."""
        draw = secrets.SystemRandom()
        return sorted(draw.sample(range(1, len(self._words) + 1), min(count, len(self._words))))

    def wrong_answers(self, answers: Mapping[int, str]) -> list[int]:
        """The 1-based positions whose answer is not that word (case and spaces ignored)."""
        wrong = []
        for position, answer in sorted(answers.items()):
            expected = self._words[position - 1] if 1 <= position <= len(self._words) else None
            if expected is None or not secrets.compare_digest(
                _normalise(answer).encode("utf-8"), expected.encode("utf-8")
            ):
                wrong.append(position)
        return wrong


def _wordlist() -> list[str]:
    from eth_account.hdaccount.mnemonic import get_wordlist

    return get_wordlist("english")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKD", text).strip().lower()


def new_recovery_phrase(words: int = NEW_PHRASE_WORDS) -> RecoveryPhrase:
    """A fresh phrase from the OS's randomness."""
    from eth_account.hdaccount.mnemonic import Mnemonic
    from eth_account.types import Language

    if words not in PHRASE_LENGTHS:
        raise ValueError(f"a recovery phrase has {', '.join(map(str, PHRASE_LENGTHS))} words")
    return RecoveryPhrase(Mnemonic(Language.ENGLISH).generate(words).split(" "))


def parse_recovery_phrase(text: str) -> RecoveryPhrase:
    """A phrase typed or pasted by the user, checked word by word and by its checksum.

    Raises InvalidKeyError with a message that names positions, never words.
    """
    if len(text) > MAX_PHRASE_CHARS:
        raise InvalidKeyError(f"a recovery phrase is at most {MAX_PHRASE_CHARS} characters")
    words = _normalise(text).split()
    if len(words) not in PHRASE_LENGTHS:
        raise InvalidKeyError(f"a recovery phrase has 12, 15, 18, 21 or 24 words; this one has {len(words)}")
    known = set(_wordlist())
    unknown = [i for i, word in enumerate(words, 1) if word not in known]
    if unknown:
        where = ", ".join(map(str, unknown[:5]))
        verb = "is" if len(unknown) == 1 else "are"
        raise InvalidKeyError(f"word {where} {verb} not in the BIP-39 English word list: check the spelling")
    from eth_account.hdaccount.mnemonic import Mnemonic
    from eth_account.types import Language

    if not Mnemonic(Language.ENGLISH).is_mnemonic_valid(" ".join(words)):
        raise InvalidKeyError(
            "the words are all valid but their checksum is not: a word is wrong or out of order"
        )
    return RecoveryPhrase(words)


def key_from_phrase(text: str) -> bytes:
    """The key a typed phrase restores (the first account, as MetaMask and Rabby derive it)."""
    return parse_recovery_phrase(text).key()


def write_backup_file(path: Path, key: bytes, password: str, kdf: KdfParams = DEFAULT_KDF) -> str:
    """Encrypt ``key`` with ``password`` into a keystore at ``path`` (atomic, 0600), read it back.

    Returns the address; the file counts as a backup only once this returns.
    """
    if not password:
        raise InvalidKeyError("a backup file needs a password")
    # Never replace a file: it may be an older backup, or another account's.
    if path.exists():
        raise KeystoreFileError(f"{path} exists already; choose another name")
    if not path.parent.is_dir():
        raise KeystoreFileError(f"the folder {path.parent} does not exist")
    address = address_of(key)
    try:
        write_keystore_file(path, encrypt_key(key, password, kdf))
    except OSError as exc:
        raise KeystoreFileError(f"could not write {path}: {exc.strerror or type(exc).__name__}") from None
    # The same read signing would do: mode 0600, the password opens it, the key inside is this key.
    read_keystore_file(path, password, address)
    log.info("saved an encrypted backup of %s to %s", address, path)
    return address


def read_backup_file(path: Path, password: str) -> bytes:
    """The key in a keystore file (ours or any wallet's), its key derivation cost bounded."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_KEYSTORE_BYTES + 1)
    except OSError as exc:
        raise KeystoreFileError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    if len(data) > MAX_KEYSTORE_BYTES:
        raise InvalidKeyError(f"{path} is over {MAX_KEYSTORE_BYTES // 1024} KiB: not a keystore file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidKeyError(f"{path} is not a keystore file (not UTF-8 text)") from None
    return decrypt_keystore(text, password)


def suggested_backup_name(address: str) -> str:
    """A file name that says what it is and whose it is (no secret in it)."""
    return f"nitro-desktop-backup-{address}.json"

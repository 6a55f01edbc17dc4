"""Signer objects: sign with a key fetched at signing time, never hold or reveal it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from nitro_desktop.keys.crypto import SignedHash, address_of, sign_hash, sign_transaction
from nitro_desktop.keys.errors import KeystoreFileError
from nitro_desktop.keys.types import Backend


class Signer:
    """What ``nitro_desktop.protocol`` signs with: ``.address`` and ``.unsafe_sign_hash``;
    ``sign_transaction`` makes it a ``nitro_desktop.chain.TxSigner`` too.

    The key is fetched from its backend on every signature and dropped right
    after, so a long-lived Signer holds no secret. (With the encrypted-file
    backend it holds a way to get the password instead; see ``SecretVault``.)
    """

    __slots__ = ("_address", "_backend", "_load_key")

    def __init__(self, address: str, backend: Backend, load_key: Callable[[], bytes]) -> None:
        self._address = address
        self._backend = backend
        self._load_key = load_key

    @property
    def address(self) -> str:
        """EIP-55 address."""
        return self._address

    @property
    def backend(self) -> Backend:
        return self._backend

    def unsafe_sign_hash(self, message_hash: bytes) -> SignedHash:
        """Raw signature over a 32-byte digest, as eth-account's ``unsafe_sign_hash``."""
        key = self._load_key()
        # A key that does not belong to this address must never sign in its name.
        if address_of(key) != self._address:
            raise KeystoreFileError(f"the stored key does not belong to {self._address}")
        return sign_hash(key, message_hash)

    def sign_transaction(self, fields: dict[str, Any]) -> bytes:
        """The raw signed transaction for ``fields`` (chain's ``TxSigner``); the key stays here."""
        key = self._load_key()
        if address_of(key) != self._address:
            raise KeystoreFileError(f"the stored key does not belong to {self._address}")
        return sign_transaction(key, fields)

    def unlocked(self) -> UnlockedSigner:
        """Fetch the key once and return a signer that holds it in memory.

        For one operation's burst of signatures: the fetch (keyring I/O, or
        scrypt for a keystore file) is the slow part, so callers run this in an
        executor, off the GUI thread, and drop the result when done.
        """
        key = self._load_key()
        if address_of(key) != self._address:
            raise KeystoreFileError(f"the stored key does not belong to {self._address}")
        return UnlockedSigner(self._address, key)

    def __repr__(self) -> str:
        return f"Signer(address={self._address!r}, backend={self._backend!r})"

    __str__ = __repr__

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("a Signer cannot be pickled or copied; ask the key store for one")

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Signer cannot be pickled or copied; ask the key store for one")


class UnlockedSigner:
    """A signer holding its key for the length of one operation; never shows or pickles it."""

    __slots__ = ("_address", "_key")

    def __init__(self, address: str, key: bytes) -> None:
        self._address = address
        self._key = key

    @property
    def address(self) -> str:
        return self._address

    def unsafe_sign_hash(self, message_hash: bytes) -> SignedHash:
        return sign_hash(self._key, message_hash)

    def sign_transaction(self, fields: dict[str, Any]) -> bytes:
        return sign_transaction(self._key, fields)

    def __repr__(self) -> str:
        return f"UnlockedSigner(address={self._address!r})"

    __str__ = __repr__

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("an UnlockedSigner cannot be pickled or copied")

    def __reduce__(self) -> NoReturn:
        raise TypeError("an UnlockedSigner cannot be pickled or copied")

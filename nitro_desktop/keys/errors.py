"""Typed key errors. Messages name addresses and backends, never a secret."""

from __future__ import annotations


class KeysError(Exception):
    """Base of every error the key store raises."""


class KeyringUnavailableError(KeysError):
    """No secure OS keyring: the caller must choose the encrypted-file backend with a password."""


class KeyringLockedError(KeysError):
    """The OS keyring is locked and was not unlocked."""


class KeyringAccessError(KeysError):
    """The OS keyring refused, failed or vanished during an operation."""


class KeyringVerifyError(KeyringAccessError):
    """The secret read back from the keyring differs from the one written."""


class PasswordRequiredError(KeysError):
    """The encrypted-file backend needs a password and none was given."""


class WrongPasswordError(KeysError):
    """The password does not open the keystore (or the file's ciphertext was altered)."""


class KeystoreFileError(KeysError):
    """A keystore file is missing, unreadable, malformed or does not match its account."""


class InvalidKeyError(KeysError):
    """A private key or keystore given for import is not valid."""


class AccountNotFoundError(KeysError):
    """No account (or session key) with that address."""


class AccountExistsError(KeysError):
    """An account with that address already exists."""


class SecretMissingError(KeysError):
    """The account is recorded but its secret is gone from its backend."""


class SessionKeyExpiredError(KeysError):
    """The session key has expired (it has been removed)."""

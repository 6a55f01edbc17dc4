"""Keys: Ethereum accounts whose secrets stay in the OS keyring (or an encrypted keystore file).

No Qt here. eth-account is imported only where keystore files need it.
"""

from nitro_desktop.keys.accounts import AccountManager
from nitro_desktop.keys.crypto import SignedHash
from nitro_desktop.keys.errors import (
    AccountExistsError,
    AccountNotFoundError,
    InvalidKeyError,
    KeyringAccessError,
    KeyringLockedError,
    KeyringUnavailableError,
    KeyringVerifyError,
    KeysError,
    KeystoreFileError,
    PasswordRequiredError,
    SecretMissingError,
    SessionKeyExpiredError,
    WrongPasswordError,
)
from nitro_desktop.keys.keyfile import DEFAULT_KDF, KdfParams
from nitro_desktop.keys.keyring_backend import SERVICE, KeyringStatus, keyring_status
from nitro_desktop.keys.session_keys import SessionKeyManager
from nitro_desktop.keys.signer import Signer, UnlockedSigner
from nitro_desktop.keys.types import Backend
from nitro_desktop.keys.vault import PasswordSource, SecretVault

__all__ = [
    "DEFAULT_KDF",
    "SERVICE",
    "AccountExistsError",
    "AccountManager",
    "AccountNotFoundError",
    "Backend",
    "InvalidKeyError",
    "KdfParams",
    "KeyringAccessError",
    "KeyringLockedError",
    "KeyringStatus",
    "KeyringUnavailableError",
    "KeyringVerifyError",
    "KeysError",
    "KeystoreFileError",
    "PasswordRequiredError",
    "PasswordSource",
    "SecretMissingError",
    "SecretVault",
    "SessionKeyExpiredError",
    "SessionKeyManager",
    "SignedHash",
    "Signer",
    "UnlockedSigner",
    "WrongPasswordError",
    "keyring_status",
]

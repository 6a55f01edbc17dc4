"""The OS keyring through `keyring`: is it secure and usable, and typed errors around it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from nitro_desktop.keys.errors import (
    KeyringAccessError,
    KeyringLockedError,
    KeyringUnavailableError,
    KeyringVerifyError,
)

log = logging.getLogger(__name__)

SERVICE = "nitro-desktop"
_PROBE_USER = "nitro-desktop-probe"


@dataclass(frozen=True, slots=True)
class KeyringStatus:
    """Whether secrets can go to the OS keyring, and in words why not."""

    available: bool
    backend_name: str
    reason: str = ""


def _name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def insecure_reason(backend: Any) -> str | None:
    """Why ``backend`` cannot hold keys (None when it can), without touching it."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return "no OS keyring is available"
    if isinstance(backend, chainer.ChainerBackend):
        usable = [b for b in backend.backends if insecure_reason(b) is None]
        return None if usable else "no OS keyring is available"
    # keyrings.alt's plaintext/"encrypted" file keyrings are not an OS keyring.
    if "plaintext" in _name(backend).lower() or _name(backend).startswith("keyrings.alt"):
        return "the configured keyring stores secrets in a plain file"
    return None


def keyring_status(backend: Any | None = None, *, probe: bool = True) -> KeyringStatus:
    """Is there a secure keyring? With ``probe``, also ask it (detects a locked or gone service)."""
    if backend is None:
        import keyring

        backend = keyring.get_keyring()
    name = _name(backend)
    reason = insecure_reason(backend)
    if reason is not None:
        return KeyringStatus(False, name, reason)
    if probe:
        try:
            backend.get_password(SERVICE, _PROBE_USER)
        except Exception as exc:
            return KeyringStatus(False, name, _describe(exc))
    return KeyringStatus(True, name)


def _describe(exc: BaseException) -> str:
    from keyring.errors import KeyringLocked

    if isinstance(exc, KeyringLocked):
        return "the OS keyring is locked"
    # The backend's own text can be long D-Bus noise; its type is enough to act on.
    return f"the OS keyring is not usable ({type(exc).__name__})"


class KeyringSecrets:
    """One keyring entry per EIP-55 address under the service ``nitro-desktop``."""

    def __init__(self, backend: Any | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    def status(self, *, probe: bool = True) -> KeyringStatus:
        return keyring_status(self.backend, probe=probe)

    def require_available(self) -> None:
        status = self.status(probe=False)
        if not status.available:
            raise KeyringUnavailableError(
                f"{status.reason} ({status.backend_name}); keep the key in an encrypted "
                "keystore file instead, protected by a password you choose"
            )

    def put(self, address: str, secret_hex: str) -> None:
        """Write, read back and compare; raise (and leave no half entry) if they differ."""
        self.require_available()
        try:
            self.backend.set_password(SERVICE, address, secret_hex)
        except Exception as exc:
            # `from None`: the backend's exception may carry the arguments it was given.
            raise self._error(exc, f"store the key for {address}") from None
        try:
            stored = self.backend.get_password(SERVICE, address)
        except Exception as exc:
            raise self._error(exc, f"read back the key for {address}") from None
        if stored != secret_hex:
            raise KeyringVerifyError(
                f"the OS keyring did not keep the key for {address} intact; nothing was recorded"
            )
        log.debug("stored key for %s in %s", address, _name(self.backend))

    def get(self, address: str) -> str | None:
        try:
            secret: str | None = self.backend.get_password(SERVICE, address)
        except Exception as exc:
            raise self._error(exc, f"read the key for {address}") from None
        return secret

    def delete(self, address: str) -> None:
        """Remove the entry; an entry already gone is not an error."""
        from keyring.errors import PasswordDeleteError

        try:
            self.backend.delete_password(SERVICE, address)
        except PasswordDeleteError:
            if self.get(address) is not None:
                raise KeyringAccessError(f"the OS keyring refused to delete the key for {address}") from None
        except Exception as exc:
            raise self._error(exc, f"delete the key for {address}") from None

    def _error(self, exc: BaseException, doing: str) -> Exception:
        from keyring.errors import KeyringLocked, NoKeyringError

        backend = _name(self.backend)
        if isinstance(exc, KeyringLocked):
            return KeyringLockedError(f"could not {doing}: the OS keyring ({backend}) is locked")
        if isinstance(exc, NoKeyringError):
            return KeyringUnavailableError(f"could not {doing}: no OS keyring is available")
        return KeyringAccessError(
            f"could not {doing}: the OS keyring ({backend}) failed with {type(exc).__name__}"
        )

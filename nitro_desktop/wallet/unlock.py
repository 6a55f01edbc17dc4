"""Keys unlocked off the loop's thread, asking for a keystore file's password as a wallet does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from nitro_desktop.keys import AccountManager, WrongPasswordError
from nitro_desktop.protocol import HashSigner
from nitro_desktop.redact import register_secret

#: Asks for the password of ``address`` (``note`` says why again); None when the user cancels.
PasswordPrompt = Callable[[str, str], Awaitable[str | None]]
PASSWORD_ATTEMPTS = 3
RETRY_NOTE = "That password did not open the key. Try again:"


class PasswordCancelled(PermissionError):
    """The user closed the password prompt: the key stays locked (not an error to report)."""


class Unlocker:
    """Signers for local accounts; ``prompt`` is supplied by the UI (a dialog, a terminal)."""

    def __init__(self, accounts: AccountManager, prompt: PasswordPrompt | None = None) -> None:
        self.accounts = accounts
        self.prompt = prompt
        # Keystore-file keys opened in this session: a password is asked at most once per run.
        self._opened: dict[str, HashSigner] = {}

    def remember(self, address: str, signer: HashSigner) -> None:
        """A file-backed key just made or imported here: its password was typed a moment ago."""
        if signer.address == address:
            self._opened[address] = signer

    def forget(self) -> None:
        """Lock every key again (at shutdown)."""
        self._opened.clear()

    async def signer(self, address: str) -> HashSigner:
        """A signer with the key fetched off the loop (keyring I/O or scrypt).

        A key in an encrypted file asks for its password, again after a wrong one
        (up to ``PASSWORD_ATTEMPTS`` times), once per session: it stays open until ``forget``.
        """
        record = self.accounts.get(address)
        loop = asyncio.get_running_loop()
        if record.backend != "file":
            self._opened.pop(address, None)
            unlocked: HashSigner = await loop.run_in_executor(None, self.accounts.signer(address).unlocked)
            return unlocked
        opened = self._opened.get(address)
        if opened is not None:
            return opened
        if self.prompt is None:
            raise PermissionError(f"{address} is in an encrypted file and needs its password")
        note = ""
        for _attempt in range(PASSWORD_ATTEMPTS):
            password = await self.prompt(address, note)
            if password is None:
                raise PasswordCancelled("signing cancelled: no password given")
            signer = self.accounts.signer(address, password=password)
            forget = register_secret(password)  # an error raised while it is in use cannot show it
            try:
                unlocked = await loop.run_in_executor(None, signer.unlocked)
            except WrongPasswordError:
                note = RETRY_NOTE
                continue
            finally:
                forget()
            self._opened[address] = unlocked
            return unlocked
        raise PermissionError(f"wrong password for {address}, {PASSWORD_ATTEMPTS} times")

    async def signers(self, addresses: Sequence[str]) -> list[HashSigner]:
        return [await self.signer(a) for a in addresses]

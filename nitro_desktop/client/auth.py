"""Logging in: the dialect names its scheme (``DialectSpec.auth_scheme``), this module runs it.

The one scheme today is the 0.x EIP-712 challenge: auth_request → auth_challenge →
auth_verify, and re-authentication by JWT. A dialect without a login (v1) has no
authenticator (``authenticator_for`` gives None) and the link skips the step.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from nitro_desktop.client.connection import Connection
from nitro_desktop.client.errors import AuthenticationError, ClearNodeError
from nitro_desktop.client.redact import short
from nitro_desktop.protocol import (
    AuthChallenge,
    AuthResult,
    DialectLike,
    DialectSpec,
    HashSigner,
    auth_typed_data,
    builders,
    spec,
    to_checksum_address,
    typed_data_digest,
)
from nitro_desktop.protocol.crypto import sign_digest, signature_bytes

log = logging.getLogger("nitro_desktop.client")

DEFAULT_LIFETIME = datetime.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who we authenticate as; kept by the client to re-authenticate after a reconnect.

    ``wallet`` signs the EIP-712 challenge; ``session_key`` (a signer or just its
    address) is what the server will accept request signatures from. Signers are
    held as objects and never printed.
    """

    wallet: HashSigner
    session_key: HashSigner | str | None
    app_name: str
    allowances: tuple[tuple[str, str], ...]
    scope: str
    expires_at: int
    app_address: str | None = None
    #: Seconds from each challenge login, when the caller gave a lifetime: a reconnect days
    #: later then asks for a key that expires in the future again.
    lifetime: float | None = None

    def expiry(self) -> int:
        if self.lifetime is None:
            return self.expires_at
        return max(self.expires_at, int(time.time() + self.lifetime))

    @property
    def wallet_address(self) -> str:
        return to_checksum_address(self.wallet.address)

    @property
    def session_key_address(self) -> str:
        """The key asked for; without one, the wallet (0.2's first choice, see ``login_keys``)."""
        key = self.session_key
        if key is None:
            return self.wallet_address
        return to_checksum_address(key if isinstance(key, str) else key.address)

    @property
    def request_signer(self) -> HashSigner:
        """Who signs transfer/revoke: the session key when we hold it, else the wallet."""
        if self.session_key is None or isinstance(self.session_key, str):
            return self.wallet
        return self.session_key

    def __repr__(self) -> str:
        return f"Credentials(wallet={self.wallet_address}, session_key={self.session_key_address})"


def make_credentials(
    wallet: HashSigner,
    *,
    session_key: HashSigner | str | None = None,
    app_name: str,
    allowances: Sequence[tuple[str, str]] = (),
    scope: str = "",
    expires: int | datetime.timedelta | None = None,
    app_address: str | None = None,
) -> Credentials:
    """``expires``: Unix seconds, or a lifetime from now (default 24 h)."""
    if expires is None:
        expires = DEFAULT_LIFETIME
    lifetime: float | None = None
    if isinstance(expires, datetime.timedelta):
        lifetime = expires.total_seconds()
        expires_at = int(time.time() + lifetime)
    else:
        expires_at = int(expires)
    return Credentials(
        wallet=wallet,
        session_key=session_key,
        app_name=app_name,
        allowances=tuple((str(a), str(b)) for a, b in allowances),
        scope=scope,
        expires_at=expires_at,
        app_address=app_address,
        lifetime=lifetime,
    )


class _PresignedSigner:
    """Carries an already-made EIP-712 signature into ``encode_frame`` (it ignores the digest)."""

    def __init__(self, address: str, signature: str) -> None:
        self.address = address
        self._signature = signature

    def unsafe_sign_hash(self, message_hash: bytes) -> bytes:
        return bytes.fromhex(self._signature[2:])


def _check_result(result: Any, creds: Credentials, request_id: int) -> AuthResult:
    if not isinstance(result, AuthResult) or not result.success:
        raise AuthenticationError("the server did not confirm the authentication", "auth_verify", request_id)
    if result.address and result.address != creds.wallet_address:
        raise AuthenticationError(
            f"the server authenticated {result.address}, not {creds.wallet_address}",
            "auth_verify",
            request_id,
        )
    return result


# Upstream's texts for the session-key rules (protocol-notes differences #1 and #2).
EXPIRED_KEY = "session key already exists but is expired"
WALLET_AS_SIGNER = "cannot use a wallet as a signer"
WALLET_IS_SIGNER = "wallet is already in use as a signer"

_EXPLANATIONS = {
    EXPIRED_KEY: (
        "this session key was registered before and has expired; the node never renews a key, "
        "so log in with a new session key (the app does this by itself when you give none)"
    ),
    WALLET_AS_SIGNER: (
        "this wallet has registered a separate session key on this node, so the node no longer "
        "accepts the wallet as its own signer; log in with a session key"
    ),
    WALLET_IS_SIGNER: (
        "this wallet once logged in as its own signer on this node, and the node then never "
        "accepts a separate session key for it; log in without a session key"
    ),
}


def explain_refusal(text: str) -> str:
    """The server's text, followed by what it means for the user when it is a session-key rule."""
    for known, explanation in _EXPLANATIONS.items():
        if known in text:
            return f"{text}: {explanation}"
    return text


def fresh_key_address() -> str:
    """A new session-key address for one login.

    Nothing is ever signed with it (the wallet signs requests, as before), so no private key
    exists to keep or leak: the node only records the address with the login's expiry.
    """
    return to_checksum_address("0x" + secrets.token_bytes(20).hex())


def login_keys(dialect: DialectLike, creds: Credentials) -> tuple[str, ...]:
    """The session-key addresses to try, in order, for one challenge login.

    A key the caller chose is the only one. Otherwise, 0.5 registers a key once and never
    extends its expiry, so a fresh key per login is what keeps working across days (a new key
    for the same wallet and application replaces the old one). 0.2 signers never expire, but a
    wallet that logged in as itself can never register another key, and one that registered
    another key can no longer be its own signer: try the wallet first, and a fresh key when the
    node says the wallet already has other signers (a fresh key is always accepted then).
    """
    if creds.session_key is not None:
        return (creds.session_key_address,)
    if spec(dialect).session_keys_expire:
        return (fresh_key_address(),)
    return (creds.wallet_address, fresh_key_address())


async def authenticate_with_challenge(
    conn: Connection, dialect: DialectLike, creds: Credentials, *, timeout: float
) -> AuthResult:
    keys = login_keys(dialect, creds)
    for attempt, key in enumerate(keys):
        try:
            result = await _challenge_login(conn, dialect, creds, key, timeout=timeout)
        except AuthenticationError as exc:
            if attempt + 1 < len(keys) and WALLET_AS_SIGNER in exc.message:
                log.info("the node refused the wallet as its own signer; logging in with a new key")
                continue
            raise AuthenticationError(explain_refusal(exc.message), exc.method, exc.request_id) from None
        log.info("authenticated %s (session key %s)", creds.wallet_address, key)
        return result
    raise AssertionError("login_keys is never empty")


async def _challenge_login(
    conn: Connection, dialect: DialectLike, creds: Credentials, key: str, *, timeout: float
) -> AuthResult:
    call = builders.auth_request(
        dialect,
        address=creds.wallet_address,
        session_key=key,
        application=creds.app_name,
        allowances=creds.allowances,
        expires_at=creds.expiry(),
        scope=creds.scope,
        app_address=creds.app_address,
    )
    try:
        challenge = await conn.request(call, timeout=timeout)
    except ClearNodeError as exc:
        raise AuthenticationError(exc.message, exc.method, exc.request_id) from None
    if not isinstance(challenge, AuthChallenge):
        raise AuthenticationError("auth_request was not answered with a challenge", "auth_request", 0)
    digest = typed_data_digest(auth_typed_data(dialect, call.params, challenge.challenge_message))
    signature = sign_digest(creds.wallet, digest)
    signature_bytes(bytes.fromhex(signature[2:]))  # a broken signer fails here, not at the server
    log.debug("signed the auth challenge %s as %s", short(challenge.challenge_message), creds.wallet_address)
    verify = builders.auth_verify_challenge(dialect, challenge.challenge_message)
    sent: list[int] = []
    try:
        result = await conn.request(
            verify, [_PresignedSigner(creds.wallet_address, signature)], timeout=timeout, on_sent=sent.append
        )
    except ClearNodeError as exc:
        raise AuthenticationError(exc.message, exc.method, exc.request_id) from None
    return _check_result(result, creds, sent[0] if sent else 0)


async def authenticate_with_jwt(
    conn: Connection, dialect: DialectLike, creds: Credentials, jwt: str, *, timeout: float
) -> AuthResult:
    sent: list[int] = []
    try:
        result = await conn.request(
            builders.auth_verify_jwt(dialect, jwt), timeout=timeout, on_sent=sent.append
        )
    except ClearNodeError as exc:
        raise AuthenticationError(exc.message, exc.method, exc.request_id) from None
    return _check_result(result, creds, sent[0] if sent else 0)


async def authenticate(
    conn: Connection, dialect: DialectLike, creds: Credentials, *, jwt: str | None, timeout: float
) -> AuthResult:
    """Re-use the JWT when we have one; fall back to a fresh challenge if it is refused."""
    if jwt:
        try:
            result = await authenticate_with_jwt(conn, dialect, creds, jwt, timeout=timeout)
            log.info("re-authenticated %s with the saved token %s", creds.wallet_address, short(jwt))
            return result
        except AuthenticationError as exc:
            log.info("the saved token was refused (%s); asking for a new challenge", exc.message)
    return await authenticate_with_challenge(conn, dialect, creds, timeout=timeout)


class Authenticator(Protocol):
    """One login scheme: run it on a fresh connection (``jwt``: a token from an earlier login)."""

    async def authenticate(
        self, conn: Connection, creds: Credentials, *, jwt: str | None, timeout: float
    ) -> AuthResult: ...


class ChallengeAuthenticator:
    """The 0.x login: the JWT when there is one, else an EIP-712 challenge signed by the wallet."""

    def __init__(self, dialect: DialectSpec) -> None:
        self._spec = dialect

    async def authenticate(
        self, conn: Connection, creds: Credentials, *, jwt: str | None, timeout: float
    ) -> AuthResult:
        return await authenticate(conn, self._spec, creds, jwt=jwt, timeout=timeout)


#: Login schemes by the name a ``DialectSpec.auth_scheme`` gives.
SCHEMES: dict[str, Callable[[DialectSpec], Authenticator]] = {
    "eip712-challenge": ChallengeAuthenticator,
}


def authenticator_for(dialect: DialectLike) -> Authenticator | None:
    """The dialect's login, or None when it has none (requests then stand on their own)."""
    impl = spec(dialect)
    if impl.auth_scheme is None:
        return None
    factory = SCHEMES.get(impl.auth_scheme)
    if factory is None:
        raise ValueError(f"no client for the login scheme {impl.auth_scheme!r}")
    return factory(impl)


def identified(creds: Credentials) -> AuthResult:
    """What a dialect without a login reports for ``authenticate``: the wallet, nothing sent."""
    return AuthResult(address=creds.wallet_address, session_key="", success=True)

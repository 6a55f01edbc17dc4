"""Authentication state: challenges, auth sessions, JWTs (PROTOCOL.md §2.5, §3).

Challenges live in memory (5-minute TTL, single use, used ones kept 30 s, at
most 1000 pending), auth sessions per wallet with a 24 h sliding TTL. Tokens
are HS256 JWTs keyed by a secret the node keeps in its database; only this
node reads them (the real server signs ES256-labelled tokens with its
secp256k1 key, which clients must treat as opaque anyway).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CHALLENGE_TTL = 300.0
USED_CHALLENGE_GRACE = 30.0
MAX_PENDING_CHALLENGES = 1000
SESSION_TTL = 24 * 3600.0
JWT_ISSUER = "clearnode"


@dataclass(slots=True)
class Challenge:
    token: str
    fields: dict[str, Any]  # from DialectSpec.auth_request_fields
    params: Any  # the auth_request params as sent (for the EIP-712 message)
    expires_at: float
    used: bool = False


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class AuthManager:
    def __init__(
        self,
        jwt_secret: bytes,
        clock: Callable[[], float],
        challenge_factory: Callable[[], str] | None = None,
    ) -> None:
        self._secret = jwt_secret
        self._clock = clock
        self._new_token = challenge_factory or (lambda: str(uuid.uuid4()))
        self._challenges: dict[str, Challenge] = {}
        self._sessions: dict[str, float] = {}

    # ---- challenges ---------------------------------------------------------
    def _purge(self) -> None:
        now = self._clock()
        for token in [t for t, c in self._challenges.items() if now > c.expires_at]:
            del self._challenges[token]

    def generate_challenge(self, fields: dict[str, Any], params: Any) -> str:
        """A fresh challenge; raises ``OverflowError`` when too many are pending."""
        self._purge()
        if len(self._challenges) >= MAX_PENDING_CHALLENGES:
            raise OverflowError("too many pending challenges")
        token = str(uuid.UUID(self._new_token()))
        self._challenges[token] = Challenge(token, fields, params, self._clock() + CHALLENGE_TTL)
        return token

    def get_challenge(self, token: str) -> Challenge | None:
        return self._challenges.get(token)

    def validate_challenge(self, token: str, recovered: str) -> bool:
        """Exact (case-sensitive) address match, not expired, not used; then mark used."""
        challenge = self._challenges.get(token)
        if challenge is None or challenge.fields["address"] != recovered:
            return False
        now = self._clock()
        if now > challenge.expires_at or challenge.used:
            return False
        challenge.used = True
        challenge.expires_at = now + USED_CHALLENGE_GRACE
        return True

    # ---- auth sessions ----------------------------------------------------------
    def register_session(self, wallet: str) -> None:
        self._sessions[wallet] = self._clock()

    def validate_session(self, wallet: str) -> bool:
        last = self._sessions.get(wallet)
        if last is None:
            return False
        if self._clock() > last + SESSION_TTL:
            del self._sessions[wallet]
            return False
        return True

    def update_session(self, wallet: str) -> None:
        if wallet in self._sessions:
            self._sessions[wallet] = self._clock()

    # ---- tokens ---------------------------------------------------------------
    def issue_jwt(self, policy: dict[str, Any]) -> str:
        now = int(self._clock())
        claims = {
            "policy": policy,
            "iss": JWT_ISSUER,
            "iat": now,
            "nbf": now,
            "exp": now + int(SESSION_TTL),
        }
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        mac = hmac.new(self._secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
        self.register_session(policy["wallet"])
        return f"{header}.{body}.{_b64(mac)}"

    def verify_jwt(self, token: str) -> dict[str, Any] | None:
        """The token's policy, or None when it is not ours, malformed or expired."""
        try:
            header, body, mac = token.split(".")
            expected = hmac.new(self._secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(mac)):
                return None
            claims = json.loads(_unb64(body))
        except (ValueError, TypeError):
            return None
        if not isinstance(claims, dict) or claims.get("iss") != JWT_ISSUER:
            return None
        exp = claims.get("exp")
        policy = claims.get("policy")
        if not isinstance(exp, int) or exp < self._clock() or not isinstance(policy, dict):
            return None
        if not isinstance(policy.get("wallet"), str):
            return None
        self.register_session(policy["wallet"])
        return policy


def new_jwt_secret() -> bytes:
    return secrets.token_bytes(32)

"""auth_request and auth_verify (PROTOCOL.md §3), both dialects."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.amounts import AmountRangeError
from nitro_desktop.devnode.errors import InternalError, RPCError, clip
from nitro_desktop.devnode.handlers import Call
from nitro_desktop.protocol import recover_address, typed_data_digest
from nitro_desktop.protocol.errors import ProtocolError


def auth_request(c: Call) -> Any:
    router = c.router
    raw = c.frame.params
    if router.v05:
        c.fallback = "failed to parse auth parameters"
        if not isinstance(raw, dict):
            raise P.ParamsError("params")
        try:
            fields = router.spec.auth_request_fields(raw)
        except ProtocolError:
            raise P.ParamsError("params") from None
    else:
        if not isinstance(raw, list):
            raise RPCError("invalid parameters: expected 7 parameters")
        try:
            fields = router.spec.auth_request_fields(raw)
        except ProtocolError as exc:
            raise RPCError(str(exc)) from None
    c.fallback = "failed to generate challenge"
    try:
        token = router.auth.generate_challenge(fields, raw)
    except OverflowError as exc:
        raise InternalError(str(exc)) from None
    return {"challenge_message": token}


def auth_verify(c: Call) -> Any:
    router = c.router
    raw = c.frame.params
    c.fallback = "failed to parse auth parameters"
    p = router.spec.unwrap_params(raw) if isinstance(raw, list | dict) else None
    if p is None:
        raise P.ParamsError("params")
    challenge = P.optional_text(p, "challenge")
    jwt = P.text(p, "jwt")
    if challenge is not None:
        try:
            import uuid

            challenge = str(uuid.UUID(challenge))
        except ValueError:
            raise P.ParamsError("challenge") from None
    c.fallback = "authentication failed"
    if jwt:
        policy = router.auth.verify_jwt(jwt)
        if policy is None:
            raise RPCError("invalid JWT token")
        key_field = "session_key" if router.v05 else "participant"
        result = {"address": policy["wallet"], "session_key": policy.get(key_field, ""), "success": True}
        return _authenticated(c, policy, result)
    if not c.frame.signatures:
        raise RPCError("invalid authentication method: expected JWT or signature")
    return _verify_signature(c, challenge or "00000000-0000-0000-0000-000000000000")


def _verify_signature(c: Call, token: str) -> Any:
    router = c.router
    stored = router.auth.get_challenge(token)
    if stored is None:
        raise RPCError("invalid challenge")
    try:
        digest = typed_data_digest(router.spec.auth_typed_data(stored.params, token))
        recovered = recover_address(digest, c.frame.signatures[0])
    except ProtocolError:
        raise RPCError("invalid signature") from None
    if not router.auth.validate_challenge(token, recovered):
        raise RPCError("invalid challenge or signature")
    f = stored.fields
    wallet, key = f["address"], f["session_key"]
    if router.v05:
        router.user_tag(wallet)
        policy = {
            "wallet": wallet,
            "session_key": key,
            "scope": f["scope"],
            "application": f["application"],
            "allowance": [{"asset": a, "amount": x} for a, x in f["allowances"]],
            "expires_at": f["expires_at"],
        }
        jwt = router.auth.issue_jwt(policy)
        _check_allowances(c, f["allowances"])
        with router.db.transaction():
            if not router.keys.check_exists(wallet, key):
                router.keys.add_session_key(
                    wallet, key, f["application"], f["scope"], f["allowances"], f["expires_at"]
                )
    else:
        with router.db.transaction():
            router.keys.add_signer(wallet, key)
        router.user_tag(wallet)
        policy = {
            "wallet": wallet,
            "participant": key,
            "scope": f["scope"],
            "application": f["application"],
            "allowance": [{"asset": a, "amount": x} for a, x in f["allowances"]],
        }
        jwt = router.auth.issue_jwt(policy)
    result = {"address": wallet, "jwt_token": jwt, "session_key": key, "success": True}
    return _authenticated(c, policy, result)


def _check_allowances(c: Call, allowances: list[tuple[str, str]]) -> None:
    symbols = {a.symbol for a in c.router.assets}
    for asset, amount in allowances:
        if asset not in symbols:
            raise RPCError(f"unsupported token: asset '{clip(asset)}' is not supported")
        try:
            value = P.decimal_value(amount)
        except (P.ParamsError, AmountRangeError, InvalidOperation):
            raise RPCError(
                f"unsupported token: invalid amount '{clip(str(amount))}' for asset '{clip(asset)}'"
            ) from None
        if value < Decimal(0):
            raise RPCError(
                f"unsupported token: allowance amount cannot be negative for asset '{clip(asset)}',"
                f" got '{clip(str(amount))}'"
            )


def _authenticated(c: Call, policy: dict[str, Any], result: dict[str, Any]) -> Any:
    c.conn.pending_identity = (policy["wallet"], policy)
    return result

"""auth_request and auth_verify (PROTOCOL.md §3), both dialects."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.amounts import AmountRangeError
from nitro_desktop.devnode.call import Call
from nitro_desktop.devnode.errors import InternalError, RPCError, clip
from nitro_desktop.protocol import recover_address, typed_data_digest
from nitro_desktop.protocol.errors import ProtocolError


def auth_request(c: Call) -> Any:
    router = c.router
    raw = c.frame.params
    if router.v05:
        c.fallback = "failed to parse auth parameters"
        if not isinstance(raw, dict):
            raise P.ParamsError("params")
        allowances = raw.get("allowances")
        if isinstance(allowances, list) and any(
            isinstance(a, dict) and not isinstance(a.get("amount", ""), str | None) for a in allowances
        ):
            raise P.ParamsError("allowances")  # Allowance.Amount is a Go string: a number fails
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
        problem = shopspring_error(str(amount))
        if problem is not None:
            raise RPCError(
                f"unsupported token: invalid amount '{clip(str(amount))}' for asset '{clip(asset)}':"
                f" {problem}"
            )
        try:
            value = P.decimal_value(amount)
        except (P.ParamsError, AmountRangeError, InvalidOperation):
            # Valid for upstream, but beyond what this ledger holds: refused, with the old text.
            raise RPCError(
                f"unsupported token: invalid amount '{clip(str(amount))}' for asset '{clip(asset)}'"
            ) from None
        if value < Decimal(0):
            raise RPCError(
                f"unsupported token: allowance amount cannot be negative for asset '{clip(asset)}',"
                f" got '{clip(str(amount))}'"
            )


_GO_INT = re.compile(r"[+-]?[0-9]+")


def _go_parse_int(text: str, bits: int) -> str | None:
    """``strconv.ParseInt(text, 10, bits)``'s failure: "syntax", "range", or None."""
    if not _GO_INT.fullmatch(text):
        return "syntax"
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > 20 or not -(1 << (bits - 1)) <= int(text) < 1 << (bits - 1):
        return "range"
    return None


def shopspring_error(value: str) -> str | None:
    """shopspring/decimal v1.4.0 ``NewFromString``'s error text for ``value``, or None if it parses.

    Its order and wording, clipped where it quotes the input: the exponent after the first
    e/E, then the points, then the digits.
    """
    original, exp = value, 0
    e_index = min((i for i in (value.find("e"), value.find("E")) if i != -1), default=-1)
    if e_index != -1:
        failure = _go_parse_int(value[e_index + 1 :], 32)
        if failure == "range":
            return f"can't convert {clip(value)} to decimal: fractional part too long"
        if failure == "syntax":
            return f"can't convert {clip(value)} to decimal: exponent is not numeric"
        exp = int(value[e_index + 1 :])
        value = value[:e_index]
    if value.count(".") > 1:
        return f"can't convert {clip(value)} to decimal: too many .s"
    point = value.find(".")
    int_string = value if point == -1 else value[:point] + value[point + 1 :]
    if point != -1:
        exp -= len(value) - point - 1
    # ParseInt up to 18 characters, big.Int.SetString beyond: the same language of digits here.
    if not _GO_INT.fullmatch(int_string):
        return f"can't convert {clip(value)} to decimal"
    if not -(1 << 31) <= exp < 1 << 31:
        return f"can't convert {clip(original)} to decimal: fractional part too long"
    return None


def _authenticated(c: Call, policy: dict[str, Any], result: dict[str, Any]) -> Any:
    c.conn.pending_identity = (policy["wallet"], policy)
    return result

"""Dialect "0.2": the array-params ClearNode of mid-2025 (era E2, the seed documentation's).

Params are ``[ {…} ]``, results ``[ payload ]``, errors ``["text"]``, server
signatures use v = 0/1, and ``auth_request`` takes seven positional values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nitro_desktop.protocol.crypto import lenient_checksum
from nitro_desktop.protocol.dialect import Dialect, DialectSpec, register
from nitro_desktop.protocol.eip712 import ALLOWANCE_V02, POLICY_V02, typed_data
from nitro_desktop.protocol.errors import ProtocolError

_UINT_TEXT = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]+")


def _uint256_text(value: str, what: str) -> int:
    """Go's uint256 parse of a string: decimal or 0x-hex, empty = 0."""
    if value == "":
        return 0
    if not _UINT_TEXT.fullmatch(value):
        raise ProtocolError(f"{what} must be a whole number for this server, got {value!r}")
    number = int(value[2:], 16) if value[:2].lower() == "0x" else int(value, 10)
    if number >= 1 << 256:
        raise ProtocolError(f"{what} is out of range: {value!r}")
    return number


class Dialect02(DialectSpec):
    dialect = Dialect.V02
    title = "0.2 (mid-2025)"
    protocols = ()  # a free string before NitroRPC/x.y was enforced
    default_protocol = "NitroRPC/0.2"
    definition_has_application = False
    server_v_offset = 0
    strict_hex_sigs = False

    def wrap_params(self, obj: dict[str, Any] | None) -> Any:
        return [] if obj is None else [obj]

    def unwrap_params(self, params: Any) -> dict[str, Any]:
        if not isinstance(params, list):
            raise ProtocolError("failed to parse parameters")
        if not params:
            return {}
        if not isinstance(params[0], dict):
            raise ProtocolError("failed to parse parameters")
        return params[0]

    def wrap_result(self, payload: Any) -> Any:
        return [] if payload is None else [payload]

    def unwrap_result(self, method: str, result: Any) -> Any:
        if isinstance(result, list):
            if not result:
                return None
            if len(result) == 1:
                return result[0]
        return result

    def error_result(self, message: str) -> Any:
        return [message]

    def list_key(self, method: str) -> str | None:
        return None

    def auth_request_params(
        self,
        *,
        address: str,
        session_key: str,
        application: str,
        allowances: Sequence[tuple[str, str]],
        expires_at: int,
        scope: str,
        app_address: str,
    ) -> Any:
        # This server wants expire as a string and allowances as [asset, amount] pairs.
        return [
            address,
            session_key,
            application,
            [[asset, amount] for asset, amount in allowances],
            str(expires_at),
            scope,
            app_address,
        ]

    def auth_request_fields(self, auth_request_params: Any) -> dict[str, Any]:
        p = auth_request_params
        if not isinstance(p, list) or len(p) < 7:
            raise ProtocolError("invalid parameters: expected 7 parameters")
        address, session_key, app_name, allowances, expire, scope, app_address = p[:7]
        if not isinstance(address, str) or not address:
            raise ProtocolError(f"invalid address: {address}")
        if not isinstance(session_key, str) or not session_key:
            raise ProtocolError(f"invalid session key: {session_key}")
        if not isinstance(app_name, str) or not app_name:
            raise ProtocolError(f"invalid application name: {app_name}")
        if not isinstance(allowances, list):
            raise ProtocolError("invalid allowances: input is not a list of allowances")
        pairs = []
        for i, item in enumerate(allowances):
            if not isinstance(item, list):
                raise ProtocolError(f"invalid allowances: allowance at index {i} is not a list")
            if len(item) != 2:
                raise ProtocolError(
                    f"invalid allowances: allowance at index {i} must have exactly 2 elements (asset, amount)"
                )
            if not isinstance(item[0], str) or not isinstance(item[1], str):
                raise ProtocolError(
                    f"invalid allowances: allowance at index {i} has non-string asset or amount"
                )
            pairs.append((item[0], item[1]))
        if not isinstance(expire, str):
            raise ProtocolError(f"invalid expiration time: {expire}")
        if not isinstance(scope, str):
            raise ProtocolError(f"invalid scope: {scope}")
        if not address.startswith("0x"):
            address = "0x" + address
        return {
            "address": address,
            "session_key": session_key,
            "application": app_name,
            "allowances": pairs,
            "expires_at": expire,
            "scope": scope,
            "app_address": app_address if isinstance(app_address, str) else "",
        }

    def auth_typed_data(self, auth_request_params: Any, challenge: str) -> dict[str, Any]:
        f = self.auth_request_fields(auth_request_params)
        message = {
            "challenge": challenge,
            "scope": f["scope"],
            "wallet": _address(f["address"], "wallet"),
            "application": _address(f["app_address"], "application"),
            "participant": _address(f["session_key"], "session key"),
            "expire": _uint256_text(f["expires_at"], "expire"),
            "allowances": [
                {"asset": asset, "amount": _uint256_text(amount, f"allowance for {asset}")}
                for asset, amount in f["allowances"]
            ],
        }
        return typed_data(f["application"], POLICY_V02, ALLOWANCE_V02, message)

    def supports(self, method: str) -> bool:
        # Per-application session keys arrived with ClearNode v0.5.
        return method not in {"get_session_keys", "revoke_session_key", "create_channel"}


def _address(value: str, what: str) -> str:
    try:
        return lenient_checksum(value if value.startswith("0x") else "0x" + value)
    except ProtocolError:
        raise ProtocolError(f"{what} must be an Ethereum address, got {value!r}") from None


register(Dialect02())

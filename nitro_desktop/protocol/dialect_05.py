"""Dialect "0.5": ClearNode v0.5.x (era E4), app protocols NitroRPC/0.2 and NitroRPC/0.4.

Params and results are bare objects, lists come wrapped under a key, errors
are ``{"error": "text"}``, server signatures use v = 27/28, and auth binds a
session key to an application with an expiry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nitro_desktop.protocol.crypto import lenient_checksum
from nitro_desktop.protocol.dialect import Dialect, ObjectParamsSpec, register
from nitro_desktop.protocol.eip712 import ALLOWANCE_V05, POLICY_V05, typed_data
from nitro_desktop.protocol.errors import ProtocolError

# Where each list result (and list notification) sits inside its object.
_LIST_KEYS = {
    "get_assets": "assets",
    "assets": "assets",
    "get_app_sessions": "app_sessions",
    "get_channels": "channels",
    "channels": "channels",
    "get_ledger_balances": "ledger_balances",
    "get_ledger_entries": "ledger_entries",
    "get_ledger_transactions": "ledger_transactions",
    "get_rpc_history": "rpc_entries",
    "get_session_keys": "session_keys",
    "transfer": "transactions",
    "tr": "transactions",
    "bu": "balance_updates",
}


class Dialect05(ObjectParamsSpec):
    dialect = Dialect.V05
    title = "0.5 (v0.5.x)"
    protocols = ("NitroRPC/0.2", "NitroRPC/0.4")
    default_protocol = "NitroRPC/0.4"
    definition_has_application = True
    server_v_offset = 27
    strict_hex_sigs = True
    versioned_protocols = ("NitroRPC/0.4",)
    intents = ("operate", "deposit", "withdraw")
    session_keys_expire = True

    def unwrap_result(self, method: str, result: Any) -> Any:
        key = _LIST_KEYS.get(method)
        if key is not None and isinstance(result, dict) and key in result:
            return result[key]
        return result

    def error_result(self, message: str) -> Any:
        return {"error": message}

    def list_key(self, method: str) -> str | None:
        return _LIST_KEYS.get(method)

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
        return {
            "address": address,
            "session_key": session_key,
            "application": application,
            "allowances": [{"asset": a, "amount": amt} for a, amt in allowances],
            "expires_at": int(expires_at),
            "scope": scope,
        }

    def auth_request_fields(self, auth_request_params: Any) -> dict[str, Any]:
        p = auth_request_params
        if not isinstance(p, dict):
            raise ProtocolError("failed to parse parameters")
        allowances = p.get("allowances") or []
        if not isinstance(allowances, list) or not all(
            isinstance(a, dict) and isinstance(a.get("asset", ""), str) for a in allowances
        ):
            raise ProtocolError("failed to parse parameters")
        expires_at = p.get("expires_at", 0)
        if isinstance(expires_at, bool) or not isinstance(expires_at, int) or expires_at < 0:
            raise ProtocolError("failed to parse parameters")
        fields = {
            "address": p.get("address", ""),
            "session_key": p.get("session_key", ""),
            "application": p.get("application", ""),
            "allowances": [(a.get("asset", ""), str(a.get("amount", ""))) for a in allowances],
            "expires_at": expires_at,
            "scope": p.get("scope", ""),
            "app_address": "",
        }
        for key in ("address", "session_key", "application", "scope"):
            if not isinstance(fields[key], str):
                raise ProtocolError("failed to parse parameters")
        return fields

    def auth_typed_data(self, auth_request_params: Any, challenge: str) -> dict[str, Any]:
        f = self.auth_request_fields(auth_request_params)
        try:
            wallet = lenient_checksum(f["address"])
            session_key = lenient_checksum(f["session_key"])
        except ProtocolError as exc:
            raise ProtocolError(f"auth_request needs Ethereum addresses: {exc}") from None
        message = {
            "challenge": challenge,
            "scope": f["scope"],
            "wallet": wallet,
            "session_key": session_key,
            "expires_at": f["expires_at"],
            "allowances": [{"asset": a, "amount": amt} for a, amt in f["allowances"]],
        }
        return typed_data(f["application"], POLICY_V05, ALLOWANCE_V05, message)


register(Dialect05())

"""EIP-712 typed data for ``auth_verify`` and its digest.

eth-account is imported only when a digest is needed: it costs ~0.5 s to
import and authentication happens once per connection.
"""

from __future__ import annotations

from typing import Any

from nitro_desktop.protocol.errors import ProtocolError

DOMAIN_TYPE = [{"name": "name", "type": "string"}]

# Policy of the array-params ClearNode (7bd31aa7 -> 41f779d6).
POLICY_V02 = [
    {"name": "challenge", "type": "string"},
    {"name": "scope", "type": "string"},
    {"name": "wallet", "type": "address"},
    {"name": "application", "type": "address"},
    {"name": "participant", "type": "address"},
    {"name": "expire", "type": "uint256"},
    {"name": "allowances", "type": "Allowance[]"},
]
ALLOWANCE_V02 = [{"name": "asset", "type": "string"}, {"name": "amount", "type": "uint256"}]

# Policy of ClearNode v0.5.x (e03419b1 ->).
POLICY_V05 = [
    {"name": "challenge", "type": "string"},
    {"name": "scope", "type": "string"},
    {"name": "wallet", "type": "address"},
    {"name": "session_key", "type": "address"},
    {"name": "expires_at", "type": "uint64"},
    {"name": "allowances", "type": "Allowance[]"},
]
ALLOWANCE_V05 = [{"name": "asset", "type": "string"}, {"name": "amount", "type": "string"}]


def typed_data(
    domain_name: str,
    policy: list[dict[str, str]],
    allowance: list[dict[str, str]],
    message: dict[str, Any],
) -> dict[str, Any]:
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, "Policy": policy, "Allowance": allowance},
        "primaryType": "Policy",
        "domain": {"name": domain_name},
        "message": message,
    }


def typed_data_digest(full_message: dict[str, Any]) -> bytes:
    """The 32-byte digest a wallet signs for this typed data (0x1901 || domain || struct)."""
    from eth_account.messages import _hash_eip191_message, encode_typed_data

    try:
        return bytes(_hash_eip191_message(encode_typed_data(full_message=full_message)))
    except Exception as exc:  # eth-account raises a zoo of types for bad field values
        raise ProtocolError(f"cannot hash the EIP-712 auth message: {exc}") from None

"""Stop-gap v1 hashing for the sandbox node, until ``nitro_desktop.protocol.v1`` lands.

Upstream's ABI packings (``pkg/app``, ``pkg/core`` at v1.4.1) that the node needs to
check signatures and derive ids. The public, vector-checked codec is
``nitro_desktop.protocol.v1`` (helper ``v1proto``); once it is merged these
functions forward to it and only the node-internal ones (state ids, transaction ids,
the EIP-191 digest) stay here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eth_abi.abi import encode

from nitro_desktop.protocol.crypto import keccak256

CHANNEL_HUB_VERSION = 1


def go_hex_bytes(text: str) -> bytes:
    """``common.FromHex``: optional 0x, odd length padded, undecodable text read as nothing."""
    body = text[2:] if text[:2] in ("0x", "0X") else text
    if len(body) % 2:
        body = "0" + body
    try:
        return bytes.fromhex(body)
    except ValueError:
        return b""


def hex_to_address(text: str) -> bytes:
    """``common.HexToAddress``: the last 20 bytes, left-padded."""
    return go_hex_bytes(text)[-20:].rjust(20, b"\0")


def hex_to_hash(text: str) -> bytes:
    """``common.HexToHash``: the last 32 bytes, left-padded."""
    return go_hex_bytes(text)[-32:].rjust(32, b"\0")


def go_decimal(value: Decimal) -> str:
    """shopspring ``Decimal.String()``: plain digits, no exponent, no trailing zeros."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def _participants(definition: dict[str, Any]) -> list[tuple[bytes, int]]:
    return [(hex_to_address(p[0]), p[1]) for p in definition["participants"]]


def app_session_id(definition: dict[str, Any]) -> str:
    """``GenerateAppSessionIDV1``; ``definition``: application_id, participants [(wallet, weight)],
    quorum, nonce (int)."""
    packed = encode(
        ["string", "(address,uint8)[]", "uint8", "uint64"],
        [definition["application_id"], _participants(definition), definition["quorum"], definition["nonce"]],
    )
    return "0x" + keccak256(packed).hex()


def create_session_hash(definition: dict[str, Any], session_data: str) -> bytes:
    """``PackCreateAppSessionRequestV1``: the 32 bytes the quorum signs (EIP-191) at create."""
    packed = encode(
        ["string", "(address,uint8)[]", "uint8", "uint64", "string"],
        [
            definition["application_id"],
            _participants(definition),
            definition["quorum"],
            definition["nonce"],
            session_data,
        ],
    )
    return keccak256(packed)


def app_state_update_hash(
    app_session: str,
    intent: int,
    version: int,
    allocations: list[tuple[str, str, Decimal]],
    session_data: str,
) -> bytes:
    """``PackAppStateUpdateV1``: allocations as (participant, asset, amount)."""
    packed = encode(
        ["bytes32", "uint8", "uint64", "(address,string,string)[]", "string"],
        [
            hex_to_hash(app_session),
            intent,
            version,
            [(hex_to_address(p), a, go_decimal(x)) for p, a, x in allocations],
            session_data,
        ],
    )
    return keccak256(packed)


def eip191_digest(data: bytes) -> bytes:
    """What an ``EthereumMsg`` signer signs: the personal-message hash of ``data``."""
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data)


def state_id(wallet: str, asset: str, epoch: int, version: int) -> str:
    """``core.GetStateID``."""
    packed = encode(
        ["address", "string", "uint256", "uint256"], [hex_to_address(wallet), asset, epoch, version]
    )
    return "0x" + keccak256(packed).hex()


def transaction_id(account: str, new_state_id: str) -> str:
    """``core.GetSenderTransactionID`` / ``GetReceiverTransactionID``."""
    return "0x" + keccak256(encode(["string", "bytes32"], [account, hex_to_hash(new_state_id)])).hex()


def home_channel_id(node: str, user: str, asset: str, nonce: int, challenge: int, validators: str) -> str:
    """``core.GetHomeChannelID``: the definition hash with the ChannelHub version as first byte."""
    metadata = keccak256(asset.encode())[:8].ljust(32, b"\0")
    body = validators[2:] if validators[:2] in ("0x", "0X") else validators
    packed = encode(
        ["(uint32,address,address,uint64,uint256,bytes32)"],
        [(challenge, hex_to_address(user), hex_to_address(node), nonce, int(body or "0", 16), metadata)],
    )
    digest = keccak256(packed)
    return "0x" + (bytes([CHANNEL_HUB_VERSION]) + digest[1:]).hex()


def _account_bytes(account: str) -> bytes:
    body = account[2:] if account[:2] in ("0x", "0X") else account
    if len(body) == 40 and all(c in "0123456789abcdefABCDEF" for c in body):
        return bytes.fromhex(body).rjust(32, b"\0")
    return hex_to_hash(account)


def transition_hash(kind: int, tx_id: str, account: str, amount: Decimal) -> bytes:
    """``core.GetStateTransitionHash``."""
    packed = encode(
        ["(uint8,bytes32,bytes32,string)"],
        [(kind, hex_to_hash(tx_id), _account_bytes(account), go_decimal(amount))],
    )
    return keccak256(packed)


INTENT_OF_TRANSITION = {40: 0, 41: 0, 30: 0, 31: 0, 200: 1, 10: 2, 11: 3}


def pack_state(state: dict[str, Any], decimals: int) -> bytes:
    """``StatePackerV1.PackState`` for a home-only state: (channel id, signing data) ABI-encoded.

    ``state`` is the node's internal form (see ``states.py``): amounts as ``Decimal``.
    """
    ledger = state["home_ledger"]
    scale = Decimal(10) ** decimals
    home = (
        ledger["blockchain_id"],
        hex_to_address(ledger["token_address"]),
        decimals,
        int(ledger["user_balance"] * scale),
        int(ledger["user_net_flow"] * scale),
        int(ledger["node_balance"] * scale),
        int(ledger["node_net_flow"] * scale),
    )
    empty = (0, b"\0" * 20, 0, 0, 0, 0, 0)
    kind = state["transition"]["type"]
    ledger_type = "(uint64,address,uint8,uint256,int256,uint256,int256)"
    signing = encode(
        ["uint64", "uint8", "bytes32", ledger_type, ledger_type],
        [
            state["version"],
            INTENT_OF_TRANSITION.get(kind, 0),
            transition_hash(
                kind,
                state["transition"]["tx_id"],
                state["transition"]["account_id"],
                state["transition"]["amount"],
            ),
            home,
            empty,
        ],
    )
    return encode(["bytes32", "bytes"], [hex_to_hash(state["home_channel_id"]), signing])

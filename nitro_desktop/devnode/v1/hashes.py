"""The node's hashing, from its internal forms onto ``nitro_desktop.protocol.v1``.

Ids, signed hashes and state packing are protocol.v1's (checked byte for byte against
upstream's vectors); the node only converts its internal values (``Decimal`` amounts,
int versions, checked addresses) to the wire shapes protocol.v1 reads. Kept here, as
protocol.v1 has no use for them: transaction ids, EIP-191 over a message of any length
(channel states are signed whole, not hashed first), Go's printing of a Python
``Decimal``, and go-ethereum's lenient ``HexToAddress`` of text of any length (an update
may name a participant with any string, and nitronode still hashes it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nitro_desktop.protocol import v1
from nitro_desktop.protocol.crypto import keccak256
from nitro_desktop.protocol.v1 import abi
from nitro_desktop.protocol.v1.models import Allocation, Definition, Participant, StateUpdate

_HEX = frozenset("0123456789abcdefABCDEF")


def go_decimal(value: Decimal) -> str:
    """shopspring ``Decimal.String()`` of a Python ``Decimal``: plain digits, no trailing zeros."""
    # Not Decimal.normalize(): it rounds to the context's precision (28 digits by default).
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def go_from_hex(text: str) -> bytes:
    """``common.FromHex`` of text of any length: optional 0x, odd length padded, stops at a bad pair."""
    body = text[2:] if text[:1] == "0" and text[1:2] in ("x", "X") else text
    if len(body) % 2:
        body = "0" + body
    end = 0
    while end < len(body) and body[end] in _HEX and body[end + 1] in _HEX:
        end += 2
    return bytes.fromhex(body[:end])


def _hex_address(text: str) -> str:
    """``common.HexToAddress`` as 0x-hex (what protocol.v1's encoders take)."""
    return "0x" + go_from_hex(text)[-20:].rjust(20, b"\0").hex()


def _hex_hash(text: str) -> str:
    """``common.HexToHash`` as 0x-hex."""
    return "0x" + go_from_hex(text)[-32:].rjust(32, b"\0").hex()


def _definition(definition: dict[str, Any]) -> Definition:
    """The node's checked definition: participants [(lowercase wallet, weight)], nonce an int."""
    return Definition(
        definition["application_id"],
        tuple(Participant(w, x) for w, x in definition["participants"]),
        definition["quorum"],
        definition["nonce"],
    )


def app_session_id(definition: dict[str, Any]) -> str:
    """``GenerateAppSessionIDV1`` of a checked definition."""
    return v1.app_session_id(_definition(definition))


def create_session_hash(definition: dict[str, Any], session_data: str) -> bytes:
    """``PackCreateAppSessionRequestV1``: the 32 bytes the quorum signs (EIP-191) at create."""
    return v1.create_session_hash_bytes(_definition(definition), session_data)


def app_state_update_hash(
    app_session: str,
    intent: int,
    version: int,
    allocations: list[tuple[str, str, Decimal]],
    session_data: str,
) -> bytes:
    """``PackAppStateUpdateV1``; participants and the session id are read as leniently as Go does."""
    update = StateUpdate(
        _hex_hash(app_session),
        v1.Intent(intent),  # callers have refused other intents before they hash
        version,
        tuple(
            Allocation(_hex_address(p), a, v1.parse_decimal(go_decimal(x), "amount"))
            for p, a, x in allocations
        ),
        session_data,
    )
    return v1.app_state_update_hash_bytes(update)


def eip191_digest(data: bytes) -> bytes:
    """``ComputeEthereumSignedMessageHash``: the personal-message hash of ``data`` (any length)."""
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data)


def state_id(wallet: str, asset: str, epoch: int, version: int) -> str:
    """``core.GetStateID``."""
    return v1.state_id(wallet, asset, epoch, version)


def transaction_id(account: str, new_state_id: str) -> str:
    """``core.GetSenderTransactionID`` / ``GetReceiverTransactionID``."""
    packed = abi.encode([abi.STRING, abi.BYTES32], [account, bytes.fromhex(_hex_hash(new_state_id)[2:])])
    return "0x" + keccak256(packed).hex()


def home_channel_id(node: str, user: str, asset: str, nonce: int, challenge: int, validators: str) -> str:
    """``core.GetHomeChannelID``."""
    definition = {"nonce": nonce, "challenge": challenge, "approved_sig_validators": validators}
    return v1.home_channel_id(definition, asset, node=node, user=user)


def _ledger(ledger: dict[str, Any]) -> dict[str, Any]:
    return {
        "token_address": ledger["token_address"],
        "blockchain_id": ledger["blockchain_id"],
        **{
            k: go_decimal(ledger[k])
            for k in ("user_balance", "user_net_flow", "node_balance", "node_net_flow")
        },
    }


def pack_state(state: dict[str, Any], decimals: int) -> bytes:
    """``StatePackerV1.PackState`` of a home-only state in the node's internal form (``Decimal`` amounts)."""
    t = state["transition"]
    wire = {
        "home_channel_id": state["home_channel_id"],
        "version": state["version"],
        "transition": {
            "type": t["type"],
            "tx_id": t["tx_id"],
            "account_id": t["account_id"],
            "amount": go_decimal(t["amount"]),
        },
        "home_ledger": _ledger(state["home_ledger"]),
    }
    return v1.pack_state(wire, decimals)

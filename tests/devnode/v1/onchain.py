"""Home channel states and ChannelHub calls for tests, built by hand from upstream's formats.

States are the wire ``StateV1`` the node reads; the user signs them as upstream's
``ChannelDefaultSigner`` does (0x00, then EIP-191 over ``pack_state``). The contract calls are
ABI-encoded here and sent with ``eth_sendTransaction`` from an anvil dev account (unlocked), so
the real ChannelHub checks both signatures and emits the events the sandbox watches.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.protocol import RawKeySigner, v1
from nitro_desktop.protocol.crypto import keccak256, sign_digest
from nitro_desktop.protocol.v1 import abi
from nitro_desktop.protocol.v1.channel import TRANSITION_INTENTS, channel_metadata, transition_hash
from tests.chainkit import AnvilHub

ETH = "eth"
NATIVE = "0x0000000000000000000000000000000000000000"
DECIMALS = 18
CHALLENGE = 86400
HOME_DEPOSIT, HOME_WITHDRAWAL, FINALIZE = 10, 11, 200
_LEDGER = abi.tuple_of(abi.UINT64, abi.ADDRESS, abi.UINT8, abi.UINT256, abi.INT256, abi.UINT256, abi.INT256)
_STATE = abi.tuple_of(abi.UINT64, abi.UINT8, abi.BYTES32, _LEDGER, _LEDGER, abi.BYTES, abi.BYTES)
_DEFINITION = abi.tuple_of(abi.UINT32, abi.ADDRESS, abi.ADDRESS, abi.UINT64, abi.UINT256, abi.BYTES32)
_LEDGER_SIG = "(uint64,address,uint8,uint256,int256,uint256,int256)"
_STATE_SIG = f"(uint64,uint8,bytes32,{_LEDGER_SIG},{_LEDGER_SIG},bytes,bytes)"
_DEFINITION_SIG = "(uint32,address,address,uint64,uint256,bytes32)"


def wei(amount: str) -> int:
    return int(Decimal(amount).scaleb(DECIMALS))


def sign_state(state: dict[str, Any], signer: RawKeySigner) -> str:
    packed = v1.pack_state(state, DECIMALS)
    return "0x00" + sign_digest(signer, hashes.eip191_digest(packed))[2:]


def channel_definition(nonce: int = 1, validators: str = "0x01") -> dict[str, Any]:
    return {"nonce": str(nonce), "challenge": CHALLENGE, "approved_sig_validators": validators}


def opening_state(
    user: RawKeySigner,
    node: str,
    chain_id: int,
    amount: str,
    nonce: int = 1,
    validators: str = "0x01",
    epoch: int = 0,
) -> dict[str, Any]:
    """Version 1 of a new home channel: a home deposit of ``amount``, signed by ``user``."""
    wallet = user.address.lower()
    channel_id = hashes.home_channel_id(node, wallet, ETH, nonce, CHALLENGE, validators)
    state_id = v1.state_id(wallet, ETH, epoch, 1)
    state = {
        "id": state_id,
        "transition": {
            "type": HOME_DEPOSIT,
            "tx_id": hashes.transaction_id(channel_id, state_id),
            "account_id": channel_id,
            "amount": amount,
        },
        "asset": ETH,
        "user_wallet": wallet,
        "epoch": str(epoch),
        "version": "1",
        "home_channel_id": channel_id,
        "home_ledger": {
            "token_address": NATIVE,
            "blockchain_id": str(chain_id),
            "user_balance": amount,
            "user_net_flow": amount,
            "node_balance": "0",
            "node_net_flow": "0",
        },
    }
    state["user_sig"] = sign_state(state, user)
    return state


def next_state(latest: dict[str, Any], kind: int, amount: str, user: RawKeySigner) -> dict[str, Any]:
    """The state after ``latest`` with a home deposit, withdrawal or finalize, signed by ``user``."""
    version = int(latest["version"]) + 1
    state_id = v1.state_id(latest["user_wallet"], latest["asset"], latest["epoch"], version)
    ledger = dict(latest["home_ledger"])
    balance, flow = Decimal(ledger["user_balance"]), Decimal(ledger["user_net_flow"])
    if kind == FINALIZE:
        amount, balance, flow = hashes.go_decimal(balance), Decimal(0), flow - balance
    elif kind == HOME_DEPOSIT:
        balance, flow = balance + Decimal(amount), flow + Decimal(amount)
    else:
        balance, flow = balance - Decimal(amount), flow - Decimal(amount)
    ledger["user_balance"], ledger["user_net_flow"] = hashes.go_decimal(balance), hashes.go_decimal(flow)
    state = {
        "id": state_id,
        "transition": {
            "type": kind,
            "tx_id": hashes.transaction_id(latest["home_channel_id"], state_id),
            "account_id": latest["home_channel_id"],
            "amount": amount,
        },
        "asset": latest["asset"],
        "user_wallet": latest["user_wallet"],
        "epoch": latest["epoch"],
        "version": str(version),
        "home_channel_id": latest["home_channel_id"],
        "home_ledger": ledger,
    }
    state["user_sig"] = sign_state(state, user)
    return state


def transfer(latest: dict[str, Any], receiver: str, amount: str, user: RawKeySigner) -> dict[str, Any]:
    """The state after ``latest`` sending ``amount`` to ``receiver`` (``transfer_send``), user-signed."""
    state = next_state(latest, HOME_DEPOSIT, amount, user)  # then turned into the transfer
    ledger = dict(latest["home_ledger"])
    ledger["user_balance"] = hashes.go_decimal(Decimal(ledger["user_balance"]) - Decimal(amount))
    ledger["node_net_flow"] = hashes.go_decimal(Decimal(ledger["node_net_flow"]) - Decimal(amount))
    state["home_ledger"] = ledger
    state["transition"] = {
        "type": 30,
        "tx_id": hashes.transaction_id(receiver, state["id"]),
        "account_id": receiver,
        "amount": amount,
    }
    state["user_sig"] = sign_state(state, user)
    return state


def _ledger(ledger: dict[str, Any]) -> tuple[Any, ...]:
    return (
        int(ledger["blockchain_id"]),
        bytes.fromhex(ledger["token_address"][2:]),
        DECIMALS,
        wei(ledger["user_balance"]),
        wei(ledger["user_net_flow"]),
        wei(ledger["node_balance"]),
        wei(ledger["node_net_flow"]),
    )


def hub_state(state: dict[str, Any], node_sig: str) -> tuple[Any, ...]:
    """The contract's ``State`` for a wire state and the node's countersignature."""
    return (
        int(state["version"]),
        TRANSITION_INTENTS[state["transition"]["type"]],
        transition_hash(state["transition"]),
        _ledger(state["home_ledger"]),
        (0, b"\0" * 20, 0, 0, 0, 0, 0),
        bytes.fromhex(state["user_sig"][2:]),
        bytes.fromhex(node_sig[2:]),
    )


def _selector(signature: str) -> bytes:
    return keccak256(signature.encode())[:4]


def create_channel_call(user: str, node: str, state: dict[str, Any], node_sig: str, nonce: int = 1) -> str:
    definition = (
        CHALLENGE,
        bytes.fromhex(user[2:]),
        bytes.fromhex(node[2:]),
        nonce,
        1,  # approved validators 0x01: the default signer
        channel_metadata(ETH),
    )
    body = abi.encode([_DEFINITION, _STATE], [definition, hub_state(state, node_sig)])
    return "0x" + (_selector(f"createChannel({_DEFINITION_SIG},{_STATE_SIG})") + body).hex()


def channel_call(function: str, state: dict[str, Any], node_sig: str) -> str:
    """``depositToChannel`` / ``withdrawFromChannel`` / ``closeChannel`` (channelId, candidate)."""
    channel = bytes.fromhex(state["home_channel_id"][2:])
    body = abi.encode([abi.BYTES32, _STATE], [channel, hub_state(state, node_sig)])
    return "0x" + (_selector(f"{function}(bytes32,{_STATE_SIG})") + body).hex()


def send(chain: AnvilHub, sender: str, data: str, value: int = 0) -> dict[str, Any]:
    """A mined transaction's receipt (anvil automines); raises with the receipt when it reverted."""
    tx = {"from": sender, "to": chain.hub, "data": data, "value": hex(value), "gas": hex(3_000_000)}
    tx_hash = chain.rpc("eth_sendTransaction", tx)
    receipt: dict[str, Any] | None = None
    for _ in range(1000):  # automine lands the block a moment after the send
        receipt = chain.rpc("eth_getTransactionReceipt", tx_hash)
        if receipt is not None:
            break
        time.sleep(0.01)
    if receipt is None or receipt.get("status") != "0x1":
        raise AssertionError(f"transaction reverted: {receipt}")
    return receipt

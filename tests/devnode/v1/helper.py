"""A tiny v1 client for tests: raw ``[type, id, method, payload, ts]`` frames over a real socket.

Signatures come from the project's codec (``nitro_desktop.protocol.v1``), so every test
also checks that the node agrees with it; transaction ids and EIP-191 over a whole packed
state (which protocol.v1 does not offer) come from the node's ``hashes``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from decimal import Decimal
from typing import Any

from websockets.asyncio.client import ClientConnection

from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.protocol import RawKeySigner, v1
from nitro_desktop.protocol.crypto import sign_digest
from nitro_desktop.protocol.errors import ProtocolError

KEY_A = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
KEY_B = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
KEY_C = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"
_ids = itertools.count(1)


def frame(method: str, payload: Any, request_id: int | None = None) -> tuple[int, str]:
    rid = next(_ids) if request_id is None else request_id
    return rid, json.dumps([1, rid, method, payload, int(time.time() * 1000)])


def definition(
    signers: list[RawKeySigner], weights: list[int], quorum: int, nonce: str = "1"
) -> dict[str, Any]:
    return {
        "application_id": "test-app",
        "participants": [
            {"wallet_address": s.address.lower(), "signature_weight": w}
            for s, w in zip(signers, weights, strict=True)
        ],
        "quorum": quorum,
        "nonce": nonce,
    }


def create_sig(defn: dict[str, Any], signer: RawKeySigner, session_data: str = "") -> str:
    return v1.quorum_signature(v1.create_session_hash(defn, session_data), signer)


def update(
    session_id: str, intent: int, version: int, allocations: list[tuple[str, str, str]]
) -> dict[str, Any]:
    return {
        "app_session_id": session_id,
        "intent": intent,
        "version": str(version),
        "allocations": [{"participant": p, "asset": a, "amount": x} for p, a, x in allocations],
        "session_data": "",
    }


def update_sig(upd: dict[str, Any], signer: RawKeySigner) -> str:
    return v1.quorum_signature(v1.app_state_update_hash(upd), signer)


def commit_state(
    latest: dict[str, Any], session_id: str, amount: str, signer: RawKeySigner, decimals: int
) -> dict[str, Any]:
    """The user's next home channel state committing ``amount`` to the session, signed (type 0x00)."""
    version = int(latest["version"]) + 1
    state_id = v1.state_id(latest["user_wallet"], latest["asset"], latest["epoch"], version)
    ledger = dict(latest["home_ledger"])
    ledger["user_balance"] = hashes.go_decimal(Decimal(ledger["user_balance"]) - Decimal(amount))
    ledger["node_net_flow"] = hashes.go_decimal(Decimal(ledger["node_net_flow"]) - Decimal(amount))
    state = {
        "id": state_id,
        "transition": {
            "type": 40,
            "tx_id": hashes.transaction_id(session_id, state_id),
            "account_id": session_id,
            "amount": amount,
        },
        "asset": latest["asset"],
        "user_wallet": latest["user_wallet"],
        "epoch": latest["epoch"],
        "version": str(version),
        "home_channel_id": latest["home_channel_id"],
        "home_ledger": ledger,
    }
    try:
        packed = v1.pack_state(state, decimals)
    except ProtocolError:  # not packable (negative, too precise): the node refuses it before the signature
        state["user_sig"] = "0x00" + "11" * 65
        return state
    state["user_sig"] = "0x00" + sign_digest(signer, hashes.eip191_digest(packed))[2:]
    return state


class V1Client:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send_text(self, text: str) -> list[Any]:
        await self.ws.send(text)
        return json.loads(await asyncio.wait_for(self.ws.recv(), 5))  # type: ignore[no-any-return]

    async def call(self, method: str, payload: Any) -> list[Any]:
        rid, text = frame(method, payload)
        reply = await self.send_text(text)
        assert reply[1] == rid, reply
        return reply

    async def ok(self, method: str, payload: Any) -> dict[str, Any]:
        reply = await self.call(method, payload)
        assert reply[0] == 2, reply
        return reply[3]  # type: ignore[no-any-return]

    async def error(self, method: str, payload: Any) -> str:
        reply = await self.call(method, payload)
        assert reply[0] == 4 and reply[2] == method, reply
        return reply[3]["error"]  # type: ignore[no-any-return]

"""A tiny v1 client for tests: raw ``[type, id, method, payload, ts]`` frames over a real socket.

No v1 client exists yet; the signatures are made here from the node's own packings
(``devnode.v1.hashes``) until ``nitro_desktop.protocol.v1`` is merged.
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
from nitro_desktop.protocol import RawKeySigner
from nitro_desktop.protocol.crypto import sign_digest

KEY_A = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
KEY_B = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
KEY_C = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"
_ids = itertools.count(1)


def frame(method: str, payload: Any, request_id: int | None = None) -> tuple[int, str]:
    rid = next(_ids) if request_id is None else request_id
    return rid, json.dumps([1, rid, method, payload, int(time.time() * 1000)])


def quorum_sig(digest: bytes, signer: RawKeySigner, kind: int = 0xA1) -> str:
    return "0x" + bytes([kind]).hex() + sign_digest(signer, hashes.eip191_digest(digest))[2:]


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


def internal(defn: dict[str, Any]) -> dict[str, Any]:
    return {
        **defn,
        "participants": [(p["wallet_address"], p["signature_weight"]) for p in defn["participants"]],
        "nonce": int(defn["nonce"]),
    }


def create_sig(defn: dict[str, Any], signer: RawKeySigner, session_data: str = "") -> str:
    return quorum_sig(hashes.create_session_hash(internal(defn), session_data), signer)


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
    allocations = [(a["participant"].lower(), a["asset"], Decimal(a["amount"])) for a in upd["allocations"]]
    digest = hashes.app_state_update_hash(
        upd["app_session_id"], upd["intent"], int(upd["version"]), allocations, upd["session_data"]
    )
    return quorum_sig(digest, signer)


def commit_state(
    latest: dict[str, Any], session_id: str, amount: str, signer: RawKeySigner, decimals: int
) -> dict[str, Any]:
    """The user's next home channel state committing ``amount`` to the session, signed (type 0x00)."""
    version = int(latest["version"]) + 1
    state_id = hashes.state_id(latest["user_wallet"], latest["asset"], int(latest["epoch"]), version)
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
    inner = {
        **state,
        "version": version,
        "transition": {**state["transition"], "amount": Decimal(amount)},
        "home_ledger": {
            **{k: Decimal(v) for k, v in ledger.items() if k not in ("token_address", "blockchain_id")},
            "token_address": ledger["token_address"],
            "blockchain_id": int(ledger["blockchain_id"]),
        },
    }
    if Decimal(ledger["user_balance"]) < 0:  # not packable: the node refuses it before the signature
        state["user_sig"] = "0x00" + "11" * 65
        return state
    packed = hashes.pack_state(inner, decimals)
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

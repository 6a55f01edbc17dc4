"""Home-channel states as the node and the wallet exchange them, signed by local test keys."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from nitro_desktop.chain import Chain, ChainClient, SentTx, TxStatus
from nitro_desktop.chain.hub import HubCall
from nitro_desktop.keys.signer import UnlockedSigner
from nitro_desktop.protocol.crypto import address_of_key
from nitro_desktop.protocol.v1 import home_channel_id
from nitro_desktop.protocol.v1.deposit import go_decimal, sign_channel_state
from tests.chainkit import CHAIN_ID, AnvilHub

HOME_DEPOSIT, HOME_WITHDRAWAL, TRANSFER_SEND, FINALIZE = 10, 11, 30, 200
NATIVE = "0x" + "00" * 20
ETH = 10**18
DAY = 86400


def signer(key: str) -> UnlockedSigner:
    raw = bytes.fromhex(key[2:])
    return UnlockedSigner(address_of_key(raw), raw)


def client(chain: AnvilHub, **kwargs: Any) -> ChainClient:
    kwargs.setdefault("poll_interval", 0.05)
    record = Chain(name="anvil", chain_id=CHAIN_ID, rpc_url=chain.url, channel_hub=chain.hub)
    return ChainClient(record, **kwargs)


class HomeChannel:
    """The user's home channel in ETH: each step is the next state, signed by user and node."""

    def __init__(self, chain: AnvilHub, *, user_key: str | None = None, nonce: int = 1) -> None:
        self.chain = chain
        self.user = signer(user_key or chain.user_key)
        self.node = signer(chain.node_key)
        self.definition = {"nonce": nonce, "challenge": DAY, "approved_sig_validators": "0x00"}
        self.channel_id = home_channel_id(
            self.definition, "eth", node=self.node.address, user=self.user.address
        )
        self.version = 0
        self.balance = Decimal(0)
        self.net_flow = Decimal(0)
        self.node_net_flow = Decimal(0)

    def next_state(
        self, kind: int, amount: Decimal, *, user_signer: UnlockedSigner | None = None
    ) -> dict[str, Any]:
        self.version += 1
        if kind == HOME_DEPOSIT:
            self.balance += amount
            self.net_flow += amount
        elif kind == HOME_WITHDRAWAL:
            self.balance -= amount
            self.net_flow -= amount
        elif kind == TRANSFER_SEND:  # off-chain payment out: the node releases it from the channel
            self.balance -= amount
            self.node_net_flow -= amount
        else:  # finalize: everything the user holds goes out
            amount = self.balance
            self.net_flow -= self.balance
            self.balance = Decimal(0)
        state: dict[str, Any] = {
            "id": "0x" + secrets.token_hex(32),
            "transition": {
                "type": kind,
                "tx_id": "0x" + secrets.token_hex(32),
                "account_id": self.user.address,
                "amount": go_decimal(amount),
            },
            "asset": "eth",
            "user_wallet": self.user.address,
            "epoch": "0",
            "version": str(self.version),
            "home_channel_id": self.channel_id,
            "home_ledger": {
                "token_address": NATIVE,
                "blockchain_id": str(CHAIN_ID),
                "user_balance": go_decimal(self.balance),
                "user_net_flow": go_decimal(self.net_flow),
                "node_balance": "0",
                "node_net_flow": go_decimal(self.node_net_flow),
            },
        }
        state["user_sig"] = sign_channel_state(state, user_signer or self.user, 18)
        state["node_sig"] = sign_channel_state(state, self.node, 18)
        return state


async def send_and_wait(
    client: ChainClient, call: HubCall, sender: UnlockedSigner
) -> tuple[SentTx, TxStatus]:
    plan = await client.plan(call, sender.address)
    sent = await client.send(plan, sender)
    return sent, await client.wait(sent)

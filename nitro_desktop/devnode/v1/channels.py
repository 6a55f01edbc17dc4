"""Simulated home channels: a faucet instead of a chain, states signed by the node.

nitronode learns of a home deposit from the chain (ChannelHub events) and then holds
the user's channel state. The sandbox has no chain: the loopback-only faucet opens
the user's home channel for the asset on first use (nonce 1, challenge 86400 s, only
the default signer approved) and applies a ``home_deposit`` transition, node-signed,
exactly as the state advancer would. App-session deposits spend from the newest
state (``commit``); withdraw and close pay back into it (``release``).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.config import AssetConfig
from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.devnode.v1.store import Store
from nitro_desktop.protocol import RawKeySigner
from nitro_desktop.protocol.crypto import sign_digest

ACKNOWLEDGEMENT, HOME_DEPOSIT, HOME_WITHDRAWAL, TRANSFER_SEND, TRANSFER_RECEIVE = 1, 10, 11, 30, 31
COMMIT, RELEASE, FINALIZE = 40, 41, 200
ZERO_HASH = "0x" + "00" * 32  # common.Hash{}.Hex(): an acknowledgement's tx and account ids
CHANNEL_NONCE = 1
CHANNEL_CHALLENGE = 86400
DEFAULT_SIGNER_ONLY = "0x01"  # BuildSigValidatorsBitmap([default])
VOID, OPEN, CHALLENGED, CLOSING, CLOSED = 0, 1, 2, 3, 4
STATUS_NAMES = {VOID: "void", OPEN: "open", CHALLENGED: "challenged", CLOSING: "closing", CLOSED: "closed"}
TX_TYPE_OF = {
    HOME_DEPOSIT: 10,
    HOME_WITHDRAWAL: 11,
    TRANSFER_SEND: 30,
    COMMIT: 40,
    RELEASE: 41,
    FINALIZE: 200,
}


def void_state(wallet: str, asset: str) -> dict[str, Any]:
    return {
        "id": "",
        "transition": {"type": 0, "tx_id": "", "account_id": "", "amount": Decimal(0)},
        "asset": asset,
        "user_wallet": wallet,
        "epoch": 0,
        "version": 0,
        "home_channel_id": None,
        "home_ledger": {
            "token_address": "",
            "blockchain_id": 0,
            "user_balance": Decimal(0),
            "user_net_flow": Decimal(0),
            "node_balance": Decimal(0),
            "node_net_flow": Decimal(0),
        },
        "user_sig": None,
        "node_sig": None,
    }


def next_state(state: dict[str, Any]) -> dict[str, Any]:
    """``State.NextState`` for home-only states; after a finalize, a fresh epoch at version 1."""
    new = copy.deepcopy(state)
    if state["transition"]["type"] == FINALIZE:
        fresh = void_state(state["user_wallet"], state["asset"])
        fresh["epoch"] = state["epoch"] + 1
        new = fresh
    new["version"] = 1 if state["transition"]["type"] == FINALIZE else state["version"] + 1
    new["transition"] = {"type": 0, "tx_id": "", "account_id": "", "amount": Decimal(0)}
    new["user_sig"] = new["node_sig"] = None
    new.pop("escrow_channel_id", None)
    new.pop("escrow_ledger", None)
    new["id"] = hashes.state_id(new["user_wallet"], new["asset"], new["epoch"], new["version"])
    return new


def apply_transition(state: dict[str, Any], kind: int, account: str, amount: Decimal) -> None:
    """``Apply*Transition`` on a fresh next state; home transitions name the home channel themselves."""
    ledger = state["home_ledger"]
    if kind in (HOME_DEPOSIT, HOME_WITHDRAWAL, FINALIZE):
        account = state["home_channel_id"]
    if kind == FINALIZE:
        amount = ledger["user_balance"]
    tx_id = hashes.transaction_id(account, state["id"])
    if kind == ACKNOWLEDGEMENT:
        account, tx_id, amount = ZERO_HASH, ZERO_HASH, Decimal(0)
    state["transition"] = {"type": kind, "tx_id": tx_id, "account_id": account, "amount": amount}
    if kind == HOME_DEPOSIT:
        ledger["user_net_flow"] += amount
        ledger["user_balance"] += amount
    elif kind == HOME_WITHDRAWAL:
        ledger["user_net_flow"] -= amount
        ledger["user_balance"] -= amount
    elif kind in (COMMIT, TRANSFER_SEND):
        ledger["user_balance"] -= amount
        ledger["node_net_flow"] -= amount
    elif kind == RELEASE:
        ledger["user_balance"] += amount
        ledger["node_net_flow"] += amount
    elif kind == FINALIZE:
        ledger["user_net_flow"] -= ledger["user_balance"]
        ledger["user_balance"] = Decimal(0)


def state_to_wire(state: dict[str, Any]) -> dict[str, Any]:
    """``coreStateToRPC``: decimal strings, decimal-string epoch and version."""
    ledger = state["home_ledger"]
    wire: dict[str, Any] = {
        "id": state["id"],
        "transition": {
            "type": state["transition"]["type"],
            "tx_id": state["transition"]["tx_id"],
            "account_id": state["transition"]["account_id"],
            "amount": hashes.go_decimal(state["transition"]["amount"]),
        },
        "asset": state["asset"],
        "user_wallet": state["user_wallet"],
        "epoch": str(state["epoch"]),
        "version": str(state["version"]),
    }
    if state["home_channel_id"] is not None:
        wire["home_channel_id"] = state["home_channel_id"]
    wire["home_ledger"] = {
        "token_address": ledger["token_address"],
        "blockchain_id": str(ledger["blockchain_id"]),
        "user_balance": hashes.go_decimal(ledger["user_balance"]),
        "user_net_flow": hashes.go_decimal(ledger["user_net_flow"]),
        "node_balance": hashes.go_decimal(ledger["node_balance"]),
        "node_net_flow": hashes.go_decimal(ledger["node_net_flow"]),
    }
    for key in ("user_sig", "node_sig"):
        if state[key] is not None:
            wire[key] = state[key]
    return wire


def channel_to_wire(row: Any) -> dict[str, Any]:
    return {
        "channel_id": row["channel_id"],
        "user_wallet": row["user_wallet"],
        "asset": row["asset"],
        "type": "home",
        "blockchain_id": str(row["blockchain_id"]),
        "token_address": row["token"],
        "challenge_duration": row["challenge"],
        "challenge_expires_at": None,
        "nonce": str(row["nonce"]),
        "approved_sig_validators": row["validators"],
        "status": STATUS_NAMES.get(row["status"], "unknown"),
        "state_version": str(row["state_version"]),
    }


class HomeChannels:
    def __init__(self, store: Store, assets: tuple[AssetConfig, ...], node: RawKeySigner) -> None:
        self.store = store
        self.assets = {a.symbol: a for a in assets}
        self.node = node

    def decimals(self, asset: str) -> int | None:
        config = self.assets.get(asset)  # exact, as nitronode's asset map
        return None if config is None else config.decimals

    def supported(self, asset: str, token: str, chain: int) -> bool:
        """``IsAssetSupported``: the asset by its exact symbol, its token in any letter case."""
        config = self.assets.get(asset)
        return config is not None and config.chain_id == chain and config.token.lower() == token.lower()

    def token_decimals(self, chain: int, token: str) -> int:
        """``GetTokenDecimals``; ``ValueError`` with its text."""
        token = token.lower()
        on_chain = [a for a in self.assets.values() if a.chain_id == chain]
        if not on_chain:
            raise ValueError(f"blockchain with ID '{chain}' has no configured tokens: token not supported")
        for config in on_chain:
            if config.token.lower() == token:
                return config.decimals
        raise ValueError(
            f"token {token} is not supported on blockchain with ID '{chain}': token not supported"
        )

    def sign(self, state: dict[str, Any]) -> str:
        """``ChannelDefaultSigner``: type byte 0x00, then an EIP-191 signature of the packed state."""
        decimals = self.decimals(state["asset"]) or 0
        digest = hashes.eip191_digest(hashes.pack_state(state, decimals))
        return "0x00" + sign_digest(self.node, digest)[2:]

    def faucet(self, wallet: str, asset: str, amount: Decimal, now: float) -> dict[str, Any]:
        """Open the home channel if needed and deposit ``amount`` into it (call inside a transaction)."""
        config = self.assets[asset]
        wallet = wallet.lower()
        channel = self.store.home_channel(wallet, config.symbol)
        current = self.store.last_state(wallet, config.symbol) or void_state(wallet, config.symbol)
        state = next_state(current)
        if channel is None:
            channel_id = hashes.home_channel_id(
                self.node.address,
                wallet,
                config.symbol,
                CHANNEL_NONCE,
                CHANNEL_CHALLENGE,
                DEFAULT_SIGNER_ONLY,
            )
            self.store.add_channel(
                {
                    "channel_id": channel_id,
                    "user_wallet": wallet,
                    "asset": config.symbol,
                    "blockchain_id": config.chain_id,
                    "token": config.token.lower(),
                    "nonce": CHANNEL_NONCE,
                    "challenge": CHANNEL_CHALLENGE,
                    "validators": DEFAULT_SIGNER_ONLY,
                }
            )
            state["home_channel_id"] = channel_id
            state["home_ledger"]["token_address"] = config.token.lower()
            state["home_ledger"]["blockchain_id"] = config.chain_id
        apply_transition(state, HOME_DEPOSIT, state["home_channel_id"], amount)
        state["node_sig"] = self.sign(state)
        self.store.store_state(state)
        self.store.mint(config.symbol, amount)
        self.record(state, now)
        return state

    def release(self, wallet: str, asset: str, session_id: str, amount: Decimal, now: float) -> None:
        """``issueReleaseReceiverState``: funds leaving an app session land in the home channel."""
        current = self.store.last_state(wallet, asset) or void_state(wallet, asset)
        state = next_state(current)
        apply_transition(state, RELEASE, session_id, amount)
        channel = self.store.active_channel(wallet, asset)
        # Signed only on an Open channel, as upstream: a Void one is not on-chain yet.
        if state["home_channel_id"] is not None and channel is not None and channel["status"] == OPEN:
            state["node_sig"] = self.sign(state)
        self.store.store_state(state)
        self.record(state, now)

    def record(self, state: dict[str, Any], now: float, receiver: str | None = None) -> None:
        """``NewTransactionFromTransition`` for the transitions the sandbox makes or accepts
        (``receiver``: the receiver's new state id of a transfer)."""
        t = state["transition"]
        kind, wallet, channel = t["type"], state["user_wallet"], state["home_channel_id"]
        sender: str | None = state["id"]
        if kind == RELEASE:  # (nil, receiver state): from the session to the wallet
            source, target, sender, receiver = t["account_id"], wallet, None, state["id"]
        elif kind == HOME_DEPOSIT:  # from the home channel to the wallet
            source, target = channel, wallet
        elif kind in (HOME_WITHDRAWAL, FINALIZE):  # from the wallet to the home channel
            source, target = wallet, channel
        else:  # commit, transfer: from the wallet to the session or the receiver (as the sender named it)
            source, target = wallet, t["account_id"]
        self.store.record_transaction(
            {
                "id": t["tx_id"],
                "asset": state["asset"],
                "tx_type": TX_TYPE_OF[kind],
                "from_account": source,
                "to_account": target,
                "sender_state_id": sender,
                "receiver_state_id": receiver,
                "amount": t["amount"],
            },
            now,
        )

"""``channels.v1.request_creation`` and ``channels.v1.submit_state``: home channels on a real chain.

nitronode's ``request_creation.go`` and ``submit_state.go``: the same checks in the same order
with the same texts. The node countersigns (type byte 0x00 + EIP-191 of the packed state) and
stores the state at once, as upstream; the chain then decides: a channel stays Void until the
watcher sees it on-chain, and the next state waits until the chain holds the last home deposit
or withdrawal (``EnsureNoOngoingStateTransitions``). Served only when the sandbox watches a chain.
"""

from __future__ import annotations

from typing import Any

from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.devnode.v1.advance import read_state, transition_name, unmap_state, validate_advancement
from nitro_desktop.devnode.v1.channels import (
    ACKNOWLEDGEMENT,
    CLOSING,
    FINALIZE,
    HOME_DEPOSIT,
    HOME_WITHDRAWAL,
    OPEN,
    TRANSFER_RECEIVE,
    TRANSFER_SEND,
    VOID,
    next_state,
    void_state,
)
from nitro_desktop.devnode.v1.quorum import Fail, hexutil_decode, recover_eth_msg
from nitro_desktop.devnode.v1.sessions import normalize_address
from nitro_desktop.devnode.v1.wire import PayloadError, Struct, parse_go_uint
from nitro_desktop.protocol.errors import ProtocolError

DEFAULT_SIGNER, SESSION_KEY_SIGNER = 0, 1
NODE_SIGNER_TYPES = (DEFAULT_SIGNER, SESSION_KEY_SIGNER)  # core.ChannelSignerTypes
MUTUAL_LOCK, ESCROW_LOCK = 120, 110
ESCROW_DEPOSIT, ESCROW_WITHDRAW, MIGRATE = 20, 21, 100
NOT_CLOSED = "existing channel is not yet closed on-chain; wait for settlement before opening a new channel"
MIN_CHALLENGE, MAX_CHALLENGE = 86400, 604800  # nitronode's defaults (24 hours, 7 days)


def _bitmask(text: str) -> int | None:
    """``hexToBitmask``: 1 to 32 bytes of strict 0x hex, else None."""
    try:
        raw = hexutil_decode(text)
    except ValueError:
        return None
    return int.from_bytes(raw, "big") if 0 < len(raw) <= 32 else None


def signer_supported(validators: str, kind: int) -> bool:
    """``IsChannelSignerSupported``: the default signer always; others by their bit."""
    if kind == DEFAULT_SIGNER:
        return True
    mask = _bitmask(validators)
    return mask is not None and (mask >> kind) & 1 == 1


def validators_supported(validators: str) -> bool:
    """``SignerValidatorsSupported``: every bit asked for is a signer type the node knows."""
    mask = _bitmask(validators)
    known = sum(1 << kind for kind in NODE_SIGNER_TYPES)
    return mask is not None and mask & ~known == 0


def verify_user_signature(
    node: Any, packed: bytes, state: dict[str, Any], validators: str, *, decode: str, invalid: str
) -> None:
    """Decode, signer type, approval, then ``ChannelSigValidator.Verify`` (prefixes are the caller's)."""
    try:
        raw = hexutil_decode(state["user_sig"])
    except ValueError as exc:
        raise Fail(f"{decode}{exc}") from None
    if not raw:
        raise Fail("failed to get user signature type: invalid signature: too short")
    kind = raw[0]
    if not signer_supported(validators, kind):
        raise Fail(f"user signature type '{kind}' is not supported by channel")
    if kind == SESSION_KEY_SIGNER:
        # The sandbox registers no channel session keys, so none has the permission.
        raise Fail(f"{invalid}session key does not have permission to sign for this data")
    if kind != DEFAULT_SIGNER:
        raise Fail(f"{invalid}invalid signature: unknown signer type {kind}")
    try:
        signer = recover_eth_msg(packed, raw[1:])
    except ValueError as exc:
        raise Fail(f"{invalid}failed to recover wallet address: {exc}") from None
    if signer.lower() != state["user_wallet"].lower():
        raise Fail(f"{invalid}invalid signature")


def ensure_no_ongoing_transitions(node: Any, wallet: str, asset: str) -> None:
    """``EnsureNoOngoingStateTransitions``: the chain must hold the last signed deposit or withdrawal."""
    last = node.store.last_signed_state(wallet, asset)
    if last is None or last["transition"]["type"] not in (HOME_DEPOSIT, HOME_WITHDRAWAL):
        return
    channel = None if last["home_channel_id"] is None else node.store.channel_by_id(last["home_channel_id"])
    if channel is None or channel["state_version"] != last["version"] or channel["status"] != OPEN:
        word = "deposit" if last["transition"]["type"] == HOME_DEPOSIT else "withdrawal"
        raise ValueError(f"home {word} is still ongoing")


def _read(payload: Struct) -> dict[str, Any]:
    state = read_state(payload.struct("state"))
    try:
        state["user_wallet"] = normalize_address(state["user_wallet"])
    except ValueError as exc:
        raise Fail(f"invalid user_wallet: {exc}") from None
    return state


def _unmap(state: dict[str, Any]) -> None:
    try:
        unmap_state(state)
    except ValueError:
        raise Fail("failed to parse state") from None


def _check_transfer(state: dict[str, Any]) -> None:
    """``lockTransferBalances``' checks on the receiver."""
    if state["transition"]["type"] != TRANSFER_SEND:
        return
    try:
        receiver = normalize_address(state["transition"]["account_id"])
    except ValueError as exc:
        raise Fail(f"invalid receiver wallet address: {exc}") from None
    if receiver == state["user_wallet"]:
        raise Fail("sender and receiver wallets are the same")


def _pack(node: Any, state: dict[str, Any]) -> bytes:
    try:
        return hashes.pack_state(state, node.channels.decimals(state["asset"]) or 0)
    except ProtocolError as exc:
        raise Fail(f"failed to pack state: {exc}") from None


def _countersign_and_store(node: Any, state: dict[str, Any]) -> str:
    signature: str = node.channels.sign(state)
    state["node_sig"] = signature
    node.store.store_state(state)
    return signature


def _issue_transfer_receiver_state(node: Any, sender: dict[str, Any]) -> dict[str, Any]:
    """``issueTransferReceiverState``: the receiver's next state, node-signed only on an Open channel."""
    t = sender["transition"]
    receiver, asset = normalize_address(t["account_id"]), sender["asset"]
    state = next_state(node.store.last_state(receiver, asset) or void_state(receiver, asset))
    state["transition"] = {
        "type": TRANSFER_RECEIVE,
        "tx_id": t["tx_id"],
        "account_id": sender["user_wallet"],
        "amount": t["amount"],
    }
    state["home_ledger"]["user_balance"] += t["amount"]
    state["home_ledger"]["node_net_flow"] += t["amount"]
    if state["home_channel_id"] is not None:
        channel = node.store.active_channel(receiver, asset)
        if channel is not None and channel["status"] == OPEN:
            state["node_sig"] = node.channels.sign(state)
    node.store.store_state(state)
    return state


def _record(node: Any, state: dict[str, Any]) -> None:
    kind = state["transition"]["type"]
    if kind == ACKNOWLEDGEMENT:
        return
    if kind in (HOME_DEPOSIT, HOME_WITHDRAWAL, FINALIZE):
        node.channels.record(state, node.clock())
        return
    if kind == TRANSFER_SEND:
        receiver = _issue_transfer_receiver_state(node, state)
        node.channels.record(state, node.clock(), receiver["id"])
        return
    if kind == 0:
        raise Fail("incoming state has no transitions")
    raise Fail(f"transition '{transition_name(kind)}' is not supported by this endpoint")


def request_creation(node: Any, payload: Struct) -> dict[str, Any]:
    try:
        state = _read(payload)
        definition = payload.struct("channel_definition")
        nonce_text = definition.string("nonce")
        challenge = definition.uint("challenge", 32)
        validators = definition.string("approved_sig_validators")
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    _unmap(state)
    try:
        nonce = parse_go_uint(nonce_text)
    except ValueError:
        raise Fail("failed to parse channel definition") from None
    if nonce == 0:
        raise Fail("nonce must be non-zero")
    if challenge < node.min_challenge:
        raise Fail(f"challenge period must be at least {node.min_challenge} seconds, but got {challenge}")
    if challenge > node.max_challenge:
        raise Fail(f"challenge period must be at most {node.max_challenge} seconds, but got {challenge}")
    wallet, asset, ledger = state["user_wallet"], state["asset"], state["home_ledger"]
    if not node.channels.supported(asset, ledger["token_address"], ledger["blockchain_id"]):
        raise Fail(
            f"asset {asset} is not supported on blockchain {ledger['blockchain_id']}"
            f" with token address {ledger['token_address']}"
        )
    if not validators_supported(validators):
        raise Fail("one or more of the provided approved signature validators are not supported")
    with node.db.transaction():
        _check_transfer(state)
        if any(r["status"] != 4 and r["asset"] == asset.lower() for r in node.store.channels(wallet)):
            raise Fail(NOT_CLOSED)
        current = node.store.last_state(wallet, asset) or void_state(wallet, asset)
        channel_id = hashes.home_channel_id(node.broker_address, wallet, asset, nonce, challenge, validators)
        if state["home_channel_id"] is None or state["home_channel_id"].lower() != channel_id.lower():
            raise Fail("incoming state home_channel_id is invalid")
        if node.store.channel_by_id(channel_id) is not None:
            raise Fail("cannot use same home channel id")
        if current["home_channel_id"] is not None and current["transition"]["type"] != FINALIZE:
            raise Fail("channel is already initialized")
        try:
            validate_advancement(node, current, state)
        except ValueError as exc:
            raise Fail(f"invalid state: {exc}") from None
        packed = _pack(node, state)
        if state["user_sig"] is None:
            raise Fail("missing user signature")
        verify_user_signature(
            node,
            packed,
            state,
            validators,
            decode="failed to decode user signature: ",
            invalid="invalid incoming state user signature: ",
        )
        node.store.add_channel(
            {
                "channel_id": channel_id,
                "user_wallet": wallet,
                "asset": asset,
                "blockchain_id": ledger["blockchain_id"],
                "token": ledger["token_address"],
                "nonce": nonce,
                "challenge": challenge,
                "validators": validators,
                "status": VOID,
            }
        )
        signature = _countersign_and_store(node, state)
        _record(node, state)
    return {"signature": signature}


def submit_state(node: Any, payload: Struct) -> dict[str, Any]:
    try:
        state = _read(payload)
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    _unmap(state)
    wallet, asset, kind = state["user_wallet"], state["asset"], state["transition"]["type"]
    with node.db.transaction():
        _check_transfer(state)
        channel = node.store.active_channel(wallet, asset)
        if channel is None:
            raise Fail("user has no active channel")
        current = node.store.last_state(wallet, asset)
        if kind in (MUTUAL_LOCK, ESCROW_LOCK):
            if channel["status"] != OPEN:
                raise Fail("home channel is not materialized onchain")
            raise Fail("transition is not supported yet")
        if kind in (ESCROW_DEPOSIT, ESCROW_WITHDRAW, MIGRATE):
            raise Fail("transition is not supported yet")
        if current is None:
            raise Fail("active channel has no stored state")
        try:
            ensure_no_ongoing_transitions(node, current["user_wallet"], current["asset"])
        except ValueError as exc:
            raise Fail(f"ongoing state transitions check failed: {exc}") from None
        try:
            validate_advancement(node, current, state)
        except ValueError as exc:
            raise Fail(f"invalid state transition: {exc}") from None
        packed = _pack(node, state)
        if state["user_sig"] is None:
            raise Fail("missing incoming state user signature")
        verify_user_signature(
            node,
            packed,
            state,
            channel["validators"],
            decode="failed to decode incoming state user signature: ",
            invalid="invalid incoming state user signature: ",
        )
        signature = _countersign_and_store(node, state)
        if kind == FINALIZE:
            if channel["status"] != OPEN:
                raise Fail("home channel is not materialized onchain")
            # Closing until the chain says Closed: no further state is accepted on this channel.
            node.store.update_channel(channel["channel_id"], CLOSING, channel["state_version"])
        _record(node, state)
    return {"signature": signature}

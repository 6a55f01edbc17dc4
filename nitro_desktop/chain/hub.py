"""ChannelHub calls built from our v1 structures, its views and its events, as typed Python.

A ``HubCall`` is the calldata, the ETH value and a sentence of what the call does; the
``ChainClient`` turns it into a ``TxPlan``. States are converted by
``protocol.v1.contract_state`` (the same fields ``pack_state`` signs), so what we send is what
the signatures cover. Native ETH deposits carry the transition's amount as ``msg.value``, as
upstream's Go client does (``BlockchainClient.Create`` / ``Checkpoint``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError

from nitro_desktop.chain import hub_abi
from nitro_desktop.chain.errors import ChainError, RpcBadAnswer
from nitro_desktop.protocol.crypto import lenient_checksum
from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.v1 import contract_definition, contract_state
from nitro_desktop.protocol.v1.channel import Decimals
from nitro_desktop.protocol.v1.decimals import parse_decimal, to_uint256

NATIVE_TOKEN = "0x" + "00" * 20
#: The contract's ``StateIntent`` values we send.
INTENT_OPERATE, INTENT_CLOSE, INTENT_DEPOSIT, INTENT_WITHDRAW = 0, 1, 2, 3
MAX_EVENT_LOGS = 64
MAX_EVENT_DATA = 64 * 1024


@dataclass(frozen=True)
class HubCall:
    """One call to the hub: which function, its calldata, the wei it carries, and what it does."""

    function: str
    data: bytes
    value: int
    description: str


def _call(name: str, args: Sequence[Any]) -> bytes:
    return hub_abi.function_selector(name) + abi_encode(list(hub_abi.FUNCTIONS[name]), list(args))


def _contract_state(state: Mapping[str, Any], decimals: Decimals | None) -> tuple[Any, ...]:
    try:
        return contract_state(state, decimals)
    except ProtocolError as exc:
        raise ChainError(f"The channel state cannot be sent: {exc}") from None


def _amount_words(state: Mapping[str, Any]) -> str:
    transition = state.get("transition") or {}
    amount = transition.get("amount", "0") if isinstance(transition, Mapping) else "0"
    return f"{amount} {str(state.get('asset', ''))[:32]}".strip()


def _native_value(state: Mapping[str, Any], packed: tuple[Any, ...]) -> int:
    """The wei a deposit must carry: the transition's amount when the home token is native ETH."""
    version, intent, _meta, home, *_ = packed
    token, places = home[1], home[2]
    if intent != INTENT_DEPOSIT or token != bytes(20):
        return 0
    transition = state.get("transition") or {}
    try:
        return to_uint256(parse_decimal(transition.get("amount"), "amount"), places, "amount")
    except (ProtocolError, AttributeError):
        raise ChainError(f"The deposit amount of state {version} cannot be read.") from None


def channel_id_bytes(text: object) -> bytes:
    """A channel id (0x and 64 hex digits) as 32 bytes; ChainError otherwise."""
    body = str(text or "")[:130]
    body = body[2:] if body[:2] in ("0x", "0X") else body
    try:
        raw = bytes.fromhex(body)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ChainError("That is not a channel id: it must be 0x followed by 64 hex digits.")
    return raw


def _channel_id(state: Mapping[str, Any]) -> bytes:
    return channel_id_bytes(state.get("home_channel_id"))


def create_channel(
    channel_definition: Mapping[str, Any], state: Mapping[str, Any], *, node: str, decimals: Decimals | None
) -> HubCall:
    """``createChannel(def, initState)``; ``state`` is the first state, signed by user and node."""
    packed = _contract_state(state, decimals)
    try:
        definition = contract_definition(
            channel_definition, str(state.get("asset", "")), node=node, user=state.get("user_wallet")
        )
    except ProtocolError as exc:
        raise ChainError(f"The channel definition cannot be sent: {exc}") from None
    value = _native_value(state, packed)
    what = f"Open a home channel for {state.get('asset', '')}"
    if packed[1] == INTENT_DEPOSIT:
        what += f" and deposit {_amount_words(state)}"
    return HubCall("createChannel", _call("createChannel", [definition, packed]), value, what)


def deposit_to_channel(state: Mapping[str, Any], *, decimals: Decimals | None) -> HubCall:
    packed = _contract_state(state, decimals)
    value = _native_value(state, packed)
    data = _call("depositToChannel", [_channel_id(state), packed])
    return HubCall("depositToChannel", data, value, f"Deposit {_amount_words(state)} into your home channel")


def withdraw_from_channel(state: Mapping[str, Any], *, decimals: Decimals | None) -> HubCall:
    packed = _contract_state(state, decimals)
    data = _call("withdrawFromChannel", [_channel_id(state), packed])
    return HubCall("withdrawFromChannel", data, 0, f"Withdraw {_amount_words(state)} from your home channel")


def checkpoint_channel(state: Mapping[str, Any], *, decimals: Decimals | None) -> HubCall:
    packed = _contract_state(state, decimals)
    data = _call("checkpointChannel", [_channel_id(state), packed])
    return HubCall("checkpointChannel", data, 0, f"Record state {packed[0]} of your home channel on chain")


def challenge_channel(
    state: Mapping[str, Any], challenger_sig: bytes, *, challenger_is_node: bool, decimals: Decimals | None
) -> HubCall:
    """``challengeChannel``: start the challenge period with ``state`` (signed over its challenge packing)."""
    packed = _contract_state(state, decimals)
    args = [_channel_id(state), packed, bytes(challenger_sig), 1 if challenger_is_node else 0]
    words = (
        f"Challenge your home channel with state {packed[0]}: the channel freezes for its challenge period"
    )
    return HubCall("challengeChannel", _call("challengeChannel", args), 0, words)


def close_channel(state: Mapping[str, Any], *, decimals: Decimals | None) -> HubCall:
    packed = _contract_state(state, decimals)
    data = _call("closeChannel", [_channel_id(state), packed])
    return HubCall("closeChannel", data, 0, "Close your home channel and pay out its balances")


def view_call(name: str, *args: Any) -> bytes:
    """Calldata of a view (``getChannelData``, ``getOpenChannels``, ``getNodeBalance``, ``VERSION``…)."""
    return _call(name, list(args))


@dataclass(frozen=True)
class LedgerAmounts:
    chain_id: int
    token: str
    decimals: int
    user_allocation: int
    user_net_flow: int
    node_allocation: int
    node_net_flow: int


@dataclass(frozen=True)
class ChannelData:
    """``getChannelData``: status and the last state the hub accepted (amounts in base units)."""

    status: str
    user: str
    node: str
    version: int
    intent: int
    home: LedgerAmounts
    challenge_expiry: int
    locked_funds: int


def _ledger(raw: tuple[Any, ...]) -> LedgerAmounts:
    chain_id, token, places, user_alloc, user_flow, node_alloc, node_flow = raw
    return LedgerAmounts(
        chain_id, lenient_checksum(token), places, user_alloc, user_flow, node_alloc, node_flow
    )


def decode_channel_data(answer: bytes) -> ChannelData:
    try:
        status, definition, state, expiry, locked = hub_abi.decode_returns("getChannelData", answer)
    except (DecodingError, ValueError, OverflowError):
        raise RpcBadAnswer("The ChannelHub's answer about the channel could not be read.") from None
    names = hub_abi.CHANNEL_STATUS
    return ChannelData(
        status=names[status] if status < len(names) else f"unknown ({status})",
        user=lenient_checksum(definition[1]),
        node=lenient_checksum(definition[2]),
        version=state[0],
        intent=state[1],
        home=_ledger(state[3]),
        challenge_expiry=expiry,
        locked_funds=locked,
    )


@dataclass(frozen=True)
class HubEvent:
    name: str
    channel_id: str
    version: int


_TOPICS = {hub_abi.event_topic(name): name for name in hub_abi.EVENTS}


def hub_events(logs: Sequence[Mapping[str, Any]], hub: str) -> list[HubEvent]:
    """The channel events in a receipt's logs emitted by ``hub`` (others, and malformed ones, skipped)."""
    found: list[HubEvent] = []
    for log in list(logs)[:MAX_EVENT_LOGS]:
        topics = list(log.get("topics") or [])
        if str(log.get("address", "")).lower() != hub.lower() or len(topics) < 2:
            continue
        name = _TOPICS.get(bytes(topics[0]))
        data = bytes(log.get("data") or b"")
        if name is None or len(data) > MAX_EVENT_DATA:
            continue
        _indexed, types = hub_abi.EVENTS[name]
        try:
            decoded = hub_abi.decode_data(types, data)
        except (DecodingError, ValueError, OverflowError):
            continue
        state = decoded[-1] if name == "ChannelCreated" else decoded[0]
        found.append(HubEvent(name, "0x" + bytes(topics[1]).hex(), int(state[0])))
    return found

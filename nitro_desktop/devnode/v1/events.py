"""ChannelHub events, decoded from raw logs and applied as nitronode's event handlers do.

``decode_log`` reads the few fields the handlers need (channel id, the state's version and
user signature, the definition's node for ``ChannelCreated``) from the ABI words, with every
offset and length checked against the data it came with. ``apply_event`` is
``EventHandlerService`` for home channels (``nitronode/event_handlers/service.go``):
Created opens a Void channel; Deposited, Withdrawn and Checkpointed move the on-chain
version (and open a Void channel, clear a challenge); Challenged marks it; Closed closes it.
Every one refreshes the wallet's enforced balance and backfills the user's signature.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from nitro_desktop.devnode.v1.channels import CHALLENGED, CLOSED, CLOSING, OPEN, RELEASE, VOID
from nitro_desktop.protocol.crypto import keccak256

log = logging.getLogger(__name__)

_LEDGER = "(uint64,address,uint8,uint256,int256,uint256,int256)"
STATE = f"(uint64,uint8,bytes32,{_LEDGER},{_LEDGER},bytes,bytes)"
DEFINITION = "(uint32,address,address,uint64,uint256,bytes32)"
SIGNATURES = {
    "ChannelCreated": f"ChannelCreated(bytes32,address,{DEFINITION},{STATE})",
    "ChannelDeposited": f"ChannelDeposited(bytes32,{STATE})",
    "ChannelWithdrawn": f"ChannelWithdrawn(bytes32,{STATE})",
    "ChannelCheckpointed": f"ChannelCheckpointed(bytes32,{STATE})",
    "ChannelChallenged": f"ChannelChallenged(bytes32,{STATE},uint64)",
    "ChannelClosed": f"ChannelClosed(bytes32,{STATE})",
}
TOPICS = {"0x" + keccak256(sig.encode()).hex(): name for name, sig in SIGNATURES.items()}
WORD = 32
STATE_HEAD_WORDS = 3 + 7 + 7 + 2  # version, intent, metadata, two ledgers, two bytes offsets
DEFINITION_WORDS = 6
MAX_SIGNATURE_BYTES = 4096  # a session-key signature carries its authorization; far below this


class EventError(ValueError):
    """A log that does not decode as the ChannelHub event its topic names."""


@dataclass(frozen=True, slots=True)
class ChannelEvent:
    name: str
    channel_id: str
    version: int
    user_sig: str  # 0x hex, "" when the state carried none
    node: str | None = None  # ChannelCreated: the definition's node (lowercase 0x hex)


def _word(data: bytes, at: int) -> int:
    if at < 0 or at + WORD > len(data):
        raise EventError("data too short")
    return int.from_bytes(data[at : at + WORD], "big")


def _state(data: bytes, base: int) -> tuple[int, str]:
    """(version, user signature hex) of an ABI-encoded ``State`` starting at ``base``."""
    version = _word(data, base)
    if version >= 1 << 64:
        raise EventError("version out of range")
    sig_offset = _word(data, base + 17 * WORD)
    if sig_offset > len(data):
        raise EventError("signature offset out of range")
    length = _word(data, base + sig_offset)
    if length > MAX_SIGNATURE_BYTES:
        raise EventError("signature too long")
    start = base + sig_offset + WORD
    if start + length > len(data):
        raise EventError("signature past the data")
    sig = data[start : start + length]
    return version, ("0x" + sig.hex()) if sig else ""


def _hex(text: Any, limit: int) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x") or len(text) > 2 + 2 * limit or len(text) % 2:
        raise EventError("not 0x hex")
    try:
        return bytes.fromhex(text[2:])
    except ValueError:
        raise EventError("not 0x hex") from None


def decode_log(entry: Any, max_data: int) -> ChannelEvent | None:
    """The ChannelHub home-channel event in one ``eth_getLogs`` entry, or None for other events."""
    if not isinstance(entry, dict):
        raise EventError("log is not an object")
    topics = entry.get("topics")
    if not isinstance(topics, list) or not topics or len(topics) > 4:
        raise EventError("bad topics")
    first = topics[0].lower() if isinstance(topics[0], str) else ""
    name = TOPICS.get(first)
    if name is None:
        return None
    if len(topics) < 2 or len(_hex(topics[1], 32)) != 32:
        raise EventError("missing channel id")
    channel_id = topics[1].lower()
    data = _hex(entry.get("data"), max_data)
    if name == "ChannelCreated":
        node = "0x" + (_word(data, 2 * WORD) & ((1 << 160) - 1)).to_bytes(20, "big").hex()
        version, sig = _state(data, _word(data, DEFINITION_WORDS * WORD))
        return ChannelEvent(name, channel_id, version, sig, node)
    version, sig = _state(data, _word(data, 0))
    return ChannelEvent(name, channel_id, version, sig)


def _backfill_head_node_sig(node: Any, channel: Any) -> None:
    """``backfillOffChainHeadNodeSig``: a receiver credit stored unsigned while the channel was not Open."""
    head = node.store.last_state(channel["user_wallet"], channel["asset"])
    if head is None or head["node_sig"] is not None or head["home_channel_id"] is None:
        return
    if head["home_channel_id"].lower() != channel["channel_id"] or head["transition"]["type"] not in (
        31,
        RELEASE,
    ):
        return
    head["node_sig"] = node.channels.sign(head)
    node.store.store_state(head)


def apply_event(node: Any, event: ChannelEvent) -> None:
    """One event, inside the caller's transaction; unknown channels and stale versions are ignored."""
    if event.node is not None and event.node != node.broker_address.lower():
        log.warning("ignoring ChannelCreated for node %s", event.node)
        return
    channel = node.store.channel_by_id(event.channel_id)
    if channel is None:
        log.debug("%s for unknown channel %s", event.name, event.channel_id)
        return
    status, version = channel["status"], channel["state_version"]
    if event.name == "ChannelCreated":
        if status >= OPEN:  # the Deposited/Checkpointed before it already opened the channel
            return
        new_status = OPEN
    else:
        if event.version < version:
            log.warning(
                "%s for %s at version %d < %d: dropped", event.name, event.channel_id, event.version, version
            )
            return
        if event.name == "ChannelChallenged":
            new_status = CHALLENGED
        elif event.name == "ChannelClosed":
            new_status = CLOSED
        elif status == VOID:
            new_status = OPEN
        elif status == CHALLENGED:
            new_status = CLOSING if node.store.has_signed_finalize(channel) else OPEN
        else:
            new_status = status
    node.store.update_channel(event.channel_id, new_status, event.version)
    channel = node.store.channel_by_id(event.channel_id)
    node.store.refresh_enforced(channel)
    if event.user_sig:
        node.store.backfill_user_sig(channel, event.version, event.user_sig)
    if event.name == "ChannelCreated" or (status in (VOID, CHALLENGED) and new_status in (OPEN, CLOSING)):
        _backfill_head_node_sig(node, channel)

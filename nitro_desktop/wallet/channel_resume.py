"""Finishing home-channel operations a crash, a "no", a full gas tank or a dropped transaction left.

Each operation goes on from the step it reached: a state the node may or may not have
taken is looked up (never re-sent blind), a countersigned state is planned and confirmed
again, a sent transaction is watched, a dropped one is sent again. Nothing the chain or
the node already holds is sent twice: the node's channel says what is settled.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

from nitro_desktop.protocol.v1 import home
from nitro_desktop.protocol.v1.home import ChannelDefinition
from nitro_desktop.store import ChannelOperationRecord
from nitro_desktop.wallet.channel_types import Confirm
from nitro_desktop.wallet.hub_port import HubCall, HubRequest

if TYPE_CHECKING:
    from nitro_desktop.wallet.home_channels import HomeChannels

RESUMABLE = ("signed", "countersigned", "sent", "dropped")


async def resume_operations(channels: HomeChannels, confirm: Confirm) -> list[ChannelOperationRecord]:
    ops = [
        op
        for op in channels.store.channel_operations.list(channels.account)
        if op.step in RESUMABLE and op.endpoint == channels.endpoint
    ]
    # A dropped operation later superseded by another of the same asset is history, not work.
    newest = {op.asset: op.id for op in ops}
    done: list[ChannelOperationRecord] = []
    for op in ops:
        if op.step == "dropped" and newest[op.asset] != op.id:
            continue
        done.append(await _resume_one(channels, op, confirm))
    return done


async def _resume_one(
    channels: HomeChannels, op: ChannelOperationRecord, confirm: Confirm
) -> ChannelOperationRecord:
    config, found, port = await channels._context(op.asset, op.chain_id)
    state = json.loads(op.state_json)
    version = int(state.get("version", 0))
    if op.step == "signed":
        latest = await channels.client.v1.get_latest_state(channels.account, op.asset)
        signature = latest.get("node_sig") if latest and latest.get("id") == state.get("id") else None
        if not signature:
            return channels._step(
                op, "failed", error="The node never took this state: nothing was committed."
            )
        state["node_sig"] = home.verify_node_signature(state, signature, config.node_address, found.decimals)
        op = channels._step(op, "countersigned", state_json=json.dumps(state))
    channel = await channels.client.v1.home_channel(channels.account, op.asset)
    if _settled(channel, op.kind, version):
        return channels._step(op, "done")
    definition = ChannelDefinition.from_wire(json.loads(op.definition_json)) if op.definition_json else None
    if definition is None and channel is not None:
        definition = channel.definition
    call: HubCall = "create" if op.kind == "open" else op.kind
    request = HubRequest(
        call, state, found.decimals, config.node_address, definition, Decimal(op.amount or "0")
    )
    if op.step == "sent" and op.tx_hash:
        return await channels._watch(op, port, [op.tx_hash], request)
    return await channels._send(op, request, op.asset, port, confirm)


def _settled(channel: object, kind: str, version: int) -> bool:
    status = getattr(channel, "status", "")
    if kind == "open":
        return status not in ("", "void")
    if kind == "close":  # the node stops listing a home channel once it is closed
        return channel is None or status == "closed"
    return status == "open" and int(getattr(channel, "state_version", 0)) >= version

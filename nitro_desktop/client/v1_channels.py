"""Dialect "1"'s home-channel calls: the node's config, the channel, its states, and countersignatures.

``request_creation`` and ``submit_state`` return the node's signature only after checking
it recovers to the node address ``node.v1.get_config`` names over the exact state sent: a
signature that does not is ``NodeSignatureMismatch`` and nothing built on it may go
on-chain. Neither call is re-sent; when the answer is lost the node's latest state is read
back, and a stored state with our id and a node signature that verifies is the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nitro_desktop.client.errors import ConnectionLost, MalformedResponse, RequestTimeout
from nitro_desktop.client.v1_reads import V1Reads
from nitro_desktop.protocol import ProtocolError
from nitro_desktop.protocol.v1 import Method
from nitro_desktop.protocol.v1.home import (
    ChannelDefinition,
    supported_sig_validators,
    verify_node_signature,
)
from nitro_desktop.protocol.v1.values import normalize_address, parse_uint

MAX_CHAINS = 64  # blockchains a node may report
NAME_MAX = 64


@dataclass(frozen=True, slots=True)
class BlockchainInfo:
    """``rpc.BlockchainInfoV1``: a chain the node watches and its ChannelHub."""

    name: str
    blockchain_id: int
    channel_hub_address: str
    confirmation_delay_secs: int = 0


@dataclass(frozen=True, slots=True)
class NodeConfig:
    node_address: str  # lower-case, as the node sends it
    node_version: str
    sig_validators: tuple[int, ...]
    blockchains: tuple[BlockchainInfo, ...]

    def chain(self, blockchain_id: int) -> BlockchainInfo | None:
        return next((c for c in self.blockchains if c.blockchain_id == blockchain_id), None)


@dataclass(frozen=True, slots=True)
class HomeChannel:
    """``rpc.ChannelV1`` of a home channel, read within bounds."""

    channel_id: str
    user_wallet: str
    asset: str
    blockchain_id: int
    token_address: str
    challenge_duration: int
    nonce: int
    approved_sig_validators: str
    status: str  # void (not on-chain yet), open, challenged, closing, closed
    state_version: int

    @property
    def definition(self) -> ChannelDefinition:
        return ChannelDefinition(self.nonce, self.challenge_duration, self.approved_sig_validators)


def parse_node_config(raw: Any) -> NodeConfig:
    if not isinstance(raw, dict):
        raise ProtocolError("node.v1.get_config did not answer an object")
    chains_raw = raw.get("blockchains") or []
    if not isinstance(chains_raw, list) or len(chains_raw) > MAX_CHAINS:
        raise ProtocolError(f"blockchains must be a list of at most {MAX_CHAINS}")
    chains = []
    for item in chains_raw:
        if not isinstance(item, dict):
            raise ProtocolError("each blockchain must be an object")
        chains.append(
            BlockchainInfo(
                name=str(item.get("name", ""))[:NAME_MAX],
                blockchain_id=parse_uint(item.get("blockchain_id"), "blockchain_id"),
                channel_hub_address=normalize_address(item.get("channel_hub_address"), "channel_hub_address"),
                confirmation_delay_secs=parse_uint(
                    item.get("confirmation_delay_secs", 0), "confirmation_delay_secs", bits=32
                ),
            )
        )
    return NodeConfig(
        node_address=normalize_address(raw.get("node_address"), "node_address"),
        node_version=str(raw.get("node_version", ""))[:NAME_MAX],
        sig_validators=tuple(supported_sig_validators(raw)),
        blockchains=tuple(chains),
    )


def parse_home_channel(raw: Mapping[str, Any]) -> HomeChannel:
    return HomeChannel(
        channel_id=str(raw.get("channel_id", ""))[:66],
        user_wallet=normalize_address(raw.get("user_wallet"), "user_wallet"),
        asset=str(raw.get("asset", ""))[:NAME_MAX],
        blockchain_id=parse_uint(raw.get("blockchain_id"), "blockchain_id"),
        token_address=normalize_address(raw.get("token_address"), "token_address"),
        challenge_duration=parse_uint(raw.get("challenge_duration"), "challenge_duration", bits=32),
        nonce=parse_uint(raw.get("nonce"), "nonce"),
        approved_sig_validators=str(raw.get("approved_sig_validators", "0x00"))[:80],
        status=str(raw.get("status", ""))[:NAME_MAX],
        state_version=parse_uint(raw.get("state_version", "0"), "state_version"),
    )


class V1Channels(V1Reads):
    """Home-channel calls of ``client.v1`` (``V1Calls`` adds the session changes on top)."""

    _config: NodeConfig | None = None

    async def node_config(self, *, fresh: bool = False) -> NodeConfig:
        """``node.v1.get_config``, typed; read once per client unless ``fresh``."""
        if self._config is None or fresh:
            try:
                self._config = parse_node_config(await self.get_config())
            except ProtocolError as exc:
                raise MalformedResponse(Method.NODE_GET_CONFIG, 0, str(exc)) from None
        return self._config

    async def home_channel(self, wallet: str, asset: str) -> HomeChannel | None:
        """The wallet's home channel for ``asset``, typed; None when it has none."""
        raw = await self.get_home_channel(wallet, asset)
        if raw is None:
            return None
        try:
            return parse_home_channel(raw)
        except ProtocolError as exc:
            raise MalformedResponse(Method.CHANNELS_GET_HOME_CHANNEL, 0, str(exc)) from None

    async def request_creation(
        self, state: Mapping[str, Any], definition: ChannelDefinition, *, decimals: int
    ) -> str:
        """Ask the node to co-sign a user-signed first state of a new home channel; its verified signature."""
        payload = {"state": dict(state), "channel_definition": definition.to_wire()}
        return await self._countersigned(Method.CHANNELS_REQUEST_CREATION, payload, state, decimals)

    async def submit_state(self, state: Mapping[str, Any], *, decimals: int) -> str:
        """Send a user-signed next state (deposit, withdrawal, finalize); the verified node signature."""
        return await self._countersigned(
            Method.CHANNELS_SUBMIT_STATE, {"state": dict(state)}, state, decimals
        )

    async def _countersigned(
        self, method: str, payload: dict[str, Any], state: Mapping[str, Any], decimals: int
    ) -> str:
        node = (await self.node_config()).node_address
        try:
            answer = await self.call(method, payload)
        except (RequestTimeout, ConnectionLost):
            # Not re-sent: the node may have stored it. Its latest state says whether it did.
            stored = await self.get_latest_state(str(state["user_wallet"]), str(state["asset"]))
            if not stored or stored.get("id") != state.get("id") or not stored.get("node_sig"):
                raise
            answer = {"signature": stored["node_sig"]}
        signature = answer.get("signature") if isinstance(answer, dict) else None
        if not isinstance(signature, str) or len(signature) > 200:
            raise MalformedResponse(method, 0, "the answer has no signature")
        return verify_node_signature(state, signature, node, decimals)

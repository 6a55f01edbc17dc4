"""Home channels and channel states (``pkg/core/utils.go``, ``state_packer.go``).

``pack_state`` is the ``abi.encode(channelId, abi.encode(version, intent, metadata,
homeLedger, nonHomeLedger))`` the ChannelHub contract checks signatures over; amounts
are scaled by each token's decimals (``DecimalToUint256`` / ``DecimalToInt256``), which
the wire state does not carry: pass them as ``decimals`` or as a ``"decimals"`` key of
each ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nitro_desktop.protocol.crypto import keccak256
from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.v1 import abi
from nitro_desktop.protocol.v1.decimals import parse_decimal, to_int256, to_uint256
from nitro_desktop.protocol.v1.values import (
    INT256_MAX,
    INT256_MIN,
    UINT256_MAX,
    address_bytes,
    go_hex_big,
    go_hex_to_address,
    go_hex_to_hash,
    hash_bytes,
    is_go_hex_address,
    parse_json_uint,
    parse_str,
    parse_uint,
)

CHANNEL_HUB_VERSION = 1

# core.TransitionType -> the contract's intent (core.TransitionToIntent); others operate.
TRANSITION_INTENTS = {10: 2, 11: 3, 20: 5, 21: 7, 30: 0, 31: 0, 40: 0, 41: 0, 100: 8, 110: 6, 120: 4, 200: 1}

_CHANNEL_DEFINITION = abi.tuple_of(abi.UINT32, abi.ADDRESS, abi.ADDRESS, abi.UINT64, abi.UINT256, abi.BYTES32)
_TRANSITION = abi.tuple_of(abi.UINT8, abi.BYTES32, abi.BYTES32, abi.STRING)
_LEDGER = abi.tuple_of(abi.UINT64, abi.ADDRESS, abi.UINT8, abi.UINT256, abi.INT256, abi.UINT256, abi.INT256)
_SIGNING_DATA = (abi.UINT64, abi.UINT8, abi.BYTES32, _LEDGER, _LEDGER)

Decimals = int | Mapping[Any, int] | Callable[[int, str], int] | Any


def _first(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in data:
            return data[name]
    return None


def channel_metadata(asset: str) -> bytes:
    """``core.GenerateChannelMetadata``: the first 8 bytes of keccak256(asset), zero-padded to 32."""
    return keccak256(parse_str(asset, "asset", max_len=256).encode("utf-8"))[:8] + b"\0" * 24


def home_channel_id(
    channel_definition: Mapping[str, Any],
    asset: str,
    *,
    node: str | None = None,
    user: str | None = None,
    hub_version: int = CHANNEL_HUB_VERSION,
) -> str:
    """``core.GetHomeChannelID``: keccak256(abi.encode(ChannelDefinition)) with byte 0 set to the hub version.

    ``channel_definition`` is the wire ``{nonce, challenge, approved_sig_validators}`` plus the
    two parties, as ``node`` and ``user`` keys (or keyword arguments): the node's address and
    the user's wallet. ``approved_sig_validators`` defaults to ``"0x00"`` as in upstream's TS SDK.
    """
    if not isinstance(channel_definition, Mapping):
        raise ProtocolError("channel_definition must be a JSON object")
    definition = _definition(channel_definition, asset, node, user)
    parse_json_uint(hub_version, "hub_version", bits=8)
    digest = keccak256(abi.encode([_CHANNEL_DEFINITION], [definition]))
    return "0x" + bytes([hub_version]).hex() + digest[1:].hex()


def _definition(
    channel_definition: Mapping[str, Any], asset: str, node: str | None, user: str | None
) -> tuple[Any, ...]:
    node = node if node is not None else _first(channel_definition, "node", "node_address", "node_wallet")
    user = user if user is not None else _first(channel_definition, "user", "user_wallet", "user_address")
    challenge = _first(channel_definition, "challenge", "challenge_duration")
    validators = channel_definition.get("approved_sig_validators", "0x00")
    if validators in (None, ""):
        validators = "0x00"
    bitmap = go_hex_big(validators, "approved_sig_validators")
    if not 0 <= bitmap <= UINT256_MAX:
        raise ProtocolError("approved_sig_validators must be a hex bitmap of at most 256 bits")
    return (
        parse_uint(challenge, "challenge", bits=32),
        address_bytes(user, "user"),
        address_bytes(node, "node"),
        parse_uint(channel_definition.get("nonce"), "nonce"),
        bitmap,
        channel_metadata(asset),
    )


def escrow_channel_id(home_channel: str, state_version: int | str) -> str:
    """``core.GetEscrowChannelID``: keccak256(abi.encode(channelId, version))."""
    packed = abi.encode(
        [abi.BYTES32, abi.UINT64],
        [hash_bytes(home_channel, "home_channel_id"), parse_uint(state_version, "version")],
    )
    return "0x" + keccak256(packed).hex()


def state_id(user_wallet: str, asset: str, epoch: int | str, version: int | str) -> str:
    """``core.GetStateID``: keccak256(abi.encode(address, string, uint256 epoch, uint256 version))."""
    packed = abi.encode(
        [abi.ADDRESS, abi.STRING, abi.UINT256, abi.UINT256],
        [
            address_bytes(user_wallet, "user_wallet"),
            parse_str(asset, "asset", max_len=256),
            parse_uint(epoch, "epoch"),
            parse_uint(version, "version"),
        ],
    )
    return "0x" + keccak256(packed).hex()


def transition_hash(transition: Mapping[str, Any]) -> bytes:
    """``core.GetStateTransitionHash``; ids are read as leniently as go-ethereum's ``HexToHash``."""
    if not isinstance(transition, Mapping):
        raise ProtocolError("transition must be a JSON object")
    tx_id = parse_str(transition.get("tx_id", ""), "transition.tx_id", max_len=130)
    account_id = parse_str(transition.get("account_id", ""), "transition.account_id", max_len=130)
    if is_go_hex_address(account_id):
        account = b"\0" * 12 + go_hex_to_address(account_id, "transition.account_id")
    else:
        account = go_hex_to_hash(account_id, "transition.account_id")
    payload = (
        parse_json_uint(transition.get("type", 0), "transition.type", bits=8),
        go_hex_to_hash(tx_id, "transition.tx_id"),
        account,
        parse_decimal(transition.get("amount", "0"), "transition.amount").string(),
    )
    return keccak256(abi.encode([_TRANSITION], [payload]))


def _lookup_key(key: Any) -> Any:
    """A decimals-map key with its token lowercased, so checksummed keys match too."""
    if isinstance(key, str):
        return key.lower()
    if isinstance(key, tuple) and len(key) == 2:
        return (str(key[0]), str(key[1]).lower())
    return key


def _resolve_decimals(
    ledger: Mapping[str, Any], chain: int, token: str, decimals: Decimals | None, where: str
) -> int:
    if "decimals" in ledger:
        found: Any = ledger["decimals"]
    elif decimals is None:
        raise ProtocolError(
            f"{where}: token decimals are needed to pack a state (pass decimals=, or a 'decimals' key)"
        )
    elif type(decimals) is int:
        found = decimals
    elif isinstance(decimals, Mapping):
        table = {_lookup_key(k): v for k, v in list(decimals.items())[:1024]}
        found = None
        for key in ((str(chain), token), f"{chain}-{token}", f"{chain}:{token}", token):
            if key in table:
                found = table[key]
                break
        if found is None:
            raise ProtocolError(f"{where}: no decimals known for token {token} on chain {chain}")
    elif callable(getattr(decimals, "get_token_decimals", None)):  # an asset store, as upstream's
        found = decimals.get_token_decimals(chain, token)  # type: ignore[union-attr]
    elif callable(decimals):
        found = decimals(chain, token)
    else:
        raise ProtocolError(f"{where}: decimals must be an int, a mapping or a callable")
    return parse_json_uint(found, f"{where}.decimals", bits=8)


def _ledger(raw: Any, where: str, decimals: Decimals | None) -> tuple[Any, ...]:
    if not isinstance(raw, Mapping):
        raise ProtocolError(f"{where} must be a JSON object")
    chain = parse_uint(raw.get("blockchain_id"), f"{where}.blockchain_id")
    token = address_bytes(raw.get("token_address"), f"{where}.token_address")
    places = _resolve_decimals(raw, chain, "0x" + token.hex(), decimals, where)

    def amount(name: str, signed: bool) -> int:
        value = parse_decimal(raw.get(name), f"{where}.{name}")
        return (to_int256 if signed else to_uint256)(value, places, f"{where}.{name}")

    user_balance, user_flow = amount("user_balance", False), amount("user_net_flow", True)
    node_balance, node_flow = amount("node_balance", False), amount("node_net_flow", True)
    if user_balance + node_balance > UINT256_MAX:
        raise ProtocolError(f"{where}: allocation sum exceeds uint256 max (2^256-1)")
    if not INT256_MIN <= user_flow + node_flow <= INT256_MAX:
        raise ProtocolError(f"{where}: net flow sum is outside the int256 range")
    return (chain, token, places, user_balance, user_flow, node_balance, node_flow)


_EMPTY_LEDGER = (0, b"\0" * 20, 0, 0, 0, 0, 0)


def _state_fields(state: Mapping[str, Any], decimals: Decimals | None) -> tuple[bytes, tuple[Any, ...]]:
    """The channel id and the contract's ``(version, intent, metadata, homeLedger, nonHomeLedger)``."""
    if not isinstance(state, Mapping):
        raise ProtocolError("state must be a JSON object")
    if state.get("home_channel_id") is None:
        raise ProtocolError("state.HomeChannelID is required for packing")
    channel = hash_bytes(state["home_channel_id"], "home_channel_id")
    transition = state.get("transition") or {}
    home = _ledger(state.get("home_ledger"), "home_ledger", decimals)
    escrow_raw = state.get("escrow_ledger")
    escrow = _EMPTY_LEDGER if escrow_raw is None else _ledger(escrow_raw, "escrow_ledger", decimals)
    transition_type = (
        parse_json_uint(transition.get("type", 0), "transition.type", bits=8)
        if isinstance(transition, Mapping)
        else 0
    )
    fields = (
        parse_uint(state.get("version"), "version"),
        TRANSITION_INTENTS.get(transition_type, 0),
        transition_hash(transition),
        home,
        escrow,
    )
    return channel, fields


def _signing_parts(state: Mapping[str, Any], decimals: Decimals | None) -> tuple[bytes, bytes]:
    channel, fields = _state_fields(state, decimals)
    return channel, abi.encode(_SIGNING_DATA, list(fields))


def _state_decimals(state: Mapping[str, Any], decimals: Decimals | None) -> Decimals | None:
    if decimals is None and isinstance(state, Mapping):
        return state.get("decimals")
    return decimals


def pack_state(state: Mapping[str, Any], decimals: Decimals | None = None) -> bytes:
    """``StatePackerV1.PackState`` of a wire ``StateV1``: the bytes channel signatures cover.

    ``decimals``: one int for every ledger; a mapping keyed by ``(blockchain_id, token)``,
    ``"blockchain_id-token"`` or token; a callable ``(blockchain_id, token) -> decimals``; or an
    asset store with ``get_token_decimals(blockchain_id, token)``. Without it, each ledger's (or
    the state's) ``"decimals"`` key is used. Tokens are matched in any letter case.
    """
    channel, signing = _signing_parts(state, _state_decimals(state, decimals))
    return abi.encode([abi.BYTES32, abi.BYTES], [channel, signing])


def pack_challenge_state(state: Mapping[str, Any], decimals: Decimals | None = None) -> bytes:
    """``StatePackerV1.PackChallengeState``: the signing data with ``"challenge"`` appended."""
    channel, signing = _signing_parts(state, _state_decimals(state, decimals))
    return abi.encode([abi.BYTES32, abi.BYTES], [channel, signing + b"challenge"])


def _signature(state: Mapping[str, Any], name: str) -> bytes:
    raw = state.get(name)
    if raw is None:
        return b""
    text = parse_str(raw, name, max_len=2 + 2 * 4096)
    try:
        return bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)
    except ValueError:
        raise ProtocolError(f"{name} must be hex") from None


def contract_state(state: Mapping[str, Any], decimals: Decimals | None = None) -> tuple[Any, ...]:
    """The ChannelHub's ``State`` struct of a wire state, as ``coreStateToContractState`` builds it.

    ``(version, intent, metadata, homeLedger, nonHomeLedger, userSig, nodeSig)``, the ledgers as
    ``(chainId, token, decimals, userAllocation, userNetFlow, nodeAllocation, nodeNetFlow)`` with
    amounts scaled as in ``pack_state``; a missing signature is empty bytes.
    """
    _, fields = _state_fields(state, _state_decimals(state, decimals))
    return (*fields, _signature(state, "user_sig"), _signature(state, "node_sig"))


def contract_definition(
    channel_definition: Mapping[str, Any],
    asset: str,
    *,
    node: str | None = None,
    user: str | None = None,
) -> tuple[Any, ...]:
    """The ChannelHub's ``ChannelDefinition`` struct, the one ``home_channel_id`` hashes."""
    if not isinstance(channel_definition, Mapping):
        raise ProtocolError("channel_definition must be a JSON object")
    return _definition(channel_definition, asset, node, user)

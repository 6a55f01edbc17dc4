"""Server frames into typed objects: responses, the three error shapes, notifications.

Whatever arrives, the outcome is a typed object or one ``ProtocolError``
with a readable message; unknown methods become ``UnknownMessage`` and
unknown fields land in ``extra``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nitro_desktop.protocol.dialect import DialectLike, spec
from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.models import (
    Allocation,
    AppDefinition,
    AppSession,
    AppSessionUpdate,
    Asset,
    AssetsNotification,
    AuthChallenge,
    AuthResult,
    Balance,
    BalanceUpdate,
    BrokerConfig,
    ChannelsNotification,
    ChannelUpdate,
    Network,
    Pong,
    Record,
    ServerError,
    TransferNotification,
    UnknownMessage,
)
from nitro_desktop.protocol.values import parse_amount
from nitro_desktop.protocol.wire import FrameKind, ServerFrame


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{what} must be an object, got {type(value).__name__}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError(f"{what} must be a list, got {type(value).__name__}")
    return value


class _Fields:
    """Typed reads from one result object; what is not read ends up in ``extra``."""

    def __init__(self, value: Any, what: str) -> None:
        self.d = _obj(value, what)
        self.what = what
        self.used: set[str] = set()

    def text(self, key: str) -> str:
        self.used.add(key)
        value = self.d.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ProtocolError(f"{self.what}.{key} must be a string, got {value!r:.40}")
        return value

    def num(self, key: str) -> int:
        self.used.add(key)
        value = self.d.get(key)
        if value is None:
            return 0
        if isinstance(value, str) and value.isdigit():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProtocolError(f"{self.what}.{key} must be a whole number, got {value!r:.40}")
        return value

    def amount(self, key: str) -> Decimal:
        self.used.add(key)
        try:
            return parse_amount(self.d.get(key, "0"), allow_negative=True, what=f"{self.what}.{key}")
        except ProtocolError as exc:
            raise ProtocolError(str(exc)) from None

    def texts(self, key: str) -> tuple[str, ...]:
        self.used.add(key)
        items = _list(self.d.get(key), f"{self.what}.{key}")
        if not all(isinstance(i, str) for i in items):
            raise ProtocolError(f"{self.what}.{key} must be a list of strings")
        return tuple(items)

    def nums(self, key: str) -> tuple[int, ...]:
        self.used.add(key)
        items = _list(self.d.get(key), f"{self.what}.{key}")
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
            raise ProtocolError(f"{self.what}.{key} must be a list of whole numbers")
        return tuple(items)

    def flag(self, key: str) -> bool:
        self.used.add(key)
        return self.d.get(key) is True

    def extra(self) -> dict[str, Any]:
        return {k: v for k, v in self.d.items() if k not in self.used}


def parse_asset(value: Any) -> Asset:
    f = _Fields(value, "asset")
    return Asset(f.text("token"), f.num("chain_id"), f.text("symbol"), f.num("decimals"), f.extra())


def parse_balance(value: Any) -> Balance:
    """A balance; an amount that does not read as a bounded decimal is kept as received, flagged.

    One odd number from a server must not make the whole answer (and with it the
    connection) unusable: the other balances and the session carry on.
    """
    f = _Fields(value, "balance")
    asset = f.text("asset")
    try:
        amount = f.amount("amount")
    except ProtocolError as exc:
        received = f.d.get("amount")
        raw = received if isinstance(received, str) else json.dumps(received, default=str)
        if len(raw) > Balance.MAX_RAW_CHARS:
            raw = raw[: Balance.MAX_RAW_CHARS] + "…"
        return Balance(asset, Decimal(0), f.extra(), raw=raw, odd=True, problem=str(exc))
    return Balance(asset, amount, f.extra())


def parse_allocation(value: Any) -> Allocation:
    f = _Fields(value, "allocation")
    return Allocation(f.text("participant"), f.text("asset"), f.amount("amount"))


def parse_app_session(value: Any) -> AppSession:
    f = _Fields(value, "app_session")
    return AppSession(
        app_session_id=f.text("app_session_id"),
        status=f.text("status"),
        version=f.num("version"),
        application=f.text("application"),
        protocol=f.text("protocol"),
        participants=f.texts("participants"),
        weights=f.nums("weights"),
        quorum=f.num("quorum"),
        challenge=f.num("challenge"),
        nonce=f.num("nonce"),
        session_data=f.text("session_data"),
        created_at=f.text("created_at"),
        updated_at=f.text("updated_at"),
        extra=f.extra(),
    )


def parse_definition(value: Any) -> AppDefinition:
    f = _Fields(value, "definition")
    return AppDefinition(
        protocol=f.text("protocol"),
        participants=f.texts("participants"),
        weights=f.nums("weights"),
        quorum=f.num("quorum"),
        challenge=f.num("challenge"),
        nonce=f.num("nonce"),
        application=f.text("application"),
    )


def parse_config(value: Any) -> BrokerConfig:
    f = _Fields(value, "config")
    networks = []
    f.used.add("networks")
    for item in _list(f.d.get("networks"), "config.networks"):
        n = _Fields(item, "network")
        networks.append(
            Network(
                n.num("chain_id"),
                n.text("name"),
                n.text("custody_address"),
                n.text("adjudicator_address"),
                n.extra(),
            )
        )
    return BrokerConfig(f.text("broker_address"), tuple(networks), f.extra())


def _records(value: Any, what: str) -> tuple[Record, ...]:
    return tuple(Record(dict(_obj(v, what))) for v in _list(value, what))


def _many(parse: Callable[[Any], Any], what: str) -> Callable[[Any], tuple[Any, ...]]:
    return lambda value: tuple(parse(v) for v in _list(value, what))


def _auth_challenge(value: Any) -> AuthChallenge:
    f = _Fields(value, "auth_challenge")
    challenge = f.text("challenge_message")
    if not challenge:
        raise ProtocolError("auth_challenge carries no challenge_message")
    return AuthChallenge(challenge, f.extra())


def _auth_result(value: Any) -> AuthResult:
    f = _Fields(value, "auth_verify")
    return AuthResult(
        f.text("address"), f.text("session_key"), f.flag("success"), f.text("jwt_token"), f.extra()
    )


def _asu(value: Any) -> AppSessionUpdate:
    d = _obj(value, "asu")
    allocations = tuple(
        parse_allocation(a) for a in _list(d.get("participant_allocations"), "asu.allocations")
    )
    return AppSessionUpdate(parse_app_session(d.get("app_session")), allocations)


_RESULTS: dict[str, Callable[[Any], Any]] = {
    "auth_challenge": _auth_challenge,
    "auth_verify": _auth_result,
    "pong": lambda _v: Pong(),
    "ping": lambda _v: Pong(),
    "get_config": parse_config,
    "get_assets": _many(parse_asset, "assets"),
    "get_ledger_balances": _many(parse_balance, "balances"),
    "get_app_definition": parse_definition,
    "get_app_sessions": _many(parse_app_session, "app_sessions"),
    "create_app_session": parse_app_session,
    "submit_app_state": parse_app_session,
    "close_app_session": parse_app_session,
    "get_channels": lambda v: _records(v, "channel"),
    "get_ledger_entries": lambda v: _records(v, "ledger entry"),
    "get_ledger_transactions": lambda v: _records(v, "transaction"),
    "get_rpc_history": lambda v: _records(v, "rpc entry"),
    "get_session_keys": lambda v: _records(v, "session key"),
    "transfer": lambda v: _records(v, "transaction"),
    "get_user_tag": lambda v: Record(dict(_obj(v, "user tag"))),
    "revoke_session_key": lambda v: Record(dict(_obj(v, "revoked key"))),
    # notifications
    "assets": lambda v: AssetsNotification(_many(parse_asset, "assets")(v)),
    "channels": lambda v: ChannelsNotification(_records(v, "channel")),
    "bu": lambda v: BalanceUpdate(_many(parse_balance, "balance updates")(v)),
    "cu": lambda v: ChannelUpdate(Record(dict(_obj(v, "channel")))),
    "tr": lambda v: TransferNotification(_records(v, "transaction")),
    "asu": _asu,
}


def parse_error(result: Any) -> ServerError:
    """The server's error text from any era's error shape."""
    if isinstance(result, dict) and isinstance(result.get("error"), str):
        return ServerError(result["error"], "E3")
    if isinstance(result, list) and len(result) == 1:
        item = result[0]
        if isinstance(item, str):
            return ServerError(item, "E2")
        if isinstance(item, dict) and isinstance(item.get("error"), str):
            return ServerError(item["error"], "E1")
    raise ProtocolError(f"error frame of an unknown shape: {str(result)[:120]}")


@dataclass(frozen=True, slots=True)
class ServerMessage:
    """One decoded server frame."""

    frame: ServerFrame
    payload: Any  # typed result, ServerError, notification object, or UnknownMessage

    @property
    def is_error(self) -> bool:
        return isinstance(self.payload, ServerError)

    @property
    def is_notification(self) -> bool:
        return self.frame.kind is FrameKind.EVENT


def decode_result(dialect: DialectLike, method: str, result: Any) -> Any:
    """Typed payload of a 0.x response or notification ``method`` with raw ``result``."""
    if method == "error":
        return parse_error(result)
    payload = spec(dialect).unwrap_result(method, result)
    parse = _RESULTS.get(method)
    if parse is None:
        return UnknownMessage(method, payload)
    try:
        return parse(payload)
    except ProtocolError as exc:
        raise ProtocolError(f"{method}: {exc}") from None
    except (TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        raise ProtocolError(f"{method}: malformed result ({exc})") from None


def parse_server_message(text: str | bytes, dialect: DialectLike) -> ServerMessage:
    """Parse and type one server frame; any malformation raises ``ProtocolError``."""
    impl = spec(dialect)
    frame = impl.decode_frame(text)
    return ServerMessage(frame, impl.decode_payload(frame))

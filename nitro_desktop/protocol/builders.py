"""Request builders: one function per method a client sends, for every dialect.

Each returns an ``RpcCall`` (method and params in the dialect's shape);
``DialectSpec.encode_frame`` turns it into a signed frame. Key order follows
the official SDK so that our frames match its bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from nitro_desktop.protocol.canonical import js_finish, js_quote
from nitro_desktop.protocol.dialect import Dialect, DialectLike, spec
from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.models import Allocation, AppDefinition, RpcCall
from nitro_desktop.protocol.values import check_exact_int

INTENTS = ("operate", "deposit", "withdraw")
SORTS = ("asc", "desc")


def _call(
    dialect: DialectLike, method: str, obj: dict[str, Any] | None, obj_json: str | None = None
) -> RpcCall:
    """``obj_json``, when given, is ``js_json(obj)``: signing skips the encoder (session calls)."""
    impl = spec(dialect)
    if not impl.supports(method):
        raise ProtocolError(f"{method} is not available in dialect {impl.dialect.value}")
    params = impl.wrap_params(obj)
    params_json = None
    if obj_json is not None:
        # Only the two wrappings of the 0.x dialects; any other is encoded later from params.
        if params is obj:
            params_json = obj_json
        elif type(params) is list and len(params) == 1 and params[0] is obj:
            params_json = "[" + obj_json + "]"
    return RpcCall(impl.method_name(method), params, params_json)


# Hand-written JSON of the session calls' params, exactly what js_json gives for them (the property
# tests hold it to that). Each part checks its keys and value types and gives None for anything
# else, and the call is then encoded by js_json from params as before.
_DEFINITION_KEYS = ("protocol", "participants", "weights", "quorum", "challenge", "nonce")
_ALLOCATION_KEYS = ("participant", "asset", "amount")
_STR = frozenset({str})
_INT = frozenset({int})


def _definition_json(wire: Any) -> str | None:
    if type(wire) is not dict:
        return None
    keys = tuple(wire)
    if keys == _DEFINITION_KEYS:
        head = "{"
    elif keys[:1] == ("application",) and keys[1:] == _DEFINITION_KEYS and type(wire["application"]) is str:
        head = '{"application":' + js_quote(wire["application"]) + ","
    else:
        return None
    protocol, participants, weights = wire["protocol"], wire["participants"], wire["weights"]
    numbers = (wire["quorum"], wire["challenge"], wire["nonce"])
    if (
        type(protocol) is not str
        or type(participants) is not list
        or type(weights) is not list
        or not _STR.issuperset(map(type, participants))
        or not _INT.issuperset(map(type, weights))
        or not _INT.issuperset(map(type, numbers))
    ):
        return None
    return (
        f'{head}"protocol":{js_quote(protocol)},"participants":[{",".join(map(js_quote, participants))}],'
        f'"weights":[{",".join(map(str, weights))}],'
        f'"quorum":{numbers[0]},"challenge":{numbers[1]},"nonce":{numbers[2]}}}'
    )


def _allocations_json(wires: Any) -> str | None:
    if type(wires) is not list:
        return None
    out = []
    for wire in wires:
        if type(wire) is not dict or tuple(wire) != _ALLOCATION_KEYS:
            return None
        participant, asset, amount = wire["participant"], wire["asset"], wire["amount"]
        if type(participant) is not str or type(asset) is not str or type(amount) is not str:
            return None
        out.append(
            f'{{"participant":{js_quote(participant)},"asset":{js_quote(asset)},"amount":{js_quote(amount)}}}'
        )
    return "[" + ",".join(out) + "]"


def _session_call_json(obj: dict[str, Any] | None) -> str | None:
    if type(obj) is not dict:
        return None
    parts = []
    for key, value in obj.items():
        if key == "definition":
            text = _definition_json(value)
        elif key == "allocations":
            text = _allocations_json(value)
        elif type(value) is str:
            text = js_quote(value)
        elif type(value) is int:
            text = str(value)
        else:
            return None
        if text is None or type(key) is not str or not key.isidentifier() or not key.isascii():
            return None
        parts.append('"' + key + '":' + text)
    return js_finish("{" + ",".join(parts) + "}")


def _present(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _list_options(
    offset: int | None, limit: int | None, sort: str | None, **filters: Any
) -> dict[str, Any] | None:
    if sort is not None and sort not in SORTS:
        raise ProtocolError(f"sort must be 'asc' or 'desc', got {sort!r}")
    for name, value in (("offset", offset), ("limit", limit)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ProtocolError(f"{name} must be a non-negative whole number, got {value!r}")
    obj = _present(**filters, offset=offset, limit=limit, sort=sort)
    return obj or None


def ping(dialect: DialectLike) -> RpcCall:
    return _call(dialect, "ping", None)


def get_config(dialect: DialectLike) -> RpcCall:
    return _call(dialect, "get_config", None)


def get_assets(dialect: DialectLike, chain_id: int | None = None) -> RpcCall:
    return _call(dialect, "get_assets", _present(chain_id=chain_id) or None)


def get_channels(
    dialect: DialectLike,
    participant: str | None = None,
    status: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> RpcCall:
    return _call(
        dialect,
        "get_channels",
        _list_options(offset, limit, sort, participant=participant, status=status),
    )


def get_app_definition(dialect: DialectLike, app_session_id: str) -> RpcCall:
    return _call(dialect, "get_app_definition", {"app_session_id": app_session_id})


def get_app_sessions(
    dialect: DialectLike,
    participant: str | None = None,
    status: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> RpcCall:
    return _call(
        dialect,
        "get_app_sessions",
        _list_options(offset, limit, sort, participant=participant, status=status),
    )


def get_ledger_balances(
    dialect: DialectLike, participant: str | None = None, account_id: str | None = None
) -> RpcCall:
    if spec(dialect).dialect is Dialect.V05:
        # v0.5 dropped `participant`: balances are the authenticated wallet's.
        return _call(dialect, "get_ledger_balances", _present(account_id=account_id) or None)
    return _call(
        dialect,
        "get_ledger_balances",
        _present(participant=participant, account_id=account_id) or None,
    )


def get_ledger_entries(
    dialect: DialectLike,
    account_id: str | None = None,
    asset: str | None = None,
    wallet: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> RpcCall:
    obj = _list_options(offset, limit, sort, account_id=account_id, asset=asset, wallet=wallet)
    return _call(dialect, "get_ledger_entries", obj)


def get_ledger_transactions(
    dialect: DialectLike,
    account_id: str | None = None,
    asset: str | None = None,
    tx_type: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> RpcCall:
    obj = _list_options(offset, limit, sort, account_id=account_id, asset=asset, tx_type=tx_type)
    return _call(dialect, "get_ledger_transactions", obj)


def get_rpc_history(
    dialect: DialectLike,
    offset: int | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> RpcCall:
    return _call(dialect, "get_rpc_history", _list_options(offset, limit, sort))


def get_user_tag(dialect: DialectLike) -> RpcCall:
    return _call(dialect, "get_user_tag", None)


def get_session_keys(
    dialect: DialectLike,
    offset: int | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> RpcCall:
    return _call(dialect, "get_session_keys", _list_options(offset, limit, sort))


def revoke_session_key(dialect: DialectLike, session_key: str) -> RpcCall:
    return _call(dialect, "revoke_session_key", {"session_key": session_key})


def auth_request(
    dialect: DialectLike,
    *,
    address: str,
    session_key: str,
    application: str,
    allowances: Iterable[tuple[str, str]] = (),
    expires_at: int,
    scope: str = "",
    app_address: str | None = None,
) -> RpcCall:
    """auth_request; ``application`` is the app name (the EIP-712 domain name).

    ``app_address`` is the 0.2 Policy's ``application`` address (defaults to the wallet).
    """
    impl = spec(dialect)
    params = impl.auth_request_params(
        address=address,
        session_key=session_key,
        application=application,
        allowances=list(allowances),
        expires_at=expires_at,
        scope=scope,
        app_address=app_address or address,
    )
    return RpcCall("auth_request", params)


def auth_verify_challenge(dialect: DialectLike, challenge: str) -> RpcCall:
    return _call(dialect, "auth_verify", {"challenge": challenge})


def auth_verify_jwt(dialect: DialectLike, jwt: str) -> RpcCall:
    return _call(dialect, "auth_verify", {"jwt": jwt})


def _allocations(allocations: Sequence[Allocation]) -> list[dict[str, str]]:
    return [a.to_wire() for a in allocations]


def check_definition_numbers(definition: AppDefinition) -> AppDefinition:
    """Refuse a nonce or challenge the server would round (see ``values.check_exact_int``)."""
    check_exact_int(definition.nonce, what="nonce")
    check_exact_int(definition.challenge, what="challenge")
    return definition


def create_app_session(
    dialect: DialectLike,
    definition: AppDefinition,
    allocations: Sequence[Allocation],
    session_data: str | None = None,
) -> RpcCall:
    impl = spec(dialect)
    impl.check_protocol(definition.protocol)
    check_definition_numbers(definition)
    allocations_wire = _allocations(allocations)
    obj = impl.create_params(definition, allocations_wire, session_data)
    obj_json = None
    definition_wire = obj.get("definition")
    if obj.get("allocations") is allocations_wire and isinstance(definition_wire, dict):
        # The 0.x shape, the hot path of every create: the two parts written straight, no per-key loop.
        definition_json = _definition_json(definition_wire)
        allocations_json = _allocations_json(allocations_wire)
        if definition_json and allocations_json and (session_data is None or type(session_data) is str):
            tail = "}" if session_data is None else ',"session_data":' + js_quote(session_data) + "}"
            body = '{"definition":' + definition_json + ',"allocations":' + allocations_json + tail
            obj_json = js_finish(body)
    return _call(impl, "create_app_session", obj, obj_json)


def submit_app_state(
    dialect: DialectLike,
    app_session_id: str,
    allocations: Sequence[Allocation],
    *,
    intent: str | None = None,
    version: int | None = None,
    session_data: str | None = None,
) -> RpcCall:
    """submit_app_state; ``intent`` and ``version`` only for NitroRPC/0.4 sessions (dialect 0.5)."""
    obj: dict[str, Any] = {"app_session_id": app_session_id}
    if intent is not None or version is not None:
        if not spec(dialect).versioned_protocols:  # no dialect versions its sessions
            raise ProtocolError(
                "intent and version need a ClearNode that versions sessions (0.5 with NitroRPC/0.4, or 1)"
            )
        if intent not in INTENTS:
            raise ProtocolError(f"intent must be one of {', '.join(INTENTS)}, got {intent!r}")
        if isinstance(version, bool) or not isinstance(version, int) or version < 2:
            raise ProtocolError(f"version must be the session's next version (2 or more), got {version!r}")
        obj["intent"] = intent
        obj["version"] = version
    obj["allocations"] = _allocations(allocations)
    if session_data is not None:
        obj["session_data"] = session_data
    return _call(dialect, "submit_app_state", obj, _session_call_json(obj))


def close_app_session(
    dialect: DialectLike,
    app_session_id: str,
    allocations: Sequence[Allocation],
    session_data: str | None = None,
) -> RpcCall:
    obj: dict[str, Any] = {
        "app_session_id": app_session_id,
        "allocations": _allocations(allocations),
    }
    if session_data is not None:
        obj["session_data"] = session_data
    return _call(dialect, "close_app_session", obj, _session_call_json(obj))


def transfer(
    dialect: DialectLike,
    allocations: Sequence[tuple[str, str]],
    *,
    destination: str | None = None,
    destination_user_tag: str | None = None,
) -> RpcCall:
    if (destination is None) == (destination_user_tag is None):
        raise ProtocolError("transfer needs exactly one of destination or destination_user_tag")
    obj = _present(destination=destination, destination_user_tag=destination_user_tag)
    obj["allocations"] = [{"asset": a, "amount": amt} for a, amt in allocations]
    return _call(dialect, "transfer", obj)


def app_session_id(definition: AppDefinition | dict[str, Any], dialect: DialectLike) -> str:
    """The id the server derives (0.x: keccak256 of Go's JSON of its definition struct)."""
    if isinstance(definition, dict):
        definition = definition_from_dict(definition)
    return spec(dialect).session_id(definition)


def definition_from_dict(raw: dict[str, Any]) -> AppDefinition:
    """An ``AppDefinition`` from wire-shaped JSON; missing fields take Go's zero values."""
    if not isinstance(raw, dict):
        raise ProtocolError("definition must be an object")

    def ints(key: str) -> tuple[int, ...]:
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise ProtocolError(f"definition.{key} must be a list of whole numbers")
        return tuple(value)

    def integer(key: str) -> int:
        value = raw.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ProtocolError(f"definition.{key} must be a non-negative whole number, got {value!r:.40}")
        return value

    participants = raw.get("participants") or []
    if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
        raise ProtocolError("definition.participants must be a list of addresses")
    for key in ("protocol", "application"):
        if not isinstance(raw.get(key, ""), str):
            raise ProtocolError(f"definition.{key} must be a string")
    return AppDefinition(
        protocol=raw.get("protocol", ""),
        participants=tuple(participants),
        weights=ints("weights"),
        quorum=integer("quorum"),
        challenge=integer("challenge"),
        nonce=integer("nonce"),
        application=raw.get("application", ""),
    )

"""JSON text of the two request payloads we send most, written straight from their dicts.

Every create and every state update goes through the frame encoder; the general path
walks the payload for depth and floats, then runs the C encoder. These payloads have
a fixed, shallow shape, so checking the shape while writing it is cheaper than both.
The text is what the general encoder writes, byte for byte (a property test holds
them equal); anything off the exact shape returns None and takes the general path,
which also says what is wrong. Go's extra escapes (``<>&``, U+2028/9, surrogates) are
applied by the caller to the whole text, as on the general path.
"""

from __future__ import annotations

import json
from typing import Any

_enc: Any = getattr(json.encoder, "c_encode_basestring", None)
_STR = frozenset({str})
_DEFINITION = ("application_id", "participants", "quorum", "nonce")
_PARTICIPANT = ("wallet_address", "signature_weight")
_UPDATE = ("app_session_id", "intent", "version", "allocations", "session_data")
_ALLOCATION = ("participant", "asset", "amount")
_CREATE = frozenset({"definition", "session_data", "quorum_sigs"})
_CREATE_UNSIGNED = frozenset({"definition", "session_data"})
_SUBMIT = frozenset({"app_state_update", "quorum_sigs"})


def _scalar(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        text: str = _enc(value)
        return text
    if kind is int:
        return f"{value}"  # an exact int formats as its repr, with no method lookup
    return None


def _definition(value: Any) -> str | None:
    if type(value) is not dict or tuple(value) != _DEFINITION:
        return None
    application_id, participants, quorum, nonce = value.values()
    if type(application_id) is not str or type(participants) is not list or type(quorum) is not int:
        return None
    nonce_text = _scalar(nonce)
    if nonce_text is None:
        return None
    items = []
    for entry in participants:
        if type(entry) is not dict or tuple(entry) != _PARTICIPANT:
            return None
        wallet, weight = entry.values()
        if type(wallet) is not str or type(weight) is not int:
            return None
        items.append(f'{{"wallet_address":{_enc(wallet)},"signature_weight":{weight}}}')
    return (
        f'{{"application_id":{_enc(application_id)},"participants":[{",".join(items)}],'
        f'"quorum":{quorum},"nonce":{nonce_text}}}'
    )


def _update(value: Any) -> str | None:
    if type(value) is not dict or tuple(value) != _UPDATE:
        return None
    session_id, intent, version, allocations, session_data = value.values()
    fields = (_scalar(session_id), _scalar(intent), _scalar(version), _scalar(session_data))
    if None in fields or type(allocations) is not list:
        return None
    items = []
    for entry in allocations:
        if type(entry) is not dict or tuple(entry) != _ALLOCATION:
            return None
        participant, asset, amount = entry.values()
        if type(participant) is not str or type(asset) is not str or type(amount) is not str:
            return None
        items.append(f'{{"participant":{_enc(participant)},"asset":{_enc(asset)},"amount":{_enc(amount)}}}')
    return (
        f'{{"app_session_id":{fields[0]},"intent":{fields[1]},"version":{fields[2]},'
        f'"allocations":[{",".join(items)}],"session_data":{fields[3]}}}'
    )


def _signatures(value: Any) -> str | None:
    if type(value) is not list:
        return None
    if len(value) == 1:  # one signer, the usual create: no map objects for a single item
        (only,) = value
        if type(only) is not str:
            return None
        quoted: str = _enc(only)
        return "[" + quoted + "]"
    if not _STR.issuperset(map(type, value)):
        return None
    return f"[{','.join(map(_enc, value))}]"


def payload_text(payload: dict[str, Any]) -> str | None:
    """The compact JSON of a create or submit payload (keys sorted, as Go writes a map), or None."""
    if _enc is None:  # pragma: no cover - CPython always has the C encoder
        return None
    try:
        keys = payload.keys()
        if keys == _CREATE or keys == _CREATE_UNSIGNED:
            definition = _definition(payload["definition"])
            session_data = payload["session_data"]
            if definition is None or type(session_data) is not str:
                return None
            if len(payload) == 2:
                return f'{{"definition":{definition},"session_data":{_enc(session_data)}}}'
            signatures = _signatures(payload["quorum_sigs"])
            if signatures is None:
                return None
            return (
                f'{{"definition":{definition},"quorum_sigs":{signatures},'
                f'"session_data":{_enc(session_data)}}}'
            )
        if keys == _SUBMIT:
            update = _update(payload["app_state_update"])
            signatures = _signatures(payload["quorum_sigs"])
            if update is None or signatures is None:
                return None
            return f'{{"app_state_update":{update},"quorum_sigs":{signatures}}}'
    except ValueError:  # an int past Python's digit limit: the general path says so
        return None
    return None

"""JSON text of the two request payloads we send most, written straight from their dicts.

Every create and every state update goes through the frame encoder; the general path
walks the payload for depth and floats, then runs the C encoder. These payloads have
a fixed, shallow shape, so checking the shape while writing it is cheaper than both.
The text is what the general encoder writes, byte for byte (a property test holds
them equal); anything off the exact shape returns None and takes the general path,
which also says what is wrong. Go's extra escapes (``<>&``, U+2028/9, surrogates) are
applied here too. A create whose definition was seen before (``known``) reuses the
definition's text up to its nonce.
"""

from __future__ import annotations

import json
import re
from typing import Any

from nitro_desktop.protocol.v1 import known
from nitro_desktop.protocol.v1.known import KnownDefinition, known_definition

_enc: Any = getattr(json.encoder, "c_encode_basestring", None)
_STR = frozenset({str})
_DEFINITION = ("application_id", "participants", "quorum", "nonce")
_PARTICIPANT = ("wallet_address", "signature_weight")
_UPDATE = ("app_session_id", "intent", "version", "allocations", "session_data")
_ALLOCATION = ("participant", "asset", "amount")
_CREATE = frozenset({"definition", "session_data", "quorum_sigs"})
_CREATE_UNSIGNED = frozenset({"definition", "session_data"})
_SUBMIT = frozenset({"app_state_update", "quorum_sigs"})
_GO_SPECIAL = re.compile("[<>&\u2028\u2029\ud800-\udfff]")
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_escapes(text: str) -> str:
    """What Go's encoder escapes beyond Python's: ``<>&``, U+2028/9; lone surrogates become U+FFFD."""
    # Three memchr scans and an ASCII check are cheaper than a regex over every frame.
    if "<" in text or ">" in text or "&" in text or (not text.isascii() and _GO_SPECIAL.search(text)):
        text = _GO_SPECIAL.sub(lambda m: _GO_ESCAPES.get(m.group(), "\ufffd"), text)
    return text


def _scalar(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        text: str = _enc(value)
        return text
    if kind is int:
        return f"{value}"  # an exact int formats as its repr, with no method lookup
    return None


def _json_head(entry: KnownDefinition, value: dict[str, Any]) -> str:
    """The definition's text up to its nonce, once per known definition (Go's escapes applied)."""
    head = entry.json_head
    if head is None:
        text = _definition(value)
        if text is None:  # pragma: no cover - a known definition is always in this shape
            raise AssertionError("a known definition lost its wire shape")
        head = entry.json_head = go_escapes(text[: text.rindex(',"nonce":') + 9])
    return head


def _string(value: str) -> str:
    """A JSON string with Go's escapes; strings that repeat (session data) keep their text."""
    text = _STRINGS.get(value)
    if text is None:
        text = go_escapes(_enc(value))
        if len(value) <= _MAX_CACHED_CHARS:
            if len(_STRINGS) >= _MAX_CACHED_STRINGS:
                _STRINGS.clear()
            _STRINGS[value] = text
    return text


_STRINGS: dict[str, str] = {}
_MAX_CACHED_STRINGS = 256
_MAX_CACHED_CHARS = 1024


def _known_create(definition: Any, session_data: Any, signatures: Any) -> str | None:
    """The create payload of a known definition (see ``known``): its cached text, the nonce,
    the signatures and the session data; already Go-escaped. None when off that shape."""
    if type(definition) is not dict or type(session_data) is not str:
        return None
    entry = known_definition(definition)
    if entry is None:
        return None
    nonce = definition["nonce"]
    if type(nonce) is str:
        nonce_text = f'"{nonce}"' if nonce.isascii() and nonce.isdigit() else go_escapes(_enc(nonce))
    elif type(nonce) is int:
        nonce_text = f"{nonce}"
    else:
        return None
    head = entry.json_head
    if head is None:
        head = _json_head(entry, definition)
    data = _STRINGS.get(session_data)
    if data is None:
        data = _string(session_data)
    if signatures is None:
        return f'{{"definition":{head}{nonce_text}}},"session_data":{data}}}'
    if type(signatures) is not list or len(signatures) != 1:
        return None
    (only,) = signatures
    if only is known.last_signature:  # made by quorum_signature: 0x and hex, nothing to escape
        quoted = f'["{only}"]'
    elif type(only) is str:
        quoted = f"[{go_escapes(_enc(only))}]"
    else:
        return None
    return f'{{"definition":{head}{nonce_text}}},"quorum_sigs":{quoted},"session_data":{data}}}'


_KIND_TEXT = ("0", "1", "2", "3", "4")  # frame kinds are 1-4: no int formatting per frame


def frame_text(
    kind: int, request_id: int, method_json: str, payload: dict[str, Any], timestamp: int
) -> str | None:
    """The whole frame ``[kind,request_id,method,payload,timestamp]`` when ``payload_text``
    writes the payload, else None. ``kind`` is 1-4 and the ids are checked by the caller.

    A signed create of a known definition (the frame a client sends most) is written in one
    f-string from its pieces, with no payload string in between; the text is the same.
    Other payloads take ``payload_text``'s steps, inlined (no call between).
    """
    if _enc is None:  # pragma: no cover - CPython always has the C encoder
        return None
    size = len(payload)
    if size != 3 and size != 2:
        return None  # only creates (2-3 keys) and submits (2) have a direct writer
    if "definition" in payload:
        try:
            definition = payload["definition"]
            session_data = payload["session_data"]
            signatures = payload["quorum_sigs"] if size == 3 else None
        except KeyError:
            definition = session_data = signatures = None
        if (
            type(signatures) is list
            and len(signatures) == 1
            and type(definition) is dict
            and type(session_data) is str
        ):
            entry = known_definition(definition)
            if entry is None:  # not known: the direct writer, without a second lookup
                text = _payload_text(payload)
                if text is None:
                    return None
                return f"[{_KIND_TEXT[kind]},{request_id},{method_json},{go_escapes(text)},{timestamp}]"
            (only,) = signatures
            nonce = definition["nonce"]
            head = entry.json_head
            if head is None:
                head = _json_head(entry, definition)
            try:
                data = _STRINGS[session_data]  # session data repeats; a subscript is the cheapest read
            except KeyError:
                data = _string(session_data)
            # The nonce's quotes sit beside it in the f-string: no quoted copy is made. Digits
            # need no escapes, and the hash's own nonce (see known.last_hash) is digits.
            if type(nonce) is str:
                digits = nonce is known.last_hash[2] or (nonce.isascii() and nonce.isdigit())
                quote = '"' if digits else None
            else:
                quote = "" if type(nonce) is int else None
            if only is known.last_signature and quote is not None:  # 0x and hex: nothing to escape
                return (
                    f'[{_KIND_TEXT[kind]},{request_id},{method_json},{{"definition":{head}{quote}'
                    f'{nonce}{quote}}},"quorum_sigs":["{only}"],"session_data":{data}}},{timestamp}]'
                )
            # A signature made elsewhere, or a nonce with characters to escape (as _known_create).
            if type(only) is not str or (quote is None and type(nonce) is not str):
                return None  # the general encoder's, which says what is wrong
            nonce_text = f"{quote}{nonce}{quote}" if quote is not None else go_escapes(_enc(nonce))
            return (
                f'[{_KIND_TEXT[kind]},{request_id},{method_json},{{"definition":{head}{nonce_text}}},'
                f'"quorum_sigs":[{go_escapes(_enc(only))}],"session_data":{data}}},{timestamp}]'
            )
        known_text = _known_create(definition, session_data, signatures)  # unsigned, or many signatures
        if known_text is not None:
            return f"[{_KIND_TEXT[kind]},{request_id},{method_json},{known_text},{timestamp}]"
    elif "app_state_update" not in payload:
        return None  # neither a create nor a submit: no direct writer (as _payload_text finds)
    text = _payload_text(payload)
    if text is None:
        return None
    return f"[{_KIND_TEXT[kind]},{request_id},{method_json},{go_escapes(text)},{timestamp}]"


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
    """The compact JSON of a create or submit payload (keys sorted, as Go writes a map, and
    Go's escapes applied), or None."""
    if _enc is None:  # pragma: no cover - CPython always has the C encoder
        return None
    size = len(payload)
    if (size == 3 or size == 2) and "definition" in payload:
        try:
            known_text = _known_create(
                payload["definition"], payload["session_data"], payload["quorum_sigs"] if size == 3 else None
            )
        except KeyError:
            known_text = None
        if known_text is not None:
            return known_text
    text = _payload_text(payload)
    return None if text is None else go_escapes(text)


def _payload_text(payload: dict[str, Any]) -> str | None:
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

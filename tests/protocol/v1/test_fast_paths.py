"""The signing shortcuts (direct payload text, cached participants and tails) equal the general paths."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol.canonical import go_json
from nitro_desktop.protocol.errors import AddressError, ProtocolError, SignatureError
from nitro_desktop.protocol.v1 import (
    FrameKind,
    abi,
    app_session,
    create_session_hash,
    encode_frame,
    models,
    quorum_signature,
)
from nitro_desktop.protocol.v1.frames import encode_payload, encode_payload_generic
from nitro_desktop.protocol.v1.payload_text import payload_text

KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
A = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
B = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"

# Text Go escapes differently from Python (<>&, U+2028/9, lone surrogates), controls, non-ASCII.
texts = st.text(alphabet=st.characters(codec=None), max_size=40) | st.sampled_from(
    ["<a&b>", "\u2028\u2029", "\ud800x", '"\\\n\t', "é中🙂", ""]
)
ints = st.integers(min_value=0, max_value=2**70)
odd = st.sampled_from([True, False, -1, None, 1.5, [], {}])


def _ordered(fields: dict[str, Any]) -> Any:
    """Dicts with their keys in the given order (fixed_dictionaries may shuffle them)."""
    keys = list(fields)
    return st.tuples(*fields.values()).map(lambda values: dict(zip(keys, values, strict=True)))


def _payloads(text: Any, number: Any, listing: Any) -> Any:
    definitions = _ordered(
        {
            "application_id": text,
            "participants": listing(
                _ordered({"wallet_address": text, "signature_weight": number}), max_size=4
            ),
            "quorum": number,
            "nonce": text | number,
        }
    )
    updates = _ordered(
        {
            "app_session_id": text,
            "intent": number,
            "version": text | number,
            "allocations": listing(
                _ordered({"participant": text, "asset": text, "amount": text}), max_size=3
            ),
            "session_data": text,
        }
    )
    signatures = listing(text, max_size=3)
    return (
        _ordered({"definition": definitions, "session_data": text, "quorum_sigs": signatures})
        | _ordered({"definition": definitions, "session_data": text})
        | _ordered({"quorum_sigs": signatures, "app_state_update": updates})
    )


# Mostly the exact shapes (the shortcut's), then the same with odd values anywhere (the general path's).
payloads = _payloads(texts, ints, st.lists) | _payloads(
    texts | odd, ints | odd, lambda inner, max_size: st.lists(inner, max_size=max_size) | odd
)


def _reordered(value: Any, flip: bool) -> Any:
    """The same dict with its keys in reverse order (nested order is part of the text)."""
    if flip and isinstance(value, dict):
        return {k: _reordered(value[k], flip) for k in reversed(list(value))}
    return value


def _general_frame(kind: int, request_id: int, method: str, payload: dict[str, Any], timestamp: int) -> str:
    """The frame as the general encoder writes it: no payload shortcut, no whole-frame writer."""
    return f"[{kind},{request_id},{go_json(method)},{encode_payload_generic(payload)},{timestamp}]"


frame_kinds = st.sampled_from([1, 2, 3, 4, FrameKind.REQUEST, FrameKind.ERROR, "req", "event"])
_KINDS = {FrameKind.REQUEST: 1, FrameKind.ERROR: 4, "req": 1, "event": 3}
uint64s = st.integers(min_value=0, max_value=2**64 - 1)
methods = st.sampled_from(["app_sessions.v1.create_app_session", "m<&>", "\u2028"])


@settings(max_examples=400, deadline=None)
@given(payloads, st.booleans(), frame_kinds, uint64s, methods, uint64s)
def test_direct_payload_text_equals_the_general_encoder(
    payload: dict[str, Any], flip: bool, kind: Any, request_id: int, method: str, timestamp: int
) -> None:
    _same_texts(_reordered(payload, flip), kind, request_id, method, timestamp)


def test_the_shortcut_takes_the_shapes_we_send() -> None:
    definition = {
        "application_id": "chess-v1",
        "participants": [{"wallet_address": B, "signature_weight": 1}],
        "quorum": 1,
        "nonce": "7",
    }
    text = payload_text({"definition": definition, "session_data": "<x>", "quorum_sigs": ["0xa1"]})
    assert text is not None
    assert text.startswith('{"definition":{"application_id":"chess-v1","participants":[{"wallet_address"')
    # Go's escapes are the caller's, on the whole text, as on the general path.
    assert encode_payload({"definition": definition, "session_data": "<x>"}).endswith(
        '"session_data":"\\u003cx\\u003e"}'
    )
    assert payload_text({"definition": definition, "session_data": "", "quorum_sigs": [1]}) is None


def _definition(wallets: list[Any], weights: list[Any], nonce: str = "1") -> dict[str, Any]:
    return {
        "application_id": "app",
        "participants": [
            {"wallet_address": w, "signature_weight": s} for w, s in zip(wallets, weights, strict=True)
        ],
        "quorum": 1,
        "nonce": nonce,
    }


def test_cached_participants_never_let_a_bad_one_through() -> None:
    good = _definition([A, B], [1, 1])
    first = create_session_hash(good, "")
    assert create_session_hash(_definition([A, B], [1, 1], nonce="1"), "") == first
    # Same wallets, other weights: another entry, another hash.
    assert create_session_hash(_definition([A, B], [1, 2]), "") != first
    with pytest.raises(ProtocolError, match="signature_weight"):
        create_session_hash(_definition([A, B], [1, 256]), "")
    with pytest.raises(AddressError, match="40 hex"):
        create_session_hash(_definition([A, B[:-1] + "g"], [1, 1]), "")
    with pytest.raises(ProtocolError, match="signature_weight"):
        create_session_hash(_definition([A, B], [1, True]), "")  # True == 1, but not a uint8 to Go


def test_signing_caches_stay_bounded() -> None:
    for i in range(models._PARTICIPANTS_MAX + 10):
        wallet = "0x" + i.to_bytes(20, "big").hex()
        create_session_hash({**_definition([wallet], [1]), "application_id": f"app-{i}"}, f"data {i}")
    assert len(models._PARTICIPANTS) <= models._PARTICIPANTS_MAX
    assert len(abi.STRING_TAILS) <= abi.MAX_CACHED_STRINGS
    assert len(app_session._PARTICIPANTS_TAILS) <= app_session._MAX_CACHED_TAILS
    long_data = "x" * (abi.MAX_CACHED_STRING_CHARS + 1)
    create_session_hash(_definition([A], [1]), long_data)
    assert long_data not in abi.STRING_TAILS


def test_a_hash_with_spaces_is_not_signed_as_a_shorter_one() -> None:
    # bytes.fromhex skips spaces: "0x" and 64 characters can hold fewer than 32 bytes.
    spaced = "0x" + "ab " * 21 + "a"
    assert len(spaced) == 66
    with pytest.raises(SignatureError, match="not hex"):
        quorum_signature(spaced, KEY)


wallets = st.sampled_from([A, B, A.lower(), A.upper().replace("0X", "0x"), "0X" + B[2:], B[:-1] + "g"])
weights = st.integers(min_value=0, max_value=300) | st.sampled_from([True, 1.0])
nonces = (
    st.integers(min_value=0, max_value=2**64 + 5).map(str)
    | st.integers(min_value=-1, max_value=2**64)
    | st.sampled_from(["007", "", " 1", "1_0", "\u0661", "-0", "9" * 21, True])
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["chess-v1", "<&>", "\ud800", "é"]),
    st.lists(st.tuples(wallets, weights), max_size=4),
    st.integers(min_value=0, max_value=256),
    st.lists(nonces, min_size=1, max_size=3),
    texts,
)
def test_known_definitions_hash_and_frame_as_the_general_path(
    app: str, people: list[Any], quorum: int, nonce_list: list[Any], data: str
) -> None:
    """Each create of the same definition but its nonce (the cached entry's case) equals the
    general readers' hash and the general encoder's text, its signature included."""
    for nonce in nonce_list:
        definition = {
            "application_id": app,
            "participants": [{"wallet_address": w, "signature_weight": s} for w, s in people],
            "quorum": quorum,
            "nonce": nonce,
        }
        try:
            expected = (
                "0x" + app_session.create_session_hash_bytes(models.parse_definition(definition), data).hex()
            )
        except ProtocolError:
            with pytest.raises(ProtocolError):
                create_session_hash(definition, data)
            own = quorum_signature(b"\1" * 32, KEY)  # the frame writer's shortcut still applies
        else:
            got = create_session_hash(definition, data)
            assert got == expected
            memo = quorum_signature(got, KEY)
            assert memo == quorum_signature(bytes.fromhex(got[2:]), KEY)  # not read back from the memo
            own = quorum_signature(got, KEY)  # the last one made: the writer quotes it unchecked
        for sigs in ([own], [own[:-2] + "<>"], [own, own], [], [own[:-1] + own[-1]]):
            _same_texts({"definition": definition, "session_data": data, "quorum_sigs": sigs})
        _same_texts({"definition": definition, "session_data": data})


def _same_texts(
    payload: dict[str, Any],
    kind: Any = "req",
    request_id: int = 7,
    method: str = "app_sessions.v1.create_app_session",
    timestamp: int = 2**64 - 1,
) -> None:
    """Payload and frame text as the general encoder writes them (or both refused)."""
    try:
        expected = encode_payload_generic(payload)
    except ProtocolError:
        with pytest.raises(ProtocolError):
            encode_payload(payload)
        with pytest.raises(ProtocolError):
            encode_frame(kind, request_id, method, payload, timestamp)
        return
    assert encode_payload(payload) == expected
    # The whole-frame writer (a known create in one f-string) writes the same frame.
    assert encode_frame(kind, request_id, method, payload, timestamp) == _general_frame(
        _KINDS.get(kind, kind), request_id, method, payload, timestamp
    )


def test_the_whole_frame_writer_takes_each_nonce_and_signature_as_the_general_encoder() -> None:
    create_session_hash(_definition([A, B], [1, 1], nonce="5"), "d")  # now known
    own = quorum_signature(b"\2" * 32, KEY)
    for nonce in ("5", "<5>", "\u2028", 5, 2**70, True, None, 1.5):
        for sigs in ([own], [own[:-1] + own[-1]], ["<&>"], [5]):
            _same_texts(
                {
                    "definition": _definition([A, B], [1, 1], nonce=nonce),
                    "session_data": "d",
                    "quorum_sigs": sigs,
                }
            )


def test_a_known_definition_with_an_equal_but_odd_value_is_not_served_the_cached_entry() -> None:
    good = _definition([A, B], [1, 1], nonce="5")
    create_session_hash(good, "")  # now known
    for odd_weight in (True, 1.0):
        with pytest.raises(ProtocolError, match="signature_weight"):
            create_session_hash(_definition([A, B], [1, odd_weight], nonce="5"), "")
    payload = {"definition": _definition([A, B], [1, True], nonce="5"), "session_data": "", "quorum_sigs": []}
    assert '"signature_weight":true' in encode_payload(payload)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(wallets, weights, st.booleans()), max_size=3),
    st.permutations(["application_id", "participants", "quorum", "nonce"]),
    st.sampled_from([None, "no nonce", "extra key", "no wallet", "extra wallet key"]),
    nonces,
)
def test_the_hash_reads_a_definition_in_any_key_order_as_the_general_path(
    people: list[Any], order: list[str], odd: str | None, nonce: Any
) -> None:
    """The hash's cached lookup goes by field name (no key-order check): any order, a missing or
    an extra key, hashes (or fails) as the general readers do, first sight and cached alike; and
    an entry learned from an out-of-order definition frames a wire-order one as the encoder does."""
    participants = []
    for wallet, weight, flip in people:
        entry = {"wallet_address": wallet, "signature_weight": weight}
        if odd == "no wallet":
            del entry["wallet_address"]
            entry["wallet"] = wallet
        elif odd == "extra wallet key":
            entry["x"] = 1
        participants.append(dict(reversed(entry.items())) if flip else entry)
    fields = {"application_id": "chess-v1", "participants": participants, "quorum": 1, "nonce": nonce}
    definition = {key: fields[key] for key in order}
    if odd == "no nonce":
        del definition["nonce"]
        definition["nonces"] = nonce
    elif odd == "extra key":
        definition["extra"] = 1
    for _ in range(2):  # first sight, then the cached entry
        try:
            expected = (
                "0x" + app_session.create_session_hash_bytes(models.parse_definition(definition), "d").hex()
            )
        except ProtocolError:
            with pytest.raises(ProtocolError):
                create_session_hash(definition, "d")
            continue
        assert create_session_hash(definition, "d") == expected
    wire = {key: fields[key] for key in ("application_id", "participants", "quorum", "nonce")}
    for value in (definition, wire):
        payload = {"definition": value, "session_data": "d", "quorum_sigs": ["0xa1"]}
        try:
            generic = encode_payload_generic(payload)
        except ProtocolError:
            continue
        assert encode_payload(payload) == generic

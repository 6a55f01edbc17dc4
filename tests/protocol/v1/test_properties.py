"""Properties: the unrolled ABI encodings equal the generic encoder, frames round-trip."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol.v1 import decode_frame, encode_frame
from nitro_desktop.protocol.v1.app_session import fast_encodings, generic_encodings

addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
texts = st.text(max_size=80)
amounts = st.builds(
    lambda sign, whole, frac: f"{sign}{whole}{'.' + frac if frac else ''}",
    st.sampled_from(["", "-", "+"]),
    st.integers(min_value=0, max_value=10**30),
    st.text(alphabet="0123456789", max_size=20),
)
definitions = st.fixed_dictionaries(
    {
        "application_id": texts,
        "participants": st.lists(
            st.fixed_dictionaries(
                {"wallet_address": addresses, "signature_weight": st.integers(min_value=0, max_value=255)}
            ),
            max_size=6,
        ),
        "quorum": st.integers(min_value=0, max_value=255),
        "nonce": st.integers(min_value=0, max_value=2**64 - 1).map(str),
    }
)
updates = st.fixed_dictionaries(
    {
        "app_session_id": st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()),
        "intent": st.integers(min_value=0, max_value=3),
        "version": st.integers(min_value=0, max_value=2**64 - 1).map(str),
        "allocations": st.lists(
            st.fixed_dictionaries({"participant": addresses, "asset": texts, "amount": amounts}), max_size=5
        ),
        "session_data": texts,
    }
)


@settings(max_examples=150, deadline=None)
@given(definitions, texts, updates)
def test_unrolled_encodings_equal_the_generic_abi_encoder(
    definition: dict[str, Any], session_data: str, update: dict[str, Any]
) -> None:
    assert fast_encodings(definition, session_data, update) == generic_encodings(
        definition, session_data, update
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=0, max_value=2**64 - 1),
    st.text(max_size=30),
    st.dictionaries(st.text(max_size=10), json_values, max_size=5),
    st.integers(min_value=0, max_value=2**64 - 1),
)
def test_frames_round_trip(kind: int, request_id: int, method: str, payload: dict[str, Any], ts: int) -> None:
    text = encode_frame(kind, request_id, method, payload, ts)
    frame = decode_frame(text)
    assert (frame.kind, frame.request_id, frame.method, frame.payload, frame.timestamp) == (
        kind,
        request_id,
        method,
        payload,
        ts,
    )
    assert frame.encode() == text

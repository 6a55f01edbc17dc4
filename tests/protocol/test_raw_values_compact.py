"""raw_values reads compact frames without a regex per token: the same result as the general reader."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol import ProtocolError
from nitro_desktop.protocol.canonical import _decimal_decoder, _decoder, _general_values, raw_values

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.text(max_size=12), st.floats(allow_nan=False)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.one_of(st.sampled_from(["res", "req", "sig", "sid", ""]), st.text(max_size=8))


def outcome(read: Any, text: str) -> Any:
    try:
        return ("ok", read(text))
    except ProtocolError as exc:
        return ("error", type(exc).__name__, str(exc))


@st.composite
def frames(draw: st.DrawFn) -> str:
    pairs = draw(st.lists(st.tuples(keys, values), max_size=4))
    parts = [
        json.dumps(k, ensure_ascii=draw(st.booleans()))
        + ":"
        + json.dumps(v, separators=(",", ":"), ensure_ascii=draw(st.booleans()))
        for k, v in pairs
    ]
    text = "{" + ",".join(parts) + "}"
    cut = draw(st.integers(0, len(text)))
    edit = draw(st.sampled_from(["none", "none", "space", "delete", "insert", "truncate"]))
    if edit == "space":
        text = text[:cut] + " " + text[cut:]
    elif edit == "delete":
        text = text[:cut] + text[cut + 1 :]
    elif edit == "insert":
        text = (
            text[:cut]
            + draw(st.sampled_from(['"', ":", ",", "}", "{", "\\", "\x01", "1.5", "]"]))
            + text[cut:]
        )
    elif edit == "truncate":
        text = text[:cut]
    return text


@settings(max_examples=600, deadline=None)
@given(text=frames(), decimals=st.booleans())
@example(text='{"res":[1,"pong",[],2],"sig":["0xab"]}', decimals=False)
@example(text='{"a":1,"a":2}', decimals=False)
@example(text='{"":1}', decimals=False)
@example(text='{"a\\"b":1}', decimals=False)
@example(text='{"a":1}}', decimals=False)
@example(text='{"a":1.5}', decimals=False)
@example(text='{"a":1.5}', decimals=True)
@example(text='{"a":1,"b"}', decimals=False)
def test_compact_frames_read_as_the_general_reader_reads_them(text: str, decimals: bool) -> None:
    decoder = _decimal_decoder if decimals else _decoder
    fast = outcome(lambda t: raw_values(t, decimals=decimals), text)
    general = outcome(lambda t: _general_values(t, decoder), text)
    assert fast == general
    if fast[0] == "ok":
        assert list(fast[1]) == list(general[1])  # key order too

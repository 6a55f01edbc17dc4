"""v1 frames: Go's bytes, round trips, and bounds on hostile input."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.v1 import Frame, FrameKind, V1FrameError, decode_frame, encode_frame, error_frame
from nitro_desktop.protocol.v1.frames import MAX_DEPTH, SERVER_MAX_MESSAGE_SIZE


def test_frames_round_trip_and_keep_nested_order() -> None:
    payload = {"z": {"b": 1, "a": [None, True, "<&>"]}, "a": "\u2028é😀\x01"}
    text = encode_frame(1, 2**64 - 1, "node.v1.ping", payload, 2**64 - 1)
    assert text == (
        '[1,18446744073709551615,"node.v1.ping",{"a":"\\u2028é😀\\u0001",'
        '"z":{"b":1,"a":[null,true,"\\u003c\\u0026\\u003e"]}},18446744073709551615]'
    )
    frame = decode_frame(text)
    assert frame == Frame(1, 2**64 - 1, "node.v1.ping", payload, 2**64 - 1)
    assert decode_frame(text.encode()) == frame
    assert encode_frame("req", 1, "m", None, 0) == '[1,1,"m",{},0]'
    assert json.loads(error_frame(3, "x", "boom", 9)) == [4, 3, "x", {"error": "boom"}, 9]
    assert decode_frame(error_frame(3, "x", "boom", 9)).error == "boom"
    assert decode_frame('[2,3,"x",{"error":"boom"},9]').error is None
    assert FrameKind.EVENT == decode_frame('[3,0,"e",{},1]').kind


_LOOP: list[Any] = []
_LOOP.append(_LOOP)
_DEEP: list[Any] = []
for _ in range(100_000):
    _DEEP = [_DEEP]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((5, 1, "m", {}, 0), "frame kind"),
        (("nope", 1, "m", {}, 0), "frame kind"),
        ((1, -1, "m", {}, 0), "request_id"),
        ((1, 2**64, "m", {}, 0), "request_id"),
        ((1, 1, "m", {}, -1), "timestamp"),
        ((1, 1, 5, {}, 0), "method must be a string"),
        ((1, 1, "m", [], 0), "JSON object"),
        ((1, 1, "m", {1: 2}, 0), "keys must be strings"),
        ((1, 1, "m", {"amount": 1.5}, 0), "floats"),
        ((1, 1, "m", {"amount": float("nan")}, 0), "floats"),
        ((1, 1, "m", {"loop": _LOOP}, 0), "contains itself"),
        ((1, 1, "m", {"deep": _DEEP}, 0), "nested deeper than 32"),
    ],
)
def test_encode_frame_refuses_what_go_could_not_marshal(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        encode_frame(*args)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[1,1,"m",{},1' + "]" * 1, None),
        ("[" * 5000 + "]" * 5000, "nested deeper"),
        ('[1,1,"m",{"a":"' + "[" * 100 + '"},1]', None),
        ('[1,1,"m",' + '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1) + ",1]", "nested deeper"),
        ('[1,1,"m",{"a":[' + ",".join(["0"] * 10_001) + "]},1]", "more than 10000 entries"),
        ('[1,1,"m",{"a":' + "9" * 41 + "},1]", "more than 40 digits"),
        ('[1,1,"m",{"a":1' + "0" * 101 + ".5},1]", "more than 100 characters"),
        ('[1,1,"m",{"a":NaN},1]', "not JSON"),
        ('[1,1,"' + "m" * 200 + '",{},1]', "longer than 128"),
        ("x" * (SERVER_MAX_MESSAGE_SIZE + 1), "larger than"),
    ],
)
def test_decode_frame_bounds_hostile_input(text: str, message: str | None) -> None:
    if message is None:
        assert decode_frame(text, max_size=SERVER_MAX_MESSAGE_SIZE).method == "m"
        return
    with pytest.raises(V1FrameError, match=message):
        decode_frame(text, max_size=SERVER_MAX_MESSAGE_SIZE)


def test_decode_frame_reports_the_request_id_go_had_read() -> None:
    with pytest.raises(V1FrameError) as caught:
        decode_frame('[1,77,"m",[],1]')
    assert caught.value.request_id == 77
    assert "invalid params" in str(caught.value)
    with pytest.raises(V1FrameError) as caught:
        decode_frame('[1,-0,"m",{},1]')
    assert caught.value.request_id == 0 and "-0" in str(caught.value)
    # Go leaves zero values for nulls and accepts any uint8 type.
    assert decode_frame("[1,null,null,null,null]") == Frame(1, 0, "", {}, 0)
    assert decode_frame('[255,1,"m",{},1]').kind == 255
    # Invalid UTF-8 inside a string becomes U+FFFD, as Go reads it.
    assert decode_frame(b'[1,1,"m\xff",{},1]').method == "m\ufffd"


def test_text_that_looks_like_a_float_is_still_a_string_and_real_floats_are_refused() -> None:
    payload = {"session_data": '{"a":1.5,"b":[2e3]}', "note": ",7.5"}
    assert encode_frame(1, 1, "m", payload, 0) == (
        '[1,1,"m",{"note":",7.5","session_data":"{\\"a\\":1.5,\\"b\\":[2e3]}"},0]'
    )
    for hidden in ({"a": [1, {"b": 0.5}]}, {"a": 1e20}, {"a": [-2.0]}):
        with pytest.raises(ProtocolError, match="floats"):
            encode_frame(1, 1, "m", hidden, 0)


def test_deep_frames_fail_cleanly_even_with_a_raised_recursion_limit() -> None:
    # eth-account (through py_ecc) raises the limit to 100000; the C JSON parser and encoder
    # would then recurse until the C stack overflows and the process dies.
    original = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)
    try:
        with pytest.raises(V1FrameError, match="nested deeper"):
            decode_frame("[" * 1_000_000 + "]" * 1_000_000, max_size=4_000_000)
        with pytest.raises(V1FrameError, match="nested deeper"):
            decode_frame('[1,1,"m",{"a":' + "[" * 1_000_000 + "]" * 1_000_000 + "},1]", max_size=4_000_000)
        with pytest.raises(ProtocolError, match="nested deeper"):
            encode_frame(1, 1, "m", {"deep": _DEEP}, 0)
    finally:
        sys.setrecursionlimit(original)

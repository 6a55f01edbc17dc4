"""Property tests: canonical JSON round-trips, sign/recover, and parsers that never crash."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol import (
    Dialect,
    ProtocolError,
    RawKeySigner,
    encode_request,
    js_json,
    parse_request_frame,
    parse_server_message,
    recover_signers,
    sign_request,
)

# All of Unicode, lone surrogates included (JSON.stringify must escape those).
any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=40)
json_leaf = st.none() | st.booleans() | st.integers(min_value=-(2**200), max_value=2**200) | any_text
json_value = st.recursive(
    json_leaf,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(any_text, children, max_size=5),
    max_leaves=25,
)
keys = st.binary(min_size=32, max_size=32).filter(
    lambda b: (
        0 < int.from_bytes(b, "big") < 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    )
)


@given(json_value)
def test_canonical_json_round_trips(value: Any) -> None:
    text = js_json(value)
    assert json.loads(text) == value
    assert js_json(json.loads(text)) == text
    # Compact and raw: no spaces outside strings and no ASCII escapes of non-ASCII text.
    text.encode("utf-8")  # lone surrogates were escaped, so this cannot fail


@given(st.integers(min_value=1, max_value=2**64 - 1), any_text.filter(bool), json_value, keys)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_sign_then_recover_gives_the_signer(request_id: int, method: str, params: Any, key: bytes) -> None:
    signer = RawKeySigner(key)
    frame = sign_request(request_id, method, params, 1735689600000, [signer])
    assert recover_signers(frame) == [signer.address]
    parsed = parse_request_frame(frame)
    assert parsed.raw_req == encode_request(request_id, method, params, 1735689600000)


@given(st.binary(max_size=300))
def test_random_bytes_only_raise_protocol_error(blob: bytes) -> None:
    for dialect in Dialect:
        try:
            parse_server_message(blob, dialect)
        except ProtocolError:
            pass
    try:
        parse_request_frame(blob.decode("utf-8", "replace"))
    except ProtocolError:
        pass


server_frames = st.fixed_dictionaries(
    {
        "res": st.one_of(
            st.tuples(
                st.integers(min_value=-5, max_value=2**65),
                st.sampled_from(
                    [
                        "error",
                        "bu",
                        "asu",
                        "assets",
                        "channels",
                        "cu",
                        "tr",
                        "auth_challenge",
                        "auth_verify",
                        "get_config",
                        "get_assets",
                        "get_app_sessions",
                        "create_app_session",
                        "get_ledger_balances",
                        "pong",
                        "get_app_definition",
                        "transfer",
                        "whatever",
                    ]
                ),
                json_value,
                st.integers(min_value=-5, max_value=2**65),
            ).map(list),
            json_value,
        ),
        "sig": st.one_of(st.lists(any_text, max_size=2), json_value),
    }
)


@given(server_frames)
@settings(max_examples=300)
def test_random_json_frames_only_raise_protocol_error(frame: dict[str, Any]) -> None:
    text = json.dumps(frame)
    for dialect in Dialect:
        try:
            message = parse_server_message(text, dialect)
        except ProtocolError:
            continue
        assert message.frame.method == frame["res"][1]
    try:
        recover_signers(text)
    except ProtocolError:
        pass


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed: no JSON.stringify to compare with")
@given(st.lists(json_value, min_size=1, max_size=30))
@settings(max_examples=15, deadline=None)
def test_matches_javascript_json_stringify(values: list[Any]) -> None:
    """Our bytes are JavaScript's bytes (the SDK signs JSON.stringify output)."""
    # Values travel to node as JSON with \\u escapes (ASCII), so node parses the same values.
    payload = json.dumps(values, ensure_ascii=True)
    script = (
        "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{"
        "const vs=JSON.parse(s);process.stdout.write(JSON.stringify(vs.map(v=>JSON.stringify(v))))})"
    )
    # Big integers lose precision in JS numbers; compare only JS-safe values.
    if any(_has_unsafe_int(v) for v in values):
        values = [v for v in values if not _has_unsafe_int(v)]
        payload = json.dumps(values, ensure_ascii=True)
    out = subprocess.run([NODE, "-e", script], input=payload.encode(), capture_output=True, check=True)
    expected = json.loads(out.stdout)
    assert [js_json(v) for v in values] == expected


def _has_unsafe_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > 2**53 - 1
    if isinstance(value, list):
        return any(_has_unsafe_int(v) for v in value)
    if isinstance(value, dict):
        return any(_has_unsafe_int(v) for v in value.values())
    return False

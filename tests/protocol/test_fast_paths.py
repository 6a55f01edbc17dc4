"""The signing hot path's shortcuts against the general code they stand in for.

js_json's C-encoder fast path, the direct keccak/libsecp256k1 calls and the
frame's signature quoting must give exactly the bytes (or the errors) of the
general path, for any input.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import coincurve
import pytest
from Crypto.Hash import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol import Dialect, ProtocolError, RawKeySigner, js_json
from nitro_desktop.protocol.canonical import _general_go_json, _general_js_json, _go_escapes, go_json
from nitro_desktop.protocol.crypto import keccak256
from nitro_desktop.protocol.dialect import spec
from nitro_desktop.protocol.frames import frame_from_req

any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=12)
# Keys that JavaScript moves (array indices) or that only look like them.
tricky_key = st.sampled_from(["0", "1", "10", "01", "4294967295", "4294967294", "1a", "²", "-1", ""])
leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | any_text
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
)
value = st.recursive(
    leaf,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(any_text | tricky_key | st.integers(0, 20), children, max_size=4)
    ),
    max_leaves=20,
)


def _outcome(fn: Any, arg: Any) -> tuple[str, str]:
    try:
        return ("ok", fn(arg))
    except ProtocolError as exc:
        return ("error", str(exc))


@given(value)
@settings(max_examples=400)
def test_js_json_fast_path_is_the_general_encoder(v: Any) -> None:
    assert _outcome(js_json, v) == _outcome(_general_js_json, v)


@given(value)
@settings(max_examples=400)
def test_go_json_fast_path_is_the_general_encoder(v: Any) -> None:
    # The node signs every response and notification over go_json: the shortcut must not show.
    assert _outcome(go_json, v) == _outcome(lambda x: _go_escapes(_general_go_json(x)), v)


def test_js_json_fast_path_refuses_what_the_general_one_refuses() -> None:
    for bad, words in [
        ({"a": [1, 2.5]}, "floats are not allowed"),
        ([Decimal(1)], "decimal amounts"),
        ({"a": object()}, "cannot encode object"),
    ]:
        with pytest.raises(ProtocolError, match=words):
            js_json(bad)
    assert js_json({"b": 1, "2": 2, "1": 3}) == '{"1":3,"2":2,"b":1}'


@given(st.binary(max_size=600))
def test_keccak256_is_pycryptodome_keccak(data: bytes) -> None:
    want = keccak.new(digest_bits=256, data=data).digest()
    assert keccak256(data) == want
    assert keccak256(bytearray(data)) == want


@given(st.binary(min_size=32, max_size=32))
@settings(max_examples=50)
def test_raw_signer_matches_coincurve(digest: bytes) -> None:
    key = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    sig = coincurve.PrivateKey(key).sign_recoverable(digest, hasher=None)
    assert RawKeySigner(key).unsafe_sign_hash(digest) == sig[:64] + bytes([sig[64] + 27])
    # The hex form (quorum signatures) is the same bytes, read from the same buffer.
    assert RawKeySigner(key).sign_hash_hex(digest) == (sig[:64] + bytes([sig[64] + 27])).hex()


def test_signing_and_hashing_from_many_threads_keep_their_buffers_apart() -> None:
    signer = RawKeySigner.generate()
    inputs = [bytes([i]) * (i + 1) for i in range(64)]
    expected = {d: (keccak256(d), signer.unsafe_sign_hash(keccak256(d))) for d in inputs}
    errors: list[str] = []

    def work() -> None:
        for _ in range(20):
            for d in inputs:
                h = keccak256(d)
                if (h, signer.unsafe_sign_hash(h)) != expected[d]:
                    errors.append(d.hex())
                if signer.sign_hash_hex(h) != expected[d][1].hex():
                    errors.append("hex " + d.hex())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_raw_signer_refuses_a_digest_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        RawKeySigner.generate().unsafe_sign_hash(b"\x01" * 31)
    with pytest.raises(ValueError, match="32 bytes"):
        RawKeySigner.generate().sign_hash_hex(b"\x01" * 31)


@given(st.lists(any_text, max_size=3))
def test_frame_quotes_signatures_as_json_does(sigs: list[str]) -> None:
    frame = frame_from_req("[1]", sigs)
    assert frame == '{"req":[1],"sig":[' + ",".join(json.dumps(s, ensure_ascii=False) for s in sigs) + "]}"


def test_spec_lookup_by_string_and_enum() -> None:
    assert spec("0.2") is spec(Dialect.V02)
    assert spec("0.5") is spec(Dialect.V05)
    with pytest.raises(ProtocolError, match="unknown dialect"):
        spec("0.9")

"""recover_address calls libsecp256k1 directly: the same answers as coincurve's own recovery."""

from __future__ import annotations

import coincurve
import pytest
from coincurve.utils import GROUP_ORDER_INT
from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol import SignatureError
from nitro_desktop.protocol.crypto import address_of_public_key, recover_address, sign_hash_with_key


def through_coincurve(digest: bytes, signature: str) -> str | None:
    """The general path recover_address took before: coincurve objects, then the address."""
    try:
        raw = bytes.fromhex(signature[2:])
    except ValueError:
        return None
    if len(raw) != 65 or raw[64] % 27 not in (0, 1) or raw[64] not in (0, 1, 27, 28):
        return None
    try:
        key = coincurve.PublicKey.from_signature_and_message(
            raw[:64] + bytes([raw[64] % 27]), digest, hasher=None
        )
    except Exception:
        return None
    return address_of_public_key(key)


def direct(digest: bytes, signature: str) -> str | None:
    try:
        return recover_address(digest, signature)
    except SignatureError:
        return None


keys = st.binary(min_size=32, max_size=32).filter(lambda k: 0 < int.from_bytes(k, "big") < GROUP_ORDER_INT)


@settings(max_examples=300, deadline=None)
@given(key=keys, digest=st.binary(min_size=32, max_size=32), v_offset=st.sampled_from([0, 27]))
def test_genuine_signatures_recover_the_same_address(key: bytes, digest: bytes, v_offset: int) -> None:
    sig = sign_hash_with_key(key, digest)
    sig = sig[:64] + bytes([sig[64] - 27 + v_offset])
    text = "0x" + sig.hex()
    expected = address_of_public_key(coincurve.PrivateKey(key).public_key)
    assert direct(digest, text) == through_coincurve(digest, text) == expected


@settings(max_examples=300, deadline=None)
@given(
    body=st.one_of(
        st.binary(min_size=64, max_size=64),
        st.sampled_from([b"\x00" * 64, b"\xff" * 64, b"\x00" * 32 + b"\x01" * 32]),
    ),
    v=st.sampled_from([0, 1, 2, 3, 26, 27, 28, 29, 255]),
    digest=st.binary(min_size=32, max_size=32),
)
def test_any_signature_gets_the_same_answer_or_the_same_refusal(body: bytes, v: int, digest: bytes) -> None:
    text = "0x" + (body + bytes([v])).hex()
    assert direct(digest, text) == through_coincurve(digest, text)


@pytest.mark.parametrize("digest", [b"", b"\x01" * 31, b"\x01" * 33])
def test_a_digest_of_the_wrong_length_is_refused(digest: bytes) -> None:
    sig = "0x" + sign_hash_with_key(b"\x01" * 32, b"\x02" * 32).hex()
    with pytest.raises(SignatureError):
        recover_address(digest, sig)

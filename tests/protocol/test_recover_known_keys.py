"""recover_address remembers the addresses of the last few public keys: same answers, bounded.

The memory is keyed on the recovered public key, so what a signature is accepted as
cannot change: a high-s twin (r, n-s, v^1) recovers the same key and address, a
flipped v recovers another key (another address), exactly as coincurve says.
"""

from __future__ import annotations

import threading

import coincurve
from coincurve.utils import GROUP_ORDER_INT
from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol import crypto
from nitro_desktop.protocol.crypto import recover_address, sign_hash_with_key
from tests.protocol.test_recover_direct import direct, through_coincurve

keys = st.binary(min_size=32, max_size=32).filter(lambda k: 0 < int.from_bytes(k, "big") < GROUP_ORDER_INT)
BROKER = b"\x42" * 32


def variants(sig: bytes) -> dict[str, str]:
    """The genuine signature and the malleated ones a peer can make from it without the key."""
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    other_v = 55 - v  # 27 <-> 28
    twin = r + (GROUP_ORDER_INT - s).to_bytes(32, "big")
    return {
        "genuine": "0x" + sig.hex(),
        "v flipped": "0x" + (sig[:64] + bytes([other_v])).hex(),
        "high-s twin": "0x" + (twin + bytes([other_v])).hex(),
        "high-s, v kept": "0x" + (twin + bytes([v])).hex(),
        "v as 0/1": "0x" + (sig[:64] + bytes([v - 27])).hex(),
    }


@settings(max_examples=150, deadline=None)
@given(digest=st.binary(min_size=32, max_size=32), other=keys)
def test_a_known_key_and_its_malleated_signatures_get_coincurves_answers(digest: bytes, other: bytes) -> None:
    broker = crypto.address_of_key(BROKER)
    recover_address(digest, "0x" + sign_hash_with_key(BROKER, digest).hex())  # the broker's key is known now
    for name, text in variants(sign_hash_with_key(BROKER, digest)).items():
        assert direct(digest, text) == through_coincurve(digest, text), name
    answers = {
        name: direct(digest, text) for name, text in variants(sign_hash_with_key(BROKER, digest)).items()
    }
    assert answers["genuine"] == answers["high-s twin"] == answers["v as 0/1"] == broker
    assert answers["v flipped"] != broker and answers["high-s, v kept"] != broker
    signed_by_other = "0x" + sign_hash_with_key(other, digest).hex()
    assert direct(digest, signed_by_other) == crypto.address_of_key(other)
    if other != BROKER:
        assert direct(digest, signed_by_other) != broker


def test_fresh_keys_only_evict_and_the_memory_stays_bounded() -> None:
    digest = b"\x07" * 32
    for i in range(1, 5 * crypto.MAX_KNOWN_ADDRESSES):
        key = i.to_bytes(32, "big")
        text = "0x" + sign_hash_with_key(key, digest).hex()
        assert recover_address(digest, text) == crypto.address_of_key(key) == through_coincurve(digest, text)
        assert len(crypto._known_addresses) <= crypto.MAX_KNOWN_ADDRESSES
    assert all(
        address == crypto.address_of_public_key(coincurve.PublicKey(b"\x04" + key))
        for key, address in crypto._known_addresses.items()
    )


def test_threads_recovering_at_once_get_the_right_addresses() -> None:
    digest = b"\x09" * 32
    signed = [
        (k, "0x" + sign_hash_with_key(k, digest).hex()) for k in (i.to_bytes(32, "big") for i in range(1, 41))
    ]
    wrong: list[str] = []

    def work() -> None:
        for _ in range(5):
            for key, text in signed:
                if recover_address(digest, text) != crypto.address_of_key(key):
                    wrong.append(text)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []

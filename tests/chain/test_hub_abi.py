"""Revert data from a peer we do not trust, decoded into sentences without echoing it raw."""

from __future__ import annotations

from eth_abi.abi import encode

from nitro_desktop.chain import decode_revert
from nitro_desktop.chain.hub_abi import _ERRORS, ERRORS_BY_SELECTOR, selector


def test_every_error_has_its_own_selector() -> None:
    assert len(ERRORS_BY_SELECTOR) == len(_ERRORS)


def test_custom_errors_with_arguments() -> None:
    data = selector("ValidatorNotActive", ("uint8", "uint64")) + encode(["uint8", "uint64"], [3, 1700000000])
    assert decode_revert(data) == (
        "ValidatorNotActive",
        "the signature's validator is not active yet (ValidatorNotActive(3, 1700000000))",
    )


def test_error_string_is_cut_and_cleaned() -> None:
    data = selector("Error", ("string",)) + encode(["string"], ["bad\x1b[31m thing" + "x" * 500])
    name, sentence = decode_revert(data)
    assert name == "Error"
    assert "\x1b" not in sentence and len(sentence) < 260


def test_panic_and_unknown_and_truncated() -> None:
    assert decode_revert(selector("Panic", ("uint256",)) + encode(["uint256"], [0x11]))[1] == (
        "the contract stopped on an arithmetic overflow or underflow"
    )
    assert decode_revert(b"\xde\xad\xbe\xef") == (
        "unknown",
        "the contract refused it with an unknown error (0xdeadbeef)",
    )
    assert decode_revert(b"") == ("unknown", "the contract refused it without giving a reason")
    truncated = selector("NativeTransferFailed", ("address", "uint256")) + b"\x00" * 10
    assert decode_revert(truncated)[0] == "unknown"

"""The list's EIP-55 (safe-pysha3 straight, no coincurve) is the protocol's EIP-55."""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from nitro_desktop.protocol.crypto import keccak256, to_checksum_address
from nitro_desktop.ui import checksum

hex40 = st.text("0123456789abcdefABCDEF", min_size=40, max_size=40)


@given(st.binary(max_size=300))
def test_the_lists_keccak_is_the_protocols_keccak(data: bytes) -> None:
    assert checksum.keccak256(data) == keccak256(data)


@given(hex40)
def test_an_address_shows_as_the_protocol_checksums_it_and_a_refused_one_as_typed(body: str) -> None:
    text = "0x" + body
    try:
        expected = to_checksum_address(text)
    except ValueError:
        expected = text  # a mixed-case address with a wrong checksum is shown as stored
    assert checksum.eip55(text) == expected


@given(st.text(max_size=120))
def test_what_is_not_an_address_shows_as_stored(text: str) -> None:
    try:
        expected = to_checksum_address(text[:100])
    except ValueError:
        expected = text[:100]
    assert checksum.eip55(text) == expected


def test_the_list_checksums_without_loading_cffi_coincurve_or_pycryptodome() -> None:
    # In a fresh interpreter, as the app starts: the list's first rows are checksummed
    # without the cffi set-up behind coincurve and Crypto.Hash.keccak.
    script = (
        "import sys\n"
        "from nitro_desktop.ui import checksum\n"
        "print(checksum.eip55('0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'))\n"
        "loaded = sorted(m for m in ('Crypto', 'cffi', 'coincurve') if m in sys.modules)\n"
        "print('_pysha3' in sys.modules, loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert out.stdout.splitlines() == ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "True []"], out.stderr

"""A hostile, deeply nested frame is refused, not a crash of the whole process.

eth-account's py_ecc raises the recursion limit to 100000 on import, after which the C JSON parser
would recurse until the C stack overflows (segfault) on a few hundred thousand "[". Run in a child
process so a regression shows as a dead child, not a dead test run.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from nitro_desktop.protocol.nesting import nesting_within

CHILD = """
import sys
sys.setrecursionlimit(100000)  # what importing py_ecc does
from nitro_desktop.protocol import canonical
from nitro_desktop.protocol.errors import FrameFormatError
deep = "[" * 400000 + "]" * 400000
for parse in (canonical.loads, canonical.raw_values):
    try:
        parse('{"res": ' + deep + "}")
    except FrameFormatError as exc:
        print(parse.__name__, exc)
"""


def test_a_deep_frame_is_a_format_error_even_with_a_raised_recursion_limit() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [
        "loads frame is nested deeper than 64 levels",
        "raw_values frame is nested deeper than 64 levels",
    ]


@pytest.mark.parametrize(
    ("text", "limit", "within"),
    [
        ("[[[]]]", 3, True),
        ("[[[]]]", 2, False),
        ('["[[[[[[", {"a": "]]]]{{{"}]', 2, True),  # brackets inside strings do not count
        ('["\\"[[[[", [[]]]', 3, True),  # an escaped quote does not end the string
        ('["\\"[[[[", [[]]]', 2, False),
        ("{}" * 1000, 1, True),
    ],
)
def test_nesting_is_counted_outside_strings(text: str, limit: int, within: bool) -> None:
    assert nesting_within(text, limit) is within

"""How deep a JSON text nests, found without parsing it.

Python's C JSON parser recurses once per level and is bounded only by ``sys.getrecursionlimit()``,
which py_ecc (pulled in by eth-account) raises to 100000 on import. From then on a hostile frame of a
few hundred thousand ``[`` overflows the C stack and kills the process instead of raising. Every
parser of peer text asks this module first.
"""

from __future__ import annotations

import re
from itertools import accumulate

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_within(text: str, limit: int) -> bool:
    """True when no container in ``text`` is more than ``limit`` levels deep (strings skipped)."""
    if text.count("[") + text.count("{") <= limit:
        return True  # cannot be deeper than its number of openings
    skeleton = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, skeleton)), default=0) <= limit

"""PySide6's per-import check, answered from the file's bytes instead of ``inspect.getsource``.

Once PySide6 is loaded, every ``import`` statement goes through shiboken's ``__feature_import__``:
the first time a module comes back from one, ``shibokensupport.feature._mod_uses_pyside`` asks
whether its source text contains "PySide6" (that is how ``from __feature__ import snake_case``
knows which modules to switch). It gets that text through ``inspect.getsource``: linecache,
tokenize and a list of lines per module, ~0.1–0.8 ms each, ~60 modules before the first rows.

``install`` (called once, by app.py, right after PySide6 loads) puts a check in its place that
reads the file's bytes when that gives the same answer: a module whose ``__file__`` is an absolute
path to a ``.py`` file, with no coding cookie (so UTF-8, or its BOM), not already in linecache.
In UTF-8 the ASCII word appears in the text exactly when it appears in the bytes, and a file that
is not valid UTF-8 has no source for inspect either (False). Anything else — built-ins, extension
modules, bytecode-only or zipped modules, a cookie, any error — is answered by PySide's own check.
If PySide's internals are not the ones this was written against, nothing is replaced.
"""

from __future__ import annotations

import linecache
import os
import sys
import types
from collections.abc import Callable

_SOURCE_SUFFIX = ".py"
_WORD = "PySide6"
_WORD_BYTES = _WORD.encode()


def _from_bytes(module: object) -> bool | None:
    """The answer inspect.getsource would give, or None when only that can tell."""
    if type(module) is not types.ModuleType or hasattr(module, "__wrapped__"):
        return None
    path = getattr(module, "__file__", None)
    if type(path) is not str or not path.endswith(_SOURCE_SUFFIX) or not os.path.isabs(path):
        return None
    if path in linecache.cache:  # inspect would answer from the cached lines
        return None
    try:
        with open(path, "rb", buffering=0) as f:
            data = f.readall()
    except OSError:
        return None
    first = data.find(b"\n")
    second = -1 if first < 0 else data.find(b"\n", first + 1)
    if b"coding" in (data if second < 0 else data[:second]):  # a PEP 263 cookie may name another codec
        return None
    if _WORD_BYTES not in data:
        return False  # UTF-8 or not source at all: False either way
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False  # tokenize refuses it: inspect finds no source
    return True


def _replaceable(feature: types.ModuleType) -> Callable[[object], bool] | None:
    """PySide's check, when it is the one this module answers for, else None."""
    original = getattr(feature, "_mod_uses_pyside", None)
    imported = getattr(feature, "feature_imported", None)
    code = getattr(original, "__code__", None)
    if (
        code is None
        or not isinstance(getattr(feature, "pyside_feature_dict", None), dict)
        # feature_imported must look the check up by name, and the check must search the
        # source that inspect gives for this word: otherwise leave PySide as it is.
        or "_mod_uses_pyside" not in getattr(getattr(imported, "__code__", None), "co_names", ())
        or "getsource" not in code.co_names
        or _WORD not in code.co_consts
    ):
        return None
    return original


def install() -> bool:
    """Answer PySide6's per-import check from the bytes where that is exact; True when installed."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None:
        return False
    original = _replaceable(feature)
    if original is None:
        return False

    def uses_pyside(module: object) -> bool:
        try:
            answer = _from_bytes(module)
        except Exception:  # PySide's own check decides then
            answer = None
        return original(module) if answer is None else answer

    uses_pyside.original = original  # type: ignore[attr-defined]  # for the tests' comparison
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True

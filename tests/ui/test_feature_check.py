"""The cheap per-import check (ui.feature_check) gives PySide6's own answer, and snake_case still works.

The replacement is installed by app.py only; these tests compare it with PySide's check in this
process without installing it, and install it in child processes.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import types
from pathlib import Path

import PySide6.QtCore  # noqa: F401  (loads shibokensupport.feature)
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.ui import feature_check

_names = itertools.count()


def _pyside_check() -> types.FunctionType:
    check = sys.modules["shibokensupport.feature"]._mod_uses_pyside
    return getattr(check, "original", check)  # type: ignore[no-any-return]


def _module_at(path: Path) -> types.ModuleType:
    module = types.ModuleType(path.stem)
    module.__file__ = str(path)
    return module


_COOKIES = ("utf-8", "latin-1", "ascii", "cp037", "utf-16", "no-such-codec", "utf8")
_PIECES = st.one_of(
    st.text(max_size=30).map(lambda t: t.encode("utf-8")),
    st.text(max_size=30).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(alphabet=st.characters(max_codepoint=255), max_size=30).map(lambda t: t.encode("latin-1")),
    st.binary(max_size=12),
    st.sampled_from([b"PySide6", b"PySide", b"from PySide6.QtCore import Qt", b"P\xc3\xbdSide6", b"\x00"]),
    st.sampled_from([b"\n", b"\r\n", b"\r", b"# -*- coding: latin-1 -*-\n"]),
)


@st.composite
def _sources(draw: st.DrawFn) -> bytes:
    head = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    cookie = draw(st.sampled_from((None, *_COOKIES)))
    if cookie is not None:
        line = f"# -*- coding: {cookie} -*-\n".encode()
        head += line if draw(st.booleans()) else b"#!/usr/bin/env python3\n" + line
    return head + b"".join(draw(st.lists(_PIECES, max_size=12)))


@settings(max_examples=400, deadline=None)
@given(source=_sources())
def test_the_answer_from_bytes_is_pysides_own(
    source: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.getbasetemp() / f"feature_source_{next(_names)}.py"  # fresh: linecache
    path.write_bytes(source)
    module = _module_at(path)
    answer = feature_check._from_bytes(module)
    assert answer is None or answer == _pyside_check()(module)
    first_two = b"\n".join(source.split(b"\n", 2)[:2])
    if b"coding" not in first_two:
        assert answer is not None  # answered here, not handed back to inspect


def test_modules_the_app_imports_get_the_same_answer() -> None:
    import linecache

    import nitro_desktop.store.sessions
    import nitro_desktop.ui.main_window  # noqa: F401

    # PySide's own check, active in this process, left each file it read in linecache (which
    # the cheap check leaves to it): start from an empty cache, as the app does.
    linecache.clearcache()
    assert feature_check._from_bytes(sys.modules["nitro_desktop.ui.main_window"]) is True
    assert feature_check._from_bytes(sys.modules["nitro_desktop.store.sessions"]) is False
    linecache.clearcache()
    answered = 0
    for module in list(sys.modules.values()):
        answer = feature_check._from_bytes(module)
        if answer is not None:
            answered += 1
            assert answer == _pyside_check()(module), module
    assert answered > 50


def test_what_only_inspect_can_answer_is_left_to_it(tmp_path: Path) -> None:
    assert feature_check._from_bytes(sys) is None  # built in
    assert feature_check._from_bytes(sys.modules["PySide6.QtCore"]) is None  # extension module
    assert feature_check._from_bytes("PySide6") is None  # not a module
    missing = _module_at(tmp_path / "gone.py")
    assert feature_check._from_bytes(missing) is None
    relative = types.ModuleType("rel")
    relative.__file__ = "rel.py"
    assert feature_check._from_bytes(relative) is None
    cached = tmp_path / "cached.py"
    cached.write_text("import PySide6\n")
    import linecache

    linecache.getlines(str(cached))
    assert feature_check._from_bytes(_module_at(cached)) is None  # inspect would read linecache's copy


@pytest.mark.parametrize(
    "feature",
    [
        types.ModuleType("no_check"),
        types.SimpleNamespace(
            _mod_uses_pyside=lambda module: False, feature_imported=lambda m: None, pyside_feature_dict={}
        ),
    ],
)
def test_nothing_is_replaced_when_pysides_internals_differ(
    feature: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dict(vars(feature))
    monkeypatch.setitem(sys.modules, "shibokensupport.feature", feature)  # type: ignore[arg-type]
    assert feature_check.install() is False
    assert vars(feature) == before
    monkeypatch.delitem(sys.modules, "shibokensupport.feature")
    assert feature_check.install() is False


SNAKE = """
import sys
from nitro_desktop.ui import feature_check
from PySide6.QtWidgets import QApplication
feature = sys.modules["shibokensupport.feature"]
original = feature._mod_uses_pyside
assert feature_check.install()
assert not feature_check.install()  # once
assert feature._mod_uses_pyside.original is original
sys.path.insert(0, sys.argv[1])
import snaky, plain, quiet
app = QApplication([])
print(snaky.title(), plain.title(), snaky.title(), plain.title())
flags = feature.pyside_feature_dict
print(flags["snaky"], flags["plain"], flags["quiet"])
differ = [
    n for n, m in list(sys.modules.items())
    if flags.get(n) in (0, -1) and flags[n] != (0 if original(m) else -1)
]
print(differ)
"""

MODULES = {
    "snaky.py": (
        "from PySide6.QtWidgets import QWidget\nfrom __feature__ import snake_case\n\n"
        "def title():\n    w = QWidget()\n    w.set_window_title('snake')\n    return w.window_title()\n"
    ),
    "plain.py": (
        "from PySide6.QtWidgets import QWidget\n\n"
        "def title():\n    w = QWidget()\n    w.setWindowTitle('camel')\n    return w.windowTitle()\n"
    ),
    "quiet.py": "import json\n\nVALUE = json.dumps(1)\n",
}


def test_snake_case_still_switches_per_module_with_the_check_installed(tmp_path: Path) -> None:
    for name, text in MODULES.items():
        (tmp_path / name).write_text(text)
    out = subprocess.run(
        [sys.executable, "-c", SNAKE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    titles, flags, differ = out.stdout.strip().splitlines()[-3:]
    assert titles == "snake camel snake camel"
    assert flags == "1 0 -1"  # snake_case; uses PySide6; does not
    assert differ == "[]"

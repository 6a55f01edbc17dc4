"""The data directory's Linux fast path answers as platformdirs does, without importing it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nitro_desktop.store import paths

# Values an environment variable can take (no NUL); paths, relative ones, "~" and slashes among them.
_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "/", "//", "~", "~/x", "rel/dir", "/home/u", "/home/u/", "/a//b/", "/ü x"]),
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=12),
)


def _set(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.mark.skipif(sys.platform != "linux", reason="the fast path is Linux's")
@given(xdg=_VALUES, home=_VALUES)
def test_the_fast_path_gives_platformdirs_answer(xdg: str | None, home: str | None) -> None:
    saved = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "HOME", paths.DATA_DIR_ENV)}
    try:
        _set("XDG_DATA_HOME", xdg)
        _set("HOME", home)
        _set(paths.DATA_DIR_ENV, None)
        fast = paths._linux_user_data_dir()
        if fast is not None:  # None: the fallback asks platformdirs itself
            assert fast == platformdirs.user_data_dir(paths.APP_NAME, appauthor=False)
            assert paths.default_data_dir() == Path(fast)
    finally:
        for k, v in saved.items():
            _set(k, v)


@pytest.mark.skipif(sys.platform != "linux", reason="the fast path is Linux's")
def test_the_default_data_dir_does_not_import_platformdirs(tmp_path: Path) -> None:
    # platformdirs brings tempfile and shutil (~15 ms) in front of the window's first paint.
    script = (
        "import sys\n"
        "from nitro_desktop.store.paths import default_data_dir\n"
        "print(default_data_dir(), 'platformdirs' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != paths.DATA_DIR_ENV}
    for extra, expected in (
        ({"XDG_DATA_HOME": str(tmp_path / "data")}, tmp_path / "data" / "nitro-desktop"),
        ({"XDG_DATA_HOME": "", "HOME": str(tmp_path)}, tmp_path / ".local/share/nitro-desktop"),
    ):
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True,
            env={**env, **extra}, timeout=60,
        )  # fmt: skip
        assert out.stdout.split() == [str(expected), "False"]

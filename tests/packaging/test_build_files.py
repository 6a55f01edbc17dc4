"""Sanity of the build inputs: the PyInstaller spec, .deb Depends, icon containers, NSIS script."""

from __future__ import annotations

import ast
import importlib.util
import plistlib
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "nitro-desktop.spec"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_packaging_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_spec_is_python_and_collects_what_the_traps_need() -> None:
    source = SPEC.read_text()
    ast.parse(source)
    for needle in (
        'copy_metadata("keyring")',  # keyring finds its backends through entry points
        'collect_submodules("keyring.backends")',
        'copy_metadata("nitro-desktop")',  # __version__ comes from the metadata
        'collect_data_files("eth_account")',  # BIP-39 word lists, KZG trusted setup
        '"coincurve._cffi_backend"',
        "exclude_binaries=True",  # one-dir, never one-file
        '"libqgtk3"',
        "QtWebEngineCore",
        "QtQuick",
        "Qt3DCore",
    ):
        assert needle in source, needle
    assert "upx=True" not in source


def test_spec_inputs_exist() -> None:
    assert (PACKAGING / "entry.py").is_file()
    assert (ROOT / "resources" / "nitro-desktop.svg").is_file()
    plist = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    assert plist["CFBundleExecutable"] == "nitro-desktop"
    assert "nitroreq" in str(plist["UTExportedTypeDeclarations"])


def test_deb_depends_cover_the_qt_xcb_plugin() -> None:
    build = _load("build")
    names = {alt.split()[0] for dep in build.DEB_DEPENDS for alt in dep.split("|")}
    # Qt >= 6.5's xcb plugin refuses to load without libxcb-cursor0.
    for pkg in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0", "libegl1"):
        assert pkg in names


def test_icon_containers_are_well_formed() -> None:
    icons = _load("render_icons")
    pngs = {s: b"\x89PNG fake %d" % s for s in icons.PNG_SIZES}
    ico = icons.ico(pngs)
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(icons.ICO_SIZES))
    width, _, _, _, _, _, size, offset = struct.unpack_from("<BBBBHHII", ico, 6 + 16 * (count - 1))
    assert width == 0  # 256 px
    assert ico[offset : offset + size] == pngs[256]
    icns = icons.icns(pngs, b"\x89PNG big")
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


@pytest.mark.skipif(not shutil.which("makensis"), reason="nsis not installed")
def test_nsis_script_compiles_against_a_dummy_payload(tmp_path: Path) -> None:
    payload = tmp_path / "payload"
    (payload / "_internal").mkdir(parents=True)
    for exe in ("nitro-desktop.exe", "nitro-desktop-cli.exe"):
        (payload / exe).write_bytes(b"MZ dummy")
    out = tmp_path / "nitro-desktop-0.1.0-windows-x64-setup.exe"
    proc = subprocess.run(
        [
            "makensis",
            "-V2",
            "-WX",  # warnings are errors
            "-DVERSION=0.1.0",
            f"-DPAYLOAD={payload}",
            f"-DOUTFILE={out}",
            str(PACKAGING / "windows" / "nitro-desktop.nsi"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.read_bytes()[:2] == b"MZ"


def test_build_script_help_runs() -> None:
    proc = subprocess.run(
        [sys.executable, str(PACKAGING / "build.py")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and "packaging/build.py linux" in proc.stdout

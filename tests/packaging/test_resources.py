"""The desktop entry, AppStream metainfo, MIME type and icon in resources/."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RES = ROOT / "resources"
DESKTOP = RES / "nitro-desktop.desktop"
METAINFO = RES / "io.github.nitro_desktop.NitroDesktop.metainfo.xml"


def _desktop_entry() -> dict[str, str]:
    lines = DESKTOP.read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line)


def test_desktop_entry_launches_the_installed_command() -> None:
    entry = _desktop_entry()
    assert entry["Exec"].split()[0] == "nitro-desktop"
    assert entry["Icon"] == "nitro-desktop"
    assert "application/x-nitroreq" in entry["MimeType"]


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils not installed")
def test_desktop_file_validates() -> None:
    cmd = ["desktop-file-validate", str(DESKTOP)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream not installed")
def test_metainfo_validates() -> None:
    proc = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_metainfo_names_the_desktop_entry_and_current_version() -> None:
    import tomllib

    root = ET.parse(METAINFO).getroot()  # noqa: S314 -- our own file
    assert root.findtext("launchable") == DESKTOP.name
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    releases = [r.get("version") for r in root.iter("release")]
    assert version in releases, f"add a <release version={version!r}> to {METAINFO.name}"


def test_icon_is_a_square_svg() -> None:
    root = ET.parse(RES / "nitro-desktop.svg").getroot()  # noqa: S314 -- our own file
    assert root.tag.endswith("svg")
    _, _, w, h = root.get("viewBox", "").split()
    assert w == h

#!/usr/bin/env python3
"""One command for each everyday job on a fresh Debian/Ubuntu machine.

    python3 tools/dev.py run   [ARGS…]   set up, then start the app (args go to nitro-desktop)
    python3 tools/dev.py test  [ARGS…]   set up, then run the whole test suite (args go to pytest)
    python3 tools/dev.py lint            ruff, mypy and the import-graph check, as CI runs them

Set-up is idempotent and quick when nothing changed: a virtual environment in
.venv, the package with its test and dev extras (reinstalled only when
pyproject.toml changes), and the system libraries Qt needs, installed with
apt-get when we are root, otherwise named in one apt line to run. `test` also
puts a pinned anvil (the local EVM node of the on-chain tests) in .tools/anvil.
Only the standard library is used here, because nothing else exists yet.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
STAMP = VENV / ".nitro-desktop-installed"
# anvil (Foundry's local EVM node) for the on-chain tests, pinned: npm's package carries the binary.
ANVIL_PACKAGE = "@foundry-rs/anvil-linux-amd64"
ANVIL_VERSION = "1.7.1"
ANVIL_INTEGRITY = (
    "sha512-+XmShybEaxfCrr0OUUZwYEy2OnYZt5pHH9TzBtLv3+VrK0O/ANuNSVEahqNhKHlgX7GRJ59383ofNhxkRWIYTg=="
)
ANVIL_TARBALL = "https://registry.npmjs.org/@foundry-rs/anvil-linux-amd64/-/anvil-linux-amd64-1.7.1.tgz"
ANVIL_DIR = ROOT / ".tools" / "anvil"
ANVIL = ANVIL_DIR / "anvil"
ANVIL_STAMP = ANVIL_DIR / ".version"

# Libraries PySide6's offscreen and xcb platform plugins load at run time
# (checked with ldd on the plugins of PySide6-Essentials 6.11).
QT_RUNTIME_PACKAGES = [
    "libegl1",
    "libgl1",
    "libglib2.0-0",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "libx11-xcb1",
    "fonts-dejavu-core",
]
# dbus-run-session gives GUI tests a private session bus (Qt and keyring probe it).
# Validators the packaging tests run (desktop entry, AppStream metainfo, the NSIS script).
TEST_PACKAGES = ["dbus", "desktop-file-utils", "appstream", "nsis"]


def _say(msg: str) -> None:
    print(f"[dev] {msg}", flush=True)


def _missing_debs(names: list[str]) -> list[str]:
    if not shutil.which("dpkg-query"):
        return []  # not a Debian-family system: trust the user's own set-up
    missing = []
    for name in names:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in out.stdout:
            missing.append(name)
    return missing


def ensure_system_packages(names: list[str]) -> None:
    missing = _missing_debs(names)
    if not missing:
        return
    line = "apt-get install -y --no-install-recommends " + " ".join(missing)
    if os.geteuid() == 0:
        _say(f"installing system libraries: {' '.join(missing)}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(line.split(), check=True, env=env)
        return
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], check=False).returncode == 0:
        _say(f"installing system libraries with sudo: {' '.join(missing)}")
        subprocess.run(["sudo", "apt-get", "update", "-qq"], check=True)
        subprocess.run(["sudo", *line.split()], check=True)
        return
    sys.exit(
        "Qt needs system libraries that are not installed. Run this once, then try again:\n"
        f"    sudo apt-get update && sudo {line}"
    )


def ensure_venv() -> None:
    if not PY.exists():
        _say("creating the virtual environment in .venv")
        try:
            venv.create(VENV, with_pip=True)
        except Exception as exc:  # Debian and Ubuntu ship ensurepip separately, in python3-venv
            shutil.rmtree(VENV, ignore_errors=True)
            _say(f"could not create a virtual environment ({exc}); it needs python3-venv")
            ensure_system_packages([f"python3.{sys.version_info.minor}-venv"])
            venv.create(VENV, with_pip=True)
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    _say("installing Nitro Desktop and its test/dev dependencies into .venv")
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[test,dev]"], check=True)
    STAMP.write_text(want)


def _anvil_tarball() -> bytes:
    """The pinned package's tarball, through npm when it is installed, else straight from its registry."""
    if shutil.which("npm"):
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run(
                ["npm", "pack", "--silent", f"{ANVIL_PACKAGE}@{ANVIL_VERSION}"],
                cwd=folder,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            (packed,) = Path(folder).glob("*.tgz")
            return packed.read_bytes()
    with urllib.request.urlopen(ANVIL_TARBALL, timeout=120) as answer:
        return bytes(answer.read())


def ensure_anvil() -> None:
    """anvil in .tools/anvil (git-ignored), checked against the package's pinned sha512."""
    if ANVIL.exists() and ANVIL_STAMP.exists() and ANVIL_STAMP.read_text() == ANVIL_INTEGRITY:
        return
    if sys.platform != "linux" or os.uname().machine not in {"x86_64", "amd64"}:
        _say("anvil is pinned for linux-amd64 only: the on-chain tests will skip (set NITRO_DESKTOP_ANVIL)")
        return
    _say(f"installing anvil {ANVIL_VERSION} ({ANVIL_PACKAGE}) into {ANVIL_DIR.relative_to(ROOT)}")
    try:
        data = _anvil_tarball()
    except (OSError, subprocess.CalledProcessError, ValueError) as exc:
        if any(
            os.environ.get(v, "").lower() in {"1", "true", "yes"}
            for v in ("CI", "NITRO_DESKTOP_REQUIRE_ANVIL")
        ):
            sys.exit(f"could not download anvil ({exc}); CI needs it for the on-chain tests")
        _say(f"could not download anvil ({exc}): the on-chain tests will skip")
        return
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != ANVIL_INTEGRITY:
        sys.exit(f"the downloaded {ANVIL_PACKAGE}@{ANVIL_VERSION} does not match its pinned sha512")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/bin/anvil")
        if member is None:
            sys.exit(f"{ANVIL_PACKAGE}@{ANVIL_VERSION} holds no package/bin/anvil")
        binary = member.read()
    ANVIL_DIR.mkdir(parents=True, exist_ok=True)
    partial = ANVIL.with_suffix(".partial")
    partial.write_bytes(binary)
    partial.chmod(0o755)
    partial.replace(ANVIL)
    ANVIL_STAMP.write_text(ANVIL_INTEGRITY)


def run_app(args: list[str]) -> int:
    ensure_system_packages(QT_RUNTIME_PACKAGES)
    ensure_venv()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        if not os.environ.get("QT_QPA_PLATFORM"):
            _say("no DISPLAY or WAYLAND_DISPLAY: the window needs a graphical session")
    return subprocess.call([str(PY), "-m", "nitro_desktop", *args], cwd=ROOT)


def run_tests(args: list[str]) -> int:
    ensure_system_packages(QT_RUNTIME_PACKAGES + TEST_PACKAGES)
    ensure_venv()
    ensure_anvil()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_API="pyside6", PYTHONUNBUFFERED="1")
    if ANVIL.exists():
        env.setdefault("NITRO_DESKTOP_ANVIL", str(ANVIL))
    cmd = [str(PY), "-m", "pytest", *args]
    if shutil.which("dbus-run-session"):
        cmd = ["dbus-run-session", "--", *cmd]
    return subprocess.call(cmd, cwd=ROOT, env=env)


def run_lint() -> int:
    ensure_venv()
    rc = subprocess.call([str(PY), "-m", "ruff", "check", "."], cwd=ROOT)
    rc |= subprocess.call([str(PY), "-m", "ruff", "format", "--check", "."], cwd=ROOT)
    rc |= subprocess.call([str(PY), "-m", "mypy"], cwd=ROOT)
    # Arrows point down and no file is over the line limit (the layer table is in the script).
    rc |= subprocess.call([str(PY), str(ROOT / "tools" / "import_graph.py"), str(ROOT)], cwd=ROOT)
    # The last tool's "Success" would otherwise read as the verdict when an earlier one failed.
    print("lint: FAILED (see above)" if rc else "lint: all clean", file=sys.stderr if rc else sys.stdout)
    return rc


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "lint"}:
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "run":
        return run_app(rest)
    if cmd == "test":
        return run_tests(rest)
    return run_lint()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

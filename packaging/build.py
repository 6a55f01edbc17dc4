#!/usr/bin/env python3
"""Build the Nitro Desktop installers. One entry point per platform:

    .venv/bin/python packaging/build.py linux     bundle + dist/*.tar.gz + dist/*.deb   (Debian/Ubuntu)
    python packaging/build.py windows             bundle; NSIS installer if makensis is on PATH
    python3 packaging/build.py macos              bundle as "Nitro Desktop.app" + .dmg (hdiutil)
    .venv/bin/python packaging/build.py bundle    the PyInstaller one-dir bundle only

Outputs: build/ (scratch) and dist/ (results), both ignored by git. Reproducible: the build
sets SOURCE_DATE_EPOCH (the last commit's time unless already set) and PYTHONHASHSEED=0, and
normalises file times, owners and order in the archives. The version is the installed
package metadata's, checked against pyproject.toml so a stale install cannot mislabel a build.
Only the standard library is used here; PyInstaller must be installed in the running Python
(`pip install -r packaging/requirements-build.txt`).
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
from collections.abc import Callable
from importlib.metadata import version as dist_version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
DIST = ROOT / "dist"
ICONS = BUILD / "icons"
BUNDLE = DIST / "pyinstaller" / "nitro-desktop"
NAME = "nitro-desktop"
APP_ID = "io.github.nitro_desktop.NitroDesktop"

# What the bundle needs from the system on Debian 12 / Ubuntu 24.04. PyInstaller does not
# bundle these (glibc, libGL/EGL, the X11/xcb client libraries, fontconfig/freetype, dbus), and
# Qt's xcb platform plugin loads libxcb-cursor0 etc. `check_depends` runs ldd over every ELF file
# of the bundle and fails the build when a library it resolves outside the bundle belongs to a
# package missing from this list.
DEB_DEPENDS = (
    "libc6 (>= 2.34)",
    "libgcc-s1",
    "libstdc++6",
    "libuuid1",
    "libzstd1",
    "libglib2.0-0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-glx0",
    "libxcb-util1",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-render0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libwayland-client0",
    "libwayland-cursor0",
    "fonts-dejavu-core | fonts-liberation2 | fonts-freefont-ttf",
)
DEB_RECOMMENDS = ("gnome-keyring | kwalletmanager | keepassxc",)


def say(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def run(cmd: list[str], **kw: object) -> None:
    say("$ " + " ".join(str(c) for c in cmd))
    subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]  # noqa: S603


def project_version() -> str:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    installed = dist_version(NAME)
    if installed != declared:
        sys.exit(
            f"installed metadata says {NAME} {installed} but pyproject.toml says {declared}: "
            "run `pip install -e .` (without deps) in this environment first"
        )
    return str(declared)


def source_date_epoch() -> int:
    if "SOURCE_DATE_EPOCH" not in os.environ:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        os.environ["SOURCE_DATE_EPOCH"] = out.stdout.strip() or "1735689600"
    return int(os.environ["SOURCE_DATE_EPOCH"])


# ---- the bundle ---------------------------------------------------------------------------
def build_icons() -> None:
    run([sys.executable, str(ROOT / "packaging" / "render_icons.py"), str(ICONS)])


def build_bundle() -> Path:
    version = project_version()
    source_date_epoch()
    build_icons()
    env = dict(os.environ, PYTHONHASHSEED="0", NITRO_VERSION=version, QT_QPA_PLATFORM="offscreen")
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level=WARN",
            "--distpath",
            str(DIST / "pyinstaller"),
            "--workpath",
            str(BUILD / "pyinstaller"),
            str(ROOT / "packaging" / "nitro-desktop.spec"),
        ],
        env=env,
        cwd=ROOT,
    )
    say(f"bundle: {BUNDLE} ({tree_size(BUNDLE) / 1e6:.1f} MB, {count_files(BUNDLE)} files)")
    return BUNDLE


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def count_files(path: Path) -> int:
    return sum(1 for p in path.rglob("*") if p.is_file())


def normalise_tree(root: Path, epoch: int) -> None:
    """Same modes and times for every file, so archives only depend on content."""
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            os.utime(p, (epoch, epoch), follow_symlinks=False)
            continue
        mode = p.stat().st_mode
        executable = p.is_dir() or mode & 0o111
        p.chmod(0o755 if executable else 0o644)
        os.utime(p, (epoch, epoch))


# ---- Linux: .tar.gz --------------------------------------------------------------------------
def build_tarball(version: str, arch: str) -> Path:
    epoch = source_date_epoch()
    normalise_tree(BUNDLE, epoch)
    target = DIST / f"{NAME}-{version}-linux-{arch}.tar.gz"
    top = f"{NAME}-{version}"

    def reset(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = epoch
        return info

    with (
        open(target, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar,
    ):
        for p in sorted([BUNDLE, *BUNDLE.rglob("*")]):
            arcname = top if p == BUNDLE else f"{top}/{p.relative_to(BUNDLE).as_posix()}"
            tar.add(p, arcname=arcname, recursive=False, filter=reset)
    say(f"tarball: {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return target


# ---- Linux: .deb -----------------------------------------------------------------------------
def deb_arch() -> str:
    out = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True)  # noqa: S607
    return out.stdout.strip()


def _install(src: Path, dest: Path, mode: int = 0o644) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    dest.chmod(mode)


def stage_deb_root(version: str, arch: str) -> Path:
    root = BUILD / "deb" / f"{NAME}_{version}_{arch}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(BUNDLE, root / "opt" / NAME, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / NAME).symlink_to(f"/opt/{NAME}/{NAME}")
    share = root / "usr" / "share"
    res = ROOT / "resources"
    _install(res / f"{NAME}.desktop", share / "applications" / f"{NAME}.desktop")
    _install(res / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml")
    _install(res / f"{NAME}-mime.xml", share / "mime" / "packages" / f"{NAME}.xml")
    for icon in sorted((ICONS / "hicolor").rglob("*.*")):
        _install(icon, share / "icons" / "hicolor" / icon.relative_to(ICONS / "hicolor"))
    doc = share / "doc" / NAME
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: nitro-desktop\n\n"
        "Files: *\nCopyright: Nitro Desktop developers\nLicense: MIT\n\n"
        "Files: opt/nitro-desktop/_internal/PySide6/* opt/nitro-desktop/_internal/shiboken6/*\n"
        "Copyright: The Qt Company Ltd.\nLicense: LGPL-3.0-only\n"
    )
    control = root / "DEBIAN" / "control"
    control.parent.mkdir(parents=True)
    size_kib = (tree_size(root) + 1023) // 1024
    control.write_text(
        f"Package: {NAME}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        "Maintainer: Nitro Desktop developers <nitro-desktop@users.noreply.github.com>\n"
        f"Installed-Size: {size_kib}\n"
        f"Depends: {', '.join(DEB_DEPENDS)}\n"
        f"Recommends: {', '.join(DEB_RECOMMENDS)}\n"
        "Section: misc\n"
        "Priority: optional\n"
        "Homepage: https://github.com/nitro-desktop/nitro-desktop\n"
        "Description: desktop companion for Nitrolite ClearNodes\n"
        " Keeps Ethereum keys in the OS keyring, connects to a Nitrolite ClearNode,\n"
        " and creates and manages ERC-7824 application sessions. Includes a local\n"
        " sandbox ClearNode. Self-contained: Python and Qt are bundled in /opt/nitro-desktop.\n"
    )
    normalise_tree(root, source_date_epoch())
    return root


def _needed(path: Path) -> set[str]:
    """The DT_NEEDED entries of an ELF file (its direct library dependencies)."""
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    return {line.split("[", 1)[1].split("]", 1)[0] for line in out.stdout.splitlines() if "(NEEDED)" in line}


def check_depends(bundle: Path) -> None:
    """Every system library the bundle's ELF files load must come from a Depends package."""
    declared = {alt.split()[0] for dep in DEB_DEPENDS for alt in dep.split("|")}
    outside: dict[str, set[str]] = {}
    missing: set[str] = set()
    internal = str(bundle.resolve())
    bundled = {p.name for p in bundle.rglob("*")}
    for p in sorted(bundle.rglob("*")):
        if not p.is_file() or p.is_symlink() or p.read_bytes()[:4] != b"\x7fELF":
            continue
        needed = _needed(p)
        out = subprocess.run(["ldd", str(p)], capture_output=True, text=True, check=False)  # noqa: S603, S607
        for line in out.stdout.splitlines():
            name = line.split()[0] if line.split() else ""
            if name not in needed or name in bundled:
                # ldd lists the whole closure (the packages' own Depends cover it), and resolves
                # bundled libraries without the bootloader's LD_LIBRARY_PATH.
                continue
            if "=> not found" in line:
                missing.add(f"{name} (needed by {p.relative_to(bundle)})")
            elif "=>" in line:
                target = line.split("=>")[1].split("(")[0].strip()
                if target and not target.startswith(internal):
                    outside.setdefault(os.path.realpath(target), set()).add(p.name)
    if missing:
        sys.exit(
            "libraries not found on this build machine (install them first):\n  "
            + "\n  ".join(sorted(missing))
        )
    packages: dict[str, str] = {}
    for lib in sorted(outside):
        pkg = "?"
        # merged /usr: dpkg knows some libraries only under their /lib path
        for candidate in (lib, lib.removeprefix("/usr")):
            out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)  # noqa: S603, S607
            if out.returncode == 0:
                pkg = out.stdout.split(":", 1)[0].strip()
                break
        packages[lib] = pkg
    undeclared = sorted({f"{pkg} ({lib})" for lib, pkg in packages.items() if pkg not in declared})
    used = sorted(set(packages.values()))
    say(f"system libraries the bundle links against: {len(outside)} from {len(used)} packages:")
    say("  " + " ".join(used))
    unused = sorted(declared - set(used))
    if unused:
        say(f"declared but loaded only at run time (dlopen) or as alternatives: {' '.join(unused)}")
    if undeclared:
        sys.exit("Depends: lacks packages the bundle links against:\n  " + "\n  ".join(undeclared))


def build_deb(version: str, arch: str) -> Path:
    check_depends(BUNDLE)
    root = stage_deb_root(version, arch)
    target = DIST / f"{NAME}_{version}_{arch}.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(target)])
    say(f"deb: {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return target


def linux() -> int:
    version = project_version()
    build_bundle()
    arch = deb_arch() if shutil.which("dpkg") else os.uname().machine
    tar_arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)
    build_tarball(version, tar_arch)
    if shutil.which("dpkg-deb"):
        build_deb(version, arch)
    else:
        say("dpkg-deb not found: skipping the .deb")
    return 0


# ---- Windows and macOS -----------------------------------------------------------------------
def windows() -> int:
    version = project_version()
    build_bundle()
    makensis = shutil.which("makensis")
    if not makensis:
        say("makensis not found: bundle only (choco install nsis)")
        return 0
    run(
        [
            makensis,
            "-V2",
            f"-DVERSION={version}",
            f"-DPAYLOAD={BUNDLE}",
            f"-DICON={ICONS / 'nitro-desktop.ico'}",
            f"-DOUTFILE={DIST / f'{NAME}-{version}-windows-x64-setup.exe'}",
            str(ROOT / "packaging" / "windows" / "nitro-desktop.nsi"),
        ]
    )
    return 0


def macos() -> int:
    version = project_version()
    build_bundle()
    run(["bash", str(ROOT / "packaging" / "macos" / "make_dmg.sh"), version])
    return 0


def bundle() -> int:
    build_bundle()
    return 0


def depends() -> int:
    """The .deb's Depends, first choice of each, one a line: what a build machine must have too,
    since the build resolves every bundled library against the installed system."""
    for entry in DEB_DEPENDS:
        print(entry.split("|")[0].split("(")[0].strip())
    return 0


def main(argv: list[str]) -> int:
    if argv == ["depends"]:
        return depends()
    DIST.mkdir(exist_ok=True)
    BUILD.mkdir(exist_ok=True)
    targets: dict[str, Callable[[], int]] = {
        "linux": linux,
        "windows": windows,
        "macos": macos,
        "bundle": bundle,
    }
    if len(argv) != 1 or argv[0] not in targets:
        print(__doc__)
        return 2
    return int(targets[argv[0]]())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

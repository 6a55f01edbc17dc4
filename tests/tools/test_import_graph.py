"""tools/import_graph.py on small trees of its own: arrows down pass, anything else names file and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "import_graph.py"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "nitro_desktop" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for folder in {p.parent for p in (root / "nitro_desktop").rglob("*.py")}:
        (folder / "__init__.py").touch()
    return root


def _run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True, check=False, timeout=60
    )


def test_downward_arrows_pass(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "protocol/frames.py": "X = 1\n",
            "client/connection.py": "from nitro_desktop.protocol.frames import X\n",
            "keys/accounts.py": "from nitro_desktop.store import records\n",  # an allowed sideways arrow
            "store/records.py": "from nitro_desktop.protocol import frames\n",
            "ui/window.py": (
                "from nitro_desktop.client import connection\nfrom nitro_desktop import __version__\n"
            ),
            "app.py": "from nitro_desktop.devnode import server\n",
            "devnode/server.py": "from ..protocol import frames\n",
        },
    )
    result = _run(root)
    assert result.returncode == 0, result.stdout
    assert "arrows point down" in result.stdout


def test_an_upward_import_fails_with_its_file_and_line(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "protocol/frames.py": "X = 1\n",
            "client/connection.py": (
                "import json\n\n\ndef late() -> None:\n    from nitro_desktop.ui import window\n"
            ),
            "ui/window.py": "from nitro_desktop.protocol.frames import X\n",
        },
    )
    result = _run(root)
    assert result.returncode == 1
    assert (
        "nitro_desktop/client/connection.py:5: imports nitro_desktop.ui: "
        "upward arrow: client (layer 2) -> ui (layer 5)"
    ) in result.stdout


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"devnode/router.py": "from nitro_desktop.client import errors\n", "client/errors.py": ""},
            "nitro_desktop/devnode/router.py:1: imports nitro_desktop.client: devnode may import only",
        ),
        (
            {"ui/sandbox.py": "\nfrom nitro_desktop.devnode import SandboxNode\n", "devnode/x.py": ""},
            "nitro_desktop/ui/sandbox.py:2: imports nitro_desktop.devnode: only __main__, app, cli may",
        ),
        (
            {"client/auth.py": "from nitro_desktop.store import records\n", "store/records.py": ""},
            "nitro_desktop/client/auth.py:1: imports nitro_desktop.store: sideways arrow",
        ),
        (
            {"protocol/dialect.py": "if True:\n    from ..keys import crypto\n", "keys/crypto.py": ""},
            "nitro_desktop/protocol/dialect.py:2: imports nitro_desktop.keys: protocol may import only",
        ),
        (
            {"keys/cli.py": "from nitro_desktop.cli import CliError\n", "cli.py": ""},
            "nitro_desktop/keys/cli.py:1: imports nitro_desktop.cli: upward arrow: keys (layer 2) -> cli",
        ),
    ],
)
def test_forbidden_arrows_are_named(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    result = _run(_tree(tmp_path, files))
    assert result.returncode == 1
    assert expected in result.stdout


def test_a_long_file_fails(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"flows/big.py": "x = 1\n" * 421, "flows/ok.py": "x = 1\n" * 420})
    result = _run(root)
    assert result.returncode == 1
    assert "nitro_desktop/flows/big.py:421: 421 lines, over 420" in result.stdout
    assert "ok.py" not in result.stdout


def test_a_package_in_no_layer_is_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"gadgets/x.py": "from nitro_desktop.protocol import y\n", "protocol/y.py": ""})
    result = _run(root)
    assert result.returncode == 1
    assert "'gadgets' is in no layer" in result.stdout

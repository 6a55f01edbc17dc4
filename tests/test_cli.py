from __future__ import annotations

import subprocess
import sys

from nitro_desktop import __version__


def test_version_from_module_and_script() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "nitro_desktop", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"nitro-desktop {__version__}"
    assert __version__ == "0.1.0"


def test_version_and_gui_start_import_no_command_modules() -> None:
    """The commands' modules (sandbox node, signing, eth-account) stay unloaded until used."""
    code = (
        "import sys\n"
        "from nitro_desktop import cli\n"
        "try:\n    cli.main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('nitro_desktop.devnode', 'nitro_desktop.signing', 'eth_account') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")


def test_subcommands_are_registered_when_named() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "nitro_desktop", "sandbox", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--fund" in out.stdout

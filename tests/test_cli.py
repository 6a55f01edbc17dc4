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

"""The anvil kit's own rules: skip locally without anvil, fail loudly under CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chainkit import require_anvil


def test_missing_anvil_skips_locally(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NITRO_DESKTOP_ANVIL", str(tmp_path / "no-anvil"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NITRO_DESKTOP_REQUIRE_ANVIL", raising=False)
    with pytest.raises(pytest.skip.Exception, match="anvil is not installed"):
        require_anvil()


@pytest.mark.parametrize("variable", ["CI", "NITRO_DESKTOP_REQUIRE_ANVIL"])
def test_missing_anvil_fails_under_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str) -> None:
    monkeypatch.setenv("NITRO_DESKTOP_ANVIL", str(tmp_path / "no-anvil"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv(variable, "true")
    with pytest.raises(pytest.fail.Exception, match="this is CI"):
        require_anvil()

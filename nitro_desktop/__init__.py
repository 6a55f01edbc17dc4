"""Nitro Desktop: a desktop companion for ERC-7824 / Nitrolite ClearNodes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nitro-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]

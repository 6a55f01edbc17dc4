"""PyInstaller's entry script: the frozen app behaves exactly like the `nitro-desktop` command."""

from nitro_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

"""`python -m nitro_desktop` behaves exactly like the `nitro-desktop` script."""

from nitro_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

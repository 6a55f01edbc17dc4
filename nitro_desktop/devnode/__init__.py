"""devnode package."""

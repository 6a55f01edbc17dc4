"""The session core below the window: asyncio only, no Qt.

``core.Wallet`` is the current account on the current endpoint, its client,
balances and sessions; ``history.SessionHistory`` is the one writer of the
session history (the command line records through it too); ``events`` are
what the core tells its listeners. Import from the modules: this package's
``__init__`` stays empty so ``signing.submission`` can use ``history`` without
loading the core (which uses ``signing``).
"""

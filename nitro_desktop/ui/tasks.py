"""Every coroutine the UI starts, tied to the lifetime of the Qt object that started it.

``spawn(owner, coro, on_done=…)`` is the one way the UI starts work on the loop:

- when the owner is destroyed (or, for a dialog, closed: its ``finished``), its
  tasks are cancelled;
- ``on_done`` runs only while the owner is alive, so a result is never
  delivered to a deleted widget ("Internal C++ object … already deleted");
- every task is tracked until it has really finished, and ``settle`` cancels
  and awaits them with a bounded wait, so shutdown never leaves a task
  half-cancelled for the event loop's own teardown to hang on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog

log = logging.getLogger("nitro_desktop.ui")

SETTLE_TIMEOUT = 5.0  # seconds a cancelled task gets to finish before shutdown goes on without it

Done = Callable[["asyncio.Task[Any]"], None]


class _Owner:
    """The tasks of one QObject, and whether that object still exists.

    A plain Python object: Qt's ``destroyed`` fires when the C++ side is going
    away, so nothing here may touch the QObject itself.
    """

    def __init__(self, qobject: QObject) -> None:
        self.alive = True
        self.tasks: set[asyncio.Task[Any]] = set()
        # Lambdas, not bound methods: Qt keeps them (and so this object) as long as the connection.
        qobject.destroyed.connect(lambda *_a: self.destroyed())
        if isinstance(qobject, QDialog):
            qobject.finished.connect(lambda *_a: self.closed())

    def destroyed(self) -> None:
        self.alive = False
        self.closed()

    def closed(self) -> None:
        for task in list(self.tasks):
            task.cancel()


_unfinished: set[asyncio.Task[Any]] = set()  # every task started here, until it is done
_ATTRIBUTE = "_nitro_desktop_tasks"


def _owner_of(qobject: QObject) -> _Owner:
    # Kept on the Python wrapper itself: an id() could be reused by another object.
    owner = getattr(qobject, _ATTRIBUTE, None)
    if not isinstance(owner, _Owner) or not owner.alive:
        owner = _Owner(qobject)
        setattr(qobject, _ATTRIBUTE, owner)
    return owner


def _existing_owner(qobject: QObject) -> _Owner | None:
    owner = getattr(qobject, _ATTRIBUTE, None)
    return owner if isinstance(owner, _Owner) else None


def spawn(
    owner: QObject, coro: Awaitable[Any], *, on_done: Done | None = None, name: str | None = None
) -> asyncio.Task[Any]:
    """Run ``coro`` for ``owner``; ``on_done(task)`` is called when it ends, if ``owner`` still exists.

    ``on_done`` also runs for a task cancelled while its owner lives (a dialog
    closed, a Cancel button), so the owner can say so; never after ``destroyed``.
    """
    group = _owner_of(owner)
    task = asyncio.ensure_future(coro)
    if name:
        task.set_name(name)
    group.tasks.add(task)
    _unfinished.add(task)

    def finished(t: asyncio.Task[Any]) -> None:
        group.tasks.discard(t)
        _unfinished.discard(t)
        if not t.cancelled():
            t.exception()  # retrieved here: an owner gone is not an "exception never retrieved"
        if group.alive and on_done is not None:
            on_done(t)

    task.add_done_callback(finished)
    return task


def alive(qobject: QObject | None) -> bool:
    """Whether ``qobject`` still exists on the C++ side (a closed WA_DeleteOnClose dialog may not)."""
    return qobject is not None and shiboken6.isValid(qobject)


def cancel(owner: QObject) -> None:
    """Cancel every task of ``owner`` (its results still reach it, as cancelled)."""
    group = _existing_owner(owner)
    if group is not None:
        group.closed()


def tasks_of(owner: QObject) -> set[asyncio.Task[Any]]:
    group = _existing_owner(owner)
    return set(group.tasks) if group is not None else set()


def unfinished() -> set[asyncio.Task[Any]]:
    """Every task started here that has not finished yet (cancelled ones included)."""
    return set(_unfinished)


async def settle(
    tasks: Iterable[asyncio.Task[Any]], timeout: float = SETTLE_TIMEOUT
) -> set[asyncio.Task[Any]]:
    """Cancel ``tasks`` and wait until they have finished, at most ``timeout``; returns the stragglers."""
    current = asyncio.current_task()
    pending = {t for t in tasks if not t.done() and t is not current}
    for task in pending:
        task.cancel()
    if not pending:
        return set()
    _done, pending = await asyncio.wait(pending, timeout=timeout)
    for task in pending:
        log.warning("task %s did not finish within %.0f s of being cancelled", task.get_name(), timeout)
    return pending


async def settle_owner(owner: QObject, timeout: float = SETTLE_TIMEOUT) -> set[asyncio.Task[Any]]:
    """Cancel and await ``owner``'s tasks, and any task already cancelled elsewhere that is still running."""
    cancelling = {t for t in _unfinished if t.cancelling()}
    return await settle(tasks_of(owner) | cancelling, timeout)


async def settle_all(timeout: float = SETTLE_TIMEOUT) -> set[asyncio.Task[Any]]:
    """At app exit: cancel and await every task the UI started."""
    return await settle(unfinished(), timeout)

"""Every create/submit/close recorded once, when its outcome is known, with its own frames.

A request is registered the moment it leaves (``on_sent``, keyed by its request
id, which is unique for the client's life); it is recorded when its answer comes,
or, if the answer was lost and the caller already gave up, when the client's late
``OperationOutcome`` for that same request id arrives.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from nitro_desktop.client import ClearNodeError, Exchange, OperationNotApplied, OperationOutcome
from nitro_desktop.protocol import AppSession

log = logging.getLogger("nitro_desktop.wallet")

#: Records one outcome: the session as the server reports it, and the request's exchange.
Save = Callable[[AppSession, Exchange | None], None]
SentHook = Callable[[Exchange], None]

_WHAT = {"create": "created", "submit": "updated", "close": "closed"}


class OutcomeRecorder:
    """Requests sent whose outcome is not recorded yet (bounded: ``limit`` most recent)."""

    def __init__(self, *, fallback: Callable[[OperationOutcome], None], info: Callable[[str], None]) -> None:
        self._waiting: OrderedDict[int, Save] = OrderedDict()
        self._fallback = fallback
        self._info = info
        self.limit = 256

    async def run(
        self,
        send: Callable[[SentHook], Awaitable[AppSession]],
        save: Save,
        exchange_of: Callable[[int], Exchange | None],
    ) -> AppSession:
        """Send through ``send(on_sent)``; record the answer now, or the late outcome when it comes."""
        sent: list[Exchange] = []

        def on_sent(exchange: Exchange) -> None:
            sent.append(exchange)
            self._waiting[exchange.request_id] = save
            while len(self._waiting) > self.limit:
                self._waiting.popitem(last=False)

        try:
            session = await send(on_sent)
        except (ClearNodeError, OperationNotApplied):
            self._forget(sent)  # refused, or never reached the server: nothing to record
            raise
        # Any other failure after sending (lost answer, timeout, cancelled) keeps the request
        # registered: the client reports its outcome as an OperationOutcome.
        self._forget(sent)
        answered = exchange_of(sent[0].request_id) if sent else None
        save(session, answered or (sent[0] if sent else None))
        return session

    def _forget(self, sent: list[Exchange]) -> None:
        for exchange in sent:
            self._waiting.pop(exchange.request_id, None)

    def on_outcome(self, event: OperationOutcome) -> None:
        """The late outcome of a request whose caller had given up: record it with its own frames."""
        ref = event.operation
        save = self._waiting.pop(ref.request_id, None)
        if not event.applied or event.session is None:
            self._info(
                f"App session {ref.app_session_id} was not {_WHAT.get(ref.kind, 'changed')}: "
                "the server never applied the request. It is safe to try again."
            )
            return
        log.info("late outcome of %s %s (request %d): applied", ref.kind, ref.app_session_id, ref.request_id)
        if save is None:
            self._fallback(event)
        else:
            save(event.session, event.exchange)

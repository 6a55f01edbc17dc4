"""Listing every session of a participant from a server that pages by offset over a moving order."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from nitro_desktop.protocol import AppSession

# A scan re-reads the head at most this often, and keeps at most this many ids to de-duplicate.
MAX_SCAN_PASSES = 3
MAX_SCANNED_SESSIONS = 1_000_000

PageReader = Callable[
    [str | None, str | None, int | None, int | None, str | None], Awaitable[Sequence[AppSession]]
]


async def scan(
    get_page: PageReader, participant: str | None, status: str | None, sort: str | None, page_size: int
) -> AsyncIterator[AppSession]:
    """Every matching session once, page by page.

    The server pages by ``OFFSET`` over ``updated_at`` with no tiebreaker, and every update
    moves a session to the front (newest first, the default): pages can repeat a session
    (skipped here by id) and a session moved or created during the scan lands before the
    offset, so the head is read again until a page brings nothing new. Limit: sessions
    updated in the same instant may still swap across a page boundary and be missed by this
    scan (the next one shows them); with ``sort="asc"`` a move during the scan can hide one too.
    """
    seen: set[str] = set()
    for head_pass in range(MAX_SCAN_PASSES):
        offset, pages, new_total = 0, 0, 0
        while len(seen) < MAX_SCANNED_SESSIONS:
            page = await get_page(participant, status, offset, page_size, sort)
            pages += 1
            new = [x for x in page if x.app_session_id not in seen]
            for session in new:
                seen.add(session.app_session_id)
                yield session
            new_total += len(new)
            if len(page) < page_size or (head_pass and not new):
                break
            offset += len(page)
        # One page is one snapshot: nothing can have moved past the reader.
        if new_total == 0 or (head_pass == 0 and pages == 1) or len(seen) >= MAX_SCANNED_SESSIONS:
            return

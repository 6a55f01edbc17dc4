"""The session list's column widths: what each column would like, and how they fit a narrow pane."""

from __future__ import annotations

from collections.abc import Sequence

# Column widths (px) the list would like, and below which it elides rather than shrinks further;
# the list fits its pane by giving up the difference, widest-slack first, before any scrollbar.
PREFERRED_WIDTHS = (110, 55, 190, 100, 95, 58, 80, 90)
MINIMUM_WIDTHS = (80, 46, 90, 50, 60, 46, 56, 40)
# In a narrow pane these go first (the details pane shows both): Endpoint, then Version.
DROPPABLE = (7, 5)


def fit_columns(available: int) -> dict[int, int]:
    """The visible columns and their widths for a pane ``available`` px wide.

    A column is dropped rather than every column squeezed to its minimum: while
    fitting would take more than half of what the others can give up.
    """
    shown = list(range(len(PREFERRED_WIDTHS)))
    for col in DROPPABLE:
        preferred = sum(PREFERRED_WIDTHS[c] for c in shown)
        slack = sum(PREFERRED_WIDTHS[c] - MINIMUM_WIDTHS[c] for c in shown)
        if preferred - available <= slack // 2:
            break
        shown.remove(col)
    widths = fit_widths(available, [PREFERRED_WIDTHS[c] for c in shown], [MINIMUM_WIDTHS[c] for c in shown])
    return dict(zip(shown, widths, strict=True))


def fit_widths(available: int, preferred: Sequence[int], minimum: Sequence[int]) -> list[int]:
    """Column widths that fill ``available`` px: each column gives up a share of its slack."""
    widths = list(preferred)
    excess = sum(widths) - available
    slack = sum(p - m for p, m in zip(preferred, minimum, strict=True))
    if excess > 0 and slack > 0:
        cut = min(excess, slack)
        # Rounded up per column, so the sum never passes ``available`` by a pixel.
        widths = [p + (p - m) * cut // -slack for p, m in zip(preferred, minimum, strict=True)]
    return widths

"""Session flows (create / submit / close) as plain Python: the wizard's rules, tested without Qt."""

from nitro_desktop.flows.create_session import (
    PAGES,
    PRESETS,
    AllocationDraft,
    CreateSessionFlow,
    ParticipantDraft,
)
from nitro_desktop.flows.outcome import SubmitResult, page_for_server_error
from nitro_desktop.flows.update_session import INTENTS, UpdateSessionFlow

__all__ = [
    "INTENTS",
    "PAGES",
    "PRESETS",
    "AllocationDraft",
    "CreateSessionFlow",
    "ParticipantDraft",
    "SubmitResult",
    "UpdateSessionFlow",
    "page_for_server_error",
]

"""Session flows (create / submit / close) as plain Python: the wizard's rules, tested without Qt."""

from nitro_desktop.flows.create_rules import (
    PRESETS,
    AllocationDraft,
    CreateSessionDraft,
    ParticipantDraft,
)
from nitro_desktop.flows.create_session import INPUT_PAGES, PAGES, CreateSessionFlow, Review
from nitro_desktop.flows.create_wizard import CreateWizard, StepRefused, Submitter
from nitro_desktop.flows.outcome import (
    CreateSubmission,
    SubmitResult,
    SubmitState,
    error_text,
    page_for_server_error,
)
from nitro_desktop.flows.update_session import INTENTS, UpdateSessionFlow

__all__ = [
    "INPUT_PAGES",
    "INTENTS",
    "PAGES",
    "PRESETS",
    "AllocationDraft",
    "CreateSessionDraft",
    "CreateSessionFlow",
    "CreateSubmission",
    "CreateWizard",
    "ParticipantDraft",
    "Review",
    "StepRefused",
    "SubmitResult",
    "SubmitState",
    "Submitter",
    "UpdateSessionFlow",
    "error_text",
    "page_for_server_error",
]

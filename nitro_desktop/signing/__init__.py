"""Multi-party signing: requests whose signatures come from people on other computers (no Qt, no I/O
beyond reading and writing the ``.nitroreq`` file).

The flow: ``request_for`` makes a ``SigningRequest`` around the exact call a flow built
(``create_request`` / ``submit_request`` / ``close_request`` do so from pieces read from
files); ``sign`` adds signatures (never changing the text); ``save`` / ``load`` move it
between people; ``sufficiency`` says whether it may be submitted and
``ready_frame`` gives the frame to send (``ClearNodeClient.send_presigned``). ``rebuild``
renews an expired request. Every refusal is a typed ``SigningError``. Dialect 1 requests
(``V1SigningRequest``, file version 2) carry a payload and quorum signatures over its hash;
``create_request_v1`` / ``update_request_v1`` / ``deposit_request_v1`` make them, and the
same ``sign`` / ``sufficiency`` / ``describe`` / ``save`` / ``load`` handle both kinds.
"""

from __future__ import annotations

from nitro_desktop.signing.build import (
    FlowBuild,
    SessionCall,
    close_request,
    create_request,
    new_request_id,
    ready_frame,
    rebuild,
    request_for,
    request_for_flow,
    sign,
    sign_all,
    submit_request,
)
from nitro_desktop.signing.errors import (
    DuplicateSignatureError,
    ExpiredRequestError,
    InsufficientSignaturesError,
    SigningError,
    SigningFormatError,
    TamperedRequestError,
    UnknownDialectError,
    WrongSignerError,
)
from nitro_desktop.signing.request import (
    DEFAULT_TIMESTAMP_WINDOW,
    FILE_SUFFIX,
    FORMAT,
    FORMAT_VERSION,
    CollectedSignature,
    SigningRequest,
    load,
    loads,
    save,
    to_json,
)
from nitro_desktop.signing.rules import (
    Sufficiency,
    age_seconds,
    check_fresh,
    is_expired,
    require_sufficient,
    sufficiency,
)
from nitro_desktop.signing.summary import Summary, describe
from nitro_desktop.signing.v1_build import create_request_v1, deposit_request_v1, update_request_v1
from nitro_desktop.signing.v1_request import FORMAT_VERSION_V1, Request, V1SigningRequest

__all__ = [
    "DEFAULT_TIMESTAMP_WINDOW",
    "FILE_SUFFIX",
    "FORMAT",
    "FORMAT_VERSION",
    "FORMAT_VERSION_V1",
    "CollectedSignature",
    "DuplicateSignatureError",
    "ExpiredRequestError",
    "FlowBuild",
    "InsufficientSignaturesError",
    "Request",
    "SessionCall",
    "SigningError",
    "SigningFormatError",
    "SigningRequest",
    "Sufficiency",
    "Summary",
    "TamperedRequestError",
    "UnknownDialectError",
    "V1SigningRequest",
    "WrongSignerError",
    "age_seconds",
    "check_fresh",
    "close_request",
    "create_request",
    "create_request_v1",
    "deposit_request_v1",
    "describe",
    "is_expired",
    "load",
    "loads",
    "new_request_id",
    "ready_frame",
    "rebuild",
    "request_for",
    "request_for_flow",
    "require_sufficient",
    "save",
    "sign",
    "sign_all",
    "submit_request",
    "sufficiency",
    "to_json",
    "update_request_v1",
]

"""Make signing requests, add signatures, rebuild expired ones, and produce the frame to send."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, overload

from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    Dialect,
    HashSigner,
    ProtocolError,
    RpcCall,
    app_session_id,
    builders,
    encode_request,
    recover_address,
    req_digest,
    spec,
)
from nitro_desktop.protocol.crypto import sign_digest
from nitro_desktop.protocol.v1 import FrameKind, encode_frame
from nitro_desktop.signing.errors import SigningError, WrongSignerError
from nitro_desktop.signing.request import (
    DEFAULT_TIMESTAMP_WINDOW,
    METHODS,
    CollectedSignature,
    SigningRequest,
)
from nitro_desktop.signing.rules import check_fresh, require_sufficient
from nitro_desktop.signing.summary import describe
from nitro_desktop.signing.v1_build import frame_payload, request_for_v1, sign_v1
from nitro_desktop.signing.v1_request import Request, V1SigningRequest

# Pre-signed requests carry ids from a range the client's own counter (1, 2, 3, … per
# connection) never reaches, below 2**53 so JavaScript tools read them exactly.
_ID_LOW, _ID_HIGH = 1 << 40, 1 << 53


def new_request_id() -> int:
    return _ID_LOW + secrets.randbelow(_ID_HIGH - _ID_LOW)


def _now_ms(now: float | None) -> int:
    return int((time.time() if now is None else now) * 1000)


class FlowBuild(Protocol):
    """What a flow builds: the exact call to sign, and the session it concerns.

    ``CreateSessionFlow`` and ``UpdateSessionFlow`` are such builds; so is ``SessionCall``.
    """

    @property
    def dialect(self) -> Dialect: ...

    def call(self) -> RpcCall: ...

    def session_definition(self) -> AppDefinition: ...


@dataclass(frozen=True)
class SessionCall:
    """A call built from pieces (files, the command line) rather than by a flow."""

    dialect: Dialect
    built: RpcCall
    definition: AppDefinition

    def call(self) -> RpcCall:
        return self.built

    def session_definition(self) -> AppDefinition:
        return self.definition


def request_for(
    build: FlowBuild,
    endpoint: str,
    *,
    now: float | None = None,
    timestamp_window: float = DEFAULT_TIMESTAMP_WINDOW,
    created_by: str = "",
) -> SigningRequest:
    """A signing request around exactly the call ``build`` makes, waiting for signatures."""
    try:
        call, definition = build.call(), build.session_definition()
    except ProtocolError as exc:
        raise SigningError(str(exc)) from None
    if call.method not in METHODS:
        raise SigningError(f"a signing request must hold one of {', '.join(METHODS)}, not {call.method!r}")
    dialect = Dialect(build.dialect)
    req = encode_request(new_request_id(), call.method, call.params, _now_ms(now))
    request = SigningRequest(
        endpoint=endpoint,
        dialect=dialect,
        req=req,
        definition=definition,
        timestamp_window=timestamp_window,
        created_by=created_by,
    )
    return replace(request, summary=describe(request).text())


def request_for_flow(
    build: FlowBuild, endpoint: str, *, now: float | None = None, created_by: str = ""
) -> Request:
    """``request_for`` for any dialect: a dialect with its own session calls (1) gets a v1 request."""
    if spec(build.dialect).own_session_calls:
        return request_for_v1(build, endpoint, created_by=created_by, now=now)
    return request_for(build, endpoint, now=now, created_by=created_by)


def _from_pieces(
    dialect: Dialect | str,
    make_call: Callable[[], RpcCall],
    definition: AppDefinition,
    endpoint: str,
    now: float | None,
    timestamp_window: float,
    created_by: str,
) -> SigningRequest:
    try:
        build = SessionCall(Dialect(dialect), make_call(), definition)
    except ProtocolError as exc:
        raise SigningError(str(exc)) from None
    return request_for(build, endpoint, now=now, timestamp_window=timestamp_window, created_by=created_by)


def create_request(
    endpoint: str,
    dialect: Dialect | str,
    definition: AppDefinition,
    allocations: Sequence[Allocation],
    session_data: str | None = None,
    *,
    now: float | None = None,
    timestamp_window: float = DEFAULT_TIMESTAMP_WINDOW,
    created_by: str = "",
) -> SigningRequest:
    """A create_app_session waiting for the signatures of everyone who puts funds in."""
    return _from_pieces(
        dialect,
        lambda: builders.create_app_session(dialect, definition, allocations, session_data),
        definition,
        endpoint,
        now,
        timestamp_window,
        created_by,
    )


def submit_request(
    endpoint: str,
    dialect: Dialect | str,
    definition: AppDefinition,
    allocations: Sequence[Allocation],
    *,
    intent: str | None = None,
    version: int | None = None,
    session_data: str | None = None,
    now: float | None = None,
    timestamp_window: float = DEFAULT_TIMESTAMP_WINDOW,
    created_by: str = "",
) -> SigningRequest:
    """A submit_app_state for the session ``definition`` describes (its id is derived from it)."""
    sid = app_session_id(definition, dialect)
    return _from_pieces(
        dialect,
        lambda: builders.submit_app_state(
            dialect, sid, allocations, intent=intent, version=version, session_data=session_data
        ),
        definition,
        endpoint,
        now,
        timestamp_window,
        created_by,
    )


def close_request(
    endpoint: str,
    dialect: Dialect | str,
    definition: AppDefinition,
    allocations: Sequence[Allocation],
    session_data: str | None = None,
    *,
    now: float | None = None,
    timestamp_window: float = DEFAULT_TIMESTAMP_WINDOW,
    created_by: str = "",
) -> SigningRequest:
    """A close_app_session paying out ``allocations``; needs signers whose weights reach the quorum."""
    sid = app_session_id(definition, dialect)
    return _from_pieces(
        dialect,
        lambda: builders.close_app_session(dialect, sid, allocations, session_data),
        definition,
        endpoint,
        now,
        timestamp_window,
        created_by,
    )


@overload
def sign(request: SigningRequest, signer: HashSigner, *, now: float | None = None) -> SigningRequest: ...
@overload
def sign(request: V1SigningRequest, signer: HashSigner, *, now: float | None = None) -> V1SigningRequest: ...
@overload
def sign(request: Request, signer: HashSigner, *, now: float | None = None) -> Request: ...
def sign(request: Request, signer: HashSigner, *, now: float | None = None) -> Request:
    """Add ``signer``'s signature over the exact ``req`` bytes; the text itself never changes.

    Refused: an account whose signature cannot count or that already signed, and an
    expired request (its signatures could never be used). A dialect 1 request gets a
    quorum signature over its hash instead (``v1_build.sign_v1``).
    """
    if isinstance(request, V1SigningRequest):
        return sign_v1(request, signer)
    request.check_signer(signer.address)
    check_fresh(request, now)
    signature = sign_digest(signer, req_digest(request.req))
    if recover_address(req_digest(request.req), signature) != signer.address:
        raise WrongSignerError(f"the key used to sign does not belong to {signer.address}")
    return request.with_signature(CollectedSignature(signer.address, signature))


@overload
def sign_all(
    request: SigningRequest, signers: Sequence[HashSigner], *, now: float | None = None
) -> SigningRequest: ...
@overload
def sign_all(
    request: V1SigningRequest, signers: Sequence[HashSigner], *, now: float | None = None
) -> V1SigningRequest: ...
@overload
def sign_all(request: Request, signers: Sequence[HashSigner], *, now: float | None = None) -> Request: ...
def sign_all(request: Request, signers: Sequence[HashSigner], *, now: float | None = None) -> Request:
    for signer in signers:
        request = sign(request, signer, now=now)
    return request


def rebuild(request: Request, *, now: float | None = None) -> Request:
    """The same request with a fresh timestamp and request id, and no signatures.

    The old signatures cover the old timestamp, so they cannot be carried over: everyone signs again.
    """
    if isinstance(request, V1SigningRequest):
        raise SigningError(
            "a dialect 1 request carries no timestamp that expires: there is nothing to rebuild"
        )
    build = SessionCall(request.dialect, RpcCall(request.method, request.frame.params), request.definition)
    return request_for(
        build,
        request.endpoint,
        now=now,
        timestamp_window=request.timestamp_window,
        created_by=request.created_by,
    )


def ready_frame(request: Request, *, now: float | None = None) -> str:
    """The frame to submit; refuses an expired request or one without enough signatures.

    A dialect 1 frame signs nothing itself: it gets a fresh request id and timestamp.
    """
    check_fresh(request, now)
    require_sufficient(request)
    if isinstance(request, V1SigningRequest):
        payload = frame_payload(request)
        return encode_frame(FrameKind.REQUEST, new_request_id(), request.method, payload, _now_ms(now))
    return request.frame_text()

"""The ``.nitroreq`` signing-request file: one exact ``req`` text and the signatures gathered for it.

A file is checked as a whole when it is read: format and dialect known, the
``req`` text unchanged (its keccak256 and every signature must match it), the
session definition consistent with the request, every signer a participant
whose signature counts, no signer twice. Nothing read from a file is trusted
before these checks pass; the human summary stored in the file is for people
reading it in an editor and is never used by the app (it recomputes it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    Dialect,
    ProtocolError,
    RequestFrame,
    app_session_id,
    check_definition_numbers,
    definition_from_dict,
    frame_from_req,
    keccak256,
    parse_amount,
    parse_request_frame,
    recover_address,
    req_digest,
    spec,
)
from nitro_desktop.protocol.nesting import nesting_within
from nitro_desktop.signing.atomic import write_atomically
from nitro_desktop.signing.errors import (
    DuplicateSignatureError,
    SigningFormatError,
    TamperedRequestError,
    UnknownDialectError,
    WrongSignerError,
)

if TYPE_CHECKING:
    from nitro_desktop.signing.v1_request import V1SigningRequest

FORMAT = "nitro-desktop/signing-request"
#: Dialect 0.x files; dialect 1 files are version 2 (``v1_request``). Both are read.
FORMAT_VERSION = 1
READ_VERSIONS = (1, 2)
#: A signing request is a few kilobytes; a larger file is refused unread (it may be hostile).
MAX_FILE_BYTES = 4 << 20
MAX_DEPTH = 32
FILE_SUFFIX = ".nitroreq"
METHODS = ("create_app_session", "submit_app_state", "close_app_session")
#: The ClearNode's default MSG_EXPIRY_TIME (PROTOCOL.md §1.3), in seconds.
DEFAULT_TIMESTAMP_WINDOW = 60.0


@dataclass(frozen=True, slots=True)
class CollectedSignature:
    """One signature over the ``req`` bytes and the address it recovers to (EIP-55)."""

    signer: str
    signature: str


@dataclass(frozen=True, slots=True)
class SigningRequest:
    """A request waiting for signatures. Build with ``signing.build``; read with ``loads``/``load``."""

    endpoint: str
    dialect: Dialect
    req: str
    definition: AppDefinition
    signatures: tuple[CollectedSignature, ...] = ()
    timestamp_window: float = DEFAULT_TIMESTAMP_WINDOW
    created_by: str = ""
    summary: str = ""
    frame: RequestFrame = field(init=False, repr=False, compare=False)
    params: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            frame = parse_request_frame(frame_from_req(self.req, []))
            params = spec(self.dialect).unwrap_params(frame.params)
        except ProtocolError as exc:
            raise SigningFormatError(f"the request text is not a ClearNode request: {exc}") from None
        if frame.method not in METHODS:
            raise SigningFormatError(
                f"a signing request must hold one of {', '.join(METHODS)}, not {frame.method!r}"
            )
        object.__setattr__(self, "frame", frame)
        object.__setattr__(self, "params", params)

    # ---- what the request says -------------------------------------------------------------
    @property
    def method(self) -> str:
        return self.frame.method

    @property
    def kind(self) -> str:
        """ "create", "submit" or "close"."""
        return {"create_app_session": "create", "submit_app_state": "submit"}.get(self.method, "close")

    @property
    def request_id(self) -> int:
        return self.frame.request_id

    @property
    def timestamp_ms(self) -> int:
        return self.frame.timestamp

    @property
    def expires_at(self) -> float:
        """Unix seconds after which the ClearNode refuses the request."""
        return self.timestamp_ms / 1000 + self.timestamp_window

    @property
    def app_session_id(self) -> str:
        if self.kind == "create":
            return app_session_id(self.definition, self.dialect)
        return str(self.params.get("app_session_id", ""))

    @property
    def allocations(self) -> tuple[Allocation, ...]:
        raw = self.params.get("allocations") or []
        if not isinstance(raw, list):
            raise SigningFormatError("the request's allocations are not a list")
        out = []
        for item in raw:
            if not isinstance(item, dict):
                raise SigningFormatError("an allocation in the request is not an object")
            amount = parse_amount(item.get("amount", "0"), allow_negative=True)
            out.append(Allocation(str(item.get("participant", "")), str(item.get("asset", "")), amount))
        return tuple(out)

    @property
    def session_data(self) -> str | None:
        value = self.params.get("session_data")
        return value if isinstance(value, str) else None

    @property
    def signers(self) -> tuple[str, ...]:
        return tuple(s.signer for s in self.signatures)

    def weight_of(self, address: str) -> int:
        for participant, weight in zip(self.definition.participants, self.definition.weights, strict=False):
            if participant == address:
                return weight
        return 0

    def eligible_signers(self) -> tuple[str, ...]:
        """Accounts whose signature counts: participants for create; weight > 0 for submit/close.

        (The ClearNode refuses a submit/close signed by a zero-weight participant: PROTOCOL.md §5.4.)
        """
        pairs = zip(self.definition.participants, self.definition.weights, strict=False)
        if self.kind == "create":
            return tuple(dict.fromkeys(self.definition.participants))
        return tuple(dict.fromkeys(p for p, w in pairs if w > 0))

    @property
    def quorum_rule(self) -> bool:
        """Whether the weights of the signers must reach the quorum (else: everyone who funds signs)."""
        return self.kind != "create"

    def frame_text(self) -> str:
        """The frame to send: the exact ``req`` text with every collected signature."""
        return frame_from_req(self.req, [s.signature for s in self.signatures])

    # ---- checks --------------------------------------------------------------------------
    def check_signer(self, address: str) -> None:
        """Refuse an account whose signature cannot count, or that already signed."""
        if address in self.signers:
            raise DuplicateSignatureError(f"{address} has already signed this request")
        if address in self.eligible_signers():
            return
        if address in self.definition.participants:
            raise WrongSignerError(
                f"{address} has weight 0 in this session: the ClearNode refuses a "
                f"{self.method} signed by a zero-weight participant, so it must not sign"
            )
        raise WrongSignerError(
            f"{address} is not a participant of application session {self.app_session_id}; "
            f"participants: {', '.join(self.definition.participants)}"
        )

    def with_signature(self, signature: CollectedSignature) -> SigningRequest:
        """A copy with one more signature, after checking it covers this exact ``req``."""
        self.check_signer(signature.signer)
        _check_recovers(self.req, signature)
        return replace(self, signatures=(*self.signatures, signature))


def _check_recovers(req: str, signature: CollectedSignature) -> None:
    try:
        recovered = recover_address(req_digest(req), signature.signature)
    except ProtocolError as exc:
        raise TamperedRequestError(
            f"the signature listed for {signature.signer} is unreadable: {exc}"
        ) from None
    if recovered != signature.signer:
        raise TamperedRequestError(
            f"the signature listed for {signature.signer} does not match the request text (it recovers "
            f"to {recovered}): the request was changed after it was signed. Do not use this file; ask "
            "the originator for a fresh one"
        )


def _check_definition(request: SigningRequest) -> None:
    if request.kind == "create":
        try:
            in_req = definition_from_dict(request.params.get("definition") or {})
        except ProtocolError as exc:
            raise SigningFormatError(f"the request's definition is unreadable: {exc}") from None
        with_app = spec(request.dialect).definition_has_application
        same = in_req.to_wire(with_application=with_app) == request.definition.to_wire(
            with_application=with_app
        )
    else:
        same = app_session_id(request.definition, request.dialect) == request.app_session_id
    if not same:
        raise TamperedRequestError(
            "the session definition in the file does not match the request text: the file was edited"
        )


# ---- the file ----------------------------------------------------------------------------------
def to_json(request: SigningRequest | V1SigningRequest) -> str:
    """The file's text (also what "copy as text" puts on the clipboard)."""
    if not isinstance(request, SigningRequest):
        return json.dumps(request.to_doc(), indent=2, ensure_ascii=False) + "\n"
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "endpoint": {"url": request.endpoint, "dialect": request.dialect.value},
        "method": request.method,
        "app_session_id": request.app_session_id,
        "req": request.req,
        "req_keccak256": "0x" + req_digest(request.req).hex(),
        "timestamp_window": request.timestamp_window,
        "definition": request.definition.to_wire(with_application=True),
        "signatures": [{"signer": s.signer, "signature": s.signature} for s in request.signatures],
        "created_by": request.created_by,
        "summary": request.summary,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def loads(text: str | bytes) -> SigningRequest | V1SigningRequest:
    """Read and fully check a signing request; raises a ``SigningError`` subclass."""
    if len(text) > MAX_FILE_BYTES:
        raise SigningFormatError(f"not a signing request (larger than {MAX_FILE_BYTES >> 20} MiB)")
    try:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        # Deep nesting is refused before the parser sees it: it can overflow the C stack.
        if not nesting_within(text, MAX_DEPTH):
            raise SigningFormatError(f"not a signing request (nested deeper than {MAX_DEPTH} levels)")
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise SigningFormatError(f"not a signing request (not JSON: {str(exc)[:200]})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SigningFormatError(f"not a signing request (the file's format is not {FORMAT!r})")
    version = doc.get("version")
    if type(version) is not int or version not in READ_VERSIONS:
        raise SigningFormatError(
            f"signing-request format version {version!r:.40} is not supported by this version of "
            f"Nitro Desktop (it reads versions {', '.join(map(str, READ_VERSIONS))}); update Nitro "
            "Desktop to open it"
        )
    endpoint = doc.get("endpoint")
    if not isinstance(endpoint, dict) or not isinstance(endpoint.get("url"), str):
        raise SigningFormatError("the file names no endpoint URL")
    raw_dialect = endpoint.get("dialect")
    try:
        dialect = Dialect(str(raw_dialect))
    except ValueError:
        known = ", ".join(d.value for d in Dialect)
        raise UnknownDialectError(
            f"the request is for ClearNode dialect {raw_dialect!r}, which this version of Nitro Desktop "
            f"does not speak (known: {known}); it cannot be checked or signed safely"
        ) from None
    if (version == 2) != bool(spec(dialect).own_session_calls):
        raise SigningFormatError(
            f"a version {version} signing request cannot be for ClearNode dialect {dialect.value} "
            "(dialect 1 requests are version 2, the others version 1): the file was edited"
        )
    if version == 2:
        from nitro_desktop.signing.v1_request import from_doc

        return from_doc(doc, endpoint["url"][:2048])
    req = doc.get("req")
    if not isinstance(req, str):
        raise SigningFormatError("the file has no request text ('req')")
    stated = doc.get("req_keccak256")
    if stated != "0x" + keccak256(req.encode("utf-8")).hex():
        raise TamperedRequestError(
            "the request text does not match its recorded hash: the file was changed after it was "
            "made. Do not sign or submit it; ask the originator for a fresh one"
        )
    try:
        definition = check_definition_numbers(definition_from_dict(doc.get("definition")))  # type: ignore[arg-type]
    except ProtocolError as exc:
        raise SigningFormatError(f"the session definition in the file is unreadable: {exc}") from None
    window = doc.get("timestamp_window", DEFAULT_TIMESTAMP_WINDOW)
    if isinstance(window, bool) or not isinstance(window, (int, float)) or window <= 0:
        raise SigningFormatError("timestamp_window must be a positive number of seconds")
    request = SigningRequest(
        endpoint=endpoint["url"],
        dialect=dialect,
        req=req,
        definition=definition,
        timestamp_window=float(window),
        created_by=str(doc.get("created_by") or ""),
        summary=str(doc.get("summary") or ""),
    )
    _check_definition(request)
    for entry in _signature_entries(doc.get("signatures", [])):
        request = request.with_signature(entry)
    return request


def _signature_entries(raw: Any) -> list[CollectedSignature]:
    if not isinstance(raw, list):
        raise SigningFormatError("'signatures' must be a list")
    out = []
    for item in raw:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("signer"), str)
            or not isinstance(item.get("signature"), str)
        ):
            raise SigningFormatError("each signature must be an object with 'signer' and 'signature'")
        out.append(CollectedSignature(item["signer"], item["signature"]))
    return out


def load(path: str | os.PathLike[str]) -> SigningRequest | V1SigningRequest:
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # never more than that into memory
    except OSError as exc:
        raise SigningFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    return loads(data)


def save(request: SigningRequest | V1SigningRequest, path: str | os.PathLike[str]) -> Path:
    """Write atomically (temporary file, fsync, rename): a reader never sees half a file."""
    # Owner-only like every file we write: who signs what with whom, for how much, is private.
    # (Send it on by copying; the recipient's copy gets their own permissions.)
    return write_atomically(path, to_json(request), 0o600)


def total_by_asset(allocations: Sequence[Allocation]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for a in allocations:
        totals[a.asset] = totals.get(a.asset, Decimal(0)) + a.amount
    return totals

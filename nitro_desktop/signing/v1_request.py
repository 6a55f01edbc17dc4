"""Dialect 1 signing requests: one exact app-session payload and the quorum signatures over its hash.

nitronode v1 signs no frame. Each participant signs a keccak256 of the ABI-encoded
definition (create) or state update (operate, withdraw, close, deposit) as a quorum
signature (type byte 0xA1 + a 65-byte EIP-191 signature); the node adds up the weights
of the distinct participants who signed (``verifyQuorum``). So the file carries the
payload text without ``quorum_sigs``, the hash everyone signs, and the signatures; the
frame is made when it is sent (its request id and timestamp are signed by nobody).

A file is checked as a whole when read, as a version-1 file is: the payload in its
canonical form, the hash recomputed from it, the definition consistent with it, every
signature recovering to the participant it names, nobody twice. Such a request does not
expire with time; a state update is refused by the node once the session has moved past
the version it names.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    Dialect,
    ProtocolError,
    to_checksum_address,
    v1,
)
from nitro_desktop.protocol.nesting import nesting_within
from nitro_desktop.protocol.v1 import Intent, Method
from nitro_desktop.protocol.v1.models import MAX_PARTICIPANTS, parse_session_data
from nitro_desktop.signing.errors import (
    DuplicateSignatureError,
    SigningFormatError,
    TamperedRequestError,
    WrongSignerError,
)
from nitro_desktop.signing.request import FORMAT, MAX_DEPTH, CollectedSignature, SigningRequest

#: Files for dialect 1 are version 2: an older Nitro Desktop says "update to open it" instead of
#: misreading them. Version-1 files (dialects 0.2 and 0.5) are still written and read as before.
FORMAT_VERSION_V1 = 2
#: Bounds on what a file may hold (a hostile file must not cost memory or time).
MAX_PAYLOAD = 1 << 20
MAX_SIGNATURES = MAX_PARTICIPANTS
MAX_TEXT = 4096

CREATE = Method.APP_SESSIONS_CREATE_APP_SESSION.value
SUBMIT = Method.APP_SESSIONS_SUBMIT_APP_STATE.value
DEPOSIT = Method.APP_SESSIONS_SUBMIT_DEPOSIT_STATE.value
V1_METHODS = (CREATE, SUBMIT, DEPOSIT)


def definition_wire(definition: AppDefinition | v1.Definition | dict[str, Any]) -> v1.Definition:
    """A definition in any shape the app holds, as v1 reads it (addresses lowercase)."""
    if isinstance(definition, AppDefinition):
        from nitro_desktop.protocol.v1.dialect import definition_of

        return v1.parse_definition(definition_of(definition))
    return v1.parse_definition(definition)


def common_definition(definition: v1.Definition) -> AppDefinition:
    """The app's common shape (EIP-55 addresses, no protocol or challenge), as the history keeps it."""
    return AppDefinition(
        protocol="",
        participants=tuple(to_checksum_address(p.wallet_address) for p in definition.participants),
        weights=tuple(p.signature_weight for p in definition.participants),
        quorum=definition.quorum,
        challenge=0,
        nonce=definition.nonce,
        application=definition.application_id,
    )


@dataclass(frozen=True, slots=True)
class V1SigningRequest:
    """A dialect 1 request waiting for quorum signatures. Build with ``v1_build``; read with ``loads``."""

    endpoint: str
    method: str
    payload: str  # the exact payload text, without quorum_sigs; never changes
    session: v1.Definition  # the session's definition (inside the payload too, for a create)
    signatures: tuple[CollectedSignature, ...] = ()
    created_by: str = ""
    summary: str = ""
    made_at: float = 0.0  # unix seconds; for people only, nothing is signed over it
    body: dict[str, Any] = field(init=False, repr=False, compare=False)
    update: v1.StateUpdate | None = field(init=False, repr=False, compare=False)
    signed_hash: str = field(init=False, compare=False)
    app_session_id: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.method not in V1_METHODS:
            raise SigningFormatError(
                f"a dialect 1 signing request holds one of {', '.join(V1_METHODS)}, not {self.method!r:.80}"
            )
        body = _payload_object(self.payload)
        try:
            sid = v1.app_session_id(self.session)
            if self.method == CREATE:
                update = None
                digest = self._check_create(body)
            else:
                update = v1.parse_state_update(body.get("app_state_update"))
                digest = v1.app_state_update_hash(update)
                self._check_update(body, update, sid)
        except ProtocolError as exc:
            raise SigningFormatError(f"the request's payload is not a valid {self.method}: {exc}") from None
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "update", update)
        object.__setattr__(self, "signed_hash", digest)
        object.__setattr__(self, "app_session_id", sid)

    def _check_create(self, body: dict[str, Any]) -> str:
        in_payload = v1.parse_definition(body.get("definition"))
        if in_payload.to_wire() != self.session.to_wire():
            raise TamperedRequestError(
                "the session definition in the file does not match the request's payload: the file was "
                "edited. Do not sign or submit it; ask the originator for a fresh one"
            )
        return v1.create_session_hash(in_payload, parse_session_data(body.get("session_data")))

    def _check_update(self, body: dict[str, Any], update: v1.StateUpdate, sid: str) -> None:
        if update.app_session_id != sid:
            raise TamperedRequestError(
                f"the session definition in the file gives app session {sid}, but the request updates "
                f"{update.app_session_id}: the file was edited. Do not sign or submit it"
            )
        if (self.method == DEPOSIT) != (update.intent is Intent.DEPOSIT):
            raise SigningFormatError(
                f"{self.method} cannot carry the {v1.INTENT_NAMES[update.intent]} intent"
            )
        if self.method == DEPOSIT:
            state = body.get("user_state")
            transition = state.get("transition") if isinstance(state, dict) else None
            if not isinstance(transition, dict) or transition.get("account_id") != sid:
                raise SigningFormatError(
                    "the deposit's channel state (user_state) does not commit funds to this app session"
                )
            wallet = str(state.get("user_wallet", "") if isinstance(state, dict) else "").lower()
            if wallet not in {p.wallet_address for p in self.session.participants}:
                raise SigningFormatError("the depositor named in user_state is not a participant")

    # ---- what the request says -------------------------------------------------------------
    @property
    def dialect(self) -> Dialect:
        return Dialect.V1

    @property
    def kind(self) -> str:
        """ "create", "submit" (operate or withdraw), "deposit" or "close"."""
        if self.update is None:
            return "create"
        return {Intent.CLOSE: "close", Intent.DEPOSIT: "deposit"}.get(self.update.intent, "submit")

    @property
    def intent(self) -> str:
        return "create" if self.update is None else v1.INTENT_NAMES[self.update.intent]

    @property
    def version(self) -> int:
        return 1 if self.update is None else self.update.version

    @property
    def definition(self) -> AppDefinition:
        return common_definition(self.session)

    @property
    def session_data(self) -> str:
        if self.update is not None:
            return self.update.session_data
        return parse_session_data(self.body.get("session_data"))

    @property
    def allocations(self) -> tuple[Allocation, ...]:
        if self.update is None:
            return ()
        return tuple(
            Allocation(to_checksum_address(a.participant), a.asset, Decimal(a.amount.string()))
            for a in self.update.allocations
        )

    @property
    def user_state(self) -> dict[str, Any] | None:
        state = self.body.get("user_state")
        return state if isinstance(state, dict) else None

    @property
    def deposit_amount(self) -> tuple[str, str, str] | None:
        """(depositor, amount, asset) the channel state commits, for a deposit."""
        state = self.user_state
        if state is None:
            return None
        transition = state.get("transition") or {}
        return (
            to_checksum_address(str(state.get("user_wallet", ""))),
            str(transition.get("amount", ""))[:80],
            str(state.get("asset", ""))[:80],
        )

    # The rules every request shares (``signing.rules``): v1 never expires with time, and
    # every v1 change, a create included, needs signers whose weights reach the quorum.
    quorum_rule = True
    timestamp_window = math.inf

    @property
    def timestamp_ms(self) -> int:
        return int(self.made_at * 1000)

    @property
    def expires_at(self) -> float:
        return math.inf

    @property
    def signers(self) -> tuple[str, ...]:
        return tuple(s.signer for s in self.signatures)

    def weight_of(self, address: str) -> int:
        lower = address.lower()
        return next((p.signature_weight for p in self.session.participants if p.wallet_address == lower), 0)

    def eligible_signers(self) -> tuple[str, ...]:
        """Participants whose signature adds weight (the node counts a weight-0 one as nothing)."""
        return tuple(
            dict.fromkeys(
                to_checksum_address(p.wallet_address) for p in self.session.participants if p.signature_weight
            )
        )

    def quorum_sigs(self) -> list[str]:
        return [s.signature for s in self.signatures]

    # ---- checks --------------------------------------------------------------------------
    def check_signer(self, address: str) -> None:
        """Refuse an account whose signature cannot count, or that already signed."""
        if address.lower() in {s.lower() for s in self.signers}:
            raise DuplicateSignatureError(f"{address} has already signed this request")
        if address in self.eligible_signers():
            return
        if self.weight_of(address) == 0 and any(
            p.wallet_address == address.lower() for p in self.session.participants
        ):
            raise WrongSignerError(
                f"{address} has weight 0 in this session: its signature would add nothing to the "
                f"quorum ({self.session.quorum}), so it does not sign"
            )
        participants = ", ".join(self.definition.participants)
        raise WrongSignerError(
            f"{address} is not a participant of application session {self.app_session_id}; the node "
            f"refuses a signature from a non-participant. Participants: {participants}"
        )

    def with_signature(self, signature: CollectedSignature) -> V1SigningRequest:
        """A copy with one more signature, after checking it is the named participant's over this hash."""
        self.check_signer(signature.signer)
        try:
            kind, recovered = v1.recover_quorum(self.signed_hash, signature.signature)
        except ProtocolError as exc:
            raise TamperedRequestError(
                f"the signature listed for {signature.signer} is unreadable: {exc}"
            ) from None
        if kind != "wallet":
            raise WrongSignerError(
                f"the signature listed for {signature.signer} is an app session key's (0xA2); only "
                "wallet signatures (0xA1) can be checked in a signing request"
            )
        if recovered != signature.signer.lower():
            raise TamperedRequestError(
                f"the signature listed for {signature.signer} does not match the request (it recovers to "
                f"{to_checksum_address(recovered)}): the request was changed after it was signed. Do not "
                "use this file; ask the originator for a fresh one"
            )
        return replace(self, signatures=(*self.signatures, signature))

    # ---- the file ----------------------------------------------------------------------------
    def to_doc(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION_V1,
            "endpoint": {"url": self.endpoint, "dialect": Dialect.V1.value},
            "method": self.method,
            "app_session_id": self.app_session_id,
            "payload": self.payload,
            "signed_hash": self.signed_hash,
            "definition": self.session.to_wire(),
            "signatures": [{"signer": s.signer, "signature": s.signature} for s in self.signatures],
            "made_at": self.made_at,
            "created_by": self.created_by,
            "summary": self.summary,
        }


#: Either kind of signing request: dialects 0.2/0.5 (``SigningRequest``) or 1.
Request = SigningRequest | V1SigningRequest


def _payload_object(text: Any) -> dict[str, Any]:
    if not isinstance(text, str):
        raise SigningFormatError("the file has no request payload ('payload' text)")
    if len(text) > MAX_PAYLOAD:
        raise SigningFormatError(f"the request payload is larger than {MAX_PAYLOAD} characters")
    if not nesting_within(text, MAX_DEPTH):
        raise SigningFormatError(f"the request payload is nested deeper than {MAX_DEPTH} levels")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SigningFormatError(f"the request payload is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise SigningFormatError("the request payload is not a JSON object")
    if "quorum_sigs" in body:
        raise SigningFormatError("the payload must not carry quorum_sigs: the signatures are listed apart")
    try:
        canonical = v1.encode_payload(body)
    except ProtocolError as exc:
        raise SigningFormatError(f"the request payload cannot be encoded: {exc}") from None
    if canonical != text:
        raise TamperedRequestError(
            "the request payload is not in the form Nitro Desktop wrote it: the file was edited. Do not "
            "sign or submit it; ask the originator for a fresh one"
        )
    return body


def from_doc(doc: dict[str, Any], endpoint: str) -> V1SigningRequest:
    """Read and fully check a version-2 document (``signing.loads`` has checked format and dialect)."""
    try:
        session = v1.parse_definition(doc.get("definition"))
    except ProtocolError as exc:
        raise SigningFormatError(f"the session definition in the file is unreadable: {exc}") from None
    made_at = doc.get("made_at", 0)
    if isinstance(made_at, bool) or not isinstance(made_at, (int, float)) or not 0 <= made_at < 1e11:
        raise SigningFormatError("made_at must be a time in unix seconds")
    request = V1SigningRequest(
        endpoint=endpoint,
        method=str(doc.get("method", ""))[:MAX_TEXT],
        payload=doc.get("payload"),  # type: ignore[arg-type]  # checked in __post_init__
        session=session,
        created_by=str(doc.get("created_by") or "")[:MAX_TEXT],
        summary=str(doc.get("summary") or "")[: MAX_PAYLOAD // 16],
        made_at=float(made_at),
    )
    if doc.get("signed_hash") != request.signed_hash:
        raise TamperedRequestError(
            "the request's payload does not match its recorded hash (the hash every signer signs): the "
            "file was changed after it was made. Do not sign or submit it; ask the originator for a fresh one"
        )
    raw = doc.get("signatures", [])
    if not isinstance(raw, list) or len(raw) > MAX_SIGNATURES:
        raise SigningFormatError(f"'signatures' must be a list of at most {MAX_SIGNATURES} entries")
    for item in raw:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("signer"), str)
            or not isinstance(item.get("signature"), str)
            or len(item["signer"]) > 64
            or len(item["signature"]) > 200
        ):
            raise SigningFormatError("each signature must be an object with 'signer' and 'signature'")
        try:
            signer = to_checksum_address(item["signer"])
        except (ValueError, ProtocolError):
            raise SigningFormatError(f"{item['signer']!r} is not an address") from None
        request = request.with_signature(CollectedSignature(signer, item["signature"]))
    return request

"""Frames of the 0.x wire protocol: ``{"req":[id, method, params, ts], "sig":[…]}`` (``REQ_SIG``).

The ``req`` text is produced once and then carried as a string: the frame is
assembled by concatenation so the signed bytes and the sent bytes cannot
differ. Server frames are checked over their raw ``res`` text for the same
reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from nitro_desktop.protocol.canonical import go_json, js_json, raw_values
from nitro_desktop.protocol.crypto import (
    HashSigner,
    decode_signature,
    keccak256,
    recover_address,
    sign_digest,
)
from nitro_desktop.protocol.errors import (
    EmptyRequestError,
    FrameFormatError,
    FrameValidationError,
    ProtocolError,
    SignatureError,
)
from nitro_desktop.protocol.models import RpcCall
from nitro_desktop.protocol.wire import Envelope, FrameKind, ServerFrame

_UINT64_MAX = (1 << 64) - 1
#: Server-initiated frames of the 0.x dialects: told from responses by their method only.
NOTIFICATION_METHODS = frozenset({"assets", "channels", "bu", "cu", "tr", "asu"})


def encode_request(request_id: int, method: str, params: Any, timestamp: int) -> str:
    """The exact ``req`` JSON text, as ``JSON.stringify([id, method, params, ts])`` writes it."""
    return js_json([request_id, method, params, timestamp])


_PLAIN_METHODS = frozenset({"create_app_session", "submit_app_state", "close_app_session"})


def _plain_name(method: str) -> bool:
    return type(method) is str and method.isascii() and method.isidentifier()


def encode_request_with(request_id: int, method: str, params_json: str, timestamp: int) -> str:
    """``encode_request`` around params already written as JSON (``RpcCall.params_json``)."""
    if (
        type(request_id) is int
        and type(timestamp) is int
        and (method in _PLAIN_METHODS or _plain_name(method))
    ):
        # An ASCII identifier needs no escaping, so its JSON is the name in quotes.
        return f'[{request_id},"{method}",{params_json},{timestamp}]'
    # JSON.stringify of an array is its elements' texts joined by commas.
    return "[" + ",".join((js_json(request_id), js_json(method), params_json, js_json(timestamp))) + "]"


def req_digest(req_text: str) -> bytes:
    """keccak256 of the ``req`` bytes: what every request signature covers."""
    return keccak256(req_text.encode("utf-8"))


def frame_from_req(req_text: str, signatures: Iterable[str] | None, *, sid: str | None = None) -> str:
    """Assemble a frame around an already-encoded ``req`` without touching its bytes.

    ``signatures=None`` leaves ``sig`` out (SDK 0.2.x did so for JWT re-auth).
    """
    middle = "" if sid is None else ',"sid":' + json.dumps(sid, ensure_ascii=False)
    if signatures is None:
        return '{"req":' + req_text + middle + "}"
    sigs = ",".join(_quote(s) for s in signatures)
    return '{"req":' + req_text + middle + ',"sig":[' + sigs + "]}"


def _quote(signature: str) -> str:
    # Our own signatures are 0x-hex: nothing to escape, so skip json.dumps (most of the frame's cost).
    if type(signature) is str and signature.isascii() and signature.isalnum():
        return '"' + signature + '"'
    return json.dumps(signature, ensure_ascii=False)


def sign_req_text(req_text: str, signers: Sequence[HashSigner]) -> list[str]:
    """Signatures of each signer over the ``req`` text, in order."""
    if not signers:
        return []
    digest = req_digest(req_text)
    return [sign_digest(signer, digest) for signer in signers]


def sign_request(
    request_id: int,
    method: str,
    params: Any,
    timestamp: int,
    signers: Sequence[HashSigner],
) -> str:
    """The whole wire frame ``{"req":…,"sig":[…]}``; no signers gives ``"sig":[]``."""
    req_text = encode_request(request_id, method, params, timestamp)
    return frame_from_req(req_text, sign_req_text(req_text, signers))


def add_signatures(frame: str, signers: Sequence[HashSigner]) -> str:
    """Append more signatures over the same ``req`` bytes (multi-party signing)."""
    parsed = parse_request_frame(frame)
    extra = sign_req_text(parsed.raw_req, signers)
    return frame_from_req(parsed.raw_req, [*parsed.signatures, *extra], sid=parsed.sid)


def _signed_part(frame: str) -> tuple[str, list[Any]]:
    values = raw_values(frame)
    key = "req" if "req" in values else "res" if "res" in values else None
    if key is None:
        raise FrameFormatError("frame has neither 'req' nor 'res'")
    sigs = values.get("sig", ([], ""))[0]
    if not isinstance(sigs, list):
        raise FrameFormatError("'sig' must be a list of signatures")
    return values[key][1], sigs


def recover_signers(frame: str) -> list[str]:
    """EIP-55 address of each signature in a request or response frame, in order."""
    raw, sigs = _signed_part(frame)
    digest = keccak256(raw.encode("utf-8"))
    out = []
    for sig in sigs:
        if not isinstance(sig, str):
            raise SignatureError(f"signature must be a string, got {type(sig).__name__}")
        out.append(recover_address(digest, sig))
    return out


def _uint64(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _UINT64_MAX:
        raise FrameFormatError(f"{what} must be an unsigned 64-bit integer, got {value!r:.60}")
    return value


@dataclass(frozen=True, slots=True)
class RequestFrame:
    """A client frame as the server sees it, with the exact ``req`` text kept."""

    request_id: int
    method: str
    params: Any
    timestamp: int
    raw_req: str
    signatures: tuple[str, ...]
    sid: str | None = None


def parse_request_frame(text: str, *, strict_hex_sigs: bool = False, decimals: bool = False) -> RequestFrame:
    """Parse a client frame with the server's checks, in the server's order.

    ``strict_hex_sigs`` decodes every ``sig`` entry at frame level, as the
    object-params servers (v0.3+) do; the array-params server checks them later.
    """
    values = raw_values(text, decimals=decimals)
    if "req" not in values:
        if "res" in values:
            raise EmptyRequestError("message request is empty")
        raise FrameValidationError("frame has no 'req'")
    req, raw_req = values["req"]
    if not isinstance(req, list) or len(req) != 4:
        raise FrameFormatError("'req' must be an array of [request_id, method, params, timestamp]")
    request_id = _uint64(req[0], "request_id")
    if not isinstance(req[1], str):
        raise FrameFormatError("method must be a string")
    timestamp = _uint64(req[3], "timestamp")
    sig_value = values.get("sig", (None, ""))[0]
    if sig_value is None:
        sig_value = []
    if not isinstance(sig_value, list) or not all(isinstance(s, str) for s in sig_value):
        raise FrameFormatError("'sig' must be a list of strings")
    if strict_hex_sigs:
        for sig in sig_value:
            try:
                decode_signature(sig)
            except SignatureError as exc:
                raise FrameFormatError(str(exc)) from exc
    sid = values.get("sid", (None, ""))[0]
    if request_id == 0 or timestamp == 0 or not req[1]:
        raise FrameValidationError("request_id, method and timestamp are required and non-zero")
    return RequestFrame(
        request_id=request_id,
        method=req[1],
        params=req[2],
        timestamp=timestamp,
        raw_req=raw_req,
        signatures=tuple(sig_value),
        sid=sid if isinstance(sid, str) else None,
    )


def parse_server_frame(text: str | bytes) -> ServerFrame:
    """Parse ``{"res":[id, method, result, ts], "sig":[…]}``; anything else is a ProtocolError."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FrameFormatError("frame is not valid UTF-8") from exc
    values = raw_values(text)
    if "res" not in values:
        raise FrameFormatError("server frame has no 'res'")
    res, raw_res = values["res"]
    if not isinstance(res, list) or len(res) != 4:
        raise FrameFormatError("'res' must be an array of [request_id, method, result, timestamp]")
    if not isinstance(res[1], str):
        raise FrameFormatError("response method must be a string")
    sig_value = values.get("sig", ([], ""))[0] or []
    if not isinstance(sig_value, list) or not all(isinstance(s, str) for s in sig_value):
        raise FrameFormatError("'sig' must be a list of strings")
    method = res[1]
    return ServerFrame(
        request_id=_uint64(res[0], "request_id"),
        method=method,
        result=res[2],
        timestamp=_uint64(res[3], "timestamp"),
        raw_res=raw_res,
        signatures=tuple(sig_value),
        text=text,
        kind=_EVENT if method in NOTIFICATION_METHODS else _ERROR if method == "error" else _RESPONSE,
    )


_EVENT, _ERROR, _RESPONSE = FrameKind.EVENT, FrameKind.ERROR, FrameKind.RESPONSE


def sign_response(
    request_id: int,
    method: str,
    result: Any,
    timestamp: int,
    broker: HashSigner,
    *,
    v_offset: int = 27,
) -> str:
    """A server frame signed by the broker over Go's JSON of the ``res`` array.

    ``v_offset`` 0 gives v = 0/1 (array-params servers), 27 gives v = 27/28.
    """
    res_text = go_json([request_id, method, result, timestamp])
    sig = sign_digest(broker, keccak256(res_text.encode("utf-8")))
    if v_offset == 0:
        sig = sig[:-2] + f"{int(sig[-2:], 16) - 27:02x}"
    return '{"res":' + res_text + ',"sig":["' + sig + '"]}'


class ReqSigEnvelope(Envelope):
    """The 0.x envelope: ``{"req":…,"sig":[…]}`` out, broker-signed ``{"res":…,"sig":[…]}`` in."""

    signs_requests = True
    server_signed = True

    def encode_request(
        self, request_id: int, call: RpcCall, timestamp: int, signers: Sequence[HashSigner]
    ) -> str:
        if call.params_json is None:
            return sign_request(request_id, call.method, call.params, timestamp, signers)
        req_text = encode_request_with(request_id, call.method, call.params_json, timestamp)
        if not signers:
            return '{"req":' + req_text + ',"sig":[]}'
        digest = keccak256(req_text.encode("utf-8"))
        # sign_digest writes "0x" + hex: nothing in it needs JSON escaping.
        sigs = '","'.join([sign_digest(signer, digest) for signer in signers])
        return '{"req":' + req_text + ',"sig":["' + sigs + '"]}'

    def decode(self, text: str | bytes) -> ServerFrame:
        return parse_server_frame(text)

    def signer(self, frame: ServerFrame) -> str | None:
        try:
            signers = frame.signers()
        except ProtocolError:
            return None
        return signers[0] if signers else None


#: The one instance both 0.x dialects use.
REQ_SIG = ReqSigEnvelope()

"""The dialect seam: one ``DialectSpec`` per wire dialect, looked up by ``Dialect``.

Callers never branch on the dialect themselves; they ask ``spec(dialect)`` for
its envelope (frames out and in, who signs them), its capabilities (a login
step or none, sessions funded at create or created empty and funded later), its
method names, params, typed results, errors and auth data. A new dialect (v1,
docs/architecture.md "The dialect seam") is one module that subclasses
``DialectSpec``, sets its ``envelope`` and capabilities, and calls ``register``.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, cast

from nitro_desktop.protocol.crypto import HashSigner
from nitro_desktop.protocol.dialect_id import Dialect as Dialect
from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.frames import REQ_SIG
from nitro_desktop.protocol.models import AppDefinition, RpcCall
from nitro_desktop.protocol.wire import Envelope, ServerFrame


class DialectSpec(ABC):
    """Everything that differs between dialects, behind one interface."""

    dialect: Dialect
    #: The dialect's name for people: its value and the servers that speak it.
    title: str = ""
    #: App protocol names the server accepts (empty: any string).
    protocols: tuple[str, ...]
    default_protocol: str
    #: Whether the definition carries ``application`` (and so the session id covers it).
    definition_has_application: bool
    #: Recovery id offset the server uses when it signs: 0 -> v=0/1, 27 -> v=27/28.
    server_v_offset: int
    #: Whether ``sig`` entries are decoded as hex at frame level (v0.3+ servers).
    strict_hex_sigs: bool

    # ---- the seam's capabilities (a dialect overrides what differs) ----------
    #: Frames on the wire: encode, decode, who signed a server frame. 0.x: ``{"req","sig"}``.
    envelope: Envelope = REQ_SIG
    #: The client's login step, by name (``client.auth`` maps it to an authenticator);
    #: None: no login, every request stands on its own (v1).
    auth_scheme: str | None = "eip712-challenge"
    #: True: a session's funds are its create's allocations (0.x). False: created
    #: empty, funded later by deposit states (v1); a create then takes no allocations.
    funded_at_create: bool = True
    #: Whether the server keeps a session key's first expiry for good (0.5): the client
    #: then logs in with a fresh key each time instead of re-using the wallet or a key.
    session_keys_expire: bool = False
    #: Params are a bare object (v0.3+ servers) rather than a one-element array; the
    #: sandbox applies that server generation's rules with it.
    object_params: bool = False
    #: The server's per-connection request limit a client should stay under, as
    #: (requests per second, burst); None: the server does not limit, or says so in an error.
    request_rate: tuple[float, int] | None = None

    # ---- what a session holds: flows and the UI ask these instead of comparing dialects ----
    #: Whether the definition carries the app ``protocol`` string (the wizard asks for it).
    definition_has_protocol: bool = True
    #: Whether the definition carries a ``challenge`` period (the wizard asks for it).
    definition_has_challenge: bool = True
    #: App protocols whose submit_app_state carries an intent and the session's next version.
    versioned_protocols: tuple[str, ...] = ()
    #: The intents such a versioned submit may carry (empty: none).
    intents: tuple[str, ...] = ()
    #: The largest participant weight and quorum a definition may hold (None: no limit of its own).
    max_weight: int | None = None
    #: The application name a new session starts with, and the pattern it must match (None: any text).
    default_application: str = "Nitro Desktop"
    application_pattern: str | None = None
    max_quorum: int | None = None
    #: The client's common session calls (assets, balances, list, create, submit, close) go through
    #: the dialect's own typed calls (``client.v1``) rather than the 0.x request builders.
    own_session_calls: bool = False

    # ---- frames ---------------------------------------------------------
    def encode_frame(
        self, request_id: int, call: RpcCall, timestamp: int, signers: Sequence[HashSigner]
    ) -> str:
        return self.envelope.encode_request(request_id, call, timestamp, signers)

    def decode_frame(self, text: str | bytes) -> ServerFrame:
        return self.envelope.decode(text)

    def decode_payload(self, frame: ServerFrame) -> Any:
        """The typed payload of a response, event or error frame (a ``ServerError`` for errors)."""
        return _parsers_decode_result()(self, frame.method, frame.result)

    def method_name(self, method: str) -> str:
        """The wire name of a call the builders know by its 0.x name (v1: ``node.v1.ping``…)."""
        return method

    # ---- params ---------------------------------------------------------
    @abstractmethod
    def wrap_params(self, obj: dict[str, Any] | None) -> Any:
        """Params as sent: the object itself, or wrapped in an array."""

    @abstractmethod
    def unwrap_params(self, params: Any) -> dict[str, Any]:
        """Server side: the params object of a request (empty when absent)."""

    # ---- results --------------------------------------------------------
    @abstractmethod
    def wrap_result(self, payload: Any) -> Any:
        """Server side: a result payload as this dialect sends it."""

    @abstractmethod
    def unwrap_result(self, method: str, result: Any) -> Any:
        """Client side: the payload inside a result (a dict, a list, or None)."""

    @abstractmethod
    def error_result(self, message: str) -> Any:
        """Server side: the ``res[2]`` of an error frame."""

    @abstractmethod
    def list_key(self, method: str) -> str | None:
        """Key under which list results are wrapped in an object (E3+), if any."""

    # ---- auth (only for dialects with an auth_scheme) -------------------
    def _no_login(self) -> ProtocolError:
        return ProtocolError(f"dialect {self.dialect.value} has no login step")

    def auth_request_params(
        self,
        *,
        address: str,
        session_key: str,
        application: str,
        allowances: Sequence[tuple[str, str]],
        expires_at: int,
        scope: str,
        app_address: str,
    ) -> Any:
        """auth_request params (positional list in 0.2, object in 0.5)."""
        raise self._no_login()

    def auth_typed_data(self, auth_request_params: Any, challenge: str) -> dict[str, Any]:
        """Full EIP-712 message for auth_verify, from the params sent in auth_request."""
        raise self._no_login()

    def auth_request_fields(self, auth_request_params: Any) -> dict[str, Any]:
        """Server side: address, session_key, application, allowances, expires_at, scope."""
        raise self._no_login()

    # ---- app sessions -----------------------------------------------------
    def session_id_preimage(self, definition: AppDefinition) -> dict[str, Any]:
        return definition.to_wire(with_application=self.definition_has_application)

    def session_id(self, definition: AppDefinition) -> str:
        """The id the server derives for ``definition`` (0.x: keccak256 of Go's JSON of it)."""
        from nitro_desktop.protocol.canonical import go_json
        from nitro_desktop.protocol.crypto import keccak256

        return "0x" + keccak256(go_json(self.session_id_preimage(definition)).encode("utf-8")).hex()

    def create_params(
        self, definition: AppDefinition, allocations: list[dict[str, Any]], session_data: str | None
    ) -> dict[str, Any]:
        """The create request's params object, before the dialect wraps it."""
        obj: dict[str, Any] = {
            "definition": definition.to_wire(with_application=self.definition_has_application),
            "allocations": allocations,
        }
        if session_data is not None:
            obj["session_data"] = session_data
        return obj

    def check_protocol(self, protocol: str) -> None:
        if self.protocols and protocol not in self.protocols:
            raise ProtocolError(
                f"unsupported protocol: {protocol} (this server accepts {', '.join(self.protocols)})"
            )

    def supports(self, method: str) -> bool:
        return True


@functools.cache
def _parsers_decode_result() -> Callable[[DialectSpec, str, Any], Any]:
    from nitro_desktop.protocol.parsers import decode_result  # parsers imports this module

    return decode_result


#: What ``spec`` accepts: a registered dialect by enum or text, or a spec object itself.
class ObjectParamsSpec(DialectSpec):
    """A dialect whose params and results are bare objects (0.5 and 1; 0.2 wraps them in arrays)."""

    object_params = True

    def wrap_params(self, obj: dict[str, Any] | None) -> Any:
        return {} if obj is None else obj

    def unwrap_params(self, params: Any) -> dict[str, Any]:
        if params is None:
            return {}
        if not isinstance(params, dict):
            raise ProtocolError("failed to parse parameters")
        return params

    def wrap_result(self, payload: Any) -> Any:
        return payload


DialectLike = Dialect | str | DialectSpec

_REGISTRY: dict[Dialect, DialectSpec] = {}
_SPEC_TYPES: set[type] = set()  # registered classes: found without ABCMeta's slower isinstance


def register(impl: DialectSpec) -> DialectSpec:
    _REGISTRY[impl.dialect] = impl
    _SPEC_TYPES.add(type(impl))
    return impl


def spec(dialect: DialectLike) -> DialectSpec:
    """The implementation of a dialect; a readable error for an unknown one.

    A ``DialectSpec`` object is returned as is: callers can hand a spec that is not
    (yet) registered under a ``Dialect`` through the same code (the seam's tests do).
    """
    # Dialect is a StrEnum, so "0.2" finds Dialect.V02's entry without the enum conversion.
    if type(dialect) is str or type(dialect) is Dialect:
        impl = _REGISTRY.get(cast(Dialect, dialect))
        if impl is not None:
            return impl
    if type(dialect) in _SPEC_TYPES or isinstance(dialect, DialectSpec):
        return cast(DialectSpec, dialect)
    try:
        key = Dialect(dialect)
    except ValueError:
        known = ", ".join(d.value for d in Dialect)
        raise ProtocolError(f"unknown dialect {dialect!r}; known dialects: {known}") from None
    if key not in _REGISTRY:  # the modules register themselves on import
        from nitro_desktop.protocol import dialect_02, dialect_05  # noqa: F401
        from nitro_desktop.protocol.v1 import dialect as _v1  # noqa: F401
    return _REGISTRY[key]

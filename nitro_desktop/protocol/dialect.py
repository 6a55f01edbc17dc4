"""The dialect seam: one ``DialectSpec`` per wire dialect, looked up by ``Dialect``.

Callers never branch on the dialect themselves; they ask ``spec(dialect)``
for params, results, errors and auth data. A new dialect (the v1 protocol,
PROTOCOL.md §7.2) is one new module that subclasses ``DialectSpec`` and calls
``register``; frames go through the spec too (``encode_frame`` /
``decode_frame``), so its different envelope stays inside that module.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, cast

from nitro_desktop.protocol.crypto import HashSigner
from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.frames import ServerFrame, parse_server_frame, sign_request
from nitro_desktop.protocol.models import AppDefinition, RpcCall


class Dialect(enum.StrEnum):
    """Wire dialects: "0.2" is the mid-2025 array-params ClearNode, "0.5" is ClearNode v0.5.x."""

    V02 = "0.2"
    V05 = "0.5"


class DialectSpec(ABC):
    """Everything that differs between dialects, behind one interface."""

    dialect: Dialect
    #: App protocol names the server accepts (empty: any string).
    protocols: tuple[str, ...]
    default_protocol: str
    #: Whether the definition carries ``application`` (and so the session id covers it).
    definition_has_application: bool
    #: Recovery id offset the server uses when it signs: 0 -> v=0/1, 27 -> v=27/28.
    server_v_offset: int
    #: Whether ``sig`` entries are decoded as hex at frame level (v0.3+ servers).
    strict_hex_sigs: bool

    # ---- what a session holds: flows and the UI ask these instead of comparing dialects ----
    #: Whether the definition carries the app ``protocol`` string (the wizard asks for it).
    definition_has_protocol: bool = True
    #: Whether the definition carries a ``challenge`` period (the wizard asks for it).
    definition_has_challenge: bool = True
    #: Whether create_app_session carries each participant's allocation (else: created empty, funded later).
    allocations_at_create: bool = True
    #: App protocols whose submit_app_state carries an intent and the session's next version.
    versioned_protocols: tuple[str, ...] = ()
    #: The intents such a versioned submit may carry (empty: none).
    intents: tuple[str, ...] = ()

    # ---- frames ---------------------------------------------------------
    def encode_frame(
        self, request_id: int, call: RpcCall, timestamp: int, signers: Sequence[HashSigner]
    ) -> str:
        return sign_request(request_id, call.method, call.params, timestamp, signers)

    def decode_frame(self, text: str | bytes) -> ServerFrame:
        return parse_server_frame(text)

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

    # ---- auth -----------------------------------------------------------
    @abstractmethod
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

    @abstractmethod
    def auth_typed_data(self, auth_request_params: Any, challenge: str) -> dict[str, Any]:
        """Full EIP-712 message for auth_verify, from the params sent in auth_request."""

    @abstractmethod
    def auth_request_fields(self, auth_request_params: Any) -> dict[str, Any]:
        """Server side: address, session_key, application, allowances, expires_at, scope."""

    # ---- app sessions -----------------------------------------------------
    def session_id_preimage(self, definition: AppDefinition) -> dict[str, Any]:
        return definition.to_wire(with_application=self.definition_has_application)

    def check_protocol(self, protocol: str) -> None:
        if self.protocols and protocol not in self.protocols:
            raise ProtocolError(
                f"unsupported protocol: {protocol} (this server accepts {', '.join(self.protocols)})"
            )

    def supports(self, method: str) -> bool:
        return True


_REGISTRY: dict[Dialect, DialectSpec] = {}


def register(impl: DialectSpec) -> DialectSpec:
    _REGISTRY[impl.dialect] = impl
    return impl


def spec(dialect: Dialect | str) -> DialectSpec:
    """The implementation of a dialect; a readable error for an unknown one."""
    # Dialect is a StrEnum, so "0.2" finds Dialect.V02's entry without the enum conversion.
    if type(dialect) is str or type(dialect) is Dialect:
        impl = _REGISTRY.get(cast(Dialect, dialect))
        if impl is not None:
            return impl
    try:
        key = Dialect(dialect)
    except ValueError:
        known = ", ".join(d.value for d in Dialect)
        raise ProtocolError(f"unknown dialect {dialect!r}; known dialects: {known}") from None
    if key not in _REGISTRY:  # the modules register themselves on import
        from nitro_desktop.protocol import dialect_02, dialect_05  # noqa: F401
    return _REGISTRY[key]

"""Dialect "1"'s reads: ``node.v1``, ``user.v1``, ``channels.v1`` and the ``app_sessions.v1`` lookups.

Requests go through the client's link like any other; v1 has no login, so a read names
the wallet it is about. Answers come typed from the dialect (``protocol.v1.dialect``) or
as checked lists of objects; a node's ``{}`` for an unknown id is None, not an error.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from nitro_desktop.client.errors import MalformedResponse
from nitro_desktop.client.lifecycle import Link
from nitro_desktop.protocol import AppSession, Dialect, DialectSpec, HashSigner, ProtocolError, RpcCall, v1
from nitro_desktop.protocol.crypto import sign_digest
from nitro_desktop.protocol.v1 import Definition, Method, SessionInfo
from nitro_desktop.protocol.v1.dialect import SessionPage
from nitro_desktop.protocol.v1.payloads import PageMetadata, parse_page_metadata

#: ``?app_id=`` tags a connection (advisory); nitronode refuses any other shape with HTTP 400.
APP_ID_TAG = re.compile(r"[a-z0-9_-]{1,66}")
MAX_LISTED = 1000  # entries a read may return (balances, assets, transactions, key states)


def with_app_id(url: str, app_id: str) -> str:
    """``url`` with the ``?app_id=`` connection tag nitronode reads (checked as it checks it)."""
    if not APP_ID_TAG.fullmatch(app_id):
        raise ValueError(f"app_id must match ^[a-z0-9_-]{{1,66}}$, got {app_id[:80]!r}")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "app_id"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("app_id", app_id)])))


def session_of(
    app_session_id: str,
    definition: Definition,
    *,
    status: str,
    version: int,
    session_data: str = "",
    allocations: Iterable[v1.Allocation] = (),
    **extra: Any,
) -> AppSession:
    """A v1 session in the client's common shape (``extra`` keeps v1's allocations and more)."""
    return AppSession(
        app_session_id,
        status=status,
        version=version,
        application=definition.application_id,
        participants=tuple(p.wallet_address for p in definition.participants),
        weights=tuple(p.signature_weight for p in definition.participants),
        quorum=definition.quorum,
        nonce=definition.nonce,
        session_data=session_data,
        extra={"allocations": [a.to_wire() for a in allocations], **extra},
    )


def session_of_info(info: SessionInfo, **extra: Any) -> AppSession:
    # The node lists participants in no reliable order: the id is kept, never recomputed.
    return session_of(
        info.app_session_id,
        info.definition,
        status=info.status,
        version=info.version,
        session_data=info.session_data,
        allocations=info.allocations,
        **extra,
    )


class V1Reads:
    """The v1 reads (and session-key registration); ``V1Calls`` adds the session changes."""

    def __init__(self, *, dialect: DialectSpec, link: Link, timeout: float) -> None:
        self.spec = dialect
        self.timeout = timeout
        self._link = link

    # ---- plumbing -----------------------------------------------------------------
    async def call(self, method: str, payload: Mapping[str, Any] | None = None) -> Any:
        """Any v1 method with a payload object; its typed answer (``ClearNodeError`` for an error frame)."""
        if self.spec.dialect is not Dialect.V1:
            raise ProtocolError(
                f"{method} is a dialect 1 method; this client speaks {self.spec.dialect.value}"
            )
        conn = await self._link.connection(self.timeout)
        return await conn.request(RpcCall(str(method), dict(payload or {})), timeout=self.timeout)

    @staticmethod
    def _items(answer: Any, key: str, method: str) -> list[dict[str, Any]]:
        items = answer.get(key) if isinstance(answer, dict) else None
        if items is None:
            return []
        if (
            not isinstance(items, list)
            or len(items) > MAX_LISTED
            or not all(isinstance(i, dict) for i in items)
        ):
            raise MalformedResponse(method, 0, f"{key} must be a list of at most {MAX_LISTED} objects")
        return items

    @staticmethod
    def _page(answer: Any, method: str) -> PageMetadata:
        try:
            return parse_page_metadata(answer.get("metadata") if isinstance(answer, dict) else None)
        except ProtocolError as exc:
            raise MalformedResponse(method, 0, str(exc)) from None

    @staticmethod
    def _pagination(offset: int | None, limit: int | None) -> dict[str, Any]:
        page = v1.pagination(offset, limit)
        return {"pagination": page} if page else {}

    # ---- node.v1 ------------------------------------------------------------------
    async def ping(self) -> float:
        """Round trip in seconds."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        await self.call(Method.NODE_PING)
        return loop.time() - start

    async def get_config(self) -> dict[str, Any]:
        """``node_address``, ``node_version``, ``blockchains``, ``supported_sig_validators`` (base64)."""
        config: dict[str, Any] = await self.call(Method.NODE_GET_CONFIG)
        return config

    async def get_assets(self, blockchain_id: int | None = None) -> list[dict[str, Any]]:
        payload = {} if blockchain_id is None else {"blockchain_id": str(blockchain_id)}
        return self._items(await self.call(Method.NODE_GET_ASSETS, payload), "assets", Method.NODE_GET_ASSETS)

    # ---- user.v1 --------------------------------------------------------------------
    async def get_balances(self, wallet: str) -> list[dict[str, Any]]:
        answer = await self.call(Method.USER_GET_BALANCES, {"wallet": wallet})
        return self._items(answer, "balances", Method.USER_GET_BALANCES)

    async def get_transactions(
        self,
        wallet: str,
        *,
        asset: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> tuple[list[dict[str, Any]], PageMetadata]:
        payload: dict[str, Any] = {"wallet": wallet, **({"asset": asset} if asset else {})}
        answer = await self.call(Method.USER_GET_TRANSACTIONS, {**payload, **self._pagination(offset, limit)})
        method = Method.USER_GET_TRANSACTIONS
        return self._items(answer, "transactions", method), self._page(answer, method)

    # ---- channels.v1 ----------------------------------------------------------------
    async def get_home_channel(self, wallet: str, asset: str) -> dict[str, Any] | None:
        """The wallet's home channel for ``asset``; None when it has none (the node answers ``{}``)."""
        answer = await self.call(Method.CHANNELS_GET_HOME_CHANNEL, {"wallet": wallet, "asset": asset})
        channel = answer.get("channel")
        return channel if isinstance(channel, dict) else None

    async def get_latest_state(
        self, wallet: str, asset: str, *, only_signed: bool = False
    ) -> dict[str, Any] | None:
        payload = {"wallet": wallet, "asset": asset, "only_signed": only_signed}
        state = (await self.call(Method.CHANNELS_GET_LATEST_STATE, payload)).get("state")
        return state if isinstance(state, dict) else None

    # ---- app_sessions.v1 reads ---------------------------------------------------------
    async def get_app_definition(self, app_session_id: str) -> Definition | None:
        """The definition; None for an id the node does not know (it answers ``{}``, not an error)."""
        definition: Definition | None = await self.call(
            Method.APP_SESSIONS_GET_APP_DEFINITION, v1.get_app_definition_payload(app_session_id)
        )
        return definition

    async def get_app_sessions(
        self,
        *,
        app_session_id: str | None = None,
        participant: str | None = None,
        status: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> SessionPage:
        """One page, newest first (the node ignores a sort); needs an id or a participant."""
        page = v1.pagination(offset, limit) if offset is not None or limit is not None else None
        payload = v1.get_app_sessions_payload(app_session_id, participant, status, page)
        result: SessionPage = await self.call(Method.APP_SESSIONS_GET_APP_SESSIONS, payload)
        return result

    async def find_app_session(self, app_session_id: str) -> SessionInfo | None:
        page = await self.get_app_sessions(app_session_id=app_session_id)
        wanted = app_session_id.lower()
        return next((s for s in page.sessions if s.app_session_id == wanted), None)

    async def _lookup(self, app_session_id: str, _participant: str) -> AppSession | None:
        info = await self.find_app_session(app_session_id)
        return None if info is None else session_of_info(info)

    async def get_last_key_states(
        self,
        user_address: str,
        *,
        session_key: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> tuple[list[dict[str, Any]], PageMetadata]:
        payload = {"user_address": user_address, **({"session_key": session_key} if session_key else {})}
        answer = await self.call(
            Method.APP_SESSIONS_GET_LAST_KEY_STATES, {**payload, **self._pagination(offset, limit)}
        )
        method = Method.APP_SESSIONS_GET_LAST_KEY_STATES
        return self._items(answer, "states", method), self._page(answer, method)

    async def submit_session_key_state(
        self,
        state: Mapping[str, Any],
        *,
        wallet: HashSigner | None = None,
        session_key: HashSigner | None = None,
    ) -> dict[str, Any]:
        """Register, update or revoke an app session key; missing signatures are made by the signers given.

        A revocation (``expires_at`` not in the future) needs only the wallet's signature.
        """
        signed = dict(state)
        digest = v1.eip191_digest(bytes.fromhex(v1.session_key_state_hash(signed)[2:]))
        for field, signer in (("user_sig", wallet), ("session_key_sig", session_key)):
            if signer is not None and not signed.get(field):
                signed[field] = sign_digest(signer, digest)
        answer: dict[str, Any] = await self.call(
            Method.APP_SESSIONS_SUBMIT_SESSION_KEY_STATE, {"state": signed}
        )
        return answer

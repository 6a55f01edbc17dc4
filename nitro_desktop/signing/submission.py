"""The I/O edge of multi-party signing: send a ready request and record the outcome.

Everything else in ``nitro_desktop.signing`` is pure; this module (not imported by the
package itself) uses the client and the store, for the CLI and the GUI alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.protocol import AppSession, HashSigner, RawKeySigner, go_json, spec
from nitro_desktop.signing.build import ready_frame
from nitro_desktop.signing.request import SigningRequest
from nitro_desktop.store import AppSessionRecord, Store

APP_NAME = "nitro-desktop"


async def send(
    request: SigningRequest,
    *,
    auth_signer: HashSigner | None = None,
    timeout: float = 10.0,
    client: ClearNodeClient | None = None,
    expected_broker: str | None = None,
    on_broker: Callable[[str], None] | None = None,
) -> AppSession:
    """Check the request (fresh, enough signatures) and send its frame verbatim.

    The socket must be authenticated, but its identity need not be a signer
    (PROTOCOL.md §2.2): without ``auth_signer`` a throwaway key authenticates, so
    no one's key is unlocked just to submit. ``client`` reuses an already
    authenticated client instead (the GUI's). Otherwise a server that does not
    answer as ``expected_broker`` is refused (``BrokerMismatch``) before anything is
    sent, and ``on_broker`` hears the broker seen before authentication (to pin it).
    """
    frame = ready_frame(request)
    if client is not None:
        result: Any = await client.send_presigned(frame)
    else:
        own_client = ClearNodeClient(
            request.endpoint, request.dialect, timeout=timeout, expected_broker=expected_broker
        )
        async with own_client as own:
            if on_broker is not None and own.broker_address:
                on_broker(own.broker_address)
            application = request.definition.application or APP_NAME
            await own.authenticate(auth_signer or RawKeySigner.generate(), app_name=application)
            result = await own.send_presigned(frame)
    if not isinstance(result, AppSession):
        raise TypeError(f"unexpected answer to {request.method}: {type(result).__name__}")
    return result


def record(
    store: Store, request: SigningRequest, session: AppSession, *, endpoint: str, account: str
) -> AppSessionRecord:
    """Save the outcome in the session history, as the wizard and the update dialog do."""
    now = time.time()
    sid = session.app_session_id or request.app_session_id
    status = session.status or ("closed" if request.kind == "close" else "open")
    version = session.version or 1
    allocations_json = go_json(request.params.get("allocations") or [])
    existing = store.sessions.get(sid)
    if existing is not None and request.kind != "create":
        store.sessions.update_status(
            sid,
            status,
            version,
            allocations_json=allocations_json,
            request_frame=request.frame_text(),
            at=now,
        )
        saved = store.sessions.get(sid)
        assert saved is not None
        return saved
    wire = request.definition.to_wire(with_application=spec(request.dialect).definition_has_application)
    saved = AppSessionRecord(
        app_session_id=sid,
        endpoint=endpoint,
        account=account,
        protocol=request.definition.protocol,
        application=request.definition.application,
        definition_json=go_json(wire),
        allocations_json=allocations_json,
        status=status,
        version=version,
        created_at=now,
        updated_at=now,
        request_frame=request.frame_text(),
    )
    store.sessions.save(saved)
    return saved

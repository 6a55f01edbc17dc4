"""v1 request builders and response readers against hostile input."""

from __future__ import annotations

import pytest

from nitro_desktop.protocol.errors import ProtocolError, SignatureError
from nitro_desktop.protocol.v1 import (
    create_app_session_payload,
    get_app_definition_payload,
    pagination,
    parse_app_sessions,
    parse_created_session,
    quorum_signature,
    submit_app_state_payload,
)
from tests.protocol.v1.test_api import HASH, KEY, definition, update


def test_request_builders_and_response_readers_refuse_bad_input() -> None:
    good_sig = quorum_signature(HASH, KEY)
    payload = create_app_session_payload(definition(), "", [good_sig])
    assert list(payload) == ["definition", "session_data", "quorum_sigs"]
    assert "quorum_sigs" not in create_app_session_payload(definition())
    with pytest.raises(SignatureError):
        create_app_session_payload(definition(), "", ["0xa1"])
    with pytest.raises(SignatureError):
        submit_app_state_payload(update(), [good_sig[:-2]])
    with pytest.raises(ProtocolError, match="64 hex"):
        get_app_definition_payload("0x12")
    with pytest.raises(ProtocolError, match="limit"):
        pagination(limit=2**32)
    session = {
        "app_session_id": "0x" + "ab" * 32,
        "status": "open",
        "app_definition": definition(),
        "version": "1",
    }
    with pytest.raises(ProtocolError, match="more than 1000"):
        parse_app_sessions({"app_sessions": [session] * 1001})
    with pytest.raises(ProtocolError, match="JSON array"):
        parse_app_sessions({"app_sessions": "all of them"})
    with pytest.raises(ProtocolError, match="64 hex"):
        parse_app_sessions({"app_sessions": [{**session, "app_session_id": "0x1"}]})
    with pytest.raises(ProtocolError, match="quorum"):
        parse_app_sessions({"app_sessions": [{**session, "app_definition": definition(quorum=-1)}]})
    assert parse_app_sessions({"app_sessions": [session]})[0][0].version == 1
    with pytest.raises(ProtocolError, match="version"):
        parse_created_session({"app_session_id": "0x" + "ab" * 32, "version": "one", "status": "open"})

"""User-facing failure texts: offline is not refusal, and no exception's own text is shown."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from nitro_desktop.client import ClearNodeClient, ClearNodeError
from nitro_desktop.flows.messages import UNEXPECTED, status_error, user_message


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.asyncio
async def test_a_refused_connection_says_no_connection_not_refusal() -> None:
    client = ClearNodeClient(f"ws://127.0.0.1:{closed_port()}", "0.5", timeout=2)
    try:
        with pytest.raises(Exception) as caught:
            await client.connect()
        assert user_message(caught.value, "Dead node") == "No connection to Dead node (connection refused)"
        last_error = client.status.last_error or ""
        assert status_error(last_error, "127.0.0.1") == "No connection to 127.0.0.1 (connection refused)"
    finally:
        await client.close()


def test_a_server_refusal_is_its_own_words_and_a_bug_is_not_shown_raw() -> None:
    assert user_message(ClearNodeError("insufficient funds", "create_app_session", 7)) == "insufficient funds"
    assert user_message(KeyError("participants")) == UNEXPECTED
    assert user_message(AttributeError("'NoneType' object has no attribute 'x'")) == UNEXPECTED
    assert status_error("broker changed", "h") == "broker changed"


def test_a_file_error_is_the_os_words_and_the_file_not_a_connection(tmp_path: Path) -> None:
    with pytest.raises(OSError) as caught:
        open(tmp_path, "rb")  # a directory: the OS refuses it
    said = user_message(caught.value, "Dead node")
    assert said == f"Is a directory ({tmp_path})"
    assert user_message(ConnectionError("connect to the ClearNode first")) == "connect to the ClearNode first"

"""Method names of the v1 API (``pkg/rpc/methods.go``)."""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    CHANNELS_GET_HOME_CHANNEL = "channels.v1.get_home_channel"
    CHANNELS_GET_ESCROW_CHANNEL = "channels.v1.get_escrow_channel"
    CHANNELS_GET_CHANNELS = "channels.v1.get_channels"
    CHANNELS_GET_LATEST_STATE = "channels.v1.get_latest_state"
    CHANNELS_REQUEST_CREATION = "channels.v1.request_creation"
    CHANNELS_SUBMIT_STATE = "channels.v1.submit_state"
    CHANNELS_SUBMIT_SESSION_KEY_STATE = "channels.v1.submit_session_key_state"
    CHANNELS_GET_LAST_KEY_STATES = "channels.v1.get_last_key_states"

    APP_SESSIONS_SUBMIT_DEPOSIT_STATE = "app_sessions.v1.submit_deposit_state"
    APP_SESSIONS_SUBMIT_APP_STATE = "app_sessions.v1.submit_app_state"
    APP_SESSIONS_GET_APP_DEFINITION = "app_sessions.v1.get_app_definition"
    APP_SESSIONS_GET_APP_SESSIONS = "app_sessions.v1.get_app_sessions"
    APP_SESSIONS_CREATE_APP_SESSION = "app_sessions.v1.create_app_session"
    APP_SESSIONS_SUBMIT_SESSION_KEY_STATE = "app_sessions.v1.submit_session_key_state"
    APP_SESSIONS_GET_LAST_KEY_STATES = "app_sessions.v1.get_last_key_states"

    USER_GET_BALANCES = "user.v1.get_balances"
    USER_GET_TRANSACTIONS = "user.v1.get_transactions"

    NODE_PING = "node.v1.ping"
    NODE_GET_CONFIG = "node.v1.get_config"
    NODE_GET_ASSETS = "node.v1.get_assets"


METHODS: frozenset[str] = frozenset(m.value for m in Method)

# v1.4.1 declares an empty event list (``const ()`` in methods.go) and nitronode calls
# Notify nowhere; type-3 frames are still decoded, with RequestID 0, as node.go sends them.
EVENTS: frozenset[str] = frozenset()

"""The depositor's half of ``app_sessions.v1.submit_deposit_state``: the next home-channel state.

A deposit moves funds from the depositor's home channel into the session: the user signs
the channel's next state with a ``commit`` transition (type 40) naming the session, and
the node checks it against its own copy. Built as upstream's ``StateAdvancerV1`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from nitro_desktop.protocol.crypto import HashSigner, keccak256, sign_digest
from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.v1 import abi
from nitro_desktop.protocol.v1.channel import Decimals, pack_challenge_state, pack_state, state_id

COMMIT = 40
#: The user-signature type byte for a plain wallet signature on a channel state.
USER_SIG_WALLET = "0x00"


def go_decimal(value: Decimal) -> str:
    """shopspring ``Decimal.String()``: plain digits, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def transaction_id(account: str, new_state_id: str) -> str:
    """``core.GetSenderTransactionID``: keccak256 of abi.encode(account, state id)."""
    body = new_state_id[2:] if new_state_id.startswith(("0x", "0X")) else new_state_id
    try:
        raw = bytes.fromhex(body)
    except ValueError:
        raise ProtocolError("a state id is 32 bytes of hex") from None
    if len(raw) != 32:
        raise ProtocolError("a state id is 32 bytes of hex")
    return "0x" + keccak256(abi.encode([abi.STRING, abi.BYTES32], [account, raw])).hex()


def sign_channel_state(
    state: Mapping[str, Any], signer: HashSigner, decimals: Decimals | None = None, *, challenge: bool = False
) -> str:
    """A channel signature as the ChannelHub's default validator checks it.

    ``0x00`` (the default ECDSA validator's id) then r||s||v over the EIP-191 digest of
    ``pack_state``: the same for the user's and the node's signature. With ``challenge``, over
    ``pack_challenge_state`` instead: the challenger's signature of ``challengeChannel``.
    """
    return USER_SIG_WALLET + sign_digest(signer, state_digest(state, decimals, challenge=challenge))[2:]


def state_digest(state: Mapping[str, Any], decimals: Decimals | None, *, challenge: bool = False) -> bytes:
    """The EIP-191 digest of the packed state: what both channel signatures cover."""
    packed = (pack_challenge_state if challenge else pack_state)(state, decimals)
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(packed)).encode() + packed)


def commit_state(
    latest: Mapping[str, Any], app_session_id: str, amount: Decimal, signer: HashSigner, decimals: int
) -> dict[str, Any]:
    """The depositor's next home-channel state committing ``amount`` to the session, signed."""
    if amount <= 0:
        raise ProtocolError("a deposit must be more than 0")
    try:
        version = int(str(latest["version"])) + 1
        ledger = {k: latest["home_ledger"][k] for k in latest["home_ledger"]}
        balance = Decimal(str(ledger["user_balance"]))
        flow = Decimal(str(ledger["node_net_flow"]))
        wallet, asset, epoch = latest["user_wallet"], latest["asset"], latest["epoch"]
    except (KeyError, TypeError, ValueError, ArithmeticError):
        raise ProtocolError("the node's latest channel state is not one this app can read") from None
    if amount > balance:
        raise ProtocolError(f"the home channel holds {go_decimal(balance)} {asset}; it cannot put in more")
    new_id = state_id(wallet, asset, epoch, version)
    ledger["user_balance"] = go_decimal(balance - amount)
    ledger["node_net_flow"] = go_decimal(flow - amount)
    state: dict[str, Any] = {
        "id": new_id,
        "transition": {
            "type": COMMIT,
            "tx_id": transaction_id(app_session_id, new_id),
            "account_id": app_session_id,
            "amount": go_decimal(amount),
        },
        "asset": asset,
        "user_wallet": wallet,
        "epoch": epoch,
        "version": str(version),
        "home_channel_id": latest.get("home_channel_id"),
        "home_ledger": ledger,
    }
    state["user_sig"] = sign_channel_state(state, signer, decimals)
    return state

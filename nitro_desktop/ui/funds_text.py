"""Where the user's funds are after a home-channel action, in words (no Qt: tested as text).

The core's messages are written for the CLI too; ``gui_words`` points them at the window's
own buttons instead of commands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from nitro_desktop.chain import eth_text
from nitro_desktop.protocol import format_amount
from nitro_desktop.store import ChannelOperationRecord
from nitro_desktop.wallet.channel_types import ChannelError, ChannelView, Declined

_COMMANDS = (
    (re.compile(r"add one with `nitro-desktop chains add[^`]*`"), "add one in Settings → Chains…"),
    (re.compile(r"`(?:nitro-desktop )?channel resume`"), "Resume"),
)
_IN_FLIGHT = ("still being followed", "went out")


def plain(value: Decimal) -> str:
    """An amount without trailing zeros ("10", not "10.000000000000000000")."""
    text = format_amount(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def gui_words(text: str) -> str:
    """A core message with its CLI commands replaced by what to press in the window."""
    for pattern, words in _COMMANDS:
        text = pattern.sub(words, text)
    return text


def where_funds(
    kind: str,
    amount: Decimal,
    asset: str,
    chain: str,
    error: ChannelError | None,
    ops: Sequence[ChannelOperationRecord] = (),
) -> str:
    """One sentence: what happened to the money the action was about."""
    amt = f"{plain(amount)} {asset}"
    if error is None:
        if kind == "resume":
            finished = [
                where_funds(op.kind, Decimal(op.amount or "0"), op.asset, chain, None)
                for op in ops
                if op.step == "done"
            ]
            return " ".join(finished) if finished else "Nothing was left unfinished."
        return {
            "open": f"Your {asset} home channel is open on {chain} with {amt} in it.",
            "deposit": f"{amt} moved from your wallet into your home channel on {chain}.",
            "withdraw": f"{amt} moved from your home channel back to your wallet on {chain}.",
            "close": f"Your {asset} home channel is closed; what you held is back in your wallet on {chain}.",
        }.get(kind, "")
    if any(marker in str(error) for marker in _IN_FLIGHT):
        return "A transaction was sent and is not final yet: Resume follows it to the end."
    if kind in ("open", "deposit"):
        return f"Your {amt} is still in your wallet on {chain}."
    if kind == "withdraw":
        return f"Your {amt} is still in your home channel."
    if kind == "close":
        return "What you hold in the home channel is still there."
    return "" if isinstance(error, Declined) else "Nothing more was recorded as done."


def funds_now(view: ChannelView | None) -> str:
    """The numbers as read after the action: wallet, channel on-chain, off-chain."""
    if view is None:
        return ""
    parts = []
    if view.wallet_eth_wei is not None:
        parts.append(f"your wallet holds {eth_text(view.wallet_eth_wei)}")
    if view.on_chain_locked is not None:
        parts.append(f"the channel holds {plain(view.on_chain_locked)} {view.asset} on-chain")
    parts.append(f"your off-chain balance is {plain(view.off_chain)} {view.asset}")
    return "Now " + ", ".join(parts) + "."

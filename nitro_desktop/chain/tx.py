"""Transactions as the user sees them: the plan shown before sending, and its status after.

The signer is anything with ``.address`` and ``sign_transaction(fields) -> raw bytes``: the key
store's signers implement it without ever handing the key out (``nitro_desktop.keys.signer``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

WEI_PER_ETH = 10**18
GWEI = 10**9


class TxSigner(Protocol):
    """Signs an EIP-1559 transaction in this process; the key is never returned."""

    @property
    def address(self) -> str: ...

    def sign_transaction(self, fields: dict[str, Any]) -> bytes: ...


def eth_text(wei: int) -> str:
    """Wei as ETH with no trailing zeros ("0.000042 ETH")."""
    text = format(Decimal(wei) / WEI_PER_ETH, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} ETH"


def gwei_text(wei: int) -> str:
    text = format(Decimal(wei) / GWEI, ".9f").rstrip("0").rstrip(".")
    return f"{text} gwei"


@dataclass(frozen=True)
class TxPlan:
    """Everything about a transaction the user agrees to, before it is signed and sent."""

    description: str
    chain_name: str
    chain_id: int
    sender: str
    to: str
    value: int
    data: bytes = field(repr=False)
    gas_estimate: int
    gas_limit: int
    max_fee_per_gas: int
    max_priority_fee_per_gas: int

    @property
    def max_fee(self) -> int:
        """The most the gas can cost (gas limit x max fee per gas), in wei."""
        return self.gas_limit * self.max_fee_per_gas

    @property
    def max_total(self) -> int:
        return self.value + self.max_fee

    def summary(self) -> list[tuple[str, str]]:
        """(label, text) rows for a confirmation dialog or the CLI."""
        return [
            ("What", self.description),
            ("Chain", f"{self.chain_name} (chain id {self.chain_id})"),
            ("From", self.sender),
            ("To", f"{self.to} (ChannelHub)"),
            ("Value", eth_text(self.value)),
            ("Gas", f"about {self.gas_estimate:,} (limit {self.gas_limit:,})"),
            (
                "Fee per gas",
                f"at most {gwei_text(self.max_fee_per_gas)} (tip {gwei_text(self.max_priority_fee_per_gas)})",
            ),
            ("Network fee", f"at most {eth_text(self.max_fee)}"),
            ("Total", f"at most {eth_text(self.max_total)}"),
        ]


@dataclass(frozen=True)
class SentTx:
    """A signed transaction the RPC accepted into its pool."""

    plan: TxPlan
    tx_hash: str
    nonce: int


class TxState(Enum):
    PENDING = "pending"
    MINED = "mined"  # in a block, fewer confirmations than asked for
    CONFIRMED = "confirmed"
    REVERTED = "reverted"
    DROPPED = "dropped"
    REORGED = "reorged"  # mined, then its block left the chain
    UNKNOWN = "unknown"  # the RPC cannot be reached: still watching


FINAL_STATES = frozenset({TxState.CONFIRMED, TxState.REVERTED, TxState.DROPPED, TxState.REORGED})


@dataclass(frozen=True)
class TxStatus:
    """One observation of a sent transaction; ``message`` is the user's sentence."""

    state: TxState
    tx_hash: str
    message: str
    block: int | None = None
    confirmations: int = 0
    reason: str | None = None
    logs: tuple[Any, ...] = field(default=(), repr=False)

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

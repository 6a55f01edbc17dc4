"""EVM chains for v1 funds: chain records, the ChannelHub's calls, transactions and their status.

Layer 2 (beside client, keys and store): imports ``protocol`` and web3/eth-abi, never Qt or
``devnode``. The app runs asyncio under qasync; every RPC call here runs in an executor.
"""

import importlib
from typing import TYPE_CHECKING, Any

from nitro_desktop.chain.errors import (
    ChainError,
    InsufficientFunds,
    InvalidChain,
    RpcBadAnswer,
    RpcUnreachable,
    SendUncertain,
    TransactionReverted,
    WrongChain,
)
from nitro_desktop.chain.records import Chain, chains_from_config, check_rpc_url, shown_url
from nitro_desktop.chain.tx import SentTx, TxPlan, TxSigner, TxState, TxStatus, eth_text

__all__ = [
    "Chain",
    "ChainClient",
    "ChainError",
    "ChannelData",
    "HubCall",
    "HubEvent",
    "InsufficientFunds",
    "InvalidChain",
    "LedgerAmounts",
    "RpcBadAnswer",
    "RpcUnreachable",
    "SendUncertain",
    "SentTx",
    "TransactionReverted",
    "TxPlan",
    "TxSigner",
    "TxState",
    "TxStatus",
    "WrongChain",
    "chains_from_config",
    "challenge_channel",
    "check_rpc_url",
    "checkpoint_channel",
    "close_channel",
    "create_channel",
    "decode_revert",
    "deposit_to_channel",
    "eth_text",
    "hub_events",
    "shown_url",
    "withdraw_from_channel",
]

if TYPE_CHECKING:
    from nitro_desktop.chain.client import ChainClient
    from nitro_desktop.chain.hub import (
        ChannelData,
        HubCall,
        HubEvent,
        LedgerAmounts,
        challenge_channel,
        checkpoint_channel,
        close_channel,
        create_channel,
        deposit_to_channel,
        hub_events,
        withdraw_from_channel,
    )
    from nitro_desktop.chain.hub_abi import decode_revert

# web3 and eth-abi take over a second to import: only code that talks to a chain or packs
# ChannelHub calls pays for them, not the GUI's panes and texts that need only the records,
# errors and eth_text (PEP 562: these names load on first use).
_LAZY = {
    "ChainClient": "client",
    **dict.fromkeys(
        (
            "ChannelData",
            "HubCall",
            "HubEvent",
            "LedgerAmounts",
            "challenge_channel",
            "checkpoint_channel",
            "close_channel",
            "create_channel",
            "deposit_to_channel",
            "hub_events",
            "withdraw_from_channel",
        ),
        "hub",
    ),
    "decode_revert": "hub_abi",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

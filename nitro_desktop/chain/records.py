"""A chain as the user configures it: a name, a chain id, an RPC URL and the ChannelHub there.

Nothing here reaches out: a record is only data until a ``ChainClient`` is made for it, and no
record is built in (the node's ``get_config`` names the hubs; the user supplies the RPC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from nitro_desktop.chain.errors import InvalidChain
from nitro_desktop.protocol.crypto import to_checksum_address
from nitro_desktop.protocol.errors import AddressError

MAX_NAME = 64
MAX_URL = 2048
#: EIP-155 ids are positive and, in practice, below 2^53 (wallets carry them as JSON numbers).
MAX_CHAIN_ID = 2**53 - 1
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def checksum_address(value: Any, what: str) -> str:
    """An EIP-55 address from a 0x-hex string; InvalidChain with ``what`` named otherwise."""
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise InvalidChain(f"The {what} must be an address: 0x followed by 40 hex digits.")
    try:
        return to_checksum_address(value)
    except AddressError:
        raise InvalidChain(
            f"The {what} {value} has a wrong checksum (its letter case): check it for a typo."
        ) from None


@dataclass(frozen=True)
class Chain:
    """One EVM chain the wallet talks to; validated when made. Its repr hides the URL's path."""

    name: str
    chain_id: int
    rpc_url: str
    channel_hub: str

    def __post_init__(self) -> None:
        name = self.name.strip() if isinstance(self.name, str) else ""
        if not name or len(name) > MAX_NAME or not name.isprintable():
            raise InvalidChain(f"A chain needs a name of 1 to {MAX_NAME} printable characters.")
        if type(self.chain_id) is not int or not 0 < self.chain_id <= MAX_CHAIN_ID:
            raise InvalidChain(f"The chain id must be a whole number from 1 to {MAX_CHAIN_ID}.")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "rpc_url", check_rpc_url(self.rpc_url))
        object.__setattr__(self, "channel_hub", checksum_address(self.channel_hub, "ChannelHub address"))

    def __repr__(self) -> str:
        return (
            f"Chain(name={self.name!r}, chain_id={self.chain_id}, rpc_url={shown_url(self.rpc_url)!r},"
            f" channel_hub={self.channel_hub!r})"
        )


def check_rpc_url(url: Any) -> str:
    """An http(s) URL with a host, at most ``MAX_URL`` long; InvalidChain otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidChain("The RPC URL is empty: give an http:// or https:// address.")
    text: str = url.strip()
    if len(text) > MAX_URL or not text.isprintable() or " " in text:
        raise InvalidChain("The RPC URL is not a valid address.")
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"}:
        raise InvalidChain("The RPC URL must start with http:// or https://.")
    try:
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise InvalidChain("The RPC URL has an invalid port.") from None
    if not host:
        raise InvalidChain("The RPC URL has no host.")
    return text


def shown_url(url: str) -> str:
    """The RPC URL as messages show it: scheme, host and port only.

    Hosted RPCs put the API key in the path or the query (``…/v3/KEY``) or in user:password@;
    a message or a log line must not carry it.
    """
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ""
    rest = "/…" if (parts.path not in ("", "/") or parts.query) else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{rest}"


def chains_from_config(blockchains: Any, rpc_urls: dict[int, str]) -> list[Chain]:
    """Chain records for the ``blockchains`` of a node's ``get_config`` that the user gave an RPC for.

    Each entry is ``{name, blockchain_id, channel_hub_address, …}``; entries without an RPC URL
    in ``rpc_urls`` (the user's own settings) are left out, so nothing is contacted unasked.
    """
    if not isinstance(blockchains, list):
        raise InvalidChain("The node's configuration lists no blockchains.")
    found: list[Chain] = []
    for entry in blockchains[:256]:
        if not isinstance(entry, dict):
            continue
        try:
            chain_id = int(str(entry.get("blockchain_id", "")), 10)
        except ValueError:
            continue
        url = rpc_urls.get(chain_id)
        if url is None:
            continue
        found.append(
            Chain(
                name=str(entry.get("name") or f"chain {chain_id}")[:MAX_NAME],
                chain_id=chain_id,
                rpc_url=url,
                channel_hub=entry.get("channel_hub_address", ""),
            )
        )
    return found

"""``ClearNodeClient`` on dialect "1": the common session calls answered by ``client.v1``.

The wallet core, the CLI and the wizard speak one client API (assets, balances, the
session list, create, submit, close). A v1 node has other methods and shapes, so for a
dialect whose spec says ``own_session_calls`` the client is this subclass, which maps
each common call onto the typed v1 call and its answer back onto the common models.
Creates and updates keep v1's exactly-once rule (``V1Calls``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from nitro_desktop.client.app_session_calls import SentHook
from nitro_desktop.client.client import ClearNodeClient
from nitro_desktop.client.v1_calls import QuorumSigners
from nitro_desktop.client.v1_reads import session_of_info
from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    AppSession,
    Asset,
    Balance,
    HashSigner,
    ProtocolError,
    format_amount,
    parsers,
    to_checksum_address,
)
from nitro_desktop.protocol.v1.deposit import commit_state, go_decimal
from nitro_desktop.protocol.v1.dialect import definition_of
from nitro_desktop.protocol.v1.models import Intent

#: A v1 asset's decimals beyond this are refused (uint8 upstream; ERC-20s use at most 77 digits).
MAX_DECIMALS = 77
#: The node's largest page.
V1_PAGE_LIMIT = 100


def _asset(raw: dict[str, Any]) -> Asset:
    symbol, decimals = raw.get("symbol"), raw.get("decimals")
    if not isinstance(symbol, str) or not 0 < len(symbol) <= 32:
        raise ProtocolError("a v1 asset needs a symbol of 1 to 32 characters")
    if type(decimals) is not int or not 0 <= decimals <= MAX_DECIMALS:
        raise ProtocolError(f"asset {symbol!r}: decimals must be a whole number from 0 to {MAX_DECIMALS}")
    chain = raw.get("suggested_blockchain_id")
    chain_id = int(chain) if isinstance(chain, str) and chain.isdigit() and len(chain) <= 20 else 0
    extra = {k: v for k, v in raw.items() if k not in ("symbol", "decimals")}
    return Asset("", chain_id, symbol, decimals, extra)


def _definition(raw: Any) -> AppDefinition:
    return AppDefinition(
        protocol="",
        participants=tuple(p.wallet_address for p in raw.participants),
        weights=tuple(p.signature_weight for p in raw.participants),
        quorum=raw.quorum,
        challenge=0,
        nonce=raw.nonce,
        application=raw.application_id,
    )


def _common(info: Any) -> AppSession:
    """A listed v1 session in the common shape, addresses in EIP-55 like every 0.x answer."""
    session = session_of_info(info)
    return replace(session, participants=tuple(to_checksum_address(p) for p in session.participants))


def _wire(allocations: Sequence[Allocation]) -> list[tuple[str, str, str]]:
    return [(a.participant, a.asset, format_amount(a.amount)) for a in allocations]


class V1ClearNodeClient(ClearNodeClient):
    """See the module docstring; everything not named here is ``ClearNodeClient``'s own."""

    async def get_assets(self, chain_id: int | None = None) -> list[Asset]:
        return [_asset(a) for a in await self.v1.get_assets(chain_id)]

    async def get_ledger_balances(
        self, participant: str | None = None, account_id: str | None = None
    ) -> list[Balance]:
        """The wallet's home-channel balances (``user.v1.get_balances``); v1 has no login to default to."""
        wallet = participant or account_id or self.address
        if not wallet:
            raise ProtocolError("a v1 balance read names the wallet it is about")
        return [parsers.parse_balance(b) for b in await self.v1.get_balances(wallet)]

    async def get_app_definition(self, app_session_id: str) -> AppDefinition:
        found = await self.v1.get_app_definition(app_session_id)
        if found is None:
            raise ProtocolError(f"the node has no app session {app_session_id}")
        return _definition(found)

    async def get_app_sessions(
        self,
        participant: str | None = None,
        status: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
        sort: str | None = None,  # the node ignores it: always newest first
    ) -> list[AppSession]:
        limit = min(limit or V1_PAGE_LIMIT, V1_PAGE_LIMIT)
        page = await self.v1.get_app_sessions(
            participant=participant or self.address, status=status, offset=offset or 0, limit=limit
        )
        return [_common(info) for info in page.sessions]

    async def find_app_session(self, app_session_id: str, participant: str = "") -> AppSession | None:
        info = await self.v1.find_app_session(app_session_id)
        return None if info is None else _common(info)

    async def create_app_session(
        self,
        definition: AppDefinition,
        allocations: Sequence[Allocation],
        signers: Sequence[HashSigner],
        session_data: str | None = None,
        *,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        if allocations:
            raise ProtocolError("a v1 session is created empty; fund it afterwards with a deposit")
        return await self.v1.create_app_session(
            definition_of(definition),
            QuorumSigners(wallets=tuple(signers)),
            session_data=session_data or "",
            on_sent=on_sent,
        )

    async def submit_app_state(
        self,
        app_session_id: str,
        allocations: Sequence[Allocation],
        signers: Sequence[HashSigner],
        *,
        intent: str | None = None,
        version: int | None = None,
        session_data: str | None = None,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        """An ``operate`` (or the named intent) at the next version, looked up when not given."""
        return await self.v1.update(
            app_session_id,
            intent or "operate",
            _wire(allocations),
            QuorumSigners(wallets=tuple(signers)),
            version=version,
            session_data=session_data or "",
            on_sent=on_sent,
        )

    async def close_app_session(
        self,
        app_session_id: str,
        allocations: Sequence[Allocation],
        signers: Sequence[HashSigner],
        session_data: str | None = None,
        *,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        return await self.submit_app_state(
            app_session_id, allocations, signers, intent="close", session_data=session_data, on_sent=on_sent
        )

    async def deposit(
        self,
        app_session_id: str,
        asset: str,
        amount: Decimal,
        depositor: HashSigner,
        signers: Sequence[HashSigner],
        *,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        """Move ``amount`` of ``asset`` from the depositor's home channel into the session."""
        update, state = await self.prepare_deposit(app_session_id, asset, amount, depositor)
        return await self.v1.submit_deposit_state(
            update, QuorumSigners(wallets=tuple(signers)), state, on_sent=on_sent
        )

    async def prepare_deposit(
        self, app_session_id: str, asset: str, amount: Decimal, depositor: HashSigner
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The deposit's app state update and the depositor's signed channel state, not yet sent.

        Others' quorum signatures over the update can then be collected (a ``.nitroreq``).
        """
        wallet = depositor.address
        info = await self.v1.find_app_session(app_session_id)
        if info is None:
            raise ProtocolError(f"the node has no app session {app_session_id}")
        if wallet.lower() not in {p.wallet_address for p in info.definition.participants}:
            raise ProtocolError(f"{wallet} is not a participant of app session {info.app_session_id}")
        if info.status == "closed":
            raise ProtocolError(f"app session {info.app_session_id} is closed: nothing can be put in")
        decimals = {a.symbol: a.decimals for a in await self.get_assets()}
        if asset not in decimals:
            raise ProtocolError(f"this ClearNode has no asset {asset!r} (it has {', '.join(decimals)})")
        latest = await self.v1.get_latest_state(wallet, asset)
        if latest is None:
            raise ProtocolError(
                f"{wallet} has no {asset} home channel on this ClearNode: no funds to deposit"
            )
        state = commit_state(latest, info.app_session_id, amount, depositor, decimals[asset])
        # The update names every share after the deposit: the others as they are, ours grown.
        shares = {(a.participant.lower(), a.asset): Decimal(a.amount.string()) for a in info.allocations}
        mine = (wallet.lower(), asset)
        shares[mine] = shares.get(mine, Decimal(0)) + amount
        update = {
            "app_session_id": info.app_session_id,
            "intent": int(Intent.DEPOSIT),
            "version": str(info.version + 1),
            "allocations": [
                {"participant": p, "asset": a, "amount": go_decimal(v)} for (p, a), v in shares.items() if v
            ],
            "session_data": "",
        }
        return update, state

    async def send_presigned(self, frame_text: str, *, on_sent: SentHook | None = None) -> Any:
        raise ProtocolError(
            "a dialect 1 frame carries its quorum signatures inside the payload: send a signing "
            "request through nitro_desktop.signing.v1_submission"
        )

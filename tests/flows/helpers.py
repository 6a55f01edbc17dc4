"""Set-up shared by the headless flow tests: wallets, a submitter that sends what the flow built."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from nitro_desktop import signing
from nitro_desktop.client import ClearNodeClient
from nitro_desktop.flows import CreateSessionFlow, SubmitResult, Submitter
from nitro_desktop.protocol import AppSession, HashSigner, RawKeySigner

ALICE = RawKeySigner("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
BOB = RawKeySigner("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
A, B = ALICE.address, BOB.address
ASSETS = {"usdc": 6, "eth": 18}
NOW_MS = 1735689600000


def create_flow(dialect: str, **kw: object) -> CreateSessionFlow:
    defaults: dict[str, object] = {
        "local_accounts": [A],
        "assets": ASSETS,
        "balances": {(A, "usdc"): Decimal(100)},
        "now_ms": NOW_MS,
    }
    defaults.update(kw)
    return CreateSessionFlow(dialect, **defaults)  # type: ignore[arg-type]


class PresignedSender:
    """Signs exactly what a flow built (``signing.request_for``) and sends it byte for byte."""

    def __init__(self, client: ClearNodeClient, keys: Mapping[str, HashSigner]) -> None:
        self.client, self.keys = client, keys
        self.sent: list[signing.SigningRequest] = []

    async def send(self, build: signing.FlowBuild, signers: list[str]) -> AppSession:
        request = signing.request_for(build, self.client.url)
        request = signing.sign_all(request, [self.keys[a] for a in signers])
        self.sent.append(request)
        session = await self.client.send_presigned(signing.ready_frame(request))
        assert isinstance(session, AppSession)
        return session

    def submitter(self) -> Submitter:
        async def submit(flow: CreateSessionFlow) -> SubmitResult:
            session = await self.send(flow, flow.ordered_signers())
            return SubmitResult(session.app_session_id, session.status, session.version)

        return submit

"""One test per frame/auth rule and error text (PROTOCOL.md §1, §3), both dialects."""

from __future__ import annotations

import time

import pytest

from nitro_desktop.protocol import RawKeySigner

A0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
APP = "0x1111111111111111111111111111111111111111"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def raw_error(c, text: str) -> str:
    msg = await c.send_raw(text)
    assert msg.is_error
    return str(msg.payload.message)


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_frame_errors(sandbox_factory, client_factory, dialect: str) -> None:
    node = await sandbox_factory(dialect=dialect)
    c = await client_factory(node)
    before = int(time.time() * 1000)
    assert await raw_error(c, "not json") == "invalid message format"
    msg = await c.send_raw('{"req":[1,"ping"]}')
    assert msg.payload.message == "invalid message format" and msg.frame.request_id >= before
    assert await raw_error(c, '{"req":[0,"ping",[],5]}') == "message validation failed"
    assert await raw_error(c, '{"req":[1,"ping",[],0]}') == "message validation failed"
    assert await raw_error(c, '{"res":[1,"ping",[],5]}') == "message request is empty"
    assert await raw_error(c, "{}") == "message validation failed"
    msg = await c.call("no_such_method")
    assert msg.payload.message == "unknown method: no_such_method"
    assert msg.frame.signers() == [node.broker_address]
    # the connection survives every one of these
    assert (await c.call("ping")).frame.method == "pong"


@pytest.mark.asyncio
async def test_e2_auth_request_texts(sandbox_factory, client_factory) -> None:
    node = await sandbox_factory(dialect="0.2")
    c = await client_factory(node)
    good = [A0, A0, "App", [], "0", "console", APP]

    async def err(params) -> str:
        return await c.error("auth_request", raw_params=params)

    assert await err(good[:6]) == "invalid parameters: expected 7 parameters"
    assert await err([5, *good[1:]]) == "invalid address: 5"
    assert await err([A0, "", *good[2:]]) == "invalid session key: "
    assert await err([A0, A0, "", *good[3:]]) == "invalid application name: "
    base = good[:3]
    assert await err([*base, "x", *good[4:]]) == "invalid allowances: input is not a list of allowances"
    assert await err([*base, ["x"], *good[4:]]) == "invalid allowances: allowance at index 0 is not a list"
    assert (
        await err([*base, [["usdc"]], *good[4:]])
        == "invalid allowances: allowance at index 0 must have exactly 2 elements (asset, amount)"
    )
    assert (
        await err([*base, [["usdc", 5]], *good[4:]])
        == "invalid allowances: allowance at index 0 has non-string asset or amount"
    )
    assert await err([*good[:4], 1767225600, *good[5:]]) == "invalid expiration time: 1767225600"
    assert await err([*good[:5], 7, APP]) == "invalid scope: 7"
    assert (await c.call("auth_request", raw_params=good)).frame.method == "auth_challenge"


@pytest.mark.asyncio
async def test_e4_auth_request_parse_failure(sandbox_factory, client_factory) -> None:
    node = await sandbox_factory(dialect="0.5")
    c = await client_factory(node)
    assert await c.error("auth_request", raw_params=[A0]) == "failed to parse auth parameters"
    assert await c.error("auth_request", raw_params={"address": 5}) == "failed to parse auth parameters"


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_auth_verify_texts(sandbox_factory, client_factory, wallets, dialect: str) -> None:
    node = await sandbox_factory(dialect=dialect)
    c = await client_factory(node)
    a, b = wallets["A"], wallets["B"]
    params = c.auth_params(a)
    challenge = await c.challenge(params)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert (await c.verify(unknown, c.eip712(a, params, challenge))).payload.message == "invalid challenge"
    wrong = await c.verify(challenge, c.eip712(b, params, challenge))
    assert wrong.payload.message == "invalid challenge or signature"
    bad = "0x" + "00" * 64 + "05"  # hex of the right length that recovers no key
    assert (await c.verify(challenge, bad)).payload.message == "invalid signature"
    assert await c.error("auth_verify", {"challenge": challenge}) == (
        "invalid authentication method: expected JWT or signature"
    )
    assert await c.error("auth_verify", {"jwt": "not.a.token"}) == "invalid JWT token"
    assert await c.error("auth_verify", {"challenge": "not-a-uuid"}) == "failed to parse auth parameters"
    ok = await c.verify(challenge, c.eip712(a, params, challenge))
    assert not ok.is_error
    again = await c.verify(challenge, c.eip712(a, params, challenge))
    assert again.payload.message == "invalid challenge or signature"


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_challenge_expiry_and_limit(sandbox_factory, client_factory, wallets, dialect: str) -> None:
    clock = Clock()
    node = await sandbox_factory(dialect=dialect, clock=clock)
    c = await client_factory(node)
    a = wallets["A"]
    params = c.auth_params(a, expires_at=int(clock.now) + 10**6)
    challenge = await c.challenge(params)
    clock.now += 301
    msg = await c.verify(challenge, c.eip712(a, params, challenge))
    assert msg.payload.message == "invalid challenge or signature"  # expired
    for _ in range(1000):
        node.router.auth.generate_challenge({"address": a.address}, params)
    assert await c.error("auth_request", raw_params=params) == "failed to generate challenge"


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_private_method_rules(sandbox_factory, client_factory, wallets, dialect: str) -> None:
    clock = Clock()
    node = await sandbox_factory(dialect=dialect, clock=clock, timestamp_window=60.0)
    c = await client_factory(node)
    assert await c.error("get_rpc_history", {}) == "authentication required"
    await c.login(wallets["A"], expires_at=int(clock.now) + 10**6)
    now_ms = int(clock.now * 1000)
    assert await c.error("get_ledger_balances", {}, ts=now_ms - 61_000) == "invalid message timestamp"
    assert await c.error("get_ledger_balances", {}, ts=123) == "invalid message timestamp"
    assert not (await c.call("get_ledger_balances", {}, ts=now_ms + 3_600_000)).is_error  # future is fine
    assert not (await c.call("get_ledger_balances", {}, ts=now_ms - 59_000)).is_error
    clock.now += 24 * 3600 + 1
    msg = await c.call("get_ledger_balances", {}, ts=int(clock.now * 1000))
    assert msg.payload.message == "session expired, please re-authenticate"


@pytest.mark.asyncio
async def test_e2_signer_mapping_rules(sandbox_factory, client_factory, wallets) -> None:
    node = await sandbox_factory(dialect="0.2")
    a, b, s = wallets["A"], wallets["B"], wallets["S"]
    c = await client_factory(node)
    await c.login(a, s.address)

    async def fail(wallet: RawKeySigner, key: str) -> str:
        params = c.auth_params(wallet, key)
        challenge = await c.challenge(params)
        msg = await c.verify(challenge, c.eip712(wallet, params, challenge))
        return str(msg.payload.message)

    assert await fail(b, s.address) == "signer is already in use for another wallet"
    assert await fail(b, a.address) == "cannot use a wallet as a signer"
    assert await fail(s, b.address) == "wallet is already in use as a signer"


@pytest.mark.asyncio
async def test_e4_session_key_rules(sandbox_factory, client_factory, wallets) -> None:
    clock = Clock()
    node = await sandbox_factory(dialect="0.5", clock=clock)
    a, b, s = wallets["A"], wallets["B"], wallets["S"]
    c = await client_factory(node)

    async def verify(wallet: RawKeySigner, key: str, **over) -> str:
        params = c.auth_params(wallet, key, **over)
        challenge = await c.challenge(params)
        msg = await c.verify(challenge, c.eip712(wallet, params, challenge))
        return "ok" if not msg.is_error else str(msg.payload.message)

    assert await verify(a, s.address, expires_at=int(clock.now) - 5) == (
        "expiration time must be set and in the future"
    )
    assert await verify(a, s.address, allowances=[("doge", "1")]) == (
        "unsupported token: asset 'doge' is not supported"
    )
    assert await verify(a, s.address, expires_at=int(clock.now) + 100) == "ok"
    assert await verify(b, s.address) == "signer is already in use for another wallet"
    keys = await c.result("get_session_keys", {})
    assert [k["session_key"] for k in keys] == [s.address]
    clock.now += 101
    assert await verify(a, s.address) == "session key already exists but is expired"

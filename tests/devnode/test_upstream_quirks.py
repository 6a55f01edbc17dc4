"""Upstream ClearNode quirks the sandbox copies (docs/protocol-notes.md, differences #4-#8)."""

from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal

import pytest
import pytest_asyncio

from nitro_desktop.protocol import (
    AppDefinition,
    app_session_id,
    definition_from_dict,
    encode_request,
    frame_from_req,
    sign_request,
)
from nitro_desktop.protocol.frames import sign_req_text
from tests.devnode.test_rules_sessions import alloc, defn

_ids = itertools.count(900_000)
BIG = 2**53 + 1


@pytest_asyncio.fixture
async def env(sandbox_factory, client_factory, wallets, request):
    node = await sandbox_factory(dialect=request.param)
    for name in "AB":
        node.fund(wallets[name].address, "usdc", "100")
    c = await client_factory(node)
    await c.login(wallets["A"])
    return node, c, wallets


BOTH = pytest.mark.parametrize("env", ["0.2", "0.5"], indirect=True)
E4 = pytest.mark.parametrize("env", ["0.5"], indirect=True)


def rounded(d: dict, nonce: int) -> AppDefinition:
    return definition_from_dict({**d, "nonce": nonce})


async def with_numbers(c, method: str, obj: dict, signers, numbers: dict[str, str]):
    """Send ``obj`` with each ``"<key>"`` string replaced by the JSON number text given (signed after)."""
    rid = next(_ids)
    req = encode_request(rid, method, c.spec.wrap_params(obj), int(time.time() * 1000))
    for key, number in numbers.items():
        req = req.replace(f'"{key}"', number)
    return await c.send_raw(frame_from_req(req, sign_req_text(req, list(signers))), rid)


# ---- #4: params are decoded through float64 ------------------------------------------------------
@pytest.mark.asyncio
@BOTH
async def test_params_are_rounded_through_float64(env) -> None:
    _, c, w = env
    a, b = w["A"], w["B"]
    d = defn(c.dialect, [a.address, b.address], [100, 0], 100)
    d["nonce"] = BIG + 2 * (d["nonce"] % 1000)  # odd: not a double
    res = await c.result("create_app_session", {"definition": d, "allocations": [alloc(a, "1")]}, [a])
    expect = int(Decimal(repr(float(d["nonce"]))))
    assert expect != d["nonce"]
    assert res["app_session_id"] == app_session_id(rounded(d, expect), c.dialect)
    listed = await c.result("get_app_sessions", {"participant": b.address})
    assert listed[0]["nonce"] == expect
    history = await c.result("get_rpc_history", {"limit": 1})
    assert f'"nonce":{expect}' in history[0]["params"]
    # A whole number above uint64 after rounding, a fraction, a float in a count: Go's struct refuses.
    for nonce in (str(2**64), "1.5", "-0.0"):
        d2 = {**d, "nonce": "N"}
        msg = await with_numbers(
            c, "create_app_session", {"definition": d2, "allocations": []}, [a], {"N": nonce}
        )
        assert msg.payload.message == "failed to parse parameters"
    msg = await with_numbers(c, "get_app_sessions", {"limit": "L"}, [], {"L": "2.5"})
    assert msg.payload.message == "failed to parse parameters"
    msg = await with_numbers(c, "get_app_sessions", {"limit": "L"}, [], {"L": "1.0"})  # Go re-prints 1
    assert len(c.spec.unwrap_result("get_app_sessions", msg.frame.result)) == 1


@pytest.mark.asyncio
@BOTH
async def test_number_beyond_float64_fails_frame_decoding_with_the_id(env) -> None:
    _, c, _ = env
    rid = next(_ids)
    frame = sign_request(
        rid, "get_app_sessions", c.spec.wrap_params({"limit": 7}), int(time.time() * 1000), []
    )
    msg = await c.send_raw(frame.replace('"limit":7', '"limit":' + "9" * 400))
    assert msg.is_error and msg.frame.request_id == rid
    assert msg.payload.message == "invalid message format"


# ---- #5: signatures that are hex but not 65 bytes (v0.5) ---------------------------------------
@pytest.mark.asyncio
@E4
async def test_signature_of_the_wrong_length(env) -> None:
    _, c, w = env
    a, b = w["A"], w["B"]
    d = defn(c.dialect, [a.address, b.address], [100, 0], 100)
    params = c.spec.wrap_params({"definition": d, "allocations": []})
    for bad, text, echoed in (
        ("0xdeadbeef", "failed to get signers from RPC message", True),
        ("not-hex", "invalid message format", True),
        ("0xabc", "invalid message format", True),  # odd length: hexutil refuses it
    ):
        rid = next(_ids)
        frame = sign_request(rid, "create_app_session", params, int(time.time() * 1000), [a])
        frame = frame[: frame.rindex('"sig":[')] + '"sig":["' + bad + '"]}'
        msg = await c.send_raw(frame)
        assert msg.is_error and msg.payload.message == text
        assert (msg.frame.request_id == rid) is echoed
    # "sig" before "req": Go's decoder fails before it read the id.
    rid = next(_ids)
    frame = sign_request(rid, "ping", c.spec.wrap_params(None), int(time.time() * 1000), [])
    req = frame[frame.index("[") : frame.rindex(',"sig":')]
    msg = await c.send_raw('{"sig":["not-hex"],"req":' + req + "}")
    assert msg.payload.message == "invalid message format" and msg.frame.request_id != rid


# ---- #6: channels ---------------------------------------------------------------------------
@pytest.mark.asyncio
@BOTH
async def test_unknown_channel_texts(env) -> None:
    _, c, w = env
    a = w["A"]
    cid = "0x" + "ab" * 32
    resize = {"channel_id": cid, "allocate_amount": "1", "funds_destination": a.address}
    assert await c.error("resize_channel", resize, [a]) == f"channel {cid} not found"
    close = {"channel_id": cid, "funds_destination": a.address}
    expected = f"channel {cid} not found" if c.dialect == "0.5" else "channel not found"
    assert await c.error("close_channel", close, [a]) == expected
    # upstream's validator: a whole allocate_amount, a destination
    assert await c.error("resize_channel", {**resize, "allocate_amount": "1.5"}, [a]) == (
        "failed to parse parameters"
    )
    assert await c.error("resize_channel", {"channel_id": cid, "allocate_amount": "1"}, [a]) == (
        "failed to parse parameters"
    )


@pytest.mark.asyncio
@E4
async def test_funds_in_a_channel_block_create_deposit_and_transfer(env) -> None:
    node, c, w = env
    a, b = w["A"], w["B"]
    d = defn(c.dialect, [a.address, b.address], [100, 0], 100)
    sid = (await c.result("create_app_session", {"definition": d, "allocations": [alloc(a, "1")]}, [a]))[
        "app_session_id"
    ]
    cid = node.fund(a.address, "usdc", "5", in_channel=True)
    denied = f"operation denied: non-zero allocation in 1 channel(s) detected owned by wallet {a.address}"
    d2 = defn(c.dialect, [a.address, b.address], [100, 0], 100)
    assert (
        await c.error("create_app_session", {"definition": d2, "allocations": [alloc(a, "1")]}, [a]) == denied
    )
    await c.result("create_app_session", {"definition": d2, "allocations": [alloc(a, "0")]}, [a])  # unfunded
    deposit = {"app_session_id": sid, "intent": "deposit", "version": 2, "allocations": [alloc(a, "2")]}
    assert await c.error("submit_app_state", deposit, [a]) == denied
    transfer = {"destination": b.address, "allocations": [{"asset": "usdc", "amount": "1"}]}
    assert await c.error("transfer", transfer, [a]) == denied
    channels = await c.result("get_channels", {"participant": a.address})
    assert [(ch["channel_id"], ch["amount"], ch["status"]) for ch in channels] == [(cid, "5000000", "open")]
    assert node.balances(a.address)["usdc"] == Decimal(99)  # the channel's funds are not unified balance


@pytest.mark.asyncio
@pytest.mark.parametrize("env", ["0.2"], indirect=True)
async def test_array_params_server_does_not_check_channels(env) -> None:
    node, c, w = env
    a, b = w["A"], w["B"]
    node.fund(a.address, "usdc", "5", in_channel=True)
    transfer = {"destination": b.address, "allocations": [{"asset": "usdc", "amount": "1"}]}
    assert (await c.result("transfer", transfer, [a]))[0]["amount"] == "1"


# ---- #7 ------------------------------------------------------------------------------------
@pytest.mark.asyncio
@BOTH
async def test_pong_is_null(env) -> None:
    _, c, _ = env
    msg = await c.call("ping")
    assert (msg.frame.method, msg.frame.result) == ("pong", None)


@pytest.mark.asyncio
@E4
async def test_asu_has_no_application_and_only_non_zero_shares(env, client_factory) -> None:
    node, c, w = env
    a, b = w["A"], w["B"]
    other = await client_factory(node)
    await other.login(b)
    d = defn(c.dialect, [a.address, b.address], [100, 0], 100)
    sid = (await c.result("create_app_session", {"definition": d, "allocations": [alloc(a, "3")]}, [a]))[
        "app_session_id"
    ]
    move = {
        "app_session_id": sid,
        "intent": "operate",
        "version": 2,
        "allocations": [alloc(a, "0"), alloc(b, "3")],
    }
    await c.result("submit_app_state", move, [a])
    asu = c.spec.unwrap_result("asu", (await other.wait_for("asu")).frame.result)
    assert asu["app_session"]["application"] == ""
    assert asu["participant_allocations"] == [{"participant": b.address, "asset": "usdc", "amount": "3"}]


@pytest.mark.asyncio
@BOTH
async def test_sort_word_is_pasted_into_sql(env) -> None:
    _, c, w = env
    a, b = w["A"], w["B"]
    for _ in range(2):
        d = defn(c.dialect, [a.address, b.address], [100, 0], 100)
        await c.result("create_app_session", {"definition": d, "allocations": []}, [a])
    asc = await c.result("get_app_sessions", {"participant": a.address, "sort": "asc"})
    assert await c.result("get_app_sessions", {"participant": a.address, "sort": ""}) == asc  # SQL's default
    desc = await c.result("get_app_sessions", {"participant": a.address, "sort": " Desc NULLS last"})
    assert desc == asc[::-1]
    assert await c.error("get_app_sessions", {"sort": "sideways"}) == "failed to get application sessions"
    assert await c.error("get_ledger_entries", {"sort": "desc;"}) == "failed to get ledger entries"
    assert await c.error("get_rpc_history", {"sort": "up"}) == "failed to retrieve RPC history"


@pytest.mark.asyncio
@BOTH
async def test_participant_filter_matches_one_element_exactly(env) -> None:
    _, c, w = env
    a, b = w["A"], w["B"]
    d = defn(c.dialect, [a.address, b.address], [100, 0], 100)
    await c.result("create_app_session", {"definition": d, "allocations": []}, [a])
    assert len(await c.result("get_app_sessions", {"participant": b.address})) == 1
    assert await c.result("get_app_sessions", {"participant": b.address.lower()}) == []
    assert await c.result("get_app_sessions", {"participant": b.address[:20]}) == []  # no substring


@pytest.mark.asyncio
@BOTH
async def test_history_res_sig_is_the_request_signature(env) -> None:
    _, c, w = env
    a, b = w["A"], w["B"]
    d = defn(c.dialect, [a.address, b.address], [100, 0], 100)
    await c.result("create_app_session", {"definition": d, "allocations": []}, [a])
    entry = (await c.result("get_rpc_history", {"limit": 1}))[0]
    assert entry["method"] == "create_app_session"
    assert entry["res_sig"] == entry["req_sig"] and len(entry["req_sig"]) == 1
    assert json.loads(entry["params"]) is not None


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.5"])
async def test_allowance_amount_texts(sandbox_factory, client_factory, wallets, dialect) -> None:
    node = await sandbox_factory(dialect=dialect)
    c = await client_factory(node)
    a = wallets["A"]
    numeric = c.auth_params(a, allowances=[("usdc", "1")])
    numeric["allowances"][0]["amount"] = 1
    msg = await c.call("auth_request", raw_params=numeric)
    assert msg.payload.message == "failed to parse auth parameters"
    for amount, err in (
        ("abc", "can't convert abc to decimal"),
        ("1.2.3", "can't convert 1.2.3 to decimal: too many .s"),
        ("1e", "can't convert 1e to decimal: exponent is not numeric"),
    ):
        params = c.auth_params(a, allowances=[("usdc", amount)])
        challenge = await c.challenge(params)
        msg = await c.verify(challenge, c.eip712(a, params, challenge))
        assert msg.payload.message == f"unsupported token: invalid amount '{amount}' for asset 'usdc': {err}"


# ---- #8 ------------------------------------------------------------------------------------
@pytest.mark.asyncio
@E4
async def test_app_definition_has_no_application(env) -> None:
    _, c, w = env
    a, b = w["A"], w["B"]
    d = defn(c.dialect, [a.address, b.address], [100, 0], 100)
    sid = (await c.result("create_app_session", {"definition": d, "allocations": []}, [a]))["app_session_id"]
    got = await c.result("get_app_definition", {"app_session_id": sid})
    assert got["application"] == "" and got["nonce"] == d["nonce"]

"""Dialect 1 signing requests (``.nitroreq`` version 2) against the target: the file passed between
people, their quorum signatures checked by the node as ``verifyQuorum`` does, and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from nitro_desktop import signing
from nitro_desktop.client import ClearNodeError
from nitro_desktop.client.v1_calls import QuorumSigners
from nitro_desktop.protocol import v1
from nitro_desktop.signing.v1_submission import send_v1
from tests.live.conftest import FrameRecorder, LiveTarget
from tests.live.helpers import connected, stranger
from tests.live.helpers_v1 import v1_definition
from tests.live.test_live_cli import Person, write


@pytest.mark.asyncio
async def test_v1_nitroreq_create_operate_close_by_two_signers(
    v1_target: LiveTarget, frames: FrameRecorder, tmp_path: Path
) -> None:
    a, b, c = v1_target.wallets()
    d = v1_definition([a, b, c], [50, 50, 0], 100)
    sid = v1.app_session_id(d)
    async with connected(v1_target, frames) as client:
        # A makes and signs the request; the file goes to B, who signs; C (weight 0) may not.
        path = signing.save(
            signing.sign(signing.create_request_v1(client.url, d, '{"t":1}'), a), tmp_path / "r"
        )
        with pytest.raises(signing.InsufficientSignaturesError, match="signed weight 50 of 100"):
            await send_v1(signing.load(path), client=client)  # refused here: nothing is sent
        with pytest.raises(signing.WrongSignerError, match="weight 0"):
            signing.sign(signing.load(path), c)
        request = signing.sign(signing.load(path), b)
        created, exchange = await send_v1(request, client=client)
        assert (created.app_session_id, created.status, created.version) == (sid, "open", 1)
        assert exchange is not None and '"app_session_id":"' + sid in exchange.response

        operate = signing.update_request_v1(client.url, d, "operate", 2, [], '{"t":2}')
        operate = signing.sign_all(signing.loads(signing.to_json(signing.sign(operate, b))), [a])
        assert (await send_v1(operate, client=client))[0].version == 2
        close = signing.sign_all(signing.update_request_v1(client.url, d, "close", 3, []), [a, b])
        closed, _ = await send_v1(close, client=client)
        assert (closed.status, closed.version) == ("closed", 3)
        info = await client.v1.find_app_session(sid)
        assert info is not None and (info.status, info.version, info.session_data) == ("closed", 3, '{"t":2}')


@pytest.mark.asyncio
async def test_v1_quorum_signatures_the_file_refuses_the_node_refuses_too(
    v1_target: LiveTarget, frames: FrameRecorder
) -> None:
    """What a .nitroreq refuses up front, and why: the node's own verdict on the same signatures."""
    a, b, _c = v1_target.wallets()
    outsider = stranger()
    d = v1_definition([a, b], [50, 50], 100)
    digest = v1.create_session_hash(d, "")
    sig_a = v1.quorum_signature(digest, a)
    async with connected(v1_target, frames) as client:
        with pytest.raises(
            ClearNodeError, match=f"signature from non-participant: {outsider.address.lower()}"
        ):
            await client.v1.create_app_session(
                d, QuorumSigners(signatures=(sig_a, v1.quorum_signature(digest, outsider)))
            )
        # The node counts a participant once however often they sign: a duplicate adds nothing.
        with pytest.raises(ClearNodeError, match="quorum not met: achieved 50, required 100"):
            await client.v1.create_app_session(d, QuorumSigners(signatures=(sig_a, sig_a)))
        assert await client.v1.find_app_session(v1.app_session_id(d)) is None
    request = signing.sign(signing.create_request_v1(v1_target.url, d), a)
    with pytest.raises(signing.WrongSignerError, match="not a participant"):
        signing.sign(request, outsider)
    with pytest.raises(signing.DuplicateSignatureError):
        signing.sign(request, a)


def test_v1_cli_collect_sign_submit_update_close(v1_target: LiveTarget, tmp_path: Path) -> None:
    a, b, _c = v1_target.wallets()
    alice, bob = Person(tmp_path, "alice", v1_target.keys[0]), Person(tmp_path, "bob", v1_target.keys[1])
    for person in (alice, bob):
        person.import_key()
    d = v1_definition([a, b], [50, 50], 100)
    sid = v1.app_session_id(d)
    where = ("--endpoint", v1_target.url, "--dialect", "1")
    none = write(tmp_path / "none.json", [])
    create = str(tmp_path / "create.nitroreq")
    code, out = alice.run(
        "sessions", "create", "--definition", write(tmp_path / "d.json", d), "--allocations", none,
        *where, "--sign", a.address, "--out", create,
    )  # fmt: skip
    assert code == 0 and "quorum not reached: signed weight 50 of 100" in out, out
    code, out = bob.run("sign", create, "--account", b.address, "--yes")
    assert code == 0 and "quorum reached" in out, out
    code, out = bob.run("submit", create)
    assert code == 0 and f"Created {sid} (version 1, open)" in out, out

    close = str(tmp_path / "close.nitroreq")
    code, out = bob.run(
        "sessions", "close", sid, "--allocations", none, *where, "--sign", b.address, "--out", close
    )
    assert code == 0 and "intent close, to version 2" in out, out
    code, out = alice.run("sign", close, "--account", a.address, "--yes")
    assert code == 0, out
    code, out = alice.run("submit", close)
    assert code == 0 and f"Closed {sid}: version 2, closed" in out, out
    code, out = alice.run("sessions", "list")
    assert code == 0 and sid in out, out

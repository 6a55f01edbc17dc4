"""Definitions seen before, by their exact wire values: their ABI pieces and JSON text.

A client creates session after session among the same people; only the nonce changes.
Both the create hash and the frame writer read the same definition dict, so both look it
up here by (application_id, quorum, wallet, weight, ...) with exact types and wire key
order, and only a first sight (or a definition off that shape) takes the validating
readers. The key holds exact ``str``/``int`` values only, so an equal but different value
(``True`` for ``1``) is never served another's entry. Bounded in entries and in size.
"""

from __future__ import annotations

from typing import Any

from nitro_desktop.protocol.crypto import new_keccak
from nitro_desktop.protocol.v1 import abi
from nitro_desktop.protocol.v1.models import MAX_PARTICIPANTS, Participant, fast_definition
from nitro_desktop.protocol.v1.values import UINT64_MAX

_DEFINITION = ("application_id", "participants", "quorum", "nonce")
_PARTICIPANT = ("wallet_address", "signature_weight")
_MAX_ENTRIES = 512
_MAX_CACHED_PARTICIPANTS = 32
_ADDRESS_PAD = b"\0" * 12
_STRING_TAILS = abi.STRING_TAILS  # cleared in place, never rebound


def _word(number: int) -> bytes:
    return number.to_bytes(32, "big")


class KnownDefinition:
    """One validated definition without its nonce: what hashing and framing it needs."""

    __slots__ = ("application_id", "create_head", "create_middle", "json_head", "participants", "quorum")

    def __init__(self, application_id: str, participants: tuple[Participant, ...], quorum: int) -> None:
        self.application_id = application_id
        self.participants = participants
        self.quorum = quorum
        app_tail = abi.string_tail(application_id)
        parts = [_word(len(participants))]
        for p in participants:
            parts.append(_ADDRESS_PAD + bytes.fromhex(p.wallet_address[2:]))
            parts.append(_word(p.signature_weight))
        parts_tail = b"".join(parts)
        # abi.encode(string, (address,uint8)[], uint8, uint64, string) around the nonce word.
        self.create_head = _word(160) + _word(160 + len(app_tail)) + _word(quorum)
        self.create_middle = _word(160 + len(app_tail) + len(parts_tail)) + app_tail + parts_tail
        self.json_head: str | None = None  # written by the frame writer on first use


_KNOWN: dict[tuple[Any, ...], KnownDefinition] = {}


def _pair_key(application_id: str, quorum: int, one: Any, two: Any) -> tuple[Any, ...] | None:
    """The cache key of a two-person definition (the usual session: no loop, no key list),
    read by name with exact types, or None. The frame's reader checks key order itself."""
    if type(one) is not dict or type(two) is not dict or len(one) != 2 or len(two) != 2:
        return None
    try:
        wallet, weight = one["wallet_address"], one["signature_weight"]
        wallet2, weight2 = two["wallet_address"], two["signature_weight"]
    except KeyError:
        return None
    if (
        type(wallet) is not str
        or type(weight) is not int
        or type(wallet2) is not str
        or type(weight2) is not int
    ):
        return None
    return (application_id, quorum, wallet, weight, wallet2, weight2)


def known_definition(value: dict[str, Any]) -> KnownDefinition | None:
    """The entry for a plain dict exactly in wire shape and valid, else None (the general path's)."""
    try:
        first, second, third, fourth = value  # the names in order, in one read
    except ValueError:
        return None
    if first != "application_id" or second != "participants" or third != "quorum" or fourth != "nonce":
        return None
    application_id = value["application_id"]
    participants = value["participants"]
    quorum = value["quorum"]
    if type(participants) is not list or type(application_id) is not str or type(quorum) is not int:
        return None
    if len(participants) == 2:  # the usual session, two people: no loop, no key list
        one, two = participants
        pair = _pair_key(application_id, quorum, one, two)
        if pair is None:
            return None
        # Two keys, both read by name: the first one's name fixes the order. A loop that
        # stops at once reads it with no calls (next(iter(...)) costs two).
        for name in one:  # noqa: B007
            break
        for other in two:  # noqa: B007
            break
        if name != "wallet_address" or other != "wallet_address":
            return None
        frozen: tuple[Any, ...] = pair
    else:
        if len(participants) > MAX_PARTICIPANTS:
            return None
        key = [application_id, quorum]
        for entry in participants:
            if type(entry) is not dict or len(entry) != 2:
                return None
            (name, wallet), (other, weight) = entry.items()  # names and order in one read
            if name != "wallet_address" or other != "signature_weight":
                return None
            if type(wallet) is not str or type(weight) is not int:
                return None
            key.append(wallet)
            key.append(weight)
        frozen = tuple(key)
    try:
        return _KNOWN[frozen]  # a subscript is cheaper than .get(); a miss is a first sight
    except KeyError:
        return _learn(frozen, value)


def known_create_hash(value: dict[str, Any], session_data: str) -> str | None:
    """``create_session_hash`` of a known definition (its ABI pieces around the nonce word),
    or None. Fields are read by name as the general readers do: any key order, so no order
    check is paid for; the same exact key as ``known_definition``. ``session_data`` is a str
    within MAX_SESSION_DATA (the caller's check)."""
    if len(value) != 4:
        return None
    try:
        application_id = value["application_id"]
        participants = value["participants"]
        quorum = value["quorum"]
        nonce = value["nonce"]
    except KeyError:
        return None
    if type(participants) is not list or type(application_id) is not str or type(quorum) is not int:
        return None
    if len(participants) == 2:  # as in known_definition
        one, two = participants
        pair = _pair_key(application_id, quorum, one, two)
        if pair is None:
            return None
        frozen: tuple[Any, ...] = pair
    else:
        if len(participants) > MAX_PARTICIPANTS:
            return None
        key = [application_id, quorum]
        for entry in participants:
            if type(entry) is not dict or len(entry) != 2:
                return None
            try:
                wallet = entry["wallet_address"]
                weight = entry["signature_weight"]
            except KeyError:
                return None
            if type(wallet) is not str or type(weight) is not int:
                return None
            key.append(wallet)
            key.append(weight)
        frozen = tuple(key)
    try:
        entry = _KNOWN[frozen]
    except KeyError:
        learnt = _learn(frozen, value)
        if learnt is None:
            return None
        entry = learnt
    number = nonce
    if type(nonce) is str and len(nonce) <= 20 and nonce.isascii() and nonce.isdigit():
        number = int(nonce)
    if type(number) is not int or not 0 <= number <= UINT64_MAX:
        return None
    try:
        tail = _STRING_TAILS[session_data]
    except KeyError:
        tail = abi.string_tail(session_data)
    digest: bytes = new_keccak(
        b"".join((entry.create_head, number.to_bytes(32, "big"), entry.create_middle, tail))
    ).digest()
    text: str = "0x" + digest.hex()
    global last_hash
    last_hash = (text, digest, nonce)
    return text


def _learn(frozen: tuple[Any, ...], value: dict[str, Any]) -> KnownDefinition | None:
    # The entry depends on the key's values only (the JSON head is written later, by the
    # frame writer, from a definition that passed the key-order check).
    parsed = fast_definition(value)  # validates everything, the nonce too
    if parsed is None:
        return None
    known = KnownDefinition(parsed.application_id, parsed.participants, parsed.quorum)
    if len(parsed.participants) <= _MAX_CACHED_PARTICIPANTS:
        if len(_KNOWN) >= _MAX_ENTRIES:
            _KNOWN.clear()
        _KNOWN[frozen] = known
    return known


# The last create hash made here, as (text, bytes, nonce): quorum_signature is usually handed
# that very string next, and reads its bytes back instead of parsing the hex; the frame writer
# is handed that very nonce (a str it checked is ASCII digits, or an int), and quotes it with
# no second check. One tuple, replaced whole, so a thread never pairs one hash's parts with
# another's. Strings and ints are immutable: the same object is still what was checked.
last_hash: tuple[str, bytes, str | int] = ("", b"", 0)
# The last quorum signature made here (0x and hex digits: nothing for JSON to escape).
last_signature: str = ""

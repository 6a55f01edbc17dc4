"""What may appear in logs and crash reports: secrets removed by shape, not only by name.

Two strengths, one set of rules:

- ``redact_text`` (crash reports, asyncio errors): every hex run of 32 bytes or
  more is removed whatever its label — a private key and a session id have the
  same shape, and a report losing an id is a small price. 20-byte addresses stay.
- ``redact`` (log lines, the log view): signatures (65 bytes) are shortened; a
  32-byte value stays only when a known public label names it
  (``app_session_id``, ``channel_id``, ``hash``…), so a bare or key-labelled
  one (``key=0x…``, ``"pk": "…"``) never shows.

Both also remove JWTs (three base64url parts), runs of 12 or more BIP-39 words,
byte strings of 32 bytes or more written as Python literals, the values of
password/secret/key/mnemonic fields, and every password registered with
``register_secret`` while the app holds it.
"""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Callable
from functools import lru_cache

_MAX_LOGGED = 600
_MIN_REGISTERED = 4  # shorter secrets would turn every report into noise; they guard nothing anyway
_MAX_REGISTERED = 64

# 32 bytes or more of hex, with or without 0x: keys, ids, hashes, signatures. 20-byte addresses
# (40 hex) never match. Runs are maximal, so a key inside a longer run is never partly kept.
_HEX_RUN = re.compile(r"(?<![0-9a-fA-F])(?:0x)?[0-9a-fA-F]{64,}(?![0-9a-fA-F])")
_SIGNATURE_HEX = 100  # a run this long is a signature (or worse): shortened in logs, never whole
# Labels under which a 32-byte value is public and worth keeping in a log line.
_PUBLIC_LABEL = re.compile(
    r"(?i)(?<![a-z_])(app_session_id|appsessionid|session_id|channel_id|channelid|state_hash|"
    r"tx_hash|txhash|hash|id)[\"']?\s*[:=]?\s*[\"']?$"
)
_FIELD = re.compile(
    r"(?i)(?<![a-z])(private[_ ]?key|privkey|secret|password|passphrase|mnemonic|seed[_ ]?phrase|"
    r"\"?pk\"?|key)(\"?\s*[:=]\s*)(b?[\"']?)([^\s\"',}\]\)]+)"
)
_TOKEN_FIELD = re.compile(r'("(?:jwt_token|jwt|challenge|challenge_message)"\s*:\s*")([^"]*)(")')
# A JWT's header is a JSON object, so its base64url always starts with "ey".
_JWT = re.compile(r"(?<![\w-])ey[\w-]{6,}\.[\w-]{4,}\.[\w-]*")
# Any other three long base64url parts joined by dots (a token of an unknown kind).
_DOTTED_TOKEN = re.compile(r"(?<![\w.-])[\w-]{16,}\.[\w-]{16,}\.[\w-]{16,}")
_BYTES_LITERAL = re.compile(r"(?<![\w])b(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")")
_WORD_RUN = re.compile(r"(?<![a-zA-Z])[a-z]{3,8}(?![a-z])(?:[\s,'\"]+[a-z]{3,8}(?![a-z])){11,}")
_WORD = re.compile(r"[a-z]+")
_MNEMONIC_WORDS = 12

_registered: dict[str, None] = {}  # insertion-ordered: the oldest is dropped past the bound
_registered_lock = threading.Lock()


def short(secret: str, keep: int = 6) -> str:
    """``0x1234…abcd``: enough to tell values apart, too little to use one."""
    if len(secret) <= 2 * keep + 1:
        return "…" if len(secret) > keep else secret
    return f"{secret[:keep]}…{secret[-4:]}"


def register_secret(secret: str | None) -> Callable[[], None]:
    """Remove ``secret`` from every report and log line until the returned function is called.

    For passwords typed by the user: they have no shape to recognise.
    """
    if not secret or len(secret) < _MIN_REGISTERED:
        return lambda: None
    with _registered_lock:
        _registered.pop(secret, None)
        _registered[secret] = None
        while len(_registered) > _MAX_REGISTERED:
            del _registered[next(iter(_registered))]
    return lambda: forget_secret(secret)


def forget_secret(secret: str) -> None:
    with _registered_lock:
        _registered.pop(secret, None)


def _remove_registered(text: str) -> str:
    with _registered_lock:
        secrets = sorted(_registered, key=len, reverse=True)  # a longer one may contain a shorter one
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "<redacted>")
    return text


@lru_cache(maxsize=1)
def _bip39_words() -> frozenset[str]:
    try:
        from importlib.resources import files

        text = files("eth_account").joinpath("hdaccount/wordlist/english.txt").read_text("utf-8")
    except (ImportError, OSError):
        return frozenset()
    return frozenset(text.split())


def _remove_mnemonics(text: str) -> str:
    if not _WORD_RUN.search(text):
        return text
    words = _bip39_words()

    def scrub(match: re.Match[str]) -> str:
        run = match.group(0)
        tokens = list(_WORD.finditer(run))
        out: list[str] = []
        last = i = 0
        while i < len(tokens):
            j = i
            while j < len(tokens) and tokens[j].group(0) in words:
                j += 1
            if j - i >= _MNEMONIC_WORDS:
                out.append(run[last : tokens[i].start()])
                out.append(f"<redacted {j - i} words>")
                last = tokens[j - 1].end()
            i = max(j, i + 1)
        out.append(run[last:])
        return "".join(out)

    return _WORD_RUN.sub(scrub, text)


def _bytes_literal(match: re.Match[str]) -> str:
    try:
        value = ast.literal_eval(match.group(0))
    except (ValueError, SyntaxError):
        return match.group(0)
    return (
        f"<redacted {len(value)} bytes>" if isinstance(value, bytes) and len(value) >= 32 else match.group(0)
    )


def _field(match: re.Match[str]) -> str:
    value = match.group(4)
    label = match.group(1).lower().strip('"')
    # "key" alone is too common a word: only a key-shaped value (hex, base64) is taken from it.
    if label == "key" and not re.fullmatch(r"(0x)?[0-9a-fA-F]{64,}|[\w+/=-]{43,}", value):
        return match.group(0)
    return match.group(1) + match.group(2) + match.group(3) + "<redacted>"


def _common(text: str) -> str:
    text = _remove_registered(text)
    text = _BYTES_LITERAL.sub(_bytes_literal, text)
    text = _FIELD.sub(_field, text)
    return _remove_mnemonics(text)


def redact_text(text: str) -> str:
    """Free text (a traceback, an error) made safe for a report: secret-shaped values removed, nothing cut."""
    text = _common(text)
    text = _TOKEN_FIELD.sub(lambda m: m.group(1) + "<redacted>" + m.group(3), text)
    text = _JWT.sub("<redacted token>", text)
    text = _DOTTED_TOKEN.sub("<redacted token>", text)
    return _HEX_RUN.sub(lambda m: f"<redacted {len(m.group(0).removeprefix('0x')) // 2}-byte hex>", text)


def _log_hex(match: re.Match[str]) -> str:
    value = match.group(0)
    digits = len(value.removeprefix("0x"))
    if digits >= _SIGNATURE_HEX:
        return short(value)
    if digits == 64 and _PUBLIC_LABEL.search(match.string, max(0, match.start() - 40), match.start()):
        return value
    return f"<redacted {digits // 2}-byte hex>"


def redact(text: str | bytes) -> str:
    """A frame or log line made safe: signatures, JWTs and challenges shortened, unlabelled 32-byte
    values removed, then cut."""
    if isinstance(text, bytes):
        text = f"<{len(text)} binary bytes>"
    text = _common(text)
    text = _TOKEN_FIELD.sub(lambda m: m.group(1) + short(m.group(2)) + m.group(3), text)
    text = _JWT.sub(lambda m: short(m.group(0)), text)
    text = _DOTTED_TOKEN.sub(lambda m: short(m.group(0)), text)
    text = _HEX_RUN.sub(_log_hex, text)
    if len(text) > _MAX_LOGGED:
        text = text[:_MAX_LOGGED] + f"… ({len(text)} chars)"
    return text

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
from pathlib import Path

_MAX_LOGGED = 600
_SCANNED = 4 * _MAX_LOGGED
_CUT_WORD = re.compile(r"[\w.+/=-]{1,256}$")
_MIN_REGISTERED = 4  # shorter secrets would turn every report into noise; they guard nothing anyway
_MAX_REGISTERED = 64

# 32 bytes or more of hex, with or without 0x: keys, ids, hashes, signatures. 20-byte addresses
# (40 hex) never match. Runs are maximal, so a key inside a longer run is never partly kept.
_HEX_RUN = re.compile(r"(?<![0-9a-fA-F])(?:0x)?[0-9a-fA-F]{64,}(?![0-9a-fA-F])")
_HEX_0X_RUN = re.compile(r"0x[0-9a-fA-F]{64,}(?![0-9a-fA-F])")  # the common case, found fast (literal first)
# Maps every hex digit to "h": a cheap test for a 64-digit run before any regular expression runs.
_HEX_SHAPE = bytes(ord("h") if chr(b) in "0123456789abcdefABCDEF" else b for b in range(256))
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
# (Literal first, the word boundary checked after: the search stays fast on long frames.)
_JWT = re.compile(r"ey[\w-]{6,}\.[\w-]{4,}\.[\w-]*")
# Any other three long base64url parts joined by dots (a token of an unknown kind).
_DOTTED_TOKEN = re.compile(r"(?<![\w.-])[\w-]{16,}\.[\w-]{16,}\.[\w-]{16,}")
_DOTTED_HINT = re.compile(r"\.[\w-]{16,}\.")
_FIELD_HINTS = ("key", "secret", "passw", "passphrase", "mnemonic", "seed", "pk")
_BYTES_HINT = re.compile(r"b['\"]")
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
    # Found without importing eth_account (slow to import, and not needed to read a file).
    try:
        from importlib.util import find_spec

        spec = find_spec("eth_account")
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        text = (Path(folders[0]) / "hdaccount" / "wordlist" / "english.txt").read_text("utf-8")
    except (ImportError, OSError, IndexError):
        return frozenset()
    return frozenset(text.split())


def _remove_mnemonics(text: str) -> str:
    # Twelve words need eleven gaps: spaces (prose, reprs) or '","' (a JSON list).
    if text.count(" ") + text.count('","') < _MNEMONIC_WORDS - 1:
        return text
    words = _bip39_words()
    # Fewer than 12 list words in the whole text: no phrase to find (the usual case, and cheap).
    if sum(1 for w in _WORD.findall(text) if w in words) < _MNEMONIC_WORDS:
        return text

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
    if any(m.start() == 0 or not _is_word(text[m.start() - 1]) for m in _BYTES_HINT.finditer(text)):
        text = _BYTES_LITERAL.sub(_bytes_literal, text)
    lowered = text.lower()
    for hint in _FIELD_HINTS:
        if hint in lowered:
            text = _FIELD.sub(_field, text)
            break
    return _remove_mnemonics(text)


def _is_word(char: str) -> bool:
    return char.isalnum() or char in "_-"


def _tokens(text: str, replace: Callable[[re.Match[str]], str]) -> str:
    def jwt(match: re.Match[str]) -> str:
        start = match.start()
        if start and _is_word(match.string[start - 1]):
            return match.group(0)  # "ey" inside a longer word: not a token's start
        return replace(match)

    text = _JWT.sub(jwt, text)
    if _DOTTED_HINT.search(text):
        text = _DOTTED_TOKEN.sub(replace, text)
    return text


def _hex(text: str, replace: Callable[[re.Match[str]], str]) -> str:
    text = _HEX_0X_RUN.sub(replace, text)
    if b"h" * 64 in text.encode("utf-8", "replace").translate(_HEX_SHAPE):
        text = _HEX_RUN.sub(replace, text)
    return text


def redact_text(text: str) -> str:
    """Free text (a traceback, an error) made safe for a report: secret-shaped values removed, nothing cut."""
    text = _common(text)
    text = _TOKEN_FIELD.sub(lambda m: m.group(1) + "<redacted>" + m.group(3), text)
    text = _tokens(text, lambda _m: "<redacted token>")
    return _hex(text, lambda m: f"<redacted {len(m.group(0).removeprefix('0x')) // 2}-byte hex>")


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
    size = len(text)
    if size > _SCANNED:
        # Only the start is shown: scan a margin more, minus the word cut in two (half a secret).
        text = _CUT_WORD.sub("", text[:_SCANNED])
    text = _common(text)
    text = _TOKEN_FIELD.sub(lambda m: m.group(1) + short(m.group(2)) + m.group(3), text)
    text = _tokens(text, lambda m: short(m.group(0)))
    text = _hex(text, _log_hex)
    if size > _MAX_LOGGED or len(text) > _MAX_LOGGED:
        text = text[:_MAX_LOGGED] + f"… ({size} chars)"
    return text

"""Go's escapes of marshalled text: ASCII text skips the character-class searches and must come
out exactly as the general path writes it (surrogates, U+2028/U+2029, <, >, &)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol import canonical
from nitro_desktop.protocol.canonical import go_json

_special = st.sampled_from(["<", ">", "&", "\u2028", "\u2029", "\ud800", "\udfff", "é", '"', "\\", "a"])
_texts = st.one_of(st.text(), st.lists(_special).map("".join), st.text(alphabet='<>&ab"\\ {}[],:'))


@settings(max_examples=500, deadline=None)
@given(_texts)
def test_go_escapes_equals_the_general_path(text: str) -> None:
    assert canonical._go_escapes(text) == canonical._go_escapes_general(text)


def test_ascii_specials_are_escaped_as_go_does() -> None:
    assert go_json(["<a&b>"]) == '["\\u003ca\\u0026b\\u003e"]'
    assert go_json(["plain"]) == '["plain"]'
    assert go_json(["\u2028<"]) == '["\\u2028\\u003c"]'

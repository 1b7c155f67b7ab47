import unicodedata

import pytest

from briefreader.sanitize import clean, clean_line, has_unsafe


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b[2J", "^[[2J"),  # CSI clear screen
        ("\x1b]0;owned\x07", "^[]0;owned^G"),  # OSC window title, BEL
        ("\x1b]52;c;ZXZpbA==\x1b\\", "^[]52;c;ZXZpbA==^[\\"),  # OSC 52 clipboard
        ("\x9b31m", "<U+009B>31m"),  # C1 CSI
        ("a\x08b", "a^Hb"),
        ("\x7f", "^?"),
        ("abc\u202edef", "abc<U+202E>def"),  # right-to-left override
        ("x\u200by", "x<U+200B>y"),
        ("\ud800", "\ufffd"),
    ],
)
def test_terminal_controls_become_visible(raw, shown):
    assert clean(raw) == shown


def test_line_structure_is_kept_and_normalised():
    assert clean("one\r\ntwo\rthree\u2028four") == "one\ntwo\nthree\nfour"
    assert clean_line("one\ntwo") == "one two"
    assert clean("a\tb") == "a   b"


def test_joiners_and_ordinary_text_pass_through():
    text = "Лукашенко [bold]not markup[/] می\u200cخواهم"
    assert clean(text) == text
    assert not has_unsafe(text)


def test_clean_is_idempotent_and_leaves_no_controls():
    raw = "".join(chr(c) for c in range(0, 0xA0)) + "\u202a\u2066\ufeff"
    once = clean(raw)
    assert clean(once) == once
    for char in once:
        assert char == "\n" or unicodedata.category(char) not in ("Cc", "Cf"), repr(char)

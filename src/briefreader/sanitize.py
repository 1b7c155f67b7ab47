"""Make untrusted brief text safe to show in a terminal.

Every string that comes out of a brief file (and every file name) passes through
:func:`clean` before anything displays it.  The result contains no character a
terminal would act on: C0 and C1 controls, DEL, bidirectional overrides and
invisible format characters are replaced by a visible stand-in, the way ``less``
shows ``ESC`` as ``^[``.  Newlines survive in multi-line text; tabs become spaces.

Markup is a separate danger: Rich parses ``[bold]`` in plain ``str`` renderables.
The rule that answers it lives in the render layer (brief text is only ever put
into a ``rich.text.Text`` as plain text), not here: cleaning keeps brackets as
they are so that ``[[claim-id]]`` references still parse.
"""

from __future__ import annotations

import re

# Characters that change text direction or hide text: every format character
# (Unicode category Cf, as of Unicode 15.1), bidi overrides and the tag
# characters (hidden ASCII) among them.  Shown as <U+XXXX> so a reader sees that
# something is there (Trojan Source, CVE-2021-42574).
_FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200B), (0x200E, 0x200F),
    (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
# ZWJ and ZWNJ (U+200D, U+200C) are kept: Persian, Indic scripts and emoji need
# them, and they cannot reorder or hide text on their own.

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
    + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _FORMAT_RANGES)
    + "]"
)
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")


def visible(char: str) -> str:
    """The visible stand-in for one unsafe character."""
    code = ord(char)
    if code < 0x20:
        return "^" + chr(code + 0x40)  # ESC -> ^[, BEL -> ^G
    if code == 0x7F:
        return "^?"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"  # a lone surrogate cannot be encoded at all
    return f"<U+{code:04X}>"


def clean(text: str, *, multiline: bool = True) -> str:
    """Return ``text`` with nothing a terminal would interpret.

    With ``multiline`` the line structure is kept (``\\r\\n``, ``\\r`` and the
    Unicode line separators become ``\\n``); without it every line break becomes
    a space, for one-line fields such as titles.  Idempotent.
    """
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to do
    text = _LINE_BREAKS.sub("\n", text)
    if "\t" in text:
        text = text.expandtabs(4) if multiline else text.replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    return _UNSAFE.sub(lambda match: visible(match.group()), text)


def clean_line(text: str) -> str:
    """One-line form of :func:`clean`, for titles, names and ids."""
    return clean(text, multiline=False)


def has_unsafe(text: str) -> bool:
    """True when :func:`clean` would change more than line breaks and tabs."""
    return _UNSAFE.search(text) is not None

"""Read an untrusted YAML file into a plain node tree, safely and with positions.

PyYAML's own composer recurses once per nesting level (the C one overflows the
C stack and kills the process on deep input) and its constructors turn ``no``
into ``False`` and ``1.10`` into ``1.1``.  So this module builds its own small
node tree from the parser's event stream, with an explicit stack, and leaves
every scalar as the text that was written.  It refuses, with one clear message
and the real 1-based line and column, everything that is not a plain brief:
oversized files, files that are not regular files, binary data, invalid UTF-8,
raw control characters, more than one document, any tag beyond the core
schema (``!!python/...`` above all), nesting deeper than a limit and aliases
that would expand past a limit.
"""

from __future__ import annotations

import os
import re
import stat
from collections import namedtuple
from operator import itemgetter

from .sanitize import visible

DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024  # a 20 MB brief must open; 60 MB must not
MAX_DEPTH = 100  # a brief nests sections a dozen deep at most
MAX_NODES = 2_000_000  # after alias expansion; a 20 MB brief has well under this
TEXT_PER_NODE = 32  # characters of a scalar that count as one more node toward MAX_NODES

_CORE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}
_NULLS = {"", "~", "null", "Null", "NULL"}
_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")


class InputError(Exception):
    """The file cannot be read as a brief; ``line`` is 0 when no position applies."""

    def __init__(self, message: str, line: int = 0, column: int = 0, code: str = "bad-yaml"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


def yaml_parser_class():
    """The parser whose events :func:`compose` reads: libyaml's bare parser when PyYAML
    has it (several times faster), else PyYAML's own.

    PyYAML is imported on the first parse, not with this module: importing it costs
    15 ms, which the first screen of one brief does not wait for (cli.py parses that
    brief in a second process while this one imports the interface)."""
    import yaml

    if yaml.__with_libyaml__:
        from yaml._yaml import CParser

        return CParser
    return yaml.SafeLoader


# namedtuple for its field access, the fastest there is in Python
_NodeFields = namedtuple("_NodeFields", "kind value line column start end plain tag size is_null")


class Node(_NodeFields):
    """A YAML node: ``kind`` is ``scalar``, ``seq`` or ``map``.

    A scalar's ``value`` is its text as written; a sequence's is a list of
    nodes; a mapping's is a list of (key node, value node) pairs in file order.
    ``line`` and ``column`` are 1-based; ``start`` and ``end`` are character
    offsets into the text.  ``plain``: an unquoted scalar, whose text YAML 1.1
    would resolve.  ``size``: nodes below and including this one, aliases
    expanded (long text counts more).  ``is_null``: an empty or null scalar,
    untagged.

    A tuple made once when the node is complete: a large library has millions
    of nodes, and a tuple costs a fraction of a Python ``__init__``.  Compared
    by identity, like any node object.
    """

    __slots__ = ()
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def __new__(cls, kind: str, value: object, line: int, column: int, start: int, end: int = 0,
                plain: bool = False, tag: str | None = None, size: int = 1) -> "Node":
        is_null = kind == "scalar" and plain and value in _NULLS and tag is None
        return tuple.__new__(cls, (kind, value, line, column, start, end, plain, tag, size, is_null))

    def __repr__(self) -> str:
        return f"Node({self.kind}, {self.line}:{self.column})"

    @property
    def type_name(self) -> str:
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        return "empty" if self.is_null else "text"


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def read_text(path: str, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """The file's text, or an :class:`InputError` saying why it is not a text brief."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", code="unreadable") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else (
            "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
            "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file")
        raise InputError(f"not a regular file ({kind}); briefs are plain files", code="not-a-file")
    if info.st_size > max_file_size:
        raise InputError(_too_large(info.st_size, max_file_size), code="too-large")
    try:
        with open(path, "rb") as handle:
            # read(n) allocates n bytes up front: ask for what stat promised, and only
            # if the file has grown since, for the rest up to the limit
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(max_file_size + 1 - len(data))
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", code="unreadable") from None
    if len(data) > max_file_size:  # it grew after stat
        raise InputError(_too_large(len(data), max_file_size), code="too-large")
    return decode(data)


def _too_large(size: int, limit: int) -> str:
    shown = _human(size)
    if shown == _human(limit):  # just over: the rounded sizes would look equal
        shown = f"{size:,} bytes"
    return (f"file is {shown}, over the {_human(limit)} limit "
            f"(max_file_size; briefreader check --max-file-size reads larger files)")


def _human(size: int) -> str:
    """A byte count as people read it: 900 bytes, 1.5 KiB, 32 MiB."""
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        size /= 1024
        if size < 1024 or unit == "GiB":
            return f"{size:.1f}".removesuffix(".0") + f" {unit}"
    raise AssertionError("unreachable")


def decode(data: bytes) -> str:
    """Strict UTF-8 text with no NUL bytes and no raw control characters."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(data, nul)
        raise InputError("binary data (a NUL byte), not a UTF-8 text file", line, column, "binary")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        raise InputError(f"invalid UTF-8 (byte 0x{data[error.start]:02X}); briefs are UTF-8 text",
                         line, column, "not-utf8") from None
    text = text.removeprefix("\ufeff")
    control = _RAW_CONTROL.search(text)
    if control:
        char = control.group()
        count = len(_RAW_CONTROL.findall(text))
        more = f" and {count - 1} more" if count > 1 else ""
        line, column = position(text, control.start())
        raise InputError(
            f"raw control character {visible(char)} (U+{ord(char):04X}){more}; "
            "write it as an escape in a double-quoted string if it is meant",
            line, column, "control-character")
    return text


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def compose(text: str) -> Node | None:
    """The single document in ``text`` as a node tree (None for an empty file)."""
    anchors: dict[str, Node | list] = {}  # an open collection's anchor maps to its children list
    # Open collections, outermost first: (kind, line, column, start, tag, anchor, children).
    stack: list[tuple] = []
    top: list[Node] = []  # the document's root node, once read
    children = top  # where the next node goes
    documents = 0

    # YAML also breaks lines at a lone CR, NEL, U+2028 and U+2029; editors, grep and
    # the inline-reference positions count LF only.  Recount when such a break occurs.
    recount = _LineCounter(text) if _has_odd_breaks(text) else None

    def where(yaml_mark) -> tuple[int, int]:
        if recount:
            return recount.at(yaml_mark.index)
        return yaml_mark.line + 1, yaml_mark.column + 1

    # This loop runs once per YAML event (millions for a large library), so the
    # common path is written out inline, with names bound locally.
    import yaml  # see parser_class

    parser_class = yaml_parser_class()
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    stream_end, document_start = yaml.StreamEndEvent, yaml.DocumentStartEvent
    new, nulls, text_per_node, node_size = tuple.__new__, _NULLS, TEXT_PER_NODE, _node_size
    parser = None
    try:
        parser = parser_class(text)
        get_event = parser.get_event
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                mark = event.start_mark
                if recount:
                    line, column = recount.at(mark.index)
                else:
                    line, column = mark.line + 1, mark.column + 1
                tag = event.tag
                if tag is not None:
                    if tag == "!":
                        tag = None
                    else:
                        _check_tag(tag, line, column)
                value = event.value
                plain = not event.style
                # A long text counts as several nodes, so that aliasing one big string
                # thousands of times is caught by the same expansion budget.
                node = new(Node, ("scalar", value, line, column, mark.index, event.end_mark.index, plain,
                                  tag, 1 + len(value) // text_per_node,
                                  plain and tag is None and value in nulls))
                if event.anchor:
                    anchors[event.anchor] = node
                children.append(node)
            elif kind is mapping_start or kind is sequence_start:
                line, column = where(event.start_mark)
                if len(stack) >= MAX_DEPTH:
                    raise InputError(f"nesting deeper than {MAX_DEPTH} levels (max_depth)",
                                     line, column, "too-deep")
                tag = event.tag
                if tag is not None:
                    _check_tag(tag, line, column)
                    tag = _explicit(tag)
                children = []
                stack.append(("map" if kind is mapping_start else "seq", line, column,
                              event.start_mark.index, tag, event.anchor, children))
                if event.anchor:
                    anchors[event.anchor] = children
            elif kind is mapping_end or kind is sequence_end:
                node_kind, line, column, start, tag, anchor, items = stack.pop()
                size = 1 + sum(map(node_size, items))
                if size > MAX_NODES:
                    raise InputError(f"aliases expand to more than {MAX_NODES:,} nodes (max_nodes)",
                                     line, column, "alias-bomb")
                value = list(zip(items[0::2], items[1::2])) if node_kind == "map" else items
                node = new(Node, (node_kind, value, line, column, start, event.end_mark.index, False,
                                  tag, size, False))
                if anchor and anchors.get(anchor) is items:  # not redefined inside
                    anchors[anchor] = node
                children = stack[-1][6] if stack else top
                children.append(node)
            elif kind is alias_event:
                line, column = where(event.start_mark)
                target = anchors.get(event.anchor)
                if target is None:
                    raise InputError(f"unknown alias '*{event.anchor}'", line, column)
                if type(target) is list:
                    raise InputError(f"alias '*{event.anchor}' refers to a node that contains it",
                                     line, column, "alias-bomb")
                children.append(target)
            elif kind is document_start:
                documents += 1
                if documents > 1:
                    line, column = where(event.start_mark)
                    raise InputError("more than one YAML document; a brief file holds one",
                                     line, column, "multiple-documents")
            elif kind is stream_end:
                break
    except yaml.MarkedYAMLError as error:
        problem_mark = error.problem_mark or error.context_mark
        context_mark = error.context_mark
        if context_mark and problem_mark and problem_mark.index >= len(text):
            # the file ended inside something (an unclosed quote): point at where it opens
            problem_mark, context_mark = context_mark, None
        if problem_mark and problem_mark.index >= len(text):
            # libyaml marks the end of a file with no final newline on a line past it:
            # report the end of the file itself, where the problem is
            line, column = position(text, len(text))
        else:
            line, column = where(problem_mark) if problem_mark else (0, 0)
        detail = error.problem or "invalid YAML"
        if error.context:
            if context_mark and problem_mark and where(context_mark) != (line, column):
                # an unclosed bracket is noticed far from where it opens: say both
                start_line, start_column = where(context_mark)
                detail = f"{detail} ({error.context}, which starts at line {start_line}, column {start_column})"
            else:
                detail = f"{detail} ({error.context})"
        raise InputError(f"bad YAML: {detail}", line, column) from None
    except yaml.YAMLError as error:  # reader errors carry a position, not a mark
        line, column = 0, 0
        if isinstance(error, yaml.reader.ReaderError):
            line, column = position(text, error.position)
        raise InputError(f"bad YAML: {error}", line, column) from None
    finally:
        if parser is not None:
            parser.dispose()  # the pure-Python parser holds itself in a cycle
    return top[0] if top else None


_LONE_CR = re.compile("\r(?!\n)")


def _has_odd_breaks(text: str) -> bool:
    # plain substring tests: a regex over the whole text cost a millisecond a brief
    return ("\x85" in text or "\u2028" in text or "\u2029" in text
            or ("\r" in text and _LONE_CR.search(text) is not None))


class _LineCounter:
    """1-based line and column by LF only, for offsets that mostly increase."""

    def __init__(self, text: str):
        self.text = text
        self.index = 0
        self.line = 1
        self.line_start = 0

    def at(self, index: int) -> tuple[int, int]:
        if index < self.index:  # rare (an error's context): count from the start
            return position(self.text, index)
        self.line += self.text.count("\n", self.index, index)
        newline = self.text.rfind("\n", self.index, index)
        if newline >= 0:
            self.line_start = newline + 1
        self.index = index
        return self.line, index - self.line_start + 1


_node_size = itemgetter(8)


def _explicit(tag: str | None) -> str | None:
    return None if tag in (None, "!") else tag


def _check_tag(tag: str | None, line: int, column: int) -> None:
    tag = _explicit(tag)
    if tag is None or tag in _CORE_TAGS:
        return
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    if "python/" in tag:
        raise InputError(f"unsafe YAML tag '{shown}' (Python objects are never loaded)",
                         line, column, "unsafe-tag")
    raise InputError(f"unsupported YAML tag '{shown}'; briefs use plain YAML only",
                     line, column, "unsafe-tag")

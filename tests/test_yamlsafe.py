"""Hostile and odd inputs to the safe YAML reader.

Each hostile file must give exactly one clear problem with a real position (or none when no
position applies), never a traceback, and in bounded time and memory.  The inputs are small
and generated in tmp_path; the composer is iterative, so even 50,000 levels of nesting are
refused in-process (PyYAML's own C composer would overflow the C stack on them).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from briefreader.loader import load_brief, load_library
from briefreader.model import ERROR, WARNING
from briefreader.yamlsafe import InputError, compose, read_text

MAX_SECONDS = 2.0
MAX_PEAK_BYTES = 16 * 1024 * 1024

GOOD = """\
briefreader: 1
id: {id}
title: T
date: 2025-01-01
handling: {{tlp: CLEAR}}
"""


def load_measured(path: Path, **options):
    """Load one file, returning its entry, asserting time and memory stay small."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        entry = load_brief(path, **options)
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < MAX_SECONDS, f"took {elapsed:.2f}s"
    assert peak < MAX_PEAK_BYTES, f"peak memory {peak / 1e6:.1f} MB"
    return entry


def only_problem(entry):
    assert entry.brief is None
    assert len(entry.problems) == 1, [str(p) for p in entry.problems]
    problem = entry.problems[0]
    assert problem.severity == ERROR
    assert "\x1b" not in str(problem) and "Traceback" not in problem.message
    return problem


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_binary_file_with_a_nul_byte(tmp_path):
    path = write(tmp_path, "nul.brief.yaml", b"briefreader: 1\nid: x\x00y\n")
    problem = only_problem(load_measured(path))
    assert problem.message == "binary data (a NUL byte), not a UTF-8 text file"
    assert (problem.line, problem.column, problem.code) == (2, 6, "binary")


def test_invalid_utf8_is_placed_by_characters_not_bytes(tmp_path):
    # "café " is five characters but six bytes: the column counts characters.
    path = write(tmp_path, "latin.brief.yaml", "briefreader: 1\ntitle: café ".encode() + b"\xff\n")
    problem = only_problem(load_measured(path))
    assert problem.message == "invalid UTF-8 (byte 0xFF); briefs are UTF-8 text"
    assert (problem.line, problem.column) == (2, 13)


def test_latin1_file_is_refused_at_its_first_non_utf8_byte(tmp_path):
    path = write(tmp_path, "latin1.brief.yaml", "briefreader: 1\n\ntitle: Minsk\nnote: café\n".encode("latin-1"))
    problem = only_problem(load_measured(path))
    assert (problem.line, problem.column) == (4, 10)
    assert "0xE9" in problem.message


def test_raw_escape_character_is_shown_as_caret_bracket(tmp_path):
    path = write(tmp_path, "esc.brief.yaml", b"briefreader: 1\ntitle: a\x1b[31mred\x1b[0m\n")
    problem = only_problem(load_measured(path))
    assert problem.message.startswith("raw control character ^[ (U+001B) and 1 more;")
    assert (problem.line, problem.column, problem.code) == (2, 9, "control-character")


def test_an_escape_written_as_an_escape_is_accepted_and_kept_harmless(tmp_path):
    path = write(tmp_path, "escaped.brief.yaml", GOOD.format(id="escaped").replace("title: T", r'title: "a\e[31mred"'))
    entry = load_measured(path)
    assert entry.brief is not None, [str(p) for p in entry.problems]
    assert "\x1b" not in entry.brief.title
    assert entry.brief.title == "a^[[31mred"


@pytest.mark.parametrize("opening", ["[", "{a: ", "[{a: "])
def test_fifty_thousand_levels_of_flow_nesting_are_refused(tmp_path, opening):
    path = write(tmp_path, "deep.brief.yaml", opening * 50_000)
    problem = only_problem(load_measured(path))
    # Ours says "nesting deeper than 100 levels"; libyaml may stop first at its own limit.
    assert "nesting" in problem.message and "depth" in problem.message
    assert problem.line == 1 and problem.column > 1


def test_deep_nesting_is_refused_by_our_composer_too():
    """The composer's own limit, whatever the parser underneath allows."""
    with pytest.raises(InputError) as caught:
        compose("a:\n" + "".join("  " * i + "- \n" for i in range(1, 150)))
    assert caught.value.code == "too-deep"
    assert caught.value.message == "nesting deeper than 100 levels (max_depth)"


def test_billion_laughs_alias_bomb(tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    path = write(tmp_path, "lol.brief.yaml", "\n".join(lines) + "\n")
    problem = only_problem(load_measured(path))
    assert problem.message == "aliases expand to more than 2,000,000 nodes (max_nodes)"
    assert problem.code == "alias-bomb"
    # 9**7 nodes is the first level over the limit: line 7, at its anchor.
    assert (problem.line, problem.column) == (7, 4)


def test_recursive_alias(tmp_path):
    path = write(tmp_path, "loop.brief.yaml", "briefreader: 1\ntags: &x [one, *x]\n")
    problem = only_problem(load_measured(path))
    assert problem.message == "alias '*x' refers to a node that contains it"
    assert (problem.line, problem.column) == (2, 16)


def test_file_over_max_file_size(tmp_path):
    path = write(tmp_path, "big.brief.yaml", GOOD.format(id="big") + "summary: " + "x" * 200 + "\n")
    problem = only_problem(load_measured(path, max_file_size=100))
    assert problem.code == "too-large"
    size = path.stat().st_size
    assert problem.message == (f"file is {size} bytes, over the 100 bytes limit "
                               "(max_file_size; briefreader check --max-file-size reads larger files)")
    assert problem.line == 0  # no position applies, and none is made up
    assert str(problem).endswith(": error: " + problem.message)
    assert load_brief(path).brief is not None  # the default limit takes it


def test_size_message_for_a_file_just_over_the_limit_shows_the_difference(tmp_path):
    path = write(tmp_path, "edge.brief.yaml", b"x" * (1024 * 1024 + 1))
    problem = only_problem(load_brief(path, max_file_size=1024 * 1024))
    assert problem.message.startswith("file is 1,048,577 bytes, over the 1 MiB limit")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.brief.yaml"
    os.mkfifo(fifo)
    results = []
    worker = threading.Thread(target=lambda: results.append((load_brief(fifo), load_library(tmp_path))),
                              daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "reading a FIFO blocked"
    entry, library = results[0]
    problem = only_problem(entry)
    assert problem.message == "not a regular file (a FIFO); briefs are plain files"
    assert [p.message for p in library.all_problems] == [problem.message]


def test_folder_named_like_a_brief_is_refused(tmp_path):
    folder = tmp_path / "folder.brief.yaml"
    folder.mkdir()
    problem = only_problem(load_brief(folder))
    assert problem.message == "not a regular file (a folder); briefs are plain files"


def test_missing_file(tmp_path):
    problem = only_problem(load_brief(tmp_path / "gone.brief.yaml"))
    assert problem.message == "cannot read file: No such file or directory"
    assert problem.code == "unreadable"


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty file: a brief needs briefreader, id, title and date"),
        ("\n# only a comment\n\n", "empty file: a brief needs briefreader, id, title and date"),
        ("just a line of text\n", "the brief must be a mapping, not text"),
        ("- one\n- two\n", "the brief must be a mapping, not a list"),
    ],
    ids=["empty", "comment-only", "scalar", "list"],
)
def test_a_file_that_is_not_a_mapping(tmp_path, content, message):
    problem = only_problem(load_measured(write(tmp_path, "odd.brief.yaml", content)))
    assert problem.message == message
    assert (problem.line, problem.column) == (1, 1)


def test_utf8_bom_is_accepted_and_does_not_shift_columns(tmp_path):
    text = "sumary: x\n" + GOOD.format(id="bom")
    path = write(tmp_path, "bom.brief.yaml", b"\xef\xbb\xbf" + text.encode())
    entry = load_measured(path)
    assert entry.brief is not None
    assert [(p.line, p.column, p.severity, p.message) for p in entry.problems] == [
        (1, 1, WARNING, "unknown key 'sumary' in the brief (did you mean 'summary'?)")]
    assert entry.brief.title == "T"


def test_crlf_line_ends_give_the_same_positions(tmp_path):
    text = GOOD.format(id="crlf") + "key_judgments: [missing]\nbluf: |\n  See [[gone]].\n"
    lf = load_brief(write(tmp_path / "", "crlf.brief.yaml", text))
    (tmp_path / "crlf").mkdir()
    crlf = load_brief(write(tmp_path / "crlf", "crlf.brief.yaml", text.replace("\n", "\r\n")))
    positions = [(p.line, p.column, p.message) for p in lf.problems]
    assert positions == [(6, 17, "unknown claim 'missing' in an item of 'key_judgments'"),
                         (8, 7, "unknown claim or entity 'gone' in reference")]
    assert [(p.line, p.column, p.message) for p in crlf.problems] == positions


def test_yaml_11_traps_keep_the_text_as_written(tmp_path):
    """YAML 1.1 would make booleans of no/yes/on/off, 1.1 of 1.10, 12 of 012, a date of a date."""
    path = write(tmp_path, "on.brief.yaml", """\
briefreader: 1
id: "on"
title: no
date: 2025-01-01
language: no
handling: {classification: NO, tlp: CLEAR}
tags: [yes, off, "1.10"]
claims:
  - id: c1
    kind: fact
    text: Yes
    cites:
      - source: s1
        locator: {page: 1.10}
      - source: s1
        locator: {paragraph: 012}
sources:
  - id: s1
    type: report
    title: 1e3
    issued: 2024-12-06
""")
    entry = load_measured(path)
    assert entry.brief is not None, [str(p) for p in entry.problems]
    assert entry.problems == ()
    brief = entry.brief
    assert (brief.id, brief.title, brief.date, brief.language) == ("on", "no", "2025-01-01", "no")
    assert brief.handling.classification == "NO"
    assert brief.tags == ("yes", "off", "1.10")
    claim = brief.claim("c1")
    assert claim.text == "Yes"
    assert [(c.locator.kind, c.locator.value) for c in claim.cites] == [("page", "1.10"), ("paragraph", "012")]
    source = brief.source("s1")
    assert (source.title, source.issued) == ("1e3", "2024-12-06")


def test_an_unquoted_on_id_is_still_the_text_on(tmp_path):
    path = write(tmp_path, "on.brief.yaml", GOOD.format(id="on"))
    entry = load_brief(path)
    assert entry.problems == () and entry.brief.id == "on"


def test_read_text_does_not_reserve_the_whole_size_limit(tmp_path):
    path = write(tmp_path, "small.brief.yaml", GOOD.format(id="small"))
    tracemalloc.start()
    read_text(str(path), max_file_size=256 * 1024 * 1024)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1024 * 1024


def test_unsafe_tag_is_never_constructed(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command) or 0)
    path = write(tmp_path, "tag.brief.yaml", 'title: !!python/object/apply:os.system ["echo owned"]\n')
    problem = only_problem(load_brief(path))
    assert problem.code == "unsafe-tag"
    assert calls == []


def test_no_traceback_reaches_stderr_for_any_hostile_file(tmp_path, capsys):
    samples = [b"\x00", b"\xff\xfe", b"a: [", b"a: *nope", b"--- 1\n--- 2\n", b"\x1b", b"[" * 2000]
    for number, data in enumerate(samples):
        entry = load_brief(write(tmp_path, f"h{number}.brief.yaml", data))
        assert entry.brief is None and len(entry.problems) == 1, (data, entry.problems)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_composer_does_not_recurse(monkeypatch):
    """With the depth limit lifted, 900 levels compose under a recursion limit of 400."""
    import briefreader.yamlsafe as yamlsafe

    monkeypatch.setattr(yamlsafe, "MAX_DEPTH", 10_000)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(400)
    try:
        root = compose("[" * 900 + "x" + "]" * 900)
    finally:
        sys.setrecursionlimit(old)
    depth = 0
    while root.kind == "seq":
        root, depth = root.value[0], depth + 1
    assert (depth, root.value) == (900, "x")


@pytest.mark.parametrize("odd_break", ["\u2028", "\u2029", "\x85", "\r"], ids=["LS", "PS", "NEL", "CR"])
def test_lines_are_counted_by_line_feeds_only(tmp_path, odd_break):
    """YAML also breaks lines at these; editors and grep -n do not, nor do inline positions."""
    text = (f'briefreader: 1\nid: odd\ntitle: "a{odd_break}b"\ndate: 2025-01-01\n'
            "handling: {tlp: CLEAR}\nkey_judgments: [zz]\nbluf: x [[yy]]\n")
    entry = load_brief(write(tmp_path, "odd.brief.yaml", text))
    assert [(p.line, p.column, p.message) for p in entry.problems] == [
        (6, 17, "unknown claim 'zz' in an item of 'key_judgments'"),
        (7, 9, "unknown claim or entity 'yy' in reference"),
    ]


def test_bad_yaml_after_an_odd_line_break_is_placed_by_line_feeds(tmp_path):
    entry = load_brief(write(tmp_path, "odd.brief.yaml", "a: [\u2028x\nb: 1\nc: 2\n"))
    problem = only_problem(entry)
    assert (problem.line, problem.column) == (2, 2)
    assert problem.message.endswith("(while parsing a flow sequence, which starts at line 1, column 4)")

"""Property-based tests of the loader and the sanitiser (issue 8, item 3).

- Any YAML document (a random tree of mappings, lists and scalars dumped by
  yaml.safe_dump, then mutated as text and as bytes) and any near-valid brief (a valid
  skeleton with random extra keys, values, ids and references, so the walker's deep
  paths run): ``load_brief`` returns a brief or problems and never raises; every
  problem has a real position (line >= 1 and column >= 1 inside the file, or line 0
  for the file-level problems only) and a message and path free of control and format
  characters.
- ``sanitize.clean`` on any text never returns a character of category Cc (but ``\\n``),
  Cf (but ZWNJ and ZWJ) or Cs, and is idempotent; ``clean_line`` returns one line.

Bounded for CI (profile ``ci``, the default: 200 examples a test, about ten seconds in
all).  ``HYPOTHESIS_PROFILE=long`` runs 5,000 examples a test (``BRIEFREADER_FUZZ_EXAMPLES``
to change it); bench/fuzz_long.py runs rounds of that with fresh seeds for a given number
of minutes and reports what it found.
"""

from __future__ import annotations

import atexit
import datetime as dt
import itertools
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from briefreader import vocab  # noqa: E402
from briefreader.loader import load_brief  # noqa: E402
from briefreader.model import LibraryEntry  # noqa: E402
from briefreader.sanitize import clean, clean_line  # noqa: E402

settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=False, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "long", max_examples=int(os.environ.get("BRIEFREADER_FUZZ_EXAMPLES", "5000")), deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Applied to these tests only (loading a profile would change every other test's settings).
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci")
                               if os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "long") else "ci")

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

FILE_LEVEL = {"too-large", "not-a-file", "unreadable"}  # problems about the file, not a place in it
# A flow collection left open at the end of a file with no final newline used to be
# reported one line past the end (libyaml's mark after the line break it supplies);
# yamlsafe now reports the end of the file, and the test at the end holds it to that.
EOF_LINE_KNOWN = False
ALLOWED_FORMAT = {"\u200c", "\u200d"}  # ZWNJ, ZWJ: scripts and emoji need them
_FOLDER = Path(tempfile.mkdtemp(prefix="briefreader-fuzz-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)
_names = itertools.count()


# ---------------------------------------------------------------------------
# The invariants


def unsafe_chars(text: str, *, newline_ok: bool) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text
            if (unicodedata.category(c) == "Cc" and not (newline_ok and c == "\n"))
            or unicodedata.category(c) == "Cs"
            or (unicodedata.category(c) == "Cf" and c not in ALLOWED_FORMAT)]


def load_bytes(data: bytes) -> tuple[LibraryEntry, bytes]:
    """Write ``data`` as a brief file and load it; the loader must not raise."""
    path = _FOLDER / f"f{next(_names)}.brief.yaml"
    path.write_bytes(data)
    try:
        return load_brief(path), data
    finally:
        path.unlink()


def check_entry(entry: LibraryEntry, data: bytes) -> None:
    assert isinstance(entry, LibraryEntry)
    if entry.brief is None:
        assert any(p.is_error for p in entry.problems), "refused without an error"
    else:
        assert not any(p.is_error for p in entry.problems), "opened with an error"
    try:
        text = data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        text, valid = data.decode("utf-8", "replace"), False
    lines = text.removeprefix("\ufeff").split("\n")
    raw_lines = data.split(b"\n")
    for problem in entry.problems:
        shown = str(problem)
        assert not unsafe_chars(problem.message, newline_ok=False), (problem.message, shown)
        assert not unsafe_chars(problem.path, newline_ok=False), (problem.path, shown)
        if problem.line == 0:
            assert problem.code in FILE_LEVEL, f"no position for a {problem.code!r} problem: {shown}"
            assert problem.column == 0, shown
            continue
        assert problem.line >= 1 and problem.column >= 1, shown
        if (EOF_LINE_KNOWN and problem.line == len(lines) + 1 and problem.column == 1
                and problem.code == "bad-yaml" and not data.endswith(b"\n")):
            continue
        assert problem.line <= len(lines), f"line {problem.line} of {len(lines)}: {shown}"
        width = len(lines[problem.line - 1]) if valid else len(raw_lines[problem.line - 1])
        assert problem.column <= width + 1, f"column {problem.column} of {width}: {shown}"


# ---------------------------------------------------------------------------
# Strategies: any YAML, mutated


TEXT = st.text(st.characters(codec="utf-8"), max_size=20)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT,
    st.dates(), st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.sampled_from(["no", "yes", "on", "1.10", "0x1F", "~", "null", ".inf", "2025-06~", "[[x]]",
                     "[@s, p. 3]", "\x1b]0;pwned\x07", "\u202e", "[bold]", "!!python/name:os.system"]))
KEYS = st.one_of(TEXT, st.integers(), st.sampled_from(
    vocab_keys := ["briefreader", "id", "title", "date", "claims", "sources", "sections", "entities",
                   "timeline", "related", "handling", "bluf", "text", "kind", "cites", "source", "type",
                   "name", "target", "body", "notices", "tlp", "x-ext", "titel"]))
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=25)
TOKENS = ["&a ", "*a", "*b", "!!python/object/apply:os.system ", "!tag ", "!!binary ", "? ", "- ",
          ": ", "{", "}", "[", "]", "'", '"', "\t", "%YAML 1.1\n", "%TAG ! tag:x:\n", "---\n",
          "...\n", "#", "|", ">-", "\\", "\\e", "\\u202e", "\n", "\r", "\r\n", "\u2028", "\u0085",
          "\ufeff", "\x00", "\x1b", "\x9b", "\ud800", "[[", "]]", "[@", "  ", "<<: ", "=", "@", "`"]


def dump(value, flow: bool | None, width: int, unicode: bool) -> str:
    return yaml.safe_dump(value, default_flow_style=flow, width=width, allow_unicode=unicode,
                          sort_keys=False)


@st.composite
def yaml_text(draw, base=None) -> str:
    value = draw(base if base is not None else VALUES)
    return dump(value, draw(st.sampled_from([None, True, False])),
                draw(st.sampled_from([20, 80, 10_000])), draw(st.booleans()))


@st.composite
def mutated(draw, text_strategy) -> bytes:
    """A YAML text with a few edits: tokens or random text inserted, spans deleted or
    duplicated, and sometimes byte-level damage (invalid UTF-8, NUL, truncation)."""
    text = draw(text_strategy)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["token", "text", "delete", "duplicate", "indent"]))
        if action == "token":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif action == "text":
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
        elif action == "delete":
            end = draw(st.integers(at, min(len(text), at + 12)))
            text = text[:at] + text[end:]
        elif action == "duplicate":
            end = draw(st.integers(at, min(len(text), at + 40)))
            text = text[:end] + text[at:end] + text[end:]
        else:
            text = text[:at] + "\n" + " " * draw(st.integers(0, 9)) + text[at:]
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=4)) + data[at:]
    if draw(st.integers(0, 9)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    return data


# ---------------------------------------------------------------------------
# Strategies: near-valid briefs


IDS = st.sampled_from(["a", "b", "c-1", "c-2", "s-1", "src", "ent", "ev", "x.y", "Bad", "c\u200b1",
                       "\x1b[2J", "", "1", "sec"])
WORDS = st.sampled_from(["Minsk", "claim", "[[c-1]]", "[[ent]]", "[@src]", "[@src, p. 3]", "[[nope]]",
                         "`[[c-2]]`", "[@missing]", "**bold**", "[x](https://e.org)", "\x1b]0;t\x07",
                         "\u202e", "[bold]", "\n", "\n\n", "- item", "# heading", "> quote", "|a|b|"])
PROSE = st.lists(WORDS, max_size=8).map(" ".join)


def vocabulary(options) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(list(options)), TEXT, st.integers(), st.none())


@st.composite
def extras(draw) -> dict:
    """Random extra keys: known ones misplaced, misspelt ones, extensions, garbage."""
    return draw(st.dictionaries(st.one_of(st.sampled_from(vocab_keys + ["x-note", "Title", "claim"]), TEXT),
                                st.one_of(SCALARS, st.lists(SCALARS, max_size=3)), max_size=2))


@st.composite
def citations(draw):
    if draw(st.booleans()):
        return draw(IDS)
    citation = {"source": draw(IDS)}
    if draw(st.booleans()):
        citation["locator"] = draw(st.one_of(
            st.dictionaries(st.sampled_from(list(vocab.LOCATOR_KINDS) + ["line"]), st.integers(0, 9),
                            max_size=2), TEXT))
    if draw(st.booleans()):
        citation["credibility"] = draw(st.one_of(st.integers(0, 7), TEXT))
    if draw(st.booleans()):
        citation["relation"] = draw(vocabulary(vocab.CITATION_RELATIONS))
    if draw(st.booleans()):
        citation["quote"] = draw(PROSE)
    return citation


@st.composite
def claims(draw):
    claim = {"id": draw(IDS), "kind": draw(vocabulary(vocab.CLAIM_KINDS)), "text": draw(PROSE)}
    for key, strategy in (("likelihood", vocabulary(list(vocab.LIKELIHOOD_BY_TERM) + list(vocab.LIKELIHOOD_SYNONYMS))),
                          ("confidence", vocabulary(vocab.CONFIDENCE_LEVELS)),
                          ("attributed_to", st.one_of(IDS, st.just("author"))),
                          ("stance", vocabulary(vocab.STANCES)),
                          ("cites", st.lists(citations(), max_size=3)),
                          ("primary", IDS), ("depends_on", st.lists(IDS, max_size=3)),
                          ("about", st.lists(IDS, max_size=3)), ("indicators", st.lists(PROSE, max_size=2)),
                          ("marking", st.sampled_from(["U", "S//NF", "\x1b[2J", ""]))):
        if draw(st.integers(0, 2)) == 0:
            claim[key] = draw(strategy)
    claim.update(draw(extras()))
    return claim


def sections(depth: int = 0):
    children = st.lists(st.deferred(lambda: sections(depth + 1)), max_size=2) if depth < 3 else st.just([])
    return st.fixed_dictionaries(
        {"id": IDS, "title": PROSE},
        optional={"body": PROSE, "claims": st.lists(IDS, max_size=3), "marking": TEXT, "sections": children})


SOURCES = st.fixed_dictionaries(
    {"id": IDS, "type": vocabulary(vocab.SOURCE_TYPES)},
    optional={"title": PROSE, "URL": TEXT, "DOI": TEXT, "reliability": vocabulary(vocab.SOURCE_RELIABILITY),
              "derived_from": st.lists(IDS, max_size=2), "issued": st.one_of(st.dates(), TEXT),
              "accessed": st.one_of(st.dates(), st.just({"date-parts": [[2024, 12, 7]]})),
              "author": st.one_of(TEXT, st.lists(st.one_of(TEXT, st.just({"family": "F", "given": "G"})),
                                                 max_size=2)),
              "descriptor": PROSE})
ENTITIES = st.fixed_dictionaries(
    {"id": IDS, "type": vocabulary(vocab.ENTITY_TYPES), "name": PROSE},
    optional={"aliases": st.lists(TEXT, max_size=2), "within": IDS})
EVENTS = st.fixed_dictionaries(
    {"id": IDS, "date": st.one_of(st.sampled_from(["2025", "2025-06~", "2025-06-01", "2024/2025", "../2025",
                                                   "2025-13", "soon"]), st.dates()), "text": PROSE},
    optional={"place": IDS, "claims": st.lists(IDS, max_size=2)})
RELATED = st.fixed_dictionaries(
    {"rel": vocabulary(vocab.RELATED_RELS),
     "target": st.one_of(st.dictionaries(st.sampled_from(["brief", "source", "url"]),
                                         st.one_of(IDS, st.just("other#c-1")), min_size=1, max_size=2),
                         TEXT)},
    optional={"title": PROSE, "note": PROSE})


@st.composite
def near_valid(draw) -> dict:
    brief = {"briefreader": draw(st.sampled_from([1, 1, 1, "1", 2, "one"])),
             "id": draw(st.one_of(st.just("fuzz"), IDS)),
             "title": draw(PROSE) or "Title",
             "date": draw(st.one_of(st.dates(), st.just("2025-01-01"), TEXT))}
    optional = {
        "handling": st.fixed_dictionaries({}, optional={
            "classification": TEXT, "tlp": vocabulary(list(vocab.TLP_LEVELS) + ["TLP:amber", "WHITE"]),
            "notices": st.lists(PROSE, max_size=2)}),
        "bluf": PROSE, "summary": PROSE, "key_judgments": st.lists(IDS, max_size=3),
        "type": vocabulary(vocab.BRIEF_TYPES), "status": vocabulary(vocab.BRIEF_STATUSES),
        "modified": st.dates(), "tags": st.lists(TEXT, max_size=2), "language": TEXT,
        "authors": st.lists(st.fixed_dictionaries({"name": TEXT}, optional={
            "role": vocabulary(vocab.AUTHOR_ROLES)}), max_size=2),
        "claims": st.lists(claims(), max_size=5), "sources": st.lists(SOURCES, max_size=3),
        "entities": st.lists(ENTITIES, max_size=3), "sections": st.lists(sections(), max_size=3),
        "timeline": st.lists(EVENTS, max_size=2), "related": st.lists(RELATED, max_size=2),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            brief[key] = draw(strategy)
    brief.update(draw(extras()))
    return brief


@st.composite
def valid_briefs(draw) -> dict:
    """A brief that is valid by construction (FORMAT.md): distinct ids, references drawn
    from the ids defined, vocabulary values only, inline [[id]] and [@id] to real targets.
    Warnings may happen (a fact with no citation, an uncited source); errors may not."""
    n_sources, n_entities = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    sources = [f"s-{i}" for i in range(n_sources)]
    entities = [f"e-{i}" for i in range(n_entities)]
    claim_ids = [f"c-{i}" for i in range(draw(st.integers(0, 6)))]
    free = st.text(st.characters(codec="utf-8", exclude_characters="[]`*_\\"), max_size=30)

    def prose(refs: list[str]) -> str:
        parts = draw(st.lists(st.one_of(
            free, st.sampled_from(["[[" + r + "]]" for r in refs] or ["plain"]),
            st.sampled_from(["[@" + r + ", p. 3]" for r in sources] or ["text"])), max_size=5))
        return " ".join(parts) or "Text."

    claims = []
    for i, claim_id in enumerate(claim_ids):
        kind = draw(st.sampled_from(vocab.CLAIM_KINDS))
        claim = {"id": claim_id, "kind": kind, "text": prose(entities + claim_ids[:i])}
        if kind == "assessment" and draw(st.booleans()):
            claim["likelihood"] = draw(st.sampled_from(list(vocab.LIKELIHOOD_BY_TERM) + list(vocab.LIKELIHOOD_SYNONYMS)))
        if kind in ("assessment", "assumption") and draw(st.booleans()):
            claim["confidence"] = draw(st.sampled_from(vocab.CONFIDENCE_LEVELS))
        if sources and draw(st.booleans()):
            claim["cites"] = [draw(st.one_of(st.sampled_from(sources), st.fixed_dictionaries(
                {"source": st.sampled_from(sources)},
                optional={"credibility": st.integers(1, 6), "relation": st.sampled_from(vocab.CITATION_RELATIONS),
                          "locator": st.sampled_from([{"page": 3}, {"paragraph": "4"}, {"timestamp": "00:01"}]),
                          "quote": free})))
                for _ in range(draw(st.integers(1, 2)))]
        if entities and draw(st.booleans()):
            claim["attributed_to"] = draw(st.sampled_from(entities))
            claim["stance"] = draw(st.sampled_from(vocab.STANCES))
        if entities and draw(st.booleans()):
            claim["about"] = draw(st.lists(st.sampled_from(entities), max_size=2, unique=True))
        if i and draw(st.booleans()):
            claim["depends_on"] = draw(st.lists(st.sampled_from(claim_ids[:i]), max_size=2, unique=True))
        if draw(st.integers(0, 3)) == 0:
            claim["marking"] = draw(st.sampled_from(["U", "C", "S//NF", "OFFICIAL"]))
        claims.append(claim)
    counter = itertools.count()

    def section(depth: int) -> dict:
        sec = {"id": f"sec-{next(counter)}", "title": draw(free) or "Section",
               "body": prose(claim_ids + entities)}
        if claim_ids and draw(st.booleans()):
            sec["claims"] = draw(st.lists(st.sampled_from(claim_ids), max_size=2, unique=True))
        if depth < 3 and draw(st.integers(0, 2)) == 0:
            sec["sections"] = [section(depth + 1) for _ in range(draw(st.integers(1, 2)))]
        return sec

    brief = {"briefreader": 1, "id": "fuzz", "title": draw(free) or "Title", "date": draw(st.dates()),
             "handling": {"classification": "UNCLASSIFIED", "tlp": draw(st.sampled_from(vocab.TLP_LEVELS)),
                          "notices": draw(st.lists(free, max_size=2))},
             "bluf": prose(claim_ids), "key_judgments": draw(st.lists(st.sampled_from(claim_ids or ["x"]),
                                                                      max_size=2, unique=True)) if claim_ids else [],
             "claims": claims,
             "sections": [section(0) for _ in range(draw(st.integers(0, 3)))],
             "sources": [{"id": sid, "type": draw(st.sampled_from(vocab.SOURCE_TYPES)), "title": draw(free) or "T",
                          "reliability": draw(st.sampled_from(list(vocab.SOURCE_RELIABILITY)))} for sid in sources],
             "entities": [{"id": eid, "type": draw(st.sampled_from(vocab.ENTITY_TYPES)), "name": draw(free) or "N",
                           "aliases": draw(st.lists(free, max_size=2))} for eid in entities],
             "timeline": [{"id": f"ev-{i}", "date": draw(st.sampled_from(["2025", "2025-06~", "2025-06-01"])),
                           "text": prose(claim_ids)} for i in range(draw(st.integers(0, 2)))],
             "related": [{"rel": draw(st.sampled_from(vocab.RELATED_RELS)),
                          "target": draw(st.sampled_from([{"url": "https://example.org/x"}]
                                                         + [{"source": sid} for sid in sources]))}
                         for _ in range(draw(st.integers(0, 2)))]}
    return brief


# ---------------------------------------------------------------------------
# The properties


@settings(PROFILE)
@given(mutated(yaml_text()))
@example(b"")
@example(b"\xef\xbb\xbf")
@example(b"briefreader: 1\r id: x\r")
@example(b"a: &a [*a]\n")
@example(b"? [a, b]\n: c\n")
@example(b"%YAML 1.1\n---\na: 1\n...\n---\nb: 2\n")
@example(b"a: \"\\ud800\"\n")
@example(b"- \x00\n")
@example(b"a:\n\t- b\n")
@example("x: y\u2028z: \"\n".encode())
def test_any_yaml_loads_or_gives_positioned_problems(data):
    check_entry(*load_bytes(data))


@settings(PROFILE)
@given(mutated(yaml_text(near_valid())))
def test_near_valid_briefs_load_or_give_positioned_problems(data):
    check_entry(*load_bytes(data))


@settings(PROFILE)
@given(near_valid(), st.sampled_from([None, False]), st.booleans())
def test_near_valid_briefs_unmutated(brief, flow, unicode):
    """Unmutated, so the walk reaches the deep paths: references, citations, sections."""
    check_entry(*load_bytes(dump(brief, flow, 80, unicode).encode("utf-8", "surrogatepass")))


ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=60)
NASTY = st.text(st.sampled_from(
    [chr(c) for c in range(0x00, 0x20)] + ["\x7f", "\x85", "\x9b", "\x9c", "\x9d", "\u00ad", "\u061c",
     "\u180e", "\u200b", "\u200c", "\u200d", "\u200e", "\u2028", "\u2029", "\u202a", "\u202e",
     "\u2060", "\u2064", "\u2066", "\u2069", "\u206a", "\u206f", "\ufeff", "\ufff9", "\ud800",
     "\udfff", "\U000e0001", "\U000e0041", "\U000e007f", "\U0001d173", "a", " ", "^", "[", "<"]),
    max_size=40)


@settings(PROFILE)
@given(st.one_of(ANY_TEXT, NASTY))
@example("\x1b[2J\x1b]0;pwned\x07\u009b31m\u202e\u200b\r\n\t\x00\ud800")
@example("\U000e0001\U000e0041\u00ad\u2061\u206a\u180e")
def test_clean_leaves_nothing_a_terminal_acts_on_and_is_idempotent(text):
    once = clean(text)
    assert not unsafe_chars(once, newline_ok=True), (text, once)
    assert clean(once) == once
    line = clean_line(text)
    assert not unsafe_chars(line, newline_ok=False), (text, line)
    assert clean_line(line) == line


@pytest.mark.parametrize("data", [b"[", b"{", b"a: [", b"a:\n  - {b: ["])
def test_finding_an_unclosed_bracket_at_the_end_is_inside_the_file(data):
    entry, _ = load_bytes(data)
    lines = data.decode().split("\n")
    for problem in entry.problems:
        assert 1 <= problem.line <= len(lines), str(problem)
        assert problem.column <= len(lines[problem.line - 1]) + 1, str(problem)


@settings(PROFILE)
@given(valid_briefs(), st.sampled_from([None, False, True]), st.booleans())
def test_valid_briefs_open_and_every_view_renders(brief, flow, unicode):
    """A brief valid by construction opens (no error), and every view of it renders: the
    outline with distinct entry ids (a duplicate is a crash in the reader), each part's
    blocks, the inspector on every outline entry, and every export format."""
    from briefreader import export, render

    data = dump(brief, flow, 80, unicode).encode("utf-8")
    entry, _ = load_bytes(data)
    check_entry(entry, data)
    errors = [str(p) for p in entry.problems if p.is_error]
    assert entry.brief is not None and not errors, errors
    opened = entry.brief
    entries = render.outline(opened)
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)), f"duplicate outline ids: {ids}"
    for part in dict.fromkeys(e.part for e in entries):
        for block in render.part_blocks(opened, part):
            assert not unsafe_chars(block.text.plain, newline_ok=True), block.text.plain
    for outline_entry in entries:
        render.inspect(opened, outline_entry.target)
    for writer in (export.to_markdown, export.to_html, export.to_json, export.to_csl_json):
        assert not unsafe_chars(writer(opened), newline_ok=True), writer.__name__

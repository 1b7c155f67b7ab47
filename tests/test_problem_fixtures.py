"""Every bad-input fixture carries its expected problems in its first lines (DESIGN.md, rule 9).

A fixture in tests/fixtures/problems/ starts with one line per expected problem,

    # expect: LINE:COL error|warning: message

or the single line ``# expect: none`` for a file that must load without any problem.  Each
file is loaded on its own as a library (so library-level checks such as the related-brief
warning run too) and the problems must be exactly the expected ones, with their real
positions.  Adding a case is adding a file.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from briefreader.loader import iter_problems, load_paths

FIXTURES = Path(__file__).parent / "fixtures" / "problems"
EXPECT = re.compile(r"# expect: (?:(?P<none>none)|(?P<line>\d+):(?P<column>\d+) (?P<severity>error|warning): (?P<message>.+))")
FIXTURE_FILES = sorted(FIXTURES.glob("*.yaml"))


def expectations(path: Path) -> list[tuple[int, int, str, str]]:
    """The ``# expect:`` lines at the top of a fixture, checked for form."""
    expected = []
    saw_none = False
    for text in path.read_text(encoding="utf-8").splitlines():
        if not text.startswith("# expect"):
            break
        match = EXPECT.fullmatch(text)
        assert match, f"{path.name}: malformed expectation line {text!r}"
        if match["none"]:
            saw_none = True
            continue
        expected.append((int(match["line"]), int(match["column"]), match["severity"], match["message"]))
    assert expected or saw_none, f"{path.name}: no '# expect:' line at the top"
    assert not (expected and saw_none), f"{path.name}: '# expect: none' with other expectations"
    return expected


def problems_of(path: Path):
    library = load_paths([path], root=str(path.parent))
    assert len(library.entries) == 1
    return library, library.entries[0], list(iter_problems(library))


def test_there_are_fixtures():
    assert len(FIXTURE_FILES) >= 60


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fixture_problems_are_exactly_the_expected_ones(path: Path):
    expected = expectations(path)
    _, entry, problems = problems_of(path)
    got = [(p.line, p.column, p.severity, p.message) for p in problems]
    # A multiset: the same problem reported twice is a bug too.
    assert Counter(got) == Counter(expected), (
        "\n  got:      " + "\n            ".join(f"{l}:{c} {s}: {m}" for l, c, s, m in sorted(got))
        + "\n  expected: " + "\n            ".join(f"{l}:{c} {s}: {m}" for l, c, s, m in sorted(expected))
    )
    for problem in problems:
        assert Path(problem.path).name == path.name
    if any(severity == "error" for _, _, severity, _ in expected):
        assert entry.brief is None, "a brief with errors must not open"
    else:
        assert entry.brief is not None, "a brief with only warnings must open"
        # The warnings travel with the brief, for the status line and the problem list.
        assert sorted(entry.brief.problems, key=str) == sorted(entry.problems, key=str)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_every_position_lies_inside_the_file(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    for line, column, _, _ in expectations(path):
        assert 1 <= line <= len(lines), f"line {line} is outside {path.name}"
        assert 1 <= column <= len(lines[line - 1]) + 1, f"column {column} is outside line {line}"


# Every kind of problem the loader knows has at least one fixture.
EXPECTED_CODES = {
    "bad-yaml", "duplicate-key", "missing-key", "wrong-type", "bad-id", "duplicate-id",
    "unresolved", "bad-value", "bad-date", "likelihood-on-fact", "unsafe-tag",
    "multiple-documents", "no-handling", "loose-tlp", "unknown-key", "uncited",
    "uncited-source", "no-stance", "lone-confirmation", "misplaced-confidence",
    "misplaced-likelihood", "file-name", "related-missing",
}


def test_fixtures_cover_every_problem_code():
    codes = set()
    for path in FIXTURE_FILES:
        codes.update(problem.code for problem in problems_of(path)[2])
    assert EXPECTED_CODES <= codes, f"no fixture for: {sorted(EXPECTED_CODES - codes)}"


def test_fixtures_cover_every_id_valued_key():
    """One unresolved-reference fixture per id-valued key of FORMAT.md, inline ones included."""
    messages = set()
    for path in FIXTURES.glob("unresolved-*.yaml"):
        messages.update(message for _, _, _, message in expectations(path))
    wanted = ["'key_judgments'", "'claims'", "'depends_on'", "'about'", "'attributed_to'",
              "'primary'", "'cites'", "in citation", "'derived_from'", "'within'",
              "related target", "in reference"]
    for fragment in wanted:
        assert any(fragment in message for message in messages), fragment


def test_a_fixture_with_a_wrong_expectation_fails(tmp_path: Path):
    """The comparison above can fail: an off-by-one column is caught."""
    source = (FIXTURES / "uncited-fact.brief.yaml").read_text(encoding="utf-8")
    wrong = source.replace("# expect: 9:5 ", "# expect: 9:6 ", 1)
    assert wrong != source
    copy = tmp_path / "uncited-fact.brief.yaml"
    copy.write_text(wrong, encoding="utf-8")
    with pytest.raises(AssertionError):
        test_fixture_problems_are_exactly_the_expected_ones(copy)

"""Lookups on the model: what the views ask of a brief and of a library."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from briefreader.loader import load_brief, load_library
from briefreader.model import Claim, Entity, Event, Section, Source

BRIEFS = Path(__file__).resolve().parent.parent / "briefs"

BRIEF = """\
briefreader: 1
id: lookups
title: Lookups
date: 2025-01-01
handling: {tlp: CLEAR}
key_judgments: [c-judgment]
sections:
  - id: sec-1
    title: One
    body: |
      [[c-met]] In [[minsk]], per the report [@report, p. 3].
    claims: [c-reported]
    sections:
      - id: sec-1-1
        title: One.one
        sections:
          - id: sec-1-1-1
            title: One.one.one
            body: "Deep down: [[c-judgment]]."
  - id: sec-2
    title: Two
claims:
  - id: c-met
    kind: fact
    text: The council met in [[minsk]].
    cites:
      - source: news
        locator: {paragraph: 3}
        credibility: 2
  - id: c-reported
    kind: reported
    text: A deployment could come by mid-2025 [@agency, p. 7].
    attributed_to: isw
    stance: reported
  - id: c-judgment
    kind: assessment
    likelihood: probable
    confidence: moderate
    text: More meetings will follow.
    depends_on: [c-met]
    about: [minsk]
    cites: [news]
  - id: c-unplaced
    kind: assumption
    text: The outlet relays ISW faithfully.
    depends_on: [c-met]
sources:
  - id: report
    type: report
    title: The report
    reliability: B
  - id: news
    type: article-newspaper
    title: The write-up
    reliability: C
    derived_from: [report]
  - id: agency
    type: webpage
    URL: "https://example.org/agency"
entities:
  - {id: belarus, type: country, name: Belarus}
  - {id: minsk, type: place, name: Minsk, within: belarus}
  - {id: isw, type: organization, name: Institute for the Study of War}
timeline:
  - id: ev-1
    date: 2024-12-06
    text: The council met.
    claims: [c-met]
"""


@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "lookups.brief.yaml"
    path.write_text(BRIEF, encoding="utf-8")
    entry = load_brief(path)
    assert entry.problems == (), [str(p) for p in entry.problems]
    return entry.brief


def ids(items):
    return [item.id for item in items]


def test_get_finds_every_kind_of_item_including_nested_sections(brief):
    assert isinstance(brief.get("c-met"), Claim)
    assert isinstance(brief.get("news"), Source)
    assert isinstance(brief.get("minsk"), Entity)
    assert isinstance(brief.get("ev-1"), Event)
    assert isinstance(brief.get("sec-1-1-1"), Section)
    assert brief.get("no-such-id") is None
    # the typed lookups refuse an item of another kind
    assert brief.claim("minsk") is None and brief.source("c-met") is None and brief.entity("news") is None
    assert brief.claim("c-met").loc.line == 23 and brief.claim("c-met").loc.column == 5


def test_sources_for_lists_cites_then_inline_citations(brief):
    pairs = brief.sources_for(brief.claim("c-met"))
    assert [(c.source, s.id, str(c.locator), c.credibility, c.inline) for c, s in pairs] == [
        ("news", "news", "para. 3", 2, False)]
    pairs = brief.sources_for(brief.claim("c-reported"))
    assert [(c.source, s.id, str(c.locator), c.inline) for c, s in pairs] == [("agency", "agency", "p. 7", True)]
    assert brief.sources_for(brief.claim("c-unplaced")) == ()


def test_backlinks_of_a_source_include_sections_and_derived_sources(brief):
    links = brief.backlinks(brief.source("report"))
    seen = [(type(link.citer).__name__, link.citer.id, link.citation.source,
             link.via.id if link.via else None) for link in links]
    assert seen == [
        ("Section", "sec-1", "report", None),  # [@report, p. 3] in the body
        ("Claim", "c-met", "news", "news"),  # rests on the report via the write-up
        ("Claim", "c-judgment", "news", "news"),
    ]
    section_link = links[0]
    assert section_link.citation.inline and str(section_link.citation.locator) == "p. 3"


def test_backlinks_of_an_inline_only_source(brief):
    links = brief.backlinks(brief.source("agency"))
    assert [(link.citer.id, link.citation.inline, link.via) for link in links] == [("c-reported", True, None)]


def test_claims_citing_counts_each_claim_once_in_brief_order(brief):
    assert ids(brief.claims_citing(brief.source("news"))) == ["c-met", "c-judgment"]
    assert ids(brief.claims_citing(brief.source("report"))) == ["c-met", "c-judgment"]
    assert ids(brief.claims_citing(brief.source("agency"))) == ["c-reported"]
    assert ids(brief.derived_sources(brief.source("report"))) == ["news"]


def test_dependents(brief):
    assert ids(brief.dependents(brief.claim("c-met"))) == ["c-judgment", "c-unplaced"]
    assert brief.dependents(brief.claim("c-judgment")) == ()


def test_claims_about_an_entity_by_about_attribution_or_inline_mention(brief):
    assert ids(brief.claims_about(brief.entity("minsk"))) == ["c-met", "c-judgment"]  # [[minsk]], about
    assert ids(brief.claims_about(brief.entity("isw"))) == ["c-reported"]  # attributed_to
    assert brief.claims_about(brief.entity("belarus")) == ()


def test_sections_with_a_claim(brief):
    assert ids(brief.sections_with(brief.claim("c-met"))) == ["sec-1"]  # embedded in the body
    assert ids(brief.sections_with(brief.claim("c-reported"))) == ["sec-1"]  # listed under claims
    assert ids(brief.sections_with(brief.claim("c-judgment"))) == ["sec-1-1-1"]
    assert brief.sections_with(brief.claim("c-unplaced")) == ()


def test_unplaced_claims(brief):
    assert ids(brief.unplaced_claims()) == ["c-unplaced"]


def test_walk_sections_depth_first_with_depths(brief):
    assert [(s.id, depth) for s, depth in brief.walk_sections()] == [
        ("sec-1", 0), ("sec-1-1", 1), ("sec-1-1-1", 2), ("sec-2", 0)]
    assert ids(brief.all_sections) == ["sec-1", "sec-1-1", "sec-1-1-1", "sec-2"]


def test_likelihood_synonyms_are_normalised(brief):
    judgment = brief.claim("c-judgment")
    assert judgment.likelihood == "likely"  # written 'probable'
    assert judgment.likelihood_band.band == "55-80%"
    assert brief.claim("c-met").likelihood == "" and brief.claim("c-met").likelihood_band is None


@pytest.mark.parametrize("written, canonical", [
    ("remote", "almost-no-chance"), ("highly-improbable", "very-unlikely"), ("improbable", "unlikely"),
    ("roughly-even-odds", "roughly-even-chance"), ("probable", "likely"),
    ("highly-probable", "very-likely"), ("nearly-certain", "almost-certain"), ("likely", "likely"),
])
def test_every_likelihood_synonym(tmp_path, written, canonical):
    path = tmp_path / "lookups.brief.yaml"
    path.write_text(BRIEF.replace("likelihood: probable", f"likelihood: {written}"), encoding="utf-8")
    entry = load_brief(path)
    assert entry.problems == ()
    assert entry.brief.claim("c-judgment").likelihood == canonical


def test_other_fields_of_the_model(brief):
    assert brief.banner == "TLP:CLEAR"
    assert ids(brief.key_judgment_claims) == ["c-judgment"]
    assert brief.entity("minsk").within == "belarus"
    assert brief.claim("c-reported").third_party and not brief.claim("c-met").third_party
    assert brief.get("ev-1").claims == ("c-met",)
    assert brief.get("sec-1").embedded == ("c-met", "minsk") and brief.get("sec-1").cited == ("report",)


def test_code_spans_are_not_references(tmp_path):
    path = tmp_path / "code.brief.yaml"
    path.write_text(BRIEF.replace("id: lookups", "id: code").replace(
        "[[c-met]] In [[minsk]]", "Write `[[c-met]]` or ``[@report]``; [[minsk]]"), encoding="utf-8")
    entry = load_brief(path)
    assert entry.problems == ()
    assert entry.brief.get("sec-1").embedded == ("minsk",)
    assert ids(entry.brief.unplaced_claims()) == ["c-met", "c-unplaced"]


# ---------------------------------------------------------------------------
# A library


def make_brief(folder: Path, brief_id: str, *, file_name: str | None = None, related: str = "") -> Path:
    path = folder / (file_name or f"{brief_id}.brief.yaml")
    path.write_text(f"briefreader: 1\nid: {brief_id}\ntitle: {brief_id}\ndate: 2025-01-01\n"
                    f"handling: {{tlp: CLEAR}}\n{related}", encoding="utf-8")
    return path


def test_related_in_both_directions(tmp_path):
    make_brief(tmp_path, "alpha", related="related:\n  - rel: see-also\n    target: {brief: beta}\n"
                                          "  - rel: references\n    target: {url: 'https://example.org/'}\n")
    make_brief(tmp_path, "beta", related="related:\n  - rel: updates\n    target: {brief: 'alpha#gone'}\n")
    make_brief(tmp_path, "gamma", related="related:\n  - rel: supersedes\n    target: {brief: beta}\n")
    library = load_library(tmp_path)
    alpha, beta, gamma = (library.get(name) for name in ("alpha", "beta", "gamma"))
    assert [(rel.rel, target.id) for rel, target in library.related_from(alpha)] == [("see-also", "beta")]
    assert [(rel.rel, target.id, rel.anchor) for rel, target in library.related_from(beta)] == [
        ("updates", "alpha", "gone")]
    assert [(source.id, rel.rel) for source, rel in library.related_to(beta)] == [
        ("alpha", "see-also"), ("gamma", "supersedes")]
    assert [(source.id, rel.rel) for source, rel in library.related_to(alpha)] == [("beta", "updates")]
    assert library.related_to(gamma) == ()
    # beta's link names a local id that alpha does not have: a warning, at the target value
    assert [(p.line, p.column, p.message) for p in beta.problems] == [
        (8, 21, "related brief 'alpha' has no 'gone'")]


def test_related_brief_that_is_not_loaded(tmp_path):
    make_brief(tmp_path, "alpha", related="related:\n  - rel: see-also\n    target: {brief: missing}\n")
    library = load_library(tmp_path)
    alpha = library.get("alpha")
    assert [(rel.target, target) for rel, target in library.related_from(alpha)] == [("missing", None)]
    assert [p.message for p in alpha.problems] == ["related brief 'missing' is not in the library"]


def test_bundled_briefs_link_to_each_other():
    library = load_library(BRIEFS)
    isw = library.get("isw-oreshnik-belarus")
    rutte = library.get("rutte-trump-nato-meeting")
    assert isw is not None and rutte is not None
    assert ("see-also", rutte) in [(rel.rel, target) for rel, target in library.related_from(isw)]
    assert isw in [source for source, _ in library.related_to(rutte)]
    assert rutte in [source for source, _ in library.related_to(isw)]
    report = isw.source("isw-report")
    # the report is only ever cited through the news write-up derived from it
    assert report is not None and any(link.via is not None for link in isw.backlinks(report))


def test_duplicate_brief_id_names_both_files(tmp_path):
    first = make_brief(tmp_path, "same", file_name="a-same.brief.yaml")
    second = make_brief(tmp_path, "same", file_name="b-same.brief.yaml")
    library = load_library(tmp_path)
    assert library.get("same").path.endswith("a-same.brief.yaml")
    entry = next(e for e in library.entries if e.path.endswith("b-same.brief.yaml"))
    assert entry.brief is None
    clash = [p for p in entry.problems if p.code == "duplicate-brief-id"]
    assert len(clash) == 1 and clash[0].severity == "error"
    assert (clash[0].line, clash[0].column) == (2, 5)
    text = str(clash[0])
    assert second.name in text and first.name in text
    assert clash[0].message == f"duplicate brief id 'same': also the id of {library.get('same').path}"


def test_symlink_loop_in_a_library_does_not_hang(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    make_brief(inner, "looped")
    os.symlink(tmp_path, inner / "loop")  # inner/loop -> its own parent
    os.symlink(inner, tmp_path / "again")  # and the folder linked twice
    results = []
    worker = threading.Thread(target=lambda: results.append(load_library(tmp_path)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "load_library hangs on a symlink loop"
    library = results[0]
    assert list(library.briefs) == ["looped"]
    assert len(library.entries) == 1 and library.all_problems == ()


def test_unreadable_file_is_a_problem_not_a_failure(tmp_path):
    make_brief(tmp_path, "fine")
    locked = make_brief(tmp_path, "locked")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        library = load_library(tmp_path)
    finally:
        locked.chmod(0o644)
    assert list(library.briefs) == ["fine"]
    (failed,) = library.failed
    assert failed.path.endswith("locked.brief.yaml")
    assert [(p.severity, p.message, p.line) for p in failed.problems] == [
        ("error", "cannot read file: Permission denied", 0)]


def test_read_error_is_a_problem_even_as_root(tmp_path, monkeypatch):
    """The same path as chmod 000, for when the test runs as root: open() fails."""
    import briefreader.yamlsafe as yamlsafe

    make_brief(tmp_path, "fine")
    locked = make_brief(tmp_path, "locked")
    real_open = open

    def fake_open(path, *args, **kwargs):
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(yamlsafe, "open", fake_open, raising=False)
    library = load_library(tmp_path)
    assert list(library.briefs) == ["fine"]
    assert [(p.path.endswith("locked.brief.yaml"), p.message) for p in library.all_problems] == [
        (True, "cannot read file: Permission denied")]

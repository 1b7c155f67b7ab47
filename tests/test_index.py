"""The library index (briefreader.index): query language, ranking, folding, filters,
and an index that is never stale and survives damage.  No Textual here."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader import index as index_module
from briefreader.index import (
    HIT_END, HIT_START, LibraryIndex, Query, QueryError, fold, index_path, parse_query,
)
from briefreader.loader import find_brief_files, load_brief, load_library

BRIEFS = Path(__file__).resolve().parent.parent / "briefs"
ISW = "isw-oreshnik-belarus.brief.yaml"


def brief_text(brief_id: str, *, title: str = "A test brief", date: str = "2025-01-15",
               tags: str = "[testing]", bluf: str = "Nothing to report.", sections: str = "",
               claims: str = "", entities: str = "", key_judgments: str = "") -> str:
    """A small brief that loads without errors."""
    text = f"""briefreader: 1
id: {brief_id}
title: "{title}"
date: "{date}"
tags: {tags}
handling:
  tlp: CLEAR
bluf: "{bluf}"
"""
    if key_judgments:
        text += f"key_judgments: [{key_judgments}]\n"
    if sections:
        text += "sections:\n" + sections
    if claims:
        text += "claims:\n" + claims
    if entities:
        text += "entities:\n" + entities
    return text


def write_brief(folder: Path, brief_id: str, **fields: str) -> Path:
    path = folder / f"{brief_id}.brief.yaml"
    path.write_text(brief_text(brief_id, **fields), encoding="utf-8")
    entry = load_brief(path)
    assert entry.brief is not None, [str(p) for p in entry.problems]
    return path


@pytest.fixture
def library(tmp_path: Path, briefreader_home: Path) -> Path:
    """A copy of the bundled briefs, in a folder the test may change."""
    folder = tmp_path / "lib"
    shutil.copytree(BRIEFS, folder)
    return folder


def files_of(folder: Path) -> list[Path]:
    return find_brief_files(folder)[0]


def indexed(folder: Path, path: Path | None = None) -> LibraryIndex:
    index = LibraryIndex(path)
    index.update(files_of(folder))
    return index


def ids(hits) -> list[str]:
    return [hit.item_id for hit in hits]


# ---------------------------------------------------------------------------
# The query language


def test_words_and_phrases_are_quoted_for_fts5():
    query = parse_query('union "state council" oresh*')
    assert query.words == ("union", "state council", "oresh")
    assert query.match() == '"union" AND "state council" AND "oresh"*'
    assert not query.has_filters


def test_a_quote_inside_a_word_is_escaped():
    assert parse_query('say"what').match() == '"say""what"'


def test_or_binds_neighbouring_words_and_minus_excludes():
    query = parse_query("deployment minsk OR vilnius -exercise")
    assert query.match() == '"deployment" AND ("minsk" OR "vilnius")'
    assert query.excluded_match() == '"exercise"'


def test_an_unclosed_quote_runs_to_the_end():
    assert parse_query('"union state').words == ("union state",)


def test_empty_and_punctuation_only_queries_are_empty_not_errors():
    for text in ("", "   ", "&", "- -- —", '""', "*"):
        assert parse_query(text).is_empty, text


def test_text_that_only_looks_like_a_filter_is_text():
    assert parse_query("12:30").words == ("12:30",)
    assert parse_query("https://example.org").words == ("https://example.org",)
    assert parse_query('"note: this"').words == ("note: this",)


@pytest.mark.parametrize("text, field, expected", [
    ("kind:assessment", "claim_kinds", {"assessment"}),
    ("kind:fact,reported", "claim_kinds", {"fact", "reported"}),
    ("kind:fact kind:assumption", "claim_kinds", {"fact", "assumption"}),
    ("kind:facts", "claim_kinds", {"fact"}),
    ("kind:section", "kinds", {"section"}),
    ("kind:entities", "kinds", {"entity"}),
    ("kind:front", "kinds", {"brief"}),
    ("kind:timeline", "kinds", {"event"}),
    ("confidence:high", "confidence", {"high"}),
    ("confidence:medium", "confidence", {"moderate"}),
    ("likelihood:likely", "likelihood", {"likely"}),
    ("likelihood:probable", "likelihood", {"likely"}),
    ("likelihood:highly-probable", "likelihood", {"very-likely"}),
    ('likelihood:"very likely"', "likelihood", {"very-likely"}),
    ("likelihood:Nearly_Certain", "likelihood", {"almost-certain"}),
    ("tag:Belarus", "tags", {"belarus"}),
])
def test_vocabulary_filters(text, field, expected):
    query = parse_query(text)
    assert set(getattr(query, field)) == expected
    assert query.has_filters and not query.has_text


def test_kj_filter():
    assert parse_query("kind:kj").key_judgments
    assert parse_query("kind:key-judgment").key_judgments


def test_source_and_entity_filters_keep_words():
    query = parse_query('source:ISW entity:"Union-State" entity:Łukasz')
    assert query.sources == ("isw",)
    assert query.entities == ("union state", "lukasz")


@pytest.mark.parametrize("text, after, before", [
    ("after:2024-12-01", "2024-12-01", ""),
    ("after:2024-12", "2024-12-01", ""),
    ("before:2025", "", "2025-01-01"),
    ("after:2024-01-01 after:2024-06-01 before:2025-01-01 before:2024-12-01", "2024-06-01", "2024-12-01"),
])
def test_date_filters(text, after, before):
    query = parse_query(text)
    assert (query.after, query.before) == (after, before)


def test_filters_combine_with_text():
    query = parse_query("oreshnik kind:assessment confidence:moderate belarus")
    assert query.words == ("oreshnik", "belarus")
    assert query.claim_kinds == {"assessment"} and query.confidence == {"moderate"}


@pytest.mark.parametrize("text, message", [
    ("knd:assessment", "unknown filter 'knd:': did you mean 'kind'?"),
    ("colour:red", "To search for the text, quote it"),
    ("kind:assesment", "unknown kind 'assesment': did you mean 'assessment'?"),
    ("kind:", "kind: needs a value"),
    ("confidence:certain", "unknown confidence 'certain'"),
    ("likelihood:maybe", "unknown likelihood 'maybe'"),
    ("after:2024-13-01", "after: wants a date YYYY-MM-DD"),
    ("before:yesterday", "before: wants a date"),
    ("after:", "after: needs a date"),
    ("entity:--", "entity: needs a word"),
    ("-kind:fact", "a filter cannot be negated"),
    ("-oreshnik", "a query needs a word or a filter besides the excluded words"),
])
def test_bad_queries_raise_query_error_with_a_clear_message(text, message):
    with pytest.raises(QueryError) as raised:
        parse_query(text)
    assert message in str(raised.value)


# ---------------------------------------------------------------------------
# Searching the bundled briefs

_SHARED: dict[str, LibraryIndex] = {}


def shared_index() -> LibraryIndex:
    """One in-memory index of the bundled briefs, for tests that only read."""
    if "index" not in _SHARED:
        _SHARED["index"] = indexed(BRIEFS)
    return _SHARED["index"]


@pytest.mark.parametrize("alias", ["Лукашенко", "Lukashenka", "LUKASHENKA", "лукашенко"])
def test_aliases_find_claims_about_the_entity(alias):
    hits = shared_index().search(alias, limit=100)
    assert hits[0].target == "entity:lukashenko"
    claims = {hit.item_id for hit in hits if hit.kind == "claim"}
    # about: [lukashenko] in each, and none of them spells the alias
    assert {"lukashenko-requested-oreshnik", "request-asserts-sovereignty",
            "autonomy-as-bargaining", "autonomy-bid-unlikely-to-work"} <= claims
    shown = next(hit for hit in hits if hit.item_id == "request-asserts-sovereignty")
    assert shown.snippet.startswith("Lukashenko's demand to choose the targets")
    about = shown.snippet.split(" (about: ", 1)[1]
    assert HIT_START in about and alias.casefold() in about.casefold()


def test_hits_carry_the_real_line_path_and_target():
    brief = load_brief(BRIEFS / ISW).brief
    hits = shared_index().search("oreshnik", limit=200)
    kinds = {hit.kind for hit in hits}
    assert {"brief", "claim", "section", "source", "entity"} <= kinds
    for hit in hits:
        assert Path(hit.path) == (BRIEFS / hit.path.rsplit("/", 1)[-1]).resolve()
        if hit.brief_id != brief.id:
            continue
        assert hit.brief_title == brief.title
        if hit.kind == "brief":
            assert (hit.target, hit.line) == ("front", brief.loc.line)
        else:
            assert hit.target == f"{hit.kind}:{hit.item_id}"
            assert hit.line == brief.get(hit.item_id).loc.line
    claim = next(hit for hit in hits if hit.item_id == "no-added-strike-risk")
    assert claim.claim_kind == "assessment" and claim.key_judgment


def test_snippets_mark_terms_and_hold_no_control_characters():
    for query in ("belarus", '"union state"', "oresh*", "minsk OR putin"):
        for hit in shared_index().search(query, limit=100):
            assert hit.snippet.count(HIT_START) == hit.snippet.count(HIT_END)
            assert all(ch >= " " and not "\x7f" <= ch <= "\x9f" for ch in hit.snippet), hit
            assert "[[" not in hit.snippet and "[@" not in hit.snippet
    hit = shared_index().search("putin", limit=1)[0]
    for start, end in hit.highlights():
        assert hit.plain_snippet[start:end].casefold() == "putin"


def test_inline_references_are_indexed_by_name_not_id():
    # security-agreement-signed says "[[putin]] and [[lukashenko]] signed ..."
    hits = shared_index().search('"vladimir putin and alexander lukashenko" kind:claim')
    assert ids(hits) == ["security-agreement-signed"]
    # section bodies embed it as [[rhetoric-is-information-ops]]: ids are not text
    assert shared_index().search("rhetoric-is-information-ops") == []


def test_each_unit_is_one_hit():
    hits = shared_index().search("oreshnik", limit=500)
    keys = [(hit.path, hit.target) for hit in hits]
    assert len(keys) == len(set(keys))


def test_filters_narrow_text_hits():
    index = shared_index()
    everything = index.search("oreshnik", limit=500)
    assessments = index.search("oreshnik kind:assessment", limit=500)
    assert assessments and len(assessments) < len(everything)
    assert all(hit.claim_kind == "assessment" for hit in assessments)
    low = index.search("lukashenko confidence:low", limit=500)
    assert set(ids(low)) == {"autonomy-as-bargaining", "autonomy-bid-unlikely-to-work"}
    likely_kj = [hit for hit in index.search("likelihood:probable kind:kj", limit=500)
                 if hit.brief_id == "isw-oreshnik-belarus"]
    assert set(ids(likely_kj)) == {"rhetoric-is-information-ops", "military-strain"}
    kj = index.search("kind:kj", limit=500)
    assert {"no-added-strike-risk", "russia-keeps-launch-control"} <= set(ids(kj))
    assert all(hit.key_judgment for hit in kj)


def test_source_filter_follows_citations_primary_and_derivation():
    hits = shared_index().search("source:isw", limit=500)
    found = set(ids(hits))
    # cites news-article, whose title names ISW and which derives from isw-report
    assert {"council-met-2024-12-06", "no-added-strike-risk", "isw-report", "news-article"} <= found
    assert "restatement-faithful" not in found  # an assumption that cites nothing
    assert shared_index().search("source:nonesuch") == []
    by_publisher = set(ids(shared_index().search('source:"study of war" kind:claim', limit=500)))
    assert "khmeimim-air-defence-moved" in by_publisher


def test_entity_filter_matches_id_name_or_alias():
    for value in ("lukashenko", "Лукашенко", '"Alexander Lukashenko"', "alyaksandr"):
        found = set(ids(shared_index().search(f"entity:{value}", limit=500)))
        assert {"lukashenko", "security-agreement-signed", "lukashenko-requested-oreshnik"} <= found, value
        assert "officer-losses" not in found
    # a word must start where the value starts: "us" is not inside "Russia"
    assert "officer-losses" not in set(ids(shared_index().search("entity:ussia", limit=500)))


def test_brief_filters_tags_and_dates():
    index = shared_index()
    isw = load_brief(BRIEFS / ISW).brief
    tag = isw.tags[0]
    tagged = index.search(f"tag:{tag}", limit=1000)
    assert tagged and {hit.brief_id for hit in tagged} == {b.brief.id for b in map(load_brief, files_of(BRIEFS))
                                                           if tag in b.brief.tags}
    assert index.search(f"belarus after:{isw.date}") and not index.search(
        "belarus after:2099-01-01")
    assert not [h for h in index.search(f"belarus before:{isw.date}", limit=500) if h.brief_id == isw.id]


_PIECES = list('abc "*():-^+{}[],.\\\'') + [
    "OR", "NOT", "AND", "NEAR", "NEAR(", "kind:", "entity:", "source:", "\x00", "\x1b", "é", "Ł",
    HIT_START, " ", "oreshnik", "minsk"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_no_query_string_reaches_fts5_as_syntax(text):
    try:
        query = parse_query(text)
    except QueryError:
        return
    shared_index().search(query)  # never an sqlite3 error


# ---------------------------------------------------------------------------
# Ranking and folding


def test_a_word_in_a_title_outranks_the_same_word_in_a_body(tmp_path, briefreader_home):
    long_body = " ".join(["Routine reporting continued across the region without incident."] * 3)
    write_brief(tmp_path, "ranking", sections=f"""
  - id: sec-body
    title: "Routine notes"
    body: "{long_body} A zephyr was reported near the coast. {long_body}"
  - id: sec-title
    title: "The zephyr question"
    body: "{long_body}"
""")
    index = indexed(tmp_path)
    assert [hit.target for hit in index.search("zephyr")] == ["section:sec-title", "section:sec-body"]


def test_key_judgments_outrank_other_claims_and_the_title_outranks_them(tmp_path, briefreader_home):
    write_brief(tmp_path, "kj-rank", title="Quorum watch", key_judgments="c-kj", claims="""
  - id: c-plain
    kind: assessment
    likelihood: likely
    text: "The council will likely reach a quorum in spring."
  - id: c-kj
    kind: assessment
    likelihood: likely
    text: "The council will likely reach a quorum in summer."
""")
    assert [hit.target for hit in indexed(tmp_path).search("quorum")] == [
        "front", "claim:c-kj", "claim:c-plain"]


def test_diacritics_and_case_fold(tmp_path, briefreader_home):
    write_brief(tmp_path, "folding", sections="""
  - id: sec-a
    title: "Rail links"
    body: "Trains from Łódź to BELARUS via Kalniņš Straße, said Ørsted."
""")
    index = indexed(tmp_path)
    for query in ("lodz", "Łódź", "ŁÓDŹ", "belarus", "Belarus", "kalnins", "KALNINS", "strasse",
                  "orsted", '"lodz to belarus"'):
        hits = index.search(query)
        assert [hit.target for hit in hits] == ["section:sec-a"], query
    snippet = index.search("lodz")[0].snippet
    assert f"{HIT_START}Łódź{HIT_END}" in snippet  # shown as written


def test_fold_maps_letters_to_letters():
    assert fold("Łódź Ørsted Straße Æsir") == "Lódź Orsted Strasse AEsir"
    assert fold("plain ascii") == "plain ascii"


def test_brief_text_cannot_forge_markers_or_controls(tmp_path, briefreader_home):
    write_brief(tmp_path, "hostile", title="Marker \ue000forged\ue001 and \\e[31m red")
    hits = indexed(tmp_path).search("forged")
    assert len(hits) == 1
    snippet = hits[0].snippet
    assert snippet.count(HIT_START) == snippet.count(HIT_END) == 1
    assert "\x1b" not in snippet and "^[" in snippet


# ---------------------------------------------------------------------------
# Updates: never stale


def test_update_reads_only_what_changed(library):
    index = LibraryIndex()
    first = index.update(files_of(library))
    assert (first.added, first.changed, first.unchanged, first.failed) == (3, 0, 0, 0)
    again = index.update(files_of(library))
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)
    path = library / ISW
    os.utime(path, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10))
    touched = index.update(files_of(library))
    assert (touched.changed, touched.unchanged) == (1, 2)


def test_a_changed_file_changes_its_hits(library):
    index = indexed(library)
    assert index.search("khmeimim")
    path = library / ISW
    path.write_text(path.read_text(encoding="utf-8").replace("Khmeimim", "Hmeimim"), encoding="utf-8")
    assert index.search("khmeimim") == []  # search updates first
    assert index.search("hmeimim")


def test_a_same_size_change_in_the_same_instant_is_seen(tmp_path, briefreader_home):
    path = write_brief(tmp_path, "racy", bluf="The word is alpha.")
    index = indexed(tmp_path)
    assert index.search("alpha")
    before = os.stat(path)
    path.write_text(brief_text("racy", bluf="The word is gamma."), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    assert index.search("alpha") == []
    assert index.search("gamma")


def test_a_deleted_file_loses_its_hits(library):
    index = indexed(library)
    assert index.search("khmeimim")
    (library / ISW).unlink()
    assert index.search("khmeimim") == []
    assert index.last_update.removed == 1
    assert index.stats()["files"] == 2


def test_briefs_that_fail_to_load_are_skipped_and_counted(library):
    broken = library / "broken.brief.yaml"
    broken.write_text("briefreader: 1\nid: broken\ntitle: [\n", encoding="utf-8")
    old = time.time_ns() - 10**10  # not just written: see the same-size test for that case
    os.utime(broken, ns=(old, old))
    index = LibraryIndex()
    stats = index.update(files_of(library))
    assert stats.failed == 1 and stats.failed_paths[0].endswith("broken.brief.yaml")
    assert index.search("oreshnik")
    assert index.update(files_of(library)).unchanged == 4  # not re-read while it stays broken


def test_update_from_library_uses_the_loaded_briefs(library):
    loaded_at = time.time()
    lib = load_library(library)
    index = LibraryIndex()
    stats = index.update_from_library(lib, loaded_at=loaded_at)
    assert stats.added == 3
    assert index.search("Лукашенко")[0].target == "entity:lukashenko"
    path = library / ISW
    path.write_text(path.read_text(encoding="utf-8").replace("Khmeimim", "Hmeimim"), encoding="utf-8")
    assert not index.search("khmeimim")  # the library's scope is refreshed on search
    # A file changed after loading began is read from disk, not from the stale brief.
    index2 = LibraryIndex()
    index2.update_from_library(lib, loaded_at=loaded_at)
    assert index2.search("hmeimim") and not index2.search("khmeimim")


def test_parallel_parsing_gives_the_same_index(library, monkeypatch):
    for n in range(6):
        write_brief(library, f"extra-{n}", title=f"Extra brief number {n}", bluf="Parallel words here.")
    monkeypatch.setattr(index_module, "PARALLEL_MIN", 2)
    serial = LibraryIndex(jobs=1)
    parallel = LibraryIndex(jobs=2)
    serial.update(files_of(library))
    parallel.update(files_of(library))
    for query in ("parallel", "oreshnik", "kind:claim", "Лукашенко"):
        assert [(h.path, h.target, h.snippet) for h in serial.search(query, limit=500)] == \
               [(h.path, h.target, h.snippet) for h in parallel.search(query, limit=500)]


# ---------------------------------------------------------------------------
# The cache file


def test_cache_file_is_per_library(tmp_path, briefreader_home):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    assert index_path([one]) != index_path([two])
    assert index_path([one]) == index_path([tmp_path / "two" / ".." / "one"])
    assert index_path([one]).parent == briefreader_home / "cache"


def test_the_cache_persists_between_opens(library):
    path = index_path([library])
    with LibraryIndex(path) as index:
        assert index.update(files_of(library)).added == 3
    with LibraryIndex(path) as index:
        assert index.update(files_of(library)).unchanged == 3
        assert index.search("oreshnik") and not index.notice


def test_a_garbage_file_is_rebuilt(library):
    path = index_path([library])
    path.parent.mkdir(parents=True)
    path.write_bytes(os.urandom(8192))
    with LibraryIndex(path) as index:
        assert "rebuilt" in index.notice
        index.update(files_of(library))
        assert index.search("oreshnik")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == index_module.SCHEMA_VERSION


def test_a_file_damaged_past_its_header_is_rebuilt(library):
    path = index_path([library])
    with LibraryIndex(path) as index:
        index.update(files_of(library))
    size = path.stat().st_size
    with open(path, "r+b") as handle:  # keep the 100-byte header, wreck every page after it
        handle.seek(4096)
        handle.write(b"\xde\xad\xbe\xef" * ((size - 4096) // 4))
    with LibraryIndex(path) as index:
        index.update(files_of(library))
        assert index.search("oreshnik")
        assert index.search("Лукашенко")[0].target == "entity:lukashenko"


def test_a_damaged_full_text_index_is_rebuilt_when_searched(library):
    path = index_path([library])
    with LibraryIndex(path) as index:
        index.update(files_of(library))
    with sqlite3.connect(path) as conn:  # the tables open fine; the FTS5 blocks are noise
        conn.execute("UPDATE fts_data SET block = randomblob(length(block)) WHERE id > 10")
    with LibraryIndex(path) as index:
        assert index.update(files_of(library)).unchanged == 3
        hits = index.search("oreshnik", refresh=False)
        assert "rebuilt" in index.notice
        assert hits and hits == index.search("oreshnik")


def test_another_schema_version_is_rebuilt(library, monkeypatch):
    path = index_path([library])
    with LibraryIndex(path) as index:
        index.update(files_of(library))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    with LibraryIndex(path) as index:
        assert "version 999" in index.notice
        assert index.update(files_of(library)).added == 3
    monkeypatch.setattr(index_module, "SCHEMA_VERSION", index_module.SCHEMA_VERSION + 1)
    with LibraryIndex(path) as index:
        assert "rebuilt" in index.notice
        assert index.update(files_of(library)).added == 3
        assert index.search("oreshnik")


def test_a_foreign_database_is_replaced(library):
    path = index_path([library])
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE files(x)")
    with LibraryIndex(path) as index:
        index.update(files_of(library))
        assert index.search("oreshnik")


def test_an_unwritable_cache_falls_back_to_memory(library, briefreader_home):
    (briefreader_home / "cache").write_text("not a folder")
    with LibraryIndex(index_path([library])) as index:
        assert index.in_memory and "memory" in index.notice
        index.update(files_of(library))
        assert index.search("oreshnik")


def test_two_processes_worth_of_indexes_share_one_file(library):
    path = index_path([library])
    writer, reader = LibraryIndex(path), LibraryIndex(path)
    writer.update(files_of(library))
    errors: list[BaseException] = []

    def search_many(index: LibraryIndex) -> None:
        try:
            for _ in range(20):
                assert index.search("oreshnik")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    reader.update(files_of(library))
    threads = [threading.Thread(target=search_many, args=(i,)) for i in (writer, reader)]
    for thread in threads:
        thread.start()
    target = library / ISW
    for _ in range(5):  # meanwhile the file keeps changing
        os.utime(target, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10 - _))
        writer.update(files_of(library))
    for thread in threads:
        thread.join()
    assert not errors
    writer.close()
    reader.close()


def test_index_module_does_not_import_textual():
    code = "import sys, briefreader.index; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_query_object_can_be_passed_and_empty_matches_nothing():
    assert shared_index().search(Query()) == []
    assert shared_index().search(parse_query("oreshnik"), limit=2) and len(
        shared_index().search("oreshnik", limit=2)) == 2


def test_update_folder_finds_new_files(library):
    index = LibraryIndex()
    assert index.update_folder(library).added == 3
    (library / "000").mkdir()
    write_brief(library / "000", "late-arrival", title="Quasar sightings")
    assert not index.search("quasar")  # search refreshes the files it knows; a rescan finds new ones
    assert index.update_folder(library).added == 1
    assert index.search("quasar")[0].target == "front"

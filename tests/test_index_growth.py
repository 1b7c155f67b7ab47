"""Library search that does not stat every file before each search, yet is never stale,
and ranks exactly as a plain "score every match, sort, take the first" search does.

Freshness: every kind of change a user or a tool makes to a brief (an edit in place, an
editor's atomic save, a same-size rewrite that puts the old mtime back, deletion,
re-creation, a renamed folder, a file reached through a symbolic link or a hard link)
is seen by the very next search, with the folder watcher (Linux) and without it.
No Textual here; nothing here measures time.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

from briefreader import index as index_module
from briefreader.index import (
    COLUMN_WEIGHTS, COLUMNS, ELLIPSIS, HIT_END, HIT_START, SNIPPET_TOKENS, Hit, LibraryIndex, parse_query,
)
from briefreader.loader import find_brief_files

from test_index import brief_text, write_brief

ROOT = Path(__file__).resolve().parent.parent


def _inotify() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        index_module._Watcher([]).close()
    except (OSError, AttributeError, ValueError):
        return False  # out of inotify instances, say: the index stats every file instead
    return True


LINUX = _inotify()  # the folder watcher can work here


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def age(path: Path, seconds: int = 60) -> None:
    """Give a file an mtime in the past, so the index stores it as settled (not "racy")."""
    when = time.time_ns() - seconds * 10**9
    os.utime(path, ns=(when, when))


def found(index: LibraryIndex, word: str) -> set[str]:
    return {hit.path for hit in index.search(word)}


@pytest.fixture(params=[True, False], ids=["watched", "stat-every-file"])
def watch(request, monkeypatch) -> bool:
    monkeypatch.setattr(index_module, "WATCH", request.param)
    return request.param


@pytest.fixture
def folder(tmp_path: Path, briefreader_home: Path) -> Path:
    """Two sub-folders of settled briefs, indexed, and searched once (the watcher starts)."""
    lib = tmp_path / "lib"
    for sub, n in (("a", 3), ("b", 2)):
        (lib / sub).mkdir(parents=True)
        for i in range(n):
            path = write_brief(lib / sub, f"{sub}-{i}", bluf=f"Plain words {sub} number {i}.")
            age(path)
    return lib


def open_index(folder: Path) -> LibraryIndex:
    index = LibraryIndex()
    index.update(find_brief_files(folder)[0])
    assert index.search("plain")  # the first search starts watching
    return index


def test_the_watcher_is_used_on_linux(folder, watch):
    index = open_index(folder)
    assert (index._watcher is not None) == (watch and LINUX)


@pytest.mark.skipif(not LINUX, reason="the folder watcher needs Linux inotify")
def test_a_quiet_search_does_not_stat_every_file(folder, monkeypatch):
    index = open_index(folder)
    briefs = {str(p) for p in find_brief_files(folder)[0]}
    looked: list[str] = []
    for name in ("stat", "lstat"):
        real = getattr(os, name)

        def counting(path, *args, _real=real, **kwargs):
            looked.append(os.fspath(path))
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, counting)
    assert index.search("plain")
    assert not briefs & set(looked)  # only the folders were stat'ed
    path = folder / "a" / "a-1.brief.yaml"
    path.write_text(brief_text("a-1", bluf="Plain words, now with zebra."), encoding="utf-8")
    looked.clear()
    assert found(index, "zebra") == {str(path)}
    assert briefs & set(looked) == {str(path)}  # the changed file alone


def test_an_edit_in_place_is_seen_by_the_next_search(folder, watch):
    index = open_index(folder)
    path = folder / "a" / "a-1.brief.yaml"
    with open(path, "r+", encoding="utf-8") as file:  # same inode, no folder change
        text = file.read()
        file.seek(0)
        file.write(text.replace("number 1.", "wombat 1."))
        file.truncate()
    assert found(index, "wombat") == {str(path)}
    assert str(path) not in found(index, "number")


@pytest.mark.skipif(not LINUX, reason="the folder watcher needs Linux inotify")
def test_a_same_size_rewrite_with_the_old_mtime_put_back_is_seen(folder, monkeypatch):
    # Stat cannot see this change (same size, mtime and inode); the watcher can.
    monkeypatch.setattr(index_module, "WATCH", True)
    index = open_index(folder)
    path = folder / "b" / "b-0.brief.yaml"
    before = os.stat(path)
    with open(path, "r+b") as file:
        data = file.read().replace(b"number 0.", b"marmot 0.")
        file.seek(0)
        file.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    assert found(index, "marmot") == {str(path)}


def test_an_atomic_save_is_seen(folder, watch):
    index = open_index(folder)
    path = folder / "b" / "b-1.brief.yaml"
    temporary = path.with_name(".b-1.brief.yaml.swp")
    temporary.write_text(brief_text("b-1", bluf="Plain words and a narwhal."), encoding="utf-8")
    os.replace(temporary, path)
    assert found(index, "narwhal") == {str(path)}


def test_deleted_and_recreated_files(folder, watch):
    index = open_index(folder)
    path = folder / "a" / "a-2.brief.yaml"
    text = path.read_text(encoding="utf-8")
    path.unlink()
    assert str(path) not in found(index, "plain")
    assert index.last_update.removed == 1
    path.write_text(text.replace("number 2.", "ocelot 2."), encoding="utf-8")
    assert found(index, "ocelot") == {str(path)}


def test_a_renamed_folder_loses_its_hits(folder, watch):
    index = open_index(folder)
    os.rename(folder / "a", folder / "a-moved")
    hits = found(index, "plain")
    assert hits and not any("/a/" in hit.replace(os.sep, "/") for hit in hits)
    assert all(os.path.exists(hit) for hit in hits)


def test_a_renamed_parent_folder_loses_its_hits(tmp_path, briefreader_home, watch):
    # No event reaches the watched folders: the folders' identity check sees it.
    outer = tmp_path / "outer"
    (outer / "inner").mkdir(parents=True)
    age(write_brief(outer / "inner", "deep", bluf="Plain and deep."))
    index = open_index(outer)
    os.rename(outer, tmp_path / "elsewhere")
    assert index.search("plain") == []


def test_a_file_reached_through_a_symbolic_link(tmp_path, briefreader_home, watch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = write_brief(elsewhere, "linked", bluf="Plain and linked.")
    age(target)
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "linked.brief.yaml").symlink_to(target)
    index = LibraryIndex()
    index.update([lib / "linked.brief.yaml"])
    assert index.search("plain")
    with open(target, "r+", encoding="utf-8") as file:  # changed where no watch looks
        text = file.read()
        file.seek(0)
        file.write(text.replace("and linked.", "and jackal."))
        file.truncate()
    assert found(index, "jackal") == {str(lib / "linked.brief.yaml")}


def test_a_file_with_another_hard_link(tmp_path, briefreader_home, watch):
    lib, other = tmp_path / "lib", tmp_path / "other"
    lib.mkdir()
    other.mkdir()
    path = write_brief(lib, "hard", bluf="Plain and hard.")
    age(path)
    os.link(path, other / "alias.brief.yaml")
    index = open_index(lib)
    with open(other / "alias.brief.yaml", "r+", encoding="utf-8") as file:  # through the other name
        text = file.read()
        file.seek(0)
        file.write(text.replace("and hard.", "and hyena."))
        file.truncate()
    assert found(index, "hyena") == {str(path)}


def test_a_watcher_that_lost_track_checks_every_file(folder, monkeypatch):
    index = open_index(folder)
    if index._watcher is None:
        pytest.skip("no folder watcher here")
    monkeypatch.setattr(index._watcher, "changes", lambda: None)  # as after an overflow
    path = folder / "b" / "b-0.brief.yaml"
    path.write_text(brief_text("b-0", bluf="Plain words with a tapir."), encoding="utf-8")
    assert found(index, "tapir") == {str(path)}


def test_a_new_update_watches_the_new_scope(folder, watch):
    index = open_index(folder)
    index.update(find_brief_files(folder / "a")[0])
    assert {Path(p).parent.name for p in found(index, "plain")} == {"a"}
    path = folder / "a" / "a-0.brief.yaml"
    path.write_text(brief_text("a-0", bluf="Plain words and a gecko."), encoding="utf-8")
    assert found(index, "gecko") == {str(path)}


def test_closing_stops_watching(folder):
    index = open_index(folder)
    index.close()
    assert index._watcher is None


# ---------------------------------------------------------------------------
# The same hits, in the same order, as a search that scores every match


def reference_search(index: LibraryIndex, text: str, limit: int | None) -> list[Hit]:
    """Every match scored (no LIMIT in SQL), sorted by (score, rowid), one hit per unit,
    snippets for those: what the search returned before it was made faster."""
    query = parse_query(text)
    if query.is_empty:
        return []
    conn = index.conn
    shift = index_module._SHIFT
    keys = index._keys_match(query)
    if query.has_text:
        file_where, params = index._file_filters(query)
        weights = ", ".join(str(w) for w in COLUMN_WEIGHTS)
        sql = f"SELECT fts.rowid, bm25(fts, {weights}) FROM fts WHERE fts MATCH ?"
        params = [query.match(), *params]
        if file_where:
            sql += f" AND (fts.rowid >> {shift}) IN (SELECT id FROM files WHERE {file_where})"
        rows = conn.execute(sql, params).fetchall()
        if keys:
            allowed = {r for (r,) in conn.execute("SELECT rowid FROM keys WHERE keys MATCH ?", [keys])}
            rows = [row for row in rows if row[0] in allowed]
        if query.excluded:
            excluded = {r for (r,) in conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?",
                                                     [query.excluded_match()])}
            rows = [row for row in rows if row[0] not in excluded]
        ranked = sorted(rows, key=lambda row: (row[1], row[0]))
    else:
        file_where, params = index._file_filters(query, "f.")
        if keys:
            sql = (f"SELECT k.rowid, 0.0 FROM keys k JOIN files f ON f.id = (k.rowid >> {shift})"
                   " WHERE keys MATCH ?")
            params.insert(0, f'{keys} AND part : "p0"')
            unit = "k.rowid"
        else:
            sql = (f"SELECT u.id, 0.0 FROM files f JOIN units u ON u.id >= (f.id << {shift})"
                   f" AND u.id < ((f.id + 1) << {shift}) WHERE +u.part = 0")
            unit = "u.id"
        if file_where:
            sql += f" AND {file_where}"
        if query.excluded:
            sql += f" AND +{unit} NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
            params.append(query.excluded_match())
        ranked = conn.execute(sql + f" ORDER BY f.date DESC, f.path DESC, {unit}", params).fetchall()
    details = {}
    for unit_id, _ in ranked:
        details[unit_id] = conn.execute(
            "SELECT u.kind, u.item_id, u.line, u.claim_kind, u.kj, u.label, f.path, f.brief_id, f.title,"
            f" f.date FROM units u JOIN files f ON f.id = (u.id >> {shift}) WHERE u.id = ?", [unit_id]).fetchone()
    kept, seen = [], set()
    for unit_id, score in ranked:
        kind, item_id, *_, path, _b, _t, _d = details[unit_id]
        if (path, kind, item_id) not in seen:
            seen.add((path, kind, item_id))
            kept.append((unit_id, score))
    if limit:
        kept = kept[:limit]
    columns = ", ".join(f"snippet(fts, {n}, '{HIT_START}', '{HIT_END}', '{ELLIPSIS}', {SNIPPET_TOKENS})"
                        for n in range(len(COLUMNS) - 1))
    columns += f", highlight(fts, {len(COLUMNS) - 1}, '{HIT_START}', '{HIT_END}')"
    hits = []
    for unit_id, score in kept:
        kind, item_id, line, claim_kind, kj, label, path, brief_id, title, date = details[unit_id]
        snippet = label
        if query.has_text:
            row = conn.execute(f"SELECT {columns} FROM fts WHERE fts MATCH ? AND +fts.rowid = ?",
                               [query.match(), unit_id]).fetchone()
            snippet = index_module._choose_snippet(row, label) or label
        hits.append(Hit(
            brief_id=brief_id, brief_title=title, path=path, line=line, kind=kind, item_id=item_id,
            target="front" if kind == "brief" else f"{kind}:{item_id}", snippet=index_module._safe(snippet),
            score=-score if score else 0.0, claim_kind=claim_kind, key_judgment=bool(kj), brief_date=date,
        ))
    return hits


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> LibraryIndex:
    folder = tmp_path_factory.mktemp("generated")
    load_script("make_library").generate(24, folder, seed=7, jobs=1)
    index = LibraryIndex(jobs=1)
    index.update(find_brief_files(folder)[0])
    return index


QUERIES = load_script("search_library").QUERIES + [
    "the", "a OR the", "kind:claim", "kind:section -the", "minsk -kyiv tag:arctic", "depl* kind:kj",
    "minsk OR kyiv -treaty -nuclear", "\"strategic security\" -warhead", "depl* -deployment", "treaty -depl*",
]


@pytest.mark.parametrize("lookup", [0, 10**9], ids=["snippets-looked-up", "snippets-in-one-walk"])
@pytest.mark.parametrize("limit", [1, 7, 50, 200, None])
def test_hits_are_those_of_scoring_every_match(generated, limit, lookup, monkeypatch):
    monkeypatch.setattr(index_module, "LOOKUP_FILES", lookup)
    for text in QUERIES:
        assert generated.search(text, limit=limit) == reference_search(generated, text, limit), text


FILTER_QUERIES = ["kind:assessment confidence:high", "kind:claim", "kind:kj", "kind:entity", "confidence:low",
                  "likelihood:likely after:2025", "kind:event tag:arctic", "kind:source before:2025-06",
                  "kind:fact,reported", "kind:section"]


@pytest.mark.parametrize("walk", [(4, 64), (1, 1), (10**6, 10**6)], ids=["default", "give-up", "walk-all"])
def test_filters_alone_walk_the_briefs_in_the_same_order(generated, monkeypatch, walk):
    monkeypatch.setattr(index_module, "WALK_START", walk[0])
    monkeypatch.setattr(index_module, "WALK_BRIEFS", walk[1])
    for text in FILTER_QUERIES:
        for limit in (1, 3, 50, 200, None):
            assert generated.search(text, limit=limit) == reference_search(generated, text, limit), (text, limit)

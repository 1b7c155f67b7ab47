"""`briefreader search`: grep-like lines, --json, exit statuses, the cache, and no
terminal escapes in output."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest

from briefreader.cli import main
from briefreader.loader import load_brief

HERE = Path(__file__).resolve().parent
BRIEFS = HERE.parent / "briefs"
ISW = "isw-oreshnik-belarus.brief.yaml"
LINE = re.compile(r"(?P<path>.+?):(?P<line>\d+): (?P<kind>brief|claim|section|source|entity|event) "
                  r"(?P<id>\S+): (?P<snippet>.+)")


def search(*args: str | Path) -> tuple[int, str]:
    out = StringIO()
    status = main(["search", *map(str, args)], out=out)
    return status, out.getvalue()


@pytest.fixture
def library(tmp_path: Path, briefreader_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "lib"
    shutil.copytree(BRIEFS, folder)
    monkeypatch.chdir(tmp_path)
    return folder


def test_grep_like_lines_with_real_lines_and_marked_terms(library):
    status, output = search("Lukashenka", library)
    assert status == 0
    lines = output.splitlines()
    assert lines and all(LINE.fullmatch(line) for line in lines), output
    brief = load_brief(library / ISW).brief
    for match in map(LINE.fullmatch, lines):
        assert match["path"] == f"lib/{ISW}"  # relative to the working folder, so editors can jump
        item = brief.get(match["id"])
        assert int(match["line"]) == (item.loc.line if item else brief.loc.line)
    first = LINE.fullmatch(lines[0])
    assert (first["kind"], first["id"]) == ("entity", "lukashenko")
    assert "**Lukashenka**" in first["snippet"]
    ids = [LINE.fullmatch(line)["id"] for line in lines]
    assert "lukashenko-requested-oreshnik" in ids


def test_nothing_matched_exits_1_like_grep(library):
    assert search("zzyzx", library) == (1, "")


@pytest.mark.parametrize("query, message", [
    ("kind:nonsense", "bad query: unknown kind 'nonsense'"),
    ("colour:red", "bad query: unknown filter 'colour:'"),
    ("after:2024-02-30", "bad query: after: wants a date"),
    ("", "nothing to search for"),
    ("&&", "nothing to search for"),
])
def test_bad_queries_exit_2(library, capsys, query, message):
    status, output = search(query, library)
    assert status == 2 and output == ""
    assert message in capsys.readouterr().err


def test_a_missing_path_exits_2_with_a_hint(library, capsys):
    assert search("putin", "kind:claim")[0] == 2
    err = capsys.readouterr().err
    assert "no such file or folder: kind:claim" in err and "in quotes" in err


def test_filters_and_text_from_the_command_line(library):
    status, output = search("oreshnik kind:assessment confidence:moderate", library)
    assert status == 0
    brief = load_brief(library / ISW).brief
    for match in map(LINE.fullmatch, output.splitlines()):
        claim = brief.claim(match["id"])
        assert claim.kind == "assessment" and claim.confidence == "moderate"


def test_json_for_tools(library):
    status, output = search("--json", "--limit", "5", '"union state"', library)
    assert status == 0
    data = json.loads(output)
    assert data["query"] == '"union state"' and data["files"] == 3 and data["failed"] == 0
    assert len(data["hits"]) == 5
    hit = data["hits"][0]
    assert set(hit) >= {"path", "line", "brief_id", "brief_title", "kind", "id", "target", "snippet",
                        "highlights", "score", "claim_kind", "key_judgment", "brief_date"}
    for hit in data["hits"]:
        assert "\ue000" not in hit["snippet"] and "**" not in hit["snippet"]
        assert hit["highlights"]
        for start, end in hit["highlights"]:
            assert hit["snippet"][start:end].casefold() in ("union", "state", "union state")
        assert hit["target"] == ("front" if hit["kind"] == "brief" else f"{hit['kind']}:{hit['id']}")
    assert search("--json", "zzyzx", library)[0] == 1
    assert json.loads(search("--json", "zzyzx", library)[1])["hits"] == []


def test_limit_says_when_there_is_more(library, capsys):
    status, output = search("--limit", "1", "oreshnik", library)
    assert status == 0 and len(output.splitlines()) == 1
    assert "showing the best 1 hits" in capsys.readouterr().err
    status, output = search("--limit", "0", "oreshnik", library)
    assert len(output.splitlines()) > 1 and output == search("--limit", "1000", "oreshnik", library)[1]
    assert "showing" not in capsys.readouterr().err


def test_the_cache_is_written_and_no_cache_writes_nothing(library, briefreader_home):
    cache = briefreader_home / "cache"
    assert search("--no-cache", "oreshnik", library)[0] == 0
    assert not cache.exists() or not any(cache.iterdir())
    assert search("oreshnik", library)[0] == 0
    assert len(list(cache.glob("index-v*.sqlite"))) == 1


def test_a_changed_brief_is_searched_afresh(library):
    assert search("khmeimim", library)[0] == 0
    path = library / ISW
    path.write_text(path.read_text(encoding="utf-8").replace("Khmeimim", "Hmeimim"), encoding="utf-8")
    assert search("khmeimim", library)[0] == 1
    new = library / "sub" / "new.brief.yaml"
    new.parent.mkdir()
    new.write_text('briefreader: 1\nid: new\ntitle: "Quasar sightings"\ndate: "2025-01-01"\n', encoding="utf-8")
    status, output = search("quasar", library)
    assert status == 0 and output.startswith("lib/sub/new.brief.yaml:")
    new.unlink()
    assert search("quasar", library)[0] == 1


def test_failed_briefs_are_counted_on_stderr(library, capsys):
    (library / "broken.brief.yaml").write_text("briefreader: 1\nid: [\n", encoding="utf-8")
    assert search("oreshnik", library)[0] == 0
    assert "1 brief could not be read and was not searched" in capsys.readouterr().err


def test_files_and_several_paths(library, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(library / "tour.brief.yaml", other / "tour.brief.yaml")
    status, output = search("kind:brief", library / ISW, other)
    assert status == 0
    assert {LINE.fullmatch(line)["path"] for line in output.splitlines()} == {
        f"lib/{ISW}", "other/tour.brief.yaml"}


def test_default_library_is_the_configured_one_else_the_bundled(briefreader_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, output = search("Лукашенко")
    assert status == 0 and ISW in output.splitlines()[0]
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "q.brief.yaml").write_text('briefreader: 1\nid: q\ntitle: "Quasar"\ndate: "2025-01-01"\n',
                                         encoding="utf-8")
    (briefreader_home / "config").mkdir()
    (briefreader_home / "config" / "config.toml").write_text(f'library = "{folder}"\n', encoding="utf-8")
    assert search("Лукашенко")[0] == 1
    assert search("quasar")[1].startswith("mine/q.brief.yaml:")


def test_output_never_contains_escape(tmp_path, briefreader_home, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "evil\x1b[31m.brief.yaml"
    evil.write_text('briefreader: 1\nid: evil\ntitle: "Quasar \\e[2J\\e]0;pwned\\a title"\n'
                    'date: "2025-01-01"\nbluf: "quasar \\u009b31m bluf"\n', encoding="utf-8")
    for args in (("quasar", tmp_path), ("--json", "quasar", tmp_path)):
        status, output = search(*args)
        assert status == 0 and "\x1b" not in output and "\x9b" not in output and "\x07" not in output
    assert "^[" in search("quasar", tmp_path)[1]
    result = subprocess.run([sys.executable, "-m", "briefreader", "search", "quasar", str(tmp_path)],
                            capture_output=True, env={**os.environ, "BRIEFREADER_HOME": str(briefreader_home)})
    assert result.returncode == 0 and b"\x1b" not in result.stdout + result.stderr


def test_help_documents_the_query_language(capsys):
    assert main(["search", "--help"]) == 0
    text = capsys.readouterr().out
    for word in ("kind:assessment", "confidence:high", "likelihood:likely", "tag:", "source:isw",
                 "entity:lukashenko", "after:2024-12-01", "before:", "--no-cache", "--json", "--limit"):
        assert word in text

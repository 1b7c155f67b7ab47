"""`briefreader review export` and `briefreader review status`: output and exit statuses."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest

from briefreader.cli import main
from briefreader.loader import load_brief
from briefreader.model import Claim
from briefreader.review import ReviewStore

HERE = Path(__file__).resolve().parent
BRIEFS = HERE.parent / "briefs"
ISW = BRIEFS / "isw-oreshnik-belarus.brief.yaml"
BROKEN = HERE / "fixtures" / "problems" / "unresolved-cites.brief.yaml"
STATUS_LINE = re.compile(r"(?P<id>[a-z0-9][a-z0-9._-]*): (?P<done>\d+)/(?P<total>\d+) reviewed "
                         r"\(agreed \d+, disputed \d+, needs-source \d+, flagged \d+(; \d+ stale)?(; \d+ orphaned)?\)")


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    status = main(["review", *map(str, args)], out=out)
    return status, out.getvalue()


def review(folder: Path | None = None):
    """Three judgments, two notes (one on a source) and an orphan, set through the API."""
    brief = load_brief(ISW).brief
    store = ReviewStore.open(brief.id, folder, reviewer="ana")
    store.set_status(brief, "council-met-2024-12-06", "agreed")
    store.set_status(brief, "security-agreement-signed", "agreed")
    store.set_status(brief, "no-added-strike-risk", "disputed")
    store.set_note(brief, "no-added-strike-risk", "Para. 12 says less than this.\nAsk the author.")
    store.set_note(brief, "isw-report", "Only seen through the news write-up.")
    loc = brief.claims[0].loc
    earlier = dataclasses.replace(brief, claims=brief.claims + (Claim("dropped-claim", "Gone now.", "fact", loc),))
    store.set_status(earlier, "dropped-claim", "flagged")
    return brief, store


@pytest.fixture
def reviewed(briefreader_home):
    return review()


def test_export_markdown_is_a_complete_report(reviewed):
    brief, store = reviewed
    status, out = run("export", ISW)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == lines[-1] == "UNCLASSIFIED // TLP:CLEAR"  # banner top and bottom
    total = len(brief.claims)
    for expected in (
        "# Review: Oreshnik in Belarus: ISW sees no added risk of medium-range missile strikes",
        "- Brief: isw-oreshnik-belarus", "- Status: final", "- Authors: briefreader project",
        "- Reviewers: ana", f"3/{total} claims reviewed.", "- agreed: 2", "- disputed: 1",
        "- stale: 0", "- orphaned: 1",
        "### DISPUTED: no-added-strike-risk", "### AGREED: council-met-2024-12-06",
        "> Para. 12 says less than this.", "> Ask the author.",
        "- Badges: [ASSESSMENT] [very likely, 80-95%] [moderate confidence] "
        "[by Institute for the Study of War] [stance: reported]",
        "  - news-article, para. 2, C2: [News write-up of ISW's assessment of Oreshnik basing in Belarus]",
        "  - isw-report, B-: [ISW assessment of Oreshnik basing in Belarus, December 2024]",
        "## Notes on sources", "### isw-report", "> Only seen through the news write-up.",
        "## Orphaned entries", "### FLAGGED: claim dropped-claim", "> Gone now.",
    ):
        assert expected in lines, expected
    reviewed_at = store.get("no-added-strike-risk").time
    assert f"- Reviewed by ana at {reviewed_at}" in lines
    assert lines.index("## Reviewed claims") < lines.index("## Notes on sources") < lines.index("## Orphaned entries")
    assert "\x1b" not in out


def test_export_json(reviewed):
    brief, _ = reviewed
    status, out = run("export", ISW, "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert data["banner"] == data["banner_end"] == "UNCLASSIFIED // TLP:CLEAR"
    assert data["brief"]["id"] == brief.id and data["brief"]["status"] == "final"
    assert data["brief"]["file"] == ISW.name  # not the local path: the report travels
    assert data["progress"] == {
        "reviewed": 3, "total": len(brief.claims), "stale": 0, "orphaned": 1,
        "by_status": {"unreviewed": len(brief.claims) - 3, "agreed": 2, "disputed": 1,
                      "needs-source": 0, "flagged": 0}}
    claims = {c["id"]: c for c in data["claims"]}
    assert set(claims) == {"council-met-2024-12-06", "security-agreement-signed", "no-added-strike-risk"}
    disputed = claims["no-added-strike-risk"]
    assert disputed["status"] == "disputed" and disputed["reviewer"] == "ana" and not disputed["stale"]
    assert disputed["note"] == "Para. 12 says less than this.\nAsk the author."
    assert [c["grade"] for c in disputed["citations"]] == ["C2", "C2", "B-"]
    assert [s["id"] for s in data["sources"]] == ["isw-report"]
    assert [(o["id"], o["status"]) for o in data["orphaned"]] == [("dropped-claim", "flagged")]
    assert "council-met-2024-12-06" not in data["unreviewed"]


def test_export_to_a_file_is_atomic_and_reads_nothing_else(reviewed, tmp_path):
    _, store = reviewed
    before = store.path.read_bytes()
    target = tmp_path / "out" / "review.md"
    status, out = run("export", ISW, "-o", target)
    assert (status, out) == (0, "")
    assert target.read_text(encoding="utf-8").startswith("UNCLASSIFIED // TLP:CLEAR\n")
    assert [p.name for p in target.parent.iterdir()] == ["review.md"]  # no temp file left
    status, _ = run("export", ISW, "--format", "json", "--output", target)
    assert status == 0 and json.loads(target.read_text(encoding="utf-8"))["progress"]["reviewed"] == 3
    assert store.path.read_bytes() == before  # exporting never rewrites the review


def test_review_dir_option_and_config(briefreader_home, tmp_path):
    team = tmp_path / "team"
    review(team)
    assert run("export", ISW, "--format", "json")[1].count('"status": "agreed"') == 0
    data = json.loads(run("export", ISW, "--format", "json", "--review-dir", team)[1])
    assert data["progress"]["reviewed"] == 3
    config = briefreader_home / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text(f"review_dir = {json.dumps(str(team))}\n", encoding="utf-8")
    data = json.loads(run("export", ISW, "--format", "json")[1])
    assert data["progress"]["reviewed"] == 3
    status, out = run("status", ISW)
    assert status == 0 and out.startswith("isw-oreshnik-belarus: 3/")


def test_status_prints_one_line_per_brief(reviewed):
    brief, _ = reviewed
    status, out = run("status", BRIEFS)
    assert status == 0
    lines = out.splitlines()
    assert all(STATUS_LINE.fullmatch(line) for line in lines), lines
    assert f"isw-oreshnik-belarus: 3/{len(brief.claims)} reviewed (agreed 2, disputed 1, needs-source 0, " \
           "flagged 0; 1 orphaned)" in lines
    assert {STATUS_LINE.fullmatch(line)["id"] for line in lines} == {
        load_brief(p).brief.id for p in BRIEFS.glob("*.brief.yaml")}


def test_status_shows_stale_reviews(reviewed, tmp_path):
    copy = tmp_path / "changed" / ISW.name
    copy.parent.mkdir()
    text = ISW.read_text(encoding="utf-8")
    copy.write_text(text.replace("met in Minsk on 6 December 2024.", "met in Minsk in December 2024."),
                    encoding="utf-8")
    status, out = run("status", copy)
    assert status == 0
    assert out.rstrip("\n").endswith("flagged 0; 1 stale; 1 orphaned)")
    data = json.loads(run("export", copy, "--format", "json")[1])
    stale = {c["id"]: c["stale"] for c in data["claims"]}
    assert stale == {"council-met-2024-12-06": True, "security-agreement-signed": False,
                     "no-added-strike-risk": False}
    markdown = run("export", copy)[1]
    assert "### AGREED: council-met-2024-12-06 (STALE)" in markdown
    assert "> The Union State's Supreme State Council met in Minsk on 6 December 2024." in markdown


def test_a_damaged_review_file_is_reported_not_fatal(briefreader_home, capsys):
    folder = briefreader_home / "data" / "reviews"
    folder.mkdir(parents=True)
    (folder / "isw-oreshnik-belarus.review.json").write_text("{ not json", encoding="utf-8")
    status, out = run("status", ISW)
    assert status == 0 and "0/" in out
    assert "damaged" in capsys.readouterr().err
    assert len(list(folder.glob("*.corrupt-*"))) == 1


def test_exit_statuses(briefreader_home, tmp_path, capsys):
    assert run("export", BROKEN)[0] == 1  # the brief does not load
    err = capsys.readouterr().err
    assert "unknown source 'no-such-source'" in err and "could not be opened" in err
    assert run("export", tmp_path / "missing.brief.yaml")[0] == 2
    assert run("export", BRIEFS)[0] == 2  # a folder is not a brief file
    assert run("export", ISW, "--format", "html")[0] == 2
    assert run()[0] == 2  # no action
    assert run("status")[0] == 2
    assert run("status", tmp_path / "missing")[0] == 2
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(ISW, mixed)
    shutil.copy(BROKEN, mixed)
    status, out = run("status", mixed)
    assert status == 1 and out.startswith("isw-oreshnik-belarus: 0/")  # the good brief is still shown
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("status", empty)[0] == 1
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    assert run("export", ISW, "-o", blocked / "report.md")[0] == 1  # cannot write the report

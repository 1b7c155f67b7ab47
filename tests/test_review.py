"""The review store: statuses and notes, saved on every change, merged, never lost."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from briefreader.config import load_config
from briefreader.loader import load_brief
from briefreader.model import Brief
from briefreader.review import (
    STATUSES, ReviewError, ReviewStore, export_json, export_markdown, fingerprint, merge,
    reviewer_name,
)

BRIEF_FILE = Path(__file__).resolve().parent.parent / "briefs" / "isw-oreshnik-belarus.brief.yaml"
FACT = "council-met-2024-12-06"
JUDGMENT = "no-added-strike-risk"
OTHER = "security-agreement-signed"


class Clock:
    """A clock that ticks one second per reading, so 'newest' never depends on timing."""

    def __init__(self, start: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)):
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


def load(path: Path = BRIEF_FILE) -> Brief:
    entry = load_brief(path)
    assert entry.brief is not None, entry.problems
    return entry.brief


def edited(tmp_path: Path, old: str, new: str) -> Brief:
    """The bundled brief with one piece of its YAML changed."""
    text = BRIEF_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    copy = tmp_path / "edited" / BRIEF_FILE.name
    copy.parent.mkdir(exist_ok=True)
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return load(copy)


@pytest.fixture
def brief() -> Brief:
    return load()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "reviews"


def open_store(brief: Brief, folder: Path, **kwargs) -> ReviewStore:
    kwargs.setdefault("reviewer", "ana")
    return ReviewStore.open(brief.id, folder, **kwargs)


def on_disk(folder: Path, brief: Brief) -> dict:
    return json.loads((folder / f"{brief.id}.review.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# Setting and getting


def test_set_status_and_note_then_get(brief, folder):
    store = open_store(brief, folder)
    assert store.get(FACT) is None and store.status(FACT) == "unreviewed"
    entry = store.set_status(brief, FACT, "agreed")
    assert (entry.status, entry.reviewer, entry.kind) == ("agreed", "ana", "claim")
    assert entry.time.endswith("Z") and dt.datetime.fromisoformat(entry.time.replace("Z", "+00:00"))
    assert entry.fingerprint == fingerprint(brief.claim(FACT))
    store.set_note(brief, FACT, "Checked para. 2.\nAnd para. 6.\n")
    got = store.get(FACT)
    assert got.status == "agreed" and got.note == "Checked para. 2.\nAnd para. 6."
    store.set_status(brief, JUDGMENT, "needs source")  # the words of the issue work too
    assert store.status(JUDGMENT) == "needs-source"
    store.set_note(brief, "isw-report", "Paywalled.")
    assert store.get("isw-report").kind == "source"


def test_bad_requests_are_refused(brief, folder):
    store = open_store(brief, folder)
    with pytest.raises(ReviewError):
        store.set_status(brief, FACT, "maybe")
    with pytest.raises(ReviewError):
        store.set_status(brief, "no-such-claim", "agreed")
    with pytest.raises(ReviewError):
        store.set_status(brief, "isw-report", "agreed")  # sources take notes, not statuses
    with pytest.raises(ReviewError):
        store.set_note(brief, "belarus", "entities are not reviewed")
    other = ReviewStore.open("another-brief", folder, reviewer="ana")
    with pytest.raises(ReviewError):
        other.set_status(brief, FACT, "agreed")
    with pytest.raises(ReviewError):
        ReviewStore.open("../escape", folder, reviewer="ana")
    assert not folder.exists()  # nothing was changed, so nothing was written


def test_clear_and_blank_note(brief, folder):
    store = open_store(brief, folder)
    store.set_status(brief, FACT, "flagged")
    store.set_note(brief, FACT, "why")
    store.set_note(brief, FACT, "  \n")
    assert store.get(FACT).note == "" and store.status(FACT) == "flagged"
    store.clear(brief, FACT)
    assert store.get(FACT) is None and store.status(FACT) == "unreviewed"
    assert open_store(brief, folder).get(FACT) is None
    assert store.entries() == []


# ---------------------------------------------------------------------------
# On disk


def test_every_change_is_saved_and_reloads(brief, folder):
    store = open_store(brief, folder)
    store.set_status(brief, FACT, "agreed")
    assert open_store(brief, folder).status(FACT) == "agreed"  # saved now, not on quit
    store.set_note(brief, JUDGMENT, "Line one.\nLine two.")
    again = open_store(brief, folder)
    assert again.get(JUDGMENT).note == "Line one.\nLine two."
    assert again.get(FACT) == store.get(FACT)
    data = on_disk(folder, brief)
    assert data["format"] == "briefreader-review" and data["version"] == 1
    assert data["brief"] == brief.id
    assert data["entries"][FACT]["status"] == "agreed"
    assert data["entries"][JUDGMENT]["note"] == "Line one.\nLine two."


def test_saves_leave_no_temp_files(brief, folder):
    store = open_store(brief, folder)
    for status in ("agreed", "disputed", "needs-source", "flagged", "unreviewed", "agreed"):
        store.set_status(brief, FACT, status)
        store.set_note(brief, OTHER, f"note while {status}")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"{brief.id}.review.json", f"{brief.id}.review.json.lock"]


def test_a_dead_writers_temp_file_is_removed_on_the_next_save(brief, folder):
    store = open_store(brief, folder)
    store.set_status(brief, FACT, "agreed")
    leftover = folder / f".{brief.id}.review.json.abc123.tmp"
    leftover.write_text('{"half": ', encoding="utf-8")
    store.set_status(brief, OTHER, "agreed")
    assert not leftover.exists()


def test_persist_false_writes_and_reads_nothing(brief, folder, tmp_path):
    open_store(brief, folder).set_status(brief, OTHER, "agreed")
    before = {p: p.read_bytes() for p in folder.iterdir()}
    store = open_store(brief, folder, persist=False)
    assert store.get(OTHER) is None  # secure mode does not read the file either
    store.set_status(brief, FACT, "disputed")
    store.set_note(brief, FACT, "secret")
    store.clear(brief, FACT)
    store.set_status(brief, JUDGMENT, "agreed")
    assert store.status(JUDGMENT) == "agreed" and not store.notice
    assert {p: p.read_bytes() for p in folder.iterdir()} == before
    memory_only = ReviewStore.open(brief.id, tmp_path / "never", persist=False, reviewer="ana")
    memory_only.set_status(brief, FACT, "agreed")
    assert not (tmp_path / "never").exists()


def test_a_failed_save_is_reported_and_retried(brief, tmp_path):
    blocker = tmp_path / "reviews"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    store = open_store(brief, blocker)
    store.set_status(brief, FACT, "agreed")
    assert store.unsaved and "cannot save" in store.notice
    assert store.status(FACT) == "agreed"  # kept in memory
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"
    blocker.unlink()
    store.take_notice()
    store.set_status(brief, OTHER, "disputed")
    assert not store.unsaved and not store.notice
    again = open_store(brief, blocker)
    assert (again.status(FACT), again.status(OTHER)) == ("agreed", "disputed")


# ---------------------------------------------------------------------------
# Two writers


def test_two_writers_merge_per_claim_newest_wins(brief, folder):
    clock = Clock()
    a = open_store(brief, folder, reviewer="ana", clock=clock)
    b = open_store(brief, folder, reviewer="ben", clock=clock)
    a.set_status(brief, FACT, "agreed")
    b.set_status(brief, OTHER, "disputed")  # b has not seen a's entry: it must not drop it
    a.set_status(brief, JUDGMENT, "flagged")
    b.set_status(brief, JUDGMENT, "agreed")  # newer than a's
    a.set_note(brief, FACT, "a's note")
    final = open_store(brief, folder)
    assert final.status(FACT) == "agreed" and final.get(FACT).note == "a's note"
    assert final.status(OTHER) == "disputed" and final.get(OTHER).reviewer == "ben"
    assert final.status(JUDGMENT) == "agreed" and final.get(JUDGMENT).reviewer == "ben"
    # each writer's view was refreshed from the merge when it saved
    assert a.status(OTHER) == "disputed" and a.status(JUDGMENT) == "agreed"
    assert b.status(FACT) == "agreed"


def test_an_older_entry_saved_later_loses(brief, folder):
    early = Clock(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    late = Clock(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))
    a = open_store(brief, folder, reviewer="ana", clock=late)
    b = open_store(brief, folder, reviewer="ben", clock=early)
    a.set_status(brief, FACT, "agreed")
    b.set_status(brief, FACT, "disputed")  # written second, but its time is older
    assert open_store(brief, folder).status(FACT) == "agreed"
    assert b.status(FACT) == "agreed"  # b now shows the entry that won


def test_a_change_wins_over_the_entry_it_replaces_even_if_the_clock_went_back(brief, folder):
    clock = Clock(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))
    store = open_store(brief, folder, clock=clock)
    store.set_status(brief, FACT, "agreed")
    clock.now = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    store.set_status(brief, FACT, "disputed")
    assert open_store(brief, folder).status(FACT) == "disputed"


def test_clearing_survives_a_merge_with_an_older_copy(brief, folder):
    clock = Clock()
    a = open_store(brief, folder, clock=clock)
    a.set_status(brief, FACT, "agreed")
    b = open_store(brief, folder, clock=clock)  # b holds the agreed entry
    a.clear(brief, FACT)
    b.set_status(brief, OTHER, "agreed")
    assert open_store(brief, folder).get(FACT) is None
    assert b.get(FACT) is None


def test_refresh_reads_what_another_process_saved(brief, folder):
    clock = Clock()
    a = open_store(brief, folder, clock=clock)
    b = open_store(brief, folder, clock=clock)
    b.set_status(brief, FACT, "flagged")
    assert a.status(FACT) == "unreviewed"
    assert a.refresh() is True
    assert a.status(FACT) == "flagged"
    assert a.refresh() is False


def test_merge_is_the_same_whichever_side_comes_first(brief, folder):
    store = open_store(brief, folder, persist=False, clock=Clock())
    one = {FACT: store.set_status(brief, FACT, "agreed")}
    two = {FACT: dataclasses.replace(one[FACT], status="disputed")}  # same time: a tie
    assert merge(one, two) == merge(two, one)


# ---------------------------------------------------------------------------
# Stale and orphaned


def test_a_changed_claim_text_makes_the_review_stale(brief, folder, tmp_path):
    store = open_store(brief, folder)
    store.set_status(brief, FACT, "agreed")
    store.set_status(brief, OTHER, "agreed")
    changed = edited(tmp_path, "met in Minsk on 6 December 2024.", "met in Minsk on 7 December 2024.")
    store = open_store(changed, folder)
    assert store.is_stale(changed, FACT) and not store.is_stale(changed, OTHER)
    assert [e.item_id for e in store.stale(changed)] == [FACT]
    assert store.status(FACT) == "agreed"  # shown as stale, not dropped
    assert store.progress(changed).stale == 1
    assert "6 December" in store.get(FACT).text  # what was reviewed is kept
    store.set_note(changed, FACT, "still fine?")
    assert store.is_stale(changed, FACT)  # a note does not re-judge the claim
    store.set_status(changed, FACT, "agreed")
    assert not store.is_stale(changed, FACT)


def test_changed_citations_or_likelihood_make_the_review_stale(brief, folder, tmp_path):
    store = open_store(brief, folder)
    store.set_status(brief, FACT, "agreed")
    store.set_status(brief, JUDGMENT, "agreed")
    store.set_note(brief, "isw-report", "good source")
    text = BRIEF_FILE.read_text(encoding="utf-8")
    assert text.count("locator: {paragraph: 6}") >= 1
    credibility = edited(tmp_path, "    cites:\n      - source: news-article\n        locator: {paragraph: 2}\n"
                                   "        quote: \"Supreme State Council of the Union State\"\n"
                                   "        credibility: 2",
                         "    cites:\n      - source: news-article\n        locator: {paragraph: 2}\n"
                         "        quote: \"Supreme State Council of the Union State\"\n"
                         "        credibility: 3")
    assert store.is_stale(credibility, FACT) and not store.is_stale(credibility, JUDGMENT)
    judgment = brief.claim(JUDGMENT)
    likelihood = dataclasses.replace(brief, claims=tuple(
        dataclasses.replace(c, likelihood="likely") if c.id == JUDGMENT else c for c in brief.claims))
    assert store.is_stale(likelihood, JUDGMENT) and judgment.likelihood != "likely"
    reliability = dataclasses.replace(brief, sources=tuple(
        dataclasses.replace(s, reliability="D") if s.id == "isw-report" else s for s in brief.sources))
    assert store.is_stale(reliability, "isw-report")


def test_moving_lines_or_rewrapping_text_is_not_a_change(brief, folder, tmp_path):
    store = open_store(brief, folder)
    store.set_status(brief, FACT, "agreed")
    store.set_status(brief, "range-premise", "agreed")
    shifted = edited(tmp_path, "  - id: council-met-2024-12-06\n",
                     "  # a comment that moves every line below\n\n  - id: council-met-2024-12-06\n")
    assert shifted.claim(FACT).loc != brief.claim(FACT).loc
    assert store.stale(shifted) == []
    rewrapped = dataclasses.replace(brief, claims=tuple(
        dataclasses.replace(c, text=c.text.replace(" ", "\n", 3)) if c.id == "range-premise" else c
        for c in brief.claims))
    assert not store.is_stale(rewrapped, "range-premise")


def test_entries_of_claims_that_left_the_brief_are_orphaned_and_kept(brief, folder):
    store = open_store(brief, folder)
    store.set_status(brief, FACT, "disputed")
    store.set_note(brief, FACT, "wrong date")
    store.set_status(brief, OTHER, "agreed")
    smaller = dataclasses.replace(brief, claims=tuple(c for c in brief.claims if c.id != FACT))
    store = open_store(smaller, folder)
    assert [e.item_id for e in store.orphaned(smaller)] == [FACT]
    assert store.get(FACT).note == "wrong date"
    progress = store.progress(smaller)
    assert (progress.reviewed, progress.total, progress.orphaned) == (1, len(brief.claims) - 1, 1)
    store.set_status(smaller, OTHER, "flagged")  # saving keeps the orphan on disk
    assert on_disk(folder, brief)["entries"][FACT]["note"] == "wrong date"
    store.clear(None, FACT)  # an orphan can be cleared on purpose
    assert store.orphaned(smaller) == []


# ---------------------------------------------------------------------------
# Damaged and newer files


def review_file(folder: Path, brief: Brief) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{brief.id}.review.json"


@pytest.mark.parametrize("content", [
    b'{"format": "briefreader-review", "version": 1, "brief": "isw-oreshnik-belarus", "entr',
    b"\xff\xfe not utf-8",
    b"[1, 2, 3]",
    b'{"format": "briefreader-review", "version": 1, "brief": "isw-oreshnik-belarus", '
    b'"entries": {"council-met-2024-12-06": {"kind": "claim", "status": "maybe", "note": "",'
    b' "reviewer": "x", "time": "2026-01-01T00:00:00Z", "fingerprint": "", "text": ""}}}',
    b'{"format": "briefreader-review", "version": 1, "brief": "some-other-brief", "entries": {}}',
], ids=["truncated", "not-utf8", "not-object", "bad-status", "other-brief"])
def test_a_damaged_file_is_set_aside_and_reported(brief, folder, content):
    path = review_file(folder, brief)
    path.write_bytes(content)
    store = open_store(brief, folder)
    assert "damaged" in store.notice and "corrupt" in store.notice
    kept = list(folder.glob(f"{path.name}.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert store.entries() == []
    store.set_status(brief, FACT, "agreed")
    assert kept[0].read_bytes() == content  # never overwritten
    assert on_disk(folder, brief)["entries"][FACT]["status"] == "agreed"


def test_a_newer_version_file_is_set_aside_and_reported(brief, folder):
    path = review_file(folder, brief)
    content = json.dumps({"format": "briefreader-review", "version": 2, "brief": brief.id,
                          "claims": {"whatever": "a future layout"}})
    path.write_text(content, encoding="utf-8")
    store = open_store(brief, folder)
    assert "newer briefreader" in store.notice and "version 2" in store.notice
    kept = list(folder.glob(f"{path.name}.v2-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == content
    assert not path.exists()


def test_a_file_damaged_during_a_session_is_set_aside_at_the_next_save(brief, folder):
    store = open_store(brief, folder)
    store.set_status(brief, FACT, "agreed")
    path = review_file(folder, brief)
    path.write_text("{ hand edit gone wrong", encoding="utf-8")
    store.set_status(brief, OTHER, "agreed")
    assert "damaged" in store.notice
    assert [p.read_text(encoding="utf-8") for p in folder.glob("*.corrupt-*")] == ["{ hand edit gone wrong"]
    entries = on_disk(folder, brief)["entries"]
    assert entries[FACT]["status"] == entries[OTHER]["status"] == "agreed"  # nothing of ours lost


# ---------------------------------------------------------------------------
# Who reviews, where reviews live


def test_reviewer_from_config_then_user_then_logname(monkeypatch, briefreader_home, brief):
    monkeypatch.setenv("USER", "user-name")
    monkeypatch.setenv("LOGNAME", "log-name")
    assert reviewer_name(load_config()) == "user-name"
    assert ReviewStore.open(brief.id).reviewer == "user-name"
    monkeypatch.delenv("USER")
    assert reviewer_name(load_config()) == "log-name"
    monkeypatch.delenv("LOGNAME")
    assert reviewer_name(load_config()) == "unknown"
    config_file = briefreader_home / "config" / "config.toml"
    config_file.parent.mkdir()
    config_file.write_text('reviewer = "A. Analyst"\n', encoding="utf-8")
    monkeypatch.setenv("USER", "user-name")
    assert reviewer_name(load_config()) == "A. Analyst"
    store = ReviewStore.open(brief.id)
    assert store.reviewer == "A. Analyst"
    assert store.set_status(brief, FACT, "agreed").reviewer == "A. Analyst"


def test_reviews_live_in_the_data_folder_or_the_configured_one(briefreader_home, brief, tmp_path):
    store = ReviewStore.open(brief.id, reviewer="ana")
    store.set_status(brief, FACT, "agreed")
    assert (briefreader_home / "data" / "reviews" / f"{brief.id}.review.json").is_file()
    team = tmp_path / "team-reviews"
    config_file = briefreader_home / "config" / "config.toml"
    config_file.parent.mkdir()
    config_file.write_text(f"review_dir = {json.dumps(str(team))}\n", encoding="utf-8")
    assert load_config().review_dir == team
    ReviewStore.open(brief.id, reviewer="ana").set_status(brief, OTHER, "agreed")
    assert (team / f"{brief.id}.review.json").is_file()


# ---------------------------------------------------------------------------
# Progress, jumps, export


def test_progress_counts_and_summary(brief, folder):
    store = open_store(brief, folder)
    for claim_id, status in ((FACT, "agreed"), (OTHER, "agreed"), (JUDGMENT, "disputed"),
                             ("range-premise", "needs-source"), ("officer-losses", "flagged")):
        store.set_status(brief, claim_id, status)
    store.set_note(brief, "ten-further-documents", "a note alone is not a review")
    progress = store.progress(brief)
    total = len(brief.claims)
    assert (progress.reviewed, progress.total, progress.stale, progress.orphaned) == (5, total, 0, 0)
    assert progress.by_status == {"unreviewed": total - 5, "agreed": 2, "disputed": 1,
                                  "needs-source": 1, "flagged": 1}
    assert list(progress.by_status) == list(STATUSES)
    assert str(progress) == f"5/{total} claims reviewed"
    assert progress.summary() == f"5/{total} reviewed (agreed 2, disputed 1, needs-source 1, flagged 1)"


def test_next_claim_by_status_wraps_round(brief, folder):
    store = open_store(brief, folder)
    ids = [c.id for c in brief.claims]
    store.set_status(brief, ids[1], "disputed")
    store.set_status(brief, ids[4], "flagged")
    for claim_id in ids[:3]:
        if store.status(claim_id) == "unreviewed":
            store.set_status(brief, claim_id, "agreed")
    assert store.next_claim(brief, ids[0], ["unreviewed"]) == ids[3]
    assert store.next_claim(brief, ids[4], ["disputed", "flagged"]) == ids[1]  # wrapped
    assert store.next_claim(brief, ids[4], ["disputed", "flagged"], backwards=True) == ids[1]
    assert store.next_claim(brief, None, ["needs-source"]) is None


def test_export_holds_the_review_and_cannot_be_broken_by_a_note(brief, folder):
    store = open_store(brief, folder)
    store.set_status(brief, JUDGMENT, "disputed")
    store.set_note(brief, JUDGMENT, "# Not a heading\n<!-- hides the rest\n```\n| a | b |\n1. x")
    store.set_note(brief, "isw-report", "[Paywalled]: http://example.com")
    text = export_markdown(brief, store)
    lines = text.splitlines()
    assert lines[0] == lines[-1] == "UNCLASSIFIED // TLP:CLEAR"
    headings = [line for line in lines if line.startswith("#")]
    assert headings[0].startswith("# Review: Oreshnik in Belarus")
    assert "### DISPUTED: no-added-strike-risk" in headings
    assert not any("Not a heading" in h for h in headings)
    assert "<!--" not in text.replace("\\<!--", "")
    assert not any(line.startswith(("```", "|", "[")) for line in lines)
    assert "> \\# Not a heading" in lines and "> \\<!-- hides the rest" in lines
    data = export_json(brief, store)
    assert data["claims"][0]["note"].startswith("# Not a heading")  # JSON carries the text as is
    assert data["sources"][0]["note"] == "[Paywalled]: http://example.com"


def test_new_files_are_as_private_as_their_folder(brief, tmp_path):
    import os

    mask = os.umask(0)
    os.umask(mask)
    private = tmp_path / "mine" / "reviews"
    open_store(brief, private).set_status(brief, FACT, "agreed")
    assert private.stat().st_mode & 0o777 == 0o700  # a folder briefreader makes is private
    assert (private / f"{brief.id}.review.json").stat().st_mode & 0o777 == 0o600
    team = tmp_path / "team"
    team.mkdir()
    team.chmod(0o775)
    open_store(brief, team).set_status(brief, FACT, "agreed")
    path = team / f"{brief.id}.review.json"
    assert path.stat().st_mode & 0o777 == 0o664 & ~mask
    path.chmod(0o660)  # a mode set on purpose is kept
    open_store(brief, team).set_status(brief, OTHER, "agreed")
    assert path.stat().st_mode & 0o777 == 0o660

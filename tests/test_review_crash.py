"""Reviews survive a writer killed at any moment, and two writers at once.

A child process saves reviews in a loop and prints ``ack <id>`` only after the
save returned.  The parent SIGKILLs it at random moments; after each kill the
review file must load as it is (no repair, nothing set aside) and hold every
entry acknowledged before the kill.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader.review import STATUSES, ReviewStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")

BRIEF_ID = "crash-test"

# The child: a brief of many claims, each reviewed (status, then a note: two
# saves) and acknowledged on stdout once both saves have returned.  It waits for
# a line on stdin before it starts, so two children can be started together.
CHILD = r"""
import sys
from briefreader.model import Brief, Claim, Loc
from briefreader.review import STATUSES, ReviewStore

folder, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
loc = Loc("crash.brief.yaml", 1, 1)
claims = tuple(Claim(f"{prefix}-{i}", f"Claim {i} of {prefix}.", "fact", loc) for i in range(count))
brief = Brief(id="crash-test", title="Crash test", date="2026-01-01", path="crash.brief.yaml",
              loc=loc, claims=claims)
store = ReviewStore.open("crash-test", folder, reviewer=prefix)
print("ready", flush=True)
sys.stdin.readline()
for i, claim in enumerate(claims):
    store.set_status(brief, claim.id, STATUSES[1 + i % 4])
    store.set_note(brief, claim.id, f"note {i}\nby {prefix}")
    if store.notice or store.unsaved:
        print("trouble", store.notice, flush=True)
        sys.exit(3)
    print("ack", claim.id, flush=True)
print("done", flush=True)
"""


def start(folder: Path, prefix: str, count: int) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), prefix, str(count)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = child.stdout.readline()
    if ready != "ready\n":
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"the child did not start: {ready!r}\n{err}")
    return child


def acknowledged(output: str) -> list[str]:
    """Ids from complete ``ack`` lines (a line cut short by the kill does not count)."""
    return [line.split()[1] for line in output.splitlines(keepends=True)
            if line.startswith("ack ") and line.endswith("\n")]


def expected(claim_id: str) -> tuple[str, str]:
    prefix, _, number = claim_id.rpartition("-")
    i = int(number)
    return STATUSES[1 + i % 4], f"note {i}\nby {prefix}"


def check_file(folder: Path, acked: list[str]) -> None:
    path = folder / f"{BRIEF_ID}.review.json"
    if not acked and not path.exists():
        return
    data = json.loads(path.read_text(encoding="utf-8"))  # loads as it is
    assert data["version"] == 1
    store = ReviewStore.open(BRIEF_ID, folder, reviewer="parent")
    assert store.notice == ""
    assert not list(folder.glob("*.corrupt-*"))
    for claim_id in acked:
        entry = store.get(claim_id)
        assert entry is not None, f"acknowledged entry {claim_id} lost"
        assert (entry.status, entry.note) == expected(claim_id)


def seed_entries(folder: Path, count: int) -> list[str]:
    """A review file written as any briefreader would, with ``count`` entries of old claims."""
    folder.mkdir(parents=True)
    entries = {}
    for i in range(count):
        status, note = expected(f"old-{i}")
        entries[f"old-{i}"] = {"kind": "claim", "status": status, "note": note, "reviewer": "old",
                               "time": "2025-01-01T00:00:00.000000Z", "fingerprint": "0" * 32,
                               "text": f"Claim {i}, reviewed long ago and since removed."}
    data = {"format": "briefreader-review", "version": 1, "brief": BRIEF_ID, "entries": entries}
    (folder / f"{BRIEF_ID}.review.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return list(entries)


def test_a_writer_killed_at_random_moments_never_loses_an_acknowledged_entry(tmp_path):
    seed = random.randrange(2 ** 32)
    rng = random.Random(seed)
    folder = tmp_path / "reviews"
    acked = seed_entries(folder, 3000)  # a big file: every save takes a while, so kills land mid-write
    check_file(folder, acked)
    for round_ in range(10):
        child = start(folder, f"r{round_}", 20_000)
        try:
            child.stdin.write("go\n")
            child.stdin.flush()
            try:
                child.wait(timeout=rng.uniform(0.02, 0.2))
            except subprocess.TimeoutExpired:
                pass
            child.send_signal(signal.SIGKILL)
        finally:
            out, err = child.communicate()
        assert child.returncode == -signal.SIGKILL, f"seed {seed}: the child ended by itself\n{out[-500:]}{err}"
        acked += acknowledged(out)
        check_file(folder, acked)
    assert acked, f"seed {seed}: no save was acknowledged in ten runs"
    # a later writer cleans up what a killed one left half-written, and keeps everything
    store = ReviewStore.open(BRIEF_ID, folder, reviewer="parent")
    entries_before = {e.item_id: e for e in store.entries()}
    from briefreader.model import Brief, Claim, Loc

    loc = Loc("crash.brief.yaml", 1, 1)
    brief = Brief(id=BRIEF_ID, title="Crash test", date="2026-01-01", path="crash.brief.yaml", loc=loc,
                  claims=(Claim("after", "After the crashes.", "fact", loc),))
    store.set_status(brief, "after", "agreed")
    assert not list(folder.glob(".*.tmp"))
    after = ReviewStore.open(BRIEF_ID, folder, reviewer="parent")
    assert {e.item_id for e in after.entries()} == set(entries_before) | {"after"}


def test_two_writers_at_once_keep_each_others_entries(tmp_path):
    folder = tmp_path / "reviews"
    count = 25
    children = [start(folder, prefix, count) for prefix in ("ana", "ben")]
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, out + err
        assert out.endswith("done\n")
        outputs.append(out)
    acked = [claim_id for out in outputs for claim_id in acknowledged(out)]
    assert len(acked) == 2 * count
    check_file(folder, acked)

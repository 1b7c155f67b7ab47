"""Claim review: a status and a note per claim (and a note per source), kept safe on disk.

One review file per brief id, ``<brief-id>.review.json``, in
``paths.data_dir() / "reviews"`` unless a folder is given (``--review-dir``,
config ``review_dir``: a team can keep reviews beside its briefs).  JSON rather
than YAML: the standard library reads and writes it exactly, nothing turns
``no`` into ``false``, and it is still plain text a person can read and diff
(one entry per line, sorted by id, so a change is a one-line diff)::

    {
      "format": "briefreader-review",
      "version": 1,
      "brief": "isw-oreshnik-belarus",
      "entries": {
        "no-added-strike-risk": {"kind": "claim", "status": "disputed", "note": "Para. 12 says less.", "reviewer": "ana", "time": "2026-11-26T19:50:01.123456Z", "fingerprint": "9c1e...", "text": "Stationing Oreshnik ..."}
      }
    }

Every change is saved at once: under an exclusive ``flock`` on the sibling
``.lock`` file the store reads the file, merges it with what it holds (per item,
the newest ``time`` wins), writes the result atomically (``storage.write_atomic``:
temp file, fsync, rename) and keeps the merge as its view.  So two processes
reviewing one brief never overwrite each other's entries, and a crash leaves the
old file or the new one.  Clearing an entry leaves an empty entry with its time
(a tombstone), so that the clearing survives a merge with an older copy.

An entry records a *fingerprint* of what was reviewed (a claim's text, kind,
likelihood and citations; a source's descriptive fields).  When the brief
changes, the entry is *stale*: shown as such, neither kept as if nothing
happened nor dropped.  Entries whose item has left the brief are *orphaned*:
kept, and listed on their own.

A file that is damaged, or written by a newer briefreader, is set aside under a
timestamped name and reported in :attr:`ReviewStore.notice`; it is never
overwritten.  A save that fails (full disk, read-only folder) is reported the
same way and the change stays in memory, saved with the next one.
``persist=False`` keeps everything in memory and touches no file.

Cost (5,000 reviewed claims): a save takes a few milliseconds, mostly fsync; a
save right after another process saved takes some 50 ms more, to read and merge.

This module is part of the core: it never imports Textual.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

try:  # POSIX; elsewhere saves are still atomic, only not locked against a second process
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

from . import paths
from .model import Brief, Claim, Source
from .sanitize import clean, clean_line
from .storage import set_aside, write_atomic

FORMAT = "briefreader-review"
FORMAT_VERSION = 1

UNREVIEWED = "unreviewed"
STATUSES = (UNREVIEWED, "agreed", "disputed", "needs-source", "flagged")
REVIEWED_STATUSES = STATUSES[1:]
_STATUS_ALIASES = {"needs source": "needs-source", "needs_source": "needs-source"}
STALE = "stale"  # a pseudo-status for ReviewStore.next_claim

CLAIM, SOURCE = "claim", "source"
_ENTRY_KEYS = {"kind", "status", "note", "reviewer", "time", "fingerprint", "text"}
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")  # as loader.ID_PATTERN; used with fullmatch
_NOTE_LIMIT = 100_000  # characters; a note is prose, not an attachment


class ReviewError(ValueError):
    """A review request that cannot be carried out (unknown status, item or brief)."""


# ---------------------------------------------------------------------------
# Entries, fingerprints, identity


@dataclass(frozen=True)
class Entry:
    """The review of one claim or source."""

    item_id: str
    kind: str  # CLAIM or SOURCE
    status: str = UNREVIEWED
    note: str = ""
    reviewer: str = ""
    time: str = ""  # ISO 8601 UTC, e.g. 2026-11-26T19:50:01.123456Z
    fingerprint: str = ""  # of the item as it was when reviewed
    text: str = ""  # the claim's text (a source's label) when reviewed

    @property
    def empty(self) -> bool:
        """No status and no note: a cleared entry, kept only so the clearing merges."""
        return self.status == UNREVIEWED and not self.note

    @property
    def reviewed(self) -> bool:
        return self.status != UNREVIEWED

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "status": self.status, "note": self.note,
                "reviewer": self.reviewer, "time": self.time,
                "fingerprint": self.fingerprint, "text": self.text}


def fingerprint(item: Claim | Source) -> str:
    """A stable hash of what a review judged; positions and layout do not count.

    A claim: its text (whitespace runs folded, so re-wrapping the YAML is no
    change), kind, likelihood and each citation's source, locator, relation and
    credibility.  A source: type, title, author, publisher, container title,
    issued date, URL, DOI, reliability, descriptor and derived_from.
    """
    if isinstance(item, Claim):
        parts: list = [CLAIM, " ".join(item.text.split()), item.kind, item.likelihood, [
            [c.source, c.locator.kind if c.locator else "", c.locator.value if c.locator else "",
             c.relation, c.credibility]
            for c in item.citations
        ]]
    else:
        parts = [SOURCE, item.type, " ".join(item.title.split()), list(item.author), item.publisher,
                 item.container_title, item.issued, item.url, item.doi, item.reliability,
                 " ".join(item.descriptor.split()), list(item.derived_from)]
    canonical = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def reviewer_name(config=None) -> str:
    """Who is reviewing: config ``reviewer``, else ``$USER``, else ``$LOGNAME``, else "unknown"."""
    for name in (getattr(config, "reviewer", ""), os.environ.get("USER"), os.environ.get("LOGNAME")):
        if name and name.strip():
            return clean_line(name.strip())
    return "unknown"


def review_folder(config=None) -> Path:
    """Config ``review_dir`` when set, else ``paths.data_dir() / "reviews"``."""
    folder = getattr(config, "review_dir", None)
    return Path(folder) if folder else paths.data_dir() / "reviews"


def review_path(brief_id: str, folder: Path) -> Path:
    if not _ID.fullmatch(brief_id):
        raise ReviewError(f"not a brief id: {clean_line(brief_id)!r}")
    return Path(folder) / f"{brief_id}.review.json"


def normalise_status(status: str) -> str:
    status = _STATUS_ALIASES.get(status.strip().lower(), status.strip().lower())
    if status not in STATUSES:
        raise ReviewError(f"unknown review status {clean_line(status)!r}: use one of {', '.join(STATUSES)}")
    return status


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _parse_time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _newer(a: Entry, b: Entry) -> Entry:
    """The entry that wins a merge: newest time; ties broken the same way in every process.

    Times are compared as text: every time in the store has the one form ``_stamp`` writes.
    """
    if a.time != b.time:
        return a if a.time > b.time else b
    key_a = (a.reviewer, a.status, a.note, a.fingerprint, a.text)
    key_b = (b.reviewer, b.status, b.note, b.fingerprint, b.text)
    return a if key_a >= key_b else b


def merge(*sides: dict[str, Entry]) -> dict[str, Entry]:
    """Per item, the newest entry of all sides."""
    merged: dict[str, Entry] = {}
    for side in sides:
        for item_id, entry in side.items():
            held = merged.get(item_id)
            merged[item_id] = entry if held is None else _newer(held, entry)
    return merged


# ---------------------------------------------------------------------------
# The file


class _Damaged(Exception):
    pass


class _Newer(Exception):
    def __init__(self, version: int):
        super().__init__(version)
        self.version = version


def _parse_file(raw: bytes, brief_id: str) -> dict[str, Entry]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _Damaged("not UTF-8") from None
    except ValueError as error:
        raise _Damaged(f"not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise _Damaged("not a JSON object")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Damaged("no format version")
    if version > FORMAT_VERSION:
        raise _Newer(version)
    if data.get("format") != FORMAT:
        raise _Damaged(f"not a review file (format is not {FORMAT!r})")
    if data.get("brief") != brief_id:
        raise _Damaged(f"it is for brief {clean_line(str(data.get('brief')))!r}, not {brief_id!r}")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, dict):
        raise _Damaged("'entries' is not an object")
    entries: dict[str, Entry] = {}
    for item_id, value in raw_entries.items():
        where = f"entry {clean_line(item_id)!r}"
        if not _ID.fullmatch(item_id):
            raise _Damaged(f"{where}: not an id")
        if not isinstance(value, dict) or set(value) - _ENTRY_KEYS:
            raise _Damaged(f"{where}: not an object with the keys {', '.join(sorted(_ENTRY_KEYS))}")
        fields = {key: value.get(key, "") for key in _ENTRY_KEYS}
        if not all(isinstance(v, str) for v in fields.values()):
            raise _Damaged(f"{where}: every value must be a string")
        if fields["kind"] not in (CLAIM, SOURCE):
            raise _Damaged(f"{where}: kind {clean_line(fields['kind'])!r} is not claim or source")
        if fields["status"] not in STATUSES:
            raise _Damaged(f"{where}: unknown status {clean_line(fields['status'])!r}")
        try:
            if _CANONICAL_TIME.fullmatch(fields["time"]):  # as _stamp writes it: check it is a date
                dt.datetime.fromisoformat(fields["time"][:-1])
            else:
                fields["time"] = _stamp(_parse_time(fields["time"]))  # one form, so text compares
        except (ValueError, OverflowError):
            raise _Damaged(f"{where}: time {clean_line(fields['time'])!r} is not ISO 8601") from None
        entries[item_id] = Entry(item_id, **fields)
    return entries


_DUMP = json.JSONEncoder(ensure_ascii=False).encode


def _entry_line(entry: Entry, cache: dict[str, tuple[Entry, str]]) -> str:
    held = cache.get(entry.item_id)
    if held is None or held[0] is not entry:
        held = cache[entry.item_id] = (entry, f"    {_DUMP(entry.item_id)}: {_DUMP(entry.as_json())}")
    return held[1]


def _file_text(brief_id: str, entries: dict[str, Entry],
               cache: dict[str, tuple[Entry, str]] | None = None) -> str:
    """The file: JSON with one entry per line (a change is a one-line diff).

    Each line is encoded without ``indent`` so that Python uses its C encoder,
    and (with ``cache``) only once per entry: a review of 5,000 claims saves in
    milliseconds, not a tenth of a second.
    """
    dump, cache = _DUMP, {} if cache is None else cache
    lines = [_entry_line(entries[item_id], cache) for item_id in sorted(entries)]
    body = "{\n" + ",\n".join(lines) + "\n  }" if lines else "{}"
    return (f'{{\n  "format": {dump(FORMAT)},\n  "version": {FORMAT_VERSION},\n'
            f'  "brief": {dump(brief_id)},\n  "entries": {body}\n}}\n')


def _set_aside_newer(path: Path, version: int) -> Path:
    """``storage.set_aside``, named for the version that wrote the file."""
    return set_aside(path, f"v{version}")


def _umask() -> int:
    try:  # Linux shows it without changing it (os.umask would, for every thread)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


# ---------------------------------------------------------------------------
# Progress


@dataclass(frozen=True)
class Progress:
    reviewed: int  # claims with a status other than unreviewed
    total: int  # claims in the brief
    by_status: dict[str, int] = field(default_factory=dict)  # every status, unreviewed too
    stale: int = 0  # entries (claims and sources) whose item changed since
    orphaned: int = 0  # entries whose item is no longer in the brief

    def __str__(self) -> str:
        return f"{self.reviewed}/{self.total} claims reviewed"

    def summary(self) -> str:
        """``12/30 reviewed (agreed 8, disputed 2, needs-source 1, flagged 1; 1 stale)``."""
        counts = ", ".join(f"{status} {self.by_status.get(status, 0)}" for status in REVIEWED_STATUSES)
        extra = "".join(f"; {n} {what}" for n, what in ((self.stale, STALE), (self.orphaned, "orphaned")) if n)
        return f"{self.reviewed}/{self.total} reviewed ({counts}{extra})"

    def as_json(self) -> dict[str, object]:
        return {"reviewed": self.reviewed, "total": self.total, "by_status": dict(self.by_status),
                "stale": self.stale, "orphaned": self.orphaned}


# ---------------------------------------------------------------------------
# The store


class ReviewStore:
    """The review of one brief id: in memory, and (``persist``) in its file."""

    def __init__(self, brief_id: str, path: Path, *, persist: bool = True, reviewer: str = "unknown",
                 clock: Callable[[], dt.datetime] | None = None):
        self.brief_id = brief_id
        self.path = path
        self.persist = persist
        self.reviewer = reviewer
        self.notice = ""  # what the user must be told: a file set aside, a save that failed
        self._clock = clock or _now
        self._entries: dict[str, Entry] = {}
        self._unsaved = False
        self._seen: bytes | None = None  # the file as this store last read or wrote it
        self._prints: dict[int, tuple[Claim | Source, str]] = {}  # fingerprints of _prints_of
        self._prints_of: Brief | None = None
        self._lines: dict[str, tuple[Entry, str]] = {}  # each entry's line in the file

    @classmethod
    def open(cls, brief_id: str, folder: Path | str | None = None, *, persist: bool = True,
             reviewer: str | None = None, config=None,
             clock: Callable[[], dt.datetime] | None = None) -> "ReviewStore":
        """The store for ``brief_id``, loaded from ``folder`` (default: :func:`review_folder`).

        ``reviewer`` defaults to :func:`reviewer_name`; the config is read from
        its file when needed and not given.
        """
        if config is None and (folder is None or reviewer is None):
            from .config import load_config

            config = load_config()
        folder = Path(folder).expanduser() if folder is not None else review_folder(config)
        store = cls(brief_id, review_path(brief_id, folder), persist=persist,
                    reviewer=reviewer if reviewer else reviewer_name(config), clock=clock)
        if persist and store.path.exists():
            store._sync(write=False)
        return store

    # -- reading ----------------------------------------------------------

    def get(self, item_id: str) -> Entry | None:
        """The entry for a claim or source, or None when it has none (or was cleared)."""
        entry = self._entries.get(item_id)
        return None if entry is None or entry.empty else entry

    def status(self, item_id: str) -> str:
        """The item's review status; ``unreviewed`` when it has none."""
        entry = self._entries.get(item_id)
        return entry.status if entry else UNREVIEWED

    def entries(self) -> list[Entry]:
        """Every entry with a status or a note, by id."""
        return [e for _, e in sorted(self._entries.items()) if not e.empty]

    @property
    def unsaved(self) -> bool:
        """True while a change has not reached the file (the last save failed)."""
        return self._unsaved

    def take_notice(self) -> str:
        """The notice, once: it is cleared after this."""
        notice, self.notice = self.notice, ""
        return notice

    def item(self, brief: Brief, entry: Entry) -> Claim | Source | None:
        """The claim or source an entry is about, when the brief still has it."""
        return brief.claim(entry.item_id) if entry.kind == CLAIM else brief.source(entry.item_id)

    def is_stale(self, brief: Brief, item_id: str) -> bool:
        """The item changed in the brief since it was reviewed."""
        entry = self.get(item_id)
        if entry is None:
            return False
        item = self.item(brief, entry)
        return item is not None and entry.fingerprint != self._fingerprint(brief, item)

    def stale(self, brief: Brief) -> list[Entry]:
        """Entries whose claim or source changed since review, in brief order."""
        return [e for e in self._in_brief_order(brief) if self.is_stale(brief, e.item_id)]

    def orphaned(self, brief: Brief) -> list[Entry]:
        """Entries whose claim or source is no longer in the brief, by id."""
        return [e for e in self.entries() if self.item(brief, e) is None]

    def progress(self, brief: Brief) -> Progress:
        by_status = dict.fromkeys(STATUSES, 0)
        for claim in brief.claims:
            by_status[self.status(claim.id)] += 1
        return Progress(reviewed=len(brief.claims) - by_status[UNREVIEWED], total=len(brief.claims),
                        by_status=by_status, stale=len(self.stale(brief)),
                        orphaned=len(self.orphaned(brief)))

    def next_claim(self, brief: Brief, after: str | None, want: Iterable[str], *,
                   order: Iterable[str] | None = None, backwards: bool = False) -> str | None:
        """The next claim id after ``after`` whose status is in ``want``, wrapping round.

        ``want`` may hold ``"stale"`` to match stale entries too.  ``order`` is
        the claim ids in reading order (default: the brief's order).  None when
        no claim matches.
        """
        want = set(want)
        ids = list(order) if order is not None else [c.id for c in brief.claims]
        if backwards:
            ids.reverse()
        start = ids.index(after) + 1 if after in ids else 0
        for claim_id in ids[start:] + ids[:start]:
            if self.status(claim_id) in want or (STALE in want and self.is_stale(brief, claim_id)):
                return claim_id
        return None

    def _in_brief_order(self, brief: Brief) -> list[Entry]:
        found = [self.get(c.id) for c in brief.claims] + [self.get(s.id) for s in brief.sources]
        return [e for e in found if e is not None and self.item(brief, e) is not None]

    # -- changing -----------------------------------------------------------

    def set_status(self, brief: Brief, claim_id: str, status: str) -> Entry:
        """Judge a claim.  Setting a status (even the same one) re-records what was judged."""
        status = normalise_status(status)
        claim = self._claim(brief, claim_id)
        held = self._entries.get(claim_id)
        note = held.note if held and held.kind == CLAIM else ""
        return self._commit(Entry(claim_id, CLAIM, status, note, self.reviewer,
                                  self._time(held), self._fingerprint(brief, claim), claim.text))

    def set_note(self, brief: Brief, item_id: str, text: str) -> Entry:
        """Write (or, with blank text, remove) the note on a claim or source.

        A note on a judged claim keeps the fingerprint of the judgment, so a
        stale judgment stays stale until the status is set again.
        """
        self._check_brief(brief)
        item: Claim | Source | None = brief.claim(item_id) or brief.source(item_id)
        if item is None:
            raise ReviewError(f"brief {brief.id!r} has no claim or source {clean_line(item_id)!r}")
        text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n")
                         .split("\n")).strip("\n")
        if len(text) > _NOTE_LIMIT:
            raise ReviewError(f"the note is longer than {_NOTE_LIMIT} characters")
        kind = CLAIM if isinstance(item, Claim) else SOURCE
        held = self._entries.get(item_id)
        if held and held.kind == kind and held.reviewed:
            judged, judged_text = held.fingerprint, held.text
        else:
            judged, judged_text = self._fingerprint(brief, item), _item_text(item)
        status = held.status if held and held.kind == kind else UNREVIEWED
        return self._commit(Entry(item_id, kind, status, text, self.reviewer, self._time(held),
                                  judged, judged_text))

    def clear(self, brief: Brief | None, item_id: str) -> None:
        """Remove the status and note of an item (orphaned ones too)."""
        if brief is not None:
            self._check_brief(brief)
        held = self._entries.get(item_id)
        if held is None or held.empty:
            return
        self._commit(replace(held, status=UNREVIEWED, note="", reviewer=self.reviewer,
                             time=self._time(held)))

    def refresh(self) -> bool:
        """Read in what other processes saved; True when the view changed."""
        before = dict(self._entries)
        if self.persist:
            self._sync(write=self._unsaved)
        return self._entries != before

    def _fingerprint(self, brief: Brief, item: Claim | Source) -> str:
        """``fingerprint(item)``, remembered for the items of the brief last asked about."""
        if brief is not self._prints_of:
            self._prints, self._prints_of = {}, brief
        held = self._prints.get(id(item))
        if held is None or held[0] is not item:
            held = self._prints[id(item)] = (item, fingerprint(item))
        return held[1]

    def _check_brief(self, brief: Brief) -> None:
        if brief.id != self.brief_id:
            raise ReviewError(f"this review is for brief {self.brief_id!r}, not {brief.id!r}")

    def _claim(self, brief: Brief, claim_id: str) -> Claim:
        self._check_brief(brief)
        claim = brief.claim(claim_id)
        if claim is None:
            raise ReviewError(f"brief {brief.id!r} has no claim {clean_line(claim_id)!r}")
        return claim

    def _time(self, held: Entry | None) -> str:
        """Now, but always after the entry it replaces (a clock set back must not lose a change)."""
        moment = self._clock()
        if held is not None:
            moment = max(moment, _parse_time(held.time) + dt.timedelta(microseconds=1))
        return _stamp(moment)

    def _commit(self, entry: Entry) -> Entry:
        self._entries[entry.item_id] = entry
        if self.persist:
            self._unsaved = True
            self._sync(write=True)
        return self._entries.get(entry.item_id, entry)

    # -- the file -------------------------------------------------------------

    def _tell(self, message: str) -> None:
        if message not in self.notice:
            self.notice = f"{self.notice}; {message}" if self.notice else message

    def _sync(self, write: bool) -> None:
        """Under the lock: read the file, merge, and (``write``) save the merge."""
        try:
            with self._locked(create=write) as locked:
                raw = self._read_bytes()
                if raw is None:  # unreadable: never write over what could not be read
                    if write:
                        self._tell("the change is kept and saved with the next one")
                    return
                if raw == self._seen:  # as this store left it: what it holds already includes it
                    disk, merged = None, self._entries
                else:
                    disk = self._parse(raw)
                    if disk is None:  # damaged and could not be set aside: never overwrite
                        return
                    merged = merge(self._entries, disk)  # a tie keeps the object held (and its cached line)
                    self._seen = raw if self.path.exists() else b""  # not a file set aside
                if write:
                    if merged != disk or not self.path.exists():
                        self._seen = self._write(merged)
                    self._unsaved = False
                    if locked:
                        self._remove_leftovers()
                self._entries = merged
        except OSError as error:
            what = "save" if write else "read"
            self._tell(f"cannot {what} reviews in {self.path}: {error.strerror or error}"
                       + ("; the change is kept and saved with the next one" if write else ""))

    @contextlib.contextmanager
    def _locked(self, create: bool) -> Iterator[bool]:
        """Hold an exclusive lock on ``<file>.lock``; yields whether a lock is held."""
        lock = self.path.with_name(self.path.name + ".lock")
        if create and not self.path.parent.is_dir():
            self.path.parent.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.path.parent.mkdir(mode=0o700)  # private until a team opens it up
            except FileExistsError:
                if not self.path.parent.is_dir():  # made by another process meanwhile is fine
                    raise
        fd = -1
        if fcntl is not None:
            for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):  # flock works on a read-only fd
                try:
                    fd = os.open(lock, flags | getattr(os, "O_CLOEXEC", 0), 0o666)
                    break
                except OSError:
                    continue
        if fd < 0:  # no lock possible (read-only folder, no fcntl): reading is still safe
            yield False
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                locked = True
            except OSError:  # a file system without locks: saving matters more than locking
                locked = False
            yield locked
        finally:
            os.close(fd)  # closing releases the lock

    def _read_bytes(self) -> bytes | None:
        """The file's bytes (empty when there is none); None when it cannot be read."""
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return b""
        except OSError as error:
            self._tell(f"cannot read {self.path}: {error.strerror or error}; nothing saved over it")
            return None

    def _parse(self, raw: bytes) -> dict[str, Entry] | None:
        """The entries in ``raw``; a damaged or newer file is set aside ({}), or None if it cannot be."""
        if not raw and not self.path.exists():
            return {}
        try:
            return _parse_file(raw, self.brief_id)
        except _Newer as newer:
            version: int | None = newer.version
            why = f"was written by a newer briefreader (format version {newer.version})"
        except _Damaged as damaged:
            version = None
            why = f"was damaged ({damaged})"
        try:
            moved = set_aside(self.path) if version is None else _set_aside_newer(self.path, version)
        except OSError as error:
            self._tell(f"{self.path} {why} and cannot be set aside ({error.strerror or error}); "
                       "reviews of this brief are not saved")
            return None
        self._tell(f"{self.path.name} {why}; kept it as {moved.name} in {moved.parent} "
                   "and started afresh")
        return {}

    def _write(self, entries: dict[str, Entry]) -> bytes:
        """Save ``entries`` atomically; returns the bytes now in the file."""
        try:
            mode = self.path.stat().st_mode & 0o777  # keep the mode the file has
        except OSError:  # a new file: as readable as its folder (0700: 0600; 2775: 0664), within the umask
            mode = self.path.parent.stat().st_mode & 0o666 & ~_umask()
        text = _file_text(self.brief_id, entries, self._lines)
        write_atomic(self.path, text)
        with contextlib.suppress(OSError):
            os.chmod(self.path, mode)
        return text.encode("utf-8")

    def _remove_leftovers(self) -> None:
        """Temp files of a writer that died mid-save (only writers holding the lock make them)."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _item_text(item: Claim | Source) -> str:
    return item.text if isinstance(item, Claim) else item.label


# ---------------------------------------------------------------------------
# Export: a review report for an email or a ticket


def _reviewers(entries: Iterable[Entry]) -> list[str]:
    return sorted({clean_line(e.reviewer) for e in entries if e.reviewer})


def _claim_rows(brief: Brief, store: ReviewStore) -> list[tuple[Claim, Entry]]:
    return [(c, e) for c in brief.claims if (e := store.get(c.id)) is not None and e.kind == CLAIM]


def _source_rows(brief: Brief, store: ReviewStore) -> list[tuple[Source, Entry]]:
    return [(s, e) for s in brief.sources if (e := store.get(s.id)) is not None and e.kind == SOURCE]


def _citations(brief: Brief, claim: Claim) -> list[dict[str, object]]:
    from .render import citation_label, grade

    rows = []
    for citation in claim.citations:
        source = brief.source(citation.source)
        rows.append({
            "label": clean_line(citation_label(brief, citation)),
            "source": citation.source,
            "source_title": clean_line(source.label) if source else "",
            "locator": clean_line(str(citation.locator)) if citation.locator else "",
            "relation": citation.relation,
            "reliability": source.reliability if source else "",
            "credibility": citation.credibility,
            "grade": grade(citation, source),
        })
    return rows


def _brief_meta(brief: Brief) -> dict[str, object]:
    return {
        "id": brief.id, "title": clean_line(brief.title), "subtitle": clean_line(brief.subtitle),
        "date": brief.date, "modified": brief.modified, "status": brief.status, "type": brief.type,
        "authors": [{"name": clean_line(a.name), "role": a.role, "affiliation": clean_line(a.affiliation)}
                    for a in brief.authors],
        "file": clean_line(Path(brief.path).name),  # not the local path: the report travels
    }


def export_json(brief: Brief, store: ReviewStore) -> dict:
    """The review report as data (for tools and tickets); strings are cleaned."""
    from .render import banner_text, claim_badges

    banner = clean_line(banner_text(brief))
    claims = _claim_rows(brief, store)
    sources = _source_rows(brief, store)
    orphans = store.orphaned(brief)
    return {
        "banner": banner,
        "notices": [clean(n) for n in (brief.handling.notices if brief.handling else ())],
        "format": "briefreader-review-report",
        "version": FORMAT_VERSION,
        "brief": _brief_meta(brief),
        "exported": _stamp(_now()),
        "reviewers": _reviewers(e for _, e in claims + sources),
        "progress": store.progress(brief).as_json(),
        "claims": [{
            "id": claim.id, "text": clean(claim.text), "kind": claim.kind,
            "likelihood": claim.likelihood, "confidence": claim.confidence,
            "badges": clean_line(claim_badges(brief, claim).plain),
            "status": entry.status, "note": clean(entry.note), "reviewer": clean_line(entry.reviewer),
            "time": entry.time, "stale": store.is_stale(brief, claim.id),
            "reviewed_text": clean(entry.text),
            "citations": _citations(brief, claim),
        } for claim, entry in claims],
        "unreviewed": [c.id for c in brief.claims if store.status(c.id) == UNREVIEWED],
        "sources": [{
            "id": source.id, "title": clean_line(source.label), "type": source.type,
            "reliability": source.reliability, "note": clean(entry.note),
            "reviewer": clean_line(entry.reviewer), "time": entry.time,
            "stale": store.is_stale(brief, source.id),
        } for source, entry in sources],
        "orphaned": [{
            "id": e.item_id, "kind": e.kind, "status": e.status, "note": clean(e.note),
            "reviewer": clean_line(e.reviewer), "time": e.time, "reviewed_text": clean(e.text),
        } for e in orphans],
        "banner_end": banner,
    }


# Markdown that brief or note text could start: headings, quotes, lists, tables,
# fences, setext underlines, link reference definitions, HTML blocks.
_BLOCK_START = re.compile(r"^( {0,3})([#>+*=|\[`~_-]|\d{1,9}[.)])")


def md_inline(text: str) -> str:
    """One line of untrusted text, safe inside a Markdown line: no HTML, no heading close."""
    return clean_line(text).replace("<", "\\<").replace("#", "\\#")


def md_quote(text: str) -> list[str]:
    """Untrusted multi-line text as a Markdown block quote that nothing in it can leave."""
    lines = []
    for line in clean(text).split("\n"):
        line = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2)
                                if not m.group(2)[0].isdigit()
                                else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], line)
        line = line.replace("<", "\\<")
        lines.append(f"> {line}" if line.strip() else ">")
    return lines


def export_markdown(brief: Brief, store: ReviewStore) -> str:
    """The review report as plain Markdown: readable as text, safe when rendered."""
    data = export_json(brief, store)
    meta = data["brief"]
    progress = store.progress(brief)
    out: list[str] = [md_inline(data["banner"]), ""]
    for notice in data["notices"]:
        out += md_quote(notice) + [""]
    out += [f"# Review: {md_inline(meta['title'])}", ""]
    facts = [("Brief", meta["id"]), ("Date", meta["date"]), ("Modified", meta["modified"]),
             ("Status", meta["status"]), ("File", meta["file"]),
             ("Authors", "; ".join(a["name"] + (f" ({a['role']})" if a["role"] != "author" else "")
                                   for a in meta["authors"])),
             ("Reviewers", ", ".join(data["reviewers"])), ("Exported", data["exported"])]
    out += [f"- {label}: {md_inline(value)}" for label, value in facts if value] + [""]

    out += ["## Progress", "", f"{progress}.", ""]
    out += [f"- {status}: {progress.by_status[status]}" for status in STATUSES]
    out += [f"- stale: {progress.stale}", f"- orphaned: {progress.orphaned}", ""]
    if progress.stale:
        out += ["Stale: the claim or source changed after it was reviewed; the review may no "
                "longer apply.", ""]

    out += ["## Reviewed claims", ""]
    if not data["claims"]:
        out += ["None yet.", ""]
    for row in data["claims"]:
        mark = " (STALE)" if row["stale"] else ""
        label = row["status"].upper() if row["status"] != UNREVIEWED else "NOTE ONLY"
        out += [f"### {label}: {row['id']}{mark}", ""]
        out += md_quote(row["text"]) + [""]
        out += [f"- Badges: {md_inline(row['badges'])}",
                f"- Reviewed by {md_inline(row['reviewer'] or 'unknown')} at {md_inline(row['time'])}"]
        if row["stale"]:
            out.append("- Stale: the claim changed after this review")
        if not row["citations"]:
            out.append("- Citations: none")
        else:
            out.append("- Citations:")
            out += [f"  - {md_inline(c['label'])}" + (f": {md_inline(c['source_title'])}"
                                                        if c["source_title"] else "")
                    for c in row["citations"]]
        out.append("")
        if row["stale"] and row["reviewed_text"] and row["reviewed_text"] != row["text"]:
            out += ["Text when reviewed:", ""] + md_quote(row["reviewed_text"]) + [""]
        if row["note"]:
            out += ["Note:", ""] + md_quote(row["note"]) + [""]
    if data["unreviewed"]:
        out += ["Not yet reviewed: " + ", ".join(data["unreviewed"]), ""]

    if data["sources"]:
        out += ["## Notes on sources", ""]
        for row in data["sources"]:
            grade = f", reliability {row['reliability']}" if row["reliability"] else ""
            mark = " (STALE)" if row["stale"] else ""
            out += [f"### {row['id']}{mark}", "",
                    f"- {md_inline(row['title'])} ({md_inline(row['type'])}{grade})",
                    f"- Noted by {md_inline(row['reviewer'] or 'unknown')} at {md_inline(row['time'])}",
                    ""] + md_quote(row["note"]) + [""]

    if data["orphaned"]:
        out += ["## Orphaned entries", "",
                "Reviews of claims and sources that are no longer in the brief.", ""]
        for row in data["orphaned"]:
            status = f"{row['status'].upper()}: " if row["status"] != UNREVIEWED else ""
            out += [f"### {status}{row['kind']} {row['id']}", "",
                    f"- Reviewed by {md_inline(row['reviewer'] or 'unknown')} at {md_inline(row['time'])}",
                    ""]
            if row["reviewed_text"]:
                out += ["Text when reviewed:", ""] + md_quote(row["reviewed_text"]) + [""]
            if row["note"]:
                out += ["Note:", ""] + md_quote(row["note"]) + [""]

    out += ["Grades: source reliability A-F, information credibility 1-6 (B2 = usually reliable, "
            "probably true; - = not graded).", "", md_inline(data["banner_end"])]
    return "\n".join(out) + "\n"

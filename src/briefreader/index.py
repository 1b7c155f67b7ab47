"""Library-wide search: a SQLite FTS5 index over every brief of a library.

Core module: it never imports Textual.

What is indexed
    Every searchable *unit* of each brief: the brief itself (title, subtitle,
    BLUF, summary, source summary; its reader target is ``front``), every claim
    (key judgments apart from the others), every section (title and body),
    source, entity (name and aliases) and timeline event.  Inline
    ``[[entity]]`` references are indexed as the entity's name, never its id;
    ``[[claim]]`` references inside a claim or an event are indexed as the
    claim's text, while in a section body or the BLUF/summary they are left out
    (the claim has its own row, and one sentence should not be three hits).
    ``[@source]`` citations are dropped, Markdown markers too; whitespace is
    collapsed, so a snippet is one line.

Columns and ranking
    Rows have five text columns, ranked by FTS5's BM25 with the weights of
    :data:`COLUMN_WEIGHTS`: ``title`` (brief, section and source titles, entity
    names) 10, ``lead`` (BLUF, key judgments, entity aliases, source authors
    and publisher) 5, ``body`` (other claims, section bodies, summaries,
    descriptors, events) 1, ``extra`` (indicators, citation quotes, tags,
    places, URLs) 0.5 and ``aliases`` 0.5.  ``aliases`` holds the names and
    aliases of the entities a unit is about (a claim's ``about`` and
    ``attributed_to``, and ``[[entity]]`` references), so ``Лукашенко`` finds the
    claims about Lukashenko, below the ones that name him.  BM25 divides by
    the length of the whole row, so a brief or a section is stored as two rows,
    its heading (title, lead) and its text, and a search returns the better of
    the two once: a long body does not bury its title.

Folding
    FTS5's ``unicode61 remove_diacritics 2`` tokenizer folds case and strips
    combining accents (``Belarus`` finds ``BELARUS``, ``Kalnins`` finds
    ``Kalniņš``).  Letters that carry no combining accent (``ł``, ``ø``, ``ß``,
    ``æ``...) are folded by :func:`fold` before indexing and in queries, so
    ``Lodz`` finds ``Łódź``.  The index holds the folded tokens while the
    content table keeps the original text (an external-content FTS5 table), so
    snippets show ``Łódź`` as written.

The query language (:func:`parse_query`, summarised in :data:`QUERY_HELP`)
    Words are ANDed; ``"a phrase"``; ``word*`` is a prefix; ``a OR b`` (capital
    OR) is either; ``-word`` excludes.  Every word is quoted before it reaches
    FTS5, so no query can produce an FTS5 syntax error.  Filters:
    ``kind:`` (claim kinds ``fact reported assessment assumption``, unit kinds
    ``brief claim section source entity event``, and ``kj`` for key
    judgments), ``confidence:``, ``likelihood:`` (synonyms such as ``probable``
    normalised), ``tag:`` (exact), ``source:`` (units resting on a source whose
    id, title or publisher has a word starting with the value, through
    ``cites``, ``primary`` and ``derived_from``), ``entity:`` (units about an
    entity whose id, name or an alias has such a word), ``after:`` (on or
    after) and ``before:`` (strictly before) the brief's date.  One filter
    given twice, or with commas (``kind:fact,reported``), means any of the
    values; different filters must all hold.  Filters alone list hits newest
    brief first, in file order.

The store
    :class:`LibraryIndex` keeps one SQLite file per library under
    ``paths.cache_dir()`` (:func:`index_path`), or works in memory.  Each
    file's ``(path, size, mtime_ns, inode)`` is stored with its rows;
    :meth:`~LibraryIndex.update` re-reads only what changed (a file modified in
    the last two seconds is read again next time, as its timestamp may not
    show a second change) and removes what is gone, in one transaction, parsing
    in worker processes when many files changed.  :meth:`~LibraryIndex.search`
    brings the index up to date first, so a hit is never stale, without a stat
    of every file where it can: the first search watches the folders of the
    files (Linux inotify, :class:`_Watcher`) and stats them all; later ones
    re-read only the files named by the events queued since (and those a
    folder watch cannot follow: symbolic links, files with other hard links,
    files on file systems not known to be local).  Guarantee: a search sees
    every change to the files of the last update that completed before it
    began (writes through a shared memory map, which make no event, excepted:
    the next update sees them); a file new to a folder is found by the next
    update.  Without inotify, or once it lost track (queue overflow, a folder
    renamed or replaced), every file is stat'ed.  A file that is not a
    database, is damaged, or has another schema version (``PRAGMA
    user_version``) is deleted and rebuilt; if the cache cannot be written at
    all the index carries on in memory and says so in ``notice``.  Concurrent
    use: WAL journal, a busy timeout, and writers serialised by SQLite's own
    ``BEGIN IMMEDIATE``.

    Tables: ``files`` (one row per brief file), ``units`` (what a hit shows),
    ``content`` (the text, as written), ``fts`` (the full-text index over
    ``content``, folded) and ``keys`` (a contentless FTS5 table of each unit's
    filter values, so that filters are index lookups, not scans).  A unit's
    rowid is its file's id shifted left by ``_SHIFT`` plus its number, so a
    file's units are one rowid range.

Bump :data:`SCHEMA_VERSION` whenever the tables, the tokenizer, the folding or
what goes into a column changes: old indexes are then rebuilt.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import difflib
import functools
import gc
import hashlib
import os
import re
import sqlite3
import stat as stat_module
import struct
import sys
import threading
import time
import unicodedata
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import paths, vocab
from .loader import process_pool as _process_pool  # one pool helper, shared with the loader
from .model import Brief, Claim, Library, LibraryEntry, inline_refs

SCHEMA_VERSION = 1

# Snippets mark each matched term with this pair of private-use characters; the
# caller turns them into highlight (the TUI: a style; the CLI: ``**``).  Brief
# text can never contain them: they are replaced by U+FFFD before indexing.
HIT_START = "\ue000"
HIT_END = "\ue001"
ELLIPSIS = "…"
ENTITY_SEPARATOR = " ; "  # between entities in the aliases column (names of one: " · ")
SNIPPET_TOKENS = 16

COLUMNS = ("title", "lead", "body", "extra", "aliases")
COLUMN_WEIGHTS = (10.0, 5.0, 1.0, 0.5, 0.5)

UNIT_KINDS = ("brief", "claim", "section", "source", "entity", "event")
FILTERS = ("kind", "confidence", "likelihood", "tag", "source", "entity", "after", "before")

BUSY_TIMEOUT = 120.0  # seconds a writer waits for another process's update
PARALLEL_MIN = 32  # parse in worker processes when at least this many files changed
RACY_NS = 2_000_000_000  # a file modified this recently is read again by the next update
WALK_START, WALK_BRIEFS = 4, 64  # filters alone: walk briefs by date while that needs at most 64
LOOKUP_FILES = 2000  # from this many files on, snippets are looked up hit by hit (see _snippets)
WATCH = True  # watch the library's folders (inotify) instead of stat'ing every file before a search

QUERY_HELP = """\
Search the library
  word word          both words (any order, any case, accents ignored)
  "union state"      the exact phrase
  oresh*             words starting with "oresh"
  minsk OR vilnius   either word
  -exercise          without the word
Filters (combine freely with words and with each other)
  kind:assessment    claim kind: fact, reported, assessment, assumption
  kind:source        unit kind: brief, claim, section, source, entity, event;
                     kind:kj for key judgments
  confidence:high    low, moderate, high
  likelihood:likely  ICD 203 term or its synonym (probable = likely)
  tag:belarus        briefs with the tag
  source:isw         claims resting on a source whose id, title or publisher
                     has a word starting with "isw"
  entity:lukashenko  units about an entity (by id, name or any alias)
  after:2024-12-01   briefs dated on or after the day (2024-12, 2024 too)
  before:2025        briefs dated before the day (here: before 2025-01-01)
A filter given twice, or kind:fact,reported, means either value.
Quote a value with spaces: entity:"union state"."""


class QueryError(ValueError):
    """A query that cannot be run: an unknown filter, a bad value or date."""


# ---------------------------------------------------------------------------
# Folding

# Letters that Unicode does not decompose into a base letter and an accent, so
# the tokenizer's remove_diacritics leaves them alone.  Each maps to letters
# only, so word boundaries (and snippet positions) stay where they were.
_FOLD = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "ħ": "h", "Ħ": "H", "ı": "i", "ŀ": "l", "Ŀ": "L", "ŧ": "t", "Ŧ": "T", "ß": "ss",
    "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH",
})
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Text as the index sees it: the letters the tokenizer cannot fold, folded."""
    return text if text.isascii() else text.translate(_FOLD)


def fold_key(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: for filter matching."""
    text = fold(text)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


# ---------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query, as the user wrote it."""

    text: str
    phrase: bool = False
    prefix: bool = False

    def fts(self) -> str:
        """The term as an FTS5 string: quoted, so it can never be FTS5 syntax."""
        text = _QUERY_JUNK.sub(" ", fold(self.text))
        return '"' + text.replace('"', '""') + '"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Query:
    """A parsed query: word groups (ANDed; the terms of a group ORed) and filters."""

    text: str = ""
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    kinds: frozenset[str] = frozenset()  # unit kinds
    claim_kinds: frozenset[str] = frozenset()
    key_judgments: bool = False
    confidence: frozenset[str] = frozenset()
    likelihood: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    sources: tuple[str, ...] = ()  # fold_key()ed words
    entities: tuple[str, ...] = ()
    after: str = ""  # YYYY-MM-DD, inclusive
    before: str = ""  # YYYY-MM-DD, exclusive

    @property
    def has_text(self) -> bool:
        return bool(self.groups)

    @property
    def has_filters(self) -> bool:
        return bool(self.kinds or self.claim_kinds or self.key_judgments or self.confidence
                    or self.likelihood or self.tags or self.sources or self.entities
                    or self.after or self.before)

    @property
    def is_empty(self) -> bool:
        """Nothing to search for (no words, no filters): matches nothing."""
        return not self.groups and not self.has_filters

    @property
    def words(self) -> tuple[str, ...]:
        """The words and phrases searched for (not the excluded ones), as typed."""
        return tuple(term.text for group in self.groups for term in group)

    def match(self) -> str:
        """The FTS5 MATCH expression for the words, or '' when there are none."""
        parts = []
        for group in self.groups:
            if len(group) == 1:
                parts.append(group[0].fts())
            else:
                parts.append("(" + " OR ".join(term.fts() for term in group) + ")")
        return " AND ".join(parts)

    def excluded_match(self) -> str:
        return " OR ".join(term.fts() for term in self.excluded)

    def full_match(self) -> str:
        """The words without the excluded ones, as one FTS5 expression."""
        if not self.excluded:
            return self.match()
        return f"({self.match()}) NOT ({self.excluded_match()})"

    @property
    def has_prefix(self) -> bool:
        return any(term.prefix for group in self.groups for term in group)


_QUOTES = '"“”„'
_QUERY_JUNK = re.compile(f"[\x00-\x1f\x7f-\x9f{HIT_START}{HIT_END}]")  # an FTS5 string ends at NUL
_FILTER = re.compile(r"([A-Za-z][A-Za-z_-]*):")
_CLAIM_KIND_SET = frozenset(vocab.CLAIM_KINDS)
_KIND_SYNONYMS = {"front": "brief", "kj": "kj", "key-judgment": "kj", "key-judgments": "kj",
                  "judgment": "kj", "judgments": "kj", "timeline": "event"}
_CONFIDENCE_SYNONYMS = {"medium": "moderate", "med": "moderate", "mod": "moderate"}


@dataclass
class _Token:
    text: str
    field: str = ""
    quoted: bool = False
    prefix: bool = False
    negated: bool = False


def _scan(text: str) -> Iterator[_Token]:
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = False
        if text[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
        name = ""
        match = _FILTER.match(text, i)
        if match and not text.startswith("//", match.end()):
            name = match.group(1).lower()
            i = match.end()
        if i < n and text[i] in _QUOTES:
            close = min((p for p in (text.find(q, i + 1) for q in _QUOTES) if p != -1), default=n)
            value, i = text[i + 1:close], close + 1
            prefix = i < n and text[i] == "*"
            i += prefix
            yield _Token(value, name, True, prefix, negated)
            continue
        end = i
        while end < n and not text[end].isspace():
            end += 1
        word, i = text[i:end], end
        prefix = not name and word.endswith("*")
        yield _Token(word.rstrip("*") if prefix else word, name, False, prefix, negated)


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _closest(value: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    return f": did you mean '{close[0]}'?" if close else ""


def _values(token: _Token) -> list[str]:
    values = [v.strip().lower() for v in token.text.split(",")] if not token.quoted else [token.text.strip().lower()]
    values = [v for v in values if v]
    if not values:
        raise QueryError(f"{token.field}: needs a value")
    return values


def _date(name: str, value: str) -> str:
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    try:
        if not match:
            raise ValueError
        day = dt.date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
    except ValueError:
        raise QueryError(f"{name}: wants a date YYYY-MM-DD (or YYYY-MM, YYYY), not '{value}'") from None
    return day.isoformat()


def parse_query(text: str) -> Query:
    """Parse the query language (see :data:`QUERY_HELP`); raise QueryError if it is bad.

    An empty query, or one of punctuation only, parses to an empty Query
    (``is_empty``), which matches nothing: typing is never an error.  An
    unclosed quote runs to the end of the text.
    """
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    sets: dict[str, set[str]] = {"kinds": set(), "claim_kinds": set(), "confidence": set(),
                                 "likelihood": set(), "tags": set()}
    sources: list[str] = []
    entities: list[str] = []
    key_judgments = False
    after = before = ""
    pending_or = False
    for token in _scan(text):
        if token.field:
            pending_or = False
            name = token.field
            if name not in FILTERS:
                raise QueryError(
                    f"unknown filter '{name}:'{_closest(name, FILTERS)} (filters: "
                    + ", ".join(f + ":" for f in FILTERS)
                    + f"). To search for the text, quote it: \"{name}:{token.text}\"")
            if token.negated:
                raise QueryError(f"a filter cannot be negated: -{name}:{token.text}")
            if name == "kind":
                for value in _values(token):
                    kind = _KIND_SYNONYMS.get(value, value)
                    if kind not in UNIT_KINDS and kind not in _CLAIM_KIND_SET and kind != "kj":
                        singular = value[:-3] + "y" if value.endswith("ies") else value[:-1]
                        if value.endswith("s") and (singular in UNIT_KINDS or singular in _CLAIM_KIND_SET):
                            kind = singular
                        else:
                            options = UNIT_KINDS + vocab.CLAIM_KINDS + ("kj",)
                            raise QueryError(f"unknown kind '{value}'{_closest(value, options)} "
                                             f"(kinds: {', '.join(options)})")
                    if kind == "kj":
                        key_judgments = True
                    elif kind in _CLAIM_KIND_SET:
                        sets["claim_kinds"].add(kind)
                    else:
                        sets["kinds"].add(kind)
            elif name == "confidence":
                for value in _values(token):
                    value = _CONFIDENCE_SYNONYMS.get(value, value)
                    if value not in vocab.CONFIDENCE_LEVELS:
                        raise QueryError(f"unknown confidence '{value}'{_closest(value, vocab.CONFIDENCE_LEVELS)} "
                                         f"(levels: {', '.join(vocab.CONFIDENCE_LEVELS)})")
                    sets["confidence"].add(value)
            elif name == "likelihood":
                for value in _values(token):
                    value = re.sub(r"[\s_]+", "-", value)
                    term = vocab.LIKELIHOOD_SYNONYMS.get(value, value)
                    if term not in vocab.LIKELIHOOD_BY_TERM:
                        options = tuple(vocab.LIKELIHOOD_BY_TERM) + tuple(vocab.LIKELIHOOD_SYNONYMS)
                        raise QueryError(f"unknown likelihood '{value}'{_closest(value, options)} "
                                         f"(terms: {', '.join(vocab.LIKELIHOOD_BY_TERM)})")
                    sets["likelihood"].add(term)
            elif name == "tag":
                sets["tags"].update(_values(token))
            elif name in ("source", "entity"):
                key = fold_key(token.text)
                if not key:
                    raise QueryError(f"{name}: needs a word")
                (sources if name == "source" else entities).append(key)
            else:
                value = token.text.strip()
                if not value:
                    raise QueryError(f"{name}: needs a date (YYYY-MM-DD, YYYY-MM or YYYY)")
                day = _date(name, value)
                if name == "after":
                    after = max(after, day)
                else:
                    before = min(before, day) if before else day
            continue
        if not token.quoted and token.text == "OR" and not token.negated and not token.prefix:
            pending_or = bool(groups)
            continue
        if not _has_word(token.text):
            continue  # punctuation alone is not indexed: it would match nothing
        term = Term(token.text, phrase=token.quoted, prefix=token.prefix)
        if token.negated:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    query = Query(
        text=text, groups=tuple(tuple(g) for g in groups), excluded=tuple(excluded),
        kinds=frozenset(sets["kinds"]), claim_kinds=frozenset(sets["claim_kinds"]),
        key_judgments=key_judgments, confidence=frozenset(sets["confidence"]),
        likelihood=frozenset(sets["likelihood"]), tags=frozenset(sets["tags"]),
        sources=tuple(dict.fromkeys(sources)), entities=tuple(dict.fromkeys(entities)),
        after=after, before=before,
    )
    if query.excluded and query.is_empty:
        raise QueryError("a query needs a word or a filter besides the excluded words")
    return query


# ---------------------------------------------------------------------------
# Briefs to rows

_HEADING = re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+")
_MARKDOWN = re.compile(
    r"\*\*(?P<bold>.+?)\*\*|__(?P<bold2>.+?)__|(?<![\w*])\*(?P<em>[^*\s][^*]*?)\*(?!\w)"
    r"|(?<![\w_])_(?P<em2>[^_\s][^_]*?)_(?!\w)|`(?P<code>[^`]+)`"
    r"|\[(?P<label>[^\[\]]+)\]\((?P<url>[^()\s]+)\)"
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _markdown_text(match: re.Match) -> str:
    groups = match.groupdict()
    if groups["label"]:
        return f"{groups['label']} <{groups['url']}>"
    return next(value for value in groups.values() if value)


def flat(text: str) -> str:
    """One line of text for the index: Markdown markers dropped, whitespace collapsed,
    no control character and no hit marker left."""
    if not text:
        return ""
    if "#" in text:
        text = _HEADING.sub("", text)
    if "*" in text or "_" in text or "`" in text or "](" in text:
        text = _MARKDOWN.sub(_markdown_text, text)
    if HIT_START in text or HIT_END in text:
        text = text.replace(HIT_START, "\ufffd").replace(HIT_END, "\ufffd")
    text = " ".join(text.split())
    return _CONTROL.sub(" ", text) if not text.isprintable() else text


def _plain(brief: Brief, text: str, *, embed_claims: bool, depth: int = 0) -> str:
    """Text with ``[[entity]]`` as the name, ``[[claim]]`` as the claim's text (or
    nothing), and ``[@source]`` citations dropped."""
    if "[" not in text:
        return text
    out: list[str] = []
    position = 0
    for ref in inline_refs(text):
        out.append(text[position:ref.start])
        position = ref.end
        claim = None if ref.cite else brief.claim(ref.target)
        if claim is not None and embed_claims and depth < 3:
            out.append(_plain(brief, claim.text, embed_claims=True, depth=depth + 1))
        elif ref.cite or claim is not None:
            if out and text[position:position + 1] in (".", ",", ";", ":", "!", "?", ")"):
                out[-1] = out[-1].rstrip()  # "drone [[c-2]]." -> "drone."
        else:
            entity = brief.entity(ref.target)
            out.append(entity.name if entity else ref.target)
    out.append(text[position:])
    return "".join(out)


def _entity_refs(text: str) -> list[str]:
    return [ref.target for ref in inline_refs(text) if not ref.cite] if "[[" in text else []


def _short(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + ELLIPSIS


class _Rows:
    """Builds the index rows of one brief."""

    def __init__(self, brief: Brief):
        self.brief = brief
        self.kj = set(brief.key_judgments)
        self.rows: list[tuple] = []
        self._name_cache: dict[str, str] = {}
        self._source_cache: dict[str, str] = {}

    def add(self, kind: str, item_id: str, line: int, label: str, title: str = "", lead: str = "",
            body: str = "", extra: str = "", about: Iterable[str] = (), source_ids: Iterable[str] = (),
            claim: Claim | None = None, split: bool = False, own_entity: str = "") -> None:
        """One unit: one row, or with ``split`` a heading row (title, lead) and a text row
        (the rest), so that a long body does not dilute a title's weight in BM25."""
        about = list(dict.fromkeys(about))
        aliases = self.alias_text(about)
        keys = self.entity_key([own_entity] if own_entity else about)
        meta = (kind, item_id, line)
        extra_meta = (claim.kind if claim else "", claim.confidence if claim else "",
                      claim.likelihood if claim else "", int(claim is not None and claim.id in self.kj),
                      self.source_key(source_ids), keys, _short(flat(label)))
        texts = (flat(title), flat(lead), flat(body), flat(extra), aliases)
        if split and any(texts[2:]) and any(texts[:2]):
            self.rows.append((*meta, 0, *extra_meta, texts[0], texts[1], "", "", ""))
            self.rows.append((*meta, 1, *extra_meta, "", "", *texts[2:]))
        else:
            self.rows.append((*meta, 0, *extra_meta, *texts))

    def alias_text(self, ids: Iterable[str]) -> str:
        names = [name for name in map(self._names, ids) if name]
        return ENTITY_SEPARATOR.join(names)

    def _names(self, entity_id: str) -> str:
        """An entity's name and aliases, ' · ' between them ('' for no such entity)."""
        names = self._name_cache.get(entity_id)
        if names is None:
            entity = self.brief.entity(entity_id)
            names = " · ".join(flat(n) for n in (entity.name, *entity.aliases)) if entity else ""
            self._name_cache[entity_id] = names
        return names

    def entity_key(self, ids: Iterable[str]) -> str:
        """What ``entity:`` matches: each entity's id, name and aliases."""
        keys = [f"{entity_id} · {names}" for entity_id in ids if (names := self._names(entity_id))]
        return fold(ENTITY_SEPARATOR.join(keys))

    def source_key(self, ids: Iterable[str]) -> str:
        """What ``source:`` matches: id, title and publisher of each source the unit rests
        on, and of the sources those derive from."""
        keys: list[str] = []
        seen: set[str] = set()
        frontier = list(ids)
        while frontier:
            source_id = frontier.pop()
            if source_id in seen:
                continue
            seen.add(source_id)
            source = self.brief.source(source_id)
            if source is not None:
                keys.append(self._source_words(source.id, source.title, source.publisher))
                frontier.extend(source.derived_from)
        return ENTITY_SEPARATOR.join(keys)

    def _source_words(self, *words: str) -> str:
        key = self._source_cache.get(words[0])
        if key is None:
            key = self._source_cache[words[0]] = fold(flat(" · ".join(w for w in words if w)))
        return key

    def build(self) -> list[tuple]:
        brief = self.brief
        front_text = f"{brief.bluf}\n{brief.summary}"
        self.add(
            "brief", brief.id, brief.loc.line, brief.title, title=f"{brief.title}\n{brief.subtitle}",
            lead=_plain(brief, brief.bluf, embed_claims=False),
            body=f"{_plain(brief, brief.summary, embed_claims=False)}\n{brief.source_summary}",
            extra=" ".join((*brief.tags, *(f"{a.name} {a.affiliation}" for a in brief.authors),
                            brief.publisher.name if brief.publisher else "")),
            about=_entity_refs(front_text),
            source_ids=[r.target for r in inline_refs(front_text) if r.cite] if "[@" in front_text else (),
            split=True,
        )
        for claim in brief.claims:
            text = _plain(brief, claim.text, embed_claims=True)
            about = [*claim.about, *([claim.attributed_to] if claim.third_party else ()),
                     *_entity_refs(claim.text)]
            key = claim.id in self.kj
            self.add(
                "claim", claim.id, claim.loc.line, text,
                lead=text if key else "", body="" if key else text,
                extra=" ".join((*claim.indicators, *(c.quote for c in claim.cites if c.quote))),
                about=about,
                source_ids=[c.source for c in claim.citations] + ([claim.primary] if claim.primary else []),
                claim=claim,
            )
        for section in brief.all_sections:
            self.add(
                "section", section.id, section.loc.line, section.title, title=section.title,
                body=_plain(brief, section.body, embed_claims=False),
                about=[t for t in section.embedded if brief.entity(t) is not None],
                source_ids=section.cited, split=True,
            )
        for source in brief.sources:
            self.add(
                "source", source.id, source.loc.line, source.label, title=source.title,
                lead=" · ".join(p for p in (*source.author, source.publisher, source.container_title) if p),
                body=source.descriptor, extra=" ".join((source.url, source.doi, source.issued)),
                source_ids=[source.id],
            )
        for entity in brief.entities:
            self.add(
                "entity", entity.id, entity.loc.line, entity.name, title=entity.name,
                lead=" · ".join(entity.aliases), own_entity=entity.id,
            )
        for event in brief.timeline:
            text = _plain(brief, event.text, embed_claims=True)
            self.add(
                "event", event.id, event.loc.line, f"{event.date} {text}", body=text,
                extra=f"{event.place} {event.date}", about=_entity_refs(event.text),
            )
        return self.rows


def brief_date(value: str) -> str:
    """A brief's date as YYYY-MM-DD (reduced dates to their first day), for after:/before:."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value or "")
    if not match:
        return ""
    return f"{match[1]}-{match[2] or '01'}-{match[3] or '01'}"


@dataclass(frozen=True)
class _Parsed:
    """What the index stores for one file: brief fields and rows, or a failure."""

    brief_id: str = ""
    title: str = ""
    date: str = ""
    tags: str = ""
    rows: tuple[tuple, ...] = ()
    failed: bool = False
    problems: int = 0


def _from_brief(brief: Brief) -> _Parsed:
    return _Parsed(brief.id, brief.title, brief_date(brief.date),
                   "|" + "|".join(brief.tags) + "|" if brief.tags else "",
                   tuple(_Rows(brief).build()), problems=len(brief.problems))


_MODEL_CACHE = None  # one per process, made on first use


def _parse_file(path: str, use_cache: bool = False) -> _Parsed:
    """Load one brief file and build its rows (runs in worker processes too).

    With ``use_cache`` the loaded brief comes from the model cache when the
    reader has loaded it before (and goes into it otherwise)."""
    global _MODEL_CACHE
    from .loader import load_brief_cached

    if use_cache and _MODEL_CACHE is None:
        from .cache import ModelCache

        _MODEL_CACHE = ModelCache()

    # Loading makes many objects and no cycles: pausing the cyclic collector saves a
    # third of the time (as loader.load_paths does).
    collecting = gc.isenabled()
    gc.disable()
    try:
        entry = load_brief_cached(path, _MODEL_CACHE if use_cache else None)
        if entry.brief is None:
            return _Parsed(failed=True, problems=len(entry.problems))
        return _from_brief(entry.brief)
    except Exception:  # the loader collects problems and should not raise; if it does, skip the file
        return _Parsed(failed=True, problems=1)
    finally:
        if collecting:
            gc.enable()


def _storable(path: str) -> bool:
    """SQLite keeps text as UTF-8: a file name that is not (undecodable bytes, kept by
    Python as surrogates) cannot be indexed, and is left out rather than crash."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---------------------------------------------------------------------------
# Watching the library's folders (Linux inotify), so a search need not stat every file

_IN_MODIFY, _IN_ATTRIB, _IN_CLOSE_WRITE = 0x2, 0x4, 0x8
_IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x40, 0x80, 0x100, 0x200
_IN_DELETE_SELF, _IN_MOVE_SELF, _IN_UNMOUNT, _IN_Q_OVERFLOW, _IN_IGNORED = 0x400, 0x800, 0x2000, 0x4000, 0x8000
_IN_ONLYDIR = 0x01000000
_WATCH_MASK = (_IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE
               | _IN_DELETE | _IN_DELETE_SELF | _IN_MOVE_SELF | _IN_ONLYDIR)
_WRITTEN = _IN_MODIFY | _IN_CLOSE_WRITE  # the content was written: read it again even if stat looks the same
_LOST = _IN_DELETE_SELF | _IN_MOVE_SELF | _IN_UNMOUNT | _IN_Q_OVERFLOW | _IN_IGNORED
_EVENT = struct.Struct("iIII")

# File systems on which the kernel sees every change, so inotify reports every change.
# Network and FUSE file systems (nfs, cifs, sshfs, 9p, virtiofs, vboxsf...) can be changed
# by another machine without an event: their files are stat'ed before every search.
_LOCAL_FS = frozenset({
    "ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "ramfs", "f2fs", "zfs", "jfs", "reiserfs",
    "nilfs2", "bcachefs", "vfat", "msdos", "exfat", "ntfs3", "hfsplus",
})


def _local_devices() -> set[int]:
    """st_dev of every mounted file system whose type is in :data:`_LOCAL_FS`."""
    devices = set()
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as mounts:
            for line in mounts:
                fields = line.split()
                try:
                    fstype = fields[fields.index("-") + 1]
                    major, minor = fields[2].split(":")
                except (ValueError, IndexError):
                    continue
                if fstype in _LOCAL_FS:
                    devices.add(os.makedev(int(major), int(minor)))
    except OSError:
        pass
    return devices


class _Watcher:
    """inotify watches on the folders that hold the library's files.

    The kernel queues an event for a child of a watched folder before the call
    that changed it (write, truncate, utime, rename, unlink...) returns, so
    reading the queue at the start of a search names every file changed through
    that folder since the last search.  What a folder watch cannot see is
    *polled* (stat'ed before every search, as without a watcher): a file that
    is a symbolic link or has other hard links (it can be changed through
    another folder), and every file of a folder on a file system that is not
    known to be local (another machine can change an NFS, SMB or FUSE file
    without an event).  Before every search each folder is stat'ed again: one
    that is no longer the folder that is watched (renamed, replaced, a
    symbolic link or a mount point changed) makes the next check a full one.
    """

    def __init__(self, scope: Sequence[str]):
        self.fd = -1
        self.dirs: dict[int, str] = {}  # watch descriptor -> folder
        self.identity: dict[str, tuple[int, int]] = {}  # folder -> (st_dev, st_ino) when watched
        self.polled: set[str] = set()
        self.scope = frozenset(scope)
        self.broken = False
        libc = ctypes.CDLL(None, use_errno=True)
        self._add_watch = libc.inotify_add_watch
        self._add_watch.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32)
        self._add_watch.restype = ctypes.c_int
        init = libc.inotify_init1
        init.argtypes = (ctypes.c_int,)
        init.restype = ctypes.c_int
        fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self.fd = fd
        self._finalizer = weakref.finalize(self, os.close, fd)
        local = _local_devices()
        folders: dict[str, list[str]] = {}
        for path in scope:
            folders.setdefault(os.path.dirname(path), []).append(path)
        for folder, files in folders.items():
            try:
                info = os.stat(folder)
                if info.st_dev not in local:
                    raise OSError("not a local file system")
                wd = self._add_watch(fd, os.fsencode(folder), _WATCH_MASK)
                if wd < 0:
                    raise OSError(ctypes.get_errno(), "inotify_add_watch failed")
                after = os.stat(folder)  # what is watched must be what was stat'ed (no rename between)
                if (after.st_dev, after.st_ino) != (info.st_dev, info.st_ino):
                    raise OSError("folder changed while watched")
                if wd in self.dirs:  # the same folder by another name: one watch names one of them
                    raise OSError("folder already watched")
            except OSError:
                self.polled.update(files)
                continue
            self.dirs[wd] = folder
            self.identity[folder] = (info.st_dev, info.st_ino)

    def close(self) -> None:
        self._finalizer()

    def classify(self, path: str, link: bool, links: int) -> None:
        """Poll a file that a folder watch cannot follow (a symbolic link, hard links)."""
        if link or links > 1:
            self.polled.add(path)

    def changes(self) -> tuple[set[str], set[str]] | None:
        """(files to check, files whose content was written) since the last call, or None
        when that cannot be told (lost events, a folder replaced): check every file."""
        if self.broken:
            return None
        touched: set[str] = set()
        written: set[str] = set()
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            except OSError:
                self.broken = True
                return None
            if not data:
                break
            offset = 0
            while offset + _EVENT.size <= len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size: offset + _EVENT.size + length].split(b"\0", 1)[0]
                offset += _EVENT.size + length
                if mask & _LOST:
                    self.broken = True  # drain the queue all the same
                    continue
                folder = self.dirs.get(wd)
                if folder is None or not name:
                    continue
                path = os.path.join(folder, os.fsdecode(name))
                if path in self.scope:
                    touched.add(path)
                    if mask & _WRITTEN:
                        written.add(path)
        for folder, identity in self.identity.items():
            try:
                info = os.stat(folder)
            except OSError:
                self.broken = True
                break
            if (info.st_dev, info.st_ino) != identity:
                self.broken = True
                break
        if self.broken:
            return None
        return touched | self.polled, written


# ---------------------------------------------------------------------------
# The index


@dataclass(frozen=True)
class Hit:
    """One search result.

    ``path`` is the file's absolute path, ``line`` the item's real line in it,
    ``target`` the reader's link form (``claim:<id>``, ``section:<id>``,
    ``source:<id>``, ``entity:<id>``, ``event:<id>`` or ``front``), ``snippet``
    one line with each matched term between :data:`HIT_START` and
    :data:`HIT_END`, ``score`` higher for better hits (BM25; 0 for filter-only
    queries, which list hits by brief date, newest first).
    """

    brief_id: str
    brief_title: str
    path: str
    line: int
    kind: str  # brief, claim, section, source, entity, event
    item_id: str
    target: str
    snippet: str
    score: float
    claim_kind: str = ""  # fact, reported, assessment, assumption (claims only)
    key_judgment: bool = False
    brief_date: str = ""

    @property
    def plain_snippet(self) -> str:
        return self.snippet.replace(HIT_START, "").replace(HIT_END, "")

    def highlights(self) -> list[tuple[int, int]]:
        """(start, end) offsets of the matched terms in :attr:`plain_snippet`."""
        spans, plain_len, start = [], 0, None
        for char in self.snippet:
            if char == HIT_START:
                start = plain_len
            elif char == HIT_END:
                if start is not None:
                    spans.append((start, plain_len))
                start = None
            else:
                plain_len += 1
        return spans


@dataclass(frozen=True)
class UpdateStats:
    files: int = 0  # brief files in scope
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: int = 0  # files in scope that could not be loaded (skipped by search)
    failed_paths: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def parsed(self) -> int:
        return self.added + self.changed


def index_path(roots: Sequence[str | Path]) -> Path:
    """The cache file for a library: one per set of resolved folder (or file) paths."""
    key = "\n".join(sorted({str(Path(root).resolve()) for root in roots}))
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return paths.cache_dir() / f"index-v{SCHEMA_VERSION}-{digest}.sqlite"


# A unit's rowid is its file's id shifted left, plus its number in the file: the rows
# of a file are one range, and a file filter needs no join.
_SHIFT = 22
_KEY_COLUMNS = ("kind", "claim_kind", "confidence", "likelihood", "kj", "part", "sources", "entities")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files(
    id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, ino INTEGER NOT NULL, brief_id TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '', failed INTEGER NOT NULL DEFAULT 0,
    problems INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS files_date ON files(date, path);
CREATE TABLE IF NOT EXISTS units(
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, item_id TEXT NOT NULL, line INTEGER NOT NULL,
    part INTEGER NOT NULL, claim_kind TEXT NOT NULL, confidence TEXT NOT NULL,
    likelihood TEXT NOT NULL, kj INTEGER NOT NULL, sources TEXT NOT NULL, entities TEXT NOT NULL,
    label TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS content(id INTEGER PRIMARY KEY, {", ".join(COLUMNS)});
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5({", ".join(COLUMNS)}, content='content',
    content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS keys USING fts5({", ".join(_KEY_COLUMNS)}, content='',
    tokenize='unicode61 remove_diacritics 2');
"""
_INSERT_FTS = f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})"
_DELETE_FTS = f"INSERT INTO fts(fts, rowid, {', '.join(COLUMNS)}) VALUES ('delete', ?{', ?' * len(COLUMNS)})"
_INSERT_KEYS = f"INSERT INTO keys(rowid, {', '.join(_KEY_COLUMNS)}) VALUES (?{', ?' * len(_KEY_COLUMNS)})"
_DELETE_KEYS = (f"INSERT INTO keys(keys, rowid, {', '.join(_KEY_COLUMNS)})"
                f" VALUES ('delete', ?{', ?' * len(_KEY_COLUMNS)})")


def _key_values(kind: str, part: int, claim_kind: str, confidence: str, likelihood: str, kj: int,
                sources: str, entities: str) -> tuple[str, ...]:
    """A unit's filterable values as single tokens for the ``keys`` table."""
    return (kind, claim_kind, confidence, likelihood.replace("-", ""), "kj" if kj else "",
            f"p{part}", sources, entities)


def _phrase(column: str, value: str, prefix: bool = False) -> str:
    return f'{column} : "' + value.replace('"', '""') + '"' + ("*" if prefix else "")


class _Unusable(Exception):
    """The database file is not ours (other version, foreign tables)."""


_DAMAGE = ("malformed", "not a database", "corrupt", "disk i/o", "no such table", "no such column",
           "readonly", "read-only", "unable to open", "disk is full", "locked", "busy", "schema")


def _damage(error: sqlite3.Error) -> bool:
    """An error that says the database (not the statement) is at fault."""
    text = str(error).lower()
    return not isinstance(error, sqlite3.ProgrammingError) and any(word in text for word in _DAMAGE)


def _busy(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


class LibraryIndex:
    """A full-text index of a library's briefs, on disk or in memory.

    ``LibraryIndex.for_paths([folder])`` opens the user's cached index for a
    library; ``LibraryIndex()`` (or ``--no-cache``) keeps it in memory.  Calls
    are serialised by a lock, so one index may be shared between threads.
    """

    def __init__(self, path: str | Path | None = None, *, jobs: int | None = None):
        self.path = Path(path) if path is not None else None
        # a cached index may also use the reader's model cache; --no-cache uses neither
        self.use_model_cache = self.path is not None
        self.jobs = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
        self.notice = ""  # what went wrong with the cache file, if anything (for the UI)
        self.last_update: UpdateStats | None = None
        self._scope: list[str] | None = None  # the files of the last update
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._synced: sqlite3.Connection | None = None  # the connection of the last full check
        self._watcher: _Watcher | None = None  # the scope's folders, watched from the first search
        self._can_watch = WATCH and sys.platform.startswith("linux")
        self._connect()

    # -- construction ---------------------------------------------------

    @classmethod
    def for_paths(cls, roots: Sequence[str | Path], *, cache: bool = True,
                  jobs: int | None = None) -> "LibraryIndex":
        """The index of the library made of ``roots`` (folders or files): cached or in memory."""
        return cls(index_path(roots) if cache else None, jobs=jobs)

    @property
    def in_memory(self) -> bool:
        return self.path is None

    def __enter__(self) -> "LibraryIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._unwatch()
            if self._conn is not None:
                try:
                    self._conn.close()
                except sqlite3.Error:
                    pass
                self._conn = None

    def _connect(self) -> None:
        if self.path is not None:
            for attempt in range(2):
                try:
                    self._conn = self._open_file(self.path)
                    return
                except _Unusable as why:
                    self._remove_files(why=str(why))
                except sqlite3.DatabaseError as error:
                    if _busy(error):
                        break
                    self._remove_files(why=f"damaged ({error})")
                except OSError as error:
                    self.notice = f"search index cache unavailable ({error}); indexing in memory"
                    break
            if not self.notice:
                self.notice = f"search index {self.path} could not be used; indexing in memory"
            self.path = None
        self._conn = self._open_memory()

    def _open_memory(self) -> sqlite3.Connection:
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return conn

    def _open_file(self, path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, check_same_thread=False,
                               isolation_level=None)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise _Unusable(f"of schema version {version}, not {SCHEMA_VERSION}")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            if version == 0:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    version = conn.execute("PRAGMA user_version").fetchone()[0]
                    if version == 0:  # nobody created it meanwhile
                        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                            raise _Unusable("not a search index")
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                conn.execute(statement)
                        conn.execute("INSERT OR REPLACE INTO meta VALUES ('created', ?)",
                                     (dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),))
                        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                self._remove_old_versions(path)
            elif version != SCHEMA_VERSION:
                raise _Unusable(f"of schema version {version}, not {SCHEMA_VERSION}")
            # A cheap sanity read: a file damaged past its header fails here.
            conn.execute("SELECT count(*) FROM files").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn

    def _remove_files(self, why: str) -> None:
        assert self.path is not None
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
        self.notice = f"search index was {why}: rebuilt"

    @staticmethod
    def _remove_old_versions(path: Path) -> None:
        """Index files of other schema versions next to this one are dead weight."""
        try:
            for other in path.parent.glob("index-v*-*.sqlite*"):
                if not other.name.startswith(f"index-v{SCHEMA_VERSION}-"):
                    other.unlink()
        except OSError:
            pass

    def _reset(self, error: sqlite3.Error) -> None:
        """After a database error: rebuild the cache file, or go on in memory."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.rollback()
                conn.close()
            except sqlite3.Error:
                pass
        if self.path is not None and not _busy(error):
            self._remove_files(why=f"damaged ({error})")
        elif self.path is not None:
            self.notice = "search index busy in another process; indexing in memory"
            self.path = None
        self._connect()

    def _guarded(self, operation: Callable[[], object]) -> object:
        """Run ``operation``; on a database error rebuild the cache file and retry,
        then go on in memory and retry once more."""
        try:
            return operation()
        except sqlite3.DatabaseError as error:
            if not _damage(error):
                raise
            self._reset(error)
        try:
            return operation()
        except sqlite3.DatabaseError as error:
            if self.path is None or not _damage(error):
                raise
            self.notice = f"search index unusable ({error}); indexing in memory"
            self.path = None
            self._reset(error)
        return operation()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._connect()
        assert self._conn is not None
        return self._conn

    # -- updating -------------------------------------------------------

    def update(self, files: Iterable[str | Path]) -> UpdateStats:
        """Make the index hold exactly ``files``: re-read new and changed ones (by size
        and mtime), drop the rows of files not listed.  Returns what was done."""
        scope = [p for p in dict.fromkeys(os.path.abspath(f) for f in files) if _storable(p)]
        with self._lock:
            self._scope = scope
            self._unwatch()
            stats = self._guarded(lambda: self._update(scope, None))
            self.last_update = stats
            return stats  # type: ignore[return-value]

    def update_folder(self, folder: str | Path) -> UpdateStats:
        """:meth:`update` with every brief file below ``folder``."""
        from .loader import find_brief_files

        files, _ = find_brief_files(folder)
        return self.update(files)

    def update_from_library(self, library: Library, *, loaded_at: float | None = None) -> UpdateStats:
        """Index briefs that are already loaded (the TUI has them), without parsing again.

        ``loaded_at`` is the ``time.time()`` at which loading began: a file
        modified after it is read from disk instead, so the index never holds
        text older than the file.  Entries that failed to load (including a
        second brief with an id already in the library) are recorded as failed.
        """
        loaded: dict[str, LibraryEntry] = {}
        for entry in library.entries:
            path = os.path.abspath(entry.path)
            if loaded_at is not None:
                try:
                    if os.stat(path).st_mtime > loaded_at:
                        continue  # changed since it was loaded: parse it afresh
                except OSError:
                    continue
            loaded[path] = entry
        scope = [p for p in dict.fromkeys(os.path.abspath(e.path) for e in library.entries)
                 if _storable(p)]
        with self._lock:
            self._scope = scope
            self._unwatch()
            stats = self._guarded(lambda: self._update(scope, loaded))
            self.last_update = stats
            return stats  # type: ignore[return-value]

    def _unwatch(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None

    def _refresh(self) -> UpdateStats:
        """Bring the index up to date with the files of the last update, before a search.

        The first search watches the files' folders (:class:`_Watcher`) and then
        stats every file; later ones stat only the files the watcher names and
        those it cannot watch.  Where nothing can be watched (not Linux, no
        inotify, out of watches), or the watcher lost track (events dropped, a
        folder renamed or replaced), every file is stat'ed, as :meth:`update` does.
        """
        assert self._scope is not None
        watcher = self._watcher
        if watcher is not None and self._synced is self._conn:
            found = watcher.changes()
            if found is not None:
                check, written = found
                if not check:
                    return self._quiet_stats()
                return self._update(self._scope, None, only=check, force=written)
        self._unwatch()
        if self._can_watch:
            try:  # watch first, then stat: no change can fall between the two
                self._watcher = _Watcher(self._scope)
            except (OSError, AttributeError, ValueError):
                self._can_watch = False  # no inotify here: stat every file before every search
        return self._update(self._scope, None)

    def _quiet_stats(self) -> UpdateStats:
        last = self.last_update or UpdateStats()
        return UpdateStats(files=last.files, unchanged=last.files, failed=last.failed,
                           failed_paths=last.failed_paths)

    def _update(self, scope: list[str], loaded: dict[str, LibraryEntry] | None, *,
                only: Iterable[str] | None = None, force: Iterable[str] = ()) -> UpdateStats:
        """Re-read what changed among ``scope``, or among ``only`` (a part of it: the rest is
        known not to have changed), and re-read ``force`` whatever its stat says."""
        started = time.perf_counter()
        conn = self.conn
        check = scope if only is None else sorted(only)
        force = set(force)
        watcher = self._watcher
        stat: dict[str, tuple[int, int, int]] = {}
        for path in check:
            try:
                if watcher is not None:
                    info = os.lstat(path)
                    link = stat_module.S_ISLNK(info.st_mode)
                    if link:
                        info = os.stat(path)
                    watcher.classify(path, link, info.st_nlink)
                else:
                    info = os.stat(path)
            except OSError:
                continue  # gone: its rows are removed like any deleted file's
            stat[path] = (info.st_size, info.st_mtime_ns, info.st_ino)
        # A file modified in the last moments may change again within the same
        # timestamp tick and keep its size: store it as unknown, so that the next
        # update reads it once more (git's "racy clean" problem).
        racy = time.time_ns() - RACY_NS

        def plan() -> tuple[list[str], list[int], dict[str, int]]:
            if only is None:
                rows = conn.execute("SELECT id, path, size, mtime_ns, ino FROM files").fetchall()
            else:
                rows = []
                for chunk in _chunks(check, 500):
                    rows += conn.execute("SELECT id, path, size, mtime_ns, ino FROM files WHERE path IN"
                                         f" ({','.join('?' * len(chunk))})", chunk).fetchall()
            indexed = {path: (file_id, (size, mtime, ino)) for file_id, path, size, mtime, ino in rows}
            todo = [p for p, s in stat.items() if p not in indexed or indexed[p][1] != s or p in force]
            gone = [file_id for p, (file_id, _) in indexed.items() if p not in stat]
            return todo, gone, {p: v[0] for p, v in indexed.items()}

        todo, gone, _ = plan()
        added = changed = 0
        if todo or gone:
            conn.execute("BEGIN IMMEDIATE")  # waits while another process updates
            try:
                todo, gone, ids = plan()  # again, now that nobody else writes
                for file_id in gone:
                    self._delete_file(conn, file_id)
                    conn.execute("DELETE FROM files WHERE id = ?", (file_id,))
                for path, parsed in self._parse_all(todo, loaded or {}):
                    size, mtime, ino = stat[path]
                    values = (size, mtime if mtime < racy else -1, ino, parsed.brief_id, parsed.title, parsed.date, parsed.tags,
                              int(parsed.failed), parsed.problems)
                    file_id = ids.get(path)
                    if file_id is not None:
                        changed += 1
                        self._delete_file(conn, file_id)
                        conn.execute("UPDATE files SET size=?, mtime_ns=?, ino=?, brief_id=?, title=?, date=?,"
                                     " tags=?, failed=?, problems=? WHERE id=?", (*values, file_id))
                    else:
                        added += 1
                        file_id = conn.execute(
                            "INSERT INTO files(size, mtime_ns, ino, brief_id, title, date, tags, failed,"
                            " problems, path) VALUES (?,?,?,?,?,?,?,?,?,?)", (*values, path)).lastrowid
                    self._insert_rows(conn, file_id, parsed.rows)
                conn.execute("COMMIT")
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise
            if self.path is not None and len(todo) + len(gone) >= 100:
                # A big update leaves a WAL as large as the index: fold it in and shrink it.
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        last = self.last_update if self._synced is conn else None
        if only is None or last is None:
            files = len(stat)
        else:  # the files of the last update, give or take those that came or went since
            files = last.files + added - len(gone)
        if last is None or todo or gone:
            failed_paths = tuple(p for (p,) in conn.execute("SELECT path FROM files WHERE failed = 1 ORDER BY path"))
        else:
            failed_paths = last.failed_paths
        if only is None:
            self._synced = conn
        return UpdateStats(files=files, added=added, changed=changed, removed=len(gone),
                           unchanged=files - added - changed, failed=len(failed_paths),
                           failed_paths=failed_paths, seconds=time.perf_counter() - started)

    def _parse_all(self, todo: list[str], loaded: dict[str, LibraryEntry]) -> Iterator[tuple[str, _Parsed]]:
        """Each path of ``todo`` with what to store: from an already loaded entry, else
        parsed (in worker processes when there are many)."""
        to_parse = []
        for path in todo:
            entry = loaded.get(path)
            if entry is None:
                to_parse.append(path)
            elif entry.brief is not None:
                yield path, _from_brief(entry.brief)
            else:
                yield path, _Parsed(failed=True, problems=len(entry.problems))
        done = 0
        if self.jobs > 1 and len(to_parse) >= PARALLEL_MIN:
            try:
                pool = _process_pool(min(self.jobs, max(1, len(to_parse) // 8)))
            except (OSError, ImportError, RuntimeError, ValueError):
                pool = None  # no worker processes here (sandbox, no /dev/shm): parse in this one
            if pool is not None:
                try:
                    parse = functools.partial(_parse_file, use_cache=self.use_model_cache)
                    for parsed in pool.map(parse, to_parse, chunksize=4):
                        yield to_parse[done], parsed
                        done += 1
                except (OSError, RuntimeError, EOFError):
                    pass  # a broken pool: parse the rest here
                finally:
                    pool.shutdown(wait=True, cancel_futures=True)
        for path in to_parse[done:]:
            yield path, _parse_file(path, self.use_model_cache)

    @staticmethod
    def _insert_rows(conn: sqlite3.Connection, file_id: int, rows: Sequence[tuple]) -> None:
        if len(rows) >= 1 << _SHIFT:
            rows = rows[: (1 << _SHIFT) - 1]  # four million units in one brief: index the first
        base = file_id << _SHIFT
        ids = range(base, base + len(rows))
        # row: kind, item_id, line, part, claim_kind, confidence, likelihood, kj, sources,
        # entities, label, then the text columns
        conn.executemany(
            "INSERT INTO units(id, kind, item_id, line, part, claim_kind, confidence, likelihood,"
            " kj, sources, entities, label) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(i, *row[:11]) for i, row in zip(ids, rows)])
        conn.executemany(_INSERT_KEYS, [(i, *_key_values(row[0], *row[3:10])) for i, row in zip(ids, rows)])
        texts = [(i, *row[11:]) for i, row in zip(ids, rows)]
        conn.executemany(f"INSERT INTO content(id, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})", texts)
        conn.executemany(_INSERT_FTS, [(i, *map(fold, cols)) for i, *cols in texts])

    @staticmethod
    def _delete_file(conn: sqlite3.Connection, file_id: int) -> None:
        low, high = file_id << _SHIFT, ((file_id + 1) << _SHIFT) - 1
        rows = conn.execute(f"SELECT id, {', '.join(COLUMNS)} FROM content WHERE id BETWEEN ? AND ?",
                            (low, high)).fetchall()
        conn.executemany(_DELETE_FTS, [(i, *map(fold, cols)) for i, *cols in rows])
        keys = conn.execute("SELECT id, kind, part, claim_kind, confidence, likelihood, kj, sources, entities"
                            " FROM units WHERE id BETWEEN ? AND ?", (low, high)).fetchall()
        conn.executemany(_DELETE_KEYS, [(i, *_key_values(*row)) for i, *row in keys])
        conn.execute("DELETE FROM content WHERE id BETWEEN ? AND ?", (low, high))
        conn.execute("DELETE FROM units WHERE id BETWEEN ? AND ?", (low, high))

    # -- searching ------------------------------------------------------

    def search(self, query: str | Query, limit: int | None = 50, *, refresh: bool = True) -> list[Hit]:
        """The best hits for ``query`` (a string is parsed; QueryError if bad).

        With ``refresh`` (the default) the files of the last update are checked
        first and changed ones re-read, so no hit is ever stale; pass False only
        right after an :meth:`update` of your own.
        """
        if isinstance(query, str):
            query = parse_query(query)
        if query.is_empty:
            return []
        with self._lock:
            state = {"refresh": refresh}

            def run() -> list[Hit]:
                if state["refresh"] and self._scope is not None:
                    self.last_update = self._refresh()
                state["refresh"] = True  # after a rebuild the index must be filled again
                return self._search(query, limit)

            return self._guarded(run)  # type: ignore[return-value]

    def _search(self, query: Query, limit: int | None) -> list[Hit]:
        conn = self.conn
        keys = self._keys_match(query)
        file_where, file_params = self._file_filters(query)
        # A brief or section is two rows (heading, text): fetch twice the limit, keep the best of each.
        limit_sql = -1 if not limit or limit < 0 else 2 * int(limit)
        if query.has_text:
            weights = ", ".join(str(w) for w in COLUMN_WEIGHTS)
            sql = f"SELECT fts.rowid, bm25(fts, {weights}) AS score FROM fts WHERE fts MATCH ?"
            # Excluded words inside the MATCH ("a NOT b"): FTS5 skips them while walking the
            # lists, instead of a table of every row that has them.  They add exactly 0.0
            # to a row's BM25 score (the row has none of them), so scores are unchanged.
            params: list[object] = [query.full_match()]
            # "+fts.rowid": an IN on the bare rowid would be handed to FTS5 as a rowid
            # lookup, and the MATCH evaluated once per row (seconds instead of ms).
            if keys:
                sql += " AND +fts.rowid IN (SELECT rowid FROM keys WHERE keys MATCH ?)"
                params.append(keys)
            if file_where:
                sql += f" AND (fts.rowid >> {_SHIFT}) IN (SELECT id FROM files WHERE {file_where})"
                params.extend(file_params)
            ranked = conn.execute(sql + " ORDER BY score, fts.rowid LIMIT ?", [*params, limit_sql]).fetchall()
        else:
            # Filters alone: newest briefs first, each brief's units in file order.
            file_where, params = self._file_filters(query, "f.")
            if keys:  # driven by the keys index
                sql = (f"SELECT k.rowid, 0.0 FROM keys k JOIN files f ON f.id = (k.rowid >> {_SHIFT})"
                       " WHERE keys MATCH ?")
                params.insert(0, f'{keys} AND {_phrase("part", "p0")}')
                unit = "k.rowid"
            else:  # brief filters only: walk the briefs by date, each one's units by rowid
                sql = (f"SELECT u.id, 0.0 FROM files f JOIN units u ON u.id >= (f.id << {_SHIFT})"
                       f" AND u.id < ((f.id + 1) << {_SHIFT}) WHERE +u.part = 0")
                unit = "u.id"
            if file_where:
                sql += f" AND {file_where}"
            if query.excluded:
                sql += f" AND +{unit} NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
                params.append(query.excluded_match())
            sql += f" ORDER BY f.date DESC, f.path DESC, {unit} LIMIT ?"
            ranked = None
            if keys and limit_sql > 0 and not query.excluded and not query.sources and not query.entities:
                ranked = self._walk_briefs(params[0], file_where, params[1:], limit_sql)
            if ranked is None:
                ranked = conn.execute(sql, [*params, limit_sql]).fetchall()
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        details: dict[int, tuple] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                    "SELECT u.id, u.kind, u.item_id, u.line, u.claim_kind, u.kj, u.label, f.path,"
                    f" f.brief_id, f.title, f.date FROM units u JOIN files f ON f.id = (u.id >> {_SHIFT})"
                    f" WHERE u.id IN ({marks})", chunk):
                details[row[0]] = row
        kept: list[tuple[int, float]] = []
        seen: set[tuple[str, str, str]] = set()
        for unit_id, score in ranked:
            _, kind, item_id, *_rest, path, _brief_id, _title, _date = details[unit_id]
            if (path, kind, item_id) in seen:
                continue  # the other row of a brief or section that already has a hit
            seen.add((path, kind, item_id))
            kept.append((unit_id, score))
            if limit and 0 < limit <= len(kept):
                break
        snippets = self._snippets(query, [unit_id for unit_id, _ in kept]) if query.has_text else {}
        hits = []
        for unit_id, score in kept:
            _, kind, item_id, line, claim_kind, kj, label, path, brief_id, title, date = details[unit_id]
            snippet = snippets.get(unit_id) or label
            hits.append(Hit(
                brief_id=brief_id, brief_title=title, path=path, line=line, kind=kind, item_id=item_id,
                target="front" if kind == "brief" else f"{kind}:{item_id}", snippet=_safe(snippet),
                score=-score if score else 0.0, claim_kind=claim_kind, key_judgment=bool(kj),
                brief_date=date,
            ))
        return hits

    def _walk_briefs(self, keys: str, file_where: str, params: list[object],
                     limit: int) -> list[tuple[int, float]] | None:
        """The first ``limit`` units matching ``keys`` (an FTS5 expression over ``keys``),
        newest brief first, each brief's units in file order: the briefs walked by date,
        each one's units found by a rowid range, so that a filter most briefs match
        costs a few lookups instead of sorting every match.  None when the matches
        turn out to be sparse (the walk would visit too many briefs): the caller then
        sorts them all.  Not for prefix values (FTS5 merges a prefix's lists again for
        each statement) nor excluded words."""
        conn = self.conn
        files = conn.execute("SELECT f.id FROM files f" + (f" WHERE {file_where}" if file_where else "")
                             + " ORDER BY f.date DESC, f.path DESC", params)
        found: list[tuple[int, float]] = []
        visited = 0
        try:  # one read snapshot: the files cursor stays open while the units are looked up
            for (file_id,) in files:
                found += conn.execute(
                    "SELECT rowid, 0.0 FROM keys WHERE keys MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid",
                    (keys, file_id << _SHIFT, ((file_id + 1) << _SHIFT) - 1)).fetchall()
                visited += 1
                if len(found) >= limit:
                    return found[:limit]
                if visited >= WALK_START and visited * limit > WALK_BRIEFS * max(len(found), 1):
                    return None  # at this rate more than WALK_BRIEFS briefs: sort every match instead
        finally:
            files.close()
        return found

    def _snippets(self, query: Query, ids: list[int]) -> dict[int, str]:
        """Snippets of the hits ``ids`` only.  In a large library each hit's row is looked
        up by rowid, a few seeks in the word lists (some 25 to 100 us a hit), instead of
        a walk over every match, whose cost grows with the library.  In a small one
        (fewer than :data:`LOOKUP_FILES` files) that walk is the cheaper of the two,
        and so it is for a prefix (``word*``) at any size: FTS5 merges the lists of
        every word with the prefix again for each statement.  Both give the same text."""
        columns = ", ".join(
            f"snippet(fts, {n}, '{HIT_START}', '{HIT_END}', '{ELLIPSIS}', {SNIPPET_TOKENS})"
            for n in range(len(COLUMNS) - 1))
        columns += f", highlight(fts, {len(COLUMNS) - 1}, '{HIT_START}', '{HIT_END}')"
        found: dict[int, str] = {}
        files = self.last_update.files if self.last_update is not None else 0
        if not query.has_prefix and files >= LOOKUP_FILES:
            statement = (f"SELECT fts.rowid, {columns}, u.label FROM fts JOIN units u ON u.id = fts.rowid"
                         " WHERE fts MATCH ? AND fts.rowid = ?")
            match = query.match()
            for unit_id in ids:
                for rowid, *cols, label in self.conn.execute(statement, (match, unit_id)):
                    found[rowid] = _choose_snippet(cols, label)
            return found
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                # "+fts.rowid": scan the matches once; a rowid lookup per hit re-runs the
                # MATCH each time (a prefix query took a quarter of a second for 50 hits).
                f"SELECT fts.rowid, {columns}, u.label FROM fts JOIN units u ON u.id = fts.rowid"
                f" WHERE fts MATCH ? AND +fts.rowid IN ({marks})", [query.match(), *chunk])
            for rowid, *cols, label in rows:
                found[rowid] = _choose_snippet(cols, label)
        return found

    @staticmethod
    def _keys_match(query: Query) -> str:
        """The filters on units as an FTS5 expression over the ``keys`` table ('' if none)."""
        groups = []
        kinds = [_phrase("kind", k) for k in sorted(query.kinds)]
        kinds += [_phrase("claim_kind", k) for k in sorted(query.claim_kinds)]
        if query.key_judgments:
            kinds.append(_phrase("kj", "kj"))
        for alternatives in (
            kinds,
            [_phrase("confidence", c) for c in sorted(query.confidence)],
            [_phrase("likelihood", t.replace("-", "")) for t in sorted(query.likelihood)],
            [_phrase("sources", v, prefix=True) for v in query.sources],
            [_phrase("entities", v, prefix=True) for v in query.entities],
        ):
            if alternatives:
                groups.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
        return " AND ".join(groups)

    @staticmethod
    def _file_filters(query: Query, table: str = "") -> tuple[str, list[object]]:
        """The filters on briefs (tags, dates) as a condition on the files table."""
        where: list[str] = []
        params: list[object] = []
        if query.tags:
            where.append("(" + " OR ".join(f"instr({table}tags, ?) > 0" for _ in query.tags) + ")")
            params.extend(f"|{tag}|" for tag in sorted(query.tags))
        if query.after:
            where.append(f"{table}date >= ?")
            params.append(query.after)
        if query.before:
            where.append(f"{table}date < ?")
            params.append(query.before)
        return " AND ".join(where), params

    # -- information ----------------------------------------------------

    def stats(self) -> dict[str, int]:
        """Counts of what is indexed (files, failed files, units), for benchmarks and the UI."""
        with self._lock:
            conn = self.conn
            files, failed = conn.execute("SELECT count(*), coalesce(sum(failed), 0) FROM files").fetchone()
            units = conn.execute("SELECT count(*) FROM units").fetchone()[0]
            return {"files": files, "failed": failed, "units": units}


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _choose_snippet(columns: Sequence[str], label: str) -> str:
    """The snippet to show: the title, lead or body column with the most matched terms
    (ties in that order); else the extra column; else, for a match only in the names
    of what the unit is about, its label followed by those names."""
    counts = [(text or "").count(HIT_START) for text in columns]
    main = max(range(3), key=lambda n: (counts[n], -n))
    if counts[main]:
        return columns[main]
    if counts[3]:
        return columns[3]
    if counts[4]:
        names = [name for entity in columns[4].split(ENTITY_SEPARATOR) for name in entity.split(" · ")
                 if HIT_START in name]
        return f"{label} (about: {' · '.join(dict.fromkeys(names))})"
    return label


def _safe(snippet: str) -> str:
    """A snippet as one line with no control character and balanced markers."""
    snippet = _CONTROL.sub(" ", snippet) if not snippet.isprintable() else snippet
    if snippet.count(HIT_START) != snippet.count(HIT_END):
        snippet = snippet.replace(HIT_START, "").replace(HIT_END, "")
    return snippet

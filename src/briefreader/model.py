"""The brief model: frozen objects that know where in which file they were written.

The loader builds these; every other layer reads them.  Lookups that the views
need (a claim's sources, a source's backlinks, what depends on a claim) live
here so that no widget walks dicts.  All strings are already cleaned by
:mod:`briefreader.sanitize`.
"""

from __future__ import annotations

import re
from dataclasses import field
from functools import cached_property
from pathlib import Path
from typing import Iterator, Union

from .records import Record, record
from .vocab import AUTHOR_ATTRIBUTION, LIKELIHOOD_BY_TERM, UNMARKED, Likelihood

ERROR = "error"
WARNING = "warning"


@record(slots=True)
class Loc(Record):
    """A position in a brief file, 1-based like editors and compilers count."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def __reduce__(self):  # pickled as a call: the dataclass's slot state is slow to restore
        return Loc, (self.path, self.line, self.column)


@record(slots=True)
class Problem(Record):
    """An error (the brief does not open) or a warning (it opens, flagged)."""

    path: str
    line: int
    column: int
    severity: str
    message: str
    code: str = ""

    def __reduce__(self):  # as Loc's
        return Problem, (self.path, self.line, self.column, self.severity, self.message, self.code)

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return f"{self.path}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


# ---------------------------------------------------------------------------
# Inline references in Markdown text: [[id]] and [@source, locator]

INLINE_REF = re.compile(r"\[\[([^\[\]\n]+?)\]\]|\[@([^\[\]\s,;]+)(?:\s*[,;]\s*([^\[\]\n]*?))?\]")


@record(slots=True)
class InlineRef(Record):
    """One ``[[id]]`` (``cite`` False) or ``[@id, locator]`` (``cite`` True)."""

    target: str
    cite: bool
    locator: str
    start: int  # offsets into the text it was found in
    end: int

    def as_citation(self, loc: Loc) -> "Citation":
        return Citation(self.target, loc, locator=parse_locator(self.locator), inline=True)


# A Markdown code span (`...`, ``...``): what is inside is shown as written, so a
# brief can explain the syntax ("write `[@source-id]`") without making a reference.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)


def mask_code_spans(text: str) -> str:
    """The text with each code span blanked out, every offset kept."""
    if "`" not in text:
        return text
    return _CODE_SPAN.sub(lambda m: " " * len(m.group()), text)


def inline_refs(text: str) -> list[InlineRef]:
    refs = []
    for match in INLINE_REF.finditer(mask_code_spans(text)):
        if match.group(1) is not None:
            refs.append(InlineRef(match.group(1).strip(), False, "", match.start(), match.end()))
        else:
            locator = (match.group(3) or "").strip()
            refs.append(InlineRef(match.group(2), True, locator, match.start(), match.end()))
    return refs


# ---------------------------------------------------------------------------
# The objects of a brief


@record
class Author(Record):
    """One author of a brief, with their role in writing it."""

    name: str
    role: str = "author"
    affiliation: str = ""


@record
class Publisher(Record):
    """Who published the brief."""

    name: str
    url: str = ""


@record
class Handling(Record):
    """How the brief may be shared: classification, TLP and handling notices."""

    classification: str = ""
    tlp: str = ""  # normalised: CLEAR, GREEN, AMBER, AMBER+STRICT, RED or ""
    notices: tuple[str, ...] = ()

    @property
    def banner(self) -> str:
        """The line shown at the top and bottom of every screen and export."""
        parts = [self.classification] if self.classification else []
        if self.tlp:
            parts.append(f"TLP:{self.tlp}")
        return " // ".join(parts) or UNMARKED


@record
class Locator(Record):
    """Where in a source a cited passage is: a page, paragraph, section or timestamp."""

    kind: str  # page, paragraph, section or timestamp
    value: str

    def __str__(self) -> str:
        prefix = {"page": "p. ", "paragraph": "para. ", "section": "sec. ", "timestamp": "at "}
        return prefix.get(self.kind, "") + self.value


_LOCATOR_PREFIXES = (
    ("page", ("pages", "page", "pp.", "p.")),
    ("paragraph", ("paragraphs", "paragraph", "paras.", "para.", "¶")),
    ("section", ("sec.", "section", "§")),
    ("timestamp", ("at",)),
)


def parse_locator(text: str) -> Locator | None:
    """Read an inline locator such as ``p. 3``, ``para. 2``, ``§ 4`` or ``at 01:02``."""
    text = text.strip()
    if not text:
        return None
    lowered = text.lower()
    for kind, prefixes in _LOCATOR_PREFIXES:
        for prefix in prefixes:
            if lowered.startswith(prefix):
                return Locator(kind, text[len(prefix):].strip() or text)
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        return Locator("timestamp", text)
    return Locator("page", text) if text.isdigit() else Locator("section", text)


@record
class Citation(Record):
    """A claim's reference to a source, with where in the source, if given."""

    source: str
    loc: Loc
    locator: Locator | None = None
    quote: str = ""
    credibility: int | None = None
    relation: str = "supports"
    inline: bool = False  # written as [@source] in text rather than under cites:


@record
class Claim(Record):
    """One statement the brief makes: a fact, a report, an assessment or an assumption."""

    id: str
    text: str
    kind: str
    loc: Loc
    likelihood: str = ""  # canonical ICD 203 term; synonyms normalised
    confidence: str = ""
    attributed_to: str = AUTHOR_ATTRIBUTION
    stance: str = ""
    cites: tuple[Citation, ...] = ()
    primary: str = ""
    depends_on: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    marking: str = ""

    @property
    def third_party(self) -> bool:
        return self.attributed_to != AUTHOR_ATTRIBUTION

    @property
    def likelihood_band(self) -> Likelihood | None:
        return LIKELIHOOD_BY_TERM.get(self.likelihood)

    @cached_property
    def citations(self) -> tuple[Citation, ...]:
        """The ``cites`` list, then the ``[@id]`` citations written in the text."""
        return self.cites + tuple(
            ref.as_citation(self.loc) for ref in inline_refs(self.text) if ref.cite
        )


@record
class Section(Record):
    """A titled part of the brief's body: its text, the claims under it, its subsections."""

    id: str
    title: str
    loc: Loc
    marking: str = ""
    body: str = ""
    claims: tuple[str, ...] = ()  # ids of claims shown under it, not embedded in the body
    sections: tuple["Section", ...] = ()

    @cached_property
    def embedded(self) -> tuple[str, ...]:
        """Ids written as ``[[id]]`` in the body, in order (claims and entities)."""
        return tuple(ref.target for ref in inline_refs(self.body) if not ref.cite)

    @cached_property
    def cited(self) -> tuple[str, ...]:
        """Source ids cited as ``[@id]`` in the body, in order."""
        return tuple(ref.target for ref in inline_refs(self.body) if ref.cite)


@record
class Source(Record):
    """Something the brief's claims rest on, with its reliability grade."""

    id: str
    type: str
    loc: Loc
    title: str = ""
    author: tuple[str, ...] = ()
    publisher: str = ""
    container_title: str = ""
    issued: str = ""
    accessed: str = ""
    url: str = ""
    doi: str = ""
    reliability: str = ""
    descriptor: str = ""
    derived_from: tuple[str, ...] = ()
    marking: str = ""

    @property
    def label(self) -> str:
        return self.title or self.url or (f"doi:{self.doi}" if self.doi else self.id)


@record
class Entity(Record):
    """A person, organization, country, place or other thing the brief names."""

    id: str
    type: str
    name: str
    loc: Loc
    aliases: tuple[str, ...] = ()
    within: str = ""


@record
class Event(Record):
    """One dated entry of the brief's timeline."""

    id: str
    date: str  # ISO 8601 or EDTF as written
    text: str
    loc: Loc
    place: str = ""
    claims: tuple[str, ...] = ()


@record
class Related(Record):
    """A link from the brief to another brief, a source or a URL."""

    rel: str
    kind: str  # brief, source or url
    target: str  # brief id, source id or URL
    loc: Loc
    anchor: str = ""  # the local id after '#' in a brief target
    title: str = ""
    note: str = ""
    target_loc: Loc | None = None  # where the target's value is written


Item = Union[Claim, Section, Source, Entity, Event]


@record
class Backlink(Record):
    """One place that rests on a source: who cites, with which citation.

    ``via`` is set when the citation names a source derived from this one (a
    news write-up of a think-tank report rests on the report too).
    """

    citer: Claim | Section
    citation: Citation
    via: Source | None = None


@record
class Brief(Record):
    """A loaded brief: everything the file says, checked, with its problems."""

    id: str
    title: str
    date: str
    path: str
    loc: Loc
    subtitle: str = ""
    modified: str = ""
    data_cutoff: str = ""
    type: str = ""
    status: str = ""
    language: str = "en"
    authors: tuple[Author, ...] = ()
    publisher: Publisher | None = None
    handling: Handling | None = None
    bluf: str = ""
    summary: str = ""
    key_judgments: tuple[str, ...] = ()
    source_summary: str = ""
    sections: tuple[Section, ...] = ()
    claims: tuple[Claim, ...] = ()
    sources: tuple[Source, ...] = ()
    entities: tuple[Entity, ...] = ()
    timeline: tuple[Event, ...] = ()
    related: tuple[Related, ...] = ()
    tags: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    # -- lookups --------------------------------------------------------

    @property
    def banner(self) -> str:
        return self.handling.banner if self.handling else UNMARKED

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @cached_property
    def _by_id(self) -> dict[str, Item]:
        items: dict[str, Item] = {}
        for group in (self.claims, self.sources, self.entities, self.timeline, self.all_sections):
            for item in group:
                items.setdefault(item.id, item)
        return items

    def get(self, item_id: str) -> Item | None:
        return self._by_id.get(item_id)

    def claim(self, claim_id: str) -> Claim | None:
        item = self._by_id.get(claim_id)
        return item if isinstance(item, Claim) else None

    def source(self, source_id: str) -> Source | None:
        item = self._by_id.get(source_id)
        return item if isinstance(item, Source) else None

    def entity(self, entity_id: str) -> Entity | None:
        item = self._by_id.get(entity_id)
        return item if isinstance(item, Entity) else None

    @cached_property
    def all_sections(self) -> tuple[Section, ...]:
        return tuple(section for section, _ in self.walk_sections())

    def walk_sections(self) -> Iterator[tuple[Section, int]]:
        """Every section, depth first, with its depth (0 for top level)."""
        stack = [(section, 0) for section in reversed(self.sections)]
        while stack:
            section, depth = stack.pop()
            yield section, depth
            stack.extend((child, depth + 1) for child in reversed(section.sections))

    @property
    def key_judgment_claims(self) -> tuple[Claim, ...]:
        return tuple(c for c in map(self.claim, self.key_judgments) if c is not None)

    def sources_for(self, claim: Claim) -> tuple[tuple[Citation, Source], ...]:
        """Each citation of the claim with the source it names."""
        return tuple(
            (citation, source)
            for citation in claim.citations
            if (source := self.source(citation.source)) is not None
        )

    def derived_sources(self, source: Source) -> tuple[Source, ...]:
        """Sources that say they derive from this one, directly or through others."""
        found: list[Source] = []
        frontier = [source.id]
        seen = {source.id}
        while frontier:
            current = frontier.pop()
            for other in self.sources:
                if current in other.derived_from and other.id not in seen:
                    seen.add(other.id)
                    found.append(other)
                    frontier.append(other.id)
        return tuple(found)

    @cached_property
    def _citations_by_source(self) -> dict[str, list[tuple[Claim | Section, Citation]]]:
        table: dict[str, list[tuple[Claim | Section, Citation]]] = {}
        for claim in self.claims:
            for citation in claim.citations:
                table.setdefault(citation.source, []).append((claim, citation))
        for section in self.all_sections:
            for ref in inline_refs(section.body):
                if ref.cite:
                    table.setdefault(ref.target, []).append((section, ref.as_citation(section.loc)))
        return table

    def backlinks(self, source: Source) -> tuple[Backlink, ...]:
        """Every claim and section that rests on the source, directly or via a derived one."""
        links = [Backlink(citer, citation) for citer, citation in self._citations_by_source.get(source.id, ())]
        for derived in self.derived_sources(source):
            links.extend(
                Backlink(citer, citation, via=derived)
                for citer, citation in self._citations_by_source.get(derived.id, ())
            )
        return tuple(links)

    def claims_citing(self, source: Source) -> tuple[Claim, ...]:
        """The claims that rest on the source, each once, in brief order."""
        citing = {id(link.citer) for link in self.backlinks(source) if isinstance(link.citer, Claim)}
        return tuple(claim for claim in self.claims if id(claim) in citing)

    def dependents(self, claim: Claim) -> tuple[Claim, ...]:
        """Claims whose ``depends_on`` names this claim."""
        return tuple(other for other in self.claims if claim.id in other.depends_on)

    def claims_about(self, entity: Entity) -> tuple[Claim, ...]:
        """Claims about the entity, attributed to it, or naming it as ``[[id]]``."""
        return tuple(
            claim for claim in self.claims
            if entity.id in claim.about
            or claim.attributed_to == entity.id
            or any(ref.target == entity.id for ref in inline_refs(claim.text) if not ref.cite)
        )

    def sections_with(self, claim: Claim) -> tuple[Section, ...]:
        """Sections that embed or list the claim."""
        return tuple(s for s in self.all_sections if claim.id in s.claims or claim.id in s.embedded)

    def unplaced_claims(self) -> tuple[Claim, ...]:
        """Claims that no section shows: the reader lists them on their own."""
        placed = {cid for s in self.all_sections for cid in (*s.claims, *s.embedded)}
        return tuple(c for c in self.claims if c.id not in placed)


# ---------------------------------------------------------------------------
# A library: a folder of briefs


@record
class LibraryEntry(Record):
    """One brief file: loaded (``brief`` set) or not, with its problems either way."""

    path: str
    brief: Brief | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


@record
class Library(Record):
    """The briefs of a folder (or of files given), linked to each other."""

    root: str
    entries: tuple[LibraryEntry, ...] = ()
    problems: tuple[Problem, ...] = ()  # library-wide: unreadable folders, duplicate ids

    @cached_property
    def briefs(self) -> dict[str, Brief]:
        return {entry.brief.id: entry.brief for entry in self.entries if entry.brief is not None}

    @property
    def failed(self) -> tuple[LibraryEntry, ...]:
        return tuple(entry for entry in self.entries if entry.brief is None)

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        return self.problems + tuple(p for entry in self.entries for p in entry.problems)

    def get(self, brief_id: str) -> Brief | None:
        return self.briefs.get(brief_id)

    def related_from(self, brief: Brief) -> tuple[tuple[Related, Brief | None], ...]:
        """The brief's own ``related`` brief links, each with the brief it names if loaded."""
        return tuple((rel, self.briefs.get(rel.target)) for rel in brief.related if rel.kind == "brief")

    @cached_property
    def _incoming(self) -> dict[str, list[tuple[Brief, Related]]]:
        table: dict[str, list[tuple[Brief, Related]]] = {}
        for other in self.briefs.values():
            for rel in other.related:
                if rel.kind == "brief":
                    table.setdefault(rel.target, []).append((other, rel))
        return table

    def related_to(self, brief: Brief) -> tuple[tuple[Brief, Related], ...]:
        """Briefs whose ``related`` list points at this brief (the other direction)."""
        return tuple(self._incoming.get(brief.id, ()))


def display_path(path: str | Path) -> str:
    """A path as problems show it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return str(path)

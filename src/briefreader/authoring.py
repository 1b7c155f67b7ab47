"""Making briefs: ``briefreader new`` (a commented template) and ``briefreader
import`` (a plain-text article turned into a brief skeleton).

Core module (never imports Textual).  Both write YAML text by hand, so that the
result keeps its comments: every string is written as a JSON string (a valid
YAML double-quoted scalar) or, for multi-line text that needs no escaping, as
a literal block, so no article text can change the YAML's structure.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from .loader import ID_PATTERN
from .sanitize import clean

MAX_ARTICLE_SIZE = 8 * 1024 * 1024


def valid_id(brief_id: str) -> bool:
    return ID_PATTERN.fullmatch(brief_id) is not None


def slug(text: str, limit: int = 60) -> str:
    """A lowercase ASCII id from a title: ``Strategic Implications`` -> ``strategic-implications``."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit and out:
            break
        out = candidate[:limit]
    return out or "untitled"


def q(text: str) -> str:
    """A YAML double-quoted scalar: every character escaped as JSON would."""
    return json.dumps(text, ensure_ascii=False)


def block(text: str, indent: int) -> str:
    """Multi-line text as a YAML literal block when that is exact, else quoted."""
    lines = text.split("\n")
    plain_ok = all(line == line.rstrip() and line.isprintable() and "\t" not in line for line in lines) \
        and lines[0][:1] not in (" ", "") and not text.endswith("\n")
    if not plain_ok:
        return q(text)
    pad = " " * indent
    return "|-\n" + "\n".join(pad + line if line else "" for line in lines)


# ---------------------------------------------------------------------------
# briefreader new

TEMPLATE = """\
# {id}.brief.yaml: a new brief, written from the briefreader template.
#
# Replace every TODO, delete what you do not need, then run
#     briefreader check {id}.brief.yaml
# As written, this template passes check with no error and no warning. The warnings
# you may see while you edit it are expected and tell you what is still missing:
#   - "no 'handling'": if you delete the handling block (every brief should say how
#     it may be shared; the banner then reads UNMARKED);
#   - "claim ... has no citation": a fact or reported claim needs `cites`;
#   - "source ... is never cited": cite every source from a claim or with [@id];
#   - "claim attributed to ... has no 'stance'": say whether you endorse, report or
#     dispute a third party's claim;
#   - "related brief ... not in the library": the id under `related` is not a brief
#     beside this one (yet);
#   - "file name does not match its id": keep the file named <id>.brief.yaml.
# The format: docs/format.md (and docs/brief.schema.json for an editor).
briefreader: 1
id: {id}
title: "TODO: the title, a finding rather than a topic"
# subtitle: "TODO"
date: "{date}"                      # ISO 8601; modified: and data_cutoff: are optional
type: assessment                     # assessment, update, warning, estimate, memo, digest, fact-check
status: draft                        # draft, final, superseded, withdrawn
language: en
authors:
  - name: "TODO: your name"
    role: author                     # author, editor, contributor

handling:
  classification: UNCLASSIFIED       # the banner, printed as written
  tlp: CLEAR                         # CLEAR, GREEN, AMBER, AMBER+STRICT, RED
  # notices: ["TODO: any handling notice shown under the banner"]

bluf: >-
  TODO: the bottom line up front, one short paragraph. It may embed a claim:
  [[main-judgment]]

key_judgments:                       # claim ids, most important first
  - main-judgment

source_summary: >-
  TODO: the overall quality of the sourcing, and its gaps.

sections:
  - id: sec-background
    title: "TODO: background"
    marking: U                       # portion mark, shown as (U)
    body: |
      TODO: Markdown. Embed a claim where it belongs with [[key-fact]], cite a
      source with [@source-1, p. 1], name an entity with [[example-entity]].
    claims:                          # claims shown under the section, not embedded above
      - working-assumption

claims:
  - id: key-fact
    kind: fact                       # fact, reported, assessment, assumption
    text: "TODO: a verified fact, one sentence."
    cites:
      - source: source-1
        locator: {{page: "1"}}        # page, paragraph, section or timestamp
        credibility: 2               # Admiralty information grade 1-6
        # quote: "TODO: verbatim words from the source"
    about: [example-entity]
  - id: main-judgment
    kind: assessment
    text: "TODO: the judgment, in estimative language."
    likelihood: likely               # ICD 203: almost-no-chance .. almost-certain
    confidence: moderate             # low, moderate, high (in the basis, not the odds)
    depends_on: [key-fact, working-assumption]
    indicators:
      - "TODO: a development that would change this judgment"
  - id: working-assumption
    kind: assumption
    text: "TODO: what the judgment takes as given without showing it."

sources:
  - id: source-1
    type: report                     # a CSL type: report, article-newspaper, webpage, book, ...
    title: "TODO: the source's title"
    # author: ["TODO"]
    # publisher: "TODO"
    # issued: "2025-01"
    # URL: "https://..."
    reliability: C                   # Admiralty source grade A-F
    descriptor: "TODO: what affects this source's quality."

entities:
  - id: example-entity
    type: organization               # person, organization, country, place, facility, ...
    name: "TODO: a name"
    # aliases: ["TODO"]

timeline:
  - id: event-1
    date: "{date}"                  # ISO 8601, or EDTF such as 2025-06~ (around June 2025)
    text: "TODO: what happened."
    claims: [key-fact]

# related:                           # other briefs, sources or addresses
#   - rel: see-also
#     target: {{brief: another-brief-id}}
#     title: "TODO"

tags: [todo]
"""


def new_brief(brief_id: str, today: dt.date | None = None) -> str:
    """The template brief for ``brief_id`` (which must be a valid id)."""
    if not valid_id(brief_id):
        raise ValueError(f"bad id {brief_id!r}: lowercase letters, digits, '.', '_' and '-', "
                         "starting with a letter or digit")
    return TEMPLATE.format(id=brief_id, date=(today or dt.date.today()).isoformat())


# ---------------------------------------------------------------------------
# briefreader import

_FINAL = tuple(".!?:;,\"”’)…")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9À-ÖØ-ÞА-ЯЁІЇЄҐ])")
_READ_ALSO = re.compile(r"(?i)^(read also|read more|see also|related( articles?)?|more on this)\s*:?\s*$")


def is_heading(line: str) -> bool:
    """A short line without final punctuation: a heading in a plain-text article."""
    words = line.split()
    return 0 < len(words) <= 12 and len(line) <= 90 and not line.rstrip().endswith(_FINAL)


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


@dataclass
class ArticleSection:
    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Article:
    title: str
    title_from_heading: bool
    sections: list[ArticleSection]
    read_also: list[str]


def parse_article(text: str) -> Article:
    text = clean(text.replace("\r\n", "\n"))
    raw_lines = text.split("\n")
    blank_separated = any(not line.strip() for line in raw_lines[1:-1]) and \
        sum(1 for line in raw_lines if not line.strip()) >= 2
    units: list[str] = []  # headings and paragraphs, in order
    if blank_separated:
        for chunk in re.split(r"\n\s*\n", text):
            lines = [line.strip() for line in chunk.split("\n") if line.strip()]
            if lines:
                units.append(" ".join(lines))
    else:
        units = [line.strip() for line in raw_lines if line.strip()]
    units = [" ".join(u.split()) for u in units]
    if not units:
        return Article("Untitled article", False, [], [])
    read_also: list[str] = []
    for index, unit in enumerate(units):
        if _READ_ALSO.match(unit):
            read_also = units[index + 1:]
            units = units[:index]
            break
    if units and is_heading(units[0]):
        title, from_heading = units.pop(0), True
    else:
        first = sentences(units[0])[0] if units else "Untitled article"
        title, from_heading = (first if len(first) <= 100 else first[:99].rsplit(" ", 1)[0] + "…"), False
    sections: list[ArticleSection] = [ArticleSection("Lead")]
    for unit in units:
        if is_heading(unit):
            sections.append(ArticleSection(unit))
        else:
            sections[-1].paragraphs.append(unit)
    sections = [s for s in sections if s.paragraphs or s.title != "Lead"]
    return Article(title, from_heading, sections, read_also)


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def _no_refs(text: str) -> str:
    """Article text cannot make a reference: ``[[`` and ``[@`` get a space."""
    return text.replace("[[", "[ [").replace("[@", "[ @")


def import_article(text: str, *, brief_id: str = "", source_name: str = "",
                   today: dt.date | None = None) -> tuple[str, str]:
    """A brief skeleton (YAML text) from a plain-text article, and its id."""
    article = parse_article(text)
    brief_id = brief_id or slug(article.title, 40)
    if not valid_id(brief_id):
        raise ValueError(f"bad id {brief_id!r}")
    date = (today or dt.date.today()).isoformat()
    used = {brief_id, "article"}
    out = [
        f"# {brief_id}.brief.yaml: a brief skeleton imported by briefreader from",
        f"# {q(source_name or 'a plain-text article')}. It loads, with warnings; now make it a brief:",
        "#   1. Check the title" + ("" if article.title_from_heading else
                                    " (the article had none: this is its first sentence)")
        + ", set `date`, `authors` and `handling`",
        "#      (no handling means the banner reads UNMARKED and check warns).",
        "#   2. Describe the source `article`: publisher, author, issued, URL, and grade it",
        "#      (`reliability` A-F); give each citation a `locator` and `credibility` 1-6.",
        "#   3. Every sentence became a candidate claim marked `kind: reported` and",
        "#      `x-needs-review: true`. Keep the ones that carry information, delete the rest,",
        "#      fix each `kind` (fact, reported, assessment + likelihood, assumption), set",
        "#      `attributed_to` (an entity) and `stance` for third-party claims, then remove",
        "#      `x-needs-review`.",
        "#   4. Rewrite the section bodies in your own words; embed claims with [[id]].",
        "#   5. Write the `bluf` and `key_judgments`, add `entities` and a `timeline`.",
        "#   6. The `related` items come from the article's \"Read also\" block. Their target",
        "#      is a brief id made from the title: point it at the real brief, or the warning",
        "#      \"related brief ... not in the library\" stays.",
        "# Then: briefreader check <this file>.",
        "briefreader: 1",
        f"id: {brief_id}",
        f"title: {q(article.title)}",
        f"date: {q(date)}",
        "status: draft",
        "language: en",
        "x-needs-review: true",
        "",
        "bluf: \"\"  # TODO: the bottom line up front",
        "",
        "sections:",
    ]
    claims: list[str] = []
    claim_number = 0
    for section in article.sections:
        section_id = _unique("sec-" + slug(section.title, 40), used)
        out += [f"  - id: {section_id}", f"    title: {q(section.title)}"]
        body = "\n\n".join(_no_refs(p) for p in section.paragraphs)
        if body:
            out.append(f"    body: {block(body, 6)}")
        ids = []
        for paragraph in section.paragraphs:
            for sentence in sentences(paragraph):
                claim_number += 1
                claim_id = _unique(f"c-{claim_number:03d}", used)
                ids.append(claim_id)
                claims += [f"  - id: {claim_id}", "    kind: reported",
                           f"    text: {q(_no_refs(sentence))}",
                           "    cites: [{source: article}]", "    x-needs-review: true"]
        if ids:
            out.append("    claims:")
            out += [f"      - {claim_id}" for claim_id in ids]
    if not article.sections:
        out[-1] = "sections: []"
    out += ["", "claims:" if claims else "claims: []"] + claims
    out += ["", "sources:", "  - id: article", "    type: article-newspaper",
            f"    title: {q(article.title)}",
            "    # TODO: publisher, author, issued, URL, reliability (A-F), descriptor",
            "    x-needs-review: true"]
    if article.read_also:
        out += ["", "related:"]
        for item in article.read_also:
            out += ["  - rel: see-also", f"    target: {{brief: {slug(item)}}}",
                    f"    title: {q(item)}",
                    f"    note: {q('From the article’s “Read also” block; TODO: the real brief id.')}"]
    return "\n".join(out) + "\n", brief_id

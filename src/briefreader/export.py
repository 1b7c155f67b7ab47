"""A brief as a file for other tools: Markdown, HTML, JSON and CSL-JSON.

Core module (never imports Textual).  Every string comes from the model, so it
is already cleaned by :mod:`briefreader.sanitize`; each writer then escapes it
for its own format, so that no brief text can add structure to the output:

- Markdown: punctuation that could start or end Markdown syntax is backslash
  escaped, raw HTML cannot appear (``<`` is escaped), and the brief's own small
  Markdown subset (the one :mod:`briefreader.render` shows) is re-emitted by
  this module, never copied through.
- HTML: every string goes through :func:`html.escape`; one self-contained page
  with inline CSS, no scripts and nothing that loads from anywhere.  Links
  written in the brief stay plain ``<a href>`` (http, https and mailto only)
  with ``rel="noreferrer noopener"``; they are never followed by the page itself.
- JSON: the normalised model; CSL-JSON: the sources, for Zotero and citeproc.

Blocks and inline tokens are parsed once (:func:`body_blocks`,
:func:`inline_tokens`) and written by the Markdown and HTML writers alike.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from .model import Brief, Citation, Claim, Library, Related, Section, Source, inline_refs
from .render import _INLINE_MARKDOWN, citation_label, claim_badges, entity_name, grade, plain
from .vocab import (
    CLAIM_KIND_MEANING, LIKELIHOOD_BY_TERM, SOURCE_RELIABILITY, TLP_MEANING,
)

FORMATS = ("markdown", "html", "json", "csl-json")
EXPORT_FORMAT = "briefreader-export"
EXPORT_VERSION = 1

# ---------------------------------------------------------------------------
# Parsing the brief's Markdown subset (the same subset render.markdown_blocks shows)


@dataclass
class Token:
    kind: str  # text, bold, em, code, link, claim, entity, cite
    value: str  # the text, the id, or the source id
    extra: str = ""  # a link's URL, a citation's locator text


@dataclass
class BodyBlock:
    kind: str  # para, heading, item, quote, code, table
    text: str = ""
    marker: str = ""  # list item marker: "-" or "1."
    rows: list[list[str]] = field(default_factory=list)  # table cells; code lines


def body_blocks(body: str) -> list[BodyBlock]:
    """Paragraphs, headings, list items, quotes, code and tables, as render reads them."""
    blocks: list[BodyBlock] = []
    lines = body.split("\n")
    paragraph: list[str] = []
    current: BodyBlock | None = None

    def flush() -> None:
        nonlocal paragraph, current
        if paragraph and current is not None:
            current.text = " ".join(line.strip() for line in paragraph)
            blocks.append(current)
        paragraph, current = [], None

    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            flush()
            fence, code = stripped[:3], []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(fence):
                code.append([lines[index]])
                index += 1
            blocks.append(BodyBlock("code", rows=code))
        elif stripped.startswith("|"):
            flush()
            rows = []
            while index < len(lines) and lines[index].strip().startswith("|"):
                row = lines[index].strip()
                if not re.fullmatch(r"\|?[\s:|-]+\|?", row):
                    rows.append([cell.strip() for cell in row.strip("|").split("|")])
                index += 1
            index -= 1
            blocks.append(BodyBlock("table", rows=rows))
        elif not stripped:
            flush()
        elif heading := re.match(r"(#{1,6})\s+(.*)", stripped):
            flush()
            blocks.append(BodyBlock("heading", heading.group(2).rstrip("#").strip()))
        elif item := re.match(r"([-*+]|\d+[.)])\s+(.*)", stripped):
            flush()
            marker = "-" if item.group(1) in "-*+" else item.group(1)[:-1] + "."
            paragraph, current = [item.group(2)], BodyBlock("item", marker=marker)
        elif stripped.startswith(">"):
            if current is None or current.kind != "quote":
                flush()
                current = BodyBlock("quote")
            paragraph.append(stripped.lstrip(">").strip())
        else:
            if current is None:
                current = BodyBlock("para")
            paragraph.append(stripped)
        index += 1
    flush()
    return blocks


def _markdown_tokens(text: str, out: list[Token]) -> None:
    position = 0
    for match in _INLINE_MARKDOWN.finditer(text):
        if match.start() > position:
            out.append(Token("text", text[position:match.start()]))
        position = match.end()
        groups = match.groupdict()
        if groups["bold"] or groups["bold2"]:
            out.append(Token("bold", groups["bold"] or groups["bold2"]))
        elif groups["em"] or groups["em2"]:
            out.append(Token("em", groups["em"] or groups["em2"]))
        elif groups["code"]:
            out.append(Token("code", groups["code"]))
        else:
            out.append(Token("link", groups["label"], groups["url"]))
    if position < len(text):
        out.append(Token("text", text[position:]))


def inline_tokens(brief: Brief, text: str) -> list[Token]:
    """Plain text, emphasis, code, links and the brief's references, in order."""
    out: list[Token] = []
    position = 0
    for ref in inline_refs(text):
        _markdown_tokens(text[position:ref.start], out)
        position = ref.end
        if ref.cite:
            out.append(Token("cite", ref.target, ref.locator))
        elif brief.claim(ref.target) is not None:
            out.append(Token("claim", ref.target))
        else:
            out.append(Token("entity", ref.target))
    _markdown_tokens(text[position:], out)
    return out


def safe_url(url: str) -> str:
    """The URL when it is http(s) or mailto; else "" (shown as text, never linked)."""
    return url if re.match(r"(?i)(https?://|mailto:)[^\s<>\"'`]+$", url) else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _placements(brief: Brief) -> list[tuple[Section, list[str]]]:
    return [(s, [c for c in (*s.embedded, *s.claims) if brief.claim(c)]) for s in brief.all_sections]


def _citations_of(claim: Claim) -> tuple[Citation, ...]:
    """The citations listed under ``cites`` (inline ones appear where they are written)."""
    return claim.cites


# ---------------------------------------------------------------------------
# Markdown

_MD_ALWAYS = re.compile(r"([\\`*\[\]<>|~#&])")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d{1,9}(?=[.)]))")


def md_escape(text: str) -> str:
    """One line of brief text, literal in Markdown: no emphasis, links, HTML,
    headings, lists, tables, fences or link definitions can come out of it."""
    text = _MD_ALWAYS.sub(r"\\\1", re.sub(r"\s+", " ", text))
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit()
                                                       else "\\" + m.group(2)), text)
    return text


def _md_code(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{_one_line(text)}{pad}{fence}"


class _Markdown:
    def __init__(self, brief: Brief, library: Library | None):
        self.brief = brief
        self.library = library
        self.notes: list[str] = []  # footnote texts, numbered from 1

    def footnote(self, citation: Citation) -> str:
        label = citation_label(self.brief, citation)
        source = self.brief.source(citation.source)
        text = md_escape(label)
        if source is not None:
            text += f": {md_escape(source.label)}"
        if citation.quote:
            text += f" (“{md_escape(citation.quote)}”)"
        if text not in self.notes:
            self.notes.append(text)
        return f"[^{self.notes.index(text) + 1}]"

    def inline(self, text: str, nested: bool = False) -> str:
        parts = []
        for token in inline_tokens(self.brief, text):
            if token.kind == "text":
                parts.append(md_escape(token.value))
            elif token.kind == "bold":
                parts.append(f"**{md_escape(token.value)}**")
            elif token.kind == "em":
                parts.append(f"*{md_escape(token.value)}*")
            elif token.kind == "code":
                parts.append(_md_code(token.value))
            elif token.kind == "link":
                parts.append(f"{md_escape(token.value)} ({md_escape(token.extra)})")
            elif token.kind == "cite":
                citation = next(iter(inline_refs(f"[@{token.value}, {token.extra}]")), None)
                if citation is not None:
                    parts.append(self.footnote(citation.as_citation(self.brief.loc)))
            elif token.kind == "claim" and not nested:
                claim = self.brief.claim(token.value)
                prefix = f"({md_escape(claim.marking)}) " if claim.marking else ""
                notes = "".join(self.footnote(c) for c in _citations_of(claim))
                parts.append(f"{prefix}_{self.inline(plain(self.brief, claim.text), nested=True)}_ "
                             f"**{md_escape(claim_badges(self.brief, claim).plain)}**{notes}")
            elif token.kind == "claim":
                parts.append(md_escape(plain(self.brief, self.brief.claim(token.value).text)))
            else:
                parts.append(md_escape(entity_name(self.brief, token.value)))
        return "".join(parts).strip()

    def body(self, text: str, depth: int) -> list[str]:
        out: list[str] = []
        for block in body_blocks(text):
            if block.kind == "heading":
                out += [f"{'#' * min(6, depth + 3)} {self.inline(block.text)}", ""]
            elif block.kind == "item":
                out += [f"{block.marker} {self.inline(block.text)}"]
            elif block.kind == "quote":
                out += [f"> {self.inline(block.text)}", ""]
            elif block.kind == "code":
                content = "\n".join(row[0] for row in block.rows)
                fence = "`" * max(3, max((len(r) for r in re.findall(r"`+", content)), default=0) + 1)
                out += [fence] + [row[0] for row in block.rows] + [fence, ""]
            elif block.kind == "table" and block.rows:
                width = max(len(row) for row in block.rows)
                cells = [[self.inline(c) for c in row] + [""] * (width - len(row)) for row in block.rows]
                out.append("| " + " | ".join(cells[0]) + " |")
                out.append("|" + "---|" * width)
                out += ["| " + " | ".join(row) + " |" for row in cells[1:]]
                out.append("")
            else:
                out += [self.inline(block.text), ""]
        # a list needs a blank line after it
        fixed: list[str] = []
        for line, following in zip(out, out[1:] + [""]):
            fixed.append(line)
            if re.match(r"(-|\d+\.) ", line) and following and not re.match(r"(-|\d+\.) ", following):
                fixed.append("")
        if fixed and fixed[-1] != "":
            fixed.append("")
        return fixed

    def claim(self, claim: Claim, label: str = "") -> list[str]:
        badges = md_escape(claim_badges(self.brief, claim).plain)
        mark = f"({md_escape(claim.marking)}) " if claim.marking else ""
        notes = "".join(self.footnote(c) for c in _citations_of(claim))
        head = f"{label} " if label else ""
        return [f"- {head}{mark}**{badges}** {self.inline(claim.text)}{notes}"]


def to_markdown(brief: Brief, library: Library | None = None) -> str:
    """A faithful, readable Markdown rendition of the brief, safe to render."""
    md = _Markdown(brief, library)
    banner = md_escape(brief.banner)
    out: list[str] = [f"**{banner}**", "", f"# {md_escape(brief.title)}", ""]
    if brief.subtitle:
        out += [f"*{md_escape(brief.subtitle)}*", ""]
    meta = [("Brief", brief.id), ("Date", brief.date), ("Modified", brief.modified),
            ("Data cutoff", brief.data_cutoff), ("Type", brief.type), ("Status", brief.status),
            ("Language", brief.language),
            ("Authors", "; ".join(a.name + (f" ({a.role})" if a.role != "author" else "")
                                  + (f", {a.affiliation}" if a.affiliation else "") for a in brief.authors)),
            ("Publisher", brief.publisher.name if brief.publisher else ""),
            ("Tags", ", ".join(brief.tags))]
    out += [f"- {label}: {md_escape(value)}" for label, value in meta if value] + [""]
    if brief.handling and brief.handling.notices:
        out += [f"> {md_escape(notice)}" for notice in brief.handling.notices] + [""]
    if brief.handling and brief.handling.tlp:
        out += [f"TLP:{md_escape(brief.handling.tlp)}: {TLP_MEANING.get(brief.handling.tlp, '')}.", ""]
    if brief.bluf:
        out += ["## Bottom line up front", ""] + md.body(brief.bluf, 0)
    if brief.key_judgment_claims:
        out += ["## Key judgments", ""]
        for number, claim in enumerate(brief.key_judgment_claims, 1):
            out += md.claim(claim, f"KJ{number}")
        out.append("")
    if brief.summary:
        out += ["## Summary", ""] + md.body(brief.summary, 0)
    if brief.source_summary:
        out += ["## Sourcing", ""] + md.body(brief.source_summary, 0)
    for section, depth in brief.walk_sections():
        mark = f"({md_escape(section.marking)}) " if section.marking else ""
        out += [f"{'#' * min(6, depth + 2)} {mark}{md_escape(section.title)}", ""]
        out += md.body(section.body, depth + 1)
        if section.claims:
            for claim in map(brief.claim, section.claims):
                if claim is not None:
                    out += md.claim(claim)
            out.append("")
    unplaced = brief.unplaced_claims()
    if unplaced:
        out += ["## Claims not in a section", ""]
        for claim in unplaced:
            out += md.claim(claim)
        out.append("")
    if brief.sources:
        out += ["## Sources", ""]
        for source in brief.sources:
            out += [f"- {_md_source(brief, source)}"]
        out.append("")
    if brief.entities:
        out += ["## Entities", ""]
        for entity in brief.entities:
            line = f"- **{md_escape(entity.name)}** ({md_escape(entity.type)})"
            if entity.aliases:
                line += f", also {md_escape(', '.join(entity.aliases))}"
            if entity.within:
                line += f", within {md_escape(entity_name(brief, entity.within))}"
            out.append(line)
        out.append("")
    if brief.timeline:
        out += ["## Timeline", ""]
        for event in brief.timeline:
            line = f"- **{md_escape(event.date)}** {md.inline(event.text)}"
            if event.place:
                line += f" ({md_escape(entity_name(brief, event.place))})"
            out.append(line)
        out.append("")
    if brief.related:
        out += ["## Related", ""]
        for related in brief.related:
            line = f"- {md_escape(related.rel)}: {md_escape(_related_label(brief, related, library))}"
            if related.note:
                line += f". {md.inline(related.note)}"
            out.append(line)
        out.append("")
    if md.notes:
        out += ["## Citations", ""]
        out += [f"[^{n}]: {text}" for n, text in enumerate(md.notes, 1)] + [""]
    out += ["Grades: source reliability A-F, information credibility 1-6 (B2 = usually reliable, "
            "probably true; - = not graded).", "", f"**{banner}**"]
    return "\n".join(out) + "\n"


def _md_source(brief: Brief, source: Source) -> str:
    mark = f"({md_escape(source.marking)}) " if source.marking else ""
    parts = [f"`{source.id}` {mark}**{md_escape(source.label)}**"]
    for value in (", ".join(source.author), source.publisher, source.container_title, source.issued):
        if value:
            parts.append(md_escape(value))
    parts.append(md_escape(source.type))
    if source.reliability:
        parts.append(f"reliability {source.reliability} ({SOURCE_RELIABILITY[source.reliability]})")
    if source.url:
        parts.append(md_escape(source.url))
    if source.doi:
        parts.append(f"doi:{md_escape(source.doi)}")
    if source.derived_from:
        parts.append("derived from " + ", ".join(f"`{s}`" for s in source.derived_from))
    line = ", ".join(parts)
    if source.descriptor:
        line += f". {md_escape(source.descriptor)}"
    return line


def _related_label(brief: Brief, related: Related, library: Library | None) -> str:
    if related.kind == "brief":
        target = library.get(related.target) if library else None
        label = related.title or (target.title if target else related.target)
        anchor = f"#{related.anchor}" if related.anchor else ""
        return f"{label} (brief {related.target}{anchor})"
    if related.kind == "source":
        source = brief.source(related.target)
        return f"{related.title or (source.label if source else related.target)} (source {related.target})"
    return f"{related.title} <{related.target}>" if related.title else related.target


# ---------------------------------------------------------------------------
# HTML

_CSS = """
:root { --ink: #111; --muted: #555; --rule: #bbb; --paper: #fff; --mark: #f3f3f3; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--paper);
       font: 16px/1.5 Georgia, "Times New Roman", serif; }
main { max-width: 48rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
.banner { position: sticky; z-index: 1; background: var(--ink); color: var(--paper);
          text-align: center; font: bold 0.9rem/1.8 system-ui, sans-serif; letter-spacing: .05em; }
.banner.top { top: 0; } .banner.bottom { bottom: 0; }
h1 { font-size: 1.7rem; margin: 1rem 0 .25rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid var(--rule); margin-top: 2rem; }
h3, h4, h5, h6 { font-size: 1.05rem; margin-top: 1.5rem; }
.meta, .muted { color: var(--muted); font-size: .9rem; }
.notice { border-left: 3px solid var(--ink); padding-left: .75rem; font-style: italic; }
.claim { border: 1px solid var(--rule); border-radius: 4px; padding: .5rem .75rem; margin: .75rem 0; }
.claim:target, .source:target { outline: 2px solid var(--ink); }
.badges { font: bold .85rem/1.4 system-ui, sans-serif; }
.inline-claim { text-decoration: underline; }
.cite, .ref { font-size: .85rem; font-family: system-ui, sans-serif; }
code, pre { background: var(--mark); font-family: ui-monospace, monospace; font-size: .9em; }
pre { padding: .5rem; overflow-x: auto; white-space: pre-wrap; }
table { border-collapse: collapse; } td, th { border: 1px solid var(--rule); padding: .2rem .5rem; }
.url { word-break: break-all; }
a { color: inherit; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .banner { position: fixed; left: 0; right: 0; background: none; color: #000; }
  .banner.top { top: 0; } .banner.bottom { bottom: 0; }
  @page { margin: 2cm 1.5cm; }
  main { margin: 1.5em 0; }
  .claim, .source { break-inside: avoid; }
  a { text-decoration: none; }
}
""".strip()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class _Html:
    def __init__(self, brief: Brief, library: Library | None):
        self.brief = brief
        self.library = library
        self.anchored: set[str] = set()  # claims that already have their id="claim-..."
        self.anchoring = False  # front matter repeats claims; their anchors are in the sections

    def cite(self, citation: Citation) -> str:
        label = _e(citation_label(self.brief, citation))
        source = self.brief.source(citation.source)
        title = f' title="{_e(source.label)}"' if source else ""
        quote = f" “{_e(citation.quote)}”" if citation.quote else ""
        return f'<a class="cite" href="#source-{_e(citation.source)}"{title}>[{label}]</a>{quote}'

    def inline(self, text: str, nested: bool = False) -> str:
        parts = []
        for token in inline_tokens(self.brief, text):
            if token.kind == "text":
                parts.append(_e(token.value))
            elif token.kind == "bold":
                parts.append(f"<strong>{_e(token.value)}</strong>")
            elif token.kind == "em":
                parts.append(f"<em>{_e(token.value)}</em>")
            elif token.kind == "code":
                parts.append(f"<code>{_e(token.value)}</code>")
            elif token.kind == "link":
                parts.append(_link(token.value, token.extra))
            elif token.kind == "cite":
                ref = next(iter(inline_refs(f"[@{token.value}, {token.extra}]")), None)
                if ref is not None:
                    parts.append(self.cite(ref.as_citation(self.brief.loc)))
            elif token.kind == "claim" and not nested:
                claim = self.brief.claim(token.value)
                mark = f"({_e(claim.marking)}) " if claim.marking else ""
                anchor = self.anchor(claim)
                parts.append(f'<span class="inline-claim"{anchor}>{mark}'
                             f'{self.inline(plain(self.brief, claim.text), nested=True)}</span> '
                             f'<a class="ref badges" href="#claim-{_e(claim.id)}">'
                             f'{_e(claim_badges(self.brief, claim).plain)}</a>'
                             + "".join(" " + self.cite(c) for c in _citations_of(claim)))
            elif token.kind == "claim":
                parts.append(_e(plain(self.brief, self.brief.claim(token.value).text)))
            else:
                parts.append(f'<a class="ref" href="#entity-{_e(token.value)}">'
                             f'{_e(entity_name(self.brief, token.value))}</a>')
        return "".join(parts).strip()

    def anchor(self, claim: Claim) -> str:
        if claim.id in self.anchored or not self.anchoring:
            return ""
        self.anchored.add(claim.id)
        return f' id="claim-{_e(claim.id)}"'

    def body(self, text: str, depth: int) -> list[str]:
        out: list[str] = []
        in_list = ""
        for block in body_blocks(text):
            wanted = ("ul" if block.marker == "-" else "ol") if block.kind == "item" else ""
            if in_list and wanted != in_list:
                out.append(f"</{in_list}>")
                in_list = ""
            if wanted and not in_list:
                out.append(f"<{wanted}>")
                in_list = wanted
            if block.kind == "heading":
                level = min(6, depth + 3)
                out.append(f"<h{level}>{self.inline(block.text)}</h{level}>")
            elif block.kind == "item":
                out.append(f"<li>{self.inline(block.text)}</li>")
            elif block.kind == "quote":
                out.append(f"<blockquote><p>{self.inline(block.text)}</p></blockquote>")
            elif block.kind == "code":
                out.append("<pre><code>" + _e("\n".join(row[0] for row in block.rows)) + "</code></pre>")
            elif block.kind == "table" and block.rows:
                rows = [f"<tr>{''.join(f'<td>{self.inline(c)}</td>' for c in row)}</tr>" for row in block.rows]
                if len(rows) > 1:
                    rows[0] = rows[0].replace("<td>", "<th>").replace("</td>", "</th>")
                out.append("<table>" + "".join(rows) + "</table>")
            else:
                out.append(f"<p>{self.inline(block.text)}</p>")
        if in_list:
            out.append(f"</{in_list}>")
        return out

    def claim(self, claim: Claim, label: str = "", anchor: bool = True) -> str:
        ident = self.anchor(claim) if anchor else ""
        mark = f"({_e(claim.marking)}) " if claim.marking else ""
        head = f"{_e(label)} " if label else ""
        badges = _e(claim_badges(self.brief, claim).plain)
        link = "" if ident or not anchor and not label else \
            f' <a class="ref" href="#claim-{_e(claim.id)}">(claim {_e(claim.id)})</a>'
        cites = " ".join(self.cite(c) for c in _citations_of(claim))
        extra = []
        if claim.depends_on:
            extra.append("rests on " + ", ".join(
                f'<a href="#claim-{_e(c)}">{_e(c)}</a>' for c in claim.depends_on))
        if claim.indicators:
            extra.append("indicators: " + "; ".join(_e(i) for i in claim.indicators))
        more = "".join(f'<div class="muted">{x}</div>' for x in extra)
        return (f'<div class="claim"{ident}><div class="badges">{head}{mark}{badges}</div>'
                f'<div>{self.inline(claim.text)}{link}</div>'
                + (f'<div>{cites}</div>' if cites else "") + more + "</div>")


def _link(label: str, url: str) -> str:
    target = safe_url(url)
    shown = "" if label == url else f' <span class="url">&lt;{_e(url)}&gt;</span>'
    if not target:
        return _e(label) + shown
    return f'<a class="url" href="{_e(target)}" rel="noreferrer noopener">{_e(label)}</a>{shown}'


def to_html(brief: Brief, library: Library | None = None) -> str:
    """One self-contained, printable HTML page: inline CSS, no scripts, nothing loaded."""
    h = _Html(brief, library)
    banner = _e(brief.banner)
    lang = _e(brief.language or "en")
    out = ["<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           # No request can leave this page: no scripts, no loads, no referrer.
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; img-src data:\">",
           '<meta name="referrer" content="no-referrer">',
           f"<title>{_e(brief.title)}</title>", f"<style>\n{_CSS}\n</style>", "</head>", "<body>",
           f'<div class="banner top" role="banner">{banner}</div>', "<main>",
           f'<h1 id="top">{_e(brief.title)}</h1>']
    if brief.subtitle:
        out.append(f'<p class="meta"><em>{_e(brief.subtitle)}</em></p>')
    meta = [brief.date, brief.type, brief.status]
    if brief.authors:
        meta.append("by " + ", ".join(a.name for a in brief.authors))
    if brief.publisher:
        meta.append(brief.publisher.name)
    out.append(f'<p class="meta">{" · ".join(_e(m) for m in meta if m)} · brief {_e(brief.id)}</p>')
    if brief.handling:
        for notice in brief.handling.notices:
            out.append(f'<p class="notice">{_e(notice)}</p>')
    if brief.bluf:
        out += ['<h2 id="bluf">Bottom line up front</h2>'] + h.body(brief.bluf, 0)
    if brief.key_judgment_claims:
        out.append('<h2 id="key-judgments">Key judgments</h2>')
        out += [h.claim(c, f"KJ{n}", anchor=False) for n, c in enumerate(brief.key_judgment_claims, 1)]
    if brief.summary:
        out += ['<h2 id="summary">Summary</h2>'] + h.body(brief.summary, 0)
    if brief.source_summary:
        out += ['<h2 id="sourcing">Sourcing</h2>'] + h.body(brief.source_summary, 0)
    h.anchoring = True
    for section, depth in brief.walk_sections():
        level = min(6, depth + 2)
        mark = f"({_e(section.marking)}) " if section.marking else ""
        out.append(f'<section id="section-{_e(section.id)}"><h{level}>{mark}{_e(section.title)}</h{level}>')
        out += h.body(section.body, depth + 1)
        out += [h.claim(c) for c in map(brief.claim, section.claims) if c is not None]
        out.append("</section>")
    unplaced = brief.unplaced_claims()
    if unplaced:
        out.append('<h2 id="other-claims">Claims not in a section</h2>')
        out += [h.claim(c) for c in unplaced]
    # A claim shown only in the front matter (or an event) still needs its anchor.
    missing = [c for c in brief.claims if c.id not in h.anchored]
    if missing:
        out.append('<h2 id="front-claims">Claims from the front matter</h2>')
        out += [h.claim(c) for c in missing]
    if brief.sources:
        out.append('<h2 id="sources">Sources</h2>')
        for source in brief.sources:
            out.append(_html_source(brief, source))
    if brief.entities:
        out.append('<h2 id="entities">Entities</h2><ul>')
        for entity in brief.entities:
            also = f", also {_e(', '.join(entity.aliases))}" if entity.aliases else ""
            claims = brief.claims_about(entity)
            about = (" · claims: " + ", ".join(f'<a href="#claim-{_e(c.id)}">{_e(c.id)}</a>' for c in claims)
                     if claims else "")
            out.append(f'<li id="entity-{_e(entity.id)}"><strong>{_e(entity.name)}</strong> '
                       f'({_e(entity.type)}){also}<span class="muted">{about}</span></li>')
        out.append("</ul>")
    if brief.timeline:
        out.append('<h2 id="timeline">Timeline</h2><ul>')
        for event in brief.timeline:
            place = f" ({_e(entity_name(brief, event.place))})" if event.place else ""
            claims = "".join(f' <a class="ref" href="#claim-{_e(c)}">[{_e(c)}]</a>' for c in event.claims)
            out.append(f'<li id="event-{_e(event.id)}"><strong>{_e(event.date)}</strong> '
                       f'{h.inline(event.text)}{place}{claims}</li>')
        out.append("</ul>")
    if brief.related:
        out.append('<h2 id="related">Related</h2><ul>')
        for related in brief.related:
            out.append(f"<li><strong>{_e(related.rel)}</strong>: {_html_related(brief, related, library)}"
                       + (f" <em>{h.inline(related.note)}</em>" if related.note else "") + "</li>")
        out.append("</ul>")
    out.append('<p class="muted">Grades: source reliability A-F, information credibility 1-6 '
               '(B2 = usually reliable, probably true; - = not graded).</p>')
    out += ["</main>", f'<div class="banner bottom" role="contentinfo">{banner}</div>', "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_source(brief: Brief, source: Source) -> str:
    mark = f"({_e(source.marking)}) " if source.marking else ""
    rows = [f'<div class="source claim" id="source-{_e(source.id)}">'
            f'<div><strong>{mark}{_e(source.label)}</strong> <span class="muted">[{_e(source.id)}]</span></div>']
    details = [source.type]
    if source.reliability:
        details.append(f"reliability {source.reliability} ({SOURCE_RELIABILITY[source.reliability]})")
    details += [v for v in (", ".join(source.author), source.publisher, source.container_title,
                            source.issued and f"issued {source.issued}",
                            source.accessed and f"accessed {source.accessed}") if v]
    rows.append(f'<div class="muted">{" · ".join(_e(d) for d in details)}</div>')
    if source.url:
        rows.append(f"<div>{_link(source.url, source.url)}</div>")
    if source.doi:
        rows.append(f'<div>DOI <span class="url">{_e(source.doi)}</span></div>')
    if source.descriptor:
        rows.append(f"<div><em>{_e(source.descriptor)}</em></div>")
    if source.derived_from:
        rows.append("<div>derived from " + ", ".join(
            f'<a href="#source-{_e(s)}">{_e(s)}</a>' for s in source.derived_from) + "</div>")
    derived = brief.derived_sources(source)
    if derived:
        rows.append("<div>used through " + ", ".join(
            f'<a href="#source-{_e(s.id)}">{_e(s.id)}</a>' for s in derived) + "</div>")
    claims = brief.claims_citing(source)
    if claims:
        rows.append(f"<div>cited by {len(claims)} claim{'s' if len(claims) != 1 else ''}:</div><ul>")
        rows += [f'<li><a href="#claim-{_e(c.id)}">{_e(_one_line(plain(brief, c.text)))}</a></li>'
                 for c in claims]
        rows.append("</ul>")
    else:
        rows.append('<div class="muted">no claim cites it</div>')
    rows.append("</div>")
    return "".join(rows)


def _html_related(brief: Brief, related: Related, library: Library | None) -> str:
    if related.kind == "source":
        source = brief.source(related.target)
        return (f'<a href="#source-{_e(related.target)}">'
                f'{_e(related.title or (source.label if source else related.target))}</a>')
    if related.kind == "url":
        return _link(related.title or related.target, related.target)
    return _e(_related_label(brief, related, library))


# ---------------------------------------------------------------------------
# JSON: the normalised model


def _citation_json(brief: Brief, citation: Citation) -> dict:
    source = brief.source(citation.source)
    return {
        "source": citation.source,
        "source_title": source.label if source else "",
        "locator": ({"kind": citation.locator.kind, "value": citation.locator.value}
                    if citation.locator else None),
        "quote": citation.quote,
        "credibility": citation.credibility,
        "reliability": source.reliability if source else "",
        "grade": grade(citation, source),
        "relation": citation.relation,
        "inline": citation.inline,
        "label": citation_label(brief, citation),
    }


def _claim_json(brief: Brief, claim: Claim) -> dict:
    band = LIKELIHOOD_BY_TERM.get(claim.likelihood)
    return {
        "id": claim.id, "kind": claim.kind, "kind_meaning": CLAIM_KIND_MEANING[claim.kind],
        "text": claim.text, "text_plain": _one_line(plain(brief, claim.text)),
        "likelihood": ({"term": band.term, "low": band.low, "high": band.high, "band": band.band}
                       if band else None),
        "confidence": claim.confidence or None,
        "attributed_to": claim.attributed_to,
        "attributed_to_name": entity_name(brief, claim.attributed_to) if claim.third_party else "",
        "stance": claim.stance or None,
        "badges": claim_badges(brief, claim).plain,
        "citations": [_citation_json(brief, c) for c in claim.citations],
        "primary": claim.primary or None,
        "depends_on": list(claim.depends_on), "about": list(claim.about),
        "indicators": list(claim.indicators), "marking": claim.marking,
        "key_judgment": claim.id in brief.key_judgments,
        "sections": [s.id for s in brief.sections_with(claim)],
        "line": claim.loc.line,
    }


def _section_json(brief: Brief, section: Section) -> dict:
    return {
        "id": section.id, "title": section.title, "marking": section.marking, "body": section.body,
        "claims": list(section.claims), "embedded": [i for i in section.embedded if brief.claim(i)],
        "entities": [i for i in section.embedded if brief.entity(i)],
        "cites": list(dict.fromkeys(section.cited)),
        "sections": [_section_json(brief, child) for child in section.sections],
        "line": section.loc.line,
    }


def _source_json(brief: Brief, source: Source) -> dict:
    return {
        "id": source.id, "type": source.type, "title": source.title, "label": source.label,
        "author": list(source.author), "publisher": source.publisher,
        "container-title": source.container_title, "issued": source.issued,
        "accessed": source.accessed, "URL": source.url, "DOI": source.doi,
        "reliability": source.reliability,
        "reliability_meaning": SOURCE_RELIABILITY.get(source.reliability, ""),
        "descriptor": source.descriptor, "derived_from": list(source.derived_from),
        "marking": source.marking,
        "cited_by": [c.id for c in brief.claims_citing(source)],
        "line": source.loc.line,
    }


def to_json_data(brief: Brief, library: Library | None = None) -> dict:
    handling = brief.handling
    return {
        "format": EXPORT_FORMAT, "version": EXPORT_VERSION,
        "brief": {
            "id": brief.id, "file": brief.path.replace("\\", "/").rsplit("/", 1)[-1],
            "title": brief.title, "subtitle": brief.subtitle,
            "date": brief.date, "modified": brief.modified, "data_cutoff": brief.data_cutoff,
            "type": brief.type, "status": brief.status, "language": brief.language,
            "authors": [{"name": a.name, "role": a.role, "affiliation": a.affiliation} for a in brief.authors],
            "publisher": ({"name": brief.publisher.name, "url": brief.publisher.url}
                          if brief.publisher else None),
            "handling": {
                "banner": brief.banner,
                "classification": handling.classification if handling else "",
                "tlp": handling.tlp if handling else "",
                "notices": list(handling.notices) if handling else [],
            },
            "bluf": brief.bluf, "summary": brief.summary,
            "key_judgments": list(brief.key_judgments), "source_summary": brief.source_summary,
            "tags": list(brief.tags),
        },
        "sections": [_section_json(brief, s) for s in brief.sections],
        "claims": [_claim_json(brief, c) for c in brief.claims],
        "sources": [_source_json(brief, s) for s in brief.sources],
        "entities": [{"id": e.id, "type": e.type, "name": e.name, "aliases": list(e.aliases),
                      "within": e.within or None, "line": e.loc.line} for e in brief.entities],
        "timeline": [{"id": e.id, "date": e.date, "text": e.text, "place": e.place or None,
                      "claims": list(e.claims), "line": e.loc.line} for e in brief.timeline],
        "related": [{"rel": r.rel, "kind": r.kind, "target": r.target, "anchor": r.anchor,
                     "title": r.title, "note": r.note,
                     "in_library": (r.target in library.briefs) if library and r.kind == "brief" else None}
                    for r in brief.related],
        "warnings": [{"line": p.line, "column": p.column, "code": p.code, "message": p.message}
                     for p in brief.warnings],
    }


def to_json(brief: Brief, library: Library | None = None) -> str:
    return json.dumps(to_json_data(brief, library), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------
# CSL-JSON


def csl_date(value: str) -> dict | None:
    """An ISO/EDTF date (``2024-12``, ``2025-06~``, ``2024/2025``) as CSL date-parts."""
    if not value:
        return None
    points, circa = [], False
    for part in value.split("/")[:2]:
        circa = circa or any(mark in part for mark in "~?%")
        digits = re.match(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", part.strip())
        if digits:
            points.append([int(d) for d in digits.groups() if d])
    if not points:
        return {"raw": value}
    date: dict = {"date-parts": points}
    if circa:
        date["circa"] = True
    return date


def csl_items(brief: Brief) -> list[dict]:
    items = []
    for source in brief.sources:
        item: dict = {"id": source.id, "type": source.type}
        if source.title:
            item["title"] = source.title
        if source.author:
            item["author"] = [{"literal": name} for name in source.author]
        if source.publisher:
            item["publisher"] = source.publisher
        if source.container_title:
            item["container-title"] = source.container_title
        for key, value in (("issued", source.issued), ("accessed", source.accessed)):
            if (date := csl_date(value)) is not None:
                item[key] = date
        if source.url:
            item["URL"] = source.url
        if source.doi:
            item["DOI"] = source.doi
        note = []
        if source.reliability:
            note.append(f"Admiralty source reliability: {source.reliability} "
                        f"({SOURCE_RELIABILITY[source.reliability]})")
        if source.descriptor:
            note.append(_one_line(source.descriptor))
        note.append(f"Cited in brief {brief.id}")
        item["note"] = "\n".join(note)
        items.append(item)
    return items


def to_csl_json(brief: Brief, library: Library | None = None) -> str:
    return json.dumps(csl_items(brief), indent=2, ensure_ascii=False) + "\n"


WRITERS = {"markdown": to_markdown, "html": to_html, "json": to_json, "csl-json": to_csl_json}


def export(brief: Brief, fmt: str, library: Library | None = None) -> str:
    return WRITERS[fmt](brief, library)

"""Rich renderings of the model: badges, grades, banners, reading blocks.

Used by the TUI and by the command line alike, so both show a brief the same
way.  Everything is built as ``rich.text.Text`` from already-cleaned strings and
is never parsed as markup: ``[bold]`` in a brief stays ``[bold]`` on screen.
Meaning never rests on colour: styles here are bold, italic, underline, dim and
reverse only, and every badge is words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text

from .model import Brief, Citation, Claim, Entity, Event, Library, Related, Section, Source, inline_refs
from .records import Record, record
from .sanitize import clean
from .vocab import (
    CLAIM_KIND_MEANING, INFORMATION_CREDIBILITY, LIKELIHOODS, SOURCE_RELIABILITY, UNMARKED,
)

# ---------------------------------------------------------------------------
# Labels


def kind_badge(brief: Brief, claim: Claim) -> str:
    """``FACT``, ``REPORTED: <who>``, ``ASSESSMENT`` or ``ASSUMPTION``."""
    if claim.kind == "reported" and claim.third_party:
        return f"REPORTED: {entity_name(brief, claim.attributed_to)}"
    return claim.kind.upper()


def entity_name(brief: Brief, entity_id: str) -> str:
    entity = brief.entity(entity_id)
    return entity.name if entity else entity_id


def likelihood_label(claim: Claim) -> str:
    """The ICD 203 term with its band: ``likely, 55-80%``."""
    band = claim.likelihood_band
    return f"{band.term.replace('-', ' ')}, {band.band}" if band else ""


def claim_badges(brief: Brief, claim: Claim) -> Text:
    """Every badge of a claim as words; likelihood and confidence kept apart (ICD 203)."""
    badges = [kind_badge(brief, claim)]
    if claim.likelihood:
        badges.append(likelihood_label(claim))
    if claim.confidence:
        badges.append(f"{claim.confidence} confidence")
    if claim.third_party and claim.kind != "reported":
        badges.append(f"by {entity_name(brief, claim.attributed_to)}")
    if claim.stance:
        badges.append(f"stance: {claim.stance}")
    text = Text()
    for badge in badges:
        text.append(f"[{badge}]", style="bold")
        text.append(" ")
    text.rstrip()
    return text


def grade(citation: Citation, source: Source | None) -> str:
    """The combined Admiralty grade, ``C2``: source reliability, information credibility."""
    reliability = source.reliability if source and source.reliability else "-"
    credibility = str(citation.credibility) if citation.credibility else "-"
    return "" if reliability == credibility == "-" else reliability + credibility


def citation_label(brief: Brief, citation: Citation) -> str:
    """``isw-report, para. 3, B2`` with ``contradicts`` or ``mentions`` when not support."""
    source = brief.source(citation.source)
    parts = [citation.source]
    if citation.locator:
        parts.append(str(citation.locator))
    if grade(citation, source):
        parts.append(grade(citation, source))
    if citation.relation != "supports":
        parts.append(citation.relation)
    return ", ".join(parts)


def marking_prefix(marking: str) -> str:
    return f"({marking}) " if marking else ""


def banner_text(brief: Brief | None) -> str:
    return brief.banner if brief else UNMARKED


# ---------------------------------------------------------------------------
# Reading blocks: what the reading pane and `show` print, one block at a time


@dataclass
class Block:
    """One unit the reader's cursor stops on: a heading, paragraph, claim or card.

    ``links`` are the targets that can be followed from it, in the order their
    numbers ``[1]``, ``[2]`` appear in the text.
    """

    key: str
    text: Text
    links: list[str] = field(default_factory=list)
    heading: bool = False


_INLINE_MARKDOWN = re.compile(
    r"\*\*(?P<bold>.+?)\*\*|__(?P<bold2>.+?)__|(?<![\w*])\*(?P<em>[^*\s][^*]*?)\*(?!\w)"
    r"|(?<![\w_])_(?P<em2>[^_\s][^_]*?)_(?!\w)|`(?P<code>[^`]+)`"
    r"|\[(?P<label>[^\[\]]+)\]\((?P<url>[^()\s]+)\)"
)


LINK_META = "briefreader-link"


def link_at(block: Block, offset: int) -> str:
    """The target of the embedded reference covering ``offset`` in the block, if any."""
    for span in block.text.spans:
        if span.start <= offset < span.end and isinstance(span.style, Style) and span.style.meta:
            target = span.style.meta.get(LINK_META)
            if target:
                return target
    return ""


class _Inline:
    """Builds the Text of one paragraph, numbering the links in it."""

    def __init__(self, brief: Brief, links: list[str]):
        self.brief = brief
        self.links = links

    def link(self, target: str) -> int:
        if target not in self.links:
            self.links.append(target)
        return self.links.index(target) + 1

    def render(self, source: str, base_style: str = "") -> Text:
        text = Text(style=base_style)
        position = 0
        for ref in inline_refs(source):
            self.markdown(text, source[position:ref.start])
            position = ref.end
            start = len(text)
            if ref.cite:
                target = f"source:{ref.target}"
                citation = ref.as_citation(self.brief.loc)
                text.append(f"[{self.link(target)}: {citation_label(self.brief, citation)}]", style="italic")
            elif (claim := self.brief.claim(ref.target)) is not None:
                target = f"claim:{claim.id}"
                number = self.link(target)
                text.append(marking_prefix(claim.marking))
                self.markdown(text, plain(self.brief, claim.text), "underline")
                text.append(f" [{number} {kind_badge(self.brief, claim)}]", style="bold")
            else:
                target = f"entity:{ref.target}"
                entity = self.brief.entity(ref.target)
                number = self.link(target)
                text.append(entity.name if entity else ref.target, style="underline")
                text.append(f"[{number}]", style="bold")
            # Mark the stretch with its target, so a search can tell that a match
            # lies inside an embedded claim (spans survive prefixes and joins).
            text.stylize(Style(meta={LINK_META: target}), start, len(text))
        self.markdown(text, source[position:])
        return text

    def markdown(self, text: Text, source: str, style: str = "") -> None:
        position = 0
        for match in _INLINE_MARKDOWN.finditer(source):
            text.append(source[position:match.start()], style=style)
            position = match.end()
            groups = match.groupdict()
            if groups["bold"] or groups["bold2"]:
                text.append(groups["bold"] or groups["bold2"], style=f"{style} bold".strip())
            elif groups["em"] or groups["em2"]:
                text.append(groups["em"] or groups["em2"], style=f"{style} italic".strip())
            elif groups["code"]:
                text.append(groups["code"], style=f"{style} reverse".strip())
            else:  # a link is shown, never made clickable: no OSC 8 from brief text
                text.append(groups["label"], style=f"{style} underline".strip())
                text.append(f" <{groups['url']}>", style=style)
        text.append(source[position:], style=style)


def markdown_blocks(brief: Brief, body: str, key_prefix: str) -> list[Block]:
    """A small, safe Markdown subset as blocks: paragraphs, headings, list items,
    quotes and code.  Raw HTML is shown as text; links are never made live."""
    blocks: list[Block] = []
    lines = body.split("\n")
    paragraph: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal paragraph, kind
        if paragraph:
            links: list[str] = []
            joined = " ".join(line.strip() for line in paragraph)
            inline = _Inline(brief, links)
            if kind == "quote":
                text = Text("│ ") + inline.render(joined, "italic")
            elif kind.startswith("item"):
                text = Text(kind[4:]) + inline.render(joined)
            else:
                text = inline.render(joined)
            blocks.append(Block(f"{key_prefix}:{len(blocks)}", text, links))
        paragraph, kind = [], ""

    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            flush()
            fence = stripped[:3]
            code = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(fence):
                code.append("  " + lines[index])
                index += 1
            blocks.append(Block(f"{key_prefix}:{len(blocks)}", Text("\n".join(code), style="dim")))
        elif stripped.startswith("|"):
            flush()
            table = []
            while index < len(lines) and lines[index].strip().startswith("|"):
                table.append(lines[index].strip())
                index += 1
            index -= 1
            blocks.append(table_block(brief, table, f"{key_prefix}:{len(blocks)}"))
        elif not stripped:
            flush()
        elif heading := re.match(r"(#{1,6})\s+(.*)", stripped):
            flush()
            links: list[str] = []
            text = _Inline(brief, links).render(heading.group(2).rstrip("#").strip(), "bold")
            blocks.append(Block(f"{key_prefix}:{len(blocks)}", text, links, heading=True))
        elif item := re.match(r"([-*+]|\d+[.)])\s+(.*)", stripped):
            flush()
            marker = "• " if item.group(1) in "-*+" else item.group(1) + " "
            paragraph, kind = [item.group(2)], "item" + marker
        elif stripped.startswith(">"):
            if kind != "quote":
                flush()
            kind = "quote"
            paragraph.append(stripped.lstrip(">").strip())
        else:
            paragraph.append(stripped)
        index += 1
    flush()
    return blocks


def table_block(brief: Brief, rows: list[str], key: str) -> Block:
    """A Markdown pipe table with its columns lined up (the |---| row is dropped)."""
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows
             if not re.fullmatch(r"\|?[\s:|-]+\|?", row)]
    links: list[str] = []
    inline = _Inline(brief, links)
    rendered = [[inline.render(cell) for cell in row] for row in cells]
    columns = max(len(row) for row in rendered) if rendered else 0
    widths = [max((row[i].cell_len for row in rendered if i < len(row)), default=0) for i in range(columns)]
    text = Text()
    for number, row in enumerate(rendered):
        line = Text("  ")
        for i, cell in enumerate(row):
            line.append_text(cell)
            if i < len(row) - 1:
                line.append(" " * (widths[i] - cell.cell_len) + "  ")
        if number == 0 and len(rendered) > 1:
            line.stylize("bold")
        text.append_text(line)
        if number < len(rendered) - 1:
            text.append("\n")
    return Block(key, text, links)


def claim_block(brief: Brief, claim: Claim, *, prefix: str = "") -> Block:
    """A claim as a card: badges on the first line, the text, then its citations."""
    links: list[str] = []
    inline = _Inline(brief, links)
    text = Text(prefix)
    text.append(marking_prefix(claim.marking))
    text.append_text(claim_badges(brief, claim))
    text.append("\n")
    text.append_text(inline.render(claim.text))
    if claim.cites:
        text.append("\n")
        for citation in claim.cites:
            number = inline.link(f"source:{citation.source}")
            text.append(f"[{number}: {citation_label(brief, citation)}] ", style="italic")
        text.rstrip()
    return Block(f"claim:{claim.id}", text, links)


def source_block(brief: Brief, source: Source) -> Block:
    text = Text(marking_prefix(source.marking))
    text.append(source.label, style="bold")
    details = [source.type]
    if source.reliability:
        details.append(f"reliability {source.reliability} ({SOURCE_RELIABILITY[source.reliability]})")
    cited = len(brief.claims_citing(source))
    details.append(f"{cited} claim{'s rest' if cited != 1 else ' rests'} on it")
    text.append("\n" + " · ".join(details), style="dim")
    return Block(f"source:{source.id}", text, [f"source:{source.id}"])


def entity_block(brief: Brief, entity: Entity) -> Block:
    text = Text(entity.name, style="bold")
    about = len(brief.claims_about(entity))
    line = f"{entity.type}"
    if entity.aliases:
        line += " · also " + ", ".join(entity.aliases)
    line += f" · {about} claim{'s' if about != 1 else ''}"
    text.append("\n" + line, style="dim")
    return Block(f"entity:{entity.id}", text, [f"entity:{entity.id}"])


def event_block(brief: Brief, event: Event) -> Block:
    links: list[str] = [f"event:{event.id}"]
    text = Text(f"{event.date}  ", style="bold")
    text.append_text(_Inline(brief, links).render(event.text))
    if event.place:
        text.append(f" ({entity_name(brief, event.place)})", style="dim")
    for claim_id in event.claims:
        links.append(f"claim:{claim_id}")
    return Block(f"event:{event.id}", text, links)


def related_target(related: Related) -> str:
    if related.kind == "brief":
        return f"brief:{related.target}" + (f"#{related.anchor}" if related.anchor else "")
    return f"{related.kind}:{related.target}"


def related_block(brief: Brief, related: Related, library: Library | None, index: int) -> Block:
    text = Text(f"{related.rel}: ", style="bold")
    label = related.title
    if related.kind == "brief":
        target = library.get(related.target) if library else None
        label = label or (target.title if target else related.target)
        missing = "" if target or library is None else " (not in this library)"
        text.append(label + missing)
    elif related.kind == "source":
        source = brief.source(related.target)
        text.append(label or (source.label if source else related.target))
    else:
        text.append(label or related.target)
        text.append(f" <{related.target}>", style="dim")
    if related.note:
        text.append("\n")
        text.append_text(_Inline(brief, []).render(related.note, "italic"))
    return Block(f"related:{index}", text, [related_target(related)])


def heading_block(key: str, title: str, marking: str = "", depth: int = 0) -> Block:
    return Block(key, Text("  " * depth + marking_prefix(marking) + title, style="bold underline"),
                 heading=True)


# ---------------------------------------------------------------------------
# Parts: what one screenful of reading is about


def front_blocks(brief: Brief) -> list[Block]:
    blocks = [heading_block("front:title", brief.title)]
    meta = [brief.date]
    if brief.type:
        meta.append(brief.type)
    if brief.status:
        meta.append(brief.status)
    if brief.authors:
        meta.append("by " + ", ".join(a.name for a in brief.authors))
    if brief.publisher:
        meta.append(brief.publisher.name)
    dates = [f"modified {brief.modified}"] if brief.modified else []
    dates += [f"information up to {brief.data_cutoff}"] if brief.data_cutoff else []
    lines = [brief.subtitle] if brief.subtitle else []
    lines += [" · ".join(meta)] + ([" · ".join(dates)] if dates else [])
    lines += ["tags: " + ", ".join(brief.tags)] if brief.tags else []
    blocks.append(Block("front:meta", Text("\n".join(lines), style="dim")))
    if brief.handling and brief.handling.notices:
        blocks.append(Block("front:notices", Text("\n".join(brief.handling.notices), style="italic")))
    if brief.bluf:
        blocks.append(heading_block("front:bluf-heading", "Bottom line up front"))
        blocks.extend(markdown_blocks(brief, brief.bluf, "front:bluf"))
    if brief.key_judgment_claims:
        blocks.append(heading_block("front:kj-heading", "Key judgments"))
        for number, claim in enumerate(brief.key_judgment_claims, 1):
            blocks.append(claim_block(brief, claim, prefix=f"KJ{number} "))
    if brief.summary:
        blocks.append(heading_block("front:summary-heading", "Summary"))
        blocks.extend(markdown_blocks(brief, brief.summary, "front:summary"))
    if brief.source_summary:
        blocks.append(heading_block("front:source-summary-heading", "Sourcing"))
        blocks.extend(markdown_blocks(brief, brief.source_summary, "front:source-summary"))
    return blocks


def section_blocks(brief: Brief, section: Section, depth: int = 0) -> list[Block]:
    blocks = [heading_block(f"section:{section.id}", section.title, section.marking, depth)]
    blocks.extend(markdown_blocks(brief, section.body, f"body:{section.id}"))
    for claim_id in section.claims:
        claim = brief.claim(claim_id)
        if claim is not None:
            blocks.append(claim_block(brief, claim))
    for child in section.sections:
        blocks.extend(section_blocks(brief, child, depth + 1))
    return blocks


def part_blocks(brief: Brief, part: str, library: Library | None = None) -> list[Block]:
    """The blocks of one part: ``front``, ``section:<id>``, ``sources``, ``entities``,
    ``timeline``, ``related`` or ``other-claims``."""
    if part.startswith("section:"):
        section = brief.get(part.partition(":")[2])
        return section_blocks(brief, section) if isinstance(section, Section) else []
    if part == "sources":
        return [heading_block("sources", "Sources")] + [source_block(brief, s) for s in brief.sources]
    if part == "entities":
        return [heading_block("entities", "Entities")] + [entity_block(brief, e) for e in brief.entities]
    if part == "timeline":
        return [heading_block("timeline", "Timeline")] + [event_block(brief, e) for e in brief.timeline]
    if part == "related":
        return [heading_block("related", "Related")] + [
            related_block(brief, r, library, i) for i, r in enumerate(brief.related)]
    if part == "other-claims":
        return [heading_block("other-claims", "Claims not in a section")] + [
            claim_block(brief, c) for c in brief.unplaced_claims()]
    return front_blocks(brief)


# ---------------------------------------------------------------------------
# The outline: every place in a brief, in reading order


@record
class OutlineEntry(Record):
    """One line of the outline: a place in the brief and what selecting it shows."""

    id: str  # unique in the outline
    target: str  # what it selects: claim:<id>, section:<id>, source:<id>, ...
    part: str  # which part the reading pane shows for it
    label: str
    depth: int = 0


def plain(brief: Brief, text: str) -> str:
    """Text with ``[[id]]`` replaced by names and ``[@id]`` citations dropped: for labels."""
    out, position = [], 0
    for ref in inline_refs(text):
        out.append(text[position:ref.start])
        position = ref.end
        if not ref.cite:
            claim = brief.claim(ref.target)
            out.append(claim.text if claim else entity_name(brief, ref.target))
    out.append(text[position:])
    return "".join(out)


def short_plain(brief: Brief, text: str, width: int = 60) -> str:
    """A one-line label for a text with inline references: names, not ids."""
    return _short(plain(brief, text), width)


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def claim_letter(claim: Claim) -> str:
    return {"fact": "F", "reported": "R", "assessment": "A", "assumption": "S"}[claim.kind]


def outline(brief: Brief) -> list[OutlineEntry]:
    entries = [OutlineEntry("front", "front", "front", "Bottom line up front")]
    for number, claim in enumerate(brief.key_judgment_claims, 1):
        entries.append(OutlineEntry(f"kj:{claim.id}", f"claim:{claim.id}", "front",
                                    f"KJ{number} {_short(plain(brief, claim.text), 60)}", 1))
    for text, key, title in ((brief.summary, "front:summary-heading", "Summary"),
                             (brief.source_summary, "front:source-summary-heading", "Sourcing")):
        if text:
            entries.append(OutlineEntry(key, key, "front", title))
    for section, depth in brief.walk_sections():
        top = _top_section(brief, section)
        part = f"section:{top.id}"
        entries.append(OutlineEntry(f"section:{section.id}", f"section:{section.id}", part,
                                    marking_prefix(section.marking) + section.title, depth))
        for claim_id in dict.fromkeys((*section.embedded, *section.claims)):  # once each
            claim = brief.claim(claim_id)
            if claim is not None:
                entries.append(OutlineEntry(f"in:{section.id}:{claim.id}", f"claim:{claim.id}", part,
                                            f"{claim_letter(claim)} {_short(plain(brief, claim.text), 60)}", depth + 1))
    unplaced = brief.unplaced_claims()
    if unplaced:
        entries.append(OutlineEntry("other-claims", "other-claims", "other-claims",
                                    f"Other claims ({len(unplaced)})"))
        entries.extend(OutlineEntry(f"other:{c.id}", f"claim:{c.id}", "other-claims",
                                    f"{claim_letter(c)} {_short(plain(brief, c.text), 60)}", 1) for c in unplaced)
    groups = (
        ("sources", "Sources", brief.sources, lambda s: s.label),
        ("entities", "Entities", brief.entities, lambda e: e.name),
        ("timeline", "Timeline", brief.timeline, lambda e: f"{e.date} {_short(e.text, 30)}"),
    )
    for part, title, items, label in groups:
        if items:
            entries.append(OutlineEntry(part, part, part, f"{title} ({len(items)})"))
            kind = {"sources": "source", "entities": "entity", "timeline": "event"}[part]
            entries.extend(OutlineEntry(f"{kind}:{item.id}", f"{kind}:{item.id}", part,
                                        _short(label(item), 44), 1) for item in items)
    if brief.related:
        entries.append(OutlineEntry("related", "related", "related", f"Related ({len(brief.related)})"))
        entries.extend(OutlineEntry(f"related:{i}", f"related:{i}", "related",
                                    f"{r.rel}: {_short(r.title or r.target, 36)}", 1)
                       for i, r in enumerate(brief.related))
    return entries


def _top_section(brief: Brief, section: Section) -> Section:
    for top in brief.sections:
        if top is section or any(s is section for s, _ in _walk(top)):
            return top
    return section


def _walk(section: Section):
    for child in section.sections:
        yield child, 0
        yield from _walk(child)


# ---------------------------------------------------------------------------
# The inspector: everything about one item, with what can be followed from it


@record
class Row(Record):
    """One line group of the inspector; ``link`` set when ``enter`` can follow it."""

    text: Text
    link: str = ""
    heading: bool = False  # a title over rows: the cursor passes over it


def _heading(title: str) -> Row:
    return Row(Text(title, style="bold underline"), heading=True)


def _claim_row(brief: Brief, claim: Claim, note: str = "") -> Row:
    text = Text(f"{claim_letter(claim)} ")
    text.append(_short(plain(brief, claim.text), 70))
    if note:
        text.append(f" ({note})", style="italic")
    return Row(text, f"claim:{claim.id}")


def inspect(brief: Brief, target: str, library: Library | None = None) -> list[Row]:
    """Rows describing ``target`` (``claim:<id>``, ``source:<id>``, ...)."""
    kind, _, ident = target.partition(":")
    if kind == "claim" and (claim := brief.claim(ident)):
        return inspect_claim(brief, claim)
    if kind == "source" and (source := brief.source(ident)):
        return inspect_source(brief, source)
    if kind == "entity" and (entity := brief.entity(ident)):
        return inspect_entity(brief, entity)
    if kind == "event" and isinstance(event := brief.get(ident), Event):
        rows = [_heading(f"Event {event.date}"), Row(Text(event.text))]
        rows += [_claim_row(brief, c) for c in map(brief.claim, event.claims) if c]
        return rows
    if kind == "section" and isinstance(section := brief.get(ident), Section):
        rows = [_heading(marking_prefix(section.marking) + section.title)]
        claims = [brief.claim(c) for c in (*section.embedded, *section.claims)]
        rows += [_claim_row(brief, c) for c in claims if c]
        cited = [brief.source(s) for s in section.cited]
        rows += [Row(Text(f"cites {s.label}"), f"source:{s.id}") for s in cited if s]
        return rows
    if kind == "related" and ident.isdigit() and int(ident) < len(brief.related):
        return inspect_related(brief, brief.related[int(ident)], library)
    return inspect_brief(brief, library)


def link_label(brief: Brief, link: str, library: Library | None = None) -> str:
    """What a link points at, in words: a claim's text, an entity's or source's name."""
    kind, _, ident = link.partition(":")
    if kind == "claim" and (claim := brief.claim(ident)):
        return f"{kind_badge(brief, claim)}: {short_plain(brief, claim.text, 70)}"
    if kind == "source" and (source := brief.source(ident)):
        return f"source: {source.label}"
    if kind == "entity":
        return entity_name(brief, ident)
    if kind == "brief":
        other = library.get(ident.partition("#")[0]) if library else None
        return f"brief: {other.title if other else ident}"
    return link


def inspect_links(brief: Brief, links: list[str], library: Library | None = None) -> list[Row]:
    """The numbered links of one paragraph, each followable."""
    rows = [_heading(f"Links here ({len(links)}): enter or 1-{min(len(links), 9)} follows")]
    rows += [Row(Text(f"[{n}] {link_label(brief, link, library)}"), link) for n, link in enumerate(links, 1)]
    return rows


def inspect_claim(brief: Brief, claim: Claim) -> list[Row]:
    rows = [_heading(f"Claim {claim.id}"), Row(claim_badges(brief, claim))]
    rows.append(Row(Text(f"{claim.kind}: {CLAIM_KIND_MEANING[claim.kind]}", style="dim")))
    if claim.marking:
        rows.append(Row(Text(f"marking ({claim.marking})")))
    rows.append(Row(_Inline(brief, []).render(claim.text)))
    if claim.third_party:
        rows.append(Row(Text(f"attributed to {entity_name(brief, claim.attributed_to)}"),
                        f"entity:{claim.attributed_to}"))
    citations = brief.sources_for(claim)
    rows.append(_heading(f"Sources ({len(citations)})"))
    if not citations:
        rows.append(Row(Text("no citation", style="italic")))
    for citation, source in citations:
        text = Text()
        grade_text = grade(citation, source)
        if grade_text:
            text.append(f"[{grade_text}] ", style="bold")
        text.append(source.label)
        if citation.locator:
            text.append(f", {citation.locator}")
        if citation.relation != "supports":
            text.append(f" ({citation.relation})", style="bold")
        if citation.quote:
            text.append(f"\n  “{citation.quote}”", style="italic")
        if citation.credibility:
            text.append(f"\n  information {citation.credibility}: "
                        f"{INFORMATION_CREDIBILITY[citation.credibility]}", style="dim")
        rows.append(Row(text, f"source:{source.id}"))
    if claim.primary and (primary := brief.source(claim.primary)):
        rows.append(Row(Text(f"primary source: {primary.label}"), f"source:{primary.id}"))
    if claim.depends_on:
        rows.append(_heading("Rests on"))
        rows += [_claim_row(brief, c) for c in map(brief.claim, claim.depends_on) if c]
    dependents = brief.dependents(claim)
    if dependents:
        rows.append(_heading("What rests on it"))
        rows += [_claim_row(brief, c) for c in dependents]
    if claim.about:
        rows.append(_heading("About"))
        rows += [Row(Text(entity_name(brief, e)), f"entity:{e}") for e in claim.about]
    if claim.indicators:
        rows.append(_heading("Indicators (would change the judgment)"))
        rows += [Row(Text(f"• {i}")) for i in claim.indicators]
    sections = brief.sections_with(claim)
    if sections:
        rows.append(_heading("In section"))
        rows += [Row(Text(s.title), f"section:{s.id}") for s in sections]
    return rows


def inspect_source(brief: Brief, source: Source) -> list[Row]:
    rows = [_heading(f"Source {source.id}"), Row(Text(marking_prefix(source.marking) + source.label, style="bold"))]
    details = [("type", source.type)]
    if source.reliability:
        details.append(("reliability", f"{source.reliability}: {SOURCE_RELIABILITY[source.reliability]}"))
    for label, value in (("author", ", ".join(source.author)), ("publisher", source.publisher),
                         ("in", source.container_title), ("issued", source.issued),
                         ("accessed", source.accessed), ("URL", source.url), ("DOI", source.doi),
                         ("descriptor", source.descriptor)):
        if value:
            details.append((label, value))
    rows += [Row(Text(f"{label}: {value}"), f"url:{value}" if label == "URL" else "")
             for label, value in details]
    for parent_id in source.derived_from:
        parent = brief.source(parent_id)
        rows.append(Row(Text(f"derived from {parent.label if parent else parent_id}"), f"source:{parent_id}"))
    links = brief.backlinks(source)
    claims = brief.claims_citing(source)
    rows.append(_heading(f"Cited by ({len(claims)} claim{'s' if len(claims) != 1 else ''})"))
    if not links:
        rows.append(Row(Text("nothing cites it", style="italic")))
    seen: set[str] = set()
    for link in links:
        key = f"{type(link.citer).__name__}:{link.citer.id}"
        if key in seen:
            continue
        seen.add(key)
        note = f"via {link.via.id}" if link.via else grade(link.citation, source)
        if isinstance(link.citer, Claim):
            rows.append(_claim_row(brief, link.citer, note))
        else:
            rows.append(Row(Text(f"section {link.citer.title}" + (f" ({note})" if note else "")),
                            f"section:{link.citer.id}"))
    return rows


def inspect_entity(brief: Brief, entity: Entity) -> list[Row]:
    rows = [_heading(f"Entity {entity.id}"), Row(Text(entity.name, style="bold")), Row(Text(entity.type))]
    if entity.aliases:
        rows.append(Row(Text("also: " + ", ".join(entity.aliases))))
    if entity.within:
        rows.append(Row(Text(f"within {entity_name(brief, entity.within)}"), f"entity:{entity.within}"))
    claims = brief.claims_about(entity)
    rows.append(_heading(f"Claims about it ({len(claims)})"))
    rows += [_claim_row(brief, c) for c in claims]
    return rows


def inspect_related(brief: Brief, related: Related, library: Library | None) -> list[Row]:
    rows = [_heading(f"Related: {related.rel}")]
    if related.kind == "brief":
        target = library.get(related.target) if library else None
        if target:
            rows.append(Row(Text(f"{target.title}\n{target.date} · {target.banner}"), related_target(related)))
            if target.bluf:
                rows.append(Row(Text(short_plain(target, target.bluf, 300), style="italic")))
        else:
            rows.append(Row(Text(f"brief {related.target}: not in this library", style="italic")))
    elif related.kind == "source":
        rows.append(Row(Text(related.title or related.target), f"source:{related.target}"))
    else:  # a URL: following it says why it is not opened, and shows it whole
        rows.append(Row(Text(f"{related.title}\n{related.target}".strip()), related_target(related)))
    if related.note:
        rows.append(Row(_Inline(brief, []).render(related.note, "italic")))
    return rows


def inspect_brief(brief: Brief, library: Library | None) -> list[Row]:
    rows = [_heading(brief.title), Row(Text(f"{brief.date} · {brief.banner}"))]
    counts = (f"{len(brief.claims)} claims · {len(brief.sources)} sources · "
              f"{len(brief.entities)} entities · {len(brief.warnings)} warnings")
    rows.append(Row(Text(counts, style="dim")))
    if library is not None:
        incoming = library.related_to(brief)
        if incoming:
            rows.append(_heading("Pointed at by"))
            seen: set[str] = set()  # a brief may point here twice (the brief and a place in it)
            for other, rel in incoming:
                if other.id not in seen:
                    seen.add(other.id)
                    rows.append(Row(Text(f"{other.title} ({rel.rel})"), f"brief:{other.id}"))
    return rows


def likelihood_legend() -> Text:
    text = Text("Estimative language (ICD 203)\n", style="bold")
    text.append(f"  {'shown as':<21} {'band':<7} {'written in a brief as'}\n", style="dim")
    for item in LIKELIHOODS:
        text.append(f"  {item.term.replace('-', ' '):<21} {item.band:<7} {item.term} or {item.synonym}\n")
    text.append("\nConfidence (in the basis, never merged with likelihood): low, moderate, high\n")
    text.append("\nAdmiralty grades (STANAG 2511): reliability of the source\n", style="bold")
    for letter, meaning in SOURCE_RELIABILITY.items():
        text.append(f"  {letter}  {meaning}\n")
    text.append("credibility of the information\n", style="bold")
    for number, meaning in INFORMATION_CREDIBILITY.items():
        text.append(f"  {number}  {meaning}\n")
    text.append("A citation shows both: B2 = usually reliable source, probably true.\n")
    text.append("A dash stands for a grade the brief does not give: C- = fairly reliable source,\n"
                "information not graded.\n")
    return text


def safe(text: str) -> Text:
    """Any string, cleaned and wrapped as plain Text (never parsed as markup)."""
    return Text(clean(text))


"""``briefreader show``: a brief printed with the renderers the reader uses.

Core module (Rich only, never Textual).  The blocks come from
:mod:`briefreader.render` exactly as the reading pane shows them; this module
adds what paper needs: the banner at the top and the bottom, rules between
parts and a bibliography that resolves the source ids the citations name.
Plain text (no escape code at all) when the output is not a terminal or
``NO_COLOR`` is set.
"""

from __future__ import annotations

import io
import os
import shlex
import shutil
import subprocess
from typing import TextIO

from rich.console import Console
from rich.text import Text

from .model import Brief, Library, Section
from .render import Block, heading_block, marking_prefix, part_blocks, section_blocks
from .vocab import SOURCE_RELIABILITY


def parts(brief: Brief) -> list[str]:
    """Every part of the brief in reading order, as the outline lists them."""
    names = ["front"] + [f"section:{s.id}" for s in brief.sections]
    if brief.unplaced_claims():
        names.append("other-claims")
    for name, items in (("entities", brief.entities), ("timeline", brief.timeline),
                        ("related", brief.related)):
        if items:
            names.append(name)
    return names


def bibliography(brief: Brief) -> list[Block]:
    """The sources, keyed by the id every citation label starts with."""
    if not brief.sources:
        return []
    blocks = [heading_block("bibliography", "Sources (citations name them by id)")]
    for source in brief.sources:
        text = Text(f"[{source.id}] ", style="bold")
        text.append(marking_prefix(source.marking) + source.label)
        details = [value for value in (", ".join(source.author), source.publisher,
                                       source.container_title, source.issued) if value]
        details.append(source.type)
        if source.reliability:
            details.append(f"reliability {source.reliability} "
                           f"({SOURCE_RELIABILITY[source.reliability]})")
        text.append("\n  " + " · ".join(details), style="dim")
        for label, value in (("URL", source.url), ("DOI", source.doi)):
            if value:
                text.append(f"\n  {label} {value}")
        if source.derived_from:
            text.append("\n  derived from " + ", ".join(source.derived_from), style="dim")
        claims = brief.claims_citing(source)
        text.append(f"\n  {len(claims)} claim{'s rest' if len(claims) != 1 else ' rests'} on it", style="dim")
        blocks.append(Block(f"bib:{source.id}", text))
    blocks.append(Block("bib:legend", Text(
        "Grades: source reliability A-F, information credibility 1-6 "
        "(B2 = usually reliable, probably true; - = not graded).", style="dim")))
    return blocks


def brief_blocks(brief: Brief, library: Library | None = None, section: Section | None = None) -> list[Block]:
    if section is not None:
        return section_blocks(brief, section) + bibliography(brief)
    blocks: list[Block] = []
    for part in parts(brief):
        blocks.extend(part_blocks(brief, part, library))
    return blocks + bibliography(brief)


def plain_wanted(out: TextIO) -> bool:
    """No styling at all: not a terminal, or NO_COLOR set (to any value)."""
    if "NO_COLOR" in os.environ:
        return True
    try:
        return not out.isatty()
    except (AttributeError, ValueError):
        return True


def render_to(out: TextIO, brief: Brief, *, width: int | None = None, library: Library | None = None,
              section: Section | None = None, plain: bool | None = None) -> None:
    plain = plain_wanted(out) if plain is None else plain
    if width is None:  # $COLUMNS, else the terminal's width, else 80
        width = shutil.get_terminal_size((80, 24)).columns
    buffer = io.StringIO()
    console = Console(file=buffer, width=max(20, width), color_system=None if plain else "auto",
                      force_terminal=not plain, no_color=plain, highlight=False, markup=False,
                      emoji=False, soft_wrap=False, legacy_windows=False)
    banner = Text(brief.banner, style="bold reverse", justify="center")
    console.print(banner)
    console.print()
    for block in brief_blocks(brief, library, section):
        console.print(block.text)
        if not block.heading:
            console.print()
    console.print(banner)
    text = buffer.getvalue()
    if plain:  # Rich pads wrapped lines; paper does not need the spaces
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    out.write(text)


def _is_tty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def pager_command() -> list[str]:
    """$PAGER split like a shell would (no shell runs it), else ``less -R``."""
    raw = os.environ.get("PAGER", "").strip()
    if raw:
        try:
            argv = shlex.split(raw)
        except ValueError:
            argv = []
        if argv:
            return argv
    return ["less", "-R"]


def page(text: str, out: TextIO) -> bool:
    """Pipe ``text`` through the pager; False when none could be started."""
    argv = pager_command()
    if shutil.which(argv[0]) is None:
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    try:
        assert process.stdin is not None
        process.stdin.write(text.encode("utf-8", "replace"))
        process.stdin.close()
    except BrokenPipeError:  # the reader quit the pager early
        pass
    process.wait()
    return True


def show(out: TextIO, brief: Brief, *, width: int | None = None, library: Library | None = None,
         section: Section | None = None, pager: bool = False) -> None:
    if pager and _is_tty(out):
        buffer = io.StringIO()
        plain = "NO_COLOR" in os.environ
        render_to(buffer, brief, width=width or shutil.get_terminal_size((80, 24)).columns,
                  library=library, section=section, plain=plain)
        if page(buffer.getvalue(), out):
            return
        out.write(buffer.getvalue())
        return
    render_to(out, brief, width=width, library=library, section=section)

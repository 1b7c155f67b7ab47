"""Search inside one brief, over exactly the text the reader shows.

The finder renders every part of a brief once (the same blocks the reading
pane shows), joins their plain text and searches that, so a match's offsets
are offsets into a block the reader can highlight.  Case and diacritics fold
(``Belarus`` finds ``BELARUS``, ``Lodz`` finds ``Łódź``) unless the query has a
capital inside a word, such as ``ISW`` (smart case, see :func:`smart_case`).  An entity's aliases count:
``Лукашенко`` finds the text "Lukashenko" and every claim about him.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache

from . import render
from .model import Brief, Library
from .records import Record, record

SCOPES = ("all", "claims", "sources", "entities")
MAX_SPOTS = 10_000  # a one-letter query in a huge brief: count stops here


class FindError(ValueError):
    """A query that cannot be searched (a bad regular expression)."""


@record
class Spot(Record):
    """One match: which part and block it is in, and where in the block's text."""

    part: str
    key: str
    start: int
    end: int


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    folded = folded.casefold()
    return folded if len(folded) == 1 else char.lower()  # keep offsets one to one


def fold(text: str) -> str:
    """Lower case without diacritics, the same length as ``text``."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def smart_case(query: str) -> bool:
    """Case matters when a capital stands inside a word (``ISW``, ``iPhone``).

    A capital that only starts a word does not count: names are written that
    way, and ``Belarus`` should still find ``BELARUS``.
    """
    return any(char.isupper() and index > 0 and query[index - 1].isalpha()
               for index, char in enumerate(query)) or (
        len(query) == 1 and query.isupper())


class BriefFinder:
    """Every block of a brief in reading order, ready to search many times."""

    def __init__(self, brief: Brief, library: Library | None = None):
        self.brief = brief
        self.blocks: list[tuple[str, render.Block]] = []
        parts = dict.fromkeys(entry.part for entry in render.outline(brief))
        for part in parts:
            self.blocks.extend((part, block) for block in render.part_blocks(brief, part, library))
        texts = [block.text.plain for _, block in self.blocks]
        self.starts: list[int] = []
        position = 0
        for text in texts:
            self.starts.append(position)
            position += len(text) + 1
        self.text = "\n".join(texts)
        self.folded = fold(self.text)
        self.index_of = {(part, block.key): i for i, (part, block) in enumerate(self.blocks)}

    def alias_words(self, query: str, case_sensitive: bool = False) -> tuple[list[str], set[str]]:
        """Other names to look for, and the entity ids, when the query names an entity
        (matched the way the query itself is: case-sensitively under smart case)."""
        norm = (lambda text: text) if case_sensitive else fold
        wanted = norm(query.strip())
        if len(wanted) < 3:
            return [], set()
        words: list[str] = []
        entities: set[str] = set()
        for entity in self.brief.entities:
            names = [entity.name, *entity.aliases]
            if any(wanted in norm(name) for name in names):
                entities.add(entity.id)
                words.extend(name for name in names if wanted not in norm(name))
        return words, entities

    def find(self, query: str, *, regex: bool = False, scope: str = "all") -> list[Spot]:
        if not query:
            return []
        case_sensitive = smart_case(query)
        haystack = self.text if case_sensitive else self.folded
        entities: set[str] = set()
        if regex:
            pattern_text = query
        else:
            alternatives = [query]
            aliases, entities = self.alias_words(query, case_sensitive)
            alternatives += aliases
            pattern_text = "|".join(re.escape(a if case_sensitive else fold(a)) for a in alternatives)
        try:
            pattern = re.compile(pattern_text, 0 if case_sensitive else re.IGNORECASE)
        except re.error as error:
            raise FindError(f"bad regular expression: {error}") from None
        spots: list[Spot] = []
        matched_blocks: set[int] = set()
        for match in pattern.finditer(haystack):
            if match.end() == match.start():
                continue  # an empty match highlights nothing
            index = bisect.bisect_right(self.starts, match.start()) - 1
            part, block = self.blocks[index]
            start = match.start() - self.starts[index]
            end = min(match.end() - self.starts[index], len(block.text.plain))
            if not self.in_scope(block, start, scope):
                continue
            spots.append(Spot(part, block.key, start, end))
            matched_blocks.add(index)
            if len(spots) >= MAX_SPOTS:
                break
        if entities and scope in ("all", "claims"):
            spots = self.add_claims_about(spots, matched_blocks, entities, cards_only=scope == "claims")
        return spots

    def in_scope(self, block: render.Block, offset: int, scope: str) -> bool:
        if scope == "all":
            return True
        kind = {"claims": "claim:", "sources": "source:", "entities": "entity:"}[scope]
        return block.key.startswith(kind) or render.link_at(block, offset).startswith(kind)

    def add_claims_about(self, spots: list[Spot], matched: set[int], entities: set[str],
                         cards_only: bool = False) -> list[Spot]:
        """Claims about the named entity count even where its name is not written."""
        about = {f"claim:{c.id}" for c in self.brief.claims
                 if entities & set(c.about) or c.attributed_to in entities}
        extra = [i for i, (_, block) in enumerate(self.blocks)
                 if i not in matched and (block.key in about or (
                     not cards_only and about & set(block.links)))]
        if not extra:
            return spots
        whole = [Spot(self.blocks[i][0], self.blocks[i][1].key, 0, 0) for i in extra]
        order = {key: i for i, key in enumerate(self.index_of)}
        return sorted(spots + whole, key=lambda s: (order[(s.part, s.key)], s.start))

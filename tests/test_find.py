"""In-brief search over the text the reader shows (briefreader.find)."""

from pathlib import Path

import pytest

from briefreader.find import MAX_SPOTS, BriefFinder, FindError, fold, smart_case
from briefreader.loader import load_library
from briefreader.render import link_at

BRIEFS = Path(__file__).resolve().parent.parent / "briefs"


@pytest.fixture(scope="module")
def finder() -> BriefFinder:
    library = load_library(BRIEFS)
    return BriefFinder(library.get("isw-oreshnik-belarus"), library)


def block_of(finder, spot):
    return finder.blocks[finder.index_of[(spot.part, spot.key)]][1]


def matched_text(finder, spot) -> str:
    return block_of(finder, spot).text.plain[spot.start:spot.end]


def test_fold_keeps_length_and_drops_case_and_diacritics():
    for text in ("Łódź", "BELARUS", "Straße", "Лукашенко", "café ﬁ"):
        assert len(fold(text)) == len(text)
    assert fold("Łódź") == "łodz"
    assert fold("BELARUS") == "belarus"


def test_smart_case_counts_capitals_inside_words_only():
    assert not smart_case("belarus")
    assert not smart_case("Belarus")
    assert not smart_case("Union State")
    assert smart_case("ISW")
    assert smart_case("iPhone")


def test_spots_point_at_the_words_in_the_rendered_blocks(finder):
    spots = finder.find("khmeimim")
    assert spots
    entity = finder.brief.entity("khmeimim")
    names = {n.lower() for n in (entity.name, *entity.aliases)} | {"khmeimim"}
    words = [matched_text(finder, s).lower() for s in spots if s.end > s.start]
    assert "khmeimim" in words
    assert all(any(word in name for name in names) for word in words)


def test_capitalised_name_still_folds_case(finder):
    assert len(finder.find("Belarus")) == len(finder.find("belarus")) > 0


def test_all_capitals_are_case_sensitive(finder):
    sensitive = finder.find("ISW")
    words = [matched_text(finder, s) for s in sensitive if s.end > s.start]
    assert words and all(word == "ISW" or "Institute for the Study of War" in word for word in words)
    assert len(finder.find("isw")) >= len(sensitive)


@pytest.mark.parametrize("alias", ["Лукашенко", "Lukashenka"])
def test_an_alias_finds_the_entity_by_name_and_the_claims_about_it(finder, alias):
    spots = finder.find(alias)
    names = {matched_text(finder, s) for s in spots if s.end > s.start}
    assert any("Lukashenko" in name for name in names)
    claims_about = {f"claim:{c.id}" for c in finder.brief.claims if "lukashenko" in c.about}
    found = [block_of(finder, s) for s in spots]
    for claim in claims_about:  # each claim about him is reached, as a card or inside a paragraph
        assert any(block.key == claim or claim in block.links for block in found)


def test_regex_and_bad_regex(finder):
    spots = finder.find(r"Oresh\w+", regex=True)
    assert spots and all(matched_text(finder, s).lower().startswith("oreshnik") for s in spots)
    with pytest.raises(FindError):
        finder.find("(unclosed", regex=True)
    # the same text as a plain query is just text
    assert finder.find("(unclosed") == []


def test_scope_limits_to_sources(finder):
    everywhere = finder.find("isw")
    sources = finder.find("isw", scope="sources")
    assert 0 < len(sources) < len(everywhere)
    for spot in sources:  # a source card, or a citation of a source inside a paragraph
        assert spot.key.startswith("source:") or link_at(block_of(finder, spot), spot.start).startswith("source:")


def test_scope_claims_keeps_matches_inside_embedded_claims(finder):
    claims = finder.find("oreshnik", scope="claims")
    assert claims
    for spot in claims:
        assert spot.key.startswith("claim:") or link_at(block_of(finder, spot), spot.start).startswith("claim:")


def test_spots_come_in_reading_order_and_are_capped(finder):
    spots = finder.find("e")
    order = list(finder.index_of)
    positions = [(order.index((s.part, s.key)), s.start) for s in spots]
    assert positions == sorted(positions)
    assert len(spots) <= MAX_SPOTS

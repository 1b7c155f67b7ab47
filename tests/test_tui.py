"""Pilot tests of the reader's behaviour: press keys, then assert on what is
selected, shown and focused.  No sleeps: the library-loading worker is waited for
and every key press is followed by ``pilot.pause()`` so its messages are handled.

pytest-asyncio is not a dependency: each test is a plain function that runs its
``async`` body with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from pathlib import Path

import pytest

from briefreader.app import BriefReaderApp
from briefreader.screens import BriefScreen, LibraryScreen, TextScreen
from briefreader.widgets import CursorList

ROOT = Path(__file__).resolve().parent.parent
BRIEFS = ROOT / "briefs"
ORESHNIK = "isw-oreshnik-belarus"
RUTTE = "rutte-trump-nato-meeting"
TITLES = {
    ORESHNIK: "Oreshnik in Belarus: ISW sees no added risk of medium-range missile strikes",
    RUTTE: "Mark Rutte meets Donald Trump on NATO's role and Ukraine war strategy",
    "tour": "Tour: reading a brief with briefreader",
}
BANNER = "UNCLASSIFIED // TLP:CLEAR"


@pytest.fixture(autouse=True)
def _home(briefreader_home: Path) -> Path:
    return briefreader_home


def run(body) -> None:
    asyncio.run(body())


@contextlib.asynccontextmanager
async def reader(folder: Path = BRIEFS, *, size: tuple[int, int] = (80, 24), remember: bool = False):
    app = BriefReaderApp(str(folder), remember=remember)
    async with app.run_test(size=size) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        yield pilot


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


def screen_lines(app) -> list[str]:
    """The text of every terminal line of the current screen (modal screens include
    what is behind them)."""
    return ["".join(segment.text for segment in strip)
            for strip in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


def library_ids(app) -> list[str]:
    """Brief ids in the order the library lists them (option ids are file paths)."""
    listing = app.screen.query_one("#briefs", CursorList)
    return [Path(listing.get_option_at_index(i).id).name.removesuffix(".brief.yaml")
            for i in range(listing.option_count)]


async def open_by_keys(pilot, brief_id: str = ORESHNIK) -> BriefScreen:
    """Move the library cursor onto ``brief_id`` with `j` and open it with enter."""
    index = library_ids(pilot.app).index(brief_id)
    await press(pilot, *(["j"] * index), "enter")
    screen = pilot.app.screen
    assert isinstance(screen, BriefScreen)
    return screen


def current_target(screen: BriefScreen) -> str:
    return screen.outline.entries[screen.outline.current_id].target


def focused_link(screen: BriefScreen) -> str:
    return screen.inspector.links.get(screen.inspector.current_id, "")


async def inspector_cursor_to(pilot, screen: BriefScreen, wanted) -> str:
    """Press `j` in the focused inspector until its cursor is on a row whose link
    satisfies ``wanted``; return that link."""
    assert pilot.app.focused is screen.inspector
    for _ in range(screen.inspector.option_count):
        link = focused_link(screen)
        if wanted(link):
            return link
        await press(pilot, "j")
    pytest.fail(f"no inspector row matched; links were {screen.inspector.links}")


# ---------------------------------------------------------------------------
# The library


def test_library_lists_the_three_briefs_with_titles():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            assert isinstance(app.screen, LibraryScreen)
            listing = app.screen.query_one("#briefs", CursorList)
            assert app.focused is listing
            assert sorted(library_ids(app)) == sorted(TITLES)
            assert listing.highlighted == 0
            text = screen_text(app)
            for title in TITLES.values():
                assert title in text
            status = str(app.screen.query_one("#status").render())
            assert status.startswith("3 briefs in")
            assert "by date (o)" in status
    run(body)


def test_library_is_newest_first_and_o_toggles_title_order():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            assert library_ids(app)[-1] == "tour"  # the oldest brief
            await press(pilot, "o")
            assert app.screen.sort_key == "title"
            assert library_ids(app) == [RUTTE, ORESHNIK, "tour"]  # Mark…, Oreshnik…, Tour…
            assert "by title (o)" in str(app.screen.query_one("#status").render())
            await press(pilot, "o")
            assert app.screen.sort_key == "date"
            assert library_ids(app)[-1] == "tour"
    run(body)


def test_slash_filter_narrows_and_escape_clears():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            listing = app.screen.query_one("#briefs", CursorList)
            field = app.screen.query_one("#filter")
            assert not field.display
            await press(pilot, "slash")
            assert field.display and app.focused is field
            await press(pilot, *"rutte")
            assert field.value == "rutte"
            assert listing.option_count == 1
            assert library_ids(app) == [RUTTE]
            assert "showing 1" in str(app.screen.query_one("#status").render())
            await press(pilot, "escape")
            assert field.value == ""
            assert not field.display
            assert listing.option_count == 3
            assert app.focused is listing
    run(body)


def test_filter_words_reach_the_field_not_the_screen_bindings():
    """`o`, `q` and `w` are library keys, but typed into the filter they are text."""
    async def body():
        async with reader() as pilot:
            app = pilot.app
            await press(pilot, "slash", *"qow")
            assert app.is_running
            assert isinstance(app.screen, LibraryScreen)
            assert app.screen.sort_key == "date"
            assert app.screen.query_one("#filter").value == "qow"
            assert app.screen.query_one("#briefs", CursorList).option_count == 0
    run(body)


# ---------------------------------------------------------------------------
# Opening a brief and moving in it


def test_enter_opens_the_oreshnik_brief_with_banners_top_and_bottom():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot, ORESHNIK)
            assert screen.brief.id == ORESHNIK
            assert screen.outline.current_id == "front"
            assert screen.reader.part == "front"
            assert pilot.app.focused is screen.outline
            lines = screen_lines(pilot.app)
            assert lines[0].strip() == BANNER
            assert lines[-1].strip() == BANNER
            assert "Bottom line up front" in "\n".join(lines)
    run(body)


def test_j_k_g_G_move_the_outline_cursor():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            ids = list(screen.outline.entries)
            await press(pilot, "j", "j")
            assert screen.outline.current_id == ids[2]
            await press(pilot, "k")
            assert screen.outline.current_id == ids[1]
            await press(pilot, "G")
            assert screen.outline.current_id == ids[-1]
            assert screen.reader.part == screen.outline.entries[ids[-1]].part
            await press(pilot, "g")
            assert screen.outline.current_id == ids[0] == "front"
            assert screen.reader.part == "front"
            await press(pilot, "down")  # arrow keys do the same as vim keys
            assert screen.outline.current_id == ids[1]
    run(body)


def test_moving_in_the_outline_updates_reader_and_inspector():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "j")  # the first key judgment
            target = current_target(screen)
            assert target.startswith("claim:")
            assert screen.reader.current_id == target
            assert screen.inspector.subject == target
    run(body)


def test_brackets_step_through_claims_and_wrap():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "right_square_bracket")
            first = screen.outline.current_id
            assert current_target(screen).startswith("claim:")
            assert not first.startswith("kj:")  # the claim in its section, not its KJ copy
            await press(pilot, "right_square_bracket")
            second = screen.outline.current_id
            assert second != first and current_target(screen).startswith("claim:")
            assert list(screen.outline.entries).index(second) > list(screen.outline.entries).index(first)
            await press(pilot, "left_square_bracket")
            assert screen.outline.current_id == first
            assert screen.inspector.subject == current_target(screen)
            await press(pilot, "left_square_bracket")  # before the first claim: wraps to the last
            claims = [i for i, e in screen.outline.entries.items()
                      if e.target.startswith("claim:") and not i.startswith("kj:")]
            assert screen.outline.current_id == claims[-1]
            assert "wrapped to the last claim" in str(screen.query_one("#status").render())
    run(body)


def test_the_reader_cursor_lands_on_the_paragraph_that_shows_an_embedded_claim():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "right_square_bracket")
            target = current_target(screen)
            assert target not in screen.reader.blocks  # embedded in the section's text
            assert target in screen.reader.current_block.links
    run(body)


def test_K_steps_through_key_judgments():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            kjs = [i for i in screen.outline.entries if i.startswith("kj:")]
            assert len(kjs) == 5
            await press(pilot, "K")
            assert screen.outline.current_id == kjs[0]
            assert screen.inspector.subject == current_target(screen)
            await press(pilot, "K")
            assert screen.outline.current_id == kjs[1]
    run(body)


def test_letters_jump_to_parts_of_the_brief():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            for key, part in (("s", "sources"), ("e", "entities"), ("t", "timeline"),
                              ("r", "related"), ("f", "front")):
                await press(pilot, key)
                assert screen.outline.current_id == part, key
                assert screen.reader.part == part, key
            assert "Bottom line up front" in screen_text(pilot.app)
            await press(pilot, "s")
            assert "Sources" in screen_text(pilot.app)
    run(body)


def test_every_outline_entry_selects_its_own_target():
    """Moving onto any outline entry shows that item: in the inspector, and as the
    reader's current block when the reader has a block for it."""
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "e", "j")
            entity = current_target(screen)
            assert entity.startswith("entity:")
            assert screen.inspector.subject == entity
            assert screen.reader.current_id == entity
            await press(pilot, "t", "j")
            event = current_target(screen)
            assert event.startswith("event:")
            assert screen.inspector.subject == event
            assert screen.reader.current_id == event
    run(body)


def test_tab_cycles_focus_and_the_narrow_inspector_replaces_the_reader():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            app = pilot.app
            assert app.focused is screen.outline
            assert screen.reader.display and not screen.inspector.display
            await press(pilot, "tab")
            assert app.focused is screen.reader
            assert screen.reader.display and not screen.inspector.display
            await press(pilot, "tab")
            assert app.focused is screen.inspector
            assert screen.inspector.display and not screen.reader.display
            assert screen.outline.display
            await press(pilot, "tab")
            assert app.focused is screen.outline
            assert screen.reader.display and not screen.inspector.display
            await press(pilot, "shift+tab")
            assert app.focused is screen.inspector
            assert screen.inspector.display and not screen.reader.display
    run(body)


def test_wide_terminal_shows_all_three_panes():
    async def body():
        async with reader(size=(120, 40)) as pilot:
            screen = await open_by_keys(pilot)
            assert not screen.has_class("narrow")
            for pane in (screen.outline, screen.reader, screen.inspector):
                assert pane.display
            await press(pilot, "tab", "tab")
            assert pilot.app.focused is screen.inspector
            assert screen.reader.display and screen.inspector.display
    run(body)


def test_enter_on_a_claim_in_the_outline_focuses_the_reader_on_it():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "right_square_bracket")
            claim = current_target(screen)
            await press(pilot, "K")
            key_judgment = current_target(screen)
            await press(pilot, "enter")
            assert pilot.app.focused is screen.reader
            assert screen.reader.current_id == key_judgment
            assert claim.startswith("claim:")
    run(body)


def test_enter_on_a_claim_in_the_reader_opens_the_inspector():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "K", "tab")
            assert pilot.app.focused is screen.reader
            await press(pilot, "enter")
            assert pilot.app.focused is screen.inspector
            assert screen.inspector.display
            assert screen.inspector.subject == current_target(screen)
    run(body)


# ---------------------------------------------------------------------------
# Following links, history


def test_follow_a_citation_to_its_source_whose_backlinks_include_the_claim():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            screen = await open_by_keys(pilot)
            await press(pilot, "K")
            claim = current_target(screen)
            await press(pilot, "tab", "tab")
            assert app.focused is screen.inspector
            assert screen.inspector.subject == claim
            source = await inspector_cursor_to(pilot, screen, lambda link: link.startswith("source:"))
            await press(pilot, "enter")
            assert screen.inspector.subject == source
            assert current_target(screen) == source
            assert screen.reader.part == "sources"
            assert claim in screen.inspector.links.values()  # "Cited by" lists the claim
    run(body)


def test_follow_an_entity_from_the_inspector():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "K", "tab", "tab")
            entity = await inspector_cursor_to(pilot, screen, lambda link: link.startswith("entity:"))
            await press(pilot, "enter")
            assert screen.inspector.subject == entity
            assert current_target(screen) == entity
            assert screen.reader.part == "entities"
    run(body)


def test_backspace_returns_to_the_previous_place_and_alt_right_goes_forward():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "right_square_bracket")
            claim_entry = screen.outline.current_id
            await press(pilot, "s")
            assert screen.outline.current_id == "sources"
            await press(pilot, "backspace")
            assert screen.outline.current_id == claim_entry
            await press(pilot, "alt+right")
            assert screen.outline.current_id == "sources"
            await press(pilot, "alt+right")  # nothing ahead: stays put
            assert screen.outline.current_id == "sources"
    run(body)


def test_back_returns_to_the_key_judgment_copy_it_left():
    """A claim is listed twice (as a key judgment and in its section): back returns
    to the copy the reader was on, not merely to the same claim."""
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "K")
            claim_entry, claim = screen.outline.current_id, current_target(screen)
            await press(pilot, "s", "backspace")
            assert current_target(screen) == claim
            assert screen.reader.part == "front"
            assert screen.outline.current_id == claim_entry
    run(body)


def test_follow_a_related_brief_then_back_and_forward():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            screen = await open_by_keys(pilot, ORESHNIK)
            await press(pilot, "r", "j")
            related_entry = screen.outline.current_id
            assert current_target(screen).startswith("related:")
            await press(pilot, "tab", "tab")
            assert app.focused is screen.inspector
            assert focused_link(screen) == f"brief:{RUTTE}"
            await press(pilot, "enter")
            assert app.screen is screen  # one brief screen, showing another brief
            assert screen.brief.id == RUTTE
            assert screen.reader.part == "front"
            assert TITLES[RUTTE] in str(screen.reader.blocks["front:title"].text)
            await press(pilot, "backspace")
            assert screen.brief.id == ORESHNIK
            assert screen.outline.current_id == related_entry
            await press(pilot, "alt+right")
            assert screen.brief.id == RUTTE
            await press(pilot, "alt+left")  # the other key for back
            assert screen.brief.id == ORESHNIK
            assert screen.outline.current_id == related_entry
    run(body)


def test_digit_keys_follow_the_nth_link_of_the_current_block():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "K")
            block = screen.reader.current_block
            assert block is not None and len(block.links) >= 2
            second = block.links[1]
            await press(pilot, "2")
            assert screen.inspector.subject == second
            assert current_target(screen) == second
            await press(pilot, "backspace")
            assert current_target(screen) == block.key
            await press(pilot, "f", "K", "1")  # link [1] of a claim card is its first citation
            assert screen.inspector.subject == block.links[0]
            await press(pilot, "9")
            assert "no link [9] in this block" in str(screen.query_one("#status").render())
    run(body)


# ---------------------------------------------------------------------------
# Pages over the brief: warnings, legend, help


def test_w_opens_the_warnings_page_and_escape_closes_it():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            screen = await open_by_keys(pilot)
            await press(pilot, "w")
            assert isinstance(app.screen, TextScreen)
            assert app.screen.title_text == f"Warnings for {ORESHNIK}"
            await press(pilot, "escape")
            assert app.screen is screen
    run(body)


def test_L_opens_the_likelihood_legend():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            screen = await open_by_keys(pilot)
            await press(pilot, "L")
            assert isinstance(app.screen, TextScreen)
            legend = str(app.screen.body)
            row = next(line for line in legend.splitlines() if "95-99%" in line)
            # Badges say "almost certain"; the legend row names the same term (it
            # currently prints the YAML spelling "almost-certain").
            assert "almost certain" in row.replace("-", " ")
            assert "Admiralty" in legend
            assert "95-99%" in screen_text(app)
            await press(pilot, "q")
            assert app.screen is screen
    run(body)


def help_row(app, binding_id: str) -> str:
    return next(line for line in str(app.screen.body).splitlines() if line.rstrip().endswith(binding_id))


def test_help_lists_binding_ids_and_their_keys():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            screen = await open_by_keys(pilot)
            await press(pilot, "question_mark")
            assert isinstance(app.screen, TextScreen)
            assert "brief.next_claim" in str(app.screen.body)
            assert help_row(app, "brief.next_claim").split()[0] == "]"
            assert "Next claim" in help_row(app, "brief.next_claim")
            # every key of a binding is listed, vim and arrow alike
            assert {"↓", "j"} <= set(help_row(app, "list.down").replace(",", " ").split())
            assert "alt+←" in help_row(app, "brief.back")
            assert "app.help" in str(app.screen.body)
            await press(pilot, "question_mark")  # ? closes it again
            assert app.screen is screen
    run(body)


def test_help_on_the_library_shows_library_keys():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            await press(pilot, "question_mark")
            assert isinstance(app.screen, TextScreen)
            assert help_row(app, "library.filter").split()[0] == "/"
            assert "brief.next_claim" not in str(app.screen.body)
            await press(pilot, "escape")
            assert isinstance(app.screen, LibraryScreen)
    run(body)


def test_a_keymap_override_rebinds_the_key_and_the_help_shows_it():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            screen = await open_by_keys(pilot)
            app.set_keymap({"brief.next_claim": "n"})
            await press(pilot, "n")
            assert current_target(screen).startswith("claim:")
            assert not screen.outline.current_id.startswith("kj:")
            await press(pilot, "question_mark")
            assert help_row(app, "brief.next_claim").split()[0] == "n"
            await press(pilot, "escape")
            before = screen.outline.current_id
            await press(pilot, "right_square_bracket")  # the old key no longer moves
            assert screen.outline.current_id == before
    run(body)


# ---------------------------------------------------------------------------
# Leaving, and coming back


def test_q_closes_the_brief_then_q_quits():
    async def body():
        async with reader() as pilot:
            app = pilot.app
            await open_by_keys(pilot)
            await press(pilot, "q")
            assert isinstance(app.screen, LibraryScreen)
            assert app.is_running
            await press(pilot, "q")
            assert not app.is_running
            assert app.return_code == 0
    run(body)


def test_the_reading_position_is_remembered_between_runs(briefreader_home: Path):
    places = {}

    async def first():
        async with reader(remember=True) as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "right_square_bracket", "right_square_bracket", "right_square_bracket")
            places["entry"] = screen.outline.current_id
            places["target"] = current_target(screen)
            await press(pilot, "q", "q")

    async def second():
        async with reader(remember=True) as pilot:
            screen = await open_by_keys(pilot)
            assert screen.outline.current_id == places["entry"]
            assert screen.inspector.subject == places["target"]

    run(first)
    saved = json.loads((briefreader_home / "state" / "positions.json").read_text(encoding="utf-8"))
    assert saved["positions"][ORESHNIK] == places["entry"]
    run(second)


def test_a_brief_left_on_a_key_judgment_reopens_on_it(briefreader_home: Path):
    """A key judgment is listed twice in the outline (under the bottom line, and as the
    claim in its section): the reader reopens on the one it was left on.  A position
    saved as a target (files written before) still opens, at the claim in its section."""
    places = {}

    async def leave_on_key_judgment():
        async with reader(remember=True) as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "j")
            places["entry"] = screen.outline.current_id
            assert places["entry"].startswith("kj:")
            places["target"] = current_target(screen)
            await press(pilot, "q", "q")

    async def reopen(on_the_entry):
        async with reader(remember=True) as pilot:
            screen = await open_by_keys(pilot)
            assert on_the_entry(screen.outline.current_id), screen.outline.current_id
            assert current_target(screen) == places["target"]

    run(leave_on_key_judgment)
    run(lambda: reopen(lambda entry_id: entry_id == places["entry"]))
    state = briefreader_home / "state" / "positions.json"
    saved = json.loads(state.read_text(encoding="utf-8"))
    saved["positions"][ORESHNIK] = places["target"]  # as written before outline entries
    state.write_text(json.dumps(saved), encoding="utf-8")
    run(lambda: reopen(lambda entry_id: entry_id.startswith("in:")))


def test_without_remember_nothing_is_written(briefreader_home: Path):
    async def body():
        async with reader() as pilot:
            await open_by_keys(pilot)
            await press(pilot, "right_square_bracket", "q", "q")
    run(body)
    assert not any(briefreader_home.rglob("*"))


# ---------------------------------------------------------------------------
# Unusual libraries


BROKEN = 'briefreader: 1\nid: broken\ntitle: "unclosed\n'

SPOOF = r'''briefreader: 1
id: spoof
title: "Spoof [bold]x[/bold] and \e[2J clear"
date: "2026-01-02"
handling:
  classification: UNCLASSIFIED
  tlp: CLEAR
bluf: "Nothing [red]to[/red] see."
'''


def test_a_broken_brief_is_listed_and_enter_shows_its_problem(tmp_path: Path):
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "broken.brief.yaml").write_text(BROKEN, encoding="utf-8")

    async def body():
        async with reader(folder) as pilot:
            app = pilot.app
            listing = app.screen.query_one("#briefs", CursorList)
            assert listing.option_count == 1
            text = screen_text(app)
            assert "could not be opened" in text
            assert "1 could not be opened" in str(app.screen.query_one("#status").render())
            await press(pilot, "enter")
            assert isinstance(app.screen, TextScreen)
            assert "could not be opened" in app.screen.title_text
            body_text = str(app.screen.body)
            assert re.search(r"broken\.brief\.yaml:3:\d+: error: bad YAML", body_text), body_text
            await press(pilot, "escape")
            assert isinstance(app.screen, LibraryScreen)
    run(body)


def test_a_problem_with_the_whole_file_is_listed_without_a_line_number(tmp_path: Path):
    folder = tmp_path / "library"
    folder.mkdir()
    os.mkfifo(folder / "pipe.brief.yaml")  # not a regular file: refused unread

    async def body():
        async with reader(folder) as pilot:
            text = screen_text(pilot.app)
            assert "could not be opened" in text and "pipe.brief.yaml" in text
            assert "0:0" not in text
            assert re.search(r"^[▌┆ ]\s+not a regular file", text, re.MULTILINE), text
    run(body)


def test_an_empty_folder_says_there_are_no_briefs(tmp_path: Path):
    folder = tmp_path / "empty"
    folder.mkdir()

    async def body():
        async with reader(folder) as pilot:
            app = pilot.app
            assert app.screen.query_one("#briefs", CursorList).option_count == 0
            status = str(app.screen.query_one("#status").render())
            assert status.startswith("No briefs in")
            assert "No briefs in" in screen_text(app)
            await press(pilot, "enter", "j", "slash", "escape")
            assert isinstance(app.screen, LibraryScreen)
    run(body)


def test_markup_and_terminal_controls_in_a_brief_are_shown_literally(tmp_path: Path):
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "spoof.brief.yaml").write_text(SPOOF, encoding="utf-8")

    async def body():
        async with reader(folder) as pilot:
            app = pilot.app
            text = screen_text(app)
            assert "Spoof [bold]x[/bold] and ^[[2J clear" in text
            assert "\x1b" not in text
            screen = await open_by_keys(pilot, "spoof")
            text = screen_text(app)
            assert "[bold]x[/bold]" in text
            assert "^[[2J" in text
            assert "Nothing [red]to[/red] see." in text
            assert "\x1b" not in text
            assert screen.brief.id == "spoof"
    run(body)


# ---------------------------------------------------------------------------
# Command palette and help layout


def test_command_palette_goes_to_an_entity_by_name():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "ctrl+p")
            await pilot.press(*"alexander lukashenko")
            for _ in range(20):  # the palette searches in a worker of its own
                await pilot.app.workers.wait_for_complete()
                await pilot.pause(0.1)
                hits = pilot.app.screen.query("CommandList")
                if hits and hits.first().option_count:
                    break
            await press(pilot, "enter")  # the best hit is highlighted
            assert pilot.app.screen is screen
            assert current_target(screen) == "entity:lukashenko"
            assert screen.inspector.subject == "entity:lukashenko"
    run(body)


def test_help_puts_the_brief_keys_first_and_folds_the_digit_links():
    async def body():
        async with reader() as pilot:
            await open_by_keys(pilot)
            await press(pilot, "question_mark")
            text = str(pilot.app.screen.query_one("#modal-text").render())
            assert text.index("Reading a brief") < text.index("In any list")
            assert "1-9" in text and "brief.follow_n" in text
            assert "brief.follow_1" not in text
    run(body)


# ---------------------------------------------------------------------------
# Search in a brief


def search_count(screen: BriefScreen) -> str:
    return str(screen.query_one("#search-count").render()).strip()


async def type_query(pilot, text: str) -> None:
    await pilot.press(*list(text))
    await pilot.pause()


def test_slash_searches_incrementally_with_a_counter_and_highlight():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "slash")
            assert screen.query_one("#search").display
            await type_query(pilot, "khmeimim")
            count = search_count(screen)
            assert re.fullmatch(r"1/\d+", count), count
            spot = screen.spots[screen.spot_index]
            assert screen.reader.current_id == spot.key and screen.reader.part == spot.part
            # the match is marked in the reading pane, in text styles (no colour needed)
            option = screen.reader.get_option_at_index(screen.reader.highlighted)
            styles = [str(span.style) for span in option.prompt.spans
                      if span.start <= spot.start < span.end]
            assert any("reverse" in style for style in styles)
    run(body)


def test_n_and_big_n_move_between_matches_and_wrap_with_a_notice():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "slash")
            await type_query(pilot, "khmeimim")
            total = len(screen.spots)
            await press(pilot, "enter")
            assert pilot.app.focused is screen.reader
            await press(pilot, "n")
            assert screen.spot_index == 1
            await press(pilot, "N", "N")
            assert screen.spot_index == total - 1
            assert "wrapped to the bottom" in str(screen.query_one("#status").render())
            await press(pilot, "n")
            assert screen.spot_index == 0
            assert "wrapped to the top" in str(screen.query_one("#status").render())
    run(body)


def test_escape_returns_to_where_the_search_began():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "K", "K")
            before = (screen.outline.current_id, screen.reader.part, screen.reader.current_id)
            await press(pilot, "slash")
            await type_query(pilot, "vuhledar")
            assert (screen.outline.current_id, screen.reader.part, screen.reader.current_id) != before
            await press(pilot, "escape")
            assert (screen.outline.current_id, screen.reader.part, screen.reader.current_id) == before
            assert not screen.query_one("#search").display
            assert screen.spots == []
    run(body)


def test_an_alias_in_another_script_finds_the_person():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "slash")
            await type_query(pilot, "Лукашенко")
            assert screen.spots
            assert search_count(screen).startswith("1/")
    run(body)


def test_regex_toggle_and_scope_cycle_show_in_the_bar():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "slash")
            await type_query(pilot, "Oresh.ik")
            assert "no match" in search_count(screen)
            await press(pilot, "ctrl+r")
            assert "regex" in search_count(screen) and screen.spots
            everywhere = len(screen.spots)
            await press(pilot, "ctrl+t")  # all -> claims
            assert "claims" in search_count(screen)
            assert 0 < len(screen.spots) < everywhere
    run(body)


def test_keys_typed_straight_after_slash_land_in_the_bar():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await pilot.press("slash", "x", "q")  # no pause: as keys arrive in one read over SSH
            await pilot.pause()
            assert isinstance(pilot.app.screen, BriefScreen)
            assert screen.query_one("#search-input").value == "xq"
    run(body)


# ---------------------------------------------------------------------------
# Found by a first-time user


def test_closing_a_brief_and_opening_another_works():
    async def body():
        async with reader() as pilot:
            await open_by_keys(pilot)
            await press(pilot, "q")
            assert isinstance(pilot.app.screen, LibraryScreen)
            screen = await open_by_keys(pilot, RUTTE)
            assert screen.brief.id == RUTTE
            assert screen.outline.option_count > 0
    run(body)


def test_j_at_the_end_of_a_part_reads_on_into_the_next():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "tab")  # the reading pane
            assert pilot.app.focused is screen.reader
            first_part = screen.reader.part
            await press(pilot, "G", "j")
            assert screen.reader.part != first_part
            assert screen.reader.highlighted == 0
            await press(pilot, "k")
            assert screen.reader.part == first_part
            assert screen.reader.current_id == list(screen.reader.blocks)[-1]
    run(body)


def test_enter_on_a_claim_in_the_reading_pane_opens_its_details():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "K", "tab")
            claim = screen.reader.current_id
            assert claim.startswith("claim:")
            await press(pilot, "enter")
            assert pilot.app.focused is screen.inspector
            assert screen.inspector.subject == claim
            assert screen.inspector.display  # at 80 columns it takes the reading pane's place
    run(body)


def test_a_paragraph_with_several_links_lists_them_in_the_details():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "tab")
            for _ in range(40):
                block = screen.reader.current_block
                if block and len(block.links) > 1 and not block.key.startswith("claim:"):
                    break
                await press(pilot, "j")
            assert screen.inspector.subject == f"links:{block.key}"
            assert list(screen.inspector.links.values()) == block.links
    run(body)


def test_the_library_reopens_on_the_brief_read_last():
    async def body():
        async with reader(remember=True) as pilot:
            await open_by_keys(pilot, "tour")
        async with reader(remember=True) as pilot:
            assert library_ids(pilot.app)[pilot.app.screen.query_one("#briefs").highlighted] == "tour"
    run(body)


def test_enter_in_the_library_filter_opens_the_first_match():
    async def body():
        async with reader() as pilot:
            await press(pilot, "slash")
            await pilot.press(*"rutte")
            await press(pilot, "enter")
            assert isinstance(pilot.app.screen, BriefScreen)
            assert pilot.app.screen.brief.id == RUTTE
    run(body)


def test_following_a_related_brief_opens_it_at_the_start():
    async def body():
        async with reader(remember=True) as pilot:
            screen = await open_by_keys(pilot, RUTTE)
            await press(pilot, "s")  # leave a remembered place that is not the start
            await press(pilot, "q")
            screen = await open_by_keys(pilot)
            pilot.app.follow(f"brief:{RUTTE}")
            await pilot.pause()
            assert screen.brief.id == RUTTE and current_target(screen) == "front"
    run(body)


# ---------------------------------------------------------------------------
# Search across the library


async def library_search(pilot, query: str):
    from briefreader.screens import LibrarySearchScreen

    await press(pilot, "F")
    screen = pilot.app.screen
    assert isinstance(screen, LibrarySearchScreen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press(*list(query))
    await pilot.pause()
    return screen


def test_library_search_ranks_hits_and_enter_opens_the_brief_at_the_hit():
    async def body():
        async with reader() as pilot:
            screen = await library_search(pilot, "khmeimim")
            hits = list(screen.hits.values())
            assert hits and {hit.brief_id for hit in hits} == {ORESHNIK}
            first = hits[0]
            await press(pilot, "enter")  # enter in the query opens the best hit
            brief_screen = pilot.app.screen
            assert isinstance(brief_screen, BriefScreen)
            assert brief_screen.brief.id == first.brief_id
            assert current_target(brief_screen) == first.target
            await press(pilot, "q")  # closing the brief returns to the results
            assert pilot.app.screen is screen
            await press(pilot, "escape")
            assert isinstance(pilot.app.screen, LibraryScreen)
    run(body)


def test_library_search_filters_and_a_bad_filter_is_explained():
    async def body():
        async with reader() as pilot:
            screen = await library_search(pilot, "kind:assessment entity:lukashenko")
            hits = list(screen.hits.values())
            assert hits and all(hit.kind == "claim" and hit.claim_kind == "assessment" for hit in hits)
            field = screen.query_one("#library-query")
            field.value = "colour:red"
            await pilot.pause()
            assert "colour" in str(screen.query_one("#status").render())
    run(body)


def test_library_search_from_a_brief_and_help_shows_the_query_language():
    async def body():
        async with reader() as pilot:
            await open_by_keys(pilot)
            screen = await library_search(pilot, "")
            await press(pilot, "escape")  # the query field has focus: escape closes the screen
            assert isinstance(pilot.app.screen, BriefScreen)
            await press(pilot, "F")
            await pilot.app.workers.wait_for_complete()
            await press(pilot, "down")  # nothing typed yet: down stays in the field
            pilot.app.action_help()
            await pilot.pause()
            text = str(pilot.app.screen.query_one("#modal-text").render())
            assert "Query language" in text and "entity:lukashenko" in text
    run(body)


# ---------------------------------------------------------------------------
# Review


def test_review_keys_set_a_status_shown_in_outline_inspector_and_progress():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "K")
            claim = current_target(screen)
            await press(pilot, "a")
            store = pilot.app.review_store(screen.brief)
            assert store.status(claim.partition(":")[2]) == "agreed"
            label = screen.outline.get_option(screen.outline.current_id).prompt.plain
            assert label.lstrip().startswith("+ ")
            assert "review: agreed" in "\n".join(
                screen.inspector.get_option_at_index(i).prompt.plain
                for i in range(screen.inspector.option_count))
            assert "reviewed 1/24" in str(screen.query_one("#status").render())
            await press(pilot, "x")
            assert store.status(claim.partition(":")[2]) == "unreviewed"
    run(body)


def test_a_note_is_saved_on_leaving_the_editor_and_can_be_discarded():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "K", "c")
            await pilot.press(*"needs a second source")
            await press(pilot, "escape")
            claim_id = current_target(screen).partition(":")[2]
            store = pilot.app.review_store(screen.brief)
            assert store.get(claim_id).note == "needs a second source"
            assert store.path.exists()  # saved on the change, not on quit
            await press(pilot, "c")
            await pilot.press(*" and more")
            await press(pilot, "ctrl+g")
            assert store.get(claim_id).note == "needs a second source"
    run(body)


def test_next_unreviewed_and_next_disputed_jump_between_claims():
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "]")
            first = current_target(screen)
            await press(pilot, "d", "U")
            assert current_target(screen) != first
            await press(pilot, "]", "]", "exclamation_mark")
            flagged = current_target(screen)
            await press(pilot, "D")  # wraps to the disputed one, then on to the flagged one
            assert current_target(screen) == first
            await press(pilot, "D")
            assert current_target(screen) == flagged
    run(body)


def test_export_writes_the_review_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "K", "d", "E")
            report = (tmp_path / f"{screen.brief.id}.review.md").read_text(encoding="utf-8")
            assert BANNER in report and "disputed" in report
    run(body)


def test_stale_and_orphaned_reviews_are_listed_on_the_warnings_page(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    source = (BRIEFS / f"{RUTTE}.brief.yaml").read_text(encoding="utf-8")
    (folder / f"{RUTTE}.brief.yaml").write_text(source, encoding="utf-8")

    async def review_first_claim():
        async with reader(folder) as pilot:
            screen = await open_by_keys(pilot, RUTTE)
            await press(pilot, "]", "d")
            return current_target(screen).partition(":")[2]

    claim_id = asyncio.run(review_first_claim())
    # the claim disappears from the brief: its review must not
    (folder / f"{RUTTE}.brief.yaml").write_text(source.replace(claim_id, claim_id + "-renamed"),
                                                encoding="utf-8")

    async def body():
        async with reader(folder) as pilot:
            await open_by_keys(pilot, RUTTE)
            await press(pilot, "w")
            text = str(pilot.app.screen.query_one("#modal-text").render())
            assert "Orphaned reviews" in text and claim_id in text
    run(body)


# ---------------------------------------------------------------------------
# Reading through with j and k


def test_j_reads_every_line_of_a_block_taller_than_the_pane():
    """At 60x20 the Oreshnik brief has paragraphs taller than the reading pane: `j`
    scrolls through such a block, as a pager would, before it moves on, so every line
    of every block is on screen at some point (before, the end of a tall block was
    skipped); `k` goes back through it the same way."""
    async def body():
        async with reader(size=(60, 20)) as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "tab")
            pane = screen.reader
            seen: dict[tuple[str, str], set[int]] = {}
            tall = 0
            for _ in range(400):
                part, index = pane.part, pane.highlighted
                start, height = pane.text_lines(index)
                top, view = pane.scroll_offset.y, pane.scrollable_content_region.height
                tall += height > view
                lines = seen.setdefault((part, pane.current_id), set())
                lines.update(line - start for line in range(max(start, top), min(start + height, top + view)))
                assert len(lines) <= height
                before = (part, index, top)
                await press(pilot, "j")
                if (pane.part, pane.highlighted, pane.scroll_offset.y) == before:
                    break  # the end of the brief
            assert tall, "no block taller than the pane: the test shows nothing"
            for (part, key), lines in seen.items():
                if part == pane.part:
                    start, height = pane.text_lines(list(pane.blocks).index(key))
                    assert lines == set(range(height)), (key, sorted(set(range(height)) - lines))
            assert "end of the brief" in str(screen.query_one("#status").render())
    run(body)


def test_the_outline_follows_the_reading_cursor_both_ways():
    """Reading backwards (or after a jump), the outline shows the entry of the block
    under the cursor, or of the nearest block above it that has one; before, it kept
    the entry of wherever the reader had last been going forwards."""
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "s", "tab")

            def check(key: str) -> None:
                block = screen.reader.current_block
                entries = [e for e in screen.outline.entries.values() if e.part == screen.reader.part]
                current = screen.outline.entries[screen.outline.current_id]
                assert current.part == screen.reader.part, (key, block.key, current)
                own = [e for e in entries if e.target == block.key]
                if own:
                    assert current.target == block.key, (key, block.key, current)

            for _ in range(60):
                await press(pilot, "k")
                check("k")
            for _ in range(30):
                await press(pilot, "j")
                check("j")
    run(body)


def test_one_brief_opened_alone_learns_its_library_once_read():
    """`briefreader FILE` shows the brief at once and reads its folder behind it; when
    that is done the inspector shows what needs the library (who points at the brief),
    without the user moving first; `q` then quits, there being no library screen."""
    from briefreader.loader import load_brief

    path = BRIEFS / f"{ORESHNIK}.brief.yaml"

    async def body():
        app = BriefReaderApp(str(BRIEFS), open_brief=ORESHNIK, preloaded=load_brief(path), remember=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, BriefScreen)
            assert not any(isinstance(s, LibraryScreen) for s in app.screen_stack)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert len(app.library.briefs) == len(TITLES)
            rows = [str(app.screen.inspector.get_option_at_index(i).prompt)
                    for i in range(app.screen.inspector.option_count)]
            assert any("Pointed at by" in row for row in rows), rows
            await press(pilot, "q")
            assert app.return_code is not None or not app.is_running
    run(body)


def test_one_brief_opened_alone_shows_its_earlier_review_just_after_the_first_paint():
    """The review of a brief opened alone is read once the brief is on screen (a
    moment sooner): its marks and progress then show without a key pressed."""
    from briefreader.loader import load_brief
    from briefreader.review import ReviewStore

    entry = load_brief(BRIEFS / f"{ORESHNIK}.brief.yaml")
    brief = entry.brief
    claim = brief.key_judgment_claims[0]  # listed twice in the outline
    ReviewStore.open(brief.id).set_status(brief, claim.id, "disputed")

    async def body():
        app = BriefReaderApp(str(BRIEFS), open_brief=ORESHNIK, preloaded=entry, remember=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, BriefScreen)
            assert "reviewed 1/24 x1" in str(screen.query_one("#status").render())
            labels = [screen.outline.get_option(entry_id).prompt.plain
                      for entry_id, item in screen.outline.entries.items()
                      if item.target == f"claim:{claim.id}"]
            assert labels and all(label.lstrip().startswith("x ") for label in labels), labels
    run(body)


def test_moving_writes_no_position_until_a_second_later_or_the_end(briefreader_home: Path):
    """The reading position is saved a second after a move (not once per key, each
    save being two fsyncs) and when the reader closes."""
    saved = briefreader_home / "state" / "positions.json"

    async def body():
        async with reader(remember=True) as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "right_square_bracket", "right_square_bracket")
            assert not saved.exists()
            assert pilot.app.positions.unsaved
            await pilot.pause(1.3)
            assert json.loads(saved.read_text(encoding="utf-8"))["positions"][ORESHNIK] == screen.outline.current_id
            await press(pilot, "right_square_bracket")
            moved = screen.outline.current_id
            await press(pilot, "q", "q")
        assert json.loads(saved.read_text(encoding="utf-8"))["positions"][ORESHNIK] == moved
    run(body)


def test_the_palette_offers_no_textual_commands_that_write_files_or_restyle():
    """ctrl+p lists the brief's places and Help and Quit, not Textual's own commands:
    Screenshot writes an SVG file unasked (even in secure mode), Theme undoes the
    terminal's colours."""
    async def body():
        async with reader() as pilot:
            await open_by_keys(pilot)
            titles = [command.title for command in pilot.app.get_system_commands(pilot.app.screen)]
            assert titles == ["Help", "Quit"]
            await press(pilot, "ctrl+p")
            await pilot.press(*"screenshot")
            await pilot.pause(0.3)
            assert "Save an SVG" not in screen_text(pilot.app)
    run(body)


def test_library_search_status_names_the_keys_where_the_focus_is():
    async def body():
        async with reader() as pilot:
            screen = await library_search(pilot, "minsk")
            status = lambda: str(screen.query_one("#status").render())  # noqa: E731
            assert "enter opens the first" in status()
            await press(pilot, "down")  # into the results
            assert "enter opens this one" in status() and "/ edits the query" in status()
            await press(pilot, "slash")
            assert "enter opens the first" in status()
    run(body)


def test_panes_draw_every_option_as_textual_would():
    """CursorList draws its options with Rich, straight from their Text (ten times
    quicker than OptionList's own way); what it draws is what OptionList drew, cell
    for cell and style for style, for every block of every bundled brief, in every
    pane, at two widths."""
    from textual.widgets import OptionList

    from briefreader import render

    def cells(strips):
        # the style as the terminal sees it, and the meta a click reads (not Textual's
        # text-selection offsets, which OptionList does not use: ALLOW_SELECT is off)
        return [[(text, str(style), {k: v for k, v in (style.meta if style else {}).items() if k != "offset"})
                 for text, style in _joined(strip)] for strip in strips]

    def _joined(strip):
        joined = []
        for segment in strip:
            if not segment.text:
                continue
            key = (str(segment.style), {k: v for k, v in (segment.style.meta if segment.style else {}).items()
                                         if k != "offset"})
            if joined and joined[-1][2] == key:
                joined[-1][0] += segment.text
            else:
                joined.append([segment.text, segment.style, key])
        return [(text, style) for text, style, _ in joined]

    async def body(size):
        async with reader(size=size) as pilot:
            screen = await open_by_keys(pilot)
            library = pilot.app.library
            compared = 0
            for brief in library.briefs.values():
                parts = {"front", "sources", "entities", "timeline", "related", "other-claims"}
                parts |= {f"section:{s.id}" for s in brief.all_sections}
                screen.brief = brief
                screen.outline.show(render.outline(brief))
                for part in sorted(parts):
                    screen.reader.show(part, render.part_blocks(brief, part, library))
                    await pilot.pause()
                    for pane in (screen.reader, screen.outline):
                        style = pane.get_visual_style("option-list--option")
                        for option in pane.options:
                            ours = pane._get_option_render(option, style)
                            theirs = OptionList._get_option_render(pane, option, style)
                            assert cells(ours) == cells(theirs), (brief.id, part, option.id)
                            compared += 1
                    lines = screen.reader._lines  # heights agree with what is drawn
                    for index, option in enumerate(screen.reader.options):
                        style = screen.reader.get_visual_style("option-list--option")
                        assert screen.reader.option_lines(index)[1] == \
                            len(screen.reader._get_option_render(option, style))
                    assert len(lines) == sum(screen.reader.option_lines(i)[1]
                                             for i in range(screen.reader.option_count))
            assert compared > 500

    run(lambda: body((120, 40)))
    run(lambda: body((80, 24)))


def test_a_status_message_goes_with_the_next_move():
    """"at the top" (and any such message) says where the cursor was: the next move
    clears it, not only its timer."""
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "k")
            assert "at the top" in str(screen.query_one("#status").render())
            await press(pilot, "j")
            assert "at the top" not in str(screen.query_one("#status").render())
    run(body)


def test_the_outline_follows_n_to_the_match():
    """n and N move the outline's cursor to the entry of the block the match is in,
    a key judgment included (it used to stay on the part's first entry)."""
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "slash", *"oreshnik", "enter")
            seen = set()
            for _ in range(len(screen.spots)):
                block = screen.reader.current_block
                entry = screen.outline.entries[screen.outline.current_id]
                assert entry == screen.outline_entry_for(block), (block.key, entry.id)
                seen.add(entry.id.split(":")[0])
                await press(pilot, "n")
            assert "kj" in seen
    run(body)


def test_wrapped_rows_of_the_details_hang_under_their_text():
    """A details row that wraps goes on under its text, not under its "→ " marker."""
    async def body():
        async with reader() as pilot:
            screen = await open_by_keys(pilot)
            await press(pilot, "j", "tab", "tab")
            pane = screen.inspector
            style = pane.get_visual_style("option-list--option")
            wrapped = [pane._get_option_render(option, style) for option in pane.options]
            wrapped = [strips for strips in wrapped if len(strips) > 1]
            assert wrapped
            for strips in wrapped:
                for strip in strips[1:]:
                    assert strip.text.startswith("  "), [s.text for s in strips]
    run(body)


def test_library_search_marks_matches_so_they_show_on_the_selected_hit():
    """The focused list's selected line is reverse video: the matched words of a hit
    are bold and underlined, which shows on it too, with or without colour."""
    async def body():
        async with reader() as pilot:
            screen = await library_search(pilot, "belarus")
            listing = screen.query_one("#hits")
            option = listing.get_option_at_index(0)
            hit = screen.hits[option.id]
            start, end = hit.highlights()[0]
            offset = len(option.prompt.plain) - len(hit.plain_snippet)  # the snippet ends the row
            styles = [str(span.style) for span in option.prompt.spans
                      if span.start <= offset + start < span.end]
            assert any("underline" in style and "reverse" not in style for style in styles), styles
    run(body)

"""What a key press repaints: over a slow link every cell counts (issue 7).

Each test records the cells the compositor is asked to send after one key
(``Compositor.render_partial_update`` and ``render_full_update``), then asserts
that a key repaints what it changed and not the rest of the screen.  The byte
figures themselves are measured by ``bench/keys.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from rich.segment import Segment
from rich.style import Style
from textual._compositor import Compositor

from briefreader.app import BriefReaderApp, PlainDefaults
from briefreader.loader import load_brief
from briefreader.screens import BriefScreen

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "briefs" / "isw-oreshnik-belarus.brief.yaml"
CELLS = 80 * 24


@pytest.fixture(autouse=True)
def _home(briefreader_home: Path) -> Path:
    return briefreader_home


class Painted:
    """The screen cells sent by each frame since the last ``take``."""

    def __init__(self, monkeypatch) -> None:
        self.cells: set[tuple[int, int]] = set()
        painted = self
        partial, full = Compositor.render_partial_update, Compositor.render_full_update

        def render_partial_update(compositor):
            for region in compositor._dirty_regions:
                region = region.intersection(compositor.size.region)
                painted.cells.update((x, y) for y in range(region.y, region.bottom)
                                     for x in range(region.x, region.right))
            return partial(compositor)

        def render_full_update(compositor, simplify: bool = False):
            painted.cells.update((x, y) for y in range(compositor.size.height)
                                 for x in range(compositor.size.width))
            return full(compositor, simplify)

        monkeypatch.setattr(Compositor, "render_partial_update", render_partial_update)
        monkeypatch.setattr(Compositor, "render_full_update", render_full_update)

    def take(self) -> set[tuple[int, int]]:
        cells, self.cells = self.cells, set()
        return cells


@contextlib.asynccontextmanager
async def brief_open(monkeypatch):
    app = BriefReaderApp(str(BRIEF.parent), open_brief=str(BRIEF), preloaded=load_brief(BRIEF),
                         remember=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(pilot.app.screen, BriefScreen)
        painted = Painted(monkeypatch)
        yield pilot, painted


async def key(pilot, painted: Painted, name: str) -> set[tuple[int, int]]:
    painted.take()
    await pilot.press(name)
    await pilot.pause()
    await pilot.pause()
    return painted.take()


def region_cells(widget) -> set[tuple[int, int]]:
    region = widget.region
    return {(x, y) for y in range(region.y, region.bottom) for x in range(region.x, region.right)}


def test_moving_the_reading_cursor_repaints_only_the_margin(monkeypatch):
    async def body():
        async with brief_open(monkeypatch) as (pilot, painted):
            screen = pilot.app.screen
            await key(pilot, painted, "tab")
            reader = screen.reader
            margin_x = reader.region.x
            moves = 0
            for _ in range(12):
                top, before = reader.scroll_offset.y, reader.highlighted
                cells = await key(pilot, painted, "j")
                if reader.scroll_offset.y != top or reader.part != screen.reader.part:
                    continue  # a new page: the pane changed as a whole
                if reader.highlighted == before:
                    continue
                moves += 1
                reader_cells = cells & region_cells(reader)
                assert reader_cells, "the cursor move was not drawn"
                assert {x for x, _ in reader_cells} == {margin_x}, "more than the margin was sent"
                assert len(cells) < 0.05 * CELLS, f"{len(cells)} cells for one `j`"
            assert moves >= 3

    asyncio.run(body())


def test_the_reader_pages_instead_of_scrolling_line_by_line(monkeypatch):
    async def body():
        async with brief_open(monkeypatch) as (pilot, painted):
            screen = pilot.app.screen
            await key(pilot, painted, "tab")
            reader = screen.reader
            scrolls = []
            for _ in range(30):
                top = reader.scroll_offset.y
                await key(pilot, painted, "j")
                if reader.scroll_offset.y > top:
                    first_line, _ = reader.option_lines(reader.highlighted)
                    scrolls.append(reader.scroll_offset.y - top)
                    assert reader.scroll_offset.y in (first_line, reader.max_scroll_y), \
                        "the block the cursor moved to does not start the new page"
            assert scrolls and min(scrolls) > 1, f"scrolled by {scrolls}"

    asyncio.run(body())


def test_focus_changes_repaint_the_cursor_not_the_screen(monkeypatch):
    async def body():
        async with brief_open(monkeypatch) as (pilot, painted):
            screen = pilot.app.screen
            # outline -> reading pane -> outline (at 80 columns the inspector would take
            # the reading pane's place: a change of the whole pane, rightly repainted)
            for name in ("tab", "shift+tab", "tab"):
                cells = await key(pilot, painted, name)
                assert len(cells) < 0.2 * CELLS, f"{name}: {len(cells)} cells"
                assert not cells & region_cells(screen.query_one("#top-banner"))
                scrollbars = {(pane.region.right - 1, y) for pane in (screen.outline, screen.reader)
                              for y in range(pane.region.y, pane.region.bottom)}
                assert not cells & scrollbars, f"{name} repainted a scrollbar"

    asyncio.run(body())


def test_opening_and_typing_a_search_leaves_the_panes_alone(monkeypatch):
    async def body():
        async with brief_open(monkeypatch) as (pilot, painted):
            screen = pilot.app.screen
            await key(pilot, painted, "tab")
            cells = await key(pilot, painted, "slash")
            # the bar's row, and the reading cursor's bar (the pane lost the focus)
            footer = region_cells(screen.query_one("#footer"))
            margin = {(x, y) for x, y in region_cells(screen.reader) if x == screen.reader.region.x}
            assert cells and cells <= footer | margin, sorted(cells - footer - margin)[:10]
            sizes = []
            for letter in "belarus":
                sizes.append(len(await key(pilot, painted, letter)))
            # after the first letters the match stays put: each key redraws the bar and
            # the few lines where a mark grew, never the pane
            assert max(sizes[3:]) < 0.15 * CELLS, sizes
            cells = await key(pilot, painted, "enter")
            assert cells <= footer | margin, sorted(cells - footer - margin)[:10]
            assert pilot.app.focused is screen.reader

    asyncio.run(body())


def test_a_status_message_does_not_repaint_the_panes(monkeypatch):
    async def body():
        async with brief_open(monkeypatch) as (pilot, painted):
            screen = pilot.app.screen
            painted.take()
            screen.update_status("a message")
            await pilot.pause()
            cells = painted.take()
            status = region_cells(screen.query_one("#status"))
            assert cells and cells <= status
            screen.update_status("a message")  # the same text again: nothing to send
            await pilot.pause()
            assert not painted.take()

    asyncio.run(body())


def test_default_colours_are_written_as_no_colour():
    plain = PlainDefaults()
    default = Style.parse("default on default bold")
    red = Style.parse("red on default")
    (first, second) = plain.apply([Segment("a", default), Segment("b", red)], None)
    assert first.style.color is None and first.style.bgcolor is None and first.style.bold
    assert second.style.color.name == "red" and second.style.bgcolor is None

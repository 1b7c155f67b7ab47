"""The screens: the library, a brief, and the small modal screens over them."""

from __future__ import annotations

import re
from pathlib import Path
from dataclasses import dataclass, replace

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static
from textual.widgets.option_list import Option
from textual.markup import escape as escape_markup
from textual.reactive import Reactive
from textual.worker import get_current_worker

from . import render
from .loader import load_paths
from .sanitize import clean_line
from .model import Brief, Library, LibraryEntry, Problem
from .find import MAX_SPOTS, BriefFinder, FindError, Spot
from .widgets import Banner, CursorList, Inspector, NoteEditor, Outline, Reader, SearchBar

NARROW = 100
DETAIL_KINDS = ("claim", "source", "entity", "event", "related")  # shown in the inspector
REVIEW_MARKS = {"agreed": "+", "disputed": "x", "needs-source": "?", "flagged": "!"}  # below this many columns the brief screen shows two panes, not three


def problem_lines(problems: tuple[Problem, ...] | list[Problem]) -> Text:
    text = Text()
    for problem in problems:
        text.append(str(problem) + "\n")  # path:line:column: severity: message
    return text or Text("No warnings: the brief passed every check.")


# ---------------------------------------------------------------------------
# Modal screens


class QuietScreen(Screen):
    """A screen that repaints and restyles itself in full only when it must.

    Textual's Screen.focused repaints every cell of the screen on each focus change
    (over SSH, the whole screen for a `tab` or a `/`); the widgets that gain and lose
    focus repaint what changes in them themselves.  A layout repaints only what moved,
    and a screen shown for the first time is not restyled and repainted once more.
    """

    focused: Reactive = Reactive(None, repaint=False)

    _styled_at_mount = True  # and not restyled since
    _laid_out_in_full = False  # shown for the first time, and not repainted since

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if layout and not regions:
            # A layout repaints what moved: Textual's reflow marks the old and new
            # places of every widget that moved, came or went.  Its default repaints
            # the whole screen as well.
            repaint = False
        elif self._laid_out_in_full and not regions:
            # Textual repaints a screen in full as it is shown, to cover what was on
            # the terminal before; shown the first time, its layout has just done so.
            self._laid_out_in_full = False
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def update_node_styles(self, animate: bool = True) -> None:
        # Textual restyles every widget of a screen each time it is shown (stack_updates
        # counts the showings), in case the stylesheet changed while it was covered.
        # Shown the first time, the screen was styled as it was mounted a moment
        # before: a third of the styling work before a brief's first paint, twice.
        first_showing = self._styled_at_mount and self.stack_updates == 1
        self._styled_at_mount = False
        self._laid_out_in_full = first_showing
        if not first_showing:
            super().update_node_styles(animate)

    def _screen_resized(self, size) -> None:
        # The terminal reports its size as the app starts, the size the screen was just
        # laid out for; Textual laid it out again and repainted it all.
        if size != self._compositor.size:
            super()._screen_resized(size)


class TextScreen(ModalScreen[None]):
    """A scrollable page of text over the current screen: help, legend, warnings."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="modal.close"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="modal.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="modal.up"),
        Binding("space,pagedown", "scroll('page_down')", "Page down", show=False, id="modal.page_down"),
        Binding("b,pageup", "scroll('page_up')", "Page up", show=False, id="modal.page_up"),
        Binding("g,home", "scroll('home')", "Top", show=False, id="modal.top"),
        Binding("G,end", "scroll('end')", "Bottom", show=False, id="modal.bottom"),
    ]

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="modal-body") as scroll:
            scroll.border_title = escape_markup(clean_line(self.title_text))  # titles are markup
            scroll.border_subtitle = "esc/q closes · j/k scroll"
            yield Static(self.body, id="modal-text")

    def action_scroll(self, where: str) -> None:
        # Set the offset directly: scroll_down() measures from where the last
        # scroll has not yet landed, so keys arriving together were lost.
        scroll = self.query_one("#modal-body", VerticalScroll)
        page = max(1, scroll.scrollable_content_region.height - 1)
        step = {"down": 1, "up": -1, "page_down": page, "page_up": -page,
                "home": -scroll.max_scroll_y, "end": scroll.max_scroll_y}[where]
        scroll.scroll_y = max(0, min(scroll.max_scroll_y, scroll.scroll_y + step))


SIDEWAYS = {"scroll_left", "scroll_right", "page_left", "page_right"}


def help_text(screen: Screen) -> Text:
    """The help page, generated from the bindings live on ``screen`` (so remaps show)."""
    app = screen.app
    rows: dict[tuple[str, str], list[str]] = {}  # (id or action, description) -> keys
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.action in SIDEWAYS:
            continue  # Textual's own sideways scrolling: no pane here is wider than itself
        ident = binding.id or binding.action
        # the nine "follow link [n]" bindings read best as one row
        ident = re.sub(r"follow_\d$", "follow_n", ident)
        description = re.sub(r"\[\d\]", "[n]", binding.description or binding.action)
        if binding.action == "command_palette":
            description = "Go to anything by name (the command palette)"
        rows.setdefault((ident, description), []).append(app.get_key_display(Binding(key, "")))
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for (ident, description), keys in rows.items():
        shown = "1-9" if ident.endswith("follow_n") else ", ".join(keys)
        group = ident.split(".")[0] if "." in ident else "other"
        groups.setdefault(group, []).append((shown, description, ident if "." in ident else ""))
    titles = {"app": "Everywhere", "brief": "Reading a brief", "library": "The library",
              "list": "In any list (outline, reading pane, inspector)", "modal": "In this page",
              "other": "Also"}
    order = ["brief", "library", "app", "list", "modal", "other"]
    text = Text()
    room = max(40, min(app.size.width, 110) - 6)  # the help page's text width
    column = min(20, max(len(shown) for entries in groups.values() for shown, _, _ in entries))
    for group, entries in sorted(groups.items(), key=lambda g: order.index(g[0]) if g[0] in order else 5):
        text.append(titles.get(group, group.capitalize()) + "\n", style="bold underline")
        for shown, description, ident in entries:
            line = f"  {shown:<{column}} {description}"
            if len(line) + 2 + len(ident) <= room:  # the id at the right, or under when it does not fit
                text.append(line + " " * (room - len(line) - len(ident)))
                text.append(ident + "\n", style="dim")
            else:
                text.append(line + "\n")
                if ident:
                    text.append(" " * (room - len(ident)) + ident + "\n", style="dim")
        text.append("\n")
    extra = getattr(screen, "HELP_EXTRA", "")
    if extra:
        text.append("Query language\n", style="bold underline")
        text.append(extra + "\n\n")
    text.append("Remap a key in the config file's [keys] table: binding id = \"keys\".\n", style="italic")
    if getattr(app, "config_path", None):
        text.append(f"Config file: {app.config_path}\n", style="italic")
    return text


# ---------------------------------------------------------------------------
# The library


@dataclass
class _Row:
    entry: LibraryEntry
    title: str
    date: str


class LibraryScreen(QuietScreen):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="library.filter", priority=True),
        Binding("o", "sort", "Sort date/title", id="library.sort"),
        Binding("F", "app.search_library", "Search all briefs", id="library.search"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear_filter"),
        Binding("w", "problems", "Problems", id="library.problems"),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    def __init__(self, folder: str, *, open_first: str = "") -> None:
        super().__init__()
        self.folder = folder
        self.library: Library | None = None
        self.sort_key = "date"
        self.open_first = open_first

    def compose(self) -> ComposeResult:
        yield Banner("briefreader · library", id="top-banner")
        yield Input(placeholder="type to filter: words in title, id, tags; esc clears", id="filter",
                    select_on_focus=False)  # see SearchBar: letters typed right after `/`
        yield CursorList(id="briefs")
        yield Static("Loading…", id="status")

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one("#briefs", CursorList).focus()
        self.load()

    @work(thread=True, exclusive=True, name="load-library")
    def load(self) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.set_status, f"Loading briefs… {done}/{total}")

        library = self.app.read_library(progress)
        if not worker.is_cancelled:
            self.app.call_from_thread(self.loaded, library)

    def set_status(self, message: str) -> None:
        self.query_one("#status", Static).update(Text(message))

    def loaded(self, library: Library) -> None:
        self.library = library
        self.app.library = library
        self.refresh_list()
        if self.open_first and library.get(self.open_first) and self.app.brief_screen is None:
            self.app.open_brief(self.open_first)
        self.open_first = ""

    def on_screen_resume(self) -> None:
        if self.library is not None:  # review progress may have changed in a brief
            listing = self.query_one("#briefs", CursorList)
            keep = listing.current_id
            self.refresh_list()
            listing.select_id(keep)

    def refresh_list(self) -> None:
        library = self.library
        if library is None:
            return
        words = self.query_one("#filter", Input).value.lower().split()
        rows = []
        for entry in library.entries:
            brief = entry.brief
            title = brief.title if brief else entry.path
            haystack = " ".join([title, entry.path] + ([brief.id, *brief.tags, brief.type] if brief else [])).lower()
            if all(word in haystack for word in words):
                rows.append(_Row(entry, title, brief.date if brief else ""))
        if self.sort_key == "title":
            rows.sort(key=lambda r: (r.entry.brief is None, r.title.lower()))
        else:
            rows.sort(key=lambda r: (r.entry.brief is None, r.date), reverse=False)
            rows.sort(key=lambda r: r.entry.brief is None)
            loaded = [r for r in rows if r.entry.brief]
            loaded.sort(key=lambda r: r.date, reverse=True)
            rows = loaded + [r for r in rows if not r.entry.brief]
        listing = self.query_one("#briefs", CursorList)
        options = [Option(self.row_text(r.entry), id=r.entry.path) for r in rows]
        listing.set_options(options)
        if options:
            last = self.library.get(self.app.positions.last) if not words else None
            if not (last and listing.select_id(last.path)):  # back on the brief read last
                listing.highlighted = 0
        failed = len(library.failed)
        status = (f"{_plural(len(library.briefs), 'brief')} in {clean_line(self.folder)}"
                  + (f" · {failed} could not be opened" if failed else "")
                  + (f" · showing {len(rows)}" if words else "")
                  + f" · by {self.sort_key} (o) · / filter · ? help")
        if not library.entries:
            status = (f"No briefs in {clean_line(self.folder)}. Put *.brief.yaml files there, or run "
                      "'briefreader FOLDER'. '?' shows the keys.")
        self.set_status(status)

    def row_text(self, entry: LibraryEntry) -> Text:
        brief = entry.brief
        if brief is None:
            text = Text("✗ could not be opened: ", style="bold")
            text.append(self.within_library(entry.path))  # the file's name, not a long prefix
            first = entry.errors[0] if entry.errors else None
            if first:  # a problem with the whole file (unreadable, too big) has no line
                where = f"{first.line}:{first.column}: " if first.line else ""
                text.append(f"\n  {where}{first.message}", style="italic")
            return text
        text = Text(brief.title, style="bold")
        meta = [brief.date, brief.type or "brief", brief.banner, _plural(len(brief.claims), "claim")]
        if brief.warnings:
            meta.append(f"! {len(brief.warnings)} warning{'s' if len(brief.warnings) != 1 else ''}")
        progress = self.app.review_store(brief).progress(brief)
        if progress.reviewed or progress.stale:
            meta.append(f"reviewed {progress.reviewed}/{progress.total}"
                        + (f" ({progress.stale} stale)" if progress.stale else ""))
        text.append("\n  " + " · ".join(meta))
        return text

    def within_library(self, path: str) -> str:
        try:
            return str(Path(path).resolve().relative_to(Path(self.folder).resolve()))
        except (ValueError, OSError, RuntimeError):  # outside it, or a symlink loop
            return path

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_list()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        listing = self.query_one("#briefs", CursorList)
        listing.focus()
        if listing.highlighted is not None:  # enter in the filter opens the first match
            listing.action_select()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "filter" and isinstance(self.focused, Input):
            return False
        return True

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        self.set_focus(field)  # at once: see BriefScreen's `/`

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = ""
        field.display = False
        self.query_one("#briefs", CursorList).focus()

    def action_sort(self) -> None:
        self.sort_key = "title" if self.sort_key == "date" else "date"
        self.refresh_list()

    def action_problems(self) -> None:
        if self.library is not None:
            self.app.push_screen(TextScreen("Problems in the library", problem_lines(self.library.all_problems)))

    def on_option_list_option_selected(self, event: CursorList.OptionSelected) -> None:
        if self.library is None:
            return
        entry = next((e for e in self.library.entries if e.path == event.option.id), None)
        if entry is None:
            return
        if entry.brief is None:
            self.app.push_screen(TextScreen(f"{entry.path} could not be opened", problem_lines(entry.problems)))
        else:
            self.app.open_brief(entry.brief.id)


# ---------------------------------------------------------------------------
# A brief


class BriefScreen(QuietScreen):
    BINDINGS = [
        Binding("tab", "cycle_pane(1)", "Next pane", id="brief.next_pane"),
        Binding("shift+tab", "cycle_pane(-1)", "Previous pane", show=False, id="brief.previous_pane"),
        Binding("right_square_bracket", "next_claim(1)", "Next claim", id="brief.next_claim"),
        Binding("left_square_bracket", "next_claim(-1)", "Previous claim", id="brief.previous_claim"),
        Binding("K", "next_key_judgment", "Next key judgment", id="brief.next_key_judgment"),
        Binding("s", "jump('sources')", "Sources", id="brief.sources"),
        Binding("e", "jump('entities')", "Entities", id="brief.entities"),
        Binding("t", "jump('timeline')", "Timeline", id="brief.timeline"),
        Binding("r", "jump('related')", "Related", id="brief.related"),
        Binding("f", "jump('front')", "Front (BLUF)", id="brief.front"),
        Binding("backspace,alt+left", "app.back", "Back", id="brief.back"),
        Binding("alt+right", "app.forward", "Forward", id="brief.forward"),
        # priority: the bar must take focus before the keys typed after `/` are
        # handed out (over SSH they often arrive in the same read)
        Binding("slash", "search", "Search in the brief", id="brief.search", priority=True),
        Binding("F", "app.search_library", "Search all briefs", id="brief.search_library"),
        # priority, for the same reason: keys typed right after enter (`/word⏎n`) must
        # reach the reader, not the query; only while the search bar has the focus
        Binding("enter", "finish_search(1)", "In the search bar: go to the matches", show=False,
                id="brief.search_accept", priority=True),
        Binding("escape", "finish_search(0)", "In the search bar: cancel the search", show=False,
                id="brief.search_cancel", priority=True),
        Binding("n", "search_next(1)", "Next match", id="brief.search_next"),
        Binding("escape", "leave_search", "Leave the search (back where it began)", show=False,
                id="brief.leave_search"),
        Binding("N", "search_next(-1)", "Previous match", id="brief.search_previous"),
        Binding("a", "review('agreed')", "Review: agree", id="brief.review_agree"),
        Binding("d", "review('disputed')", "Review: dispute", id="brief.review_dispute"),
        Binding("m", "review('needs-source')", "Review: needs a source", id="brief.review_needs_source"),
        Binding("exclamation_mark", "review('flagged')", "Review: flag", id="brief.review_flag"),
        Binding("x", "review('unreviewed')", "Review: clear the status", id="brief.review_clear"),
        Binding("c", "note", "Review: write a note", id="brief.review_note"),
        Binding("U", "next_review('unreviewed')", "Next unreviewed claim", id="brief.next_unreviewed"),
        Binding("D", "next_review('disputed flagged stale')", "Next disputed, flagged or stale",
                id="brief.next_disputed"),
        Binding("E", "export_review", "Export the review (Markdown)", id="brief.review_export"),
        Binding("w", "warnings", "Warnings", id="brief.warnings"),
        Binding("L", "legend", "Likelihood legend", id="brief.legend"),
        *[Binding(str(n), f"follow_number({n})", f"Follow link [{n}] of the block", show=False,
                  id=f"brief.follow_{n}") for n in range(1, 10)],
        Binding("q", "close", "Close brief", id="brief.close"),
    ]

    def __init__(self, width: int = 0) -> None:
        # Laid out for the terminal's width from the start: setting the classes later
        # restyles every widget once more before the first paint.
        super().__init__(classes=" ".join(self.layout_classes(width)) if width else None)
        self.brief: Brief | None = None
        # Ids the screen selected itself: their highlight messages arrive later
        # and must not be taken for the user's moves.
        self._quiet: dict[str, list[str]] = {}
        self._pending: tuple[Brief, str, str] | None = None
        self._ready = False
        self.finder: BriefFinder | None = None
        self.spots: list[Spot] = []
        self.spot_index = -1
        self.search_origin: tuple[str, str, str] = ("", "", "")  # outline entry, block, pane
        self._searched: tuple[str, bool, str] = ("", False, "all")  # query, regex, scope shown

    def compose(self) -> ComposeResult:
        yield Banner(id="top-banner")
        with Horizontal(id="panes"):
            yield Outline(id="outline")
            yield Reader(id="reader")
            yield Inspector(id="inspector")
        with Vertical(id="footer"):
            yield SearchBar(id="search")
            yield Static(id="status")
            yield Banner(id="bottom-banner")

    @property
    def outline(self) -> Outline:
        return self.query_one(Outline)

    @property
    def reader(self) -> Reader:
        return self.query_one(Reader)

    @property
    def inspector(self) -> Inspector:
        return self.query_one(Inspector)

    def on_resize(self, event) -> None:
        self.fit_layout(event.size.width)
        for pane in self.panes:  # keep each cursor in view
            pane.call_after_refresh(pane.scroll_to_highlight)
        self.update_narrow()

    @staticmethod
    def layout_classes(width: int) -> list[str]:
        return [name for name, under in (("narrow", NARROW), ("tiny", 70)) if width < under]

    def fit_layout(self, width: int) -> None:
        wanted = self.layout_classes(width)
        for name in ("narrow", "tiny"):
            if self.has_class(name) != (name in wanted):  # only a change restyles the screen
                self.set_class(name in wanted, name)

    def on_descendant_focus(self, event) -> None:
        self.update_narrow()
        self.update_status(keep=True)  # the pane changed; a fresh message stays

    def update_narrow(self) -> None:
        """Two panes when narrow: the inspector takes the reader's place while focused."""
        inspecting = self.has_class("narrow") and self.inspector is self.focused
        self.set_class(inspecting, "inspecting")

    # -- showing a brief -------------------------------------------------

    def on_mount(self) -> None:
        self.fit_layout(self.app.size.width)  # before the first paint, not after a resize
        self.query_one(SearchBar).display = False
        self._ready = True
        if self._pending is not None:
            self.show_brief(*self._pending)
            self._pending = None
        self.outline.focus()

    def show_brief(self, brief: Brief, target: str = "", entry_id: str = "") -> None:
        if not self._ready:  # pushed a moment ago; compose has not run yet
            self._pending = (brief, target, entry_id)
            return
        if self.brief is not brief:
            self.brief = brief
            self.finder, self.spots, self.spot_index = None, [], -1
            banner = Text(brief.banner, justify="center")
            for widget in self.query(Banner):
                widget.update(banner)
            reviewed = self.app.opened_review(brief) is not None
            self.outline.show(render.outline(brief), self.review_marks() if reviewed else None)
            self.reader.part = ""
            self.update_status()
            if not reviewed:  # its review is read once the brief is on screen, a moment sooner
                self.call_after_refresh(self.show_review)
        self.goto(target or "front", entry_id)

    _status_message = ""  # the short-lived message, while it lasts
    _status_serial = 0  # which message a timer would clear
    _status_line = ""  # what the status line shows now

    def update_status(self, message: str = "", *, keep: bool = False) -> None:
        """The status line: the pane with the keys, a short-lived message, the counts.

        ``keep``: redraw the line (another pane has focus) but keep a message still fresh."""
        brief = self.brief
        if brief is None:
            return
        if keep:
            message = self._status_message
        else:
            self._status_serial += 1
            self._status_message = message
            if message:  # a message is news for a few seconds, then the line is itself again
                serial = self._status_serial
                self.set_timer(5, lambda: self._status_serial == serial and self.update_status())
        pane = {"reader": "reading", "inspector": "details"}.get(self.focused_pane.id, "outline")
        parts = [f"[{pane}]", message or "tab: panes"]
        store = self.app.opened_review(brief)
        if store is not None:
            progress = store.progress(brief)
            counts = "".join(f" {REVIEW_MARKS[status]}{n}" for status, n in progress.by_status.items()
                             if n and status in REVIEW_MARKS)  # +agreed x disputed ?needs source !flagged
            parts.append(f"reviewed {progress.reviewed}/{progress.total}{counts}"
                         + (f" ~{progress.stale}" if progress.stale else ""))
        if not message:
            parts.append(_plural(len(brief.sources), "source"))
        if brief.warnings:
            parts.append(f"w:{len(brief.warnings)}")
        if self.app.secure:
            parts.append("SECURE")
        parts.append("? help")
        line = " · ".join(parts)
        if line != self._status_line:  # the same text would be sent again
            self._status_line = line
            self.query_one("#status", Static).update(Text(line), layout=False)  # one row, always

    def goto(self, target: str, entry_id: str = "") -> bool:
        """Select ``target`` everywhere: outline cursor, reading part and block, inspector.

        ``entry_id`` picks one outline entry when the target is listed twice."""
        brief = self.brief
        if brief is None:
            return False
        entries = self.outline.entries
        entry = None
        if not entry_id and target in entries:
            # an outline entry names a place too, a key judgment rather than its copy in
            # a section: the reading position is kept so
            entry = entries[target]
            target = entry.target
        elif entry_id in entries and entries[entry_id].target == target:
            entry = entries[entry_id]
        elif self.outline.current_id in entries and entries[self.outline.current_id].target == target:
            entry = entries[self.outline.current_id]
        else:  # prefer the place in a section over the key-judgment copy of a claim
            matches = [e for e in entries.values() if e.target == target]
            entry = next((e for e in matches if not e.id.startswith("kj:")), matches[0] if matches else None)
        if entry is None:
            return False
        self.select_quietly(self.outline, entry.id)
        self.show_entry(entry)
        self.app.remember(brief.id, entry.id)
        if self.has_class("inspecting") and target.split(":")[0] not in DETAIL_KINDS:
            # a place to read (a section, the front matter): show the reading pane
            self.focus_pane(self.reader)
        return True

    def show_entry(self, entry) -> None:
        brief = self.brief
        if self.reader.part != entry.part:
            self.reader.show(entry.part, self.part_blocks(entry.part))
        block_key = entry.target if entry.target in self.reader.blocks else next(
            (key for key, block in self.reader.blocks.items() if entry.target in block.links), "")
        first = next(iter(self.reader.blocks), "")
        self.select_quietly(self.reader, block_key or first)
        self.inspect(entry.target)

    def part_blocks(self, part: str) -> list[render.Block]:
        """The part's blocks, with search matches marked when a search is active."""
        blocks = render.part_blocks(self.brief, part, self.app.library)
        if not self.spots:
            return blocks
        current = self.spots[self.spot_index] if 0 <= self.spot_index < len(self.spots) else None
        marks: dict[str, list[Spot]] = {}
        for spot in self.spots:
            if spot.part == part and spot.end > spot.start:
                marks.setdefault(spot.key, []).append(spot)
        marked = []
        for block in blocks:
            if block.key in marks:
                text = block.text.copy()
                for spot in marks[block.key]:
                    text.stylize("bold underline reverse" if spot == current else "reverse", spot.start, spot.end)
                block = replace(block, text=text)
            marked.append(block)
        return marked

    # -- search in the brief ---------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search" and isinstance(self.focused, Input):
            return False  # `/` typed into the search bar is part of the query
        if action == "finish_search":
            field = self.query_one(SearchBar).input
            return field is not None and self.focused is field
        return True

    def action_search(self) -> None:
        if self.brief is None:
            return
        if self.finder is None:
            self.finder = BriefFinder(self.brief, self.app.library)
        self.search_origin = (self.outline.current_id, self.reader.current_id, self.focused_pane.id)
        self._searched = ("", False, "all")  # the empty query the bar opens with
        # The bar takes the status line's row, so the panes keep their size and the
        # screen is not laid out (and sent over the link) again.
        self.query_one("#status", Static).display = False
        self.query_one(SearchBar).open()

    def on_search_bar_changed(self, message: SearchBar.Changed) -> None:
        if self.query_one(SearchBar).display:  # a late message after the bar closed is stale
            self.run_search(message.query, message.regex, message.scope)

    def run_search(self, query: str, regex: bool, scope: str) -> None:
        if (query, regex, scope) == self._searched:
            return  # searched already: enter ran it (its letters came in the same burst)
        self._searched = (query, regex, scope)
        bar = self.query_one(SearchBar)
        try:
            self.spots = self.finder.find(query, regex=regex, scope=scope)
        except FindError as error:
            self.spots = []
            bar.set_count("bad regex")
            self.update_status(str(error))
            return
        if not self.spots:
            bar.set_count("no match" if query else "")
            self.reader.show(self.reader.part, self.part_blocks(self.reader.part))
            return
        origin = self.finder.index_of.get((self.reader.part, self.search_origin[1]), 0)
        index = next((i for i, spot in enumerate(self.spots)
                      if self.finder.index_of[(spot.part, spot.key)] >= origin), 0)
        self.show_spot(index)

    def show_spot(self, index: int) -> None:
        self.spot_index = index
        spot = self.spots[index]
        self.reader.show(spot.part, self.part_blocks(spot.part))
        self.select_quietly(self.reader, spot.key)
        block = self.reader.blocks.get(spot.key)
        if block is not None:  # the outline follows, as it does the reading pane's cursor
            entry = self.outline_entry_for(block)
            if entry is not None:
                self.select_quietly(self.outline, entry.id)
            self.inspect_block(block)
        more = "+" if len(self.spots) >= MAX_SPOTS else ""
        self.query_one(SearchBar).set_count(f"{index + 1}/{len(self.spots)}{more}")

    def on_search_bar_submitted(self, message: SearchBar.Submitted) -> None:
        self.action_finish_search(True)

    def action_finish_search(self, accepted: bool) -> None:
        """Close the search bar: to the matches (enter) or back where it began (esc)."""
        bar = self.query_one(SearchBar)
        if not bar.display:
            return
        if accepted:  # the query as typed to the end, even if its Changed is still on its way
            self.run_search(bar.input.value, bar.regex, bar.scope)
        bar.display = False
        self.query_one("#status", Static).display = True
        if accepted and self.spots:
            self.focus_pane(self.reader)
            self.update_status(f"{len(self.spots)} matches · n/N next/previous · esc back")
            return
        self.return_from_search()

    def action_leave_search(self) -> None:
        """esc after a search: back where it began, matches cleared."""
        if self.spots:
            self.return_from_search()
            self.update_status("back where the search began")

    def return_from_search(self) -> None:
        entry_id, block_key, pane = self.search_origin
        self.spots, self.spot_index = [], -1
        entry = self.outline.entries.get(entry_id)
        if entry is not None:
            self.goto(entry.target, entry_id)
            self.reader.show(entry.part, self.part_blocks(entry.part))
            self.select_quietly(self.reader, block_key)
        self.focus_pane({"reader": self.reader, "inspector": self.inspector}.get(pane, self.outline))

    def action_search_next(self, step: int) -> None:
        if not self.spots:
            self.update_status("no search yet: press / to search")
            return
        index = self.spot_index + step
        notice = ""
        if index >= len(self.spots):
            index, notice = 0, "search wrapped to the top"
        elif index < 0:
            index, notice = len(self.spots) - 1, "search wrapped to the bottom"
        self.show_spot(index)
        self.update_status(notice or f"match {index + 1} of {len(self.spots)}")

    def reinspect(self) -> None:
        """Show the inspector's subject again (its review or the library changed),
        the cursor where it was."""
        subject, highlighted = self.inspector.subject, self.inspector.highlighted
        if subject.startswith("links:"):
            return  # a paragraph's links: nothing there depends on either
        self.inspect(subject)
        if highlighted is not None and highlighted < self.inspector.option_count:
            self.inspector.highlighted = highlighted

    def inspect(self, target: str) -> None:
        rows = render.inspect(self.brief, target, self.app.library)
        kind, _, ident = target.partition(":")
        if kind in ("claim", "source"):
            rows[1:1] = self.review_rows(ident)
        self.inspector.show(target, rows)

    # -- review -----------------------------------------------------------

    def review_mark(self, item_id: str) -> str:
        """A few characters that say the review state without colour: + x ? ! ~ *."""
        store = self.app.review_store(self.brief)
        entry = store.get(item_id)
        if entry is None:
            return ""
        mark = REVIEW_MARKS.get(entry.status, "")
        if store.is_stale(self.brief, item_id):
            mark += "~"
        return mark + ("*" if entry.note else "")

    def show_review(self) -> None:
        """The brief's review, read after its first paint: marks in the outline, progress."""
        if self.brief is None:
            return
        self.app.review_store(self.brief)
        self.outline.set_marks(self.review_marks())
        self.update_status(keep=True)

    def review_marks(self) -> dict[str, str]:
        marks = {}
        for kind, items in (("claim", self.brief.claims), ("source", self.brief.sources)):
            for item in items:
                mark = self.review_mark(item.id)
                if mark:
                    marks[f"{kind}:{item.id}"] = mark
        return marks

    def review_rows(self, item_id: str) -> list[render.Row]:
        store = self.app.review_store(self.brief)
        entry = store.get(item_id)
        if entry is None:
            return [render.Row(Text("review: unreviewed (a agree, d dispute, m needs source, "
                                    "! flag, c note)", style="dim"))]
        line = Text(f"review: {entry.status}", style="bold")
        line.append(f" · {entry.reviewer} · {entry.time[:16].replace('T', ' ')}")
        if store.is_stale(self.brief, item_id):
            line.append("\nSTALE: changed in the brief since it was reviewed", style="bold")
        rows = [render.Row(line)]
        if entry.note:
            rows.append(render.Row(Text("note: " + entry.note, style="italic")))
        return rows

    def current_item(self, kinds: tuple[str, ...]) -> str:
        """The claim (or source) the keys act on: what the focused pane has under its cursor."""
        candidates = []
        if self.inspector is self.focused:
            candidates.append(self.inspector.subject)
        block = self.reader.current_block
        if self.reader is self.focused and block is not None:
            candidates.append(block.key if _is_item(block.key) else
                              (block.links[0] if len(block.links) == 1 else ""))
        entry = self.outline.entries.get(self.outline.current_id)
        if entry is not None:
            candidates.append(entry.target)
        candidates.append(self.inspector.subject)
        return next((c for c in candidates if c and c.split(":", 1)[0] in kinds), "")

    def reviewed(self, target: str) -> None:
        """Show a changed review everywhere it appears."""
        ident = target.partition(":")[2]
        self.outline.set_mark(target, self.review_mark(ident))
        if self.inspector.subject == target:
            self.reinspect()
        notice = self.app.review_store(self.brief).take_notice()
        if notice:
            self.app.notify(notice, severity="warning", timeout=10)

    def action_review(self, status: str) -> None:
        target = self.current_item(("claim",))
        if not target or self.brief is None:
            self.update_status("put the cursor on a claim to review it")
            return
        store = self.app.review_store(self.brief)
        store.set_status(self.brief, target.partition(":")[2], status)
        self.reviewed(target)
        self.update_status(f"{target.partition(':')[2]}: {status}")

    def action_note(self) -> None:
        target = self.current_item(("claim", "source"))
        if not target or self.brief is None:
            self.update_status("put the cursor on a claim or source to write a note")
            return
        ident = target.partition(":")[2]
        entry = self.app.review_store(self.brief).get(ident)

        def save(text: str | None) -> None:
            if text is None:
                self.update_status("note discarded")
                return
            had_note = bool(entry and entry.note)
            if not text.strip() and not had_note:
                self.update_status(f"no note on {ident}")  # left empty: nothing to save or remove
                return
            self.app.review_store(self.brief).set_note(self.brief, ident, text)
            self.reviewed(target)
            self.update_status(f"note on {ident} saved" if text.strip() else f"note on {ident} removed")

        self.app.push_screen(NoteEditor(f"Note on {ident}", entry.note if entry else "", self.brief.banner), save)

    def action_next_review(self, statuses: str) -> None:
        """Go to the next claim whose review status is one of ``statuses`` (space separated)."""
        if self.brief is None:
            return
        wanted = statuses.split()
        order = list(dict.fromkeys(e.target.partition(":")[2] for e in self.outline.entries.values()
                                   if e.target.startswith("claim:") and not e.id.startswith("kj:")))
        here = self.current_item(("claim",)).partition(":")[2] or None
        found = self.app.review_store(self.brief).next_claim(self.brief, here, wanted, order=order)
        if found is None:
            self.update_status("no claim is " + " or ".join(wanted))
            return
        self.app.follow(f"claim:{found}")

    def action_export_review(self) -> None:
        from .review import export_markdown
        from .storage import write_atomic

        if self.app.secure:
            self.app.notify("secure mode: writing exports is turned off", severity="warning")
            return
        path = Path.cwd() / f"{self.brief.id}.review.md"
        try:
            write_atomic(path, export_markdown(self.brief, self.app.review_store(self.brief)))
        except OSError as error:
            self.app.notify(f"cannot write {path}: {error.strerror}", severity="error")
            return
        self.app.notify(f"review written: {path.name} (in {path.parent})", timeout=5)

    # -- messages from the panes ----------------------------------------

    def select_quietly(self, pane, option_id: str) -> None:
        if option_id and pane.current_id != option_id and pane.select_id(option_id):
            pending = self._quiet.setdefault(pane.id, [])
            pending.append(option_id)
            del pending[:-8]  # one per move still on its way; a few at most

    def _was_quiet(self, pane, option_id: str) -> bool:
        """True for a move that is not the user's to follow: one the screen made itself
        (keys in a burst can make several before their messages arrive), or one the
        pane has since left (following it would pull the other panes, and then this
        one, back)."""
        pending = self._quiet.get(pane.id)
        if pending and option_id in pending:
            pending.remove(option_id)
            return True
        return option_id != pane.current_id

    def _moved_on(self) -> None:
        """A move of the user's own: a message about where the cursor was is old news."""
        if self._status_message:
            self.update_status()

    def on_outline_moved(self, message: Outline.Moved) -> None:
        if not self._was_quiet(self.outline, message.item.id):
            self._moved_on()
            self.show_entry(message.item)
            self.app.remember(self.brief.id, message.item.id)

    def on_outline_chosen(self, message: Outline.Chosen) -> None:
        self.focus_pane(self.reader)

    def on_reader_moved(self, message: Reader.Moved) -> None:
        block = message.item
        if self._was_quiet(self.reader, block.key):
            return
        self._moved_on()
        self.inspect_block(block)
        entry = self.outline_entry_for(block)
        if entry is not None:  # keep the outline's cursor on what is being read
            self.select_quietly(self.outline, entry.id)

    def outline_entry_for(self, block: render.Block):
        """The outline entry for a block of the reading pane: its own, or one for a claim
        written in it, else the nearest before it in the part (read backwards or jumped
        to, a paragraph without an entry belongs to the heading above it)."""
        part = self.reader.part
        in_part = [e for e in self.outline.entries.values() if e.part == part]
        keys = list(self.reader.blocks)
        here = keys.index(block.key) if block.key in keys else 0
        for key in reversed(keys[:here + 1]):
            links = self.reader.blocks[key].links if key == block.key else ()
            entry = next((e for e in in_part if e.target == key or e.target in links), None)
            if entry is not None:
                return entry
        return in_part[0] if in_part else None

    def on_reader_chosen(self, message: Reader.Chosen) -> None:
        """Enter on a block: its details (or its links) in the inspector, focused."""
        if self.inspect_block(message.item):
            self.focus_pane(self.inspector)

    def inspect_block(self, block: render.Block) -> bool:
        if _is_item(block.key) or len(block.links) == 1:
            self.inspect(block.key if _is_item(block.key) else block.links[0])
        elif block.links:
            self.inspector.show(f"links:{block.key}", render.inspect_links(self.brief, block.links, self.app.library))
        else:
            return False
        return True

    def on_cursor_list_at_edge(self, message: CursorList.AtEdge) -> None:
        """Reading on past the end of a part goes into the next one, as a pager would."""
        if message.pane is not self.reader:
            self.update_status("at the top" if message.direction < 0 else "at the bottom")
            return
        parts = list(dict.fromkeys(e.part for e in self.outline.entries.values()))
        here = parts.index(self.reader.part) if self.reader.part in parts else 0
        following = here + message.direction
        if not 0 <= following < len(parts):
            self.update_status("start of the brief" if message.direction < 0 else "end of the brief")
            return
        part = parts[following]
        self.reader.show(part, self.part_blocks(part))
        keys = list(self.reader.blocks)
        self.select_quietly(self.reader, keys[0] if message.direction > 0 else keys[-1])
        block = self.reader.current_block
        entry = self.outline_entry_for(block) if block is not None else None
        entry = entry or next(e for e in self.outline.entries.values() if e.part == part)
        self.select_quietly(self.outline, entry.id)
        if block is not None:
            self.inspect_block(block)
        self.app.remember(self.brief.id, entry.id)

    def on_inspector_follow(self, message: Inspector.Follow) -> None:
        self.follow(message.link)

    def follow(self, link: str) -> None:
        self.app.follow(link)

    # -- actions --------------------------------------------------------

    def focus_pane(self, pane) -> None:
        if self.query_one(SearchBar).display:
            # The bar keeps the focus while it is open: a key pressed before `/` whose
            # handling arrives only now (Textual resolves a pane's keys after the
            # priority `/`) must not send the letters typed after `/` to a pane, where
            # `a` or `d` would review a claim.
            return
        # A hidden pane cannot take focus: in the narrow layout show it first.
        self.set_class(self.has_class("narrow") and pane is self.inspector, "inspecting")
        # now, not on the next idle: the next key is already on its way; a pane is always
        # in view, so nothing to scroll (which would repaint its scrollbar)
        self.set_focus(pane, scroll_visible=False)

    @property
    def panes(self) -> list[CursorList]:
        return [self.outline, self.reader, self.inspector]

    @property
    def focused_pane(self) -> CursorList:
        """The pane with the focus (the outline when none has it).  From the screen's
        focus, set at once: has_focus follows a moment later, and the next key of a
        burst (a paste, keys bunched in one SSH packet) is already here."""
        return next((pane for pane in self.panes if pane is self.focused), self.outline)

    def action_cycle_pane(self, step: int) -> None:
        panes = self.panes
        self.focus_pane(panes[(panes.index(self.focused_pane) + step) % len(panes)])

    def _entry_ids(self) -> list[str]:
        return list(self.outline.entries)

    def action_next_claim(self, step: int) -> None:
        self._jump_matching(lambda e: e.target.startswith("claim:") and not e.id.startswith("kj:"), step, "claim")

    def action_next_key_judgment(self) -> None:
        self._jump_matching(lambda e: e.id.startswith("kj:"), 1, "key judgment")

    def _jump_matching(self, matches, step: int, what: str) -> None:
        ids = self._entry_ids()
        if not ids:
            return
        here = ids.index(self.outline.current_id) if self.outline.current_id in ids else -1
        count = len(ids)
        for offset in range(1, count + 1):
            index = (here + step * offset) % count
            if matches(self.outline.entries[ids[index]]):
                wrapped = (step > 0 and index <= here) or (step < 0 and index >= here)
                self.app.follow(self.outline.entries[ids[index]].target, entry_id=ids[index])
                self.update_status(f"wrapped to the {'first' if step > 0 else 'last'} {what}" if wrapped else "")
                return
        self.update_status(f"no {what} in this brief")

    def action_jump(self, part: str) -> None:
        if part in self.outline.entries:
            self.app.follow(part)
        else:
            self.update_status(f"this brief has no {part}")

    def action_follow_number(self, number: int) -> None:
        block = self.reader.current_block
        if block and number <= len(block.links):
            self.follow(block.links[number - 1])
        else:
            self.update_status(f"no link [{number}] in this block")

    def action_warnings(self) -> None:
        if not self.brief:
            return
        text = problem_lines(self.brief.problems)
        store = self.app.review_store(self.brief)
        stale, orphaned = store.stale(self.brief), store.orphaned(self.brief)
        if stale:
            text.append("\nReviews gone stale (the item changed since it was reviewed)\n", style="bold")
            for entry in stale:
                text.append(f"  {entry.item_id}: {entry.status} by {entry.reviewer}\n")
        if orphaned:
            text.append("\nOrphaned reviews (the item is no longer in the brief)\n", style="bold")
            for entry in orphaned:
                text.append(f"  {entry.item_id}: {entry.status} by {entry.reviewer}"
                            + (f" · note: {entry.note[:60]}" if entry.note else "") + "\n")
                text.append(f"    was: {entry.text[:100]}\n", style="italic")
        self.app.push_screen(TextScreen(f"Warnings for {self.brief.id}", text))

    def action_legend(self) -> None:
        self.app.push_screen(TextScreen("Estimative language and source grades", render.likelihood_legend()))

    def action_close(self) -> None:
        self.app.close_brief()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _is_item(key: str) -> bool:
    return key.split(":", 1)[0] in ("claim", "source", "entity", "event", "related", "section")


# ---------------------------------------------------------------------------
# Search across the library


class LibrarySearchScreen(QuietScreen):
    """Ranked full-text search over every brief of the library."""

    BINDINGS = [
        Binding("escape", "close", "Close search", id="search_library.close"),
        Binding("down", "results", "To the results", show=False, id="search_library.results"),
        Binding("slash", "edit", "Edit the query", id="search_library.edit", priority=True),
        Binding("q", "close", "Close search", show=False, id="search_library.quit"),
        # priority: `?` would otherwise go into the query, where it means nothing
        Binding("question_mark", "app.help", "Help and the query language", id="search_library.help",
                priority=True),
    ]

    @property
    def HELP_EXTRA(self) -> str:  # noqa: N802 - read by help_text like the class attribute
        from .index import QUERY_HELP

        return QUERY_HELP

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query  # the app passes the last query back in
        self.index = None
        self.hits: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        yield Banner("briefreader · search the library", id="top-banner")
        yield Input(value=self.initial, id="library-query", select_on_focus=False,
                    placeholder="words, \"a phrase\", kind:assessment, entity:lukashenko, after:2024-12-01 …")
        yield CursorList(id="hits")
        yield Static("Indexing the library…", id="status")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#library-query", Input))
        self.build_index()

    @work(thread=True, exclusive=True, name="index-library")
    def build_index(self) -> None:
        from .index import LibraryIndex

        library = self.app.library
        if library is None:
            return
        index = LibraryIndex.for_paths([library.root], cache=self.app.use_cache)
        stats = index.update_from_library(library)
        self.app.call_from_thread(self.indexed, index, stats)

    def indexed(self, index, stats) -> None:
        self.index = index
        self.set_status(f"{len(self.app.library.briefs)} briefs indexed · type to search · "
                        "enter opens · ? query language")
        self.run_search(self.query_one("#library-query", Input).value)

    def set_status(self, message: str) -> None:
        self.query_one("#status", Static).update(Text(message))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the query opens the highlighted hit (the best, until ↓ picks another)."""
        listing = self.query_one("#hits", CursorList)
        hit = self.hits.get(listing.current_id)
        if hit is not None:
            self.app.open_brief(hit.brief_id, hit.target, fresh=True)

    def run_search(self, query: str) -> None:
        from .index import HIT_END, HIT_START, QueryError

        if self.index is None:
            return
        listing = self.query_one("#hits", CursorList)
        if not query.strip():
            listing.clear_options()
            self.hits = {}
            return
        try:
            hits = self.index.search(query, limit=200)  # re-checks files first: never stale
        except QueryError as error:
            listing.clear_options()  # hits for half a filter would mislead
            self.hits = {}
            self.set_status(str(error))
            return
        options, self.hits = [], {}
        for number, hit in enumerate(hits):
            option_id = f"hit{number}"
            self.hits[option_id] = hit
            text = Text(f"{hit.kind} {hit.item_id}", style="bold")
            text.append(f" · {hit.brief_title}", style="dim")
            text.append("\n  ")
            snippet = Text(hit.plain_snippet)
            for start, end in hit.highlights():
                # not reverse: the selected hit's line is reverse video in a focused list,
                # and a reverse mark on it would vanish (as any mark, without colour)
                snippet.stylize("bold underline", start, end)
            text.append_text(snippet)
            options.append(Option(text, id=option_id))
        listing.set_options(options)
        if options:
            listing.highlighted = 0
        self.hit_count = f"{_plural(len(hits), 'hit')}{'+' if len(hits) >= 200 else ''}"
        self.show_keys()

    hit_count = ""

    def show_keys(self) -> None:
        """The hit count and the keys that apply where the focus is."""
        if isinstance(self.focused, Input):
            keys = "enter opens the first · ↓ picks another · esc closes · ? query language"
        else:
            keys = "enter opens this one · / edits the query · esc closes · ? query language"
        self.set_status(f"{self.hit_count} · {keys}")

    def on_descendant_focus(self, event) -> None:
        if self.hit_count:
            self.show_keys()

    def action_results(self) -> None:
        listing = self.query_one("#hits", CursorList)
        if listing.option_count:
            self.set_focus(listing)

    def action_edit(self) -> None:
        self.set_focus(self.query_one("#library-query", Input))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "close") and isinstance(self.focused, Input) and action == "edit":
            return False
        if action == "results" and not isinstance(self.focused, Input):
            return False  # in the results, down moves the cursor
        return True

    def on_cursor_list_at_edge(self, message: CursorList.AtEdge) -> None:
        if message.direction < 0:  # up from the first hit: back to the query
            self.action_edit()

    def action_close(self) -> None:
        self.app.last_library_query = self.query_one("#library-query", Input).value
        self.dismiss()

    def on_option_list_option_selected(self, event: CursorList.OptionSelected) -> None:
        hit = self.hits.get(event.option.id or "")
        if hit is not None:
            self.app.open_brief(hit.brief_id, hit.target, fresh=True)

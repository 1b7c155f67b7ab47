"""The Textual application: a library screen, a brief screen, history between them."""

from __future__ import annotations

import os
from pathlib import Path

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events, work
from textual.app import App, SystemCommand
from textual.screen import ModalScreen
from textual.widgets import Input
from textual.color import Color
from textual.filter import LineFilter, NoColor
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.worker import get_current_worker

from . import paths, render, secure
from .config import Config, load_config
from .loader import load_library
from .model import Library, LibraryEntry
from .records import Record, record
from .sanitize import clean_line
from .screens import BriefScreen, LibraryScreen, LibrarySearchScreen, TextScreen, help_text
from .state import ReadingState


def _stylesheet() -> str:
    """The app's stylesheet.  Not through CSS_PATH: Textual opens that as a file, which
    does not exist inside the single-file zipapp; there importlib.resources reads it
    (imported only then: it costs several milliseconds at start)."""
    try:
        return Path(__file__).with_name("briefreader.tcss").read_text(encoding="utf-8")
    except OSError:
        from importlib import resources

        return resources.files("briefreader").joinpath("briefreader.tcss").read_text(encoding="utf-8")


class StripColor(LineFilter):
    """Drop every colour from the output, so NO_COLOR means no colour codes at all."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, style.without_color if style else style, control)
                for text, style, control in segments]


class PlainDefaults(LineFilter):
    """Write the terminal's default colours as no colour at all.

    The app draws in the terminal's own colours (an ANSI theme), and Textual spells
    each default out (39;49) on every piece of text; after the reset that ends the
    piece before it, leaving them out looks the same and costs fewer bytes a key.
    """

    def __init__(self) -> None:
        super().__init__()
        self._plain: dict[RichStyle, RichStyle] = {}

    def _without_defaults(self, style: RichStyle) -> RichStyle:
        plain = self._plain.get(style)
        if plain is None:
            kept = RichStyle(color=None if style.color is None or style.color.is_default else style.color,
                             bgcolor=None if style.bgcolor is None or style.bgcolor.is_default
                             else style.bgcolor)
            plain = self._plain[style] = style.without_color + kept
        return plain

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, self._without_defaults(style) if style else style, control)
                for text, style, control in segments]


# What a key does in a text field (Textual's Input bindings), for the keys that edit or
# move; enter, copy and paste stay Textual's.
FIELD_ACTIONS = {key.strip(): binding.action for binding in Input.BINDINGS
                 for key in binding.key.split(",")
                 if binding.action.startswith(("cursor_", "delete_")) or binding.action in ("home", "end")}


def type_into(field: Input, event) -> bool:
    """Apply a key to a text field now; False when it is not an edit or a move."""
    if event.is_printable and event.character:
        selection = field.selection
        if selection.is_empty:
            field.insert_text_at_cursor(event.character)
        else:
            field.replace(event.character, *selection)
        return True
    action = FIELD_ACTIONS.get(event.key)
    method = getattr(field, f"action_{action}", None) if action else None
    if method is None:
        return False
    method()
    return True


@record
class Location(Record):
    """A place the reader has been, for back and forward."""

    brief_id: str
    target: str
    entry_id: str = ""  # the outline entry, when a target appears twice (a key judgment)


class GoToProvider(Provider):
    """Command palette: "go to" any section, claim, source or entity of the open brief."""

    def _targets(self) -> list[tuple[str, str]]:
        # self.screen is the screen the palette was opened over (app.screen is the palette)
        brief = getattr(self.screen, "brief", None)
        if brief is None:
            return []
        items = [(f"{s.title} · section", f"section:{s.id}") for s in brief.all_sections]
        items += [(f"{render.short_plain(brief, c.text, 70)} · {c.kind} claim", f"claim:{c.id}")
                  for c in brief.claims]
        items += [(f"{s.label} · source", f"source:{s.id}") for s in brief.sources]
        items += [(f"{e.name} · {e.type}" + (f" ({', '.join(e.aliases)})" if e.aliases else ""),
                   f"entity:{e.id}") for e in brief.entities]
        return items

    async def discover(self) -> Hits:
        for label, target in self._targets()[:40]:
            yield DiscoveryHit(f"Go to {label}", self._goto(target))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, target in self._targets():
            score = matcher.match(label)
            if label.lower().startswith(query.lower()):
                score += 1  # a name typed from its start beats a word deep in a claim
            if score > 0:
                yield Hit(score, matcher.highlight(f"Go to {label}"), self._goto(target))

    def _goto(self, target: str):
        def go() -> None:
            self.app.follow(target)
        return go


class BriefReaderApp(App):
    CSS = _stylesheet()
    TITLE = "briefreader"
    COMMANDS = App.COMMANDS | {GoToProvider}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit now", id="app.quit"),
    ]

    def __init__(self, folder: str, *, open_brief: str = "", config: Config | None = None,
                 remember: bool = True, use_cache: bool = False,
                 preloaded: LibraryEntry | None = None) -> None:
        # With NO_COLOR set Textual only greys colours out unless ANSI colour is
        # on, in which case it strips them: no colour codes at all.
        no_color = "NO_COLOR" in os.environ
        # The terminal's own colours, as less and mutt use: the user's palette, light
        # or dark, and short colour codes over a slow link.
        super().__init__(ansi_color=True)
        # What the theme's watcher does, less parsing the whole stylesheet a second
        # time before the first paint (nothing is parsed or styled yet).
        self.set_reactive(App.theme, "ansi-dark")
        self.set_class(True, "-theme-ansi-dark", "-dark-mode")
        self.stylesheet.set_variables(self.get_css_variables())
        if no_color:  # Textual's NoColor filter still writes default-colour codes (39, 49)
            self._filters = [StripColor() if isinstance(f, NoColor) else f for f in self._filters]
            self.add_class("-no-color")  # the stylesheet marks by attributes what colour would
        else:
            self._filters.append(PlainDefaults())
        self.folder = folder
        self.first_brief = open_brief
        self.config = config or Config()
        self.config_path = self.config.path
        self.library: Library | None = None
        self._reviews: dict = {}
        self.last_library_query = ""
        self.preloaded = preloaded
        self.secure = secure.active()
        # off unless asked (tests and one-off runs parse afresh); never in secure mode
        self.use_cache = use_cache and not self.secure
        self.positions = ReadingState(persist=remember and not self.secure)
        self._positions_timer = None  # the save a second after a move, when one is pending
        self.history: list[Location] = []
        self.future: list[Location] = []
        self.animation_level = "none"  # fewer bytes per key over SSH

    def _handle_exception(self, error: Exception) -> None:
        # Textual (pinned in pyproject) ends the app and prints a traceback on any
        # unhandled error.  A reader should say what went wrong and carry on; the
        # details go to a log file.  Tests run headless and still see the error.
        self._errors_shown = getattr(self, "_errors_shown", 0) + 1
        if self.is_headless or self._errors_shown > 3 or not self.is_running:
            super()._handle_exception(error)
            return
        where = self._log_error(error)
        self.notify(f"Something went wrong ({type(error).__name__}: {clean_line(str(error))[:120]}). "
                    f"Details: {where}", severity="error", timeout=20)

    def notify(self, message: str, *args, markup: bool = False, **kwargs) -> None:
        # Notices quote briefs (a related URL, a file name): never parse them as markup.
        super().notify(clean_line(message), *args, markup=markup, **kwargs)

    def copy_to_clipboard(self, text: str) -> None:
        # The terminal clipboard (OSC 52) reaches outside the brief: not in secure mode.
        if self.secure:
            self.notify("secure mode: copying to the clipboard is turned off", timeout=4)
            return
        super().copy_to_clipboard(text)

    @staticmethod
    def _log_error(error: Exception) -> str:
        import traceback

        if secure.active():
            return "not logged (secure mode writes no files)"
        log = paths.state_dir() / "errors.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "a", encoding="utf-8") as handle:
                handle.write("".join(traceback.format_exception(error)) + "\n")
        except OSError:
            return "not logged (state folder not writable)"
        return str(log)

    async def on_event(self, event) -> None:
        # A key for a text field is applied here, in the order the keys arrive, before
        # the next key is looked at.  Textual hands it to the field's own queue instead,
        # so in a burst (a paste, an SSH packet: `/word⏎n`, `⌫⌫xx`) the keys after it
        # could be handled before the field had its letters.
        if isinstance(event, events.Key) and isinstance(self.focused, Input):
            if await self._check_bindings(event.key, priority=True):
                return
            if type_into(self.focused, event):
                return
        await super().on_event(event)

    def get_system_commands(self, screen):
        # Textual's own commands are left out of the palette: a theme would undo the
        # terminal's colours, "screenshot" writes a file unasked (even in secure mode),
        # and its key panel and maximize duplicate or break the reader's own pages.
        yield SystemCommand("Help", "The keys, from the live bindings", self.action_help)
        yield SystemCommand("Quit", "Quit briefreader", self.action_quit)

    @property
    def _background_screens(self) -> list:
        # Textual keeps painting the screen under the top one, in case it shows through;
        # ours are opaque, so a library loading under a brief would repaint the brief
        # screen in full (twice, over SSH).  Only a modal screen lets the one below show.
        if not isinstance(self.screen, ModalScreen):
            return []
        return super()._background_screens

    def get_default_screen(self):
        # One brief, already parsed: its screen is the first screen, not one pushed over
        # an empty screen that Textual would compose, style and lay out for nothing.
        if self.preloaded is not None and self.preloaded.brief is not None:
            return BriefScreen(self.size.width)
        return super().get_default_screen()

    def on_mount(self) -> None:
        # Textual holds back every paint until on_mount returns, yet still renders the
        # screens pushed here; pushing them just after spares one full render at start.
        self.call_later(self.start)

    def start(self) -> None:
        if self.config.keys:
            self.set_keymap(self.config.keys)
        if self.preloaded is not None and self.preloaded.brief is not None:
            # One brief was asked for and is already parsed: show it now, alone (`q`
            # quits, so the library screen would never show), and read its folder
            # for the related briefs once it is on screen.
            self.library = Library(self.folder, (self.preloaded,))
            self.open_brief(self.preloaded.brief.id, record=False)
            self.call_after_refresh(self.load_library_behind)
        else:
            self.push_screen(LibraryScreen(self.folder, open_first=self.first_brief))
        for notice in (self.config.notice, self.positions.notice):
            if notice:
                self.notify(notice, severity="warning", timeout=10)

    def read_library(self, progress=None) -> Library:
        """Parse the library folder (in a worker thread), through the model cache when on."""
        cache = None
        if self.use_cache:
            from .cache import ModelCache

            cache = ModelCache()
        return load_library(self.folder, progress=progress, cache=cache)

    @work(thread=True, exclusive=True, name="load-library-behind")
    def load_library_behind(self) -> None:
        library = self.read_library()
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self.library_read, library)

    def library_read(self, library: Library) -> None:
        self.library = library
        screen = self.brief_screen
        if screen is not None and screen.inspector.subject:  # "pointed at by" and related
            screen.reinspect()

    # -- places ---------------------------------------------------------

    @property
    def brief_screen(self) -> BriefScreen | None:
        """The brief screen nearest the top of the stack (search results can hold another)."""
        return next((s for s in reversed(self.screen_stack) if isinstance(s, BriefScreen)), None)

    @property
    def here(self) -> Location | None:
        screen = self.brief_screen
        if screen is None or screen.brief is None or not screen.is_current:
            return None
        target = screen.outline.entries.get(screen.outline.current_id)
        return Location(screen.brief.id, target.target if target else "front",
                        screen.outline.current_id)

    def action_search_library(self) -> None:
        if self.library is None:
            self.notify("the library is still loading", timeout=2)
            return
        self.push_screen(LibrarySearchScreen(self.last_library_query))

    def open_brief(self, brief_id: str, target: str = "", *, record: bool = True,
                   entry_id: str = "", fresh: bool = False) -> bool:
        """Show a brief at ``target``; ``fresh`` opens it on a new screen over the current
        one (from search results, so that closing it returns to them)."""
        brief = self.library.get(brief_id) if self.library else None
        if brief is None:
            self.notify(f"brief '{brief_id}' is not in this library", severity="warning")
            return False
        if record and self.here is not None:
            self.history.append(self.here)
            self.future.clear()
        screen = self.brief_screen
        if fresh or screen is None:
            # a popped screen is taken apart by Textual: always push a new one
            screen = BriefScreen(self.size.width)
            self.push_screen(screen)
        else:  # close any modal screens over it
            for _ in range(len(self.screen_stack) - 1 - self.screen_stack.index(screen)):
                self.pop_screen()
        screen.show_brief(brief, target or self.positions.position(brief_id) or "front", entry_id)
        return True

    def close_brief(self) -> None:
        if not any(isinstance(screen, (LibraryScreen, LibrarySearchScreen)) for screen in self.screen_stack[:-1]):
            self.exit()  # opened on one file: nothing to go back to, q quits
            return
        self.pop_screen()

    def follow(self, link: str, *, entry_id: str = "") -> None:
        """Go wherever a link points, recording where we were for `back`."""
        kind, _, rest = link.partition(":")
        screen = self.brief_screen
        if kind == "brief":
            brief_id, _, anchor = rest.partition("#")
            target = ""
            if anchor and self.library and (other := self.library.get(brief_id)):
                item = other.get(anchor)
                target = f"{type(item).__name__.lower()}:{anchor}" if item else ""
            self.open_brief(brief_id, target or "front")  # a link to a brief means its start
            return
        if kind == "url":
            self.notify(f"not opened (briefreader never goes online): {rest}")
            return
        if screen is None or screen.brief is None:
            return
        before = self.here
        moved = screen.goto(link, entry_id)
        if moved and before is not None and before.target != getattr(self.here, "target", None):
            self.history.append(before)
            self.future.clear()

    def action_back(self) -> None:
        self._travel(self.history, self.future, "start")

    def action_forward(self) -> None:
        self._travel(self.future, self.history, "end")

    def _travel(self, source: list[Location], sink: list[Location], end: str) -> None:
        if not source:
            self.notify(f"at the {end} of the history", timeout=2)
            return
        here = self.here
        place = source.pop()
        if here is not None:
            sink.append(here)
        if self.brief_screen and self.brief_screen.brief and self.brief_screen.brief.id == place.brief_id \
                and self.brief_screen.is_current:
            self.brief_screen.goto(place.target, place.entry_id)
        else:
            self.open_brief(place.brief_id, place.target, record=False, entry_id=place.entry_id)

    def opened_review(self, brief):
        """The review of a brief when :meth:`review_store` has read it already, else None."""
        return self._reviews.get(brief.id)

    def review_store(self, brief):
        """The review of a brief, opened once per run (saved on every change)."""
        from .review import ReviewStore

        store = self._reviews.get(brief.id)
        if store is None:
            store = self._reviews[brief.id] = ReviewStore.open(brief.id, config=self.config,
                                                               persist=not self.secure)
            if self.secure:
                self.notify("secure mode: this review is kept in memory only and is lost on quit",
                            severity="warning", timeout=10)
            if store.notice:
                self.notify(store.take_notice(), severity="warning", timeout=10)
        return store

    def remember(self, brief_id: str, entry_id: str) -> None:
        """Where the reader is in a brief: its outline entry (a key judgment is not the
        same place as the claim's own in its section)."""
        self.positions.remember(brief_id, entry_id)
        if self.positions.unsaved and self._positions_timer is None:
            self._positions_timer = self.set_timer(1, self.save_positions)

    def save_positions(self) -> None:
        self._positions_timer = None
        known = self.positions.notice
        self.positions.save()
        if self.positions.notice != known:
            self.notify(self.positions.notice, severity="warning", timeout=10)

    def on_unmount(self) -> None:
        self.positions.save()

    def action_help(self) -> None:
        self.push_screen(TextScreen("Keys (from the live bindings)", help_text(self.screen)))

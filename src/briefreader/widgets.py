"""The brief screen's panes.  Each is a list with a cursor, driven by the keyboard.

Attributes down, messages up: the screen gives a pane what to show; a pane only
posts messages about what the user did in it.  Panes never look at each other.
"""

from __future__ import annotations

from rich.text import Text
from textual import _widget_navigation  # OptionList's own helpers; Textual is pinned
from textual.binding import Binding
from textual.message import Message
from textual.containers import Horizontal
from textual.markup import escape as escape_markup
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from .render import Block, OutlineEntry, Row

# vim and arrow keys together; each binding has an id so a config file can remap it.
LIST_BINDINGS = [
    Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
    Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
    Binding("g,home", "first", "Top", show=False, id="list.top"),
    Binding("G,end", "last", "Bottom", show=False, id="list.bottom"),
    Binding("pagedown,space,ctrl+f", "page_down", "Page down", show=False, id="list.page_down"),
    Binding("pageup,b,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
    Binding("enter", "select", "Follow", show=False, id="list.follow"),
]


class Banner(Static):
    """The handling banner, fixed at the top and bottom of a screen."""


class CursorList(OptionList):
    """An OptionList with less/vim keys and a marker that does not rely on colour.

    Subclasses keep ``items`` (option id -> what the option stands for) and post
    ``Moved`` when the cursor lands on one and ``Chosen`` when it is selected.
    """

    BINDINGS = LIST_BINDINGS
    items: dict = {}

    class Moved(Message):
        def __init__(self, item) -> None:
            super().__init__()
            self.item = item

    class Chosen(Message):
        def __init__(self, item) -> None:
            super().__init__()
            self.item = item

    class AtEdge(Message):
        """The cursor was asked to move past the first or last option."""

        def __init__(self, pane: "CursorList", direction: int) -> None:
            super().__init__()
            self.pane, self.direction = pane, direction

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def _step(self, direction: int) -> None:
        # No wrapping from the end to the start: the screen decides what lies beyond.
        target = _widget_navigation.find_next_enabled_no_wrap(
            self.options, anchor=self.highlighted, direction=direction)
        if target is None or (self.highlighted is not None and (target - self.highlighted) * direction <= 0):
            self.post_message(self.AtEdge(self, direction))
        else:
            self.highlighted = target

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        edge = (_widget_navigation.find_last_enabled if direction > 0
                else _widget_navigation.find_first_enabled)(self.options)
        if self.highlighted == edge:
            self.post_message(self.AtEdge(self, direction))
        else:
            self._move_page(direction)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if type(self) is CursorList:
            return  # a plain list: the screen handles OptionList's own messages
        event.stop()
        if event.option.id in self.items:
            self.post_message(self.Moved(self.items[event.option.id]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if type(self) is CursorList:
            return
        event.stop()
        if event.option.id in self.items:
            self.post_message(self.Chosen(self.items[event.option.id]))

    def select_id(self, option_id: str) -> bool:
        """Move the cursor to the option with this id; False when there is none."""
        try:
            index = self.get_option_index(option_id)
        except Exception:  # OptionDoesNotExist; the API names it differently across versions
            return False
        self.highlighted = index
        return True

    @property
    def current_id(self) -> str:
        if self.highlighted is None or not self.option_count:
            return ""
        return self.get_option_at_index(self.highlighted).id or ""


class Outline(CursorList):
    """Every place in the brief, in reading order; items are OutlineEntry."""

    class Moved(CursorList.Moved):
        pass

    class Chosen(CursorList.Chosen):
        pass

    marks: dict[str, str] = {}

    def show(self, entries: list[OutlineEntry], marks: dict[str, str] | None = None) -> None:
        """``marks`` maps a target to a short text shown before its label (review marks)."""
        self.items = {entry.id: entry for entry in entries}
        self.marks = dict(marks or {})
        self.set_options(Option(self.label(entry), id=entry.id) for entry in entries)

    def label(self, entry: OutlineEntry) -> Text:
        label = Text("  " * entry.depth, no_wrap=True, overflow="ellipsis")
        mark = self.marks.get(entry.target)
        if mark:
            label.append(mark + " ", style="bold")
        label.append(entry.label, style="" if entry.depth else "bold")
        return label

    def set_mark(self, target: str, mark: str) -> None:
        """Change one target's mark, redrawing only its entries."""
        if mark:
            self.marks[target] = mark
        else:
            self.marks.pop(target, None)
        for entry in self.items.values():
            if entry.target == target:
                self.replace_option_prompt(entry.id, self.label(entry))

    @property
    def entries(self) -> dict[str, OutlineEntry]:
        return self.items


class Reader(CursorList):
    """The reading pane: the current part as blocks, one cursor stop per block."""

    class Moved(CursorList.Moved):
        pass

    class Chosen(CursorList.Chosen):
        pass

    part = ""

    def show(self, part: str, blocks: list[Block]) -> None:
        self.part = part
        self.items = {block.key: block for block in blocks}
        # A blank line after each paragraph or card, none after a heading.
        self.set_options(Option(block.text if block.heading else block.text + Text("\n"), id=block.key)
                         for block in blocks)

    @property
    def blocks(self) -> dict[str, Block]:
        return self.items

    def _page(self, direction: int) -> None:
        """Page like a pager: the next screenful of lines, one line kept for context,
        the cursor on the first block that starts in it (blocks can be taller than
        the pane, so paging by blocks would stall or skip)."""
        if not self.option_count:
            return
        lines = self._lines  # (option index, line within it), one per screen line
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        last = self.option_count - 1
        if direction > 0 and top + height >= len(lines):
            if self.highlighted == last:
                self.post_message(self.AtEdge(self, direction))
            else:
                self.highlighted = last
            return
        if direction < 0 and top <= 0:
            if self.highlighted == 0:
                self.post_message(self.AtEdge(self, direction))
            else:
                self.highlighted = 0
            return
        new_top = (min(top + height - 1, len(lines) - height) if direction > 0
                   else max(0, top - height + 1))
        starts = self._index_to_line
        index = lines[new_top][0]
        if starts[index] < new_top and index < last and starts[index + 1] < new_top + height:
            index += 1  # the block cut at the top edge was read: put the cursor on the next
        self.highlighted = index
        self.scroll_to(y=new_top, animate=False, immediate=True)

    @property
    def current_block(self) -> Block | None:
        return self.items.get(self.current_id) if self.option_count else None


class Inspector(CursorList):
    """Everything about the selected item; rows with a link can be followed."""

    class Follow(CursorList.Chosen):
        @property
        def link(self) -> str:
            return self.item

    Chosen = Follow  # choosing a row means following its link
    subject = ""

    def show(self, subject: str, rows: list[Row]) -> None:
        self.subject = subject
        self.items = {}
        options = []
        for index, row in enumerate(rows):
            option_id = f"row{index}"
            if row.link:
                self.items[option_id] = row.link
            options.append(Option(Text("→ " if row.link else "  ") + row.text, id=option_id,
                                  disabled=row.heading))
        self.set_options(options)
        first_link = next(iter(self.items), None)
        if first_link:
            self.select_id(first_link)

    @property
    def links(self) -> dict[str, str]:
        return self.items


class NoteEditor(ModalScreen[str | None]):
    """A multi-line note on a claim or source: leaving saves, ctrl+g discards."""

    BINDINGS = [
        Binding("escape", "save", "Save the note and close", id="note.save"),
        Binding("ctrl+s", "save", "Save the note and close", show=False, id="note.save_too"),
        # priority: the text area would take ctrl+g otherwise; ctrl+k is its delete-line
        Binding("ctrl+g", "discard", "Discard changes", id="note.discard", priority=True),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self):
        area = TextArea(self.text, id="note-text", soft_wrap=True, tab_behavior="focus")
        area.border_title = escape_markup(self.title_text)  # Textual reads titles as markup
        area.border_subtitle = "esc saves and closes · ctrl+g discards"
        yield area

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_discard(self) -> None:
        self.dismiss(None)


class SearchBar(Horizontal):
    """The `/` line: the query, a match counter and the active toggles.

    It only reports; the screen does the searching and moving.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel search", id="search.cancel"),
        Binding("ctrl+r", "toggle_regex", "Regex on/off", id="search.regex"),
        Binding("ctrl+t", "next_scope", "Scope: all/claims/sources/entities", id="search.scope"),
    ]

    class Changed(Message):
        def __init__(self, query: str, regex: bool, scope: str) -> None:
            super().__init__()
            self.query, self.regex, self.scope = query, regex, scope

    class Done(Message):
        def __init__(self, accepted: bool) -> None:
            super().__init__()
            self.accepted = accepted

    regex = False
    scope = "all"

    def compose(self):
        yield Static("/", id="search-prompt")
        yield Input(id="search-input")
        yield Static("", id="search-count")

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    def open(self) -> None:
        self.display = True
        self.regex, self.scope = False, "all"  # each search starts plain, over everything
        self.input.value = ""
        self.set_count("")
        # Focus at once, not on the next idle (Widget.focus defers): keys typed
        # right after `/` (a fast typist, a paste over SSH) must land in the bar.
        self.screen.set_focus(self.input)

    def set_count(self, text: str) -> None:
        toggles = ([" regex"] if self.regex else []) + ([f" {self.scope}"] if self.scope != "all" else [])
        if not text and not toggles:
            text = "^r regex ^t scope esc back"
        self.query_one("#search-count", Static).update(Text(f" {text}{''.join(toggles)} "))

    def _changed(self) -> None:
        self.post_message(self.Changed(self.input.value, self.regex, self.scope))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Done(True))

    def action_cancel(self) -> None:
        self.post_message(self.Done(False))

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self._changed()

    def action_next_scope(self) -> None:
        from .find import SCOPES

        self.scope = SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)]
        self._changed()

"""The brief screen's panes.  Each is a list with a cursor, driven by the keyboard.

Attributes down, messages up: the screen gives a pane what to show; a pane only
posts messages about what the user did in it.  Panes never look at each other.
"""

from __future__ import annotations

from contextlib import contextmanager

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual import _widget_navigation  # OptionList's own helpers; Textual is pinned
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.containers import Horizontal
from textual.markup import escape as escape_markup
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.strip import Strip
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


CURSOR_STYLE = RichStyle(bold=True)
LINE_CURSOR_STYLE = RichStyle(bold=True, reverse=True)


class Banner(Static):
    """The handling banner, fixed at the top and bottom of a screen."""


class CursorList(OptionList):
    """An OptionList with less/vim keys and a marker that does not rely on colour.

    Subclasses keep ``items`` (option id -> what the option stands for) and post
    ``Moved`` when the cursor lands on one and ``Chosen`` when it is selected.
    """

    BINDINGS = LIST_BINDINGS
    # Only the styles drawn here: Textual styles each listed class for every list, and
    # again whenever the list's own style changes (its focus, say).  The cursor is the
    # margin bar and reverse video below; there is no hover and no separator.
    COMPONENT_CLASSES = {"option-list--option", "option-list--option-disabled"}
    items: dict = {}

    # Over a slow link every cell counts.  OptionList repaints the whole pane (its
    # border and scrollbar too) when the cursor moves; here only the lines of the
    # option left and the option reached are sent, and the pane scrolls a page at a
    # time when the cursor leaves it (like mutt without menu_scroll), not a line.
    highlighted: reactive[int | None] = reactive(None, repaint=False)
    SCROLL_CONTEXT = 1  # lines kept above an option the pane pages down to

    # The cursor is a bar in the left margin, text and not colour, so that it shows
    # without colour (NO_COLOR, Textual draws reverse video as swapped colours) and in
    # a pane without focus (┆); the focused list also shows its line in reverse.
    CURSOR = "▌"
    CURSOR_UNFOCUSED = "┆"
    MARGIN = 1
    LINE_HIGHLIGHT = True
    _spaced: set[int] = set()  # options whose last line is a blank spacer: no bar there

    def _get_left_gutter_width(self) -> int:
        return self.MARGIN

    # Options are drawn with Rich from their Text, straight to strips.  OptionList's own
    # way (turn the Text into Textual's Content, wrap it once to measure it and again
    # to draw it) takes about ten times as long: a third of the work before a brief's
    # first screen, and more for a long part.  Other prompts go OptionList's way.
    _wrapped: dict[int, tuple[Text, int, list]] = {}  # option index -> prompt, width, lines
    HANG = 0  # the cells at the start of an option that its wrapped lines are indented by

    def _wrap(self, option: Option, width: int) -> list | None:
        """The option's lines at this width (Rich Text objects), or None for a prompt
        that is not a Text."""
        prompt = option.prompt
        if not isinstance(prompt, Text) or option._divider:
            return None
        index = self._option_to_index[option]
        cached = self._wrapped.get(index)
        if cached is not None and cached[0] is prompt and cached[1] == width:
            return cached[2]
        hang = self.HANG if prompt.cell_len > width else 0
        if hang:  # wrapped lines start under the text, not under the row's marker
            head, body = prompt[:hang], prompt[hang:]
            lines = list(body.wrap(self.app.console, max(1, width - hang)))
            lines = [head + lines[0], *(Text(" " * hang) + line for line in lines[1:])]
        else:
            lines = list(prompt.wrap(self.app.console, max(1, width)))
        for line in lines:
            line.rstrip()  # the space a line was broken at (underlined, it would show)
        if self._wrapped is CursorList._wrapped:
            self._wrapped = {}
        self._wrapped[index] = (prompt, width, lines)
        return lines

    def set_options(self, options):
        self._wrapped = {}  # the old options' lines
        return super().set_options(options)

    def _get_option_render(self, option: Option, style) -> list[Strip]:
        key = (option, style, None)
        strips = self._option_render_cache.get(key)
        if strips is not None:
            return strips
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        lines = self._wrap(option, width)
        if lines is None or self.get_component_styles("option-list--option").padding:
            return super()._get_option_render(option, style)
        console = self.app.console
        # the option's style under everything, with the meta a click reads
        base = style.rich_style + RichStyle.from_meta({"option": self._option_to_index[option]})
        strips = []
        for line in lines:
            segments = list(line.render(console))
            if line.style:  # the Text's own style, under its spans (render leaves it out)
                segments = Segment.apply_style(segments, console.get_style(line.style))
            pad = width - line.cell_len
            if pad > 0:
                segments = [*segments, Segment(" " * pad)]
            strips.append(Strip(Segment.apply_style(segments, base), max(width, line.cell_len)))
        self._option_render_cache[key] = strips
        return strips

    def _option_height(self, option: Option, width: int) -> int:
        lines = self._wrap(option, width)
        return len(lines) if lines is not None else \
            self._get_visual(option).get_height(self.styles, width) + option._divider

    def _update_lines(self) -> None:
        # OptionList's, measuring each option with _option_height (Textual is pinned).
        if not self.scrollable_content_region:
            return
        cache = self._line_cache
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        for index in range(cache.lines[-1][0] + 1 if cache.lines else 0, len(self.options)):
            height = self._option_height(self.options[index], width)
            cache.index_to_line[index] = len(cache.lines)
            cache.heights[index] = height
            cache.lines.extend((index, line) for line in range(height))
        size = Size(width, len(cache.lines))
        if size != self.virtual_size:
            self.virtual_size = size
            self._scroll_update(size)

    def render_line(self, y: int) -> Strip:
        # The line map as render_lines has just brought it up to date (self._lines
        # would update it again for every line, and so would self._heights).
        lines = self._line_cache
        try:
            index, offset = lines.lines[self.scroll_offset.y + y]
        except IndexError:
            return super().render_line(y)
        # OptionList's own, minus its highlight style: Textual draws that reverse video as
        # swapped colours, which the terminal's default colours and NO_COLOR both erase
        option = self.options[index]
        style = (self.get_visual_style("option-list--option", "option-list--option-disabled")
                 if option.disabled else self.get_visual_style("option-list--option"))
        strip = self._get_option_render(option, style)[offset]
        if self.LINE_HIGHLIGHT and index == self.highlighted and self.has_focus and not option.disabled:
            strip = strip.apply_style(LINE_CURSOR_STYLE)  # real reverse video (SGR 7)
        margin = Segment(" " * self.MARGIN)  # unstyled: the fewest bytes when a cursor leaves
        spacer = index in self._spaced and offset == lines.heights.get(index, 0) - 1
        if index == self.highlighted and not spacer and not option.disabled:
            bar = self.CURSOR if self.has_focus else self.CURSOR_UNFOCUSED
            margin = Segment(bar.ljust(self.MARGIN), CURSOR_STYLE)
        return Strip([margin, *strip], strip.cell_length + self.MARGIN)

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

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        # A layout elsewhere on the screen (a status line that changed) hands every
        # pane the compositor's idea of its virtual size, which for an OptionList is
        # never its own: ScrollView then redraws the scrollbars though nothing moved.
        if size == self._size and container_size == self.container_size:
            return False
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed and self.highlighted is not None:
            # A cursor placed before the pane had a size (a brief reopened deep in its
            # outline) is brought into view now, in the first paint, not in a second.
            self.scroll_to_highlight()
        return changed

    # Textual repaints a whole widget when it gains or loses focus.  A pane here
    # looks the same either way but for its cursor, so only the cursor is repainted
    # (the stylesheet keeps focus from changing anything else in a pane).
    _focus_changing = False

    def focus(self, scroll_visible: bool = True):
        with self._cursor_only():
            return super().focus(scroll_visible)

    def _on_focus(self, event) -> None:
        event.prevent_default()  # Textual calls each class's handler: Widget's runs here, once
        with self._cursor_only():
            super()._on_focus(event)

    def _on_blur(self, event) -> None:
        event.prevent_default()
        with self._cursor_only():
            super()._on_blur(event)

    @contextmanager
    def _cursor_only(self):
        # Textual also sets the scrollbar colours again on a focus change, to the same
        # values, and each set repaints the scrollbar: hold those repaints back too.
        bar = self._vertical_scrollbar
        self._focus_changing = True
        if bar is not None:
            bar.refresh = lambda *args, **kwargs: bar
        try:
            yield
        finally:
            self._focus_changing = False
            if bar is not None:
                del bar.refresh

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if self._focus_changing and not (regions or layout or recompose):
            if self.highlighted is not None and self.highlighted < self.option_count:
                self.refresh_option(self.highlighted, whole=self.LINE_HIGHLIGHT)
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        for index in (old, new):
            if index is not None and index < self.option_count:
                self.refresh_option(index)
        super().watch_highlighted(new)

    def option_lines(self, index: int) -> tuple[int, int]:
        """The first line of an option in the pane's content, and its height."""
        try:
            return self._index_to_line[index], self._heights[index]
        except KeyError:
            return 0, 0

    def refresh_option(self, index: int, *, whole: bool = False) -> None:
        """Repaint one option's lines, and only where the cursor shows: the bar alone,
        unless the line is highlighted too (a focused list) or ``whole``."""
        top, height = self.option_lines(index)
        if height:
            bar_only = not whole and not (self.LINE_HIGHLIGHT and self.has_focus)
            width = 1 if bar_only else self.scrollable_content_region.width
            self.refresh(Region(0, top - self.scroll_offset.y, width, height))

    def text_lines(self, index: int) -> tuple[int, int]:
        """``option_lines`` without the blank spacer line that ends a block."""
        start, height = self.option_lines(index)
        return start, height - (index in self._spaced and height > 1)

    def scroll_to_highlight(self, top: bool = False) -> None:
        """Bring the cursor's option into view, a page at a time."""
        if self.highlighted is None or not self.is_mounted:
            return
        start, height = self.text_lines(self.highlighted)  # the spacer may stay out of view
        if not height:
            return
        view = max(1, self.scrollable_content_region.height)
        first = self.scroll_offset.y
        if top:
            new_top = start
        elif start >= first and start + min(height, view) <= first + view:
            return  # in view already: do not move the page
        elif start > first:  # below: it starts the next page
            new_top = start - (self.SCROLL_CONTEXT if height + self.SCROLL_CONTEXT <= view else 0)
        else:  # above: it ends the previous page
            new_top = start + height - view if height <= view else start
        self.scroll_to(y=max(0, new_top), animate=False, force=True, immediate=True)

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

    def _not_laid_out(self, direction: int, retry: bool) -> bool:
        """A pane shown a moment ago (the inspector, when narrow) has no lines until
        the next layout; a page key that arrives first waits for it, once."""
        if self.option_count and not self._lines and not retry:
            self.call_after_refresh(self._page, direction, True)
            return True
        return not self._lines

    def _page(self, direction: int, retry: bool = False) -> None:
        if self._not_laid_out(direction, retry):
            return
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


# Not OptionList's as well (Widget's __init_subclass__ takes no inherit_component_classes).
CursorList._inherit_component_classes = False


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
        label.append(entry.label.replace("\n", " "), style="" if entry.depth else "bold")
        return label

    def _option_height(self, option: Option, width: int) -> int:
        # Every entry is one line (labels never wrap), so the line map is known without
        # laying each entry out to learn its height: for a long outline that was a good
        # part of the first paint.
        return 1

    def set_mark(self, target: str, mark: str) -> None:
        """Change one target's mark, redrawing only its entries."""
        marks = dict(self.marks)
        marks[target] = mark
        self.set_marks({t: m for t, m in marks.items() if m})

    def set_marks(self, marks: dict[str, str]) -> None:
        """Show these marks, redrawing only the entries whose mark changes."""
        changed = {target for target in marks.keys() | self.marks.keys()
                   if marks.get(target) != self.marks.get(target)}
        self.marks = dict(marks)
        if changed:
            for entry in self.items.values():
                if entry.target in changed:
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
    # Only the bar shows the cursor here, not reverse video over the block: a move
    # then rewrites a few margin cells instead of every line of two blocks (mutt's
    # arrow_cursor, for the same reason).
    LINE_HIGHLIGHT = False
    MARGIN = 2
    SCROLL_CONTEXT = 0  # the block before ends in a blank line already

    def show(self, part: str, blocks: list[Block]) -> None:
        prompts = [block.text if block.heading else block.text + Text("\n")  # a blank line after
                   for block in blocks]                                         # all but headings
        self._spaced = {index for index, block in enumerate(blocks) if not block.heading}
        if part == self.part and self._restyle([block.key for block in blocks], prompts):
            self.items = {block.key: block for block in blocks}
            return
        self.part = part
        self.items = {block.key: block for block in blocks}
        self.set_options(Option(prompt, id=block.key) for prompt, block in zip(prompts, blocks))

    def _restyle(self, keys: list[str], prompts: list[Text]) -> bool:
        """Show new styles (search marks) on the same text in place, repainting only
        the blocks that changed; False when the text itself differs."""
        options = self.options
        if len(options) != len(keys) or any(
                option.id != key or option.prompt.plain != prompt.plain
                for option, key, prompt in zip(options, keys, prompts)):
            return False
        changed = [index for index, (option, prompt) in enumerate(zip(options, prompts))
                   if option.prompt != prompt]
        style = self.get_visual_style("option-list--option")
        width = self.scrollable_content_region.width
        top = self.scroll_offset.y
        bottom = top + self.scrollable_content_region.height
        for index in changed:
            option = options[index]
            start, height = self.option_lines(index)
            visible = range(max(start, top), min(start + height, bottom))
            # Only what is on screen is drawn now (a long block takes a while to wrap).
            before = self._get_option_render(option, style) if visible else []
            option._set_prompt(prompts[index])
            for key in [key for key in self._option_render_cache.keys() if key[0] is option]:
                self._option_render_cache.discard(key)
            after = self._get_option_render(option, style) if visible else []
            for line in visible:
                if before[line - start] != after[line - start]:  # a match mark moved here
                    self.refresh(Region(0, line - top, width, 1))
        return True

    @property
    def blocks(self) -> dict[str, Block]:
        return self.items

    def _step(self, direction: int) -> None:
        """Like a pager, `j` reads on through a block taller than the pane before it moves
        to the next one (and `k` back up through it)."""
        if self.highlighted is not None and self._lines:
            start, height = self.text_lines(self.highlighted)
            top, view = self.scroll_offset.y, max(1, self.scrollable_content_region.height)
            if direction > 0 and start + height > top + view:  # more of it below
                self.scroll_to(y=min(top + view - 1, start + height - view), animate=False, immediate=True)
                return
            if direction < 0 and start < top:  # more of it above
                self.scroll_to(y=max(start, top - view + 1), animate=False, immediate=True)
                return
        super()._step(direction)

    def _page(self, direction: int, retry: bool = False) -> None:
        """Page like a pager: the next screenful of lines, one line kept for context,
        the cursor on the first block that starts in it (blocks can be taller than
        the pane, so paging by blocks would stall or skip)."""
        if self._not_laid_out(direction, retry):
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
    HANG = 2  # under the text of a row, past its "→ " (or its two spaces)

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
        else:  # not on a heading, which the cursor skips and would not show
            self.highlighted = _widget_navigation.find_first_enabled(self.options)

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

    def __init__(self, title: str, text: str, banner: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.banner = banner  # the brief's handling banner stays on screen while writing

    def compose(self):
        from textual.widgets import TextArea  # only notes need it: not on the start-up path

        if self.banner:
            yield Banner(Text(self.banner, justify="center"), id="top-banner")
        area = TextArea(self.text, id="note-text", soft_wrap=True, tab_behavior="focus")
        area.border_title = escape_markup(self.title_text)  # Textual reads titles as markup
        area.border_subtitle = "esc saves and closes · ctrl+g discards"
        yield area
        if self.banner:
            yield Banner(Text(self.banner, justify="center"), id="note-bottom-banner")

    def on_mount(self) -> None:
        area = self.query_one("#note-text")
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#note-text").text)

    def action_discard(self) -> None:
        self.dismiss(None)


class SearchBar(Horizontal):
    """The `/` line: the query, a match counter and the active toggles.

    It only reports; the screen does the searching and moving.
    """

    BINDINGS = [
        Binding("ctrl+r", "toggle_regex", "Regex on/off", id="search.regex"),
        Binding("ctrl+t", "next_scope", "Scope: all/claims/sources/entities", id="search.scope"),
    ]

    class Changed(Message):
        def __init__(self, query: str, regex: bool, scope: str) -> None:
            super().__init__()
            self.query, self.regex, self.scope = query, regex, scope

    class Submitted(Message):
        """enter reached the field: only when `brief.search_accept` is remapped away from
        it (the screen's priority binding takes enter first otherwise)."""

    regex = False
    scope = "all"

    _field: Input | None = None  # made on the first `/`: not styled before the first screen

    @property
    def input(self) -> Input | None:
        """The query field, once the bar has been opened."""
        return self._field

    def open(self) -> None:
        if self._field is None:
            # no select-all on focus: the focus lands after letters typed at once after
            # `/`, and would select them for the next key to replace
            self._field = Input(id="search-input", select_on_focus=False)
            self.mount(Static("/", id="search-prompt"), self._field, Static("", id="search-count"))
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
        self.post_message(self.Submitted())

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self._changed()

    def action_next_scope(self) -> None:
        from .find import SCOPES

        self.scope = SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)]
        self._changed()

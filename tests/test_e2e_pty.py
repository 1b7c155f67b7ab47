"""End to end: the installed command in a real pseudo-terminal, read back through
pyte (a terminal emulator), driven by the bytes a user's keys would send.

Every wait polls the screen against a deadline; nothing asserts on timing.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

pyte = pytest.importorskip("pyte")

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, LINES = 80, 24
DEADLINE = 20.0  # seconds; generous for a loaded CI machine, never reached when all is well
BANNER = "UNCLASSIFIED // TLP:CLEAR"


class Terminal:
    """The reader running in a pty, its output fed to a pyte screen."""

    def __init__(self, home: Path, **env: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("NO_COLOR", "FORCE_COLOR") and not k.startswith("TEXTUAL")}
        environment.update(TERM="xterm-256color", BRIEFREADER_HOME=str(home),
                           COLUMNS=str(COLUMNS), LINES=str(LINES), **env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefreader", "briefs"], cwd=ROOT, env=environment,
            stdin=slave, stdout=slave, stderr=slave, start_new_session=True, close_fds=True)
        os.close(slave)
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def _read(self, timeout: float) -> bool:
        """Read what is available; False once the terminal is closed."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the child closed its side
            return False
        if not data:
            return False
        self.raw.extend(data)
        self.stream.feed(data)
        return True

    def wait_until(self, condition, what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not condition(self.screen.display):
            if time.monotonic() > deadline or not self._read(0.05):
                pytest.fail(f"never saw {what} on screen:\n{self.text}")

    def wait_for(self, *fragments: str) -> None:
        self.wait_until(lambda lines: all(f in "\n".join(lines) for f in fragments), repr(fragments))

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def wait_for_exit(self) -> int:
        deadline = time.monotonic() + DEADLINE
        while self.process.poll() is None and time.monotonic() < deadline:
            if not self._read(0.05):
                break
        try:
            status = self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pytest.fail(f"briefreader did not exit; screen:\n{self.text}")
        while select.select([self.master], [], [], 0)[0] and self._read(0):
            pass  # what was written just before exit
        return status

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        os.close(self.master)


def read_the_oreshnik_brief(terminal: Terminal) -> None:
    """The walk both cases share: library, open, sources, close, quit."""
    terminal.wait_for("briefreader · library", "Oreshnik in Belarus")
    terminal.press(b"\r")  # the newest brief is first
    terminal.wait_for("Bottom line up front", "Stationing Oreshnik")
    terminal.wait_until(lambda lines: lines[0].strip() == lines[-1].strip() == BANNER,
                        "the handling banner on the first and last lines")
    terminal.press(b"s")
    terminal.wait_for("Sources (2)", "reliability B (usually reliable)")
    terminal.press(b"q")
    terminal.wait_for("briefreader · library")
    terminal.press(b"q")
    assert terminal.wait_for_exit() == 0


def sgr_parameters(raw: bytes) -> list[str]:
    """Every SGR parameter in the output, one per entry; an extended colour keeps
    its operands (``38;5;195``, ``48;2;0;0;0``)."""
    found = []
    for params in re.findall(rb"\x1b\[([0-9;:]*)m", raw):
        fields = params.decode().split(";")
        index = 0
        while index < len(fields):
            field = fields[index].split(":")[0] or "0"
            if field in ("38", "48", "58"):
                width = 3 if index + 1 < len(fields) and fields[index + 1] == "5" else 5
                found.append(";".join(fields[index:index + width]))
                index += width
                continue
            found.append(field)
            index += 1
    return found


def colour_parameters(raw: bytes) -> set[str]:
    """SGR parameters that set a colour: 30-39, 40-49 (38 and 48 extended), 90-97, 100-107."""
    colours = set()
    for parameter in sgr_parameters(raw):
        value = int(parameter.split(";")[0])
        if 30 <= value <= 49 or 90 <= value <= 97 or 100 <= value <= 107:
            colours.add(parameter)
    return colours


@pytest.fixture
def terminal_factory(tmp_path: Path):
    terminals: list[Terminal] = []

    def start(**env: str) -> Terminal:
        home = tmp_path / f"home{len(terminals)}"
        home.mkdir()
        terminal = Terminal(home, **env)
        terminals.append(terminal)
        return terminal

    yield start
    for terminal in terminals:
        terminal.close()


def test_read_a_brief_in_a_real_terminal(terminal_factory):
    terminal = terminal_factory()
    read_the_oreshnik_brief(terminal)
    raw = bytes(terminal.raw)
    # never touches the clipboard or the window title
    for sequence in (b"\x1b]52;", b"\x1b]0;", b"\x1b]2;"):
        assert sequence not in raw
    assert colour_parameters(raw), "expected colour with NO_COLOR unset"


def test_no_color_emits_no_colour_codes(terminal_factory):
    """NO_COLOR (https://no-color.org) is a product requirement: no colour codes at
    all, not even the default-colour resets 39 and 49."""
    terminal = terminal_factory(NO_COLOR="1")
    terminal.wait_for("briefreader · library", "Oreshnik in Belarus")
    # without colour the cursor still shows: a bar in the margin of the focused list
    terminal.wait_until(lambda lines: lines[1].startswith("▌Oreshnik in Belarus"),
                        "the library's cursor bar on the first brief")
    terminal.press(b"\r")
    terminal.wait_for("Bottom line up front")
    terminal.press(b"\t")  # to the reading pane: its bar, and the outline's unfocused one
    terminal.wait_until(lambda lines: any(line.startswith("┆") for line in lines)
                        and any("▌ " in line for line in lines), "both cursors, as text")
    # the go-to palette is Textual's own list: its selected entry is underlined
    terminal.press(b"\x10")  # ctrl+p
    terminal.press(b"luk")
    terminal.wait_for("Go to Luk")

    def underlined_entries(lines) -> list[int]:
        return [y for y, line in enumerate(lines) if "Go to" in line
                and terminal.screen.buffer[y][line.index("Go to")].underscore]

    terminal.wait_until(lambda lines: len(underlined_entries(lines)) == 1, "one entry underlined")
    first = underlined_entries(terminal.screen.display)
    terminal.press(b"\x1b[B")  # down
    terminal.wait_until(lambda lines: underlined_entries(lines) not in ([], first), "the next one")
    terminal.press(b"\x1b")
    time.sleep(0.2)
    # and the text cursor of the search bar is reverse video
    terminal.press(b"/bel")

    def cursor_after_query(lines) -> bool:
        row = next((y for y, line in enumerate(lines) if line.startswith("/ bel")), None)
        return row is not None and terminal.screen.buffer[row][5].reverse

    terminal.wait_until(cursor_after_query, "a reverse-video cursor after the query")
    terminal.press(b"\x1b")
    time.sleep(0.2)
    terminal.press(b"q")
    terminal.wait_for("briefreader · library")
    terminal.press(b"q")
    assert terminal.wait_for_exit() == 0
    raw = bytes(terminal.raw)
    assert b"\x1b[" in raw  # it did draw
    assert colour_parameters(raw) == set()


def test_keys_that_arrive_together_are_handled_in_order(terminal_factory):
    """A paste, or an SSH packet holding several keys: each must act as if typed one by
    one.  Textual hands a text field's keys to the field's own queue, so before the fix
    `/belarus⏎nnN` in one write lost the search (enter saw no query yet) and the `n`s,
    and a backspace right after the query deleted all of it (the field's select-all on
    focus landed after the letters)."""
    terminal = terminal_factory()
    terminal.wait_for("briefreader · library", "Oreshnik in Belarus")
    terminal.press(b"\r")
    terminal.wait_for("Bottom line up front")
    terminal.press(b"\t/belarus\rnnN")  # tab is resolved after `/`: it must not take the bar's focus
    terminal.wait_until(lambda lines: any("match 2 of" in line for line in lines),
                        "enter searched the whole query, then n, n, N moved to match 2")
    terminal.press(b"/belarus")
    terminal.wait_until(lambda lines: any(line.startswith("/ belarus ") for line in lines), "the query")
    terminal.press(b"\x7f\x7fxx")  # two backspaces and two letters, together
    terminal.wait_until(lambda lines: any(line.startswith("/ belarxx ") for line in lines),
                        "the query edited in order")
    terminal.press(b"\x17minsk")  # ctrl+w: the word, then a new one
    terminal.wait_until(lambda lines: any(line.startswith("/ minsk ") for line in lines),
                        "the word replaced")


def test_moves_that_arrive_together_keep_the_panes_together(terminal_factory):
    """Keys bunched in one read (a paste, one SSH packet) move the panes as typed one
    by one.  Before the fix `jj` left the outline on the first key judgment and the
    reading pane on the second (the first move's message, arriving after the second
    move, pulled the panes back), and a second tab in a burst went to the pane the
    first had left."""
    terminal = terminal_factory()
    terminal.wait_for("briefreader · library", "Oreshnik in Belarus")
    terminal.press(b"\r")
    terminal.wait_for("Bottom line up front")
    terminal.press(b"jj")

    def both_on_kj2(lines):
        outline = [line[:25] for line in lines if line.startswith("▌")]
        reading = [line[25:] for line in lines if line[25:].startswith("▕┆")]
        return outline and "KJ2" in outline[0] and reading and "KJ2" in reading[0]

    terminal.wait_until(both_on_kj2, "the outline and the reading pane both on KJ2")
    terminal.press(b"\t\t")
    terminal.wait_until(lambda lines: any(line.startswith("[details]") for line in lines),
                        "two tabs: the details pane")

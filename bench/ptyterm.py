"""A program in a real pseudo-terminal, read back through pyte, with write tracking.

Shared by bench/run's first-screen and bytes-per-key measurements:

- :class:`PtyProgram` starts a command on a new pty (its own session, so that
  stopping it ends exactly the processes it started), feeds everything it writes
  to a pyte screen and counts the bytes;
- :class:`TrackingScreen` is a pyte screen that also records which cells were
  written (drawn or erased) since the last :meth:`TrackingScreen.take_written`,
  so a key press can be split into cells that changed and cells rewritten with
  what they already held.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyte
from pyte.screens import StaticDefaultDict

COLUMNS, LINES = 80, 24
TERM = "xterm-256color"

# Every cursor-position (CUP) sequence: Textual starts each run of cells it
# writes with one, so the output of a key splits into pieces at them.
CUP = re.compile(rb"\x1b\[(\d*);?(\d*)H")


class _TrackedLine(StaticDefaultDict):
    """One screen line that remembers the columns written into it, and what they held before."""

    __slots__ = ("written",)

    def __init__(self, default):
        super().__init__(default)
        self.written: dict[int, object] = {}

    def __setitem__(self, x, char):
        if x not in self.written:
            self.written[x] = dict.get(self, x, self.default)
        super().__setitem__(x, char)


class _Buffer(dict):
    def __init__(self, default):
        super().__init__()
        self.default = default

    def __missing__(self, y):
        line = self[y] = _TrackedLine(self.default)
        return line


class TrackingScreen(pyte.Screen):
    """A pyte screen that records every cell written (drawn or erased)."""

    def reset(self) -> None:
        super().reset()
        self.buffer = _Buffer(self.default_char)

    def take_written(self) -> dict[tuple[int, int], bool]:
        """The cells written since the last call, as (row, column) -> whether the cell
        now differs from what it held before; then forget them."""
        cells = {}
        for y, line in list(self.buffer.items()):
            if y < self.lines and isinstance(line, _TrackedLine) and line.written:
                for x, old in line.written.items():
                    if x < self.columns:
                        cells[(y, x)] = dict.get(line, x, line.default) != old
                line.written = {}
        return cells

    def snapshot(self) -> dict[tuple[int, int], tuple]:
        """Every cell's character and attributes (what a diff compares)."""
        cells = {}
        default = tuple(self.default_char)
        for y in range(self.lines):
            line = self.buffer.get(y)
            for x in range(self.columns):
                cells[(y, x)] = tuple(line[x]) if line is not None and x in line else default
        return cells

    def text(self) -> str:
        return "\n".join(self.display)


@dataclass
class KeyResult:
    key: str
    bytes: int
    latency_ms: float          # from writing the key to the last byte of the burst (0: no output)
    written: int               # cells written (drawn or erased)
    changed: int               # cells whose character or attributes changed
    redundant_bytes: int       # bytes of output pieces that changed no cell when they were written
    rewrites: int              # cell writes beyond the first to the same cell (two frames for one key)
    regions: dict[str, dict[str, int]] = field(default_factory=dict)  # region -> written/changed/bytes/redundant


class PtyProgram:
    """A command on its own pty at COLUMNS x LINES, its output fed to a TrackingScreen."""

    def __init__(self, command: list[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None,
                 columns: int = COLUMNS, lines: int = LINES):
        self.columns, self.lines = columns, lines
        self.screen = TrackingScreen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.total = 0
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        environment = {k: v for k, v in (env or os.environ).items()
                       if k not in ("NO_COLOR", "FORCE_COLOR") and not k.startswith("TEXTUAL")}
        environment.update(TERM=TERM, COLUMNS=str(columns), LINES=str(lines))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                        env=environment, start_new_session=True, close_fds=True)
        os.close(slave)
        self.pid = self.process.pid

    # -- reading --------------------------------------------------------

    def _read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the program ended and the pty closed
            raise EOFError from None
        if not data:
            raise EOFError
        self.total += len(data)
        return data

    def wait_for(self, text: str, timeout: float = 30.0) -> float:
        """Seconds from the start until ``text`` is on the screen."""
        deadline = self.started + timeout
        while True:
            if any(text in line for line in self.screen.display):
                return time.perf_counter() - self.started
            now = time.perf_counter()
            if now >= deadline:
                raise TimeoutError(f"{text!r} not on screen after {timeout:.0f} s:\n{self.screen.text()}")
            try:
                data = self._read(min(0.05, deadline - now))
            except EOFError:
                raise RuntimeError(f"the program ended before {text!r} was on screen:\n{self.screen.text()}") \
                    from None
            if data:
                self.stream.feed(data)

    def settle(self, quiet: float = 0.3, cap: float = 5.0) -> int:
        """Read until nothing arrives for ``quiet`` seconds (at most ``cap``); bytes read."""
        start = time.perf_counter()
        got = 0
        while time.perf_counter() - start < cap:
            try:
                data = self._read(quiet)
            except EOFError:
                break
            if not data:
                break
            got += len(data)
            self.stream.feed(data)
        return got

    def press(self, key: str, data: bytes, *, quiet: float = 0.05, first_byte: float = 1.0,
              cap: float = 3.0, regions=None) -> KeyResult:
        """Send one key and read the burst it causes until ``quiet`` seconds pass without
        output (waiting up to ``first_byte`` for the first byte, at most ``cap`` in all).

        ``regions``, given the screen after the key, returns a function naming the
        region of a cell (row, column): the result is then also split by region."""
        self.screen.take_written()
        before = self.screen.snapshot()
        chunks = []
        sent = time.perf_counter()
        os.write(self.master, data)
        last = None
        wait = first_byte
        while time.perf_counter() - sent < cap:
            try:
                chunk = self._read(wait)
            except EOFError:
                break
            if not chunk:
                break
            last = time.perf_counter()
            chunks.append(chunk)
            wait = quiet
        raw = b"".join(chunks)
        latency = (last - sent) * 1000 if last is not None else 0.0
        return self._analyse(key, raw, before, latency, regions)

    def _analyse(self, key: str, raw: bytes, before: dict, latency: float, regions) -> KeyResult:
        """Feed ``raw`` piece by piece (split at cursor positions), recording what each wrote.

        A piece is redundant when none of the cells it wrote changed (character or
        attributes) from what the cell held just before: its bytes are waste."""
        starts = [m.start() for m in CUP.finditer(raw)]
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        pieces = []
        for begin, end in zip(starts, starts[1:] + [len(raw)]):
            piece = raw[begin:end]
            self.stream.feed(piece)
            pieces.append((len(piece), self.screen.take_written()))
        after = self.screen.snapshot()
        changed_cells = {cell for cell, value in after.items() if before.get(cell) != value}
        written_cells = set().union(*(cells.keys() for _, cells in pieces)) if pieces else set()
        redundant = 0
        per_region: dict[str, dict[str, int]] = {}

        region_of = regions(self.screen) if regions else (lambda cell: "screen")

        for size, cells in pieces:
            useless = not any(cells.values())
            if useless:
                redundant += size
            if cells:
                name = region_of(min(cells))
                slot = per_region.setdefault(name, {"written": 0, "changed": 0, "bytes": 0, "redundant": 0})
                slot["bytes"] += size
                if useless:
                    slot["redundant"] += size
        times_written: dict[tuple[int, int], int] = {}
        for _, cells in pieces:
            for cell in cells:
                times_written[cell] = times_written.get(cell, 0) + 1
        for cells, field_name in ((written_cells, "written"), (changed_cells, "changed")):
            for cell in cells:
                slot = per_region.setdefault(region_of(cell), {"written": 0, "changed": 0, "bytes": 0, "redundant": 0})
                slot[field_name] += 1
        for cell, count in times_written.items():
            if count > 1:
                slot = per_region[region_of(cell)]
                slot["rewrites"] = slot.get("rewrites", 0) + count - 1
        rewrites = sum(len(cells) for _, cells in pieces) - len(written_cells)
        return KeyResult(key, len(raw), round(latency, 2), len(written_cells), len(changed_cells),
                         redundant, rewrites, per_region)

    # -- stopping ---------------------------------------------------------

    def stop(self) -> None:
        """End the program and everything it started (its own session), and close the pty."""
        if self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)):
                try:
                    os.killpg(self.pid, sig)  # the group this program leads: only what it started
                except (ProcessLookupError, PermissionError):
                    break
                try:
                    self.process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        try:
            os.close(self.master)
        except OSError:
            pass

    def __enter__(self) -> "PtyProgram":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

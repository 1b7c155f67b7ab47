"""The installed briefreader in a real pseudo-terminal, with every byte it writes kept.

A generalisation of tests/test_e2e_pty.py's harness: any arguments, any working
folder, a pyte screen fed from the pty, the raw byte stream kept for assertions,
a union of every screen seen (a key's effect may scroll past before a check), and
``audit()``, which parses the raw stream into the terminal's own grammar and
reports every sequence or byte a terminal would act on beyond what Textual needs
to draw.

Every wait polls against a deadline; timing is never asserted.  Only the child
this harness started is ever killed (by its own pid, SIGKILL on timeout).
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyte

COLUMNS, LINES = 80, 24
KEY_DEADLINE = float(os.environ.get("BRIEFREADER_TEST_KEY_DEADLINE", "15"))
KEY_GAP = 0.05  # seconds between keys: a fast typist; key repeat and SSH batching are faster

KEYS = {
    "enter": b"\r", "escape": b"\x1b", "tab": b"\t", "space": b" ", "backspace": b"\x7f",
    "down": b"\x1b[B", "up": b"\x1b[A", "end": b"\x1b[F", "home": b"\x1b[H",
    "pagedown": b"\x1b[6~", "pageup": b"\x1b[5~", "ctrl+q": b"\x11", "ctrl+u": b"\x15",
}


_COMPLETE = re.compile(rb"\x1b(\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|\][^\x07\x1b]*(\x07|\x1b\\)|[^\[\]])",
                       re.DOTALL)
_PYTE_MISREADS = re.compile(rb"\x1b\]22;[a-z-]*\x07|\x1b\[[<>=][0-9;]*u")
POINTER_SHAPE = re.compile(rb"\x1b\]22;[a-z-]{1,32}\x07")  # Textual's own mouse pointer shape


class Timeout(AssertionError):
    """The program did not show what a key should have shown in time."""


def child_environment(home: Path, **extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("NO_COLOR", "FORCE_COLOR", "PAGER", "EDITOR", "VISUAL",
                                "BRIEFREADER_SECURE")
                   and not k.startswith("TEXTUAL") and not k.startswith("HYPOTHESIS")}
    environment.update(TERM="xterm-256color", BRIEFREADER_HOME=str(home), COLUMNS=str(COLUMNS),
                       LINES=str(LINES), LANG="C.UTF-8", LC_ALL="C.UTF-8", **extra)
    return environment


class Terminal:
    """``python -m briefreader ARGS`` in a pty of 80x24, its output fed to pyte."""

    def __init__(self, args: list[str], *, cwd: Path, home: Path, env: dict[str, str] | None = None,
                 columns: int = COLUMNS, lines: int = LINES) -> None:
        self.home = home
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefreader", *args], cwd=cwd,
            env=child_environment(home, **(env or {})),
            stdin=slave, stdout=slave, stderr=slave, start_new_session=True, close_fds=True)
        os.close(slave)
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self._pending = b""  # an escape sequence split across reads, not yet fed to pyte
        self.seen: list[str] = []  # every distinct screen, in order
        self.closed = False
        self.log: list[str] = []  # what was pressed and waited for, for failure messages
        self.lost: list[str] = []  # keys pressed again because their effect never showed

    # -- reading ----------------------------------------------------------

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def _read(self, timeout: float) -> bool:
        """Read what is available; False once the terminal is closed."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the child closed its side
            self.closed = True
            return False
        if not data:
            self.closed = True
            return False
        self.raw.extend(data)
        self._feed(data)
        shown = self.text
        if not self.seen or self.seen[-1] != shown:
            self.seen.append(shown)
        return True

    def _feed(self, data: bytes) -> None:
        """Feed pyte, without the sequences it misreads: the pointer-shape OSC 22 (pyte
        takes it for a window title) and the kitty keyboard CSI > u / CSI < u (pyte prints
        their final 'u').  The raw stream keeps them for :func:`audit`."""
        data = self._pending + data
        cut = data.rfind(b"\x1b")
        if cut >= 0 and not _COMPLETE.match(data, cut):
            data, self._pending = data[:cut], data[cut:]
            if len(self._pending) > 4096:  # not a sequence after all
                data, self._pending = data + self._pending, b""
        else:
            self._pending = b""
        self.stream.feed(_PYTE_MISREADS.sub(b"", data))

    def drain(self, seconds: float = 0.0) -> None:
        end = time.monotonic() + seconds
        while self._read(max(0.0, min(0.05, end - time.monotonic()))) and time.monotonic() < end:
            pass
        while not self.closed and select.select([self.master], [], [], 0)[0] and self._read(0):
            pass

    def wait_until(self, condition, what: str, deadline: float = KEY_DEADLINE) -> None:
        end = time.monotonic() + deadline
        while not condition(self.text):
            if self.process.poll() is not None and not select.select([self.master], [], [], 0)[0]:
                raise Timeout(f"briefreader exited ({self.process.returncode}) before showing "
                              f"{what}; keys: {' '.join(self.log)}\nscreen:\n{self.text}{self.diagnosis()}")
            if time.monotonic() > end:
                raise Timeout(f"no {what} within {deadline:.0f} s; keys: {' '.join(self.log)}"
                              f"\nscreen:\n{self.text}{self.diagnosis()}")
            self._read(0.05)

    def wait_for(self, *fragments: str, deadline: float = KEY_DEADLINE) -> None:
        self.log.append(f"(wait {fragments!r})")
        self.wait_until(lambda text: all(f in text for f in fragments), repr(fragments), deadline)

    def wait_gone(self, fragment: str, deadline: float = KEY_DEADLINE) -> None:
        self.log.append(f"(wait gone {fragment!r})")
        self.wait_until(lambda text: fragment not in text, f"{fragment!r} gone", deadline)

    def diagnosis(self) -> str:
        """The process state and the reader's error log, for a failure message."""
        state = "running" if self.process.poll() is None else f"exited {self.process.returncode}"
        log = self.home / "state" / "errors.log"
        text = log.read_text(errors="replace")[-3000:] if log.exists() else "(no errors.log)"
        return f"\nprocess: {state}\nerrors.log: {text}"

    def ever_seen(self, fragment: str, since: int = 0) -> bool:
        return any(fragment in screen for screen in self.seen[since:])

    def press_until(self, key: str, fragment: str, *, tries: int = 3, wait: float = 3.0) -> None:
        """Press ``key`` until ``fragment`` shows (it may have come and gone between two
        polls).  A key pressed again is recorded in ``lost``; a reader that never shows it
        fails after the last try."""
        for attempt in range(tries):
            mark = len(self.seen)
            self.press(key)
            end = time.monotonic() + (wait if attempt < tries - 1 else KEY_DEADLINE)
            while time.monotonic() < end:
                if self.ever_seen(fragment, mark) or fragment in self.text:
                    return
                if self.process.poll() is not None:
                    break
                self._read(0.05)
            else:
                before = " ".join(k for k in self.log[-12:-1] if not k.startswith("("))
                status = self.text.splitlines()[-2].strip() if self.text.strip() else ""
                self.lost.append(f"{key} after '{before}' (no {fragment!r} within {wait:.0f} s; "
                                 f"status line: {status!r})")
                continue
            break
        raise Timeout(f"{key!r} never showed {fragment!r}; keys: {' '.join(self.log)}\n"
                      f"screen:\n{self.text}{self.diagnosis()}")

    # -- writing ----------------------------------------------------------

    def press(self, *keys: str) -> None:
        """Keys by name (``enter``, ``tab``) or as literal text (``G``, ``/pwned``)."""
        for key in keys:
            self.log.append(key)
            os.write(self.master, KEYS.get(key, key.encode()))
            # A lone ESC followed at once by a key reads as alt+key (ESC is also the start
            # of every escape sequence): leave the gap a person leaves.
            self.drain(0.15) if key == "escape" else self.drain(KEY_GAP)

    # -- ending -----------------------------------------------------------

    def wait_for_exit(self, deadline: float = KEY_DEADLINE) -> int:
        end = time.monotonic() + deadline
        while self.process.poll() is None and time.monotonic() < end:
            if not self._read(0.05):
                break
        try:
            status = self.process.wait(timeout=max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            raise Timeout(f"briefreader did not exit within {deadline:.0f} s (killed); keys: "
                          f"{' '.join(self.log)}\nscreen:\n{self.text}") from None
        self.drain()
        return status

    def quit(self, deadline: float = KEY_DEADLINE) -> int:
        """``q`` until the program exits (each screen closes with q), with a deadline."""
        end = time.monotonic() + deadline
        while self.process.poll() is None and time.monotonic() < end:
            self.press("q")
            stop = time.monotonic() + 0.5
            while self.process.poll() is None and time.monotonic() < stop:
                if not self._read(0.05):
                    break
        return self.wait_for_exit(max(0.5, end - time.monotonic()))

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # our own child's session only
            self.process.wait(timeout=5)

    def close(self) -> None:
        self.kill()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


# ---------------------------------------------------------------------------
# What a terminal would act on


@dataclass
class Audit:
    """The raw stream, parsed: every control sequence, and what is not allowed."""

    csi: list[bytes] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return not self.violations


# Two-byte escapes a full-screen program may use for itself: save/restore cursor,
# keypad modes, charset G0 = ASCII.  Nothing else that starts with ESC and is not CSI.
_ALLOWED_ESC = {b"\x1b7", b"\x1b8", b"\x1b=", b"\x1b>", b"\x1b(B"}
_CSI = re.compile(rb"\x1b\[([\x30-\x3f]*)([\x20-\x2f]*)([\x40-\x7e])")
# CSI finals a drawing program needs: cursor moves and position, erase, scroll region,
# modes (set/reset, DECRQM), SGR, cursor style, window size query.  Device status
# reports (n), terminal-id queries (c) and window ops (t) make a terminal *answer*,
# which is input injection, so they are not in the list.
_CSI_FINALS = set(b"ABCDEFGHJKLSTXdfhlmrsu") | {ord("p"), ord("q")}


def _context(raw: bytes, index: int) -> str:
    return repr(raw[max(0, index - 20):index + 40])


def audit(raw: bytes) -> Audit:
    """Parse the output as a terminal would and list everything it must never contain:
    OSC, DCS, APC, PM, SOS, C1 controls (raw or UTF-8 encoded), BEL and other C0
    controls beyond CR, LF and ESC, DEL, escapes outside a small drawing set, CSI
    sequences that make a terminal answer, and bidirectional or invisible format
    characters.

    The one OSC allowed is Textual's own pointer shape, ``ESC ]22;<name> BEL`` with a
    fixed lower-case name (Textual 8 sends it at start and on mouse moves; it carries no
    text from anywhere).  Its BEL terminator is the only BEL Textual writes; the reader
    never rings the bell."""
    result = Audit()
    i, n = 0, len(raw)
    while i < n:
        byte = raw[i]
        if byte == 0x1B:
            match = _CSI.match(raw, i)
            if match:
                result.csi.append(match.group())
                params, intermediates, final = match.groups()
                allowed = final[0] in _CSI_FINALS
                if final == b"p" and not (intermediates == b"$" and params.startswith(b"?")):
                    allowed = False  # only DECRQM (CSI ? Ps $ p) of the p finals
                if final == b"q" and intermediates != b" ":
                    allowed = False  # only DECSCUSR (cursor shape)
                if not allowed:
                    result.violations.append(f"CSI {match.group()!r} at {i}: {_context(raw, i)}")
                i = match.end()
                continue
            two = raw[i:i + 2]
            three = raw[i:i + 3]
            if three in _ALLOWED_ESC:
                i += 3
                continue
            if two in _ALLOWED_ESC:
                i += 2
                continue
            pointer = POINTER_SHAPE.match(raw, i)
            if pointer:  # OSC 22 with a fixed shape name: Textual's, no text from anywhere
                i = pointer.end()
                continue
            kinds = {b"]": "OSC", b"P": "DCS", b"_": "APC", b"^": "PM", b"X": "SOS", b"c": "RIS"}
            kind = kinds.get(raw[i + 1:i + 2], "ESC")
            result.violations.append(f"{kind} at {i}: {_context(raw, i)}")
            i += 2
            continue
        if byte < 0x20 and byte not in (0x0A, 0x0D):
            name = "BEL" if byte == 7 else f"C0 0x{byte:02X}"
            result.violations.append(f"{name} at {i}: {_context(raw, i)}")
        elif byte == 0x7F:
            result.violations.append(f"DEL at {i}: {_context(raw, i)}")
        i += 1
    text = raw.decode("utf-8", "replace")
    for index, char in enumerate(text):
        code = ord(char)
        if 0x80 <= code <= 0x9F:
            result.violations.append(f"C1 U+{code:04X} (UTF-8 {char.encode()!r}) at char {index}")
        elif unicodedata.category(char) in ("Cf", "Cs") and code not in (0x200C, 0x200D):
            result.violations.append(f"format character U+{code:04X} at char {index}: "
                                     f"{text[max(0, index - 20):index + 20]!r}")
    raw_c1 = [i for i, b in enumerate(raw) if 0x80 <= b <= 0x9F and _is_lone_c1(raw, i)]
    for index in raw_c1[:5]:
        result.violations.append(f"raw 8-bit C1 byte 0x{raw[index]:02X} at {index}: {_context(raw, index)}")
    return result


def _is_lone_c1(raw: bytes, index: int) -> bool:
    """A byte 0x80-0x9F that is not a UTF-8 continuation byte of a valid character."""
    start = index
    while start > 0 and index - start < 3 and 0x80 <= raw[start] <= 0xBF:
        start -= 1
    lead = raw[start]
    if lead < 0xC2 or lead > 0xF4:
        return True
    width = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    try:
        raw[start:start + width].decode("utf-8")
    except UnicodeDecodeError:
        return True
    return not start < index < start + width

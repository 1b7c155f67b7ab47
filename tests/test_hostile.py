"""Hostile briefs, proved through the real program (issue 8, items 1 and 2).

The corpus (tests/hostile/corpus/ plus what tests/hostile/make_corpus.py generates: a
60 MB file, 50,000-deep nesting, invalid UTF-8, binary data, a FIFO, device links,
symlink loops, unreadable files, file names carrying escapes and markup) is fed to:

1. the loader, in-process: the documented outcome for every case, problems with real
   positions, messages with no control characters, bounded time;
2. every command line command (check, search, review status/export, show, export),
   each case in a folder of its own, output captured without a terminal: no ESC, C1,
   BEL or bidi/invisible character in any output, no traceback, the documented exit
   statuses and ``path:line:column: error: message`` lines;
3. the installed reader in a real pseudo-terminal (80x24, xterm-256color): a walk
   through each of a representative set of briefs, then a library folder holding every
   case at once, with every entry opened.  The raw bytes written to the terminal are
   parsed as a terminal would parse them (tests/hostile/terminal.py ``audit``), and a
   terminal emulator (pyte) shows what a reader would see: the escapes as ``^[``,
   bidi overrides as ``<U+202E>``, markup as literal text.

Every leak and crash these tests found has been fixed; each has a regression test under
"Findings" at the end of this file.  A
new finding goes into KNOWN with a strict xfail test, and the walks leave out exactly
the step that triggers it (LIBRARY_EXCLUDED, NOT_OPENED, CLI_SKIP), so that everything
else stays proved; once fixed, the xfail test passes, which fails the suite (strict):
delete the entry and the marker.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import subprocess
import sys
import time
import unicodedata
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("pyte")

from hostile import make_corpus as corpus  # noqa: E402  (tests/ is on sys.path)
from hostile.terminal import Terminal, audit  # noqa: E402

from briefreader.loader import load_brief, load_library  # noqa: E402
from briefreader.sanitize import clean_line  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = corpus.cases()
BY_NAME = {case.name: case for case in CASES}
CLI_DEADLINE = 20.0  # seconds per command; each takes well under one

# ---------------------------------------------------------------------------
# Known leaks and crashes (reported; each proved by a strict xfail test below)

KNOWN: dict[str, str] = {}  # key -> what is wrong, where (file, function), and how it shows
LIBRARY_EXCLUDED: dict[str, str] = {}  # case name -> KNOWN key: breaks a whole library
NOT_OPENED: dict[str, str] = {}  # case name -> KNOWN key: the library walk must not open it
CASE_KNOWN: dict[str, str] = {}  # case name -> KNOWN key: the loader and command tests fail on it
CLI_SKIP: dict[tuple[str, str], str] = {}  # (case name, command) -> KNOWN key: left out


def known(key: str, run: bool = True):
    return pytest.mark.xfail(strict=True, run=run, reason=KNOWN[key])


# ---------------------------------------------------------------------------
# What may never appear in output


C0_ALLOWED = {0x0A, 0x09}


def unsafe_in_output(data: bytes) -> list[str]:
    """Everything in non-terminal output that a terminal would act on, or hide."""
    found = []
    for index, byte in enumerate(data):
        if (byte < 0x20 and byte not in C0_ALLOWED) or byte == 0x7F:
            found.append(f"byte 0x{byte:02X} at {index}: {data[max(0, index - 30):index + 30]!r}")
            if len(found) > 5:
                return found
    text = data.decode("utf-8", "replace")
    for index, char in enumerate(text):
        code = ord(char)
        if 0x80 <= code <= 0x9F or (unicodedata.category(char) in ("Cf", "Cs")
                                     and code not in (0x200C, 0x200D)):
            found.append(f"U+{code:04X} at char {index}: {text[max(0, index - 30):index + 30]!r}")
            if len(found) > 5:
                return found
    return found


def check_message_safe(message: str) -> None:
    for char in message:
        assert char != "\n" and unicodedata.category(char) not in ("Cc", "Cs") and (
            unicodedata.category(char) != "Cf" or char in "\u200c\u200d"), (
            f"control or format character U+{ord(char):04X} in {message!r}")


# ---------------------------------------------------------------------------
# The corpus on disk


@pytest.fixture(scope="session")
def hostile_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    yield root
    corpus.undo_modes(root)


@pytest.fixture(scope="session")
def solo(hostile_root):
    """Each case alone in a folder of its own: name -> (folder, path)."""
    made = {}
    for index, case in enumerate(CASES):
        folder = hostile_root / "solo" / f"{index:02d}"
        ((_, path),) = corpus.build(folder, only=[case])
        made[case.name] = (folder, path)
    return made


@pytest.fixture(scope="session")
def library(hostile_root):
    """Every case (but those that break a whole library) in one library folder."""
    folder = hostile_root / "lib"
    corpus.build(folder, only=[c for c in CASES if c.name not in LIBRARY_EXCLUDED])
    return folder


# ---------------------------------------------------------------------------
# 1. The loader, in-process


FILE_LEVEL = {"too-large", "not-a-file", "unreadable"}  # problems with no position (line 0)


def position_ok(problem, data: bytes | None) -> None:
    if problem.line == 0:
        assert problem.code in FILE_LEVEL, f"line 0 for a {problem.code} problem: {problem}"
        assert problem.column == 0
        return
    assert problem.line >= 1 and problem.column >= 1, str(problem)
    if data is not None:
        lines = data.decode("utf-8", "replace").removeprefix("\ufeff").split("\n")
        assert problem.line <= len(lines), f"line {problem.line} past the end ({len(lines)}): {problem}"
        assert problem.column <= len(lines[problem.line - 1]) + 1, \
            f"column {problem.column} past the end of line {problem.line}: {problem}"


def _loader_params():
    for case in CASES:
        marks = [known(CASE_KNOWN[case.name])] if case.name in CASE_KNOWN else []
        yield pytest.param(case.name, marks=marks, id=case.name.encode("unicode_escape").decode())


@pytest.mark.parametrize("name", _loader_params())
def test_loader_gives_the_documented_outcome(name, solo):
    case = BY_NAME[name]
    folder, path = solo[name]
    started = time.monotonic()
    if path.is_dir() and not path.is_symlink():
        library = load_library(path)
        entries, problems = library.entries, list(library.problems)
        assert case.opens == bool(library.briefs), [str(p) for e in entries for p in e.problems]
        for entry in entries:
            problems.extend(entry.problems)
    else:
        entry = load_brief(path)
        problems = list(entry.problems)
        assert (entry.brief is not None) == case.opens, [str(p) for p in problems]
        if not case.opens and case.code:
            first = next(p for p in problems if p.is_error)
            assert first.code == case.code, str(first)
    assert time.monotonic() - started < 10
    data = None
    if path.is_file() and os.access(path, os.R_OK) and path.stat().st_size < 10_000_000:
        data = path.read_bytes()
    for problem in problems:
        position_ok(problem, data if Path(problem.path).name == clean_line(path.name) else None)
        check_message_safe(problem.message)
        check_message_safe(problem.path)


# ---------------------------------------------------------------------------
# 2. The command line, no terminal


class ForkRunner:
    """tests/hostile/forkrun.py: briefreader.cli.run in a fresh forked child per command;
    one server a core, so that a case's commands run side by side."""

    def __init__(self, home: Path, servers: int = min(2, os.cpu_count() or 1)) -> None:
        self.home = home
        self.idle: queue.Queue[subprocess.Popen] = queue.Queue()
        self.all = []
        for _ in range(servers):
            server = subprocess.Popen(
                [sys.executable, str(HOSTILE / "forkrun.py")], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True, cwd=ROOT,
                env={**os.environ, "BRIEFREADER_HOME": str(home), "LANG": "C.UTF-8",
                     "LC_ALL": "C.UTF-8", "NO_COLOR": "1"})
            self.all.append(server)
            self.idle.put(server)

    def __call__(self, argv: list[str], cwd: Path, timeout: float = CLI_DEADLINE) -> "Result":
        request = {"argv": argv, "cwd": str(cwd), "timeout": timeout,
                   "env": {"BRIEFREADER_HOME": str(self.home), "COLUMNS": "80"}}
        server = self.idle.get()
        try:
            server.stdin.write(json.dumps(request) + "\n")
            server.stdin.flush()
            answer = json.loads(server.stdout.readline())
        finally:
            self.idle.put(server)
        return Result(argv, answer["rc"], base64.b64decode(answer["stdout"]),
                      base64.b64decode(answer["stderr"]), answer["seconds"], answer["timed_out"])

    def many(self, commands: list[list[str]], cwd: Path, timeout: float = CLI_DEADLINE) -> list["Result"]:
        with ThreadPoolExecutor(len(self.all)) as pool:
            return list(pool.map(lambda argv: self(argv, cwd, timeout), commands))

    def close(self) -> None:
        for server in self.all:
            server.stdin.close()
            server.wait(timeout=10)
            server.stdout.close()


@dataclass
class Result:
    argv: list[str]
    rc: int
    stdout: bytes
    stderr: bytes
    seconds: float
    timed_out: bool

    def __str__(self) -> str:
        return (f"briefreader {' '.join(map(repr, self.argv))} -> {self.rc} in {self.seconds:.2f} s\n"
                f"stdout: {self.stdout[:1500]!r}\nstderr: {self.stderr[:1500]!r}")

    def assert_safe(self, *codes: int) -> None:
        assert not self.timed_out, f"timed out: {self}"
        assert b"Traceback" not in self.stderr, str(self)
        assert self.rc in codes, f"exit status {self.rc}, expected one of {codes}: {self}"
        for stream, data in (("stdout", self.stdout), ("stderr", self.stderr)):
            unsafe = unsafe_in_output(data)
            assert not unsafe, f"{stream} carries {unsafe}: {self}"


@pytest.fixture(scope="session")
def briefreader_cli(tmp_path_factory):
    runner = ForkRunner(tmp_path_factory.mktemp("cli-home"))
    yield runner
    runner.close()


def problem_lines(text: str, shown: str) -> list[re.Match]:
    pattern = re.compile(rf"^{re.escape(shown)}(?::(\d+):(\d+))?: (error|warning): (.+)$")
    return [m for m in (pattern.match(line) for line in text.splitlines()) if m]


def _cli_params():
    for case in CASES:
        marks = [known(CASE_KNOWN[case.name])] if case.name in CASE_KNOWN else []
        yield pytest.param(case.name, marks=marks, id=case.name.encode("unicode_escape").decode())


@pytest.mark.parametrize("name", _cli_params())
def test_every_command_on_every_case(name, solo, briefreader_cli):
    """check, check --format json, search, review status, review export, show, export (4
    formats) on the case alone: safe output, no traceback, documented exit statuses."""
    case = BY_NAME[name]
    folder, path = solo[name]
    arg = path.name  # run inside the case's folder: paths print as the bare file name
    shown = clean_line(arg)
    is_folder = path.is_dir() and not path.is_symlink()
    missing = not path.exists()  # dangling links and symlink loops
    bad = 1 if not missing else 2  # a path that does not resolve is a bad invocation (2)

    brief_commands = [["show"], ["export", "--to", "markdown"], ["export", "--to", "html"],
                      ["export", "--to", "json"], ["export", "--to", "csl-json"], ["review", "export"]]
    commands = [["check", arg], ["check", "--format", "json", arg],
                ["search", "--no-cache", case.find or "pwned", arg], ["review", "status", arg]]
    commands += [] if is_folder else [[*command, arg] for command in brief_commands]
    commands = [argv for argv in commands if (name, argv[0]) not in CLI_SKIP]
    ran = dict(zip(map(tuple, commands),
                   briefreader_cli.many(commands, folder, timeout=5 if case.special else CLI_DEADLINE)))

    def run(*argv: str) -> Result | None:
        return ran.get(argv)

    result = run("check", arg)
    if result:
        result.assert_safe(0 if case.opens else 1, *(() if case.opens else (bad,)))
        if not case.opens and not missing and not is_folder:
            errors = [m for m in problem_lines(result.stdout.decode(), shown) if m.group(3) == "error"]
            assert errors, f"no '{shown}:line:column: error: ...' line: {result}"
        if missing:
            assert shown.encode() in result.stdout + result.stderr or result.rc == 2, str(result)

    result = run("check", "--format", "json", arg)
    if result:
        result.assert_safe(0 if case.opens else 1, *(() if case.opens else (bad,)))
    if result and result.rc != 2:
        report = json.loads(result.stdout)
        data = path.read_bytes() if path.is_file() and os.access(path, os.R_OK) \
            and path.stat().st_size < 10_000_000 else None
        for problem in report["problems"]:
            assert problem["line"] >= 1 and problem["column"] >= 1 or (
                problem["line"] == problem["column"] == 0 and problem["code"] in FILE_LEVEL), problem
            if data is not None and problem["path"] == shown and problem["line"]:
                lines = data.decode("utf-8", "replace").removeprefix("\ufeff").split("\n")
                assert problem["line"] <= len(lines), problem
                assert problem["column"] <= len(lines[problem["line"] - 1]) + 1, problem

    result = run("search", "--no-cache", case.find or "pwned", arg)
    if result:
        result.assert_safe(0, 1, *(() if not missing else (2,)))
        if case.find and case.opens:
            assert result.rc == 0 and result.stdout, str(result)
        if not case.opens and not missing and not is_folder:
            assert b"could not be read" in result.stderr, str(result)

    result = run("review", "status", arg)
    if result:
        result.assert_safe(0 if case.opens else 1, *(() if case.opens else (bad,)))

    if is_folder:
        return
    brief_codes = (0,) if case.opens else (1, 2)  # 2: not a regular file, as a bad invocation
    for command in brief_commands:
        result = run(*command, arg)
        if result is None:
            continue
        result.assert_safe(*brief_codes)
        if case.opens:
            assert result.stdout, str(result)
        else:
            assert result.stderr.strip(), f"no message: {result}"
            if result.rc == 1 and not missing:
                assert problem_lines(result.stderr.decode(), shown) or b"could not be opened" in \
                    result.stderr, str(result)
    assert not list(folder.glob("PWNED*")), "a Python tag ran"


def test_commands_on_the_whole_library(library, briefreader_cli):
    """Every case at once: one check, searches for the hostile words (through the index
    cache, built by the first), review status."""
    result = briefreader_cli(["check", "lib"], library.parent)
    result.assert_safe(1)
    out = result.stdout.decode()
    assert out.rstrip().splitlines()[-1].startswith(f"{len(list(corpus_files(library)))} files checked")
    for query in ("pwned", "bold", "link", "claim", "csi-clear", "etc passwd", "U+202E", "\u202e",
                  "\x1b]0;pwned", "kind:assessment", "\"[bold]\"", "-- -x", "zero*", "gnp"):
        result = briefreader_cli(["search", "--limit", "0", "--", query, "lib"], library.parent)
        result.assert_safe(0, 1, 2)
        assert b"could not be read" in result.stderr or result.rc == 2, str(result)
    result = briefreader_cli(["search", "--json", "--no-cache", "pwned", "lib"], library.parent)
    result.assert_safe(0)
    assert json.loads(result.stdout)["hits"]
    result = briefreader_cli(["review", "status", "lib"], library.parent)
    result.assert_safe(1)
    assert not list(library.parent.glob("PWNED*"))


def corpus_files(folder: Path):
    from briefreader.loader import find_brief_files

    return find_brief_files(folder)[0]


def test_the_installed_program_on_the_whole_library(library):
    """The same through `python -m briefreader` (no forking helper): check and search."""
    env = {**os.environ, "BRIEFREADER_HOME": str(library.parent / "home-m"), "LC_ALL": "C.UTF-8"}
    for argv, codes in ((["check", "lib"], (1,)), (["search", "--no-cache", "pwned", "lib"], (0,)),
                        (["show", "lib/escapes.brief.yaml"], (0,)),
                        (["export", "--to", "markdown", "lib/markup.brief.yaml"], (0,))):
        done = subprocess.run([sys.executable, "-m", "briefreader", *argv], cwd=library.parent,
                              capture_output=True, timeout=CLI_DEADLINE, env=env, stdin=subprocess.DEVNULL)
        result = Result(argv, done.returncode, done.stdout, done.stderr, 0, False)
        result.assert_safe(*codes)


# ---------------------------------------------------------------------------
# 3. The reader in a real terminal


@pytest.fixture
def terminal(tmp_path, request):
    started: list[Terminal] = []
    request.node._terminals = started

    def start(args: list[str], cwd: Path, **env: str) -> Terminal:
        home = tmp_path / f"home{len(started)}"
        home.mkdir()
        term = Terminal(args, cwd=cwd, home=home, env=env)
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()


def assert_terminal_safe(term: Terminal, *, must_show: tuple[str, ...] = ()) -> None:
    raw = bytes(term.raw)
    result = audit(raw)
    assert result, "the terminal received what it would act on:\n" + "\n".join(result.violations[:10])
    for fragment in (b"\x1b]0;pwned", b"\x1b]2;pwned", b"\x1b]52;", b"\x1b]8;;file", b"\x1bP+q",
                     b"\x1b[2Jcsi", b"\x1b[31mcsi", b"\xc2\x9b", b"\xc2\x9d", b"\x1b_G", b"\x1bc",
                     "\u202e".encode(), "\u2066".encode(), "\u200b".encode()):
        assert fragment not in raw, f"{fragment!r} reached the terminal"
    assert term.screen.title == "" and term.screen.icon_name == "", \
        f"the window title was set: {term.screen.title!r} {term.screen.icon_name!r}"
    for fragment in must_show:
        assert term.ever_seen(fragment), f"never shown: {fragment!r}\nlast screen:\n{term.text}"


def probe(term: Terminal) -> None:
    """Responsiveness: the help page opens and closes, so every key before it was handled.

    A `?` whose help page never shows is pressed again (at most twice) and reported as a
    warning: the reader sometimes drops a key typed during a screen change (reported,
    tests/hostile/repro_races.py); a reader that stops answering still fails."""
    term.press_until("?", "Keys (from the live bindings)")
    term.press("escape")
    term.wait_gone("Keys (from the live bindings)")


@pytest.fixture(autouse=True)
def _report_lost_keys(request):
    yield
    for term in getattr(request.node, "_terminals", []):
        if term.lost:
            warnings.warn(f"{request.node.name}: keys pressed again after their effect never "
                          f"showed: {term.lost}", stacklevel=1)


VISIBLE = {  # what a reader must see, literally, where the brief had something hostile
    "escapes.brief.yaml": ("^[[2Jcsi-clear", "^[]0;pwned^G", "<U+009B>31mc1-red", "^[]52;c;ZXZpbA==^G",
                           "^[P+q544e^[\\", "bell^G", "back^Hspace", "del^?"),
    "bidi.brief.yaml": ("<U+202E>", "<U+2066>", "<U+200B>", "<U+FEFF>"),
    "markup.brief.yaml": ("[bold]Markup[/]", "[link=file:///etc/passwd]x[/link]", "[@click=app.quit]quit[/]",
                          "[red on white]UNCLASSIFIED[/]"),
    "raw-bidi.brief.yaml": ("<U+202E>", "<U+2066>"),
    "long-word.brief.yaml": ("A 200,000-character word",),
}
SEARCH = {"escapes.brief.yaml": "pwned", "bidi.brief.yaml": "claim", "markup.brief.yaml": "bold",
          "raw-bidi.brief.yaml": "raw", "long-word.brief.yaml": "flood"}


def read_through(term: Terminal, case: corpus.Case, search: str) -> None:
    """Page through everything, the inspector, search in the brief and in the library,
    export the review; each step's effect must show within the key deadline."""
    term.wait_for(case.title)
    term.press("G", "space", "space", "space")
    probe(term)
    term.press("g", "tab", "space", "j", "j", "tab", "space", "j")  # reading pane, inspector
    probe(term)
    term.press("s", "e", "t", "r", "f", "K", "]", "]")
    probe(term)
    term.press_until("w", "Warnings for")
    term.press("space", "q")
    term.wait_gone("Warnings for")
    term.press("/")
    term.press(search)
    term.wait_until(lambda text: any(re.fullmatch(rf"/ {re.escape(search)} .*(\d+/\d+\+?|no match)",
                                                  line.strip()) for line in text.splitlines()),
                    "the search bar with a match count")
    term.press("enter", "n", "n", "N")  # no wait: keys right after enter reach the reader
    probe(term)
    term.press_until("F", "search the library")
    term.press(search)
    term.wait_until(lambda text: re.search(r"\b\d+ hits?\b", text) is not None, "a hit count")
    term.press("escape")
    term.wait_gone("search the library")
    term.press("]", "a")
    term.press_until("E", "review written")
    probe(term)


@pytest.mark.parametrize("name", ["escapes.brief.yaml", "long-word.brief.yaml"])
def test_keys_sent_with_the_enter_of_a_search_reach_the_reader(name, solo, terminal):
    """`/word⏎?` in ONE write, as a paste or an SSH packet delivers it: the search ends
    at the enter and the `?` opens the help, instead of going into the query (before
    the fix, one run in five; every run on the slow-to-draw long-word brief)."""
    case = BY_NAME[name]
    folder, path = solo[name]
    term = terminal([path.name], folder)
    term.wait_for(case.title)
    word = SEARCH[name]
    term.press(f"/{word}\r?")
    term.wait_for("Keys (from the live bindings)")
    term.press("escape")
    term.wait_gone("Keys (from the live bindings)")
    assert not any(line.startswith("/ ") for line in term.text.splitlines()), term.text
    assert f"{word}?" not in term.text


OPENED = ["escapes.brief.yaml", "bidi.brief.yaml", "markup.brief.yaml", "long-word.brief.yaml"]


@pytest.mark.parametrize("name", OPENED)
def test_reader_shows_a_hostile_brief_without_leaking(name, solo, terminal):
    case = BY_NAME[name]
    folder, path = solo[name]
    term = terminal([path.name], folder)
    read_through(term, case, SEARCH[name])
    assert term.quit() == 0
    assert_terminal_safe(term, must_show=VISIBLE[name])
    export = folder / f"{path.name.removesuffix('.brief.yaml')}.review.md"
    assert export.exists(), "E wrote no review export"
    assert not unsafe_in_output(export.read_bytes())


REFUSED = ["python-tag.brief.yaml", "custom-tags.brief.yaml", "alias-bomb.brief.yaml",
           "deep-flow-map.brief.yaml", "huge.brief.yaml", "invalid-utf8.brief.yaml", "binary.brief.yaml",
           "raw-escape.brief.yaml", "escape-ids.brief.yaml", "markup-errors.brief.yaml",
           "bidi-ids.brief.yaml", "fifo.brief.yaml", "zero.brief.yaml"]


@pytest.mark.parametrize("name", REFUSED)
def test_reader_refuses_a_hostile_file_cleanly(name, solo, terminal):
    """`briefreader FILE` on a file that cannot open: the problems, each as
    path:line:column: error: ..., exit status 1, nothing a terminal would act on.  A FIFO
    or device is not a file: a usage error, at once (the reader must not block on it)."""
    case = BY_NAME[name]
    folder, path = solo[name]
    term = terminal([path.name], folder)
    if case.special:
        assert term.wait_for_exit() == 2
        assert term.ever_seen("not a regular file or a folder")
    else:
        assert term.wait_for_exit() == 1
        assert term.ever_seen("could not be opened")
        assert re.search(rf"{re.escape(path.name)}(:\d+:\d+)?: error: ", "".join(
            line.rstrip() for line in term.text.splitlines())), term.text
    assert_terminal_safe(term)
    assert not list(folder.glob("PWNED*"))


SHOWN = ["escapes.brief.yaml", "bidi.brief.yaml", "markup.brief.yaml", "invisible.brief.yaml"]


@pytest.mark.parametrize("name", SHOWN)
def test_show_in_a_terminal(name, solo, terminal):
    """`briefreader show` on a terminal prints in colour (Rich, force_terminal): the brief
    text still reaches the terminal only as visible stand-ins and literal markup."""
    folder, path = solo[name]
    term = terminal(["show", "--width", "78", path.name], folder)
    assert term.wait_for_exit() == 0
    raw = bytes(term.raw)
    assert b"\x1b[" in raw, "expected colour on a terminal"
    assert_terminal_safe(term)
    printed = re.sub(rb"\x1b\[[0-9;:?]*[A-Za-z]", b"", raw).decode("utf-8", "replace")
    for fragment in VISIBLE.get(name, ("<U+E0001>", "<U+00AD>")):
        assert fragment in printed.replace("\r\n", "\n"), f"never printed: {fragment!r}"


def test_show_through_the_pager(solo, terminal):
    """`show --pager` pipes the rendering through less -R, which passes escape sequences
    through: so only briefreader's own colour codes may be in what it pipes."""
    folder, path = solo["escapes.brief.yaml"]
    term = terminal(["show", "--pager", path.name], folder)
    term.wait_for("Escapes ^[[2Jcsi-clear")
    term.press("G")
    term.press("q")
    assert term.wait_for_exit() == 0
    assert_terminal_safe(term)


def library_key(case: corpus.Case) -> str:
    """What to type in the library filter to bring up exactly this case's entry."""
    inner = {"loop-folder": "inside-loop", "unreadable-folder": "in-unreadable-folder",
             "folder.brief.yaml": "in-suffixed-folder"}
    if case.name in inner:
        return f"/{inner[case.name]}.brief.yaml"
    if case.name.startswith("name-\udcff"):
        return "name-bad-bytes"
    return "/" + clean_line(case.name)


# Failed files whose own problem page is opened in the library walk: the page title is made
# from the file name.  Every other failed file is drawn on the library list and on the
# library's problems page, both paged through to the end.
OPEN_FAILED = {corpus.NEWLINE_NAME, corpus.MARKUP_NAME, "escape-ids.brief.yaml", "fifo.brief.yaml"}


def test_reader_shows_every_case_in_one_library(library, terminal):
    """The library folder with every case: the list and the problems page paged through
    to the end (so every file's row and every problem is drawn), every brief that opens
    opened, the problem pages of the failed files with hostile names, library search;
    then the raw output is audited and the screen checked for the visible stand-ins."""
    term = terminal(["lib"], library.parent)
    term.wait_for("briefreader · library", "could not be opened")
    term.wait_until(lambda text: "Loading" not in text, "the library loaded")
    entries = len(load_library(library).entries)
    term.press(*["space"] * (entries // 8 + 2))  # two rows an entry, 20 rows a page
    probe(term)
    term.press_until("w", "Problems in the library")
    term.press(*["space"] * 16, "G")
    probe_after = "Problems in the library"
    term.wait_for(probe_after)
    term.press("q")
    term.wait_gone(probe_after)
    opened = 0
    for case in CASES:
        if case.name in LIBRARY_EXCLUDED or case.name in NOT_OPENED:
            continue
        if not (case.opens or case.name in OPEN_FAILED):
            continue
        term.press("/", "ctrl+u", library_key(case), "enter")
        if case.opens:
            term.wait_for(case.title)
            term.wait_until(lambda text: "briefreader · library" not in text, "the brief screen")
            term.press("q")
            term.wait_for("briefreader · library")
        else:
            term.wait_for("could not be opened", "esc/q closes")
            term.press("q")
            term.wait_gone("esc/q closes")
        opened += 1
    assert opened >= 18
    term.press_until("F", "search the library")
    term.press("pwned")
    term.wait_until(lambda text: re.search(r"\b\d+ hits?\b", text) is not None, "a hit count")
    term.press("down", "down", "escape")
    term.wait_gone("search the library")
    probe(term)
    assert term.quit() == 0
    assert_terminal_safe(term, must_show=(
        "^[]0;pwned^G", "<U+202E>", "[bold]Markup[/]", "name-^[]0;pwned^G-^[[2J.brief.yaml",
        "name-<U+202E>gnp.exe", "name- forged.brief.yaml", "aliases expand to more than",
        "nesting deeper than", "over the 32 MiB limit", "not a regular file (a FIFO)",
        "unsafe YAML tag", "invalid UTF-8", "raw control character ^[", "binary data",
        "not a regular file (a device)", "Too many levels of symbolic links",
        "[link='https:evil.example']name-markup[bold].brief.yaml could"))


# ---------------------------------------------------------------------------
# Findings: each leak or crash these tests found, fixed, kept as a regression test


def test_finding_markup_in_a_followed_url_is_shown_literally(solo, terminal):
    """Following a related URL showed it in a notification parsed as markup:
    [link='file:///etc/passwd'] became an OSC 8 hyperlink, [@click=...] a live action, and
    malformed markup ([link=file:///x]) ended the reader with a MarkupError traceback."""
    folder, path = solo["markup.brief.yaml"]
    term = terminal([path.name], folder)
    term.wait_for("[bold]Markup[/]")
    term.press("r", "tab", "j", "1")  # the first related item: a URL made of markup
    term.wait_for("not opened")
    term.press("j", "1", "j", "1", "j", "1")
    probe(term)
    assert term.quit() == 0
    assert_terminal_safe(term, must_show=("[link='file:///etc/passwd']innocent[/link]",))


def test_finding_a_file_named_with_markup_keeps_its_name(hostile_root, terminal):
    """A failed file's problem page had the file name as its border title, parsed as
    markup: [link='https:evil.example']x.brief.yaml emitted an OSC 8 hyperlink and the
    tags vanished from the title; [link=a:b]x.brief.yaml raised MarkupError."""
    folder = hostile_root / "filename-markup" / "lib"
    corpus.build(folder, only=[BY_NAME[corpus.MARKUP_NAME]])
    (folder / "[link=a:b]x.brief.yaml").write_text("briefreader: 1\nid: [\n")
    term = terminal(["lib"], folder.parent)
    term.wait_for("could not be opened")
    for key in ("/[link='https", "/[link=a:b]"):
        term.press("escape", "/")
        term.press(key, "enter")
        term.wait_for("esc/q closes")
        term.press("q")
        term.wait_gone("esc/q closes")
    assert term.quit() == 0
    assert_terminal_safe(term, must_show=("[link='https:evil.example']name-markup[bold].brief.yaml could",
                                          "[link=a:b]x.brief.yaml could not"))


def test_finding_a_library_folder_named_with_escapes(hostile_root, terminal):
    """The library's status line showed the folder as given, unsanitised: a folder named
    lib-ESC]0;pwned... sent ESC ]0;pwned to the terminal."""
    folder = hostile_root / "folder-name" / "lib-\x1b]0;pwned\x07-\x1b[2J"
    corpus.build(folder, only=[BY_NAME["markup.brief.yaml"]])
    term = terminal([folder.name], folder.parent)
    term.wait_for("lib-^[]0;pwned^G-^[[2J")
    assert term.quit() == 0
    assert_terminal_safe(term)


def test_finding_every_format_character_is_shown(solo, terminal):
    """sanitize.clean replaced a fixed list of format characters; U+00AD, U+180E,
    U+2061-2064, U+206A-206F, the tag characters (hidden ASCII) and 130 more Cf code
    points reached the screen and every output."""
    folder, path = solo["invisible.brief.yaml"]
    term = terminal([path.name], folder)
    term.wait_for("Invisible format characters")
    term.press("j")
    probe(term)
    assert term.quit() == 0
    assert_terminal_safe(term, must_show=("<U+E0001>", "<U+00AD>"))


def test_finding_a_claim_embedded_and_listed_opens(solo, terminal):
    """A section that embeds a claim and also lists it under claims: (valid; check finds
    nothing) gave the outline one id twice: DuplicateID, and a blank screen for good."""
    folder, path = solo["dup-outline.brief.yaml"]
    term = terminal([path.name], folder)
    term.wait_for("A claim embedded and listed")
    assert term.quit() == 0
    assert_terminal_safe(term)


def test_finding_aliased_text_counts_toward_the_expansion_limit(solo):
    """One 20 KB string aliased 5,000 times (a 51 KB file of 5,001 nodes) expanded to
    100 MB of text: the reader never showed it (over 60 s, over 3 GB), show took 45 s."""
    _, path = solo["alias-amplified.brief.yaml"]
    started = time.monotonic()
    entry = load_brief(path)
    assert entry.brief is None and entry.problems[0].code == "alias-bomb", entry.problems
    assert time.monotonic() - started < 5


def test_finding_check_beside_a_fifo_does_not_block(hostile_root, briefreader_cli):
    """check of one file read the id of every *.brief.yaml beside it with open(): a FIFO
    there (or the FIFO itself, checked) blocked it forever."""
    folder = hostile_root / "fifo-neighbour"
    corpus.build(folder, only=[BY_NAME["escapes.brief.yaml"], BY_NAME["fifo.brief.yaml"]])
    briefreader_cli(["check", "escapes.brief.yaml"], folder, timeout=5).assert_safe(0)
    briefreader_cli(["check", "fifo.brief.yaml"], folder, timeout=5).assert_safe(1)


def test_finding_a_symlink_loop_in_a_library(hostile_root, briefreader_cli, terminal):
    """Path.resolve() raises RuntimeError on a symlink loop (Python 3.11): check FOLDER
    and review status FOLDER died with a traceback, the reader's library stayed at
    'Loading…'."""
    folder = hostile_root / "symlink-loop"
    corpus.build(folder, only=[BY_NAME["escapes.brief.yaml"], BY_NAME["loop.brief.yaml"],
                               BY_NAME["loop-a.brief.yaml"]])
    result = briefreader_cli(["check", "."], folder)
    result.assert_safe(1)
    assert b"symbolic links" in result.stdout, str(result)
    briefreader_cli(["review", "status", "."], folder).assert_safe(1)
    briefreader_cli(["search", "--no-cache", "pwned", "."], folder).assert_safe(0)
    term = terminal(["."], folder)
    term.wait_for("1 brief in", "3 could not be opened")
    assert term.quit() == 0
    assert_terminal_safe(term)


def test_finding_search_beside_a_file_named_in_bytes(hostile_root, briefreader_cli):
    """A file whose name is not UTF-8 made search (and the reader's library search) die
    with UnicodeEncodeError: surrogates not allowed."""
    folder = hostile_root / "surrogate-name"
    corpus.build(folder, only=[BY_NAME["escapes.brief.yaml"], BY_NAME[corpus.BAD_BYTES_STR]])
    briefreader_cli(["search", "--no-cache", "pwned", "."], folder).assert_safe(0)

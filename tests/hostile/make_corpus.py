"""Build the hostile corpus: the committed briefs in corpus/ plus everything that cannot
or should not be committed (large files, binary files, FIFOs, device links, symlink
loops, unreadable files, file names that carry escapes or markup), generated fresh.

    python tests/hostile/make_corpus.py DEST            # every case in one library folder
    python tests/hostile/make_corpus.py DEST --solo     # each case in its own folder
    python tests/hostile/make_corpus.py DEST --no-huge  # without the 60 MB sparse file

Each case records what briefreader must make of it: ``opens`` (the brief loads with
no error) or the ``code`` of its first error.  Committed files say so in their first
line (``# expect: opens`` or ``# expect: error CODE``), as the problem fixtures do.
Everything here is deterministic and takes well under a second (the 60 MB file is
sparse: a header and a hole).
"""

from __future__ import annotations

import argparse
import os
import random
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

CORPUS = Path(__file__).resolve().parent / "corpus"
HUGE_SIZE = 60 * 1024 * 1024
LONG_WORD = 200_000
DEPTH = 50_000

HEADER = "briefreader: 1\nid: {id}\ntitle: {title}\ndate: 2025-01-01\n" \
         "handling: {{classification: UNCLASSIFIED, tlp: CLEAR}}\n"


@dataclass(frozen=True)
class Case:
    """One hostile input: a file name inside the library folder and what must happen."""

    name: str
    make: Callable[[Path], None]  # writes ``folder / name`` (or a link, FIFO, folder)
    opens: bool = False
    code: str = ""  # code of the first error when it does not open ("" for "any error")
    what: str = ""
    title: str = ""  # a fragment of the title shown once it opens
    find: str = ""  # a word that is in it, for search
    special: bool = False  # not a plain file: FIFO, device, link or folder
    expensive: bool = False  # large on disk (sparse): left out of --no-huge

    @property
    def is_file(self) -> bool:
        return not self.special


def _write(text: str | bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return make


def _header(case_id: str, title: str = "Generated hostile brief") -> str:
    return HEADER.format(id=case_id, title=title)


def _committed() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob("*.brief.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        expect = first.removeprefix("# expect:").split()
        opens = expect[0] == "opens"
        title, find = "", "claim" if opens else ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# find: "):
                find = line.removeprefix("# find: ").strip()
            if line.startswith("title: "):
                title = line.split('"')[1].split(" ")[0] if '"' in line else line[7:].split(" ")[0]
        cases.append(Case(path.name, _write(path.read_bytes()), opens=opens,
                          code="" if opens else expect[1], what=f"committed: {path.name}",
                          title=title, find=find))
    return cases


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        os.symlink(target, path)
    return make


def _loop_pair(path: Path) -> None:
    os.symlink("loop-b.brief.yaml", path)
    os.symlink(path.name, path.with_name("loop-b.brief.yaml"))


def _folder_loop(path: Path) -> None:
    """A folder with a symlink to its parent and one to itself, and a brief inside."""
    path.mkdir()
    os.symlink("..", path / "up")
    os.symlink(".", path / "self")
    (path / "inside-loop.brief.yaml").write_text(
        _header("inside-loop", "Inside a looping folder") +
        "bluf: A brief in a folder with symlink loops around it.\n", encoding="utf-8")


def _unreadable(path: Path) -> None:
    path.write_text(_header("unreadable", "Unreadable file") +
                    "bluf: Readable only by root, who ignores the mode.\n", encoding="utf-8")
    path.chmod(0)


def _unreadable_folder(path: Path) -> None:
    path.mkdir()
    (path / "in-unreadable-folder.brief.yaml").write_text(
        _header("in-unreadable-folder", "In an unreadable folder"), encoding="utf-8")
    path.chmod(0)


def _huge(path: Path) -> None:
    """60 MiB: a valid start, then a hole (no disk blocks, instant to make)."""
    with open(path, "wb") as handle:
        handle.write(_header("huge", "Sixty megabytes").encode() + b"bluf: |\n  ")
        handle.truncate(HUGE_SIZE)


def _long_word(path: Path) -> None:
    flood = "\\e[2J" * 20_000  # YAML escapes: 20,000 ESC once parsed
    word = "".join(random.Random(1).choice("abcdefghijklmnopqrstuvwxyz") for _ in range(LONG_WORD))
    path.write_text(
        _header("long-word", "A 200,000-character word") +
        f"bluf: A claim follows whose text is one enormous word [[c-word]].\n"
        f"claims:\n  - id: c-word\n    kind: assessment\n    text: \"claim {word} end\"\n"
        f"  - id: c-escapes\n    kind: assessment\n    text: \"claim escape flood {flood}\"\n"
        f"sources:\n  - id: s-long\n    type: webpage\n    URL: \"https://example.org/{word[:50_000]}\"\n"
        f"entities:\n  - id: e-long\n    type: other\n    name: \"{word[:100_000]}\"\n",
        encoding="utf-8")


def _long_line(path: Path) -> None:
    """The whole brief on one line of about 700 KB (flow style), many words."""
    rng = random.Random(2)
    words = ["assessment", "claim", "source", "missile", "Belarus", "\\e[2J", "\\u202E"]
    body = " ".join(rng.choice(words) for _ in range(60_000))
    claims = ", ".join(f'{{id: c-{i}, kind: assessment, text: "claim {i} {body[:2000]}"}}' for i in range(100))
    path.write_text(
        '{briefreader: 1, id: long-line, title: "A brief on one long line", date: 2025-01-01, '
        f'handling: {{classification: UNCLASSIFIED, tlp: CLEAR}}, bluf: "{body}", '
        f'claims: [{claims}]}}\n', encoding="utf-8")


def _deep(kind: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        case_id = path.name.removesuffix(".brief.yaml")
        if kind == "flow-seq":
            nested = "[" * DEPTH + "]" * DEPTH
        elif kind == "flow-map":
            nested = "{a: " * DEPTH + "x" + "}" * DEPTH
        else:  # block sequence: "- - - - x" nests one level per dash on one line
            nested = "\n  " + "- " * DEPTH + "x"
        path.write_text(_header(case_id, "Nested 50,000 levels") + f"x-deep: {nested}\n", encoding="utf-8")
    return make


def _alias_amplified(path: Path) -> None:
    """Few nodes, much text: one 20 KB string aliased 5,000 times (100 MB once expanded)."""
    big = "lorem " * 3_400
    aliases = ", ".join(["*big"] * 5_000)
    path.write_text(HEADER.format(id="alias-amplified", title="One string aliased 5,000 times")
                    .replace("tlp: CLEAR}", f"tlp: CLEAR, notices: [&big \"{big}\", {aliases}]}}"),
                    encoding="utf-8")


def _invalid_utf8(case_id: str, bad: bytes, at_end: bool = False) -> Callable[[Path], None]:
    head = _header(case_id, "Invalid UTF-8").encode()
    if at_end:
        return _write(head + b"bluf: truncated at the end " + bad)
    return _write(head + b"bluf: bytes \"" + bad + b"\" in the middle\n")


def _binary(path: Path) -> None:
    path.write_bytes(random.Random(3).randbytes(64 * 1024))


def _elf(path: Path) -> None:
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(200))


def _utf16(path: Path) -> None:
    path.write_bytes(b"\xff\xfe" + _header("utf16").encode("utf-16-le"))


def _raw(case_id: str, raw: str) -> Callable[[Path], None]:
    return _write(_header(case_id, f"Raw {raw!r}"[:40].replace('"', "'").replace(":", " ")) +
                  f"bluf: \"raw characters {raw} in the file\"\n")


def _line_breaks(path: Path) -> None:
    text = (_header("line-breaks", "Line breaks of every kind") +
            "bluf: \"crlf and lone CR and NEL and LS\"\r\n"
            "claims:\r  - id: c-1\r    kind: assessment\r    text: first\u0085  - id: c-2\u2028"
            "    kind: assessment\u2029    text: \"second [[c-1]]\"\n")
    path.write_bytes(text.encode("utf-8"))


def _bom(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + (_header("bom", "Starts with a byte order mark") +
                                         "bluf: \"and one \ufeff inside\"\n").encode())


def _raw_bidi(path: Path) -> None:
    """Raw (unescaped) overrides, the way Trojan Source files carry them."""
    path.write_text(_header("raw-bidi", "Raw \u202eevil\u202c bidi") +
                    "bluf: \"access \u202e \u2066// admin only\u2069 \u2066 granted\"\n"
                    "claims:\n  - id: c-raw\n    kind: assessment\n    text: \"raw \u202eefas\u202c ok\"\n",
                    encoding="utf-8")


def _named(case_id: str, content_error: bool = False) -> Callable[[Path], None]:
    """A file whose *name* is the attack; the content is plain (or plainly broken)."""
    text = _header(case_id, "Hostile file name") + "bluf: The file name is the attack.\n"
    if content_error:
        text += "type: not-a-type\n"
    return _write(text)


def _dir_with_suffix(path: Path) -> None:
    path.mkdir()
    (path / "in-suffixed-folder.brief.yaml").write_text(
        _header("in-suffixed-folder", "In a folder named like a brief"), encoding="utf-8")


ESC_NAME = "name-\x1b]0;pwned\x07-\x1b[2J.brief.yaml"
BIDI_NAME = "name-\u202egnp.exe.brief.yaml"
NEWLINE_NAME = "name-\nforged.brief.yaml:1:1: error: forged line.brief.yaml"
MARKUP_NAME = "[link='https:evil.example']name-markup[bold].brief.yaml"
BAD_BYTES_NAME = b"name-\xff\xfe.brief.yaml"
BAD_BYTES_STR = os.fsdecode(BAD_BYTES_NAME)


def generated() -> list[Case]:
    return [
        Case("huge.brief.yaml", _huge, code="too-large", what="60 MiB (sparse)", expensive=True),
        Case("deep-flow-seq.brief.yaml", _deep("flow-seq"), code="bad-yaml",
             what="[[[[ 50,000 deep (libyaml's own flow-level limit, 1,000, fires first)"),
        Case("deep-flow-map.brief.yaml", _deep("flow-map"), code="too-deep", what="{a: {a: 50,000 deep"),
        Case("deep-block-seq.brief.yaml", _deep("block-seq"), code="too-deep", what="- - - - 50,000 deep"),
        Case("alias-amplified.brief.yaml", _alias_amplified, code="alias-bomb",
             what="a 20 KB string aliased 5,000 times (100 MB once expanded)"),
        Case("long-word.brief.yaml", _long_word, opens=True, title="A 200,000", find="flood",
             what="a 200,000-character word; 20,000 escapes in one claim"),
        Case("long-line.brief.yaml", _long_line, opens=True, title="A brief on one", find="missile",
             what="the whole brief on one 700 KB line"),
        Case("invalid-utf8.brief.yaml", _invalid_utf8("invalid-utf8", b"\xff\xfe"), code="not-utf8"),
        Case("overlong-utf8.brief.yaml", _invalid_utf8("overlong-utf8", b"\xc0\xaf\xe0\x80\xaf"),
             code="not-utf8"),
        Case("surrogate-utf8.brief.yaml", _invalid_utf8("surrogate-utf8", b"\xed\xa0\x80"), code="not-utf8"),
        Case("truncated-utf8.brief.yaml", _invalid_utf8("truncated-utf8", b"\xe2\x82", at_end=True),
             code="not-utf8"),
        Case("binary.brief.yaml", _binary, code="", what="64 KiB of random bytes"),
        Case("elf.brief.yaml", _elf, code="binary", what="an ELF header"),
        Case("utf16.brief.yaml", _utf16, code="binary", what="UTF-16 with a BOM"),
        Case("raw-escape.brief.yaml", _raw("raw-escape", "\x1b]0;pwned\x07 \x1b[2J"),
             code="control-character", what="raw ESC and BEL bytes"),
        Case("raw-c1.brief.yaml", _raw("raw-c1", "\u009b31m \u009d0;x\u009c"),
             code="control-character", what="raw C1 controls, UTF-8 encoded"),
        Case("raw-backspace.brief.yaml", _raw("raw-backspace", "abc\b\b\bxyz \x7f"),
             code="control-character", what="raw BS and DEL"),
        Case("raw-bidi.brief.yaml", _raw_bidi, opens=True, title="Raw", what="raw U+202E and isolates"),
        Case("line-breaks.brief.yaml", _line_breaks, opens=True, title="Line breaks",
             what="CRLF, lone CR, NEL, U+2028, U+2029"),
        Case("bom.brief.yaml", _bom, opens=True, title="Starts", what="UTF-8 byte order mark"),
        Case("fifo.brief.yaml", _fifo, code="not-a-file", special=True, what="a FIFO"),
        Case("zero.brief.yaml", _link("/dev/zero"), code="not-a-file", special=True,
             what="a symlink to /dev/zero"),
        Case("urandom.brief.yaml", _link("/dev/urandom"), code="not-a-file", special=True,
             what="a symlink to /dev/urandom"),
        Case("loop.brief.yaml", _link("loop.brief.yaml"), code="unreadable", special=True,
             what="a symlink to itself"),
        Case("loop-a.brief.yaml", _loop_pair, code="unreadable", special=True,
             what="two symlinks to each other"),
        Case("dangling.brief.yaml", _link("/nonexistent/briefreader-test"), code="unreadable",
             special=True, what="a dangling symlink"),
        Case("loop-folder", _folder_loop, opens=True, special=True, title="Inside a looping",
             what="a folder with symlinks to itself and its parent"),
        Case("unreadable.brief.yaml", _unreadable, opens=os.geteuid() == 0, title="Unreadable",
             code="" if os.geteuid() == 0 else "unreadable", what="mode 000"),
        Case("unreadable-folder", _unreadable_folder, opens=os.geteuid() == 0, special=True,
             title="In an unreadable", what="a folder of mode 000"),
        Case("folder.brief.yaml", _dir_with_suffix, opens=True, special=True, title="In a folder",
             what="a folder named like a brief"),
        Case(ESC_NAME, _named("name-esc"), opens=True, title="Hostile file name",
             what="a file name with ESC and BEL"),
        Case(BIDI_NAME, _named("name-bidi"), opens=True, title="Hostile file name",
             what="a file name with U+202E"),
        Case(NEWLINE_NAME, _named("name-newline", content_error=True), code="bad-value",
             what="a file name with a newline that forges a check line"),
        Case(MARKUP_NAME, _named("name-markup", content_error=True), code="bad-value",
             what="a file name made of markup"),
        Case(BAD_BYTES_STR, _named("name-bad-bytes"), opens=True, title="Hostile file name",
             what="a file name that is not valid UTF-8"),
    ]


def cases(*, huge: bool = True) -> list[Case]:
    return [c for c in _committed() + generated() if huge or not c.expensive]


def build(folder: Path, *, huge: bool = True, only: list[Case] | None = None) -> list[tuple[Case, Path]]:
    """Write every case into ``folder`` (one library); return each with its path."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for case in only if only is not None else cases(huge=huge):
        path = folder / case.name
        case.make(path)
        made.append((case, path))
    return made


def build_solo(folder: Path, *, huge: bool = True) -> list[tuple[Case, Path]]:
    """Each case alone in its own folder (so no case is a neighbour of another)."""
    made = []
    for index, case in enumerate(cases(huge=huge)):
        made.extend(build(folder / f"{index:02d}", only=[case]))
    return made


def undo_modes(folder: Path) -> None:
    """Give back read and search permission, so a temporary folder can be removed."""
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            try:
                info = os.lstat(path)
                if not stat.S_ISLNK(info.st_mode) and not info.st_mode & 0o400:
                    os.chmod(path, 0o700 if stat.S_ISDIR(info.st_mode) else 0o600)
            except OSError:
                pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="folder to write (created; must be empty)")
    parser.add_argument("--solo", action="store_true", help="each case in its own folder")
    parser.add_argument("--no-huge", action="store_true", help="leave out the 60 MB file")
    args = parser.parse_args(argv)
    if args.dest.exists() and any(args.dest.iterdir()):
        parser.error(f"{args.dest} is not empty")
    made = (build_solo if args.solo else build)(args.dest, huge=not args.no_huge)
    for case, path in made:
        outcome = "opens" if case.opens else f"error {case.code or '(any)'}"
        print(f"{outcome:28} {path!r}  {case.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

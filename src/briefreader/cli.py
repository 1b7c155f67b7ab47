"""The command line: ``briefreader [PATH]`` and its subcommands.

``main(argv)`` returns the exit status so tests can call it directly; ``run``
is the console-script entry point.  Exit statuses: 0 success, 1 problems found
(or nothing matched), 2 bad invocation.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence, TextIO

from . import __version__
from .loader import load_paths, find_brief_files, neighbour_ids, iter_problems
from .model import ERROR, Problem
from .sanitize import clean_line
from .yamlsafe import DEFAULT_MAX_FILE_SIZE

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad invocation: reported on stderr with exit status 2."""


def _size(text: str) -> int:
    """A size in MiB (``32``) or with a unit (``20M``, ``500k``, ``1G``)."""
    units = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
    text = text.strip().lower().removesuffix("b").removesuffix("i")
    factor = units.get(text[-1:], None)
    number = text[:-1] if factor else text
    try:
        value = float(number) * (factor or 1024 ** 2)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 32 or 20M)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefreader",
        description="A keyboard-first terminal reader for structured analytic briefs.",
    )
    parser.add_argument("--version", action="version", version=f"briefreader {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check", help="validate brief files and folders",
        description="Validate brief files (and folders of them, recursively). Prints one line "
                    "per problem as path:line:column: severity: message, then a summary. "
                    "Exit status: 0 no errors, 1 errors found, 2 bad invocation.")
    check.add_argument("paths", nargs="+", metavar="PATH", help="brief files or library folders")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--max-file-size", type=_size, default=DEFAULT_MAX_FILE_SIZE, metavar="SIZE",
                       help="refuse brief files larger than this (default 32M)")
    check.set_defaults(handler=cmd_check)
    return parser


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    files: list[Path] = []
    folder_problems: list[Problem] = []
    known: set[str] = set()
    for raw in args.paths:
        path = Path(raw)
        if path.is_dir():
            found, problems = find_brief_files(path)
            files.extend(found)
            folder_problems.extend(problems)
        elif path.exists():
            files.append(path)
            known |= neighbour_ids(path)  # a single file's related briefs live beside it
        else:
            raise UsageError(f"no such file or folder: {clean_line(raw)}")
    library = load_paths(dict.fromkeys(files), root=".", max_file_size=args.max_file_size,
                         extra_problems=folder_problems, known_ids=known)
    problems = list(iter_problems(library))
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    failed = len(library.failed)
    if args.format == "json":
        json.dump({
            "files": len(library.entries), "failed": failed, "errors": errors,
            "warnings": warnings, "strict": args.strict,
            "problems": [p.as_dict() for p in problems],
        }, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for problem in problems:
            out.write(f"{problem}\n")
        summary = (f"{_count(len(library.entries), 'file')} checked: {_count(errors, 'error')}, "
                   f"{_count(warnings, 'warning')}")
        if failed:
            summary += f"; {_count(failed, 'brief')} could not be opened"
        if args.strict and warnings:
            summary += " (strict: warnings count as errors)"
        out.write(summary + "\n")
    if errors or (args.strict and warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def bundled_library() -> Path:
    """The briefs/ folder that ships with briefreader (beside src/ in a checkout)."""
    return Path(__file__).resolve().parents[2] / "briefs"


def open_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefreader",
        description="Open a brief file or a library folder in the reader (the default command). "
                    "Other commands: " + ", ".join(SUBCOMMANDS) + " (briefreader COMMAND --help).",
    )
    parser.add_argument("path", nargs="?", metavar="PATH",
                        help="a brief file or a folder of briefs (default: the configured library, "
                             "else the bundled briefs/)")
    parser.add_argument("--version", action="version", version=f"briefreader {__version__}")
    parser.add_argument("--no-state", action="store_true",
                        help="do not read or save reading positions")
    return parser


def cmd_open(args: argparse.Namespace, out: TextIO) -> int:
    from .config import load_config

    config = load_config()
    target = Path(args.path) if args.path else (config.library or bundled_library())
    first = ""
    if args.path and not target.exists():
        raise UsageError(f"no such file or folder: {clean_line(args.path)}")
    if target.is_file():
        from .loader import load_brief

        entry = load_brief(target)
        if entry.brief is None:
            for problem in entry.problems:
                print(problem, file=sys.stderr)
            print(f"briefreader: {clean_line(str(target))} could not be opened", file=sys.stderr)
            return EXIT_PROBLEMS
        first, folder = entry.brief.id, str(target.parent)
    else:
        folder = str(target)
    from .app import BriefReaderApp  # Textual only when the reader really opens

    app = BriefReaderApp(folder, open_brief=first, config=config, remember=not args.no_state)
    app.run()
    return app.return_code or EXIT_OK


SUBCOMMANDS = ("check",)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SUBCOMMANDS + ("-h", "--help"):
        try:
            args = open_parser().parse_args(argv)
        except SystemExit as stop:
            return int(stop.code or 0)
        try:
            return cmd_open(args, out)
        except UsageError as error:
            print(f"briefreader: {error}", file=sys.stderr)
            return EXIT_USAGE
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse has printed its message
        return int(stop.code or 0)
    if args.command is None:
        parser.print_help(out)
        return EXIT_OK
    try:
        return args.handler(args, out)
    except UsageError as error:
        print(f"briefreader: {error}", file=sys.stderr)
        return EXIT_USAGE


def run() -> None:
    """Console-script entry point."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # `briefreader check | head`
        sys.exit(0)

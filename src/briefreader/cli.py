"""The command line: ``briefreader [PATH]`` and its subcommands.

``main(argv)`` returns the exit status so tests can call it directly; ``run``
is the console-script entry point.  Exit statuses: 0 success, 1 problems found
(or nothing matched), 2 bad invocation.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import Sequence, TextIO

from . import __version__, secure
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
    _secure_option(parser)
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

    search = commands.add_parser(
        "search", help="search a library, ranked; grep-like output",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Search brief files and folders (default: the configured library, else the "
                    "bundled briefs/) with a ranked full-text index. Prints one line per hit, "
                    "path:line: kind id: snippet, with the matched words between ** and **. "
                    "Exit status: 0 something matched, 1 nothing matched, 2 bad query or path. "
                    "A query starting with '-' goes after '--'.",
        epilog="The query language:\n" + _query_help())
    search.add_argument("query", metavar="QUERY", help="words, \"phrases\" and filters such as kind:assessment")
    search.add_argument("paths", nargs="*", metavar="PATH", help="brief files or library folders")
    search.add_argument("--json", action="store_true", help="print the hits as one JSON document")
    search.add_argument("--limit", type=_limit, default=50, metavar="N",
                        help="at most N hits, best first (default 50; 0 for all)")
    search.add_argument("--no-cache", action="store_true",
                        help="index in memory; read and write no index file")
    search.set_defaults(handler=cmd_search)
    _add_review_parser(commands)
    _add_output_parsers(commands)
    return parser


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the limit cannot be negative")
    return value


def _query_help() -> str:
    from .index import QUERY_HELP

    return QUERY_HELP


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    from .config import load_config
    from .index import HIT_END, HIT_START, LibraryIndex, QueryError, parse_query
    from .model import display_path

    try:
        query = parse_query(args.query)
    except QueryError as error:
        raise UsageError(f"bad query: {clean_line(str(error))}") from None
    if query.is_empty:
        raise UsageError("nothing to search for: give a word, a \"phrase\" or a filter such as "
                         "kind:assessment (punctuation alone is not indexed)")
    roots = [Path(p) for p in args.paths] or [load_config().library or bundled_library()]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(find_brief_files(root)[0])
        elif root.exists():
            files.append(root)
        else:
            hint = "" if "/" in str(root) else \
                " (a query of several words goes in quotes: briefreader search 'putin kind:claim')"
            raise UsageError(f"no such file or folder: {clean_line(str(root))}{hint}")
    with LibraryIndex.for_paths(roots, cache=not args.no_cache and not secure.active()) as index:
        stats = index.update(files)
        hits = index.search(query, limit=args.limit + 1 if args.limit else None, refresh=False)
        more = bool(args.limit) and len(hits) > args.limit
        hits = hits[:args.limit] if args.limit else hits
        notice = index.notice
    shown: dict[str, str] = {}

    def where(path: str) -> str:
        if path not in shown:
            shown[path] = clean_line(display_path(path))
        return shown[path]

    if args.json:
        import json  # here, not at the top: the reader itself prints no JSON

        json.dump({
            "query": query.text, "files": stats.files, "failed": stats.failed,
            "failed_paths": [where(p) for p in stats.failed_paths],
            "hits": [{
                "path": where(hit.path), "line": hit.line, "brief_id": hit.brief_id,
                "brief_title": hit.brief_title, "brief_date": hit.brief_date, "kind": hit.kind,
                "claim_kind": hit.claim_kind, "key_judgment": hit.key_judgment, "id": hit.item_id,
                "target": hit.target, "snippet": hit.plain_snippet,
                "highlights": hit.highlights(), "score": round(hit.score, 6),
            } for hit in hits],
        }, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for hit in hits:
            snippet = hit.snippet.replace(HIT_START, "**").replace(HIT_END, "**")
            out.write(f"{where(hit.path)}:{hit.line}: {hit.kind} {hit.item_id}: {snippet}\n")
    if notice:
        print(f"briefreader: {clean_line(notice)}", file=sys.stderr)
    if stats.failed:
        print(f"briefreader: {_count(stats.failed, 'brief')} could not be read and "
              f"{'was' if stats.failed == 1 else 'were'} not searched (see briefreader check)",
              file=sys.stderr)
    if more:
        print(f"briefreader: showing the best {args.limit} hits (--limit N for more, 0 for all)",
              file=sys.stderr)
    return EXIT_OK if hits else EXIT_PROBLEMS


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
        import json

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
    parser.add_argument("--no-cache", action="store_true",
                        help="parse every brief afresh; keep nothing in the cache folder")
    _secure_option(parser)
    return parser


def _secure_option(parser: argparse.ArgumentParser) -> None:
    # main() takes --secure out of the arguments wherever it stands; listed here for --help
    parser.add_argument("--secure", action="store_true",
                        help="secure mode (also BRIEFREADER_SECURE=1): write nothing, start "
                             "nothing, read no settings from the environment")


def cmd_open(args: argparse.Namespace, out: TextIO) -> int:
    from .config import load_config

    config = load_config()
    target = Path(args.path) if args.path else (config.library or bundled_library())
    first, entry = "", None
    if args.path and not target.exists():
        raise UsageError(f"no such file or folder: {clean_line(args.path)}")
    if args.path and not (target.is_file() or target.is_dir()):  # a FIFO or a device
        raise UsageError(f"not a regular file or a folder: {clean_line(args.path)}")
    loading = None
    if target.is_file():
        from .loader import load_brief_aside

        loading = load_brief_aside(target)  # parsed on another core while Textual loads
    # Start-up allocates much and frees little: no cyclic collections while Textual is
    # imported and the app built (a full one could land just before the first paint),
    # then what was built is frozen out of later collections.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from .app import BriefReaderApp  # Textual only when the reader really opens

        folder = str(target)
        if loading is not None:
            entry = loading()
            if entry.brief is None:
                for problem in entry.problems:
                    print(problem, file=sys.stderr)
                print(f"briefreader: {clean_line(str(target))} could not be opened", file=sys.stderr)
                return EXIT_PROBLEMS
            first, folder = entry.brief.id, str(target.parent)
        app = BriefReaderApp(folder, open_brief=first, config=config, remember=not args.no_state,
                             use_cache=not args.no_cache, preloaded=entry)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    app.run()
    return app.return_code or EXIT_OK


# -- briefreader review: export a review report, print review progress ----------


def _add_review_parser(commands: argparse._SubParsersAction) -> None:
    review = commands.add_parser(
        "review", help="review reports and progress",
        description="The claim reviews kept by the reader: export a report or print progress. "
                    "Exit status: 0 success, 1 a brief could not be opened (or the report not "
                    "written), 2 bad invocation.")
    actions = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    where = dict(metavar="DIR", help="the folder of review files (default: the config's review_dir, "
                                     "else the data folder)")
    export = actions.add_parser(
        "export", help="a review report for an email or a ticket",
        description="Print the review of a brief: banner, metadata, progress, each reviewed claim "
                    "with status, note, reviewer, time and citations, notes on sources, orphaned "
                    "entries.")
    export.add_argument("brief", metavar="BRIEF", help="a brief file")
    export.add_argument("--format", choices=("markdown", "json"), default="markdown",
                        help="report format (default markdown)")
    export.add_argument("-o", "--output", metavar="FILE",
                        help="write the report to FILE (atomically) instead of standard output")
    export.add_argument("--review-dir", **where)
    export.set_defaults(handler=cmd_review_export)
    status = actions.add_parser(
        "status", help="review progress per brief",
        description="Print one line per brief: id: 12/30 reviewed (agreed 8, disputed 2, "
                    "needs-source 1, flagged 1; 1 stale).")
    status.add_argument("paths", nargs="+", metavar="PATH", help="brief files or folders of briefs")
    status.add_argument("--review-dir", **where)
    status.set_defaults(handler=cmd_review_status)


def _load_for_review(path: Path):
    from .loader import load_brief

    entry = load_brief(path)
    if entry.brief is None:
        for problem in entry.errors:
            print(problem, file=sys.stderr)
        print(f"briefreader: {clean_line(str(path))} could not be opened", file=sys.stderr)
    return entry.brief


def cmd_review_export(args: argparse.Namespace, out: TextIO) -> int:
    from .review import ReviewStore, export_json, export_markdown
    from .storage import write_atomic

    path = Path(args.brief)
    if not path.is_file():
        raise UsageError(f"not a brief file: {clean_line(args.brief)}")
    brief = _load_for_review(path)
    if brief is None:
        return EXIT_PROBLEMS
    store = ReviewStore.open(brief.id, args.review_dir)
    if store.notice:
        print(f"briefreader: {clean_line(store.notice)}", file=sys.stderr)
    if args.format == "json":
        import json

        text = json.dumps(export_json(brief, store), indent=2, ensure_ascii=False) + "\n"
    else:
        text = export_markdown(brief, store)
    if not args.output:
        out.write(text)
        return EXIT_OK
    secure.refuse_if_active("writing files (-o)")
    try:
        write_atomic(Path(args.output), text)
    except OSError as error:
        print(f"briefreader: cannot write {clean_line(args.output)}: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_review_status(args: argparse.Namespace, out: TextIO) -> int:
    from .config import load_config
    from .review import ReviewStore

    files: list[Path] = []
    for raw in args.paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(find_brief_files(path)[0])
        elif path.exists():
            files.append(path)
        else:
            raise UsageError(f"no such file or folder: {clean_line(raw)}")
    if not files:
        print("briefreader: no brief files found", file=sys.stderr)
        return EXIT_PROBLEMS
    config, status = load_config(), EXIT_OK
    for path in files:
        brief = _load_for_review(path)
        if brief is None:
            status = EXIT_PROBLEMS
            continue
        store = ReviewStore.open(brief.id, args.review_dir, config=config)
        out.write(f"{brief.id}: {store.progress(brief).summary()}\n")
        if store.notice:
            print(f"briefreader: {clean_line(store.notice)}", file=sys.stderr)
    return status


# -- briefreader show, export, new, import, completion, manpage -------------------


def _add_output_parsers(commands: argparse._SubParsersAction) -> None:
    from .export import FORMATS

    show = commands.add_parser(
        "show", help="print a brief, as the reader shows it",
        description="Print a brief to standard output with the reader's renderers: banner at the "
                    "top and bottom, front matter, key judgments, sections with claim badges, "
                    "graded citations and the sources at the end. Plain text (no escape codes) "
                    "when the output is not a terminal or NO_COLOR is set. Exit status: 0 "
                    "success, 1 the brief has errors, 2 bad invocation.")
    show.add_argument("brief", metavar="BRIEF", help="a brief file")
    show.add_argument("--section", metavar="ID", help="only this section (and its subsections)")
    show.add_argument("--width", type=_width, metavar="N",
                      help="wrap at N columns (default: the terminal's width, else 80)")
    show.add_argument("--pager", action="store_true",
                      help="page the output through $PAGER, else less -R (only on a terminal)")
    show.set_defaults(handler=cmd_show)

    export = commands.add_parser(
        "export", help="a brief as Markdown, HTML, JSON or CSL-JSON",
        description="Write a brief in another format: markdown (readable, footnoted), html (one "
                    "self-contained printable page, no scripts, nothing loaded from anywhere), "
                    "json (the normalised model) or csl-json (the sources, for Zotero and "
                    "citation processors). Exit status: 0 success, 1 the brief has errors or the "
                    "file could not be written, 2 bad invocation.")
    export.add_argument("brief", metavar="BRIEF", help="a brief file")
    export.add_argument("--to", choices=FORMATS, required=True, metavar="FORMAT",
                        help="one of: " + ", ".join(FORMATS))
    export.add_argument("-o", "--output", metavar="FILE",
                        help="write to FILE (atomically) instead of standard output")
    export.set_defaults(handler=cmd_export)

    new = commands.add_parser(
        "new", help="write a commented template brief",
        description="Write a commented template brief, ID.brief.yaml in the current folder (or "
                    "FILE), that passes briefreader check. Never overwrites a file. Exit status: "
                    "0 written, 1 the file exists or cannot be written, 2 bad id.")
    new.add_argument("id", metavar="ID", help="the brief's id: lowercase letters, digits, . _ -")
    new.add_argument("-o", "--output", metavar="FILE", help="the file to write (default ID.brief.yaml)")
    new.set_defaults(handler=cmd_new)

    imp = commands.add_parser(
        "import", help="turn a plain-text article into a brief skeleton",
        description="Turn a plain-text article into a brief skeleton: the title, sections from "
                    "its headings, paragraphs as section bodies, one candidate claim per sentence "
                    "(kind: reported, x-needs-review: true) citing a source for the article, and "
                    "a trailing 'Read also' block as related items. The skeleton loads with "
                    "warnings only; its top comment says what to fill in. Exit status: 0 "
                    "written, 1 the file exists or cannot be written, 2 bad invocation.")
    imp.add_argument("article", metavar="ARTICLE", help="a UTF-8 plain-text file")
    imp.add_argument("-o", "--output", metavar="FILE",
                     help="write to FILE (never overwritten) instead of standard output")
    imp.add_argument("--id", metavar="ID", help="the brief's id (default: made from the title)")
    imp.set_defaults(handler=cmd_import)

    completion = commands.add_parser(
        "completion", help="a shell completion script",
        description="Print a completion script for bash or zsh, generated from these argument "
                    "definitions. bash: briefreader completion bash > "
                    "~/.local/share/bash-completion/completions/briefreader; zsh: briefreader "
                    "completion zsh > ~/.zfunc/_briefreader (with ~/.zfunc on fpath).")
    completion.add_argument("shell", choices=("bash", "zsh"), help="the shell")
    completion.set_defaults(handler=cmd_completion)

    manpage = commands.add_parser(
        "manpage", help="the manual page (roff)",
        description="Print the manual page briefreader.1, generated from these argument "
                    "definitions (man -l briefreader.1 to read it).")
    manpage.set_defaults(handler=cmd_manpage)


def _width(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 20 <= value <= 1000:
        raise argparse.ArgumentTypeError("the width must be between 20 and 1000")
    return value


def _load_one(raw: str):
    """The brief in file ``raw``, or None after printing why it cannot be opened."""
    from .loader import load_brief

    path = Path(raw)
    if not path.is_file():
        raise UsageError(f"not a brief file: {clean_line(raw)}")
    entry = load_brief(path)
    if entry.brief is None:
        for problem in entry.errors:
            print(problem, file=sys.stderr)
        print(f"briefreader: {clean_line(raw)} could not be opened (briefreader check lists why)",
              file=sys.stderr)
    return entry.brief


def _write_output(raw: str, text: str, *, overwrite: bool = True) -> int:
    from .storage import write_atomic

    secure.refuse_if_active("writing files (-o)")
    path = Path(raw)
    if not overwrite and (path.exists() or path.is_symlink()):
        print(f"briefreader: {clean_line(raw)} exists; not overwritten", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        write_atomic(path, text)
    except OSError as error:
        print(f"briefreader: cannot write {clean_line(raw)}: {error.strerror or error}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    from .model import Section
    from .printout import show

    brief = _load_one(args.brief)
    if brief is None:
        return EXIT_PROBLEMS
    section = None
    if args.section:
        section = brief.get(args.section)
        if not isinstance(section, Section):
            known = ", ".join(s.id for s in brief.all_sections) or "none"
            raise UsageError(f"no section {clean_line(args.section)!r} in {brief.id} (sections: {known})")
    show(out, brief, width=args.width, section=section, pager=args.pager and not secure.active())
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from .export import export

    brief = _load_one(args.brief)
    if brief is None:
        return EXIT_PROBLEMS
    text = export(brief, args.to)
    if not args.output:
        out.write(text)
        return EXIT_OK
    return _write_output(args.output, text)


def cmd_new(args: argparse.Namespace, out: TextIO) -> int:
    from .authoring import new_brief, valid_id

    if not valid_id(args.id):
        raise UsageError(f"bad id {clean_line(args.id)!r}: lowercase letters, digits, '.', '_' "
                         "and '-', starting with a letter or digit")
    target = args.output or f"{args.id}.brief.yaml"
    status = _write_output(target, new_brief(args.id), overwrite=False)
    if status == EXIT_OK:
        out.write(f"wrote {clean_line(target)}; fill in the TODOs, then: briefreader check "
                  f"{clean_line(target)}\n")
    return status


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from .authoring import MAX_ARTICLE_SIZE, import_article, valid_id

    if args.id and not valid_id(args.id):
        raise UsageError(f"bad id {clean_line(args.id)!r}")
    path = Path(args.article)
    try:
        if not path.is_file():
            raise UsageError(f"not a file: {clean_line(args.article)}")
        if path.stat().st_size > MAX_ARTICLE_SIZE:
            raise UsageError(f"{clean_line(args.article)} is larger than 8 MiB")
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {clean_line(args.article)}: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{clean_line(args.article)} is not UTF-8 text (byte {error.start})") from None
    skeleton, _ = import_article(text, brief_id=args.id or "", source_name=path.name)
    if not args.output:
        out.write(skeleton)
        return EXIT_OK
    return _write_output(args.output, skeleton, overwrite=False)


def cmd_completion(args: argparse.Namespace, out: TextIO) -> int:
    from .shellcomp import bash_completion, zsh_completion

    out.write((bash_completion if args.shell == "bash" else zsh_completion)(build_parser()))
    return EXIT_OK


def cmd_manpage(args: argparse.Namespace, out: TextIO) -> int:
    from .shellcomp import manpage

    out.write(manpage(build_parser(), open_parser()))
    return EXIT_OK


SUBCOMMANDS = ("check", "search", "review", "show", "export", "new", "import", "completion", "manpage")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    wanted = "--secure" in argv  # accepted anywhere, for every command
    argv = [arg for arg in argv if arg != "--secure"]
    try:
        with secure.turned_on(wanted):
            return _dispatch(argv, out)
    except secure.SecureModeRefusal as refusal:
        print(f"briefreader: {refusal}", file=sys.stderr)
        return EXIT_USAGE


def _dispatch(argv: list[str], out: TextIO) -> int:
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

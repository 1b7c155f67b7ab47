"""Brief files to model objects, collecting every problem with its real position.

``load_brief`` reads one file; ``load_library`` reads a folder and never fails
as a whole because one file is bad.  Nothing here stops at the first problem:
a walk over the node tree records each error and warning as a
:class:`~briefreader.model.Problem` and goes on, and a brief opens only when
none of them is an error.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import gc
import os
import pickle
import re
import stat
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from . import vocab
from .model import (
    ERROR, WARNING, Author, Brief, Citation, Claim, Entity, Event, Handling, Library,
    LibraryEntry, Loc, Locator, Problem, Publisher, Related, Section, Source, display_path,
    inline_refs, mask_code_spans,
)
from .sanitize import clean, clean_line
from .yamlsafe import DEFAULT_MAX_FILE_SIZE, InputError, Node, compose, position, read_text

if TYPE_CHECKING:
    from .cache import ModelCache

BRIEF_SUFFIX = ".brief.yaml"
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")

TOP_KEYS = (
    "briefreader", "id", "title", "subtitle", "date", "modified", "data_cutoff", "type",
    "status", "language", "authors", "publisher", "handling", "bluf", "summary",
    "key_judgments", "source_summary", "sections", "claims", "sources", "entities",
    "timeline", "related", "tags",
)
SECTION_KEYS = ("id", "title", "marking", "body", "claims", "sections")
CLAIM_KEYS = (
    "id", "text", "kind", "likelihood", "confidence", "attributed_to", "stance", "cites",
    "primary", "depends_on", "about", "indicators", "marking",
)
CITATION_KEYS = ("source", "locator", "quote", "credibility", "relation")
SOURCE_KEYS = (
    "id", "type", "title", "author", "publisher", "container-title", "issued", "accessed",
    "URL", "DOI", "reliability", "descriptor", "derived_from", "marking",
)
ENTITY_KEYS = ("id", "type", "name", "aliases", "within")
EVENT_KEYS = ("id", "date", "text", "place", "claims")
RELATED_KEYS = ("rel", "target", "title", "note")
HANDLING_KEYS = ("classification", "tlp", "notices")
AUTHOR_KEYS = ("name", "role", "affiliation")
PUBLISHER_KEYS = ("name", "url")

_CREDIBILITY_GRADES = frozenset(str(k) for k in vocab.INFORMATION_CREDIBILITY)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_REDUCED = re.compile(r"\d{4}(-\d{2})?")
# The EDTF level 0/1 forms a timeline needs: 2025, 2025-06, 2025-06-01, with an
# optional ~ (approximate), ? (uncertain) or % (both), and intervals a/b with
# open ends written '..'.
_EDTF_POINT = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?[~?%]?")


# ---------------------------------------------------------------------------
# Public entry points


def load_brief(path: str | Path, *, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> LibraryEntry:
    """Load one brief file: the brief (None when it has errors) and every problem."""
    return _load_brief(path, clean_line(display_path(path)), max_file_size)


def _load_brief(path: str | Path, shown: str, max_file_size: int) -> LibraryEntry:
    try:
        text = read_text(str(path), max_file_size)
        root = compose(text)
    except InputError as error:
        problem = Problem(shown, error.line, error.column, ERROR, clean_line(error.message), error.code)
        return LibraryEntry(shown, None, (problem,))
    walker = _Walker(shown, text)
    brief = walker.brief(root, Path(path).name)
    problems = tuple(sorted(walker.problems, key=lambda p: (p.line, p.column)))
    if any(p.is_error for p in problems) or brief is None:
        return LibraryEntry(shown, None, problems)
    return LibraryEntry(shown, replace(brief, problems=problems), problems)


def load_brief_aside(path: str | Path) -> Callable[[], LibraryEntry]:
    """Start :func:`load_brief` in a forked process; the returned call waits for it.

    Opening one brief, the reader parses it on the second core while it imports
    its interface, instead of one after the other (PyYAML's import and the parse
    are a tenth of the time to the first screen).  Where there is no fork, or
    threads already run (a fork copies none of them, nor the locks they hold),
    or the child fails, the brief is loaded here.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:
        entry = load_brief(path)
        return lambda: entry
    read_end, write_end = os.pipe()
    try:
        child = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        entry = load_brief(path)
        return lambda: entry
    if child == 0:  # pragma: no cover - runs in the child, which reports by pipe only
        try:
            os.close(read_end)
            data = pickle.dumps(load_brief(path), protocol=pickle.HIGHEST_PROTOCOL)
            with open(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)  # neither the parent's exit handlers nor its buffered output
    os.close(write_end)

    def result() -> LibraryEntry:
        with open(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(child, 0)
        try:  # our own child's bytes, never a file's
            entry = pickle.loads(data) if data else None
        except (pickle.PickleError, EOFError, ValueError, TypeError, AttributeError):
            entry = None
        return entry if isinstance(entry, LibraryEntry) else load_brief(path)

    return result


def load_brief_cached(path: str | Path, cache: "ModelCache | None", *,
                      max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> LibraryEntry:
    """:func:`load_brief`, through the model cache when one is given."""
    if cache is None:
        return load_brief(path, max_file_size=max_file_size)
    shown = clean_line(display_path(path))
    entry = cache.get(Path(path), shown, max_file_size)
    if entry is None:
        entry = load_brief(path, max_file_size=max_file_size)
        cache.put(Path(path), shown, max_file_size, entry)
    return entry


def find_brief_files(folder: str | Path) -> tuple[list[Path], list[Problem]]:
    """Every ``*.brief.yaml`` below ``folder``, sorted, following no symlink loops."""
    found: list[Path] = []
    problems: list[Problem] = []
    seen_dirs: set[tuple[int, int]] = set()

    def on_error(error: OSError) -> None:
        where = clean_line(display_path(error.filename or folder))
        problems.append(Problem(where, 0, 0, ERROR, f"cannot read folder: {error.strerror}", "unreadable"))

    for dirpath, dirnames, filenames in os.walk(folder, onerror=on_error, followlinks=True):
        try:
            info = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:  # a symlink loop, or a folder linked twice
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath, name) for name in sorted(filenames) if name.endswith(BRIEF_SUFFIX))
    return found, problems


def load_library(
    folder: str | Path,
    *,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    progress: Callable[[int, int], None] | None = None,
    cache: "ModelCache | None" = None,
    jobs: int | None = None,
) -> Library:
    """Load every brief below ``folder``; bad files become problems, never a failure."""
    files, problems = find_brief_files(folder)
    return load_paths(files, root=str(folder), max_file_size=max_file_size,
                      progress=progress, extra_problems=problems, cache=cache, jobs=jobs)


def load_paths(
    files: Iterable[str | Path],
    *,
    root: str = ".",
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    progress: Callable[[int, int], None] | None = None,
    extra_problems: Iterable[Problem] = (),
    known_ids: Iterable[str] = (),
    cache: "ModelCache | None" = None,
    jobs: int | None = None,
) -> Library:
    """Load the given brief files as one library and check what spans briefs.

    ``known_ids`` are ids of briefs that exist but were not loaded (a brief's
    neighbours when one file is checked), so that links to them are not flagged.
    Files not in the model cache are parsed in up to ``jobs`` worker processes
    (default: one per CPU) when there are at least :data:`PARALLEL_MIN` of them;
    the result is the same either way.
    """
    files = list(files)
    total = len(files)
    entries: list[LibraryEntry | None] = [None] * total
    shown = [clean_line(display_path(path)) for path in files]
    done = 0
    # Loading makes millions of long-lived objects and almost no cycles; the
    # cyclic collector would rescan them over and over (half the load time on
    # 1,000 briefs).  Pause it, then freeze what was loaded out of its way.
    collecting = gc.isenabled()
    gc.disable()
    try:
        todo = []
        for number, path in enumerate(files):
            entry = cache.get(Path(path), shown[number], max_file_size) if cache is not None else None
            if entry is None:
                todo.append(number)
                continue
            entries[number] = entry
            done += 1
            if progress:
                progress(done, total)
        workers = _worker_count(len(todo), jobs)
        if workers > 1:
            parsed = _load_in_workers([files[n] for n in todo], [shown[n] for n in todo],
                                      max_file_size, workers)
            try:
                for number, data in zip(todo, parsed):
                    path = files[number]
                    if data is None:
                        continue  # could not be pickled: loaded below
                    entries[number] = pickle.loads(data)
                    if cache is not None:
                        cache.put_pickled(Path(path), shown[number], max_file_size, data)
                    done += 1
                    if progress:
                        progress(done, total)
            finally:
                parsed.close()  # the workers end now, not when the generator is collected
        for number in todo:  # serially: few files, one CPU, or no worker processes
            if entries[number] is not None:
                continue
            path = files[number]
            entry = entries[number] = _load_brief(path, shown[number], max_file_size)
            if cache is not None:
                cache.put(Path(path), shown[number], max_file_size, entry)
            done += 1
            if progress:
                progress(done, total)
    finally:
        if collecting:
            gc.enable()
    library = _link_library(root, entries, list(extra_problems), set(known_ids))  # type: ignore[arg-type]
    gc.freeze()
    return library


# ---------------------------------------------------------------------------
# Worker processes

PARALLEL_MIN = 32  # fewer files than this load faster here than with workers to start


def _worker_count(files: int, jobs: int | None) -> int:
    if files < PARALLEL_MIN:
        return 1
    if jobs is None:
        try:
            jobs = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            jobs = os.cpu_count() or 1
        jobs = min(jobs, 8)
    return max(1, min(jobs, files // 8))


def process_pool(workers: int):
    """Worker processes for parsing (the loader's and the search index's).

    On Linux, from a single-threaded process, plain fork (fast, nothing re-imported);
    with other threads running (the TUI parses from a worker thread) forkserver,
    which is safe there; elsewhere spawn.  With forkserver and spawn the workers
    import the main module again: a script that loads or indexes many files must
    keep its work under ``if __name__ == "__main__":`` (briefreader's own entry
    points do).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        method = "fork"
    else:
        method = "forkserver" if "forkserver" in methods else "spawn"
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))


def _load_in_workers(paths: list[str | Path], shown: list[str], max_file_size: int,
                     workers: int) -> Iterator[bytes | None]:
    """Each file loaded and pickled in a worker process, in order.  Stops early
    (the caller loads the rest) when no worker process can run or the pool breaks."""
    try:
        pool = process_pool(workers)
    except (OSError, ImportError, RuntimeError, ValueError):
        return  # no worker processes here (sandbox, no /dev/shm)
    try:
        # Absolute paths: a forkserver's working folder may not be this process's.
        cwd = os.getcwd()
        absolute = [os.path.join(cwd, path) for path in paths]
        task = functools.partial(_load_pickled, max_file_size=max_file_size)
        yield from pool.map(task, absolute, shown, chunksize=4)
    except (OSError, RuntimeError, EOFError):
        pass  # a broken pool (a worker killed): the caller loads the rest
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _load_pickled(path: str, shown: str, max_file_size: int) -> bytes | None:
    """In a worker: one file loaded and pickled as the model cache stores it."""
    from .cache import pickle_entry

    collecting = gc.isenabled()
    gc.disable()
    try:
        entry = _load_brief(path, shown, max_file_size)
        try:
            return pickle_entry(entry)
        except (pickle.PickleError, RecursionError):
            return None
    finally:
        if collecting:
            gc.enable()


def neighbour_ids(path: str | Path) -> set[str]:
    """Ids of the other briefs in a file's folder, read cheaply from their ``id:`` line."""
    ids = set()
    for other in Path(path).parent.glob("*" + BRIEF_SUFFIX):
        try:
            if not stat.S_ISREG(os.stat(other).st_mode):
                continue  # a FIFO would block open() for good
            with open(other, encoding="utf-8", errors="replace") as handle:
                head = handle.read(65536)
        except OSError:
            continue
        match = re.search(r"^id:\s*['\"]?([a-z0-9][a-z0-9._-]*)", head, re.MULTILINE)
        if match:
            ids.add(match.group(1))
    return ids


# ---------------------------------------------------------------------------
# Checks that span briefs


def _link_library(root: str, entries: list[LibraryEntry], problems: list[Problem],
                  known_ids: set[str]) -> Library:
    first_by_id: dict[str, LibraryEntry] = {}
    linked: list[LibraryEntry] = []
    for entry in entries:
        brief = entry.brief
        if brief is None:
            linked.append(entry)
            continue
        first = first_by_id.get(brief.id)
        if first is not None:
            clash = Problem(entry.path, brief.loc.line, brief.loc.column, ERROR,
                            f"duplicate brief id '{brief.id}': also the id of {first.path}", "duplicate-brief-id")
            linked.append(LibraryEntry(entry.path, None, entry.problems + (clash,)))
            continue
        first_by_id[brief.id] = entry
        linked.append(entry)

    briefs = {entry.brief.id: entry.brief for entry in linked if entry.brief is not None}
    result = []
    for entry in linked:
        brief = entry.brief
        if brief is None:
            result.append(entry)
            continue
        extra = []
        for rel in brief.related:
            if rel.kind != "brief":
                continue
            target = briefs.get(rel.target)
            at = rel.target_loc or rel.loc  # the target's value, not the item
            if target is None and rel.target not in known_ids:
                extra.append(Problem(entry.path, at.line, at.column, WARNING,
                                     f"related brief '{rel.target}' is not in the library",
                                     "related-missing"))
            elif target is not None and rel.anchor and target.get(rel.anchor) is None:
                extra.append(Problem(entry.path, at.line, at.column, WARNING,
                                     f"related brief '{rel.target}' has no '{rel.anchor}'",
                                     "related-missing"))
        if extra:
            all_problems = tuple(sorted(entry.problems + tuple(extra), key=lambda p: (p.line, p.column)))
            entry = LibraryEntry(entry.path, replace(brief, problems=all_problems), all_problems)
        result.append(entry)
    return Library(root, tuple(result), tuple(problems))


# ---------------------------------------------------------------------------
# The walk over one file's node tree


class _Fields:
    """A mapping node's entries by key: the value nodes, and the key nodes for positions."""

    __slots__ = ("node", "keys", "values", "what", "value")

    def __init__(self, node: Node, keys: dict[str, Node], values: dict[str, Node], what: str):
        self.node = node
        self.keys = keys
        self.values = values
        self.what = what
        # value(key): the node or None.  The walk's most frequent call, so the dict's
        # own C method rather than a Python one.
        self.value = values.get

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def key(self, key: str) -> Node:
        return self.keys[key]


# Each tuple of known keys as a set, looked up by identity (the tuples are constants).
_KEY_SETS: dict[int, tuple[tuple[str, ...], frozenset[str]]] = {}


def _key_set(known: tuple[str, ...]) -> frozenset[str]:
    cached = _KEY_SETS.get(id(known))
    if cached is None or cached[0] is not known:
        cached = _KEY_SETS[id(known)] = (known, frozenset(known))
    return cached[1]


class _Walker:
    def __init__(self, path: str, text: str):
        self.path = path
        self.source_text = text
        self._counted: tuple | None = None  # where position_in last counted to
        self.problems: list[Problem] = []
        self.ids: dict[str, tuple[str, Node]] = {}  # id -> (kind, node), one namespace
        # Queued references: (id, kinds it may name, node, what it is, position
        # within the node's text or None, whether naming a source uses it).
        self.refs: list[tuple[str, tuple[str, ...], Node, str, tuple[int, int] | None, bool]] = []
        self.cited_sources: set[str] = set()

    # -- reporting ------------------------------------------------------

    def report(self, severity: str, node: Node | None, code: str, message: str,
               at: tuple[int, int] | None = None) -> None:
        line, column = at if at else ((node.line, node.column) if node else (0, 0))
        self.problems.append(Problem(self.path, line, column, severity, clean_line(message), code))

    def error(self, node: Node | None, code: str, message: str, at: tuple[int, int] | None = None) -> None:
        self.report(ERROR, node, code, message, at)

    def warn(self, node: Node | None, code: str, message: str, at: tuple[int, int] | None = None) -> None:
        self.report(WARNING, node, code, message, at)

    def loc(self, node: Node) -> Loc:
        return Loc(self.path, node.line, node.column)

    # -- shapes ---------------------------------------------------------

    def mapping(self, node: Node, what: str, known: tuple[str, ...]) -> _Fields | None:
        if node.kind != "map":
            self.error(node, "wrong-type", f"{what} must be a mapping, not {node.type_name}")
            return None
        keys: dict[str, Node] = {}
        values: dict[str, Node] = {}
        known_set = _key_set(known)
        for key_node, value_node in node.value:
            if key_node.kind != "scalar":
                self.error(key_node, "wrong-type", f"a key in {what} must be text, not {key_node.type_name}")
                continue
            key = key_node.value
            if key in keys:
                self.error(key_node, "duplicate-key",
                           f"duplicate key '{key}' in {what} (first at line {keys[key].line})")
                continue
            keys[key] = key_node
            values[key] = value_node
            if key not in known_set and not key.startswith("x-"):
                self.unknown_key(key_node, key, what, known)
        return _Fields(node, keys, values, what)

    def unknown_key(self, node: Node, key: str, what: str, known: tuple[str, ...]) -> None:
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if not close:
            close = [k for k in known if k.lower() == key.lower().replace("_", "-")
                     or k.lower() == key.lower().replace("-", "_")]
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.warn(node, "unknown-key", f"unknown key '{key}' in {what}{hint}")

    def require(self, fields: _Fields, key: str) -> Node | None:
        node = fields.value(key)
        if node is None:
            self.error(fields.node, "missing-key", f"{fields.what} has no '{key}' (required)")
        elif node.is_null:
            self.error(node, "missing-key", f"'{key}' in {fields.what} is empty (required)")
            return None
        return node

    def text(self, fields: _Fields, key: str, *, required: bool = False, multiline: bool = False) -> str:
        node = self.require(fields, key) if required else fields.value(key)
        if node is None or node.is_null:
            return ""
        if node.kind != "scalar":
            self.error(node, "wrong-type", f"'{key}' in {fields.what} must be text, not {node.type_name}")
            return ""
        return clean(node.value) if multiline else clean_line(node.value)

    def scalar_text(self, node: Node, what: str) -> str | None:
        if node.kind != "scalar" or node.is_null:
            self.error(node, "wrong-type", f"{what} must be text, not {node.type_name}")
            return None
        return clean_line(node.value)

    def items(self, fields: _Fields, key: str) -> list[Node]:
        node = fields.value(key)
        if node is None or node.is_null:
            return []
        if node.kind != "seq":
            self.error(node, "wrong-type", f"'{key}' in {fields.what} must be a list, not {node.type_name}")
            return []
        return node.value

    def text_list(self, fields: _Fields, key: str) -> tuple[str, ...]:
        values = []
        for item in self.items(fields, key):
            value = self.scalar_text(item, f"an item of '{key}'")
            if value is not None:
                values.append(value)
        return tuple(values)

    def choice(self, fields: _Fields, key: str, options: Iterable[str], *, required: bool = False) -> str:
        node = self.require(fields, key) if required else fields.value(key)
        if node is None or node.is_null:
            return ""
        if node.kind != "scalar":
            self.error(node, "wrong-type", f"'{key}' must be text, not {node.type_name}")
            return ""
        options = tuple(options)
        if node.value not in options:
            self.bad_value(node, key, node.value, options)
            return ""
        return node.value

    def bad_value(self, node: Node, key: str, value: str, options: tuple[str, ...]) -> None:
        close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        shown = ", ".join(options) if len(options) <= 12 else ", ".join(options[:12]) + ", ..."
        self.error(node, "bad-value", f"'{key}' is '{value}', not one of: {shown}{hint}")

    # -- ids and references --------------------------------------------

    def define(self, fields: _Fields, kind: str) -> str:
        node = self.require(fields, "id")
        if node is None:
            return ""
        if node.kind != "scalar":
            self.error(node, "wrong-type", f"'id' must be text, not {node.type_name}")
            return ""
        value = node.value
        if not ID_PATTERN.fullmatch(value):
            self.error(node, "bad-id", f"bad id '{value}': use lowercase letters, digits, '.', '_' "
                                       "and '-', starting with a letter or digit")
            return ""
        if value in self.ids:
            first_kind, first = self.ids[value]
            if first.start > node.start:  # lists are read by kind, not in file order
                node, first, first_kind = first, node, kind
            self.error(node, "duplicate-id", f"duplicate id '{value}' (first used by {_a(first_kind)} "
                                             f"at line {first.line})")
            return ""
        self.ids[value] = (kind, node)
        return value

    def ref(self, node: Node, kinds: tuple[str, ...], what: str, *, use: bool = True) -> str:
        """An id-valued scalar, checked for resolution once every id is known."""
        value = self.scalar_text(node, what)
        if value is None:
            return ""
        self.refs.append((value, kinds, node, what, None, use))
        return value

    def ref_list(self, fields: _Fields, key: str, kinds: tuple[str, ...], *, use: bool = True) -> tuple[str, ...]:
        what = f"an item of '{key}'"
        values = [self.ref(item, kinds, what, use=use) for item in self.items(fields, key)]
        return tuple(v for v in values if v)

    def inline(self, node: Node | None, text: str) -> None:
        """Queue the ``[[id]]`` and ``[@id]`` references written in a text field."""
        if node is None or not text or "[" not in text:
            return
        raw = mask_code_spans(self.source_text[node.start:node.end])  # `[[x]]` is not a ref
        search_from = 0
        for ref in inline_refs(text):
            token = text[ref.start:ref.end]
            found = raw.find(token, search_from)
            if found < 0:  # folded across lines: find where it opens, '[@id,' or '[[id'
                token = re.split(r"\s", token, maxsplit=1)[0]
                found = raw.find(token, search_from)
            if found >= 0:  # the token's real place in the file, past folding and indent
                search_from = found + len(token)
                at = self.position_in(node, node.start + found)
            else:
                at = (node.line, node.column)
            kinds = ("source",) if ref.cite else ("claim", "entity")
            what = "citation" if ref.cite else "reference"
            self.refs.append((ref.target, kinds, node, what, at, True))

    def position_in(self, node: Node, index: int) -> tuple[int, int]:
        """Line and column of an offset inside ``node``.  References in one text come in
        order, so counting goes on from the previous one: counting from the top (or
        from the node) for each of them made a long body quadratic."""
        text = self.source_text
        held = self._counted
        if held is None or held[0] is not node or held[1] > index:
            held = (node, node.start, node.line, node.start - node.column + 1)
        _, counted_to, line, line_start = held
        newlines = text.count("\n", counted_to, index)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted_to, index) + 1
        self._counted = (node, index, line, line_start)
        return line, index - line_start + 1

    def resolve(self) -> None:
        for value, kinds, node, what, at, use in self.refs:
            found = self.ids.get(value)
            wanted = " or ".join(kinds)
            if found is None:
                self.error(node, "unresolved", f"unknown {wanted} '{value}' in {what}", at)
            elif found[0] not in kinds:
                self.error(node, "unresolved", f"'{value}' is {_a(found[0])}, not {_a(wanted)} ({what})", at)
            elif use and found[0] == "source":
                self.cited_sources.add(value)

    # -- scalars with formats -------------------------------------------

    def date(self, fields: _Fields, key: str, *, required: bool = False) -> tuple[str, dt.date | None]:
        node = self.require(fields, key) if required else fields.value(key)
        if node is None or node.is_null:
            return "", None
        if node.kind != "scalar":
            self.error(node, "wrong-type", f"'{key}' must be a date, not {node.type_name}")
            return "", None
        parsed = parse_iso(node.value)
        if parsed is None:
            self.error(node, "bad-date", f"'{key}' is '{node.value}', not an ISO 8601 date "
                                         "(YYYY-MM-DD, YYYY-MM, or a date and time)")
            return "", None
        return clean_line(node.value.strip()), parsed

    def edtf(self, node: Node | None, key: str) -> str:
        if node is None or node.is_null:
            return ""
        if node.kind == "map" and any(k.value == "date-parts" for k, _ in node.value):
            return self.csl_date(node, key)
        if node.kind != "scalar":
            self.error(node, "wrong-type", f"'{key}' must be a date, not {node.type_name}")
            return ""
        value = node.value.strip()
        if parse_edtf(value) is None and parse_iso(value) is None:
            self.error(node, "bad-date", f"'{key}' is '{value}', not an ISO 8601 or EDTF date "
                                         "(2024-12-06, 2025-06, 2025-06~, 2024/2025)")
            return ""
        return clean_line(value)

    def csl_date(self, node: Node, key: str) -> str:
        """CSL-JSON's ``{date-parts: [[2024, 12, 6]]}`` form, read as ISO text."""
        for key_node, value in node.value:
            if key_node.value != "date-parts":
                continue
            try:
                parts = [int(p.value) for p in value.value[0].value]
                return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:3]])
            except (AttributeError, IndexError, TypeError, ValueError):
                break
        self.error(node, "bad-date", f"'{key}' has no readable date-parts")
        return ""

    # -- the brief ------------------------------------------------------

    def brief(self, root: Node | None, filename: str) -> Brief | None:
        if root is None:
            self.error(None, "missing-key", "empty file: a brief needs briefreader, id, title and date",
                       at=(1, 1))
            return None
        top = self.mapping(root, "the brief", TOP_KEYS)
        if top is None:
            return None
        self.version(top)
        brief_id = self.define(top, "brief")
        if brief_id and filename != brief_id + BRIEF_SUFFIX:
            self.warn(top.value("id"), "file-name",
                      f"file name '{filename}' does not match id '{brief_id}' "
                      f"(expected '{brief_id}{BRIEF_SUFFIX}')")
        title = self.text(top, "title", required=True)
        date, day = self.date(top, "date", required=True)
        modified, modified_day = self.date(top, "modified")
        if day and modified_day and _as_date(modified_day) < _as_date(day):
            self.error(top.value("modified"), "bad-date", f"'modified' ({modified}) is before 'date' ({date})")
        data_cutoff, _ = self.date(top, "data_cutoff")
        bluf = self.text(top, "bluf", multiline=True)
        summary = self.text(top, "summary", multiline=True)
        self.inline(top.value("bluf"), bluf)
        self.inline(top.value("summary"), summary)
        language = self.text(top, "language") or "en"
        if not re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", language):
            self.error(top.value("language"), "bad-value", f"'language' is '{language}', not a BCP 47 tag such as en or en-GB")

        claims = tuple(c for c in (self.claim(n) for n in self.items(top, "claims")) if c)
        sources = tuple(s for s in (self.source(n) for n in self.items(top, "sources")) if s)
        entities = tuple(e for e in (self.entity(n) for n in self.items(top, "entities")) if e)
        sections = tuple(s for s in (self.section(n, 0) for n in self.items(top, "sections")) if s)
        timeline = tuple(e for e in (self.event(n) for n in self.items(top, "timeline")) if e)
        related = tuple(r for r in (self.related(n) for n in self.items(top, "related")) if r)
        handling = self.handling(top)
        tags = self.tags(top)
        key_judgments = self.ref_list(top, "key_judgments", ("claim",))
        self.resolve()
        self.source_checks(sources, claims)
        # Every field is read before deciding, so that all problems are collected.
        fields = dict(
            subtitle=self.text(top, "subtitle"), modified=modified, data_cutoff=data_cutoff,
            type=self.choice(top, "type", vocab.BRIEF_TYPES),
            status=self.choice(top, "status", vocab.BRIEF_STATUSES), language=language,
            authors=self.authors(top), publisher=self.publisher(top), handling=handling,
            bluf=bluf, summary=summary, key_judgments=key_judgments,
            source_summary=self.text(top, "source_summary", multiline=True),
            sections=sections, claims=claims, sources=sources, entities=entities,
            timeline=timeline, related=related, tags=tags,
        )
        if not (brief_id and title and date):
            return None
        return Brief(id=brief_id, title=title, date=date, path=self.path,
                     loc=self.loc(top.value("id") or root), **fields)

    def version(self, top: _Fields) -> None:
        node = self.require(top, "briefreader")
        if node is None:
            return
        if node.kind != "scalar" or not node.plain or node.value.strip() != str(vocab.FORMAT_VERSION):
            shown = node.value if node.kind == "scalar" else node.type_name
            self.error(node, "bad-value", f"'briefreader' is '{shown}': this reader reads format "
                                          f"version {vocab.FORMAT_VERSION} (the integer 1)")

    def tags(self, top: _Fields) -> tuple[str, ...]:
        tags = []
        for item in self.items(top, "tags"):
            value = self.scalar_text(item, "a tag")
            if value is None:
                continue
            if value != value.lower():
                self.error(item, "bad-value", f"tag '{value}' must be lowercase")
            tags.append(value.lower())
        return tuple(tags)

    def authors(self, top: _Fields) -> tuple[Author, ...]:
        authors = []
        for item in self.items(top, "authors"):
            fields = self.mapping(item, "an author", AUTHOR_KEYS)
            if fields is None:
                continue
            name = self.text(fields, "name", required=True)
            role = self.choice(fields, "role", vocab.AUTHOR_ROLES) or "author"
            if name:
                authors.append(Author(name, role, self.text(fields, "affiliation")))
        return tuple(authors)

    def publisher(self, top: _Fields) -> Publisher | None:
        node = top.value("publisher")
        if node is None or node.is_null:
            return None
        fields = self.mapping(node, "publisher", PUBLISHER_KEYS)
        if fields is None:
            return None
        name = self.text(fields, "name", required=True)
        return Publisher(name, self.text(fields, "url")) if name else None

    def handling(self, top: _Fields) -> Handling | None:
        node = top.value("handling")
        if node is None or node.is_null:
            self.warn(top.node, "no-handling", "no 'handling': the banner will read UNMARKED",
                      at=(top.node.line, top.node.column))
            return None
        fields = self.mapping(node, "handling", HANDLING_KEYS)
        if fields is None:
            return None
        tlp = ""
        tlp_node = fields.value("tlp")
        if tlp_node is not None and not tlp_node.is_null:
            tlp = self.tlp(tlp_node)
        notices = self.text_list(fields, "notices")
        return Handling(self.text(fields, "classification"), tlp, notices)

    def tlp(self, node: Node) -> str:
        if node.kind != "scalar":
            self.error(node, "wrong-type", f"'tlp' must be text, not {node.type_name}")
            return ""
        written = node.value
        bare = re.sub(r"^\s*tlp\s*:\s*", "", written, flags=re.IGNORECASE).strip()
        canonical = re.sub(r"[\s_-]*\+[\s_-]*|[\s_-]+", "+", bare).upper()
        if canonical == "WHITE":
            self.warn(node, "loose-tlp", f"TLP '{written}' is TLP 1.0; read as CLEAR (TLP 2.0)")
            return "CLEAR"
        if canonical not in vocab.TLP_LEVELS:
            self.bad_value(node, "tlp", written, vocab.TLP_LEVELS)
            return ""
        if bare != canonical or (bare != written and not written.startswith("TLP:")):
            self.warn(node, "loose-tlp", f"TLP written loosely as '{written}'; write '{canonical}' "
                                         f"or 'TLP:{canonical}'")
        return canonical

    # -- parts of the brief ---------------------------------------------

    def section(self, node: Node, depth: int) -> Section | None:
        fields = self.mapping(node, "a section", SECTION_KEYS)
        if fields is None:
            return None
        section_id = self.define(fields, "section")
        title = self.text(fields, "title", required=True)
        body = self.text(fields, "body", multiline=True)
        self.inline(fields.value("body"), body)
        claims = self.ref_list(fields, "claims", ("claim",))
        children = tuple(s for s in (self.section(n, depth + 1) for n in self.items(fields, "sections")) if s)
        if not section_id:
            return None
        return Section(section_id, title, self.loc(node), self.text(fields, "marking"), body, claims, children)

    def claim(self, node: Node) -> Claim | None:
        fields = self.mapping(node, "a claim", CLAIM_KEYS)
        if fields is None:
            return None
        claim_id = self.define(fields, "claim")
        text = self.text(fields, "text", required=True, multiline=True)
        self.inline(fields.value("text"), text)
        kind = self.choice(fields, "kind", vocab.CLAIM_KINDS, required=True)
        likelihood = self.likelihood(fields, kind)
        confidence = self.choice(fields, "confidence", vocab.CONFIDENCE_LEVELS)
        if confidence and kind in ("fact", "reported"):
            self.warn(fields.value("confidence"), "misplaced-confidence",
                      f"'confidence' on a {kind} claim: confidence grades the basis of a judgment "
                      "(an assessment or assumption)")
        attributed_to = vocab.AUTHOR_ATTRIBUTION
        attributed_node = fields.value("attributed_to")
        if attributed_node is not None and not attributed_node.is_null:
            value = self.scalar_text(attributed_node, "'attributed_to'")
            if value and value != vocab.AUTHOR_ATTRIBUTION:
                attributed_to = self.ref(attributed_node, ("entity",), "'attributed_to'") or value
        stance = self.choice(fields, "stance", vocab.STANCES)
        stance_node = fields.value("stance")
        stance_given = stance_node is not None and not stance_node.is_null  # a bad one is an error
        if attributed_to != vocab.AUTHOR_ATTRIBUTION and not stance_given:
            self.warn(attributed_node, "no-stance",
                      f"claim attributed to '{attributed_to}' has no 'stance' (endorsed, reported "
                      "or disputed): say what the brief makes of it")
        cites = tuple(c for c in (self.citation(n) for n in self.items(fields, "cites")) if c)
        inline_cites = sum(ref.cite for ref in inline_refs(text)) if "[" in text else 0
        if kind in ("fact", "reported") and not cites and not inline_cites:
            self.warn(fields.key("id") if "id" in fields else node, "uncited",
                      f"{kind} claim '{claim_id}' cites no source")
        if len(cites) + inline_cites == 1:
            for citation in cites:
                if citation.credibility == 1:
                    self.warn(self._credibility_node(fields), "lone-confirmation",
                              "credibility 1 (confirmed by other sources) rests on a single citation")
        primary = ""
        primary_node = fields.value("primary")
        if primary_node is not None and not primary_node.is_null:
            primary = self.ref(primary_node, ("source",), "'primary'")
        if not (claim_id and text and kind):
            return None
        return Claim(
            id=claim_id, text=text, kind=kind, loc=self.loc(node), likelihood=likelihood,
            confidence=confidence, attributed_to=attributed_to, stance=stance, cites=cites,
            primary=primary, depends_on=self.ref_list(fields, "depends_on", ("claim",)),
            about=self.ref_list(fields, "about", ("entity",)),
            indicators=tuple(clean(i) for i in self.text_list(fields, "indicators")),
            marking=self.text(fields, "marking"),
        )

    def _credibility_node(self, fields: _Fields) -> Node:
        for item in self.items(fields, "cites"):
            if item.kind == "map":
                for key, value in item.value:
                    if key.value == "credibility":
                        return value
        return fields.node

    def likelihood(self, fields: _Fields, kind: str) -> str:
        node = fields.value("likelihood")
        if node is None or node.is_null:
            return ""
        if node.kind != "scalar":
            self.error(node, "wrong-type", f"'likelihood' must be text, not {node.type_name}")
            return ""
        term = vocab.LIKELIHOOD_SYNONYMS.get(node.value, node.value)
        if term not in vocab.LIKELIHOOD_BY_TERM:
            options = tuple(vocab.LIKELIHOOD_BY_TERM) + tuple(vocab.LIKELIHOOD_SYNONYMS)
            self.bad_value(node, "likelihood", node.value, options)
            return ""
        if kind == "fact":
            self.error(node, "likelihood-on-fact", "'likelihood' on a fact: a fact is verified "
                                                   "information; make the claim an assessment")
        elif kind in ("reported", "assumption"):
            self.warn(node, "misplaced-likelihood",
                      f"'likelihood' on {_a(kind)} claim: likelihood belongs to assessments")
        return term

    def citation(self, node: Node) -> Citation | None:
        if node.kind == "scalar" and not node.is_null:  # the short form: just a source id
            source = self.ref(node, ("source",), "'cites'")
            return Citation(source, self.loc(node)) if source else None
        fields = self.mapping(node, "a citation", CITATION_KEYS)
        if fields is None:
            return None
        source_node = self.require(fields, "source")
        source = self.ref(source_node, ("source",), "citation") if source_node else ""
        credibility = None
        cred_node = fields.value("credibility")
        if cred_node is not None and not cred_node.is_null:
            value = cred_node.value if cred_node.kind == "scalar" else ""
            if value.strip() in _CREDIBILITY_GRADES:
                credibility = int(value)
            else:
                self.error(cred_node, "bad-value", f"'credibility' is '{value or cred_node.type_name}', "
                                                   "not an Admiralty information grade 1-6")
        quote = self.text(fields, "quote", multiline=True)
        relation = self.choice(fields, "relation", vocab.CITATION_RELATIONS) or "supports"
        locator = self.locator(fields.value("locator"))
        if not source:
            return None
        return Citation(source, self.loc(node), locator, quote, credibility, relation)

    def locator(self, node: Node | None) -> Locator | None:
        if node is None or node.is_null:
            return None
        fields = self.mapping(node, "a locator", vocab.LOCATOR_KINDS)
        if fields is None:
            return None
        present = [k for k in vocab.LOCATOR_KINDS if k in fields]
        if len(present) != 1:
            self.error(node, "wrong-type", "a locator has exactly one of page, paragraph, section, timestamp")
            return None
        value = self.text(fields, present[0])
        return Locator(present[0], value) if value else None

    def source(self, node: Node) -> Source | None:
        fields = self.mapping(node, "a source", SOURCE_KEYS)
        if fields is None:
            return None
        source_id = self.define(fields, "source")
        source_type = self.choice(fields, "type", vocab.SOURCE_TYPES, required=True)
        title, url, doi = (self.text(fields, k) for k in ("title", "URL", "DOI"))
        if not (title or url or doi) and source_id:
            self.error(node, "missing-key", f"source '{source_id}' needs a title, URL or DOI")
        reliability = self.choice(fields, "reliability", tuple(vocab.SOURCE_RELIABILITY))
        derived = self.ref_list(fields, "derived_from", ("source",), use=False)
        for item in self.items(fields, "derived_from") if source_id in derived else ():
            if item.kind == "scalar" and item.value == source_id:  # point at the item itself
                self.error(item, "unresolved", f"source '{source_id}' is derived from itself")
        if not (source_id and source_type):
            return None
        return Source(
            id=source_id, type=source_type, loc=self.loc(node), title=title,
            author=self.source_authors(fields.value("author")), publisher=self.text(fields, "publisher"),
            container_title=self.text(fields, "container-title"),
            issued=self.edtf(fields.value("issued"), "issued"),
            accessed=self.edtf(fields.value("accessed"), "accessed"), url=url, doi=doi,
            reliability=reliability, descriptor=self.text(fields, "descriptor", multiline=True),
            derived_from=derived, marking=self.text(fields, "marking"),
        )

    def source_authors(self, node: Node | None) -> tuple[str, ...]:
        """A name, a list of names, or CSL name objects ({family, given} or {literal})."""
        if node is None or node.is_null:
            return ()
        items = node.value if node.kind == "seq" else [node]
        names = []
        for item in items:
            if item.kind == "scalar":
                names.append(clean_line(item.value))
            elif item.kind == "map":
                parts = {k.value: v.value for k, v in item.value if v.kind == "scalar"}
                name = parts.get("literal") or " ".join(p for p in (parts.get("given"), parts.get("family")) if p)
                if name:
                    names.append(clean_line(name))
                else:
                    self.error(item, "wrong-type", "an author needs 'literal' or 'family'")
            else:
                self.error(item, "wrong-type", f"an author must be a name, not {item.type_name}")
        return tuple(names)

    def entity(self, node: Node) -> Entity | None:
        fields = self.mapping(node, "an entity", ENTITY_KEYS)
        if fields is None:
            return None
        entity_id = self.define(fields, "entity")
        entity_type = self.choice(fields, "type", vocab.ENTITY_TYPES, required=True)
        name = self.text(fields, "name", required=True)
        within = ""
        within_node = fields.value("within")
        if within_node is not None and not within_node.is_null:
            within = self.ref(within_node, ("entity",), "'within'")
        if not (entity_id and entity_type and name):
            return None
        return Entity(entity_id, entity_type, name, self.loc(node), self.text_list(fields, "aliases"), within)

    def event(self, node: Node) -> Event | None:
        fields = self.mapping(node, "a timeline event", EVENT_KEYS)
        if fields is None:
            return None
        event_id = self.define(fields, "event")
        date_node = self.require(fields, "date")
        date = self.edtf(date_node, "date") if date_node else ""
        text = self.text(fields, "text", required=True, multiline=True)
        self.inline(fields.value("text"), text)
        claims = self.ref_list(fields, "claims", ("claim",))
        if not (event_id and date and text):
            return None
        return Event(event_id, date, text, self.loc(node), self.text(fields, "place"), claims)

    def related(self, node: Node) -> Related | None:
        fields = self.mapping(node, "a related item", RELATED_KEYS)
        if fields is None:
            return None
        rel = self.choice(fields, "rel", vocab.RELATED_RELS, required=True)
        target_node = self.require(fields, "target")
        kind = target = anchor = ""
        target_at = None
        if target_node is not None:
            target_fields = self.mapping(target_node, "a related target", vocab.RELATED_TARGET_KINDS)
            if target_fields is not None:
                present = [k for k in vocab.RELATED_TARGET_KINDS if k in target_fields]
                if len(present) != 1:
                    self.error(target_node, "wrong-type",
                               "a related target has exactly one of brief, source, url")
                else:
                    kind = present[0]
                    value_node = target_fields.value(kind)
                    target_at = self.loc(value_node)
                    if kind == "source":
                        target = self.ref(value_node, ("source",), "related target", use=False)
                    else:
                        target = self.scalar_text(value_node, f"a related {kind}") or ""
                        if kind == "brief" and target:
                            target, _, anchor = target.partition("#")
                            if not ID_PATTERN.fullmatch(target) or (anchor and not ID_PATTERN.fullmatch(anchor)):
                                self.error(value_node, "bad-id", f"bad brief reference '{value_node.value}': "
                                                                 "write an id, or id#local-id")
                                target = ""
        if not (rel and target):
            return None
        return Related(rel, kind, target, self.loc(node), anchor,
                       self.text(fields, "title"), self.text(fields, "note", multiline=True),
                       target_at)

    def source_checks(self, sources: tuple[Source, ...], claims: tuple[Claim, ...]) -> None:
        """Warn about sources that nothing rests on."""
        used = set(self.cited_sources)
        used.update(c.primary for c in claims if c.primary)
        by_id = {s.id: s for s in sources}
        frontier = list(used)
        while frontier:  # a source a cited source derives from is used too
            source = by_id.get(frontier.pop())
            for parent in source.derived_from if source else ():
                if parent not in used:
                    used.add(parent)
                    frontier.append(parent)
        for source in sources:
            if source.id not in used:
                _, node = self.ids[source.id]
                self.warn(node, "uncited-source", f"source '{source.id}' is never cited")


def _a(noun: str) -> str:
    """The noun with its indefinite article: 'a claim', 'an entity'."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def parse_iso(value: str) -> dt.date | dt.datetime | None:
    """An ISO 8601 date (full, or reduced to YYYY-MM or YYYY) or datetime, or None."""
    value = value.strip()
    try:
        if _ISO_REDUCED.fullmatch(value):
            year, _, month = value.partition("-")
            return dt.date(int(year), int(month or 1), 1)
        if _ISO_DATE.fullmatch(value):
            return dt.date.fromisoformat(value)
        if _ISO_DATE.match(value) and len(value) > 10 and value[10] in "Tt ":
            return dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return None


def parse_edtf(value: str) -> tuple[str, str] | None:
    """The sortable bounds of an EDTF date or interval, or None when not one."""
    value = value.strip()
    if "/" in value:
        start, _, end = value.partition("/")
        bounds = [None if part in ("", "..") else _edtf_point(part) for part in (start, end)]
        if all(b is None for b in bounds) or any(b is False for b in bounds):
            return None
        return (bounds[0] or "0000", bounds[1] or "9999")
    point = _edtf_point(value)
    return (point, point) if point else None


def _edtf_point(value: str) -> str | bool:
    match = _EDTF_POINT.fullmatch(value)
    if not match:
        return False
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return "-".join(p for p in (year, month, day) if p)


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def iter_problems(library: Library) -> Iterator[Problem]:
    """Every problem of a library, file by file, in file order."""
    yield from library.problems
    for entry in library.entries:
        yield from entry.problems

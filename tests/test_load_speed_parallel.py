"""Loading a library in worker processes gives exactly what loading it here gives."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

import briefreader.loader as loader
from briefreader.cache import ModelCache
from briefreader.loader import load_brief, load_library
from briefreader.yamlsafe import Node, compose

BRIEFS = Path(__file__).resolve().parent.parent / "briefs"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "problems"


def make_library(folder: Path, copies: int = 12) -> Path:
    """The shipped briefs under new ids, every problem fixture, and a few clashes."""
    folder.mkdir()
    for number in range(copies):
        for brief in sorted(BRIEFS.glob("*.brief.yaml")):
            old_id = brief.name.removesuffix(".brief.yaml")
            new_id = f"{old_id}-{number}"
            text = brief.read_text(encoding="utf-8").replace(f"\nid: {old_id}\n", f"\nid: {new_id}\n", 1)
            sub = folder / f"part-{number % 3}"
            sub.mkdir(exist_ok=True)
            (sub / f"{new_id}.brief.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(FIXTURES, folder / "problems")
    shutil.copy(BRIEFS / "tour.brief.yaml", folder / "tour.brief.yaml")  # an id used twice
    shutil.copy(BRIEFS / "tour.brief.yaml", folder / "problems" / "tour.brief.yaml")
    (folder / "broken.brief.yaml").write_bytes(b"a: [\n\x00")
    return folder


def snapshot(library) -> list:
    """Everything a load produces, in order."""
    return [library.root, library.problems,
            [(entry.path, entry.problems, entry.brief) for entry in library.entries]]


@pytest.fixture
def library_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # problems name files relative to the working folder
    monkeypatch.setattr(loader, "PARALLEL_MIN", 4)
    return make_library(tmp_path / "lib")


def test_parallel_load_equals_serial_load(library_folder):
    serial = load_library(library_folder, jobs=1)
    parallel = load_library(library_folder, jobs=2)
    assert len(serial.entries) > 40
    assert any(entry.brief is None for entry in serial.entries)  # failures are in the test
    assert any(problem.code == "duplicate-brief-id" for problem in serial.all_problems)
    assert snapshot(parallel) == snapshot(serial)
    assert repr(snapshot(parallel)) == repr(snapshot(serial))  # fields left out of ==, too


def test_parallel_load_fills_the_cache_and_the_cache_gives_the_same(library_folder, tmp_path):
    serial = load_library(library_folder, jobs=1)
    cache_dir = tmp_path / "cache"
    filled = load_library(library_folder, cache=ModelCache(cache_dir), jobs=2)
    assert len(list(cache_dir.glob("*.pickle"))) == len(serial.entries)
    assert snapshot(filled) == snapshot(serial)

    parsed = []
    real = loader._load_brief
    loader._load_brief = lambda *a, **k: parsed.append(a) or real(*a, **k)
    try:
        warm = load_library(library_folder, cache=ModelCache(cache_dir), jobs=2)
    finally:
        loader._load_brief = real
    assert parsed == []
    assert snapshot(warm) == snapshot(serial)


def test_progress_counts_every_file_once_in_order(library_folder):
    seen = []
    library = load_library(library_folder, jobs=2, progress=lambda done, total: seen.append((done, total)))
    total = len(library.entries)
    assert seen == [(n, total) for n in range(1, total + 1)]


def test_without_worker_processes_the_load_is_serial_and_equal(library_folder, monkeypatch):
    serial = load_library(library_folder, jobs=1)

    def no_pool(workers):
        raise OSError("no /dev/shm here")

    monkeypatch.setattr(loader, "process_pool", no_pool)
    assert snapshot(load_library(library_folder, jobs=2)) == snapshot(serial)


def test_a_broken_pool_leaves_the_rest_to_this_process(library_folder, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    serial = load_library(library_folder, jobs=1)
    real_pool = loader.process_pool

    class BreaksAfterFive:
        def __init__(self, workers):
            self.pool = real_pool(workers)

        def map(self, fn, *iterables, chunksize=1):
            for number, result in enumerate(self.pool.map(fn, *iterables, chunksize=chunksize)):
                if number == 5:
                    raise BrokenProcessPool("a worker was killed")
                yield result

        def shutdown(self, **options):
            self.pool.shutdown(**options)

    monkeypatch.setattr(loader, "process_pool", BreaksAfterFive)
    assert snapshot(load_library(library_folder, jobs=2)) == snapshot(serial)


def test_a_small_library_never_starts_workers(tmp_path, monkeypatch):
    def no_pool(workers):
        raise AssertionError("a pool for a handful of files")

    monkeypatch.setattr(loader, "process_pool", no_pool)
    library = load_library(BRIEFS, jobs=2)
    assert len(library.briefs) == 3


def test_the_worker_function_pickles_what_load_brief_returns(tmp_path, monkeypatch):
    monkeypatch.chdir(BRIEFS.parent)
    path = Path("briefs") / "isw-oreshnik-belarus.brief.yaml"
    entry = load_brief(path)
    data = loader._load_pickled(os.path.abspath(path), entry.path, loader.DEFAULT_MAX_FILE_SIZE)
    assert pickle.loads(data) == entry


def test_nodes_compare_by_identity_and_know_null():
    root = compose("a: ~\nb: 'null'\nc: [x, x]\n")
    (_, a), (_, b), (_, c) = root.value
    assert a.is_null and not b.is_null and not c.is_null
    first, second = c.value
    assert first.value == second.value and first != second and first == first
    assert len({first, second}) == 2
    assert (root.kind, root.line, root.column, root.size) == ("map", 1, 1, 9)
    assert compose("a: &x [1, 2]\nb: *x\n").size == 9  # an alias counts what it expands to


# -- one brief loaded aside (in a forked process) while the reader starts ----------

def _same_entry(a, b) -> bool:
    """Equal, and equal in the fields left out of == too."""
    return a == b and repr(a) == repr(b)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
@pytest.mark.parametrize("name", ["isw-oreshnik-belarus.brief.yaml", None])
def test_a_brief_loaded_aside_is_the_brief_loaded_here(name, monkeypatch):
    """The forked child's result, problems and all, is what loading in this process gives;
    a file with errors comes back as its problems."""
    path = BRIEFS / name if name else FIXTURES / "custom-tag.brief.yaml"
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(loader.os, "fork", lambda: forks.append(1) or real_fork())
    waiting = loader.load_brief_aside(path)
    assert forks == [1]
    assert _same_entry(waiting(), load_brief(path))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_child_that_fails_leaves_the_load_to_this_process(monkeypatch):
    """A child that cannot report (here: it cannot pickle) writes nothing; the brief is
    then loaded here, with the same result."""
    path = BRIEFS / "isw-oreshnik-belarus.brief.yaml"

    def cannot_pickle(*args, **kwargs):
        raise pickle.PicklingError("not in this child")

    monkeypatch.setattr(loader.pickle, "dumps", cannot_pickle)  # the child inherits it
    waiting = loader.load_brief_aside(path)
    monkeypatch.undo()
    assert _same_entry(waiting(), load_brief(path))


def test_with_threads_running_the_brief_is_loaded_here_without_a_fork(monkeypatch):
    """A fork copies none of the other threads, nor the locks they hold: none then."""
    path = BRIEFS / "isw-oreshnik-belarus.brief.yaml"
    monkeypatch.setattr(loader.threading, "active_count", lambda: 2)
    monkeypatch.setattr(loader.os, "fork", lambda: pytest.fail("forked with threads running"))
    assert _same_entry(loader.load_brief_aside(path)(), load_brief(path))

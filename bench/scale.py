"""Scale: load, index and search for generated libraries, and one very large brief.

    python bench/scale.py [--sizes 10,100,1000] [--single 5000] [--rounds 5] [--json]
    python bench/scale.py worker load DIR          (one measurement, one JSON line)
    python bench/scale.py worker index DIR
    python bench/scale.py worker search DIR      (BENCH_INDEX_DIR: an index built by "index")
    python bench/scale.py worker single DIR

For each size N (``bench/out/lib-N``, generated with bench/make_library.py when
absent), each measurement runs in a fresh process, so peak memory (ru_maxrss)
is its own, with ``BRIEFREADER_HOME`` in a throwaway folder (the user's cache
is never touched):

- load, cold: ``load_library(DIR, cache=ModelCache())`` with an empty model
  cache (parse every file and fill the cache), as bench/load_library.py does
  plus the cache;
- load, warm: the same in a new process, the model cache now filled;
- index: bench/search_library.py's measurement in a new process with an empty
  home: the first ``LibraryIndex.update`` (worker processes, one per core),
  one incremental update, and warm search over its 21 queries (median, p90, max
  of the per-query medians), with CPU time (user+sys, workers included) next
  to wall time, since other processes on the machine inflate the latter;
- single: one brief with K claims (``make_library.py --single-claims K``):
  load time, the finder's build (the first ``/``) and the time of every prefix
  of bench/search_brief.py's queries, as if typed a key at a time;
- side by side (``--rounds R``): the two largest sizes again, warm search on
  the index each size's measurement built (and warm load on its model cache),
  in fresh processes taking turns, A then B, for R rounds: each round's pair
  sees about the same machine speed, so the growth exponent k of each round
  is steadier than one from sizes measured minutes apart.

Times are wall-clock on a warm OS page cache (the files were just written or read).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
SUFFIX = ".brief.yaml"
sys.path.insert(0, str(BENCH_DIR))


def _rss_mib(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------------------
# Workers: one measurement each, in a fresh process


def _cpu(who=resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _calibration_work() -> None:
    """A fixed piece of pure-Python work (strings, a dict, a sort), like the loader's."""
    words = [f"{number:x}-brief" * 2 for number in range(20_000)]
    lengths = {word: len(word) for word in words}
    sorted(words, key=lambda word: (lengths[word], word[::-1]))


def _calibration() -> float:
    """CPU seconds the fixed work takes now, best of three: this machine's speed at the
    moment.  The same work runs before and after each measurement, so that growth can
    be judged on CPU time divided by it, which a machine slowed down between two sizes
    (other virtual machines on the host) does not bend."""
    times = []
    for _ in range(3):
        started = _cpu()
        _calibration_work()
        times.append(_cpu() - started)
    return min(times)


def calibrated(worker):
    """A worker whose result also says how fast the machine was while it ran."""
    def run(folder: Path) -> dict:
        before = _calibration()
        result = worker(folder)
        result["calibration_cpu_s"] = (before + _calibration()) / 2
        return result
    return run


def worker_load(folder: Path) -> dict:
    import yaml

    from briefreader.cache import ModelCache
    from briefreader.loader import load_library

    before = _rss_mib()
    cache = ModelCache()
    hits = 0
    get = cache.get

    def counting_get(*args, **kwargs):
        nonlocal hits
        entry = get(*args, **kwargs)
        hits += entry is not None
        return entry

    cache.get = counting_get
    cpu, cpu_children = _cpu(), _cpu(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    library = load_library(folder, cache=cache)
    seconds = time.perf_counter() - started
    # a cold load parses in worker processes: their CPU time is part of the work
    cpu = _cpu() - cpu + _cpu(resource.RUSAGE_CHILDREN) - cpu_children
    problems = list(library.all_problems)
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "briefs": len(library.briefs),
        "claims": sum(len(b.claims) for b in library.briefs.values()),
        "errors": sum(p.severity == "error" for p in problems),
        "warnings": sum(p.severity == "warning" for p in problems),
        "cache_hits": hits,
        "cache_usable": cache.usable,
        "rss_before_mib": before,
        "peak_rss_mib": _rss_mib(),
        "libyaml": bool(yaml.__with_libyaml__),
    }


def warm_search(index) -> dict:
    """bench/search_library.py's 21 queries on ``index``: each once to warm up, then 3 timed
    runs; the median, p90 and max of the per-query medians (wall), and the median in CPU time."""
    from search_library import QUERIES

    walls, cpus, hits = {}, {}, {}
    for query in QUERIES:
        hits[query] = len(index.search(query))  # warm-up
        runs, cpu_runs = [], []
        for _ in range(3):
            cpu, started = time.process_time(), time.perf_counter()
            index.search(query)  # refresh=True: brought up to date first
            runs.append(time.perf_counter() - started)
            cpu_runs.append(time.process_time() - cpu)
        walls[query], cpus[query] = statistics.median(runs), statistics.median(cpu_runs)
    ordered, ordered_cpu = sorted(walls.values()), sorted(cpus.values())
    return {
        "warm_median_ms": statistics.median(ordered) * 1000,
        "warm_p90_ms": ordered[int(0.9 * (len(ordered) - 1))] * 1000,
        "warm_max_ms": ordered[-1] * 1000,
        "warm_median_cpu_ms": statistics.median(ordered_cpu) * 1000,
        "per_query_ms": {q: round(t * 1000, 2) for q, t in walls.items()},
        "hits": hits,
    }


def worker_index(folder: Path) -> dict:
    """bench/search_library.py's measurement (first index, incremental update, its 21 queries
    warm), with CPU time next to wall time: user+sys of this process and its workers.  With
    ``BENCH_INDEX_DIR`` set, the index is built there and left for ``worker_search``."""
    from search_library import settle

    from briefreader.index import LibraryIndex
    from briefreader.loader import find_brief_files

    before = _rss_mib()
    with tempfile.TemporaryDirectory(prefix="briefreader-bench-") as scratch:
        scratch = os.environ.get("BENCH_INDEX_DIR") or scratch
        Path(scratch).mkdir(parents=True, exist_ok=True)
        db = Path(scratch) / "index.sqlite"
        settle(find_brief_files(folder)[0])
        cpu, cpu_children = _cpu(), _cpu(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        files, _ = find_brief_files(folder)
        index = LibraryIndex(db)
        stats = index.update(files)
        first = time.perf_counter() - started
        first_cpu = _cpu() - cpu + _cpu(resource.RUSAGE_CHILDREN) - cpu_children
        units = index.stats()["units"]
        db_bytes = sum(p.stat().st_size for p in Path(scratch).iterdir())
        search = warm_search(index)
        target = files[len(files) // 2]
        was = os.stat(target)
        when = time.time_ns() - 5_000_000_000  # not "racy": read exactly once
        os.utime(target, ns=(when, when))
        try:
            cpu, started = _cpu(), time.perf_counter()
            incremental = index.update(files)
            incremental_s, incremental_cpu = time.perf_counter() - started, _cpu() - cpu
        finally:  # as it was: model caches filled before still hold the file (a later warm load)
            os.utime(target, ns=(was.st_atime_ns, was.st_mtime_ns))
        assert incremental.changed == 1, incremental
        if os.environ.get("BENCH_INDEX_DIR"):  # left for worker_search: made to match the file again
            index.update(files)
        jobs = index.jobs
        index.close()
    return {
        "files": stats.files,
        "failed": stats.failed,
        "units": units,
        "jobs": jobs,
        "first_index_s": first,
        "first_index_cpu_s": first_cpu,
        "incremental_s": incremental_s,
        "incremental_cpu_s": incremental_cpu,
        **search,
        "db_mib": db_bytes / 1048576,
        "rss_before_mib": before,
        "peak_rss_mib": _rss_mib(),
        "children_peak_rss_mib": _rss_mib(resource.RUSAGE_CHILDREN),
    }


def worker_search(folder: Path) -> dict:
    """Warm search again, in a new process, on the index ``worker_index`` left in
    ``BENCH_INDEX_DIR``: opened, brought up to date (nothing to read unless a file changed
    since), then the same 21 queries as ``worker_index`` times."""
    from briefreader.index import LibraryIndex
    from briefreader.loader import find_brief_files

    db = Path(os.environ["BENCH_INDEX_DIR"]) / "index.sqlite"
    if not db.exists():
        raise SystemExit(f"no index at {db}: BENCH_INDEX_DIR must name a folder worker_index built")
    index = LibraryIndex(db)
    files, _ = find_brief_files(folder)
    stats = index.update(files)
    result = {"files": stats.files, "read_again": stats.added + stats.changed, **warm_search(index)}
    index.close()
    result["peak_rss_mib"] = _rss_mib()
    del result["hits"]
    return result


def worker_single(folder: Path) -> dict:
    import search_brief

    from briefreader.find import BriefFinder
    from briefreader.loader import load_library

    before = _rss_mib()
    started = time.perf_counter()
    library = load_library(folder)
    brief = next(iter(library.briefs.values()))
    loaded = time.perf_counter()
    finder = BriefFinder(brief, library)
    built = time.perf_counter()
    times = []
    for query in search_brief.QUERIES:
        for end in range(1, len(query) + 1):
            begin = time.perf_counter()
            finder.find(query[:end])
            times.append(time.perf_counter() - begin)
    times.sort()
    return {
        "brief": brief.id,
        "title": brief.title,
        "path": str(next(folder.rglob("*" + SUFFIX))),
        "claims": len(brief.claims),
        "blocks": len(finder.blocks),
        "characters": len(finder.text),
        "load_s": loaded - started,
        "finder_s": built - loaded,
        "key_median_ms": statistics.median(times) * 1000,
        "key_p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))] * 1000,
        "key_max_ms": times[-1] * 1000,
        "presses": len(times),
        "rss_before_mib": before,
        "peak_rss_mib": _rss_mib(),
    }


WORKERS = {"load": calibrated(worker_load), "index": calibrated(worker_index), "search": calibrated(worker_search),
           "single": worker_single}


# ---------------------------------------------------------------------------
# Orchestration


def ensure_library(n: int, out: Path, seed: int = 1) -> tuple[Path, bool]:
    """bench/out/lib-N, generated when absent or holding another number of briefs."""
    folder = out / f"lib-{n}"
    present = sum(1 for _ in folder.rglob("*" + SUFFIX)) if folder.exists() else 0
    if present == n:
        return folder, False
    command = [sys.executable, str(BENCH_DIR / "make_library.py"), str(n), str(folder), "--seed", str(seed), "--force"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return folder, True


def ensure_single(claims: int, out: Path) -> Path:
    folder = out / f"single-{claims}"
    if not (folder.exists() and any(folder.rglob("*" + SUFFIX))):
        command = [sys.executable, str(BENCH_DIR / "make_library.py"), "--single-claims", str(claims), str(folder),
                   "--force"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return folder


def in_fresh_process(kind: str, folder: Path, home: Path, timeout: float | None = None,
                     index_dir: Path | None = None) -> dict:
    """One worker measurement in a new process (its own process group, stopped by id on a timeout).
    ``index_dir``: where the index worker builds its index and leaves it, or the search worker finds it."""
    env = dict(os.environ, BRIEFREADER_HOME=str(home))
    env.pop("BENCH_INDEX_DIR", None)
    if index_dir is not None:
        env["BENCH_INDEX_DIR"] = str(index_dir)
    command = [sys.executable, str(Path(__file__).resolve()), "worker", kind, str(folder)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
                               start_new_session=True)
    try:
        out, _ = process.communicate(timeout=timeout)
    except BaseException:  # a timeout, or bench/run itself stopped: end the worker and its pool
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        raise
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    result = json.loads(out.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - started
    return result


def _median_run(runs: list[dict], key: str) -> dict:
    """The run with the median ``key`` (so that its other figures come from the same run)."""
    ordered = sorted(runs, key=lambda r: r[key])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["repeats"] = len(runs)
    chosen["all_" + key] = [round(r[key], 4) for r in runs]
    return chosen


class Kept:
    """What each size's measurements leave for measuring the largest sizes again side by side:
    a folder per size in one temporary folder, with ``home`` (a ``BRIEFREADER_HOME`` whose model
    cache is filled: a warm load reads it) and ``index`` (the index the index worker built)."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="bench-kept-"))
        self.sizes: dict[int, tuple[Path, Path]] = {}  # briefs: (library folder, kept folder)

    def place(self, n: int, folder: Path) -> Path:
        self.forget(n)
        place = self.root / f"lib-{n}"
        place.mkdir()
        self.sizes[n] = (folder, place)
        return place

    def forget(self, n: int) -> None:
        _, place = self.sizes.pop(n, (None, None))
        if place is not None:
            shutil.rmtree(place, ignore_errors=True)

    def keep_largest(self, count: int = 2) -> None:
        """Free the disk of all but the ``count`` largest sizes (10,000 briefs: over 1 GiB of index)."""
        for n in sorted(self.sizes)[:-count]:
            self.forget(n)

    def close(self) -> None:
        self.sizes.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Kept":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def measure_size(n: int, out: Path, *, cold_load: bool = True, log=print, timeout: float | None = None,
                 repeat: int = 1, warm_repeat: int | None = None, keep: Kept | None = None) -> dict:
    """One size: with ``repeat`` > 1 each measurement runs that many times (fresh processes and
    homes) and the median run is kept, which steadies the short runs of small libraries.  With
    ``keep``, the last run's home and index are left there for ``side_by_side``."""
    folder, generated = ensure_library(n, out)
    files = list(folder.rglob("*" + SUFFIX))
    row = {"briefs": n, "mib_on_disk": sum(f.stat().st_size for f in files) / 1048576, "generated": generated}
    scratch = keep.place(n, folder) if keep else Path(tempfile.mkdtemp(prefix=f"bench-scale-{n}-"))
    kept = None if keep is None else scratch / "index"
    done = False
    try:
        if cold_load:
            cold, warm, index = [], [], []
            for number in range(repeat):
                load_home, index_home = scratch / f"load-home-{number}", scratch / f"index-home-{number}"
                if keep and number == repeat - 1:
                    load_home = scratch / "home"
                times = f" (run {number + 1} of {repeat})" if repeat > 1 else ""
                log(f"  {n:,} briefs: load, cold model cache{times}")
                cold.append(in_fresh_process("load", folder, load_home))
                extra = max(1, warm_repeat or 1) if repeat == 1 else 1
                for again in range(extra):
                    label = times or (f" (run {again + 1} of {extra})" if extra > 1 else "")
                    log(f"  {n:,} briefs: load, warm model cache{label}")
                    warm.append(in_fresh_process("load", folder, load_home))
                log(f"  {n:,} briefs: first index, incremental, warm search{times}")
                index.append(in_fresh_process("index", folder, index_home,
                                              index_dir=kept if number == repeat - 1 else None))
            row["load_cold"] = _median_run(cold, "seconds")
            row["load_warm"] = _median_run(warm, "seconds")
            row["index"] = _median_run(index, "first_index_s")
            if repeat > 1:  # each figure its own median
                for key in ("warm_median_ms", "warm_median_cpu_ms", "incremental_s", "incremental_cpu_s",
                            "first_index_cpu_s"):
                    row["index"][key] = statistics.median(r[key] for r in index)
            for record, runs in ((row["load_cold"], cold), (row["load_warm"], warm)):
                if len(runs) > 1:
                    record["cpu_s"] = statistics.median(r["cpu_s"] for r in runs)
        else:
            load_home = scratch / "home"
            # The first index fills the model cache too (in worker processes): the
            # warm load then reads what it wrote.
            log(f"  {n:,} briefs: first index, incremental, warm search")
            started = time.perf_counter()
            row["index"] = in_fresh_process("index", folder, load_home, timeout=timeout, index_dir=kept)
            log(f"  {n:,} briefs: load, warm model cache (filled by the first index)")
            left = None if timeout is None else max(30.0, timeout - (time.perf_counter() - started))
            row["load_warm"] = in_fresh_process("load", folder, load_home, timeout=left)
        done = True
    finally:
        if keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
        elif not done:
            keep.forget(n)
    return row


def _k(n0: float, t0: float | None, n1: float, t1: float | None) -> float | None:
    """The growth exponent k in t ∝ n^k between two sizes."""
    if not (t0 and t1) or t0 <= 0 or t1 <= 0 or n0 == n1:
        return None
    return math.log(t1 / t0) / math.log(n1 / n0)


# What each side-by-side kind measures: worker, wall figure, CPU figure.
SIDE_BY_SIDE = {
    "search": ("search", "warm_median_ms", "warm_median_cpu_ms"),
    "load_warm": ("load", "seconds", "cpu_s"),
}
ROUND_FIGURES = ("warm_median_ms", "warm_median_cpu_ms", "warm_p90_ms", "read_again", "seconds", "cpu_s",
                "cache_hits", "briefs", "calibration_cpu_s", "process_s")


def side_by_side(keep: Kept, kind: str, rounds: int, *, log=print, deadline: float | None = None) -> dict | None:
    """Measure ``kind`` ("search" or "load_warm") again for the two largest sizes ``keep``
    holds, in fresh processes taking turns (round 1: A then B; round 2: A then B; ...), and the
    growth exponent k of each round's pair, from wall time and from CPU time divided by the
    machine's speed measured in the same process.

    ``deadline`` (a ``time.perf_counter()`` value): no round is started that the last one's
    length says would end after it (the first always runs), and a process still running at
    the deadline plus a minute is stopped.  None when fewer than two sizes are kept."""
    if len(keep.sizes) < 2 or rounds < 1:
        return None
    worker, wall_key, cpu_key = SIDE_BY_SIDE[kind]
    (a, (folder_a, place_a)), (b, (folder_b, place_b)) = sorted(keep.sizes.items())[-2:]
    record = {"kind": kind, "sizes": [a, b], "planned": rounds, "rounds": [], "k_wall": [], "k_cpu": []}

    def steady(r: dict) -> float | None:
        """CPU time divided by the machine's speed measured in the same process."""
        return r[cpu_key] / r["calibration_cpu_s"] if r.get(cpu_key) and r.get("calibration_cpu_s") else None

    last = 0.0
    for number in range(rounds):
        now = time.perf_counter()
        if number and deadline is not None and now + last > deadline:
            record["stopped"] = f"{number} of {rounds} rounds: the time budget was spent"
            break
        timeout = None if deadline is None else max(60.0, deadline + 60 - now)
        pair = []
        for n, folder, place in ((a, folder_a, place_a), (b, folder_b, place_b)):
            log(f"  side by side, {kind.replace('_', ' ')}: {n:,} briefs (round {number + 1} of {rounds})")
            result = in_fresh_process(worker, folder, place / "home", timeout=timeout,
                                      index_dir=place / "index" if worker == "search" else None)
            pair.append({key: result[key] for key in ROUND_FIGURES if key in result})
        last = time.perf_counter() - now
        record["rounds"].append(pair)
        first, second = pair
        record["k_wall"].append(_k(a, first[wall_key], b, second[wall_key]))
        record["k_cpu"].append(_k(a, steady(first), b, steady(second)))
    for which in ("wall", "cpu"):
        values = [k for k in record["k_" + which] if k is not None]
        record[which] = {"median": statistics.median(values), "min": min(values), "max": max(values)} \
            if values else None
    return record


def measure_single(claims: int, out: Path) -> dict:
    folder = ensure_single(claims, out)
    with tempfile.TemporaryDirectory(prefix="bench-single-") as home:
        result = in_fresh_process("single", folder, Path(home))
    result["folder"] = str(folder)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("worker", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--single", type=int, default=5000, help="claims of the single brief (0: skip)")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out")
    parser.add_argument("--rounds", type=int, default=5,
                        help="side by side: rounds of warm search for the two largest sizes (0: skip)")
    parser.add_argument("--load-rounds", type=int, default=0,
                        help="side by side: rounds of warm load for the two largest sizes (default 0)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        if len(args.worker) != 3 or args.worker[0] != "worker" or args.worker[1] not in WORKERS:
            parser.error("worker KIND DIR, KIND one of " + ", ".join(WORKERS))
        print(json.dumps(WORKERS[args.worker[1]](Path(args.worker[2]))))
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    together = {}
    with Kept() as keep:
        rows = []
        for n in args.sizes.split(","):
            if n.strip():
                rows.append(measure_size(int(n), args.out, log=log, keep=keep))
                keep.keep_largest(2)
        for kind, rounds in (("search", args.rounds), ("load_warm", args.load_rounds)):
            record = side_by_side(keep, kind, rounds, log=log)
            if record:
                together[kind] = record
    single = measure_single(args.single, args.out) if args.single else None
    if args.json:
        print(json.dumps({"sizes": rows, "single": single, "side_by_side": together}))
        return 0
    for r in rows:
        print(f"{r['briefs']:>6,} briefs: load cold {r['load_cold']['seconds']:.2f} s, "
              f"warm {r['load_warm']['seconds']:.2f} s ({r['load_warm']['peak_rss_mib']:.0f} MiB), "
              f"first index {r['index']['first_index_s']:.2f} s, "
              f"search median {r['index']['warm_median_ms']:.1f} ms")
    for kind, record in together.items():
        a, b = record["sizes"]
        figure = SIDE_BY_SIDE[kind][1]
        print(f"side by side, {kind.replace('_', ' ')} {a:,}→{b:,} briefs, {len(record['rounds'])} rounds: "
              + ", ".join(f"{first[figure]:.3g}→{second[figure]:.3g}" for first, second in record["rounds"]))
        for which in ("wall", "cpu"):
            ks = record["k_" + which]
            summary = record[which]
            print(f"  k {'wall' if which == 'wall' else 'CPU at machine speed'}: "
                  + ", ".join("–" if k is None else f"{k:.2f}" for k in ks)
                  + (f"; median {summary['median']:.2f} (range {summary['min']:.2f}–{summary['max']:.2f})"
                     if summary else ""))
    if single:
        print(f"single brief ({single['claims']} claims): load {single['load_s']:.2f} s, finder "
              f"{single['finder_s']:.2f} s, per key median {single['key_median_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

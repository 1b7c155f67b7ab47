"""Scale: load, index and search for generated libraries, and one very large brief.

    python bench/scale.py [--sizes 10,100,1000] [--single 5000] [--json]
    python bench/scale.py worker load DIR          (one measurement, one JSON line)
    python bench/scale.py worker index DIR
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
  of bench/search_brief.py's queries, as if typed a key at a time.

Times are wall-clock on a warm OS page cache (the files were just written or read).
"""

from __future__ import annotations

import argparse
import json
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


def worker_index(folder: Path) -> dict:
    """bench/search_library.py's measurement (first index, incremental update, its 21 queries
    warm), with CPU time next to wall time: user+sys of this process and its workers."""
    from search_library import QUERIES, settle

    from briefreader.index import LibraryIndex
    from briefreader.loader import find_brief_files

    before = _rss_mib()
    with tempfile.TemporaryDirectory(prefix="briefreader-bench-") as scratch:
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
        target = files[len(files) // 2]
        when = time.time_ns() - 5_000_000_000  # not "racy": read exactly once
        os.utime(target, ns=(when, when))
        cpu, started = _cpu(), time.perf_counter()
        incremental = index.update(files)
        incremental_s, incremental_cpu = time.perf_counter() - started, _cpu() - cpu
        assert incremental.changed == 1, incremental
        jobs = index.jobs
        index.close()
    ordered, ordered_cpu = sorted(walls.values()), sorted(cpus.values())
    return {
        "files": stats.files,
        "failed": stats.failed,
        "units": units,
        "jobs": jobs,
        "first_index_s": first,
        "first_index_cpu_s": first_cpu,
        "incremental_s": incremental_s,
        "incremental_cpu_s": incremental_cpu,
        "warm_median_ms": statistics.median(ordered) * 1000,
        "warm_p90_ms": ordered[int(0.9 * (len(ordered) - 1))] * 1000,
        "warm_max_ms": ordered[-1] * 1000,
        "warm_median_cpu_ms": statistics.median(ordered_cpu) * 1000,
        "per_query_ms": {q: round(t * 1000, 2) for q, t in walls.items()},
        "hits": hits,
        "db_mib": db_bytes / 1048576,
        "rss_before_mib": before,
        "peak_rss_mib": _rss_mib(),
        "children_peak_rss_mib": _rss_mib(resource.RUSAGE_CHILDREN),
    }


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


WORKERS = {"load": calibrated(worker_load), "index": calibrated(worker_index), "single": worker_single}


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


def in_fresh_process(kind: str, folder: Path, home: Path, timeout: float | None = None) -> dict:
    """One worker measurement in a new process (its own process group, stopped by id on a timeout)."""
    env = dict(os.environ, BRIEFREADER_HOME=str(home))
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


def measure_size(n: int, out: Path, *, cold_load: bool = True, log=print, timeout: float | None = None,
                 repeat: int = 1, warm_repeat: int | None = None) -> dict:
    """One size: with ``repeat`` > 1 each measurement runs that many times (fresh processes and
    homes) and the median run is kept, which steadies the short runs of small libraries."""
    folder, generated = ensure_library(n, out)
    files = list(folder.rglob("*" + SUFFIX))
    row = {"briefs": n, "mib_on_disk": sum(f.stat().st_size for f in files) / 1048576, "generated": generated}
    scratch = Path(tempfile.mkdtemp(prefix=f"bench-scale-{n}-"))
    try:
        if cold_load:
            cold, warm, index = [], [], []
            for number in range(repeat):
                load_home, index_home = scratch / f"load-home-{number}", scratch / f"index-home-{number}"
                times = f" (run {number + 1} of {repeat})" if repeat > 1 else ""
                log(f"  {n:,} briefs: load, cold model cache{times}")
                cold.append(in_fresh_process("load", folder, load_home))
                extra = max(1, warm_repeat or 1) if repeat == 1 else 1
                for again in range(extra):
                    label = times or (f" (run {again + 1} of {extra})" if extra > 1 else "")
                    log(f"  {n:,} briefs: load, warm model cache{label}")
                    warm.append(in_fresh_process("load", folder, load_home))
                log(f"  {n:,} briefs: first index, incremental, warm search{times}")
                index.append(in_fresh_process("index", folder, index_home))
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
            load_home = scratch / "load-home"
            # The first index fills the model cache too (in worker processes): the
            # warm load then reads what it wrote.
            log(f"  {n:,} briefs: first index, incremental, warm search")
            started = time.perf_counter()
            row["index"] = in_fresh_process("index", folder, load_home, timeout=timeout)
            log(f"  {n:,} briefs: load, warm model cache (filled by the first index)")
            left = None if timeout is None else max(30.0, timeout - (time.perf_counter() - started))
            row["load_warm"] = in_fresh_process("load", folder, load_home, timeout=left)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return row


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
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        if len(args.worker) != 3 or args.worker[0] != "worker" or args.worker[1] not in WORKERS:
            parser.error("worker KIND DIR, KIND one of " + ", ".join(WORKERS))
        print(json.dumps(WORKERS[args.worker[1]](Path(args.worker[2]))))
        return 0
    rows = [measure_size(int(n), args.out, log=lambda m: print(m, file=sys.stderr))
            for n in args.sizes.split(",") if n.strip()]
    single = measure_single(args.single, args.out) if args.single else None
    if args.json:
        print(json.dumps({"sizes": rows, "single": single}))
        return 0
    for r in rows:
        print(f"{r['briefs']:>6,} briefs: load cold {r['load_cold']['seconds']:.2f} s, "
              f"warm {r['load_warm']['seconds']:.2f} s ({r['load_warm']['peak_rss_mib']:.0f} MiB), "
              f"first index {r['index']['first_index_s']:.2f} s, "
              f"search median {r['index']['warm_median_ms']:.1f} ms")
    if single:
        print(f"single brief ({single['claims']} claims): load {single['load_s']:.2f} s, finder "
              f"{single['finder_s']:.2f} s, per key median {single['key_median_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Measure the library search index: first index, incremental update, warm search, size.

    python bench/search_library.py [--sizes 10,100,1000,10000] [--seed S] [--jobs J]
    python bench/search_library.py --dir DIR [--json]

For each size N, generates ``bench/out/lib-N`` with bench/make_library.py when it
is absent or holds a different number of briefs, then measures in a fresh
process, with the index in a temporary folder (the user's cache is not touched):

- first index: find the brief files and ``LibraryIndex.update`` them into an
  empty on-disk index (parsing with the loader, in worker processes);
- incremental update: one brief's mtime changes, then ``update`` again;
- warm search: ~20 varied queries (words, phrases, prefixes, OR, exclusions,
  filters alone and with words), each run through ``LibraryIndex.search``, which
  first makes sure the index is current (the "never stale" check is part of the
  cost: on Linux, the folder watches' queued events and a stat of each watched
  folder; elsewhere, or for files a watch cannot follow, a stat of every file).  Each query runs 3 times after a warm-up; the table gives the
  median and the slowest of the per-query medians;
- the CLI-equivalent cost of one query: rescanning the folder for brief files
  (``find_brief_files``), which ``briefreader search`` does on every run;
- the index file's size, and where the first index spends its time, from a
  serial sample of up to 40 briefs: loader (``load_brief``), building the rows,
  and inserting them.

Prints a Markdown table.  Times are wall-clock on a warm OS page cache.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SUFFIX = ".brief.yaml"

QUERIES = [
    "minsk",
    "deployment",
    "missile treaty",
    '"strategic security"',
    "kyiv OR vilnius",
    "warhead -nuclear",
    "lukashenko",
    "horvath",
    "Kalniņš",
    "depl*",
    '"the broader deployment"',
    "kind:assessment confidence:high",
    "kind:kj missile",
    "likelihood:probable deployment",
    "tag:arctic",
    "tag:shipping minsk",
    "entity:lukashenko",
    "source:institute kind:claim",
    "after:2025-06-01 before:2026 treaty",
    "kind:source analytics",
    "zzqx",
]


def settle(files) -> None:
    """Wait until the newest file is older than the index's "racy" window: a file written
    within it is read again by the next update (git's racy-clean rule), which a library
    generated a moment ago (a smoke run) would turn into a full re-read."""
    from briefreader.index import RACY_NS

    newest = max((os.stat(f).st_mtime_ns for f in files), default=0)
    wait = (newest + RACY_NS - time.time_ns()) / 1e9
    if wait > 0:
        time.sleep(wait + 0.05)


def measure(folder: Path, jobs: int | None) -> dict:
    from briefreader.index import LibraryIndex, _from_brief
    from briefreader.loader import find_brief_files, load_brief

    with tempfile.TemporaryDirectory(prefix="briefreader-bench-") as scratch:
        db = Path(scratch) / "index.sqlite"
        files, _ = find_brief_files(folder)
        settle(files)
        started = time.perf_counter()
        files, _ = find_brief_files(folder)
        index = LibraryIndex(db, jobs=jobs)
        stats = index.update(files)
        first = time.perf_counter() - started
        counts = index.stats()
        db_bytes = sum(p.stat().st_size for p in Path(scratch).iterdir())

        # Warm search: each query once to warm up, then three timed runs.
        per_query = {}
        hits = {}
        for query in QUERIES:
            hits[query] = len(index.search(query))
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                index.search(query)  # refresh=True: brought up to date first
                runs.append(time.perf_counter() - started)
            per_query[query] = statistics.median(runs)
        rescans = []
        for _ in range(3):
            started = time.perf_counter()
            find_brief_files(folder)
            rescans.append(time.perf_counter() - started)

        # Incremental update: one brief changed (its mtime a few seconds ago, so
        # that it is not "racy" and is read exactly once).
        target = files[len(files) // 2]
        when = time.time_ns() - 5_000_000_000
        os.utime(target, ns=(when, when))
        started = time.perf_counter()
        incremental = index.update(files)
        incremental_s = time.perf_counter() - started
        assert incremental.changed == 1, incremental
        index.close()

    # Where the first index goes: a serial sample.
    sample = files[:: max(1, len(files) // 40)][:40]
    load_s = rows_s = insert_s = 0.0
    import gc

    memory = LibraryIndex(None, jobs=1)
    conn = memory.conn
    conn.execute("BEGIN")
    for number, path in enumerate(sample, 1):
        gc.disable()
        started = time.perf_counter()
        entry = load_brief(path)
        load_s += time.perf_counter() - started
        gc.enable()
        started = time.perf_counter()
        parsed = _from_brief(entry.brief)
        rows_s += time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("INSERT INTO files(id, path, size, mtime_ns, ino) VALUES (?, ?, 0, 0, 0)",
                     (number, str(path)))
        memory._insert_rows(conn, number, parsed.rows)
        insert_s += time.perf_counter() - started
    conn.execute("COMMIT")

    times = sorted(per_query.values())
    return {
        "dir": str(folder),
        "files": stats.files,
        "failed": stats.failed,
        "mib_on_disk": sum(f.stat().st_size for f in files) / 1048576,
        "units": counts["units"],
        "jobs": index.jobs,
        "first_index_s": first,
        "incremental_s": incremental_s,
        "warm_median_ms": statistics.median(times) * 1000,
        "warm_p90_ms": times[int(0.9 * (len(times) - 1))] * 1000,
        "warm_max_ms": times[-1] * 1000,
        "rescan_ms": min(rescans) * 1000,
        "db_mib": db_bytes / 1048576,
        "per_query_ms": {q: round(t * 1000, 2) for q, t in per_query.items()},
        "hits": hits,
        "sample": len(sample),
        "load_ms_per_brief": load_s / len(sample) * 1000,
        "rows_ms_per_brief": rows_s / len(sample) * 1000,
        "insert_ms_per_brief": insert_s / len(sample) * 1000,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def ensure_library(n: int, seed: int, out: Path) -> Path:
    folder = out / f"lib-{n}"
    present = len(list(folder.rglob("*" + SUFFIX))) if folder.exists() else 0
    if present != n:
        command = [sys.executable, str(BENCH_DIR / "make_library.py"), str(n), str(folder),
                   "--seed", str(seed), "--force"]
        print("$", " ".join(command[1:]), file=sys.stderr)
        subprocess.run(command, check=True, stdout=sys.stderr)
    return folder


def print_table(rows: list[dict]) -> None:
    head = ["briefs", "units", "MiB on disk", "first index s", "incremental s",
            "warm search median ms", "p90 ms", "max ms", "folder rescan ms", "index MiB"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for r in rows:
        print("| " + " | ".join([
            f"{r['files']:,}", f"{r['units']:,}", f"{r['mib_on_disk']:.1f}", f"{r['first_index_s']:.2f}",
            f"{r['incremental_s']:.3f}", f"{r['warm_median_ms']:.1f}", f"{r['warm_p90_ms']:.1f}",
            f"{r['warm_max_ms']:.1f}", f"{r['rescan_ms']:.1f}", f"{r['db_mib']:.1f}",
        ]) + " |")
    print()
    print("Where the first index spends its time (serial sample, ms per brief):")
    print()
    print("| briefs | sample | loader (load_brief) | building rows | inserting | loader share |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        total = r["load_ms_per_brief"] + r["rows_ms_per_brief"] + r["insert_ms_per_brief"]
        print(f"| {r['files']:,} | {r['sample']} | {r['load_ms_per_brief']:.1f} | {r['rows_ms_per_brief']:.1f}"
              f" | {r['insert_ms_per_brief']:.1f} | {r['load_ms_per_brief'] / total:.0%} |")
    if rows:
        print()
        print("Per-query warm search (ms, median of 3) and hits (limit 50):")
        print()
        print("| query | " + " | ".join(f"{r['files']:,}" for r in rows) + " |")
        print("|---|" + "|".join("---:" for _ in rows) + "|")
        for query in QUERIES:
            cells = [f"{r['per_query_ms'][query]:.1f} ({r['hits'][query]})" for r in rows]
            print(f"| `{query}` | " + " | ".join(cells) + " |")
        first = rows[0]
        print(f"\nPython {first['python']}, {first['cpus']} CPUs, first index with {first['jobs']} "
              "worker processes; one fresh process per size; warm OS page cache.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,10000",
                        help="comma-separated library sizes (default 10,100,1000,10000)")
    parser.add_argument("--dir", type=Path, help="measure this library folder only")
    parser.add_argument("--seed", type=int, default=1, help="seed when generating")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out",
                        help="where generated libraries live (default bench/out)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="worker processes for the first index (default: all cores)")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of tables")
    args = parser.parse_args(argv)
    if args.dir:
        result = measure(args.dir, args.jobs)
        print(json.dumps(result) if args.json else result)
        return 0
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes wants numbers such as 10,100,1000, not {args.sizes!r}")
    rows = []
    for n in sizes:
        folder = ensure_library(n, args.seed, args.out)
        command = [sys.executable, str(Path(__file__).resolve()), "--dir", str(folder), "--json"]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        print("$", " ".join(command[1:]), file=sys.stderr)
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if args.json:
            print(json.dumps(rows[-1]), flush=True)
    if not args.json:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Measure how long loading a library takes and how much memory it needs.

    python bench/load_library.py DIR [--tracemalloc] [--json]
    python bench/load_library.py --sizes 10,100,1000 [--seed S] [--tracemalloc]

The first form loads DIR with ``briefreader.loader.load_library`` and prints the
number of brief files, briefs loaded, claims, errors, warnings, wall time, peak
memory (``ru_maxrss``; with --tracemalloc also the tracemalloc peak of the load
itself, which slows loading down) and whether PyYAML's C parser is available.

The second form generates ``bench/out/lib-N`` with bench/make_library.py for
each N when it is absent or incomplete, loads each in a fresh subprocess (so
peak memory is per size) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SUFFIX = ".brief.yaml"


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def measure(folder: Path, use_tracemalloc: bool = False, show: int = 5) -> dict:
    import yaml

    from briefreader.loader import load_library

    try:
        from briefreader import yamlsafe
        parser = yamlsafe.yaml_parser_class().__name__
    except (ImportError, AttributeError):
        parser = "?"
    rss_before = peak_rss_mib()
    if use_tracemalloc:
        import tracemalloc
        tracemalloc.start()
    started = time.perf_counter()
    library = load_library(folder)
    seconds = time.perf_counter() - started
    traced = None
    if use_tracemalloc:
        traced = tracemalloc.get_traced_memory()[1] / 1048576
        tracemalloc.stop()
    rss_peak = peak_rss_mib()

    files = list(folder.rglob("*" + SUFFIX))
    # Library.problems holds library-wide problems; each file's own are on its entry.
    problems = list(getattr(library, "all_problems", library.problems))
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in (errors + warnings)[:show]:
        print(problem, file=sys.stderr)
    briefs = library.briefs
    return {
        "dir": str(folder),
        "files": len(files),
        "mib_on_disk": sum(f.stat().st_size for f in files) / 1048576,
        "briefs": len(briefs),
        "claims": sum(len(brief.claims) for brief in briefs.values()),
        "errors": len(errors),
        "warnings": len(warnings),
        "seconds": seconds,
        "rss_before_mib": rss_before,
        "peak_rss_mib": rss_peak,
        "tracemalloc_peak_mib": traced,
        "libyaml": bool(yaml.__with_libyaml__),
        "parser": parser,
        "python": sys.version.split()[0],
    }


def rate(r: dict) -> str:
    per_second = r["files"] / r["seconds"] if r["seconds"] else 0.0
    return f"{per_second:,.0f}" if per_second >= 10 else f"{per_second:.2f}"


def print_result(r: dict) -> None:
    print(f"library:        {r['dir']}")
    print(f"files:          {r['files']:,} ({r['mib_on_disk']:.1f} MiB)")
    print(f"briefs:         {r['briefs']:,}")
    print(f"claims:         {r['claims']:,}")
    print(f"errors:         {r['errors']:,}")
    print(f"warnings:       {r['warnings']:,}")
    print(f"wall time:      {r['seconds']:.2f} s ({rate(r)} files/s)")
    print(f"peak RSS:       {r['peak_rss_mib']:.1f} MiB (ru_maxrss; {r['rss_before_mib']:.1f} MiB before loading)")
    if r["tracemalloc_peak_mib"] is not None:
        print(f"tracemalloc:    {r['tracemalloc_peak_mib']:.1f} MiB peak during the load (timing inflated)")
    print(f"libyaml:        {'yes' if r['libyaml'] else 'NO'} (yaml.__with_libyaml__; loader parses with {r['parser']})")


def run_sizes(sizes: list[int], seed: int, out: Path, use_tracemalloc: bool) -> int:
    rows = []
    for n in sizes:
        folder = out / f"lib-{n}"
        present = len(list(folder.rglob("*" + SUFFIX))) if folder.exists() else 0
        if present != n:
            command = [sys.executable, str(BENCH_DIR / "make_library.py"), str(n), str(folder),
                       "--seed", str(seed), "--force"]
            print("$", " ".join(command[1:]), file=sys.stderr)
            subprocess.run(command, check=True, stdout=sys.stderr)
        command = [sys.executable, str(Path(__file__).resolve()), str(folder), "--json"]
        if use_tracemalloc:
            command.append("--tracemalloc")
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    traced = use_tracemalloc
    head = ["briefs", "claims", "MiB on disk", "errors", "warnings", "load s", "files/s", "peak RSS MiB"]
    if traced:
        head.append("tracemalloc peak MiB")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for r in rows:
        cells = [f"{r['briefs']:,}", f"{r['claims']:,}", f"{r['mib_on_disk']:.1f}", str(r["errors"]),
                 str(r["warnings"]), f"{r['seconds']:.2f}", rate(r),
                 f"{r['peak_rss_mib']:.0f}"]
        if traced:
            cells.append(f"{r['tracemalloc_peak_mib']:.0f}")
        print("| " + " | ".join(cells) + " |")
    first = rows[0] if rows else {}
    print(f"\nPython {first.get('python')}, libyaml {'yes' if first.get('libyaml') else 'NO'} "
          f"(parser {first.get('parser')}); one fresh process per size"
          + ("; times include tracemalloc overhead" if traced else ""))
    return 0 if all(r["errors"] == 0 and r["warnings"] == 0 for r in rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", help="library folder to load")
    parser.add_argument("--sizes", help="comma-separated library sizes, e.g. 10,100,1000")
    parser.add_argument("--seed", type=int, default=1, help="seed when generating (--sizes)")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out",
                        help="where --sizes keeps lib-N (default bench/out)")
    parser.add_argument("--tracemalloc", action="store_true", help="also report the tracemalloc peak")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    parser.add_argument("--show-problems", type=int, default=5, metavar="K",
                        help="print the first K problems to stderr (default 5)")
    args = parser.parse_args(argv)
    if args.sizes:
        if args.dir:
            parser.error("give DIR or --sizes, not both")
        try:
            sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        except ValueError:
            parser.error(f"--sizes wants numbers such as 10,100,1000, not {args.sizes!r}")
        return run_sizes(sizes, args.seed, args.out, args.tracemalloc)
    if not args.dir:
        parser.error("DIR or --sizes is required")
    folder = Path(args.dir)
    if not folder.is_dir():
        parser.error(f"not a folder: {folder}")
    result = measure(folder, args.tracemalloc, args.show_problems)
    if args.json:
        print(json.dumps(result))
    else:
        print_result(result)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

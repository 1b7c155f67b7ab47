#!/usr/bin/env python3
"""Peak memory of opening a large library, against a ceiling (docs/limits.md).

    python bench/memory_ceiling.py                      # bench/out/lib-10000, made if absent
    python bench/memory_ceiling.py DIR [--ceiling-mib M] [--modes parse,cached] [--json]

Each measurement runs in a fresh process that reports its own peak resident set
size (``VmHWM`` in /proc/self/status; ``ru_maxrss`` where there is no /proc) as
it ends.  Not ``ru_maxrss`` from ``wait4``: Linux carries the parent's high-water
mark into a child across vfork and exec, so it would count this script too.

- ``baseline``: import the loader, load nothing (the interpreter, PyYAML, the model);
- ``parse``: ``load_library(DIR)``, parsing every file (``briefreader check``, and
  the reader with ``--no-cache`` or in secure mode);
- ``cache-fill``: ``load_library(DIR, cache=ModelCache())`` with an empty model
  cache in a temporary BRIEFREADER_HOME: the reader's first open of a library;
- ``cached``: the same again, every brief read back from the cache: the reader's
  later opens.  ``cached`` implies ``cache-fill`` first.

It prints the peak RSS of each, the growth over the baseline per brief and per
MiB on disk, and compares each peak with the ceiling; the exit status is 1 when
any peak is over it.  DIR defaults to bench/out/lib-10000, generated with
bench/make_library.py (seed 1) when absent or incomplete: about 40 s and 600 MiB.
The parse of 10,000 briefs takes 3-5 minutes on 2 cores, and filling the cache
about as long again; ``--modes parse`` skips the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
SUFFIX = ".brief.yaml"
DEFAULT_SIZE = 10_000
# The proposed ceiling for opening a 10,000-brief library (about 600 MiB of briefs from
# make_library.py): measured peaks are in docs/limits.md and bench/README.md.
DEFAULT_CEILING_MIB = 3072

CHILD = r"""
import json, os, sys, time
from pathlib import Path
from briefreader.loader import load_library
mode, folder = sys.argv[1], sys.argv[2]
started = time.perf_counter()
if mode == "baseline":
    result = {"briefs": 0, "failed": 0}
else:
    cache = None
    if mode in ("cache-fill", "cached"):
        from briefreader.cache import ModelCache
        cache = ModelCache()
        assert cache.usable, "the model cache folder is not usable"
    library = load_library(folder, cache=cache)
    result = {"briefs": len(library.briefs), "failed": len(library.failed)}
result["seconds"] = time.perf_counter() - started
try:
    with open("/proc/self/status") as status:
        kib = int(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
except OSError:
    import resource
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kib = kib // 1024 if sys.platform == "darwin" else kib
result["peak_kib"] = kib
print(json.dumps(result))
"""


def run_child(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run a child to its end: its exit status and its standard output."""
    done = subprocess.run(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                          cwd=ROOT, text=True)
    return done.returncode, done.stdout


def ensure_library(folder: Path, size: int) -> None:
    present = len(list(folder.rglob("*" + SUFFIX))) if folder.exists() else 0
    if present == size:
        return
    command = [sys.executable, str(BENCH_DIR / "make_library.py"), str(size), str(folder), "--force"]
    print("$", " ".join(command[1:]), file=sys.stderr)
    subprocess.run(command, check=True, stdout=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", type=Path,
                        help=f"library folder (default bench/out/lib-{DEFAULT_SIZE}, generated if absent)")
    parser.add_argument("--ceiling-mib", type=float, default=DEFAULT_CEILING_MIB,
                        help=f"peak RSS allowed for each mode (default {DEFAULT_CEILING_MIB})")
    parser.add_argument("--modes", default="parse,cached",
                        help="comma-separated: parse, cache-fill, cached (default parse,cached)")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of a table")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(modes) - {"parse", "cache-fill", "cached"}
    if unknown:
        parser.error(f"unknown mode(s): {', '.join(sorted(unknown))}")
    if "cached" in modes and "cache-fill" not in modes:
        modes.insert(modes.index("cached"), "cache-fill")

    folder = args.dir or BENCH_DIR / "out" / f"lib-{DEFAULT_SIZE}"
    if args.dir is None:
        ensure_library(folder, DEFAULT_SIZE)
    if not folder.is_dir():
        parser.error(f"not a folder: {folder}")
    files = list(folder.rglob("*" + SUFFIX))
    mib_on_disk = sum(f.stat().st_size for f in files) / 1048576

    rows = []
    with tempfile.TemporaryDirectory(prefix="briefreader-memory-") as home:
        env = dict(os.environ, BRIEFREADER_HOME=home)
        env.pop("BRIEFREADER_SECURE", None)
        for mode in ["baseline", *modes]:
            started = time.perf_counter()
            status, out = run_child([sys.executable, "-c", CHILD, mode, str(folder)], env)
            if status != 0:
                print(f"{mode}: the child failed with status {status}", file=sys.stderr)
                return 2
            result = json.loads(out.strip().splitlines()[-1])
            peak = result["peak_kib"] / 1024
            result.update(mode=mode, peak_rss_mib=peak, wall_s=time.perf_counter() - started)
            rows.append(result)
            print(f"{mode}: {peak:,.0f} MiB peak RSS, {result['seconds']:.1f} s", file=sys.stderr)

    baseline = rows[0]["peak_rss_mib"]
    for row in rows:
        growth = row["peak_rss_mib"] - baseline
        row["growth_mib"] = growth
        row["mib_per_brief"] = growth / row["briefs"] if row["briefs"] else None
        row["x_disk"] = growth / mib_on_disk if row["briefs"] and mib_on_disk else None
        row["over_ceiling"] = row["mode"] != "baseline" and row["peak_rss_mib"] > args.ceiling_mib
    summary = {"dir": str(folder), "files": len(files), "mib_on_disk": mib_on_disk,
               "ceiling_mib": args.ceiling_mib, "python": sys.version.split()[0], "rows": rows}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"library: {folder} ({len(files):,} files, {mib_on_disk:,.1f} MiB on disk)")
        print(f"ceiling: {args.ceiling_mib:,.0f} MiB peak RSS per mode\n")
        print("| mode | briefs | load s | peak RSS MiB | growth MiB | MiB per brief | x size on disk | within ceiling |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for row in rows:
            per_brief = f"{row['mib_per_brief']:.3f}" if row["mib_per_brief"] is not None else ""
            x_disk = f"{row['x_disk']:.2f}" if row["x_disk"] is not None else ""
            within = "" if row["mode"] == "baseline" else ("NO" if row["over_ceiling"] else "yes")
            print(f"| {row['mode']} | {row['briefs']:,} | {row['seconds']:.1f} | "
                  f"{row['peak_rss_mib']:,.0f} | {row['growth_mib']:,.0f} | {per_brief} | {x_disk} | {within} |")
    return 1 if any(row["over_ceiling"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

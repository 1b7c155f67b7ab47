"""In-brief search speed on one large brief: what each key press costs.

    python bench/search_brief.py [BRIEF]     (default: bench/out/single-5000)

Loads the brief, builds the finder once (what the first `/` costs), then times
the search for every prefix of a few queries, as if typed one key at a time.
Prints the median and worst time per key press.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from briefreader.find import BriefFinder
from briefreader.loader import load_library

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("belarus", "minsk", "supply", "assessment", "ukraine", "x", "Lukashenko")


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "out" / "single-5000"
    if not target.exists():
        sys.exit(f"{target} is missing: python bench/make_library.py --single-claims 5000")
    started = time.perf_counter()
    library = load_library(target)
    brief = next(iter(library.briefs.values()))
    loaded = time.perf_counter()
    finder = BriefFinder(brief, library)
    built = time.perf_counter()
    print(f"brief: {brief.id}, {len(brief.claims)} claims, {len(finder.blocks)} blocks, "
          f"{len(finder.text) / 1e6:.1f} M characters")
    print(f"load: {(loaded - started) * 1000:.0f} ms; first `/` (build the finder): "
          f"{(built - loaded) * 1000:.0f} ms")
    times = []
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            begin = time.perf_counter()
            spots = finder.find(query[:end])
            times.append(time.perf_counter() - begin)
        print(f"  {query!r}: {len(spots)} matches")
    times.sort()
    print(f"per key press: median {statistics.median(times) * 1000:.1f} ms, "
          f"95th percentile {times[int(len(times) * 0.95)] * 1000:.1f} ms, "
          f"worst {times[-1] * 1000:.1f} ms over {len(times)} presses")


if __name__ == "__main__":
    main()

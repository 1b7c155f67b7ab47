"""A long fuzzing run of tests/test_fuzz.py: the same properties as CI, many more examples.

    python bench/fuzz_long.py                      # 10 minutes, 5,000 examples a test a round
    python bench/fuzz_long.py --minutes 30 --examples 20000
    python bench/fuzz_long.py --rounds 1           # one round, whatever it takes

Each round runs the property tests (not the pinned ``finding`` examples) under the
``long`` Hypothesis profile with a new seed, in a subprocess, until the time is up.  A
failing round's output (with the shrunk example and the ``@reproduce_failure`` blob)
goes to bench/out/fuzz-<seed>.txt; the summary lists every failing seed.  Rerun one with
``HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py --hypothesis-seed=SEED``.
Exit status 1 when any round failed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10, help="stop starting rounds after this")
    parser.add_argument("--examples", type=int, default=5_000, help="examples a test a round")
    parser.add_argument("--rounds", type=int, default=0, help="stop after this many rounds (0: no limit)")
    parser.add_argument("-k", default="not finding", help="pytest -k expression (default: the properties)")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HYPOTHESIS_PROFILE": "long", "BRIEFREADER_FUZZ_EXAMPLES": str(args.examples)}
    end = time.monotonic() + args.minutes * 60
    started = time.monotonic()
    rounds, failed = 0, []
    while time.monotonic() < end and (not args.rounds or rounds < args.rounds):
        seed = random.randrange(2**32)
        t0 = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", args.k,
             f"--hypothesis-seed={seed}", "tests/test_fuzz.py"],
            cwd=ROOT, env=env, capture_output=True, text=True)
        rounds += 1
        summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"round {rounds}: seed {seed}: {summary} ({time.monotonic() - t0:.0f} s)", flush=True)
        if done.returncode != 0:
            report = OUT / f"fuzz-{seed}.txt"
            report.write_text(done.stdout + done.stderr)
            failed.append((seed, report, re.findall(r"^FAILED (\S+)", done.stdout, re.MULTILINE)))
    tests = 4
    print(f"\n{rounds} rounds in {(time.monotonic() - started) / 60:.1f} min, about "
          f"{rounds * tests * args.examples:,} examples")
    for seed, report, names in failed:
        print(f"FAILED seed {seed}: {', '.join(names) or 'see report'} -> {report}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

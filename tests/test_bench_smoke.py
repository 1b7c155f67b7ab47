"""bench/run --quick completes and writes its report with every section.

A smoke test only: no figure is asserted (benchmarks never run in the suite's
timing assertions). The run writes into a temporary folder (--out), so the
committed bench/results.md and bench/results.png are left alone. Everything it
starts is in the process group of the run, stopped by that group's id.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyte")

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run"
LIMIT = 110  # seconds; a quick run takes about 30 s on 2 cores

SECTIONS = [
    "# briefreader benchmarks",
    "## 1. Time to first screen (80x24, TERM=xterm-256color)",
    "## 2. Bytes per key press",
    "### Where the bytes go, region by region",
    "## 3. Scale: load, index and search",
    "### One very large brief",
    "## 4. Targets (issue 7)",
    "## 5. Findings: what our screens repaint that they need not",
]


def _stop_group(process: subprocess.Popen) -> None:
    """End the run and whatever it started in its own process group (never by name)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(5)
            return
        except subprocess.TimeoutExpired:
            continue


def test_quick_run_writes_the_report(tmp_path):
    committed = {name: (ROOT / "bench" / name).read_bytes() if (ROOT / "bench" / name).exists() else None
                 for name in ("results.md", "results.png")}
    process = subprocess.Popen([sys.executable, str(RUN), "--quick", "--out", str(tmp_path)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        _stop_group(process)
        output = process.stdout.read() if process.stdout else ""
        pytest.fail(f"bench/run --quick took more than {LIMIT} s:\n{output[-3000:]}")
    finally:
        if process.poll() is None:
            _stop_group(process)
    assert process.returncode == 0, output[-3000:]

    report = (tmp_path / "results.md").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert section in report, f"missing {section!r} in the report"
    assert "bench/run --quick" in report
    for program in ("briefreader", "textual floor"):
        assert f"| {program} | " in report
    assert "| target | measured | verdict |" in report
    assert "![Scaling curves" in report and "(results.png)" in report

    png = (tmp_path / "results.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 200_000

    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["quick"] is True
    assert {"j", "search", "]"} <= set(data["keys"]["sessions"])
    assert [row["briefs"] for row in data["scale"]["sizes"]] == [10, 100]
    assert data["first_screen"]["programs"]["briefreader"]["median_ms"] > 0

    # The committed results were not touched.
    for name, before in committed.items():
        after = (ROOT / "bench" / name).read_bytes() if (ROOT / "bench" / name).exists() else None
        assert after == before, f"bench/{name} changed"

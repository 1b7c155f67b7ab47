"""Resource limits (docs/limits.md): an oversized brief is refused by the limit's name
without being read, a larger limit lets a large valid brief through, and the memory a
library takes grows in proportion to it.

Memory is measured on child processes: each reports its own peak resident set size
(``VmHWM`` in /proc/self/status) as it exits.  Not ``ru_maxrss`` from ``wait4`` or
``RUSAGE_CHILDREN``: Linux carries the parent's high-water mark into a child across
vfork and exec, so a child of a 180 MiB pytest reports at least 180 MiB.  No test
asserts on time; the files are made at test time in a temporary folder (the 60 MiB
one sparse, so it costs no disk and no time to write).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader.loader import load_brief
from briefreader.yamlsafe import DEFAULT_MAX_FILE_SIZE

ROOT = Path(__file__).resolve().parent.parent
SMALL_BRIEF = ROOT / "briefs" / "rutte-trump-nato-meeting.brief.yaml"
MAKE_LIBRARY = ROOT / "bench" / "make_library.py"
MiB = 1024 * 1024

# The ceilings docs/limits.md states.
REFUSAL_CEILING_MIB = 200  # peak RSS of a process that refuses a 60 MB brief, all included
REFUSAL_GROWTH_MIB = 16  # over the same command on a 3 KB brief: the file is never read
LOAD_X_FILE_SIZE = 8  # a brief or a library takes at most 8x its size on disk (measured 4-5x)

# Prepended to every measured child: write the process's peak RSS (KiB) at exit.
REPORT_PEAK = """
import atexit, os, sys
def _report_peak(path=os.environ["BRIEFREADER_TEST_PEAK"]):
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(path, "w") as out:
        out.write(peak)
atexit.register(_report_peak)
"""

LOAD_ONE = REPORT_PEAK + """
import json
from briefreader.loader import load_brief
entry = load_brief(sys.argv[1])
print(json.dumps([[p.code, p.message] for p in entry.problems]))
"""

LOAD_FOLDER = REPORT_PEAK + """
import json
from briefreader.loader import load_library
library = load_library(sys.argv[1]) if sys.argv[1] != "-" else None
print(json.dumps({"briefs": len(library.briefs) if library else 0,
                  "failed": len(library.failed) if library else 0}))
"""

# ``python -m briefreader ARGS...``, reporting its peak
BRIEFREADER = [sys.executable, "-c", REPORT_PEAK + """
import runpy
sys.argv = ["briefreader", *sys.argv[1:]]
runpy.run_module("briefreader", run_name="__main__", alter_sys=True)
"""]


def run_measured(argv: list[str], tmp_path: Path) -> tuple[int, str, str, float]:
    """Run a child to its end: exit status, stdout, stderr and peak RSS in MiB."""
    if not Path("/proc/self/status").exists():
        pytest.skip("measuring peak memory needs /proc/self/status (Linux)")
    out, err, peak = tmp_path / "child.out", tmp_path / "child.err", tmp_path / "child.peak"
    peak.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "BRIEFREADER_SECURE"}
    env.update(BRIEFREADER_HOME=str(tmp_path / "home"), BRIEFREADER_TEST_PEAK=str(peak))
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                              cwd=ROOT, env=env, timeout=600)
    assert peak.exists(), f"the child reported no peak memory: {err.read_text()}"
    return done.returncode, out.read_text(), err.read_text(), int(peak.read_text()) / 1024


def sparse_brief(path: Path, size: int) -> Path:
    """A brief-looking file of ``size`` bytes that takes no disk and no time to write."""
    with open(path, "wb") as handle:
        handle.write(b"briefreader: 1\nid: oversized\ntitle: An oversized brief\n")
        handle.truncate(size)
    return path


def large_valid_brief(path: Path, size: int) -> Path:
    """A valid brief of about ``size`` bytes: a small brief's sections, repeated.

    The repeated bodies carry no inline ``[[ref]]``: the loader places each inline
    reference by counting lines from the start of the file, which is quadratic in a
    brief with many of them (reported; docs/limits.md), and this test is about the
    size limit, not that cost.
    """
    text = SMALL_BRIEF.read_text(encoding="utf-8")
    head, rest = text.split("\nsections:\n", 1)
    tail = rest[rest.index("\nclaims:"):]
    paragraph = ("      The headline names NATO and Ukraine as the subjects of the meeting. It is\n"
                 "      linked from the article behind the brief on Oreshnik basing in Belarus,\n"
                 "      which suggests it appeared around December 2024; it gives no date.\n\n")
    body = paragraph * 40
    parts = [head, "\nsections:\n",
             "  - id: sec-known\n    title: \"What is known\"\n    body: |\n"
             "      [[meeting-reported]] [@read-also-link]\n"]
    written = sum(len(p) for p in parts) + len(tail)
    number = 0
    while written < size:
        section = f"  - id: part-{number}\n    title: \"Part {number}\"\n    body: |\n{body}"
        parts.append(section)
        written += len(section)
        number += 1
    parts.append(tail)
    path.write_text("".join(parts), encoding="utf-8")
    return path


@pytest.fixture
def sixty_mb(tmp_path: Path) -> Path:
    return sparse_brief(tmp_path / "sixty.brief.yaml", 60 * MiB)


def test_load_brief_refuses_a_60_mb_brief_by_the_limit_name(sixty_mb: Path) -> None:
    entry = load_brief(sixty_mb)
    assert entry.brief is None
    [problem] = entry.problems
    assert problem.severity == "error"
    assert problem.code == "too-large"
    assert "max_file_size" in problem.message and "--max-file-size" in problem.message
    assert "60 MiB" in problem.message and "32 MiB limit" in problem.message, problem.message
    assert DEFAULT_MAX_FILE_SIZE == 32 * MiB  # the default docs/limits.md states


def test_load_brief_refusal_reads_nothing(sixty_mb: Path, tmp_path: Path) -> None:
    status, out, err, small = run_measured([sys.executable, "-c", LOAD_ONE, str(SMALL_BRIEF)], tmp_path)
    assert status == 0, err
    status, out, err, refused = run_measured([sys.executable, "-c", LOAD_ONE, str(sixty_mb)], tmp_path)
    assert status == 0, err
    assert json.loads(out)[0][0] == "too-large"
    print(f"\nload_brief peak RSS: 3 KB brief {small:.1f} MiB, 60 MB refusal {refused:.1f} MiB")
    assert refused < REFUSAL_CEILING_MIB
    assert refused - small < REFUSAL_GROWTH_MIB


@pytest.mark.parametrize("form", ["text", "json"])
def test_check_refuses_a_60_mb_brief_by_the_limit_name(sixty_mb: Path, tmp_path: Path,
                                                       form: str) -> None:
    command = [*BRIEFREADER, "check", "--format", form]
    status, _, err, small = run_measured([*command, str(SMALL_BRIEF)], tmp_path)
    assert status == 0, err
    status, out, err, refused = run_measured([*command, str(sixty_mb)], tmp_path)
    assert status == 1, err
    if form == "json":
        report = json.loads(out)
        assert report["failed"] == 1 and report["errors"] == 1
        [problem] = report["problems"]
        assert problem["code"] == "too-large"
        message = problem["message"]
    else:
        [message, summary] = out.splitlines()
        assert message.startswith(f"{sixty_mb}: error: file is 60 MiB, over the 32 MiB limit")
        assert "1 brief could not be opened" in summary
    assert "(max_file_size; briefreader check --max-file-size reads larger files)" in message
    print(f"\ncheck --format {form} peak RSS: 3 KB brief {small:.1f} MiB, "
          f"60 MB refusal {refused:.1f} MiB")
    assert refused < REFUSAL_CEILING_MIB
    assert refused - small < REFUSAL_GROWTH_MIB


def test_the_reader_refuses_a_60_mb_brief_before_it_starts(sixty_mb: Path, tmp_path: Path) -> None:
    status, out, err, peak = run_measured([*BRIEFREADER, str(sixty_mb)], tmp_path)
    assert status == 1
    assert "max_file_size" in err and "could not be opened" in err
    assert out == ""  # no screen was drawn
    assert peak < REFUSAL_CEILING_MIB


def test_max_file_size_lets_a_large_valid_brief_through(tmp_path: Path) -> None:
    """Just over the 32 MiB default: refused as it stands, checked clean with 100M."""
    big = large_valid_brief(tmp_path / "big.brief.yaml", DEFAULT_MAX_FILE_SIZE + MiB)
    size = big.stat().st_size
    assert size > DEFAULT_MAX_FILE_SIZE
    check = [*BRIEFREADER, "check"]

    status, out, err, _ = run_measured([*check, str(big)], tmp_path)
    assert status == 1, err
    assert "over the 32 MiB limit (max_file_size" in out

    status, out, err, peak = run_measured([*check, "--max-file-size", "100M", str(big)], tmp_path)
    assert status == 0, out + err
    assert "1 file checked: 0 errors" in out, out
    print(f"\ncheck --max-file-size 100M on a {size / MiB:.1f} MiB brief: peak RSS {peak:.0f} MiB")
    assert peak < LOAD_X_FILE_SIZE * size / MiB


@pytest.fixture(scope="module")
def library_300(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 small generated briefs, the first 100 in the subfolder 000/."""
    folder = tmp_path_factory.mktemp("lib") / "lib"
    subprocess.run([sys.executable, str(MAKE_LIBRARY), "300", str(folder), "--claims", "10-60",
                    "--jobs", "2"], check=True, capture_output=True, timeout=300)
    return folder


def _size_on_disk(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*.brief.yaml")) / MiB


def test_library_memory_grows_in_proportion(library_300: Path, tmp_path: Path) -> None:
    """Peak memory per brief stays about the same from 100 to 300 briefs (bench/
    memory_ceiling.py measures 10,000); generous bounds, since only the shape matters."""
    runs = {}
    for name, folder, count in (("baseline", "-", 0), ("100", library_300 / "000", 100),
                                ("300", library_300, 300)):
        status, out, err, peak = run_measured([sys.executable, "-c", LOAD_FOLDER, str(folder)], tmp_path)
        assert status == 0, err
        assert json.loads(out) == {"briefs": count, "failed": 0}
        runs[name] = peak
    growth_100 = runs["100"] - runs["baseline"]
    growth_300 = runs["300"] - runs["baseline"]
    disk_100, disk_300 = _size_on_disk(library_300 / "000"), _size_on_disk(library_300)
    print(f"\nlibrary peak RSS: baseline {runs['baseline']:.1f} MiB; 100 briefs ({disk_100:.1f} MiB) "
          f"+{growth_100:.1f} MiB, {growth_100 / 100:.3f} MiB a brief; 300 briefs ({disk_300:.1f} MiB) "
          f"+{growth_300:.1f} MiB, {growth_300 / 300:.3f} MiB a brief")
    assert growth_100 > 0 and growth_300 > growth_100
    per_brief_ratio = (growth_300 / 300) / (growth_100 / 100)
    assert 0.6 < per_brief_ratio < 1.6, f"memory per brief changed {per_brief_ratio:.2f}x"
    assert growth_100 < LOAD_X_FILE_SIZE * disk_100
    assert growth_300 < LOAD_X_FILE_SIZE * disk_300

"""Time to the first screen, briefreader and its anchors side by side, in a real pty.

    python bench/first_screens.py [--runs 5] [--frogmouth PATH] [--json]

Each program starts in a pseudo-terminal at 80x24 (TERM=xterm-256color, a
throwaway home) and the clock stops when its expected text is on the pyte
screen.  The programs take turns (run 1 of each, then run 2 of each, ...) after
one untimed warm-up round, so that a noisy moment hits them all alike:

- briefreader:       ``python -m briefreader BRIEF``, until the brief's title shows;
- textual floor:     bench/hello_app.py (a Textual app that only shows "hello");
- less:              ``less`` on a file holding ``briefreader show BRIEF``, until its first line;
- show | less:       ``briefreader show BRIEF | less`` (what the command line costs);
- frogmouth:         frogmouth on ``briefreader export BRIEF --to markdown``, until the title
                     (only when a frogmouth executable is given: it lives in its own venv).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from ptyterm import COLUMNS, PtyProgram  # noqa: E402

BRIEF = "briefs/isw-oreshnik-belarus.brief.yaml"
TITLE = "Oreshnik in Belarus"


def _env(home: str) -> dict[str, str]:
    env = dict(os.environ, BRIEFREADER_HOME=home, HOME=home, XDG_CONFIG_HOME=f"{home}/config",
               XDG_DATA_HOME=f"{home}/data", XDG_CACHE_HOME=f"{home}/cache", XDG_STATE_HOME=f"{home}/state",
               LESS="", LESSHISTFILE="-", LESSKEYIN="/dev/null", LESSSECURE="1")
    env.pop("LESSOPEN", None)
    env.pop("LESSCLOSE", None)
    return env


def once(command: list[str], expect: str, timeout: float = 60.0) -> tuple[float, int]:
    """Seconds until ``expect`` is on screen, and the bytes written until then."""
    with tempfile.TemporaryDirectory(prefix="bench-first-") as home:
        with PtyProgram(command, env=_env(home), cwd=ROOT) as program:
            seconds = program.wait_for(expect, timeout)
            return seconds, program.total


def startup_frames(command: list[str], expect: str, *, gap: float = 0.008, quiet: float = 0.5,
                   cap: float = 10.0) -> dict:
    """What a program paints from its start until it settles: bursts of output (split where the
    terminal is quiet for ``gap`` seconds), each with its bytes, the cells it wrote and changed,
    and where the vertical pane border stands (a layout that moves between frames)."""
    import time as _time

    with tempfile.TemporaryDirectory(prefix="bench-first-") as home:
        with PtyProgram(command, env=_env(home), cwd=ROOT) as program:
            chunks: list[tuple[float, bytes]] = []
            feed = program.stream.feed

            def recording(data: bytes) -> None:
                chunks.append((_time.perf_counter() - program.started, data))
                feed(data)

            program.stream.feed = recording
            shown = program.wait_for(expect)
            program.settle(quiet=quiet, cap=cap)
    from ptyterm import TrackingScreen
    import pyte

    bursts: list[list] = []
    last = -1.0
    for at, data in chunks:
        if bursts and at - last < gap:
            bursts[-1][1] += data
        else:
            bursts.append([at, data])
        last = at
    screen = TrackingScreen(program.columns, program.lines)
    stream = pyte.ByteStream(screen)
    frames = []
    for at, data in bursts:
        stream.feed(data)
        cells = screen.take_written()
        rows = screen.display
        border = next((x for x in range(screen.columns)
                       if sum(rows[y][x] in "▕▏│┃" for y in range(2, screen.lines - 3)) >= screen.lines - 6), None)
        frames.append({"at_ms": round(at * 1000, 1), "bytes": len(data), "written": len(cells),
                       "changed": sum(cells.values()), "border_column": border,
                       "expected_shown": any(expect in line for line in rows),
                       "bottom_line": rows[-1].strip()[:48], "second_line": rows[1].strip()[:48]})
    return {"shown_ms": shown * 1000, "settled_bytes": sum(f["bytes"] for f in frames), "frames": frames}


def programs(python: str, scratch: Path, frogmouth: str | None) -> list[dict]:
    env = dict(os.environ, COLUMNS=str(COLUMNS))
    with tempfile.TemporaryDirectory(prefix="bench-home-") as home:
        env["BRIEFREADER_HOME"] = home
        show = subprocess.run([python, "-m", "briefreader", "show", BRIEF], cwd=ROOT, env=env, check=True,
                              stdout=subprocess.PIPE).stdout.decode()
        markdown = scratch / "oreshnik.md"
        subprocess.run([python, "-m", "briefreader", "export", BRIEF, "--to", "markdown", "-o", str(markdown)],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    text = scratch / "oreshnik-show.txt"
    text.write_text(show, encoding="utf-8")
    first_line = next(line for line in show.splitlines() if line.strip()).strip()[:40]
    found = [
        {"name": "briefreader", "command": [python, "-m", "briefreader", BRIEF], "expect": TITLE},
        {"name": "textual floor", "command": [python, str(BENCH_DIR / "hello_app.py")], "expect": "hello"},
        {"name": "less", "command": ["less", str(text)], "expect": first_line},
        {"name": "show | less", "command": ["sh", "-c", f"{shlex.quote(python)} -m briefreader show {BRIEF} | less"],
         "expect": first_line},
    ]
    if frogmouth:
        found.append({"name": "frogmouth", "command": [frogmouth, str(markdown)], "expect": TITLE})
    return found


def compile_bytecode(python: str) -> None:
    """Compile briefreader's modules as an install does.  In an editable checkout with
    PYTHONDONTWRITEBYTECODE set (as on the CI machines), every start would otherwise
    compile the changed modules again: tens of milliseconds a user never pays."""
    package = subprocess.run([python, "-c", "import briefreader, os; print(os.path.dirname(briefreader.__file__))"],
                             cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", package], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def run(python: str, runs: int = 5, frogmouth: str | None = None, warmup: bool = True) -> dict:
    compile_bytecode(python)
    with tempfile.TemporaryDirectory(prefix="bench-first-") as scratch:
        scratch_name = scratch
        entries = programs(python, Path(scratch), frogmouth)
        times: dict[str, list[float]] = {e["name"]: [] for e in entries}
        sizes: dict[str, list[int]] = {e["name"]: [] for e in entries}
        errors: dict[str, str] = {}
        frames = {}
        for entry in entries[:2]:  # briefreader and the Textual floor: what they paint until settled
            try:
                frames[entry["name"]] = startup_frames(entry["command"], entry["expect"])
            except (TimeoutError, RuntimeError, OSError) as error:
                frames[entry["name"]] = {"error": str(error).splitlines()[0]}
        for round_number in range(runs + (1 if warmup else 0)):
            for entry in entries:
                if entry["name"] in errors:
                    continue
                try:
                    seconds, written = once(entry["command"], entry["expect"])
                except (TimeoutError, RuntimeError, OSError) as error:
                    errors[entry["name"]] = str(error).splitlines()[0]
                    continue
                if warmup and round_number == 0:
                    continue
                times[entry["name"]].append(seconds)
                sizes[entry["name"]].append(written)
    results = {}
    for entry in entries:
        name = entry["name"]
        if not times[name]:
            results[name] = {"error": errors.get(name, "no run")}
            continue
        results[name] = {
            "median_ms": statistics.median(times[name]) * 1000,
            "min_ms": min(times[name]) * 1000,
            "max_ms": max(times[name]) * 1000,
            "runs_ms": [round(t * 1000, 1) for t in times[name]],
            "bytes_median": statistics.median(sizes[name]),
            "expect": entry["expect"],
            "command": " ".join(shlex.quote(c) for c in entry["command"]).replace(str(ROOT) + "/", "")
                       .replace(scratch_name + "/", "$TMP/"),
        }
        if name in errors:
            results[name]["error"] = errors[name]
    return {"runs": runs, "warmup": warmup, "programs": results, "frames": frames}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="the Python that has briefreader and Textual")
    parser.add_argument("--frogmouth", help="a frogmouth executable (its own venv), to add that anchor")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.python, args.runs, args.frogmouth)
    if args.json:
        print(json.dumps(result))
        return 0
    for name, r in result["programs"].items():
        if "median_ms" in r:
            print(f"{name:14} median {r['median_ms']:7.0f} ms  (runs {r['runs_ms']}), {r['bytes_median']:.0f} bytes")
        else:
            print(f"{name:14} {r['error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Bytes per key press: scripted sessions through a real pty, and what each key repaints.

    python bench/keys.py [--quick] [--json]

Sessions (each in a fresh process, 80x24, TERM=xterm-256color, a throwaway home):

- ``j``:       open the Oreshnik brief, ``tab`` to the reading pane, then ``j`` N times;
- ``search``:  ``tab`` to the reading pane, ``/``, type a word, ``enter``, then ``n`` M times;
- ``]``:       ``]`` (next claim, an outline jump) K times from the outline;
- ``less j``:  ``less`` on the brief's ``briefreader show`` output, ``j`` N times.

After each key the output is read until the terminal has been quiet for 50 ms
(the first byte may take up to 1 s; at most 3 s a key).  Each key's output is
fed to a pyte screen piece by piece, split at cursor-position sequences, so
that we know which cells each piece wrote; a piece none of whose cells changed
is redundant, and its bytes are waste.  A key "repaints the screen" when it
writes more than 80% of the cells; it was "needed" when more than 80% changed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from ptyterm import COLUMNS, LINES, PtyProgram  # noqa: E402

BRIEF = "briefs/isw-oreshnik-belarus.brief.yaml"
TITLE = "Oreshnik in Belarus"
SEARCH_WORD = "belarus"
FULL_SCREEN = 0.8  # share of the cells
QUIET, FIRST_BYTE, CAP = 0.05, 1.0, 3.0

KEYS = {"tab": b"\t", "enter": b"\r", "escape": b"\x1b"}
BORDERS = set("▕▏│┃║▌▐")


def key_bytes(key: str) -> bytes:
    return KEYS.get(key, key.encode())


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (the value at or below which ``share`` of them lie)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-int(round(share * 100 * len(ordered))) // 100))
    return ordered[min(len(ordered), rank) - 1]


# ---------------------------------------------------------------------------
# Regions of the screen, named for the findings


def brief_regions(screen):
    """Name the parts of briefreader's brief screen from what is on it."""
    rows = screen.display
    lines, columns = screen.lines, screen.columns
    row_names = {0: "top banner", lines - 1: "bottom banner"}
    for y in range(lines - 4, lines - 1):
        text = rows[y].lstrip()
        if text.startswith("[") and "]" in text[:12]:
            row_names[y] = "status line"
        elif rows[y].startswith("/ "):
            row_names[y] = "search bar"
    pane_rows = [y for y in range(lines) if y not in row_names and y > 0 and y < lines - 3] or [1]
    borders = [x for x in range(columns)
               if sum(rows[y][x] in BORDERS for y in pane_rows) >= 0.8 * len(pane_rows)]
    names = ["outline", "reading pane", "details pane"]
    segments = []
    start = 0
    for x in borders + [columns]:
        if x > start:
            segments.append((start, x - 1))
        start = x + 1
    column_names = {}
    for number, (first, last) in enumerate(segments):
        name = names[number] if number < len(names) else f"pane {number + 1}"
        for x in range(first, last):
            column_names[x] = name
        column_names[last] = f"{name} scrollbar"
    for x in borders:
        column_names[x] = "pane border"

    def region(cell):
        y, x = cell
        return row_names.get(y) or column_names.get(x, "panes")

    return region


def less_regions(screen):
    lines = screen.lines

    def region(cell):
        return "prompt line" if cell[0] == lines - 1 else "text"

    return region


# ---------------------------------------------------------------------------
# Sessions


def _env(home: str) -> dict[str, str]:
    env = dict(os.environ, BRIEFREADER_HOME=home, HOME=home, LESS="", LESSHISTFILE="-",
               LESSKEYIN="/dev/null", LESSSECURE="1")
    env.pop("LESSOPEN", None)
    env.pop("LESSCLOSE", None)
    return env


def briefreader_session(python: str, keys: list[str], *, setup: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as home:
        with PtyProgram([python, "-m", "briefreader", BRIEF], env=_env(home), cwd=ROOT) as program:
            program.wait_for(TITLE)
            program.settle(quiet=0.4)
            for key in setup:
                program.press(key, key_bytes(key), quiet=QUIET, first_byte=FIRST_BYTE, cap=CAP)
            program.settle(quiet=0.2)
            results = [program.press(key, key_bytes(key), quiet=QUIET, first_byte=FIRST_BYTE, cap=CAP,
                                     regions=brief_regions) for key in keys]
            final = program.screen.text()
    return {"keys": [r.__dict__ for r in results], "final_screen": final}


def less_session(text_file: Path, keys: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as home:
        with PtyProgram(["less", str(text_file)], env=_env(home), cwd=ROOT) as program:
            first = next(line for line in text_file.read_text(encoding="utf-8").splitlines() if line.strip())
            program.wait_for(first.strip()[:40])
            program.settle(quiet=0.2)
            results = [program.press(key, key_bytes(key), quiet=QUIET, first_byte=FIRST_BYTE, cap=CAP,
                                     regions=less_regions) for key in keys]
            final = program.screen.text()
    return {"keys": [r.__dict__ for r in results], "final_screen": final}


def summarize(keys: list[dict]) -> dict:
    cells = COLUMNS * LINES
    sizes = [k["bytes"] for k in keys]
    latencies = [k["latency_ms"] for k in keys]
    full = [k for k in keys if k["written"] > FULL_SCREEN * cells]
    needed = [k for k in full if k["changed"] > FULL_SCREEN * cells]
    total = sum(sizes)
    return {
        "presses": len(keys),
        "bytes_median": statistics.median(sizes) if sizes else 0,
        "bytes_p95": percentile(sizes, 0.95),
        "bytes_total": total,
        "latency_median_ms": statistics.median(latencies) if latencies else 0,
        "latency_p95_ms": percentile(latencies, 0.95),
        "written_median": statistics.median(k["written"] for k in keys) if keys else 0,
        "changed_median": statistics.median(k["changed"] for k in keys) if keys else 0,
        "full_repaints": len(full),
        "full_repaints_needed": len(needed),
        "full_repaint_keys": sorted({k["key"] for k in full}),
        "redundant_bytes": sum(k["redundant_bytes"] for k in keys),
        "redundant_share": (sum(k["redundant_bytes"] for k in keys) / total) if total else 0.0,
        "silent": sum(1 for k in keys if k["bytes"] == 0),
        "written_twice": sum(1 for k in keys if k.get("rewrites")),
    }


def by_key(keys: list[dict]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for k in keys:
        name = "letters" if len(k["key"]) == 1 and k["key"].isalpha() and k.get("typed") else k["key"]
        groups.setdefault(name, []).append(k)
    return {name: summarize(group) for name, group in groups.items()}


def regions_total(keys: list[dict]) -> dict[str, dict[str, int]]:
    """Per region over a session: bytes, redundant bytes, and in how many presses the
    region was rewritten without changing."""
    out: dict[str, dict[str, int]] = {}
    for k in keys:
        for name, slot in k["regions"].items():
            total = out.setdefault(name, {"bytes": 0, "redundant": 0, "written": 0, "changed": 0, "rewrites": 0,
                                          "presses_rewritten_unchanged": 0, "presses_written": 0,
                                          "presses_with_waste": 0, "presses_written_twice": 0})
            for field in ("bytes", "redundant", "written", "changed", "rewrites"):
                total[field] += slot.get(field, 0)
            if slot["written"]:
                total["presses_written"] += 1
                if not slot["changed"]:
                    total["presses_rewritten_unchanged"] += 1
            if slot["redundant"]:
                total["presses_with_waste"] += 1
            if slot.get("rewrites"):
                total["presses_written_twice"] += 1
    return out


def run(python: str, quick: bool = False) -> dict:
    j_count, n_count, jump_count = (10, 3, 5) if quick else (50, 10, 20)
    with tempfile.TemporaryDirectory(prefix="bench-show-") as scratch:
        show = Path(scratch) / "show.txt"
        import subprocess

        env = dict(os.environ, COLUMNS=str(COLUMNS))
        with tempfile.TemporaryDirectory(prefix="bench-home-") as home:
            env["BRIEFREADER_HOME"] = home
            text = subprocess.run([python, "-m", "briefreader", "show", BRIEF], cwd=ROOT, env=env,
                                  check=True, stdout=subprocess.PIPE).stdout
        show.write_bytes(text)
        sessions = {}
        sessions["j"] = briefreader_session(python, ["j"] * j_count, setup=["tab"])
        typed = ["/"] + list(SEARCH_WORD) + ["enter"] + ["n"] * n_count
        sessions["search"] = briefreader_session(python, typed, setup=["tab"])
        for k in sessions["search"]["keys"][1:1 + len(SEARCH_WORD)]:
            k["typed"] = True
        sessions["]"] = briefreader_session(python, ["]"] * jump_count, setup=[])
        if shutil.which("less"):
            sessions["less j"] = less_session(show, ["j"] * j_count)
        lines_scrolled = len(text.decode().splitlines())
    out = {"settings": {"quiet_ms": QUIET * 1000, "first_byte_ms": FIRST_BYTE * 1000, "cap_ms": CAP * 1000,
                        "full_screen_share": FULL_SCREEN, "columns": COLUMNS, "lines": LINES,
                        "search_word": SEARCH_WORD, "show_lines": lines_scrolled},
           "sessions": {}}
    for name, session in sessions.items():
        out["sessions"][name] = {
            "summary": summarize(session["keys"]),
            "by_key": by_key(session["keys"]),
            "regions": regions_total(session["keys"]),
            "keys": session["keys"],
            "final_screen": session["final_screen"],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer presses (a smoke run)")
    parser.add_argument("--python", default=sys.executable, help="the Python that has briefreader")
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    args = parser.parse_args(argv)
    result = run(args.python, args.quick)
    if args.json:
        print(json.dumps(result))
        return 0
    for name, session in result["sessions"].items():
        s = session["summary"]
        print(f"{name:8} bytes/key median {s['bytes_median']:.0f} p95 {s['bytes_p95']:.0f}; "
              f"latency median {s['latency_median_ms']:.1f} ms p95 {s['latency_p95_ms']:.1f} ms; "
              f"full repaints {s['full_repaints']} ({s['full_repaints_needed']} needed) "
              f"{s['full_repaint_keys']}; redundant {s['redundant_share']:.0%}")
        for region, r in sorted(session["regions"].items(), key=lambda kv: -kv[1]["redundant"]):
            print(f"    {region:24} bytes {r['bytes']:7} redundant {r['redundant']:7} "
                  f"waste in {r['presses_with_waste']}/{s['presses']} presses, "
                  f"unchanged in {r['presses_rewritten_unchanged']}, written twice in {r['presses_written_twice']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

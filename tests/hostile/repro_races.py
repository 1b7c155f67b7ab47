"""Reproduce two timing problems the hostile walk ran into (not run by pytest).

    python tests/hostile/repro_races.py page    [RUNS]   # KeyError in OptionList._move_page
    python tests/hostile/repro_races.py search  [RUNS]   # keys right after enter in / are lost

Both drive the installed reader in a pty (tests/hostile/terminal.py) with keys 20 ms
apart, the pace of key repeat or of keys that arrive together over SSH, on the hostile
escapes brief.  Neither depends on the brief being hostile; it only makes the panes long.

page:   ``G space space space`` then ``? esc`` then ``g tab space tab space j j``.  At
        e131cd3 three runs in twenty: a page key reached a pane whose options had just
        been replaced and Textual's OptionList._move_page raised ``KeyError: 0``
        (widgets.py ``_page``); the reader exited (status 0) with the traceback in
        state/errors.log.  Not seen since fb2d971 (0 of 30 runs); kept to check.
search: ``/pwned`` ``enter`` then at once ``?``: the keys typed after enter went into the
        search bar's input until the screen had handled the submission and moved the
        focus, so ``/word⏎n`` searched for "wordn".  One run in five on the escapes brief
        until enter and esc in the bar became priority bindings of the brief screen that
        move the focus at once; 0 in 15 since (tests/test_hostile.py has the regression
        test, with the keys in one write).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hostile.terminal  # noqa: E402
from hostile.make_corpus import CORPUS  # noqa: E402
from hostile.terminal import Terminal  # noqa: E402

hostile.terminal.KEY_GAP = 0.02  # the pace both problems were found at


def page(runs: int) -> None:
    died = 0
    for _ in range(runs):
        home = Path(tempfile.mkdtemp())
        term = Terminal(["escapes.brief.yaml"], cwd=CORPUS, home=home)
        try:
            term.wait_for("Escapes")
            term.press("G", "space", "space", "space", "?")
            term.wait_for("Keys (from")
            term.press("escape")
            term.wait_gone("Keys (from")
            term.press("g", "tab", "space", "tab", "space", "j", "j")
            term.drain(2)
            if term.process.poll() is not None:
                died += 1
                log = home / "state" / "errors.log"
                last = log.read_text().strip().splitlines()[-1] if log.exists() else "(no log)"
                print(f"the reader exited ({term.process.returncode}): {last}")
        finally:
            term.close()
    print(f"page: the reader died in {died} of {runs} runs")


def search(runs: int) -> None:
    lost = 0
    for _ in range(runs):
        term = Terminal(["escapes.brief.yaml"], cwd=CORPUS, home=Path(tempfile.mkdtemp()))
        try:
            term.wait_for("Escapes")
            term.press("/", "pwned", "enter", "?")
            try:
                term.wait_for("Keys (from", deadline=4)
            except AssertionError:
                lost += 1
        finally:
            term.close()
    print(f"search: the key after enter was lost in {lost} of {runs} runs")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "page"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    {"page": page, "search": search}[what](count)

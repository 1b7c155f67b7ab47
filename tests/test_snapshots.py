"""A few SVG snapshots of how the reader renders (pytest-textual-snapshot).

Behaviour is tested in test_tui.py; these catch rendering regressions only.
Baselines live in tests/__snapshots__/test_snapshots/; after an intended change in
the look, regenerate them with

    .venv/bin/python -m pytest tests/test_snapshots.py --snapshot-update

and look at the new SVGs before committing them.

Determinism: a temporary BRIEFREADER_HOME, no remembered positions, NO_COLOR
unset, the bundled library opened by the relative path ``briefs`` from the
repository root (so no machine path shows in the status line), and every
screenshot taken after the library-loading worker has finished.
"""

from __future__ import annotations

from pathlib import Path

import tempfile
import pytest

from briefreader.app import BriefReaderApp

ROOT = Path(__file__).resolve().parent.parent
ORESHNIK = "isw-oreshnik-belarus"


@pytest.fixture(autouse=True)
def _deterministic(briefreader_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("NO_COLOR", raising=False)


def make_app() -> BriefReaderApp:
    return BriefReaderApp("briefs", remember=False)


def after_loading(*keys: str, open_brief: str = ""):
    """A ``run_before`` that waits for the library, optionally opens a brief by
    moving the library cursor onto it, then presses ``keys``."""

    async def run_before(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if open_brief:
            listing = pilot.app.screen.query_one("#briefs")
            index = next(i for i in range(listing.option_count)
                         if Path(listing.get_option_at_index(i).id).name == f"{open_brief}.brief.yaml")
            await pilot.press(*(["j"] * index), "enter")
            await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()

    return run_before


def test_library_screen(snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=after_loading())


def test_brief_screen_80x24(snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24),
                        run_before=after_loading(open_brief=ORESHNIK))


def test_brief_screen_120x40(snap_compare):
    assert snap_compare(make_app(), terminal_size=(120, 40),
                        run_before=after_loading(open_brief=ORESHNIK))


def test_inspector_on_a_key_judgment_claim_80x24(snap_compare):
    """Narrow layout: the focused inspector takes the reader's place."""
    assert snap_compare(make_app(), terminal_size=(80, 24),
                        run_before=after_loading("K", "tab", "tab", open_brief=ORESHNIK))


def test_inspector_on_a_source_120x40(snap_compare):
    """Wide layout: all three panes, the inspector describing the first source."""
    assert snap_compare(make_app(), terminal_size=(120, 40),
                        run_before=after_loading("s", "j", open_brief=ORESHNIK))


def test_help_screen(snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24),
                        run_before=after_loading("question_mark", open_brief=ORESHNIK))


def test_snapshots_hold_no_machine_paths():
    folder = Path(__file__).parent / "__snapshots__" / "test_snapshots"
    svgs = sorted(folder.glob("*.svg"))
    assert svgs, "no snapshot baselines: run with --snapshot-update"
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        # this checkout's own location, the temp folder and the home folder
        machine = (str(Path(__file__).resolve().parents[1]), tempfile.gettempdir(), str(Path.home()))
        for fragment in machine:
            assert fragment not in text, f"{svg.name} contains {fragment}"

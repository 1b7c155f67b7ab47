"""Secure mode turns off everything that reaches outside the brief; no session
ever opens a network connection."""

from __future__ import annotations

import asyncio
import io
import socket
from pathlib import Path

import pytest

from briefreader import paths, secure
from briefreader.app import BriefReaderApp
from briefreader.cli import main
from briefreader.screens import BriefScreen

ROOT = Path(__file__).resolve().parent.parent
BRIEFS = ROOT / "briefs"
ORESHNIK = BRIEFS / "isw-oreshnik-belarus.brief.yaml"


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Every place briefreader could write, inside tmp_path (XDG and BRIEFREADER_HOME)."""
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setenv("BRIEFREADER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def written_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def review_session(pilot) -> BriefScreen:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, BriefScreen)
    await pilot.press("K", "d", "c", *"doubtful", "escape", "j", "E")
    await pilot.pause()
    return screen


def test_secure_mode_writes_nothing_and_says_so(isolated, monkeypatch):
    monkeypatch.setenv("BRIEFREADER_SECURE", "1")
    copied = []
    monkeypatch.setattr("textual.app.App.copy_to_clipboard", lambda self, text: copied.append(text))

    async def body():
        app = BriefReaderApp(str(BRIEFS), use_cache=True)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await review_session(pilot)
            store = app.review_store(screen.brief)
            assert not store.persist
            assert store.status("no-added-strike-risk") == "disputed"  # the review still works
            assert "SECURE" in str(screen.query_one("#status").render())
            app.copy_to_clipboard("secret")  # OSC 52 would put it on the terminal's clipboard
            await pilot.pause()
            notices = [n.message for n in app._notifications]
            assert any("memory only" in n for n in notices)
            assert any("exports is turned off" in n for n in notices)
    asyncio.run(body())
    assert copied == []
    assert written_files(isolated) == []


def test_secure_mode_reads_no_settings_from_the_environment(isolated, monkeypatch):
    assert paths.state_dir() == isolated / "home" / "state"
    with secure.turned_on():
        assert not str(paths.state_dir()).startswith(str(isolated / "home"))
    assert paths.state_dir() == isolated / "home" / "state"  # and it ends with the block


def test_secure_cli_refuses_to_write_and_keeps_no_index(isolated):
    out = io.StringIO()
    assert main(["review", "export", str(ORESHNIK), "-o", "report.md", "--secure"], out) == 2
    assert main(["search", "oreshnik", str(BRIEFS), "--secure"], out) == 0
    assert "isw-oreshnik-belarus" in out.getvalue()
    assert written_files(isolated) == []
    assert main(["search", "oreshnik", str(BRIEFS)], io.StringIO()) == 0  # without: it caches
    assert written_files(isolated)


def test_a_whole_session_runs_with_no_network_at_all(isolated, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)

    async def body():
        app = BriefReaderApp(str(BRIEFS), use_cache=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await review_session(pilot)
            await pilot.press("F")
            await pilot.app.workers.wait_for_complete()
            await pilot.press(*"khmeimim", "enter")
            await pilot.pause()
            assert isinstance(pilot.app.screen, BriefScreen)
            await pilot.press("slash", *"belarus", "enter", "n")
            await pilot.pause()
    asyncio.run(body())
    for argv in (["check", str(BRIEFS)], ["search", "lukashenko", str(BRIEFS)],
                 ["review", "export", str(ORESHNIK)], ["review", "status", str(BRIEFS)]):
        assert main(argv, io.StringIO()) in (0, 1)
    assert attempts == []
    assert (isolated / "isw-oreshnik-belarus.review.md").exists()  # the export did happen

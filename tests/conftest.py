"""Shared fixtures.

Nothing here is autouse for the whole suite: hypothesis-based tests must not get
function-scoped fixtures they did not ask for.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def briefreader_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary BRIEFREADER_HOME, so no test reads or writes the real config or state."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("BRIEFREADER_HOME", str(home))
    return home

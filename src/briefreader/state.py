"""What the reader remembers between runs: where the user was in each brief."""

from __future__ import annotations

from pathlib import Path

from . import paths
from .storage import read_json, write_atomic

STATE_VERSION = 1


class ReadingState:
    """Per-brief reading positions: the outline entry the reader was on (files written
    before kept its target, `claim:<id>`; both open at the place).

    A move is recorded at once and written by :meth:`save`, which the reader calls
    a second after the first move not yet saved and again as it closes: moving
    about costs no disk write per key (each is two fsyncs, slow on a network home).
    """

    def __init__(self, path: Path | None = None, *, persist: bool = True):
        self.path = path or paths.state_dir() / "positions.json"
        self.persist = persist
        data, self.notice = read_json(self.path) if persist else ({}, "")
        positions = data.get("positions", {}) if data.get("version") == STATE_VERSION else {}
        self.positions: dict[str, str] = {
            str(k): str(v) for k, v in positions.items() if isinstance(v, str)
        }
        last = data.get("last") if data.get("version") == STATE_VERSION else ""
        self.last = last if isinstance(last, str) else ""  # the brief read most recently
        self.unsaved = False  # moves recorded since the last save

    def position(self, brief_id: str) -> str:
        return self.positions.get(brief_id, "")

    def remember(self, brief_id: str, key: str) -> None:
        if self.positions.get(brief_id) == key and self.last == brief_id:
            return
        self.positions[brief_id] = key
        self.last = brief_id
        self.unsaved = self.persist

    def save(self) -> None:
        """Write the positions (atomically), if anything moved since the last save."""
        if not self.unsaved:
            return
        import json  # here: a first start, which has no file to read, needs none before

        self.unsaved = False
        try:
            write_atomic(self.path, json.dumps(
                {"version": STATE_VERSION, "last": self.last, "positions": self.positions},
                indent=1))
        except OSError as error:
            self.notice = f"cannot save reading position: {error.strerror}"

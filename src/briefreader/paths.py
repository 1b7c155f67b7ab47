"""Where briefreader keeps things on disk (XDG via platformdirs).

``BRIEFREADER_HOME`` puts everything under one folder instead: tests use it,
and so can a user who wants the state beside the briefs.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "briefreader"


def _home() -> Path | None:
    home = os.environ.get("BRIEFREADER_HOME")
    return Path(home).expanduser() if home else None


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP))


def state_dir() -> Path:
    home = _home()
    return home / "state" if home else Path(platformdirs.user_state_dir(APP))


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    home = _home()
    return home / "cache" if home else Path(platformdirs.user_cache_dir(APP))


def config_file() -> Path:
    return config_dir() / "config.toml"

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
    from . import secure

    home = secure.environ("BRIEFREADER_HOME")
    return Path(home).expanduser() if home else None


def _dir(kind: str) -> Path:
    home = _home()
    if home:
        return home / kind
    finder = {"config": platformdirs.user_config_dir, "state": platformdirs.user_state_dir,
              "data": platformdirs.user_data_dir, "cache": platformdirs.user_cache_dir}[kind]
    return Path(finder(APP))


def config_dir() -> Path:
    return _dir("config")


def state_dir() -> Path:
    return _dir("state")


def data_dir() -> Path:
    return _dir("data")


def cache_dir() -> Path:
    return _dir("cache")


def config_file() -> Path:
    return config_dir() / "config.toml"

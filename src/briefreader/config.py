"""The user's config file (TOML): library folder, reviewer name, key remaps.

Lives at ``paths.config_file()`` (``~/.config/briefreader/config.toml`` on
Linux).  A broken file is reported and ignored, never fatal::

    library = "~/briefs"
    reviewer = "A. Analyst"   # who review entries name (default: $USER, else $LOGNAME)
    review_dir = "~/briefs/reviews"   # where reviews are kept (default: the data folder)

    [keys]                    # binding id = keys, comma separated
    "brief.next_claim" = "],ctrl+n"
    "app.help" = "question_mark,f1"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import paths


@dataclass
class Config:
    library: Path | None = None
    keys: dict[str, str] = field(default_factory=dict)
    reviewer: str = ""  # the name review entries record; empty: $USER, else $LOGNAME
    review_dir: Path | None = None  # where review files live; None: paths.data_dir() / "reviews"
    notice: str = ""  # what went wrong reading the file, shown once in the UI
    path: Path | None = None


def load_config(path: Path | None = None) -> Config:
    path = path or paths.config_file()
    try:
        text = path.read_text(encoding="utf-8")
        import tomllib  # only once there is a file: most starts have none

        data = tomllib.loads(text)
    except FileNotFoundError:
        return Config(path=path)
    except (OSError, ValueError) as error:  # bad UTF-8 and bad TOML are ValueErrors
        return Config(notice=f"config file {path} ignored: {error}", path=path)
    config = Config(path=path)
    library = data.get("library")
    if isinstance(library, str) and library:
        config.library = Path(library).expanduser()
    reviewer = data.get("reviewer")
    if isinstance(reviewer, str) and reviewer.strip():
        config.reviewer = reviewer.strip()
    review_dir = data.get("review_dir")
    if isinstance(review_dir, str) and review_dir:
        config.review_dir = Path(review_dir).expanduser()
    keys = data.get("keys", {})
    if isinstance(keys, dict):
        config.keys = {str(k): str(v) for k, v in keys.items() if isinstance(v, str)}
    return config

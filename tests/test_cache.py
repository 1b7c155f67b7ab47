"""The model cache: quick reloads, never stale, never trusted from a foreign folder."""

import os
import shutil
from pathlib import Path

from briefreader.cache import ModelCache
from briefreader.loader import load_library

BRIEFS = Path(__file__).resolve().parent.parent / "briefs"


def copy_library(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    shutil.copytree(BRIEFS, folder)
    return folder


def test_a_second_load_comes_from_the_cache_and_equals_a_fresh_parse(tmp_path, monkeypatch):
    folder = copy_library(tmp_path)
    cache = ModelCache(tmp_path / "cache")
    first = load_library(folder, cache=cache)
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == len(first.entries)

    calls = []
    import briefreader.loader as loader
    real = loader.load_brief
    monkeypatch.setattr(loader, "load_brief", lambda *a, **k: calls.append(a) or real(*a, **k))
    second = load_library(folder, cache=ModelCache(tmp_path / "cache"))
    assert calls == []  # nothing parsed again
    assert second.briefs == load_library(folder).briefs


def test_a_changed_file_is_parsed_again(tmp_path):
    folder = copy_library(tmp_path)
    load_library(folder, cache=ModelCache(tmp_path / "cache"))
    path = folder / "rutte-trump-nato-meeting.brief.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: ", "title: CHANGED ", 1), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # even with an old mtime, the size changed
    again = load_library(folder, cache=ModelCache(tmp_path / "cache"))
    assert again.get("rutte-trump-nato-meeting").title.startswith("CHANGED")


def test_a_damaged_cache_file_is_a_miss_not_a_crash(tmp_path):
    folder = copy_library(tmp_path)
    load_library(folder, cache=ModelCache(tmp_path / "cache"))
    for pickle_file in (tmp_path / "cache").glob("*.pickle"):
        pickle_file.write_bytes(b"not a pickle")
    again = load_library(folder, cache=ModelCache(tmp_path / "cache"))
    assert set(again.briefs) == {"isw-oreshnik-belarus", "rutte-trump-nato-meeting", "tour"}


def test_a_folder_others_can_write_to_is_never_used(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o777)
    cache = ModelCache(folder)
    assert not cache.usable
    load_library(copy_library(tmp_path), cache=cache)
    assert list(folder.iterdir()) == []

"""The benchmark library generator (bench/make_library.py) writes valid, deterministic briefs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "make_library.py"
SEED = 1234


@pytest.fixture(scope="module")
def make_library():
    spec = importlib.util.spec_from_file_location("bench_make_library", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def brief_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.brief.yaml"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in brief_files(folder)}


def test_writes_n_briefs_named_by_id_in_subfolders(make_library, tmp_path):
    make_library.generate(3, tmp_path, seed=SEED, jobs=1)
    files = brief_files(tmp_path)
    expected_ids = [make_library.brief_head(SEED, index)["id"] for index in range(3)]
    assert [path.name for path in files] == [f"{brief_id}.brief.yaml" for brief_id in expected_ids]
    assert {path.parent for path in files} == {tmp_path / "000"}
    for index, path in enumerate(files):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["briefreader"] == 1
        assert data["id"] == expected_ids[index]
        assert isinstance(data["date"], str)  # quoted, so YAML 1.1 keeps it as text
        assert 20 <= len(data["claims"]) <= 200
        assert 5 <= len(data["sources"]) <= 30
        # The hand-written YAML says exactly what the generator meant.
        meant = json.loads(json.dumps(make_library.build_brief(SEED, index, 3)))
        assert data == meant


def test_same_seed_same_bytes_other_seed_other_bytes(make_library, tmp_path):
    make_library.generate(3, tmp_path / "a", seed=SEED, jobs=1)
    make_library.generate(3, tmp_path / "b", seed=SEED, jobs=1)
    make_library.generate(3, tmp_path / "c", seed=SEED + 1, jobs=1)
    first = snapshot(tmp_path / "a")
    assert len(first) == 3
    assert snapshot(tmp_path / "b") == first
    assert snapshot(tmp_path / "c") != first


def test_command_line_matches_function(make_library, tmp_path):
    make_library.generate(3, tmp_path / "api", seed=SEED, jobs=1)
    subprocess.run([sys.executable, str(SCRIPT), "3", str(tmp_path / "cli"), "--seed", str(SEED)],
                   check=True, capture_output=True)
    assert snapshot(tmp_path / "cli") == snapshot(tmp_path / "api")


def test_refuses_to_mix_with_existing_briefs(make_library, tmp_path):
    make_library.generate(3, tmp_path, seed=SEED, jobs=1)
    with pytest.raises(SystemExit):
        make_library.generate(3, tmp_path, seed=SEED + 1, jobs=1)
    make_library.generate(2, tmp_path, seed=SEED + 1, jobs=1, force=True)
    assert len(brief_files(tmp_path)) == 2


def test_single_brief_with_k_claims(make_library, tmp_path):
    make_library.generate(1, tmp_path, seed=SEED, single_claims=300, jobs=1)
    (path,) = brief_files(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(data["claims"]) == 300
    assert path.name == f"{data['id']}.brief.yaml"


def test_generated_library_loads_without_problems(make_library, tmp_path):
    loader = pytest.importorskip("briefreader.loader")
    make_library.generate(3, tmp_path / "lib", seed=SEED, jobs=1)
    make_library.generate(1, tmp_path / "single", seed=SEED, single_claims=300, jobs=1)
    for folder, count in ((tmp_path / "lib", 3), (tmp_path / "single", 1)):
        library = loader.load_library(folder)
        problems = list(getattr(library, "all_problems", library.problems))
        assert [str(p) for p in problems] == []
        assert len(library.briefs) == count

"""The air-gapped route: `make dist` builds a wheelhouse and a single-file zipapp
that runs `check` and `show` with a bare Python (no packages at all)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def zipapp() -> Path:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv_dir = Path(sys.executable).resolve().parent.parent
    built = subprocess.run(["make", "-C", str(ROOT), "dist", f"VENV={venv_dir}"],
                           capture_output=True, text=True, timeout=300)
    if built.returncode != 0:
        pytest.skip(f"make dist could not build here (no package index?): {built.stderr[-300:]}")
    return ROOT / "dist" / "briefreader.pyz"


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bare")
    venv.create(folder, with_pip=False)  # a Python with nothing installed
    return folder / "bin" / "python"


def test_the_wheelhouse_holds_every_runtime_dependency(zipapp):
    names = {p.name.split("-")[0].lower().replace("_", "-") for p in (ROOT / "dist" / "wheelhouse").glob("*.whl")}
    assert {"briefreader", "textual", "rich", "pyyaml", "platformdirs"} <= names


def test_the_zipapp_checks_and_shows_with_a_bare_python(zipapp, bare_python, tmp_path):
    assert subprocess.run([str(bare_python), "-c", "import yaml"], capture_output=True).returncode != 0
    env = {"PATH": "/usr/bin:/bin", "BRIEFREADER_HOME": str(tmp_path), "NO_COLOR": "1"}
    check = subprocess.run([str(bare_python), str(zipapp), "check", str(ROOT / "briefs")],
                           capture_output=True, text=True, timeout=120, env=env)
    assert check.returncode == 0, check.stderr
    assert "3 files checked: 0 errors, 0 warnings" in check.stdout
    show = subprocess.run([str(bare_python), str(zipapp), "show", "--width", "80",
                           str(ROOT / "briefs" / "isw-oreshnik-belarus.brief.yaml")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert show.returncode == 0, show.stderr
    assert show.stdout.count("UNCLASSIFIED // TLP:CLEAR") >= 2
    assert "\x1b" not in show.stdout

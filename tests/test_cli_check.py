"""`briefreader check`: exit statuses, the output forms, and no terminal escapes in output."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest

from briefreader.cli import main

HERE = Path(__file__).resolve().parent
BRIEFS = HERE.parent / "briefs"
FIXTURES = HERE / "fixtures" / "problems"
WITH_ERRORS = FIXTURES / "unresolved-cites.brief.yaml"  # two errors
WITH_WARNING = FIXTURES / "uncited-fact.brief.yaml"  # one warning
LINE = re.compile(r"(?P<path>.+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): (?P<message>.+)")


def check(*args: str) -> tuple[int, str]:
    out = StringIO()
    status = main(["check", *map(str, args)], out=out)
    return status, out.getvalue()


def expected(path: Path) -> set[tuple[int, int, str, str]]:
    found = set()
    for text in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"# expect: (\d+):(\d+) (error|warning): (.+)", text)
        if match:
            found.add((int(match[1]), int(match[2]), match[3], match[4]))
    return found


def problem_lines(output: str) -> list[re.Match]:
    return [m for m in map(LINE.fullmatch, output.splitlines()) if m]


def test_bundled_briefs_pass():
    status, output = check(BRIEFS)
    assert status == 0, output
    assert re.search(r"^\d+ files checked: 0 errors, \d+ warnings?$", output, re.MULTILINE), output
    assert "could not be opened" not in output


def test_errors_exit_1_with_path_line_column_severity_message():
    status, output = check(WITH_ERRORS)
    assert status == 1
    lines = problem_lines(output)
    assert {(int(m["line"]), int(m["column"]), m["severity"], m["message"]) for m in lines} == expected(WITH_ERRORS)
    for match in lines:
        assert Path(match["path"]).resolve() == WITH_ERRORS
    assert output.splitlines()[-1] == "1 file checked: 2 errors, 0 warnings; 1 brief could not be opened"


def test_warnings_exit_0_but_1_under_strict():
    status, output = check(WITH_WARNING)
    assert status == 0
    assert [m["message"] for m in problem_lines(output)] == ["fact claim 'c1' cites no source"]
    assert output.splitlines()[-1] == "1 file checked: 0 errors, 1 warning"
    status, output = check("--strict", WITH_WARNING)
    assert status == 1
    assert output.splitlines()[-1] == "1 file checked: 0 errors, 1 warning (strict: warnings count as errors)"


def test_strict_on_a_clean_file_is_0():
    assert check("--strict", FIXTURES / "clean-accepted-variants.brief.yaml")[0] == 0


def test_several_paths_and_folders_together():
    status, output = check(WITH_WARNING, BRIEFS, WITH_ERRORS)
    assert status == 1
    assert {Path(m["path"]).name for m in problem_lines(output)} == {WITH_WARNING.name, WITH_ERRORS.name}


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    status, output = check(tmp_path / "nowhere.brief.yaml")
    assert status == 2
    assert output == ""
    assert "no such file or folder" in capsys.readouterr().err


def test_opening_a_fifo_says_it_is_not_a_file(tmp_path, capsys):
    fifo = tmp_path / "pipe.brief.yaml"
    os.mkfifo(fifo)  # the reader must not open an empty library (nor block reading it)
    assert main([str(fifo)], StringIO()) == 2
    assert "not a regular file or a folder" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--bogus", "x"], [], ["--format", "xml", "x"], ["--max-file-size", "lots", "x"]],
                         ids=["unknown-option", "no-path", "bad-format", "bad-size"])
def test_bad_invocation_is_2(args, capsys):
    out = StringIO()
    assert main(["check", *args], out=out) == 2
    assert "usage:" in capsys.readouterr().err


def test_max_file_size_option(tmp_path):
    path = tmp_path / "big.brief.yaml"
    path.write_text((FIXTURES / "clean-accepted-variants.brief.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    status, output = check("--max-file-size", "1k", path)
    assert status == 1
    assert ": error: file is " in output and "over the 1 KiB limit" in output
    assert check("--max-file-size", "1M", path)[0] == 0  # the file name differs from its id: a warning


def test_json_carries_the_same_problems_as_text():
    paths = [WITH_ERRORS, WITH_WARNING, FIXTURES / "related-brief-missing.brief.yaml"]
    status, text_output = check(*paths)
    json_status, json_output = check("--format", "json", *paths)
    assert status == json_status == 1
    report = json.loads(json_output)
    from_text = [(m["path"], int(m["line"]), int(m["column"]), m["severity"], m["message"])
                 for m in problem_lines(text_output)]
    from_json = [(p["path"], p["line"], p["column"], p["severity"], p["message"]) for p in report["problems"]]
    assert from_json == from_text and len(from_json) == 5
    assert (report["files"], report["failed"], report["errors"], report["warnings"], report["strict"]) == (
        3, 1, 2, 3, False)
    assert {p["code"] for p in report["problems"]} == {"unresolved", "uncited", "related-missing"}


def test_a_problem_without_a_position_prints_without_numbers(tmp_path):
    path = tmp_path / "odd.brief.yaml"
    path.write_bytes(b"x" * 2048)
    status, output = check("--max-file-size", "1k", path)
    assert status == 1
    assert re.match(r"^.+odd\.brief\.yaml: error: file is 2 KiB, over the 1 KiB limit", output), output


def test_output_never_carries_an_escape(tmp_path):
    name = "evil\x1b[31m\x1b]0;owned\x07.brief.yaml"
    path = tmp_path / name
    path.write_text(
        'briefreader: 1\n'
        'id: "evil\\e[2J"\n'  # a bad id holding an escape, written as a YAML escape
        'title: "\\e]52;c;b3duZWQ=\\a"\n'
        'date: 2025-01-01\n'
        'handling: {tlp: "\\e[5mRED"}\n'
        'claims:\n'
        '  - id: c1\n'
        '    kind: "fact\\e[8m"\n'
        '    text: "[[\\e[1mx]]"\n',
        encoding="utf-8")
    raw = tmp_path / "raw\x1b[2J.brief.yaml"
    raw.write_bytes(b"briefreader: 1\ntitle: \x1b[2Jboom\n")
    for output in (check(path, raw)[1], check("--format", "json", path, raw)[1],
                   check(tmp_path)[1], check("--format", "json", tmp_path)[1]):
        assert "\x1b" not in output and "\x07" not in output
        assert "^[" in output
    report = json.loads(check("--format", "json", tmp_path)[1])
    for problem in report["problems"]:
        assert not any(ch in problem["path"] + problem["message"] for ch in "\x1b\x07\x9b")
    assert len(report["problems"]) >= 4


def test_usage_error_does_not_echo_an_escape(tmp_path, capsys):
    assert main(["check", str(tmp_path / "gone\x1b[2J.brief.yaml")], out=StringIO()) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "gone^[[2J" in err


def run_command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=60)


def test_the_installed_command(tmp_path):
    module = [sys.executable, "-m", "briefreader"]
    done = run_command(*module, "check", str(BRIEFS), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    done = run_command(*module, "check", str(WITH_ERRORS), cwd=HERE.parent)
    assert done.returncode == 1
    # run from the project folder, paths are shown relative to it
    assert done.stdout.splitlines()[0] == (
        "tests/fixtures/problems/unresolved-cites.brief.yaml:14:9: error: "
        "unknown source 'no-such-source' in 'cites'")
    done = run_command(*module, "check", "--strict", str(WITH_WARNING), cwd=tmp_path)
    assert done.returncode == 1
    done = run_command(*module, "check", str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode == 2 and "no such file or folder" in done.stderr
    script = shutil.which("briefreader", path=str(Path(sys.executable).parent))
    if script:  # the console script installed with the package
        done = run_command(script, "check", "--format", "json", str(WITH_WARNING), cwd=tmp_path)
        assert done.returncode == 0
        assert json.loads(done.stdout)["warnings"] == 1

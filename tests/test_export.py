"""briefreader show, export, new, import, completion and manpage."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest

from briefreader.authoring import import_article, new_brief
from briefreader.cli import build_parser, main
from briefreader.export import csl_date, export, md_escape
from briefreader.loader import load_brief, load_paths

HERE = Path(__file__).resolve().parent
BRIEFS = HERE.parent / "briefs"
GOLDEN = HERE / "golden" / "export"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seed" / "isw-oreshnik-belarus-article.txt"
BUNDLED = sorted(BRIEFS.glob("*.brief.yaml"))
SUFFIX = {"markdown": "md", "html": "html", "json": "json", "csl-json": "csl.json"}
UPDATE = os.environ.get("BRIEFREADER_UPDATE_GOLDEN") == "1"


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    return main([*map(str, args)], out=out), out.getvalue()


def brief(path: Path):
    entry = load_brief(path)
    assert entry.brief is not None, entry.problems
    return entry.brief


# -- golden files ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name.split(".")[0])
def test_export_matches_golden(path: Path, fmt: str) -> None:
    text = export(brief(path), fmt)
    golden = GOLDEN / f"{path.name.split('.')[0]}.{SUFFIX[fmt]}"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with BRIEFREADER_UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8"), \
        f"{golden.name} differs (BRIEFREADER_UPDATE_GOLDEN=1 regenerates it; review the diff)"


def test_export_cli_writes_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out" / "tour.html"
    status, out = run("export", BRIEFS / "tour.brief.yaml", "--to", "html", "-o", target)
    assert status == 0 and out == ""
    assert target.read_text(encoding="utf-8") == export(brief(BRIEFS / "tour.brief.yaml"), "html")
    assert [p.name for p in target.parent.iterdir()] == ["tour.html"]  # no temporary file left


def test_export_refuses_a_broken_brief(capsys) -> None:
    broken = HERE / "fixtures" / "problems" / "unresolved-cites.brief.yaml"
    status, out = run("export", broken, "--to", "json")
    assert status == 1 and out == ""
    assert "could not be opened" in capsys.readouterr().err


def test_export_bad_format_is_usage_error() -> None:
    assert run("export", BRIEFS / "tour.brief.yaml", "--to", "pdf")[0] == 2


# -- HTML: anchors resolve, nothing external ----------------------------------------


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name.split(".")[0])
def test_html_anchors_resolve_and_nothing_is_loaded(path: Path) -> None:
    b = brief(path)
    page = _Collect()
    page.feed(export(b, "html"))
    ids = set(page.ids)
    assert len(ids) == len(page.ids), "duplicate id attributes"
    for claim in b.claims:
        assert f"claim-{claim.id}" in ids
    for source in b.sources:
        assert f"source-{source.id}" in ids
        citing = b.claims_citing(source)
        # the source lists the claims citing it, and each claim links back
        assert all(f"#claim-{c.id}" in page.hrefs for c in citing)
        if citing:
            assert f"#source-{source.id}" in page.hrefs
    for href in page.hrefs:
        if href.startswith("#"):
            assert href[1:] in ids, f"dangling anchor {href}"
        else:
            assert href.startswith(("https://", "http://", "mailto:")), href
    for tag, attrs in page.tags:
        assert tag not in ("script", "iframe", "object", "embed", "img", "link", "base", "form"), tag
        assert not any(name.startswith("on") for name in attrs), attrs
        assert "src" not in attrs and "srcset" not in attrs
        if tag == "a" and not attrs["href"].startswith("#"):
            assert attrs.get("rel") == "noreferrer noopener"
    css = "".join(page.styles)
    assert "@import" not in css and "url(" not in css
    assert page.tags[0][0] == "html"
    assert sum(1 for tag, attrs in page.tags if "banner" in attrs.get("class", "")) == 2


def test_html_and_markdown_escape_hostile_text(tmp_path: Path) -> None:
    hostile = (tmp_path / "evil.brief.yaml")
    hostile.write_text(
        "briefreader: 1\nid: evil\ntitle: \"<script>alert(1)</script> # [x](javascript:alert(1))\"\n"
        "date: 2025-01-01\nhandling: {classification: \"<b>U</b>\", tlp: CLEAR}\n"
        "sections:\n  - id: s\n    title: \"<img src=http://x/y.png>\"\n"
        "    body: |\n      [click](javascript:alert(1)) <iframe src=https://x></iframe>\n\n"
        "      [ref]: https://evil.example/\n      # heading\n",
        encoding="utf-8")
    b = brief(hostile)
    page = _Collect()
    html_text = export(b, "html")
    page.feed(html_text)
    assert not any(tag in ("script", "img", "iframe") for tag, _ in page.tags)
    assert "javascript:" not in " ".join(page.hrefs)
    md = export(b, "markdown")
    assert re.search(r"(?<!\\)<", md) is None  # every < escaped: no raw HTML at all
    assert "\n[ref]:" not in md and "\\[ref\\]" in md
    assert re.search(r"(?<!\\)\]\(", md) is None  # no link can form


def test_md_escape_blocks_structure() -> None:
    assert md_escape("# not a heading") == "\\# not a heading"
    assert md_escape("1. not a list") == "1\\. not a list"
    assert md_escape("- no") == "\\- no"
    assert md_escape("<b>x</b> & snake_case _em_") == "\\<b\\>x\\</b\\> \\& snake_case \\_em\\_"


# -- JSON and CSL-JSON -----------------------------------------------------------------


def test_json_is_normalised() -> None:
    data = json.loads(export(brief(BRIEFS / "tour.brief.yaml"), "json"))
    assert data["format"] == "briefreader-export" and data["version"] == 1
    claims = {c["id"]: c for c in data["claims"]}
    # tour writes `nearly-certain` and `probable`: normalised to ICD 203's first row
    terms = {c["likelihood"]["term"] for c in claims.values() if c["likelihood"]}
    assert "nearly-certain" not in terms and "probable" not in terms and "almost-certain" in terms
    graded = [cit for c in claims.values() for cit in c["citations"] if cit["grade"]]
    assert graded and all(len(cit["grade"]) == 2 for cit in graded)
    source_ids = {s["id"] for s in data["sources"]}
    assert all(cit["source"] in source_ids for c in claims.values() for cit in c["citations"])


def test_csl_json_items() -> None:
    items = json.loads(export(brief(BRIEFS / "tour.brief.yaml"), "csl-json"))
    assert items and all({"id", "type"} <= set(item) for item in items)
    for item in items:
        for key in ("issued", "accessed"):
            if key in item:
                assert all(isinstance(p, int) for part in item[key]["date-parts"] for p in part)
        for author in item.get("author", []):
            assert set(author) == {"literal"}
    assert any("Admiralty" in item.get("note", "") for item in items)
    assert csl_date("2025-06~") == {"date-parts": [[2025, 6]], "circa": True}
    assert csl_date("2024/2025-03") == {"date-parts": [[2024], [2025, 3]]}


# -- show ------------------------------------------------------------------------------


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PAGER", "COLUMNS")}
    env.update(BRIEFREADER_HOME=str(tmp_path), **extra)
    return env


@pytest.mark.parametrize("no_color", [True, False])
def test_show_without_a_tty_is_plain_text(tmp_path: Path, no_color: bool) -> None:
    env = _env(tmp_path, **({"NO_COLOR": "1"} if no_color else {}))
    result = subprocess.run([sys.executable, "-m", "briefreader", "show", str(BRIEFS / "tour.brief.yaml")],
                            capture_output=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert b"\x1b" not in result.stdout
    lines = result.stdout.decode().splitlines()
    assert lines[0].strip() == lines[-1].strip() == "UNCLASSIFIED // TLP:CLEAR"
    assert max(len(line) for line in lines) <= 80


def test_show_contents_width_and_section() -> None:
    b = brief(BRIEFS / "isw-oreshnik-belarus.brief.yaml")
    status, out = run("show", b.path, "--width", "60")
    assert status == 0
    assert max(len(line) for line in out.splitlines()) <= 60
    for needle in ("Bottom line up front", "Key judgments", "KJ1", "[ASSESSMENT]", "C2",
                   "Sources (citations name them by id)", "[isw-report]", "Timeline", "Related"):
        assert needle in out, needle
    status, out = run("show", b.path, "--section", "sec-control")
    assert status == 0 and "Who controls the missiles" in out and "Key judgments" not in out
    assert run("show", b.path, "--section", "no-such")[0] == 2
    assert run("show", b.path, "--width", "5")[0] == 2


def test_show_never_parses_markup(tmp_path: Path) -> None:
    path = tmp_path / "m.brief.yaml"
    path.write_text("briefreader: 1\nid: m\ntitle: \"[bold red]x[/] \\e[31m\"\ndate: 2025-01-01\n",
                    encoding="utf-8")
    status, out = run("show", path)
    assert status == 0 and "[bold red]x[/] ^[[31m" in out and "\x1b" not in out


def test_show_pager_falls_back_when_not_a_tty(monkeypatch) -> None:
    monkeypatch.setenv("PAGER", "definitely-not-a-pager --flag")
    status, out = run("show", BRIEFS / "tour.brief.yaml", "--pager")
    assert status == 0 and "Tour: reading a brief" in out


def test_pager_command_is_an_argv_list(monkeypatch) -> None:
    from briefreader.printout import pager_command

    monkeypatch.setenv("PAGER", "less -R; rm -rf /")
    assert pager_command() == ["less", "-R;", "rm", "-rf", "/"]  # never given to a shell
    monkeypatch.delenv("PAGER")
    assert pager_command() == ["less", "-R"]


# -- new and import ------------------------------------------------------------------------


def test_new_passes_check(tmp_path: Path, monkeypatch, briefreader_home) -> None:
    monkeypatch.chdir(tmp_path)
    status, out = run("new", "my-brief")
    assert status == 0 and "my-brief.brief.yaml" in out
    check_status, report = run("check", "--strict", "my-brief.brief.yaml")
    assert check_status == 0, report
    assert run("new", "my-brief")[0] == 1  # never overwrites
    assert run("new", "Bad_Id")[0] == 2
    assert run("new", "-x")[0] == 2
    assert "TODO" in new_brief("x")


def _seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"the seed article is not beside the repository ({SEED.relative_to(SHARED.parent)})")
    return SEED.read_text(encoding="utf-8")


def test_import_seed_article_loads_with_warnings_only(tmp_path: Path) -> None:
    text = _seed_text()
    skeleton, brief_id = import_article(text, source_name=SEED.name)
    path = tmp_path / f"{brief_id}.brief.yaml"
    path.write_text(skeleton, encoding="utf-8")
    entry = load_brief(path)
    assert entry.errors == (), entry.errors
    b = entry.brief
    codes = {p.code for p in entry.warnings}
    assert codes <= {"no-handling", "unknown-related-brief", "related-not-in-library", "file-name"} or \
        all(p.severity == "warning" for p in entry.problems)
    titles = [s.title for s in b.sections]
    assert titles[:3] == ["Lead", "Belarus-Russia Security Agreement", "Strategic Implications"]
    assert titles.count("Strategic Implications") == 2  # the heading repeats; the ids do not
    assert len({s.id for s in b.sections}) == len(b.sections)
    assert all(c.kind == "reported" and c.cites[0].source == "article" for c in b.claims)
    assert len(b.claims) > 20
    assert b.sources[0].type == "article-newspaper" and b.sources[0].title == b.title
    assert [r.title for r in b.related] == [
        "Mark Rutte Meets Donald Trump to Discuss NATO’s Role and Ukraine War Strategy"]
    assert "x-needs-review: true" in skeleton and skeleton.startswith("# ")
    # in a library with the brief "Read also" names, a link like it resolves once the id is fixed
    library = load_paths([path], root=str(tmp_path))
    assert not any(p.is_error for p in library.all_problems)


def test_import_cli(tmp_path: Path) -> None:
    _seed_text()
    target = tmp_path / "seed.brief.yaml"
    status, _ = run("import", SEED, "-o", target, "--id", "seed")
    assert status == 0
    check_status, report = run("check", target)
    assert check_status == 0, report
    assert run("import", SEED, "-o", target)[0] == 1  # never overwrites
    assert run("import", tmp_path / "missing.txt")[0] == 2
    assert run("import", SEED, "--id", "Bad Id")[0] == 2


def test_import_headings_and_hostile_text() -> None:
    skeleton, brief_id = import_article(
        "A Title\n\nFirst para. Second [[x]] sentence [@y].\n\nA Heading\n\nMore text: \"quoted\".\n",
        brief_id="t")
    assert brief_id == "t" and 'title: "A Title"' in skeleton
    assert "[[x]]" not in skeleton and "[@y]" not in skeleton


# -- completion and manual page -------------------------------------------------------------


def _every_option() -> list[tuple[str, list[str]]]:
    from briefreader.shellcomp import _commands, _options

    return [(name, [o for a in _options(sub) for o in a.option_strings if o != "-h"])
            for name, sub in _commands(build_parser())]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_lists_every_command_and_option(shell: str) -> None:
    status, script = run("completion", shell)
    assert status == 0
    for name, options in _every_option():
        assert name.split()[-1] in script, name
        for option in options:
            assert option in script, (name, option)


def test_bash_completion_is_valid_and_completes(tmp_path: Path) -> None:
    script = tmp_path / "c.bash"
    script.write_text(run("completion", "bash")[1], encoding="utf-8")
    probe = (f'source "{script}"; COMP_WORDS=(briefreader export x --to ""); COMP_CWORD=4; '
             '_briefreader; echo "${COMPREPLY[@]}"')
    result = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["markdown", "html", "json", "csl-json"]


def test_manpage_lists_every_command_and_option() -> None:
    status, page = run("manpage")
    assert status == 0 and page.startswith(".TH BRIEFREADER 1")
    unescaped = page.replace("\\-", "-")
    for name, options in _every_option():
        assert f"briefreader {name}" in unescaped, name
        for option in options:
            assert option in unescaped, (name, option)

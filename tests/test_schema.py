"""The JSON Schema for briefs (docs/brief.schema.json) and the examples that must satisfy it.

The schema is what an author's editor checks while a brief is typed, so it must be a valid
draft 2020-12 schema, accept every brief shipped in briefs/ and the annotated example in
docs/format.md, and reject the mistakes that briefreader treats as errors (plus unknown keys,
which the schema flags on purpose so that editors catch typos).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "docs" / "brief.schema.json"
FORMAT_DOC = ROOT / "docs" / "format.md"
BRIEFS_DIR = ROOT / "briefs"

# docs/format.md puts this marker on the line before the fenced ```yaml block of its example.
EXAMPLE_MARKER = "<!-- briefreader:example-brief"


class StringDateLoader(yaml.SafeLoader):
    """A SafeLoader that keeps unquoted dates as the text written.

    A YAML language server (YAML 1.2) sees ``date: 2025-01-31`` as a string, and the schema
    checks dates as strings; PyYAML (YAML 1.1) would make a ``datetime.date``.  Subclassing
    keeps ``yaml.SafeLoader`` itself untouched (``add_constructor`` copies the table).
    """


StringDateLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=StringDateLoader)  # noqa: S506 - a SafeLoader subclass


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema)


def all_errors(validator: Draft202012Validator, document: Any) -> list[ValidationError]:
    """Every error, including those nested in anyOf/oneOf context, flattened."""
    found: list[ValidationError] = []

    def walk(errors: list[ValidationError]) -> None:
        for error in errors:
            found.append(error)
            walk(list(error.context or ()))

    walk(list(validator.iter_errors(document)))
    return found


def describe(errors: list[ValidationError]) -> str:
    return "\n".join(f"  {e.json_path}: {e.message[:200]}" for e in errors) or "  (none)"


def example_from_docs() -> str:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    start = text.find(EXAMPLE_MARKER)
    assert start >= 0, f"marker {EXAMPLE_MARKER!r} not found in {FORMAT_DOC.name}"
    match = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL).search(text, start)
    assert match, "no ```yaml block after the example marker"
    return match.group(1)


# ---------------------------------------------------------------------------
# (a) the schema itself


def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].startswith("https://briefreader.invalid/")
    assert schema["title"]


def _walk(node: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_every_property_has_a_description(schema: dict[str, Any]) -> None:
    """Editors show these on hover: every key an author can type must have help.

    (An ``if`` is a condition, not something an author types, so it is left out.)
    """
    missing = [
        f"{path}/{name}"
        for path, node in _walk(schema)
        if isinstance(node, dict) and isinstance(node.get("properties"), dict) and "/if" not in path
        for name, sub in node["properties"].items()
        if not (isinstance(sub, dict) and sub.get("description"))
    ]
    missing += [f"#/$defs/{name}" for name, sub in schema["$defs"].items() if not sub.get("description")]
    assert not missing, "properties without a description:\n" + "\n".join(missing)


def test_schema_only_uses_keywords_a_draft_07_editor_understands(schema: dict[str, Any]) -> None:
    """yaml-language-server validates with draft-07 rules; newer keywords would be ignored."""
    newer = {"$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor",
             "$vocabulary", "prefixItems", "unevaluatedProperties", "unevaluatedItems",
             "dependentRequired", "dependentSchemas", "minContains", "maxContains"}
    used = {key for _, node in _walk(schema) if isinstance(node, dict) for key in node} & newer
    assert not used
    refs = [node["$ref"] for _, node in _walk(schema) if isinstance(node, dict) and "$ref" in node]
    assert refs
    for ref in refs:
        assert ref.startswith("#/$defs/") and ref.removeprefix("#/$defs/") in schema["$defs"], ref


def test_vocabularies_are_complete(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    csl_1_0_2 = {
        "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
        "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
        "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
        "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
        "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
        "personal_communication", "post", "post-weblog", "regulation", "report", "review",
        "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
    }
    assert set(defs["source"]["properties"]["type"]["enum"]) == csl_1_0_2
    likelihood = defs["claim"]["properties"]["likelihood"]["enum"]
    assert len(likelihood) == 14 and {"almost-no-chance", "almost-certain", "remote", "nearly-certain"} <= set(likelihood)
    assert defs["source"]["properties"]["reliability"]["enum"] == list("ABCDEF")
    assert defs["citation"]["properties"]["credibility"]["enum"] == [1, 2, 3, 4, 5, 6]
    for name, sub in defs.items():
        for key, prop in sub.get("properties", {}).items():
            if "enum" in prop and "enumDescriptions" in prop:
                assert len(prop["enum"]) == len(prop["enumDescriptions"]), f"{name}.{key}"


# ---------------------------------------------------------------------------
# (b) the briefs shipped in briefs/

BRIEF_FILES = sorted(BRIEFS_DIR.rglob("*.brief.yaml"))


@pytest.mark.parametrize(
    "path",
    BRIEF_FILES or [pytest.param(None, marks=pytest.mark.skip(reason="briefs/ has no *.brief.yaml files yet"))],
    ids=[p.relative_to(ROOT).as_posix() for p in BRIEF_FILES] or ["no-briefs"],
)
def test_shipped_brief_validates(validator: Draft202012Validator, path: Path) -> None:
    document = load_yaml(path.read_text(encoding="utf-8"))
    errors = list(validator.iter_errors(document))
    assert not errors, f"{path.relative_to(ROOT)} does not match the schema:\n{describe(errors)}"


def test_string_date_loader_leaves_safe_loader_alone() -> None:
    assert load_yaml("d: 2025-01-31")["d"] == "2025-01-31"
    assert type(yaml.safe_load("d: 2025-01-31")["d"]).__name__ == "date"


# ---------------------------------------------------------------------------
# (c) the annotated example in docs/format.md


@pytest.fixture(scope="module")
def example_text() -> str:
    return example_from_docs()


@pytest.fixture(scope="module")
def example(example_text: str) -> dict[str, Any]:
    return load_yaml(example_text)


def test_docs_example_validates(validator: Draft202012Validator, example: dict[str, Any]) -> None:
    errors = list(validator.iter_errors(example))
    assert not errors, f"the example in docs/format.md does not match the schema:\n{describe(errors)}"


def test_docs_example_modeline_points_at_the_schema(example_text: str) -> None:
    first = example_text.splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    # The example is to be saved in briefs/; the modeline path is relative to the file.
    assert (BRIEFS_DIR / match.group(1)).resolve() == SCHEMA_PATH.resolve()


def _keys_used(objects: list[dict[str, Any]]) -> set[str]:
    return {key for obj in objects for key in obj}


def _sections(sections: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for section in sections:
        yield section
        yield from _sections(section.get("sections", []))


def test_docs_example_is_complete(schema: dict[str, Any], example: dict[str, Any]) -> None:
    """The example shows every key of every part of the format (bar the rarer forms)."""
    defs = schema["$defs"]
    claims, sources = example["claims"], example["sources"]
    citations = [c for claim in claims for c in claim.get("cites", []) if isinstance(c, dict)]
    parts = {
        "top level": (schema, [example]),
        "section": (defs["section"], list(_sections(example["sections"]))),
        "claim": (defs["claim"], claims),
        "citation": (defs["citation"], citations),
        "source": (defs["source"], sources),
        "entity": (defs["entity"], example["entities"]),
        "event": (defs["event"], example["timeline"]),
        "related": (defs["related"], example["related"]),
        "target": (defs["target"], [r["target"] for r in example["related"]]),
        "handling": (defs["handling"], [example["handling"]]),
        "author": (defs["author"], example["authors"]),
        "publisher": (defs["publisher"], [example["publisher"]]),
    }
    for part, (definition, objects) in parts.items():
        unused = set(definition["properties"]) - _keys_used(objects)
        assert not unused, f"the example never uses these {part} keys: {sorted(unused)}"
    assert any(key.startswith("x-") for key in example)


INLINE_CLAIM_OR_ENTITY = re.compile(r"\[\[([^\]\s]+)\]\]")
INLINE_CITATION = re.compile(r"\[@([^\],\s]+)(?:,[^\]]*)?\]")


def test_docs_example_references_resolve(example: dict[str, Any]) -> None:
    """What the schema cannot see: unique ids, references that resolve, no warnings by design."""
    sections = list(_sections(example["sections"]))
    kinds: dict[str, list[str]] = {}
    for kind, objects in (("section", sections), ("claim", example["claims"]),
                          ("source", example["sources"]), ("entity", example["entities"]),
                          ("event", example["timeline"])):
        for obj in objects:
            kinds.setdefault(obj["id"], []).append(kind)
    duplicates = {i: k for i, k in kinds.items() if len(k) > 1}
    assert not duplicates and example["id"] not in kinds

    def ids(kind: str) -> set[str]:
        return {i for i, k in kinds.items() if kind in k}

    claims, sources, entities = ids("claim"), ids("source"), ids("entity")
    assert set(example["key_judgments"]) <= claims
    cited: set[str] = set()
    texts = [example["bluf"], example["summary"]] + [s.get("body", "") for s in sections]
    for section in sections:
        assert set(section.get("claims", [])) <= claims, section["id"]
    for event in example["timeline"]:
        assert set(event.get("claims", [])) <= claims, event["id"]
        texts.append(event["text"])
    for claim in example["claims"]:
        name = claim["id"]
        texts.append(claim["text"])
        assert set(claim.get("depends_on", [])) <= claims, name
        assert set(claim.get("about", [])) <= entities, name
        cites = [c if isinstance(c, dict) else {"source": c} for c in claim.get("cites", [])]
        assert {c["source"] for c in cites} <= sources, name
        cited |= {c["source"] for c in cites}
        if "primary" in claim:
            assert claim["primary"] in sources, name
            cited.add(claim["primary"])
        # Kept free of warnings: citations where due, stance on third-party claims, grades and
        # estimative terms only where they belong.
        if claim["kind"] in ("fact", "reported"):
            assert cites, f"{name} has no citation"
            assert "confidence" not in claim, name
        if claim["kind"] != "assessment":
            assert "likelihood" not in claim, name
        attributed = claim.get("attributed_to", "author")
        assert attributed == "author" or attributed in entities, name
        if attributed != "author":
            assert "stance" in claim, name
        if any(c.get("credibility") == 1 for c in cites):
            assert len(cites) > 1, f"{name}: credibility 1 with a single citation"
    for source in example["sources"]:
        assert set(source.get("derived_from", [])) <= sources, source["id"]
    for entity in example["entities"]:
        assert entity.get("within", entity["id"]) in entities, entity["id"]
    for related in example["related"]:
        if "source" in related["target"]:
            assert related["target"]["source"] in sources
    for text in texts:
        for ref in INLINE_CLAIM_OR_ENTITY.findall(text):
            assert ref in claims | entities, f"[[{ref}]]"
        for ref in INLINE_CITATION.findall(text):
            assert ref in sources, f"[@{ref}]"
            cited.add(ref)
    # A source a cited source derives from is used too.
    for source in example["sources"]:
        if source["id"] in cited:
            cited |= set(source.get("derived_from", []))
    assert sources <= cited, f"never cited: {sorted(sources - cited)}"


def test_docs_example_loads_without_errors(example_text: str, tmp_path: Path) -> None:
    """The documented example and the real loader agree (skipped while there is no loader)."""
    loader = pytest.importorskip("briefreader.loader")
    path = tmp_path / "calvany-ports-strike.brief.yaml"
    path.write_text(example_text, encoding="utf-8")
    library = loader.load_paths([path], root=str(tmp_path))
    problems = [p for entry in library.entries for p in entry.problems]
    assert not [p for p in problems if p.is_error], "\n".join(map(str, problems))
    # The one warning the docs announce: the related brief is not in this one-file library.
    assert [p.code for p in problems] == ["related-missing"], "\n".join(map(str, problems))


# ---------------------------------------------------------------------------
# (d) bad documents rejected, good variants accepted

BASE = """\
briefreader: 1
id: test-brief
title: A test brief
date: 2025-01-31
handling: {classification: UNCLASSIFIED, tlp: CLEAR}
key_judgments: [kj-1]
sections:
  - id: s-1
    title: One
    body: |
      [[c-fact]] [@src-a, p. 3]
    sections:
      - id: s-1-1
        title: One point one
claims:
  - id: c-fact
    kind: fact
    text: Something happened.
    cites: [{source: src-a, locator: {page: 3}, credibility: 2}]
  - id: kj-1
    kind: assessment
    text: Something will likely happen.
    likelihood: likely
    confidence: moderate
sources:
  - id: src-a
    type: report
    title: A report
    reliability: B
timeline:
  - id: ev-1
    date: "2025-06~"
    text: Something is expected.
related:
  - rel: see-also
    target: {url: "https://example.org/"}
"""

Mutation = Callable[[dict[str, Any]], None]


def mutated(mutate: Mutation) -> dict[str, Any]:
    document = copy.deepcopy(load_yaml(BASE))
    mutate(document)
    return document


def test_base_document_is_valid(validator: Draft202012Validator) -> None:
    document = load_yaml(BASE)
    assert document["date"] == "2025-01-31"  # unquoted, still a string
    errors = list(validator.iter_errors(document))
    assert not errors, describe(errors)


def _set(path: str, value: Any) -> Mutation:
    """A mutation that sets a dotted path (list indexes as numbers)."""
    *parents, last = path.split(".")

    def mutate(document: dict[str, Any]) -> None:
        node: Any = document
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return mutate


def _delete(path: str) -> Mutation:
    *parents, last = path.split(".")

    def mutate(document: dict[str, Any]) -> None:
        node: Any = document
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]
    return mutate


def _all(*mutations: Mutation) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(document)
    return mutate


# (mutation, JSON path of the failing instance, the keyword that fails there)
BAD = {
    "missing id": (_delete("id"), "$", "required"),
    "missing claim text": (_delete("claims.0.text"), "$.claims[0]", "required"),
    "bad claim kind": (_set("claims.0.kind", "rumour"), "$.claims[0].kind", "enum"),
    "likelihood on a fact": (_set("claims.0.likelihood", "likely"), "$.claims[0].likelihood", "not"),
    "related target with two keys": (
        _set("related.0.target", {"url": "https://example.org/", "brief": "other-brief"}),
        "$.related[0].target", "oneOf"),
    "related target with no key": (_set("related.0.target", {}), "$.related[0].target", "oneOf"),
    "source with no title, URL or DOI": (_delete("sources.0.title"), "$.sources[0]", "anyOf"),
    "unknown key titel": (_set("titel", "Typo"), "$", "additionalProperties"),
    "unknown key in a nested section": (_set("sections.0.sections.0.bdy", "x"), "$.sections[0].sections[0]",
                                        "additionalProperties"),
    "tlp PURPLE": (_set("handling.tlp", "PURPLE"), "$.handling.tlp", "anyOf"),
    "format version 2": (_set("briefreader", 2), "$.briefreader", "const"),
    "format version as text": (_set("briefreader", "1"), "$.briefreader", "type"),
    "uppercase id": (_set("claims.0.id", "C-Fact"), "$.claims[0].id", "pattern"),
    "date in the wrong order": (_set("date", "31/01/2025"), "$.date", "pattern"),
    "month 13": (_set("date", "2025-13-01"), "$.date", "pattern"),
    "EDTF on the brief date": (_set("date", "2025-06~"), "$.date", "pattern"),
    "timeline date in words": (_set("timeline.0.date", "June 2025"), "$.timeline[0].date", "pattern"),
    "locator with two keys": (_set("claims.0.cites.0.locator", {"page": 3, "paragraph": 2}),
                              "$.claims[0].cites[0].locator", "oneOf"),
    "locator with a list": (_set("claims.0.cites.0.locator", {"page": [3]}),
                            "$.claims[0].cites[0].locator.page", "type"),
    "credibility 7": (_set("claims.0.cites.0.credibility", 7), "$.claims[0].cites[0].credibility", "enum"),
    "reliability G": (_set("sources.0.reliability", "G"), "$.sources[0].reliability", "enum"),
    "CSL type misspelt": (_set("sources.0.type", "newspaper"), "$.sources[0].type", "enum"),
    "citation without source": (_set("claims.0.cites.0", {"credibility": 2}), "$.claims[0].cites[0]", "required"),
    "uppercase tag": (_set("tags", ["Belarus"]), "$.tags[0]", "pattern"),
    "tags as text": (_set("tags", "belarus"), "$.tags", "type"),
    "key judgment as a mapping": (_set("key_judgments", [{"id": "kj-1"}]), "$.key_judgments[0]", "type"),
    "author without name": (_set("authors", [{"role": "author"}]), "$.authors[0]", "required"),
    "author role unknown": (_set("authors", [{"name": "A", "role": "reviewer"}]), "$.authors[0].role", "enum"),
    "publisher without name": (_set("publisher", {"url": "https://example.org/"}), "$.publisher", "required"),
    "entity without name": (_set("entities", [{"id": "e-1", "type": "person"}]), "$.entities[0]", "required"),
    "entity type unknown": (_set("entities", [{"id": "e-1", "type": "ship", "name": "X"}]),
                            "$.entities[0].type", "enum"),
    "related brief that is not an id": (_set("related.0.target", {"brief": "Other Brief"}),
                                        "$.related[0].target.brief", "pattern"),
    "nested section without title": (_delete("sections.0.sections.0.title"), "$.sections[0].sections[0]",
                                     "required"),
    "notices as text": (_set("handling.notices", "one notice"), "$.handling.notices", "type"),
    "attributed_to with spaces": (_set("claims.0.attributed_to", "the ministry"),
                                  "$.claims[0].attributed_to", "anyOf"),
}


@pytest.mark.parametrize("mutation,where,keyword", BAD.values(), ids=BAD.keys())
def test_bad_document_is_rejected(validator: Draft202012Validator, mutation: Mutation,
                                  where: str, keyword: str) -> None:
    errors = all_errors(validator, mutated(mutation))
    assert errors, "the schema accepted it"
    assert any(e.json_path == where and e.validator == keyword for e in errors), (
        f"expected a {keyword!r} error at {where}, got:\n{describe(errors)}")


GOOD = {
    "x- key at the top": _set("x-review", {"ticket": 1}),
    "x- key in a claim and a locator": _all(_set("claims.0.x-note", "fine"),
                                            _set("claims.0.cites.0.locator.x-scan", 2)),
    "TLP:amber": _set("handling.tlp", "TLP:amber"),
    "TLP:AMBER+STRICT": _set("handling.tlp", "TLP:AMBER+STRICT"),
    "WHITE (a warning, not an error)": _set("handling.tlp", "white"),
    "amber strict with a space": _set("handling.tlp", "amber strict"),
    "likelihood synonym probable": _set("claims.1.likelihood", "probable"),
    "likelihood on a reported claim (a warning)": _all(_set("claims.0.kind", "reported"),
                                                       _set("claims.0.likelihood", "unlikely")),
    "datetime": _set("date", "2025-01-31T14:05:00Z"),
    "datetime with offset and space": _set("date", "2025-01-31 14:05+01:00"),
    "reduced precision date": _set("data_cutoff", "2024-12"),
    "EDTF interval": _set("timeline.0.date", "2025-01/2025-03"),
    "EDTF open interval": _set("timeline.0.date", "2025-06/.."),
    "string page": _set("claims.0.cites.0.locator", {"page": "12-14"}),
    "timestamp locator": _set("claims.0.cites.0.locator", {"timestamp": "01:02:03"}),
    "short citation": _set("claims.0.cites", ["src-a"]),
    "related brief with a local id": _set("related.0.target", {"brief": "other-brief#kj-2"}),
    "related source": _set("related.0.target", {"source": "src-a"}),
    "source with only a DOI": _all(_delete("sources.0.title"), _set("sources.0.DOI", "10.5555/x")),
    "source with only a URL": _all(_delete("sources.0.title"), _set("sources.0.URL", "https://example.org/r")),
    "legal_case CSL type": _set("sources.0.type", "legal_case"),
    "CSL author names": _set("sources.0.author", [{"family": "Reyl", "given": "Tomas"}, {"literal": "ISW"}, "J. Doe"]),
    "CSL date-parts": _set("sources.0.issued", {"date-parts": [[2024, 12, 7]]}),
    "attributed to author": _set("claims.1.attributed_to", "author"),
    "lowercase tags with spaces": _set("tags", ["nuclear weapons", "belarus"]),
}


@pytest.mark.parametrize("mutation", GOOD.values(), ids=GOOD.keys())
def test_good_variant_is_accepted(validator: Draft202012Validator, mutation: Mutation) -> None:
    errors = list(validator.iter_errors(mutated(mutation)))
    assert not errors, describe(errors)


def test_unquoted_yaml_dates_validate(validator: Draft202012Validator) -> None:
    """Dates written without quotes (as FORMAT.md allows) still match the string patterns."""
    text = BASE.replace('date: "2025-06~"', "date: 2024-12-06").replace(
        "date: 2025-01-31", "date: 2025-01-31T14:05:00Z")
    document = load_yaml(text)
    assert document["date"] == "2025-01-31T14:05:00Z"
    assert document["timeline"][0]["date"] == "2024-12-06"
    assert not list(validator.iter_errors(document))

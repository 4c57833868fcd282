"""Entry files → RDF: parsing, minting, references, and the errors curators see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pyoxigraph import Literal, NamedNode

from kg.entries import NamedInput, collect_inputs, parse_batch
from kg.errors import EntryError
from kg.iris import Iris

DATA = Path(__file__).resolve().parent.parent / "data"
BASE = "https://w3id.org/policykg/id/"
PK = "https://w3id.org/policykg/ontology#"

MINIMAL = """\
source:
  id: demo-source
  type: NewsArticle
  title: A demo article
  publisher: demo-press
  issued: 2024-07-02
actors:
  - {id: demo-press, type: NewsOrganization, label: Demo Press}
  - {id: china, type: State, label: China, sameAs: wd:Q148}
  - {id: fu-cong, type: Person, label: Fu Cong}
statements:
  - id: firmly-opposed
    speaker: fu-cong
    onBehalfOf: china
    date: 2024-07-01
    datePrecision: day
    quote: We are firmly opposed to these sanctions
"""


def parse_text(text: str, name: str = "entry.yaml", **kwargs):
    return parse_batch([NamedInput(name, text.encode())], **kwargs)


def problems_of(text: str, name: str = "entry.yaml", **kwargs) -> list[str]:
    with pytest.raises(EntryError) as caught:
        parse_text(text, name, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_minimal_entry_mints_iris_under_the_base():
    batch = parse_text(MINIMAL)
    (source,) = batch.sources
    assert source.graph_iri == "https://w3id.org/policykg/graph/demo-source"
    triples = {(t.subject.value, t.predicate.value, str(t.object)) for t in source.triples}
    statement = Iris().hashed("statement", "demo-source", "firmly-opposed")
    assert (statement, PK + "speaker", f"<{BASE}actor/fu-cong>") in triples
    assert (statement, PK + "source", f"<{BASE}source/demo-source>") in triples
    assert (statement, PK + "date", '"2024-07-01"^^<http://www.w3.org/2001/XMLSchema#date>') in triples
    assert (f"{BASE}actor/china", "http://www.w3.org/2002/07/owl#sameAs",
            "<http://www.wikidata.org/entity/Q148>") in triples
    assert (statement, PK + "quote", str(Literal("We are firmly opposed to these sanctions", language="en"))) \
        in triples


def test_same_input_same_triples():
    first = sorted(map(str, parse_text(MINIMAL).sources[0].triples))
    second = sorted(map(str, parse_text(MINIMAL).sources[0].triples))
    assert first == second


def test_json_entries_give_the_same_triples_as_yaml():
    as_json = json.dumps(yaml.safe_load(MINIMAL), default=str)
    from_yaml = sorted(map(str, parse_text(MINIMAL).sources[0].triples))
    from_json = sorted(map(str, parse_text(as_json, "entry.json").sources[0].triples))
    assert from_yaml == from_json


def test_another_base_iri():
    batch = parse_text(MINIMAL, iris=Iris("http://localhost:8000/id/"))
    assert batch.sources[0].graph_iri == "http://localhost:8000/graph/demo-source"
    assert "http://localhost:8000/id/actor/china" in batch.subjects()


def test_yaml_syntax_error_has_a_line_number():
    (problem,) = problems_of("source:\n  id: x\n  title: [unclosed\n")
    assert problem.startswith("entry.yaml:") and "YAML syntax error" in problem


def test_yaml_aliases_are_refused():
    text = MINIMAL + "topics:\n  - &t {id: ai, label: AI}\n  - *t\n"
    (problem,) = problems_of(text)
    assert "aliases" in problem


def test_a_billion_laughs_is_refused_without_being_expanded(reliability):
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 30)]
    (problem,) = problems_of(MINIMAL + "\n".join(levels) + "\n")  # 10^30 strings if expanded
    assert "aliases" in problem
    reliability.record("hostile input", f"a YAML \"billion laughs\" ({len(levels)} levels of aliases, 10^30 "
                       "strings if expanded)", tried=1, lost="nothing", outcome="refused without expanding: "
                       "aliases are not allowed")


def test_unknown_field_names_entry_and_field():
    problems = problems_of(MINIMAL + "    colour: red\n")
    assert problems == ["entry.yaml:12: firmly-opposed: colour: unknown field 'colour'; "
                        "see docs/entries.md for the keys"]


def test_relative_date_is_refused_with_advice():
    (problem,) = problems_of(MINIMAL.replace("date: 2024-07-01", "date: Monday"))
    assert "firmly-opposed: date:" in problem and "resolved against the publication date" in problem


def test_impossible_date_is_refused():
    (problem,) = problems_of(MINIMAL.replace("date: 2024-07-01", "date: '2024-02-30'"))
    assert "firmly-opposed: date: expected a date" in problem


def test_unknown_reference_names_what_was_looked_for():
    (problem,) = problems_of(MINIMAL.replace("speaker: fu-cong", "speaker: fu-kong"))
    assert "firmly-opposed: speaker: unknown reference 'fu-kong': no actor with that id" in problem


def test_reference_found_in_the_store():
    text = MINIMAL.replace("speaker: fu-cong", "speaker: nate-evans")
    batch = parse_text(text, existing=lambda iris: {f"{BASE}actor/nate-evans"} & iris)
    assert f"{BASE}actor/nate-evans" in batch.objects()


def test_unknown_concept_value_lists_the_allowed_ones():
    (problem,) = problems_of(MINIMAL.replace("datePrecision: day", "datePrecision: week"))
    assert "datePrecision: unknown value 'week'" in problem and "day" in problem


def test_duplicate_id_is_reported():
    text = MINIMAL + "  - {id: firmly-opposed, speaker: fu-cong, date: 2024-07-01, paraphrase: again}\n"
    (problem,) = problems_of(text)
    assert "firmly-opposed: id:" in problem and "twice" in problem


def test_actor_needs_a_type():
    (problem,) = problems_of(MINIMAL.replace("{id: china, type: State,", "{id: china,"))
    assert "china: type: an entry in 'actors' needs a type" in problem


def test_bad_iri_reference():
    (problem,) = problems_of(MINIMAL.replace("sameAs: wd:Q148", "sameAs: 'http://bad iri/x'"))
    assert "china: sameAs:" in problem and "not a valid IRI" in problem


def test_not_utf8():
    with pytest.raises(EntryError) as caught:
        parse_batch([NamedInput("bad.yaml", b"source: {id: \xff}\n")])
    assert "not UTF-8" in str(caught.value)


def test_turtle_syntax_error_has_a_line_number():
    text = "@prefix pk: <https://w3id.org/policykg/ontology#> .\n<a> pk:b <c> .\n<a> pk:b \"open .\n"
    (problem,) = problems_of(text, "bad.ttl")
    assert problem.startswith("bad.ttl:3:") and "Turtle syntax error" in problem


def test_turtle_needs_one_source_to_name_its_graph():
    text = "<https://w3id.org/policykg/id/actor/x> <http://www.w3.org/2000/01/rdf-schema#label> \"X\" .\n"
    (problem,) = problems_of(text, "orphan.nt")
    assert "exactly one pk:Source" in problem


def test_trig_graphs_must_be_source_graphs():
    text = "<http://example.org/g> { <http://example.org/a> <http://example.org/b> <http://example.org/c> }\n"
    (problem,) = problems_of(text, "other.trig")
    assert "is not a source graph" in problem


def test_collect_inputs_reports_missing_paths(tmp_path):
    with pytest.raises(EntryError) as caught:
        collect_inputs([tmp_path / "nope.yaml"])
    assert "no such file or directory" in str(caught.value)


def test_the_curated_data_parses():
    batch = parse_batch(collect_inputs([DATA]))
    assert [s.slug for s in batch.sources] == ["ap-2024-07-02-un-ai-resolutions"]
    assert NamedNode(f"{BASE}actor/fu-cong") in {t.subject for t in batch.triples()}

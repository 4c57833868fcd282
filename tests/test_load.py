"""Validated loading into the real engines (Oxigraph and Virtuoso): the shapes in curators' terms,
all-or-nothing, idempotence."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from kg.errors import ValidationFailed
from kg.load import load_paths, validate_paths
from kg.store import Store

DATA = Path(__file__).resolve().parent.parent / "data"

GOOD = """\
source:
  id: demo-source
  type: NewsArticle
  title: A demo article
  publisher: demo-press
  issued: 2024-07-02
actors:
  - {id: demo-press, type: NewsOrganization, label: Demo Press}
  - {id: china, type: State, label: China}
  - {id: united-states, type: State, label: United States}
  - {id: fu-cong, type: Person, label: Fu Cong}
roles:
  - {id: department-head, label: head of department}
memberships:
  - {id: fu-head, member: fu-cong, organization: china, role: department-head,
     startDate: 2018-01-01, endDate: 2022-12-31, datePrecision: year}
measures:
  - {id: treasury-rule, label: proposed rule, issuedBy: united-states, announcedOn: 2024-06-21, status: proposed}
resolutions:
  - {id: a-res-78-311, symbol: A/RES/78/311, title: Capacity-building of AI, adoptedOn: 2024-07-01,
     sponsorCount: 140, sponsorCountQualifier: moreThan, binding: false}
statements:
  - id: firmly-opposed
    speaker: fu-cong
    onBehalfOf: china
    date: 2024-07-01
    datePrecision: day
    quote: We are firmly opposed to these sanctions
    about: treasury-rule
positions:
  - {id: opposes-rule, holder: china, stance: opposes, target: treasury-rule, since: 2024-07-01,
     evidence: firmly-opposed}
"""


@pytest.fixture
def store(store_on_each_engine: Store) -> Store:
    """Each engine's emptied session store in turn (tests/conftest.py)."""
    return store_on_each_engine


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def quads(store: Store) -> set[str]:
    return {str(q) for q in store}


def problems(store: Store, tmp_path: Path, text: str) -> list:
    before = quads(store)
    with pytest.raises(ValidationFailed) as caught:
        load_paths([write(tmp_path, text)], store)
    assert quads(store) == before, "a failed load changed the store"
    return caught.value.problems


def expect(store, tmp_path, text, entry, field, *words):
    found = problems(store, tmp_path, text)
    matching = [p for p in found if p.entry == entry and p.field == field]
    assert matching, f"no problem for {entry}/{field} in {[str(p) for p in found]}"
    assert matching[0].file.endswith("demo.yaml")
    for word in words:
        assert any(word in p.message for p in matching), (word, [p.message for p in matching])


def test_the_good_entry_loads(store, tmp_path):
    report = load_paths([write(tmp_path, GOOD)], store)
    assert report.loaded == ["demo-source"] and report.triples > 30
    assert len(store) > report.triples  # plus the metadata graph


def test_statement_needs_a_speaker(store, tmp_path):
    expect(store, tmp_path, GOOD.replace("    speaker: fu-cong\n", ""), "firmly-opposed", "speaker", "speaker")


def test_statement_speaker_must_be_an_actor(store, tmp_path):
    expect(store, tmp_path, GOOD.replace("speaker: fu-cong", "speaker: measure/treasury-rule"),
           "firmly-opposed", "speaker")


def test_statement_has_exactly_one_speaker(store, tmp_path):
    expect(store, tmp_path, GOOD.replace("speaker: fu-cong", "speaker: [fu-cong, china]"),
           "firmly-opposed", "speaker")


def test_statement_needs_a_date(store, tmp_path):
    expect(store, tmp_path, GOOD.replace("    date: 2024-07-01\n", ""), "firmly-opposed", "date")


def test_statement_needs_words(store, tmp_path):
    found = problems(store, tmp_path, GOOD.replace("    quote: We are firmly opposed to these sanctions\n", ""))
    assert any(p.entry == "firmly-opposed" and p.field in ("quote", "paraphrase") and "paraphrase" in p.message
               for p in found), [str(p) for p in found]


def test_statement_not_dated_after_its_source(store, tmp_path):
    expect(store, tmp_path, GOOD.replace("    date: 2024-07-01\n", "    date: 2024-07-03\n"),
           "firmly-opposed", "date")


def test_source_needs_title_publisher_and_issue_date(store, tmp_path):
    text = GOOD.replace("  title: A demo article\n", "").replace("  publisher: demo-press\n", "") \
        .replace("  issued: 2024-07-02\n", "")
    found = {(p.entry, p.field) for p in problems(store, tmp_path, text)}
    assert {("demo-source", "title"), ("demo-source", "publisher"), ("demo-source", "issued")} <= found


def test_position_needs_holder_target_and_stance(store, tmp_path):
    text = GOOD.replace("{id: opposes-rule, holder: china, stance: opposes, target: treasury-rule,",
                        "{id: opposes-rule,")
    found = {(p.entry, p.field) for p in problems(store, tmp_path, text)}
    assert {("opposes-rule", "holder"), ("opposes-rule", "stance"), ("opposes-rule", "target")} <= found


def test_position_stance_comes_from_the_stances_scheme(store, tmp_path):
    expect(store, tmp_path, GOOD.replace("stance: opposes", "stance: moreThan"), "opposes-rule", "stance")


def test_evidence_is_a_statement_by_the_holder(store, tmp_path):
    expect(store, tmp_path, GOOD.replace("holder: china,", "holder: united-states,"), "opposes-rule", "evidence")


def test_resolution_symbol_follows_the_un_pattern(store, tmp_path):
    expect(store, tmp_path, GOOD.replace("symbol: A/RES/78/311", "symbol: RES-78-311"), "a-res-78-311", "symbol")


def test_membership_ends_after_it_starts(store, tmp_path):
    found = problems(store, tmp_path, GOOD.replace("endDate: 2022-12-31", "endDate: 2017-12-31"))
    assert any(p.entry == "fu-head" and p.field in ("startDate", "endDate") for p in found), \
        [str(p) for p in found]


def test_actor_needs_a_label(store, tmp_path):
    expect(store, tmp_path, GOOD.replace("{id: china, type: State, label: China}", "{id: china, type: State}"),
           "china", "label")


def test_a_batch_with_one_bad_file_writes_nothing(store, tmp_path):
    good = write(tmp_path, GOOD, "good.yaml")
    bad = write(tmp_path, GOOD.replace("demo-source", "other-source").replace("speaker: fu-cong", "speaker: x"),
                "bad.yaml")
    with pytest.raises(Exception):
        load_paths([good, bad], store)
    assert len(store) == 0


def test_loading_twice_changes_nothing(store, tmp_path):
    path = write(tmp_path, GOOD)
    load_paths([path], store)
    before = quads(store)
    report = load_paths([path], store)
    assert report.unchanged == ["demo-source"] and report.loaded == []
    assert quads(store) == before


def test_a_changed_file_replaces_its_graph_whole(store, tmp_path):
    load_paths([write(tmp_path, GOOD)], store)
    changed = GOOD.replace("quote: We are firmly opposed to these sanctions",
                           "paraphrase: Fu said China opposes the rule")
    report = load_paths([write(tmp_path, changed)], store)
    assert report.loaded == ["demo-source"]
    texts = {q.object.value for q in store if q.predicate.value.endswith(("#quote", "#paraphrase"))}
    assert texts == {"Fu said China opposes the rule"}


def test_references_to_entities_already_in_the_store(store, tmp_path):
    load_paths([write(tmp_path, GOOD)], store)
    second = """\
source: {id: second-source, title: Another, publisher: demo-press, issued: 2024-07-05}
statements:
  - {id: again, speaker: fu-cong, onBehalfOf: china, date: 2024-07-04, paraphrase: Fu repeated it,
     about: treasury-rule}
"""
    report = load_paths([write(tmp_path, second, "second.yaml")], store)
    assert report.loaded == ["second-source"]
    # A reference to something neither in the batch nor in the store is refused.
    with pytest.raises(Exception, match="unknown reference 'nobody'"):
        load_paths([write(tmp_path, second.replace("speaker: fu-cong", "speaker: nobody"), "second.yaml")], store)


def test_validate_writes_nothing(store, tmp_path):
    report = validate_paths([write(tmp_path, GOOD)], store)
    assert report.loaded == ["demo-source"]
    assert len(store) == 0


def test_export_and_reimport_give_the_same_quads(store, tmp_path):
    load_paths([DATA], store)
    before = quads(store)
    for fmt, suffix in ((RdfFormat.TRIG, "trig"), (RdfFormat.N_QUADS, "nq")):
        buffer = io.BytesIO()
        store.export(fmt, buffer)
        dump = write(tmp_path, buffer.getvalue().decode(), f"dump.{suffix}")
        assert {str(q) for q in parse(dump.read_bytes(), format=fmt)} == before
        store.clear()
        load_paths([dump], store)
        assert quads(store) == before


def test_an_entity_described_by_two_sources_gives_one_row_per_statement(store, tmp_path):
    """Regression: Oxigraph's union default graph repeats a triple once per graph holding it."""
    from kg.queries import named_query

    load_paths([write(tmp_path, GOOD)], store)
    again = GOOD.replace("demo-source", "second-source").replace("firmly-opposed", "opposed-again")
    load_paths([write(tmp_path, again, "second.yaml")], store)
    query = named_query("statements_by_speaker")
    bindings = query.substitutions({"speaker": "fu-cong"}, iris=store.iris)
    rows = store.select(query.text_for(bindings), substitutions=bindings)
    assert len(rows) == len({row["statement"].value for row in rows}) == 2

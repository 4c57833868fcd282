"""The ``policykg`` command as a user runs it: a real process, a real store on disk."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
POLICYKG = Path(sys.executable).with_name("policykg")


def run(*args: str, store: Path, check: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(POLICYKG), *args], capture_output=True, text=True, cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "POLICYKG_STORE": str(store), "HOME": str(store.parent)},
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"policykg {' '.join(args)} failed:\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    out = run("load", str(DATA), store=store)
    assert "loaded ap-2024-07-02-un-ai-resolutions" in out.stdout
    return store


def nquads(store: Path) -> set[str]:
    out = subprocess.run([str(POLICYKG), "export", "--format", "nquads"], capture_output=True,
                         env={"POLICYKG_STORE": str(store), "PATH": "/usr/bin:/bin"}, check=True)
    return {str(q) for q in parse(out.stdout, format=RdfFormat.N_QUADS)}


def test_load_twice_reports_unchanged(loaded):
    before = nquads(loaded)
    out = run("load", str(DATA), store=loaded)
    assert "unchanged ap-2024-07-02-un-ai-resolutions" in out.stdout
    assert nquads(loaded) == before


def test_bad_entry_file_exit_1_one_problem_per_line_nothing_written(loaded, tmp_path):
    before = nquads(loaded)
    bad = tmp_path / "bad.yaml"
    bad.write_text("""\
source: {id: later-report, title: A later report, publisher: associated-press, issued: 2024-07-05}
statements:
  - {id: too-late, speaker: fu-cong, onBehalfOf: china, date: 2024-07-09, paraphrase: Fu said it again}
  - {id: no-words, speaker: fu-cong, date: 2024-07-04}
""", encoding="utf-8")
    result = run("load", str(bad), store=loaded, check=False)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(bad))]
    assert any(": too-late: date: " in line for line in lines), result.stderr
    assert any(": no-words: quote: " in line and "paraphrase" in line for line in lines), result.stderr
    assert "nothing was written" in result.stderr
    assert nquads(loaded) == before


def test_syntax_error_names_the_line(loaded, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix pk: <https://w3id.org/policykg/ontology#> .\n<a> pk:b .\n", encoding="utf-8")
    result = run("validate", str(bad), store=loaded, check=False)
    assert result.returncode == 1 and f"{bad}:2:" in result.stderr


def test_validate_writes_nothing(tmp_path):
    store = tmp_path / "store"
    result = run("validate", str(DATA), store=store)
    assert "no problems found" in result.stdout
    assert run("stats", "--json", store=store).stdout.count('"quads": 0') == 1


@pytest.mark.parametrize("fmt,marker", [
    ("json", '"bindings"'), ("csv", "statement,date"), ("tsv", "?statement\t?date"),
    ("xml", "<sparql"), ("table", "row(s)"),
])
def test_named_query_formats(loaded, fmt, marker):
    out = run("query", "@statements_by_speaker", "--param", "speaker=fu-cong", "--param", "on=2024-07-01",
              "--format", fmt, store=loaded).stdout
    assert marker in out


@pytest.mark.parametrize("fmt,fmt_enum", [
    ("turtle", RdfFormat.TURTLE), ("ntriples", RdfFormat.N_TRIPLES), ("trig", RdfFormat.TRIG),
    ("jsonld", RdfFormat.JSON_LD),
])
def test_construct_formats(loaded, fmt, fmt_enum):
    out = run("query", "@source_graph", "-p", "source=ap-2024-07-02-un-ai-resolutions", "-f", fmt,
              store=loaded).stdout
    triples = list(parse(out.encode(), format=fmt_enum))
    assert len(triples) > 600


def test_query_from_a_file_and_free_parameters(loaded, tmp_path):
    rq = tmp_path / "labels.rq"
    rq.write_text("SELECT ?label WHERE { ?actor <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
                  encoding="utf-8")
    out = run("query", f"@{rq}", "-p", "actor=<https://w3id.org/policykg/id/actor/fu-cong>", "-f", "csv",
              store=loaded).stdout
    assert out.splitlines() == ["label", "Fu Cong"]


def test_query_errors(loaded):
    bad = run("query", "SELECT ?x WHERE { ?x", store=loaded, check=False)
    assert bad.returncode != 0 and "error" in bad.stderr.lower()
    update = run("query", "DROP ALL", store=loaded, check=False)
    assert update.returncode != 0 and "updates are not run" in update.stderr
    missing = run("query", "@statements_by_speaker", store=loaded, check=False)
    assert missing.returncode == 1 and "needs speaker" in missing.stderr
    wrong = run("query", "@statements_by_speaker", "-p", "speaker=fu-cong", "-p", "on=Monday",
                store=loaded, check=False)
    assert wrong.returncode == 1 and "on: expected a date" in wrong.stderr


def test_export_import_round_trip_through_the_cli(loaded, tmp_path):
    dump = tmp_path / "dump.trig"
    run("export", "--format", "trig", "-o", str(dump), store=loaded)
    copy = tmp_path / "copy-store"
    run("load", str(dump), store=copy)
    assert nquads(copy) == nquads(loaded)


def test_export_one_graph(loaded):
    out = run("export", "--format", "ntriples", "--graph", "ap-2024-07-02-un-ai-resolutions", store=loaded).stdout
    assert len(list(parse(out.encode(), format=RdfFormat.N_TRIPLES))) == 725
    missing = run("export", "--graph", "nope", store=loaded, check=False)
    assert missing.returncode == 1 and "no source graph" in missing.stderr


def test_stats(loaded):
    figures = json.loads(run("stats", "--json", store=loaded).stdout)
    assert figures["graphs"] == 1
    assert figures["classes"]["https://w3id.org/policykg/ontology#Statement"] >= 18


def test_queries_lists_the_named_queries(loaded):
    out = run("queries", store=loaded).stdout
    for name in ("statements_by_speaker", "positions_on_target", "resolutions_adopted", "statements_about",
                 "spokespeople_of", "positions_by_holder", "source_graph"):
        assert name in out


@pytest.mark.java
def test_check_ontology_and_data(tmp_path):
    out = run("check", str(DATA), store=tmp_path / "unused")
    assert "consistent" in out.stdout
    bad = tmp_path / "both.ttl"
    bad.write_text("""\
@prefix pk: <https://w3id.org/policykg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/policykg/id/source/x> a pk:Source .
<https://w3id.org/policykg/id/actor/acme> a pk:Person, pk:Organization ; rdfs:label "Acme"@en .
""", encoding="utf-8")
    result = run("check", str(bad), store=tmp_path / "unused", check=False)
    assert result.returncode == 1
    assert "https://w3id.org/policykg/id/actor/acme" in result.stderr


def test_store_in_use_by_another_process(loaded):
    from kg.store import Store
    from kg.errors import StoreLocked

    with Store(loaded):
        result = run("stats", store=loaded, check=False)
    assert result.returncode == 1 and "in use" in result.stderr
    with pytest.raises(StoreLocked):
        with Store(loaded), Store(loaded):
            pass


def test_oxigraph_binary_is_found_from_the_venv():
    assert shutil.which("oxigraph", path=str(POLICYKG.parent))

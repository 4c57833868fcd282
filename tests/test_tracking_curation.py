"""Issue 7 §3 and §1's corrections: curation status, attribution confidence, content hash and
archived copy, corrections and retractions, and corroboration (one statement, several sources,
each with its own words; a syndicated copy counts once).

The CLI (``policykg load``/``validate``) on a real store on disk for what the entry files and the
shapes accept and refuse; a real server over the bundled data and the fixtures of
``tests/fixtures/tracking/`` (made for the tests, invented) for the lookups.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pyoxigraph import NamedNode

from conftest import ROOT, data_store, running_server
from kg.load import load_paths
from kg.store import Store

FIXTURES = ROOT / "tests" / "fixtures" / "tracking"
POLICYKG = Path(sys.executable).with_name("policykg")
ID = "https://w3id.org/policykg/id/"
PK = "https://w3id.org/policykg/ontology#"
AP = ID + "source/ap-2024-07-02-un-ai-resolutions"
WIRE = ID + "source/example-wire-2024-07-02-un-ai-vote"
DAILY = ID + "source/example-daily-2024-07-02-un-ai-resolutions"
FIRMLY_OPPOSED = "9e23eafbad935b76"  # AP's fu-firmly-opposed, reported again by both fixtures
MISDATED = "7d7ab858157b80ab"  # second-outlet.yaml's fu-landmark, corrected by correction.yaml
WITHDRAWN = "f73c7f4ce4e87909"  # second-outlet.yaml's fu-unverified, retracted by correction.yaml
CORRECTED = "68e84a77fec447e9"  # correction.yaml's fu-landmark-corrected


def policykg(*args: str, store: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(POLICYKG), *args, "--store", str(store)], capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(store.parent)})


def quads(store: Path) -> str:
    return subprocess.run([str(POLICYKG), "export", "--format", "nquads", "--store", str(store)],
                          capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def tracked(tmp_path_factory) -> Path:
    """A store on disk with data/ and the three tracking fixtures."""
    location = data_store(tmp_path_factory.mktemp("tracking") / "store")
    with Store(location) as store:
        load_paths([FIXTURES / name for name in ("second-outlet.yaml", "syndicated-copy.yaml", "correction.yaml")],
                   store)
    return location


@pytest.fixture(scope="module")
def api(tracked: Path):
    with running_server(str(tracked)) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def ok(client: httpx.Client, path: str, **params) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def short(items: list[dict]) -> set[str]:
    return {item["id"].rsplit("/", 1)[-1] for item in items}


# --- entry files and shapes, through the CLI ------------------------------------------------------


def test_fixtures_are_marked_as_made_for_the_tests():
    for path in FIXTURES.glob("*.yaml"):
        assert path.read_text(encoding="utf-8").startswith("# MADE FOR THE TESTS"), path.name


def test_status_defaults_to_draft_and_data_is_reviewed(tracked):
    with Store(tracked) as store:
        rows = store.select(
            "PREFIX pk: <https://w3id.org/policykg/ontology#> SELECT ?item ?status WHERE { "
            "VALUES ?class { pk:Statement pk:Position } ?item a ?class . OPTIONAL { ?item pk:curationStatus ?status } }")
    statuses: dict[str, set[str]] = {}
    for row in rows:
        statuses.setdefault(row["item"].value, set()).add(row["status"].value.rsplit("#", 1)[-1] if "status" in row else "")
    assert all(len(found) == 1 and "" not in found for found in statuses.values()), statuses
    assert statuses[ID + "statement/" + FIRMLY_OPPOSED] == {"reviewed"}  # data/ marks its entries
    assert statuses[ID + "statement/" + MISDATED] == {"draft"}  # second-outlet.yaml gives none
    assert statuses[ID + "statement/" + WITHDRAWN] == {"disputed"}
    assert len(statuses) == 20 + 12 + 3 + 1


BAD_ENTRIES = """\
source:
  id: bad-tracking
  title: A bad file
  publisher: associated-press
  issued: 2024-07-02
  contentHash: "md5:0cc175b9c0f1b6a831c399e269772661"
  syndicationOf: bad-tracking
statements:
  - id: overconfident
    speaker: fu-cong
    date: 2024-07-01
    quote: something
    curationStatus: reviewed
    attributionConfidence: 1.5
"""


def test_shape_errors_name_file_entry_and_field_and_write_nothing(tracked, tmp_path):
    before = quads(tracked)
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_ENTRIES, encoding="utf-8")
    for command in ("validate", "load"):
        result = policykg(command, str(bad), store=tracked)
        assert result.returncode == 1, result.stdout
        lines = result.stderr.strip().splitlines()
        assert f"{bad}:9: overconfident: attributionConfidence: attributionConfidence is 1.5, outside 0 to 1" in result.stderr
        assert any(line.startswith(f"{bad}:2: bad-tracking: contentHash: ") and "sha256" in line for line in lines)
        assert any(line.startswith(f"{bad}:2: bad-tracking: syndicationOf: a source cannot be a syndication of itself")
                   for line in lines)
        assert lines[-1] == "3 problem(s); nothing was written."
    assert quads(tracked) == before


@pytest.mark.parametrize(("entries", "expected"), [
    ("statements:\n  - {id: s, speaker: fu-cong, date: 2024-07-01, quote: x, curationStatus: approved}\n",
     "s: curationStatus: unknown value 'approved'"),
    ("reports:\n  - {id: r, reportOf: statement/0000000000000000, quote: x}\n",
     "r: reportOf: no statement statement/0000000000000000 in these files or in the store"),
    ("statements:\n  - {id: statement/9e23eafbad935b76, quote: other words}\n",
     "statement/9e23eafbad935b76: quote: an entry about a statement another source recorded takes only "
     "correctedBy, retractedOn, retractionReason"),
    ("statements:\n  - {id: statement/0000000000000000, retractedOn: 2024-07-03}\n",
     "statement/0000000000000000: id: no statement statement/0000000000000000 in these files or in the store"),
    ("statements:\n  - {id: statement/9e23eafbad935b76, retractedOn: yesterday}\n",
     "statement/9e23eafbad935b76: retractedOn: expected a date YYYY-MM-DD"),
])
def test_entry_errors_are_specific(tracked, tmp_path, entries, expected):
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: {id: bad-tracking, title: T, publisher: associated-press, issued: 2024-07-02}\n"
                   + entries, encoding="utf-8")
    result = policykg("validate", str(bad), store=tracked)
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr


def test_a_report_can_cite_the_statement_it_reports_and_is_dated(tracked, tmp_path):
    """Regression: a file that reports another source's statement and cites it as evidence was
    refused (the statement, a subject of the batch, was not read from the store as context)."""
    entries = tmp_path / "evidence.yaml"
    text = """\
source: {{id: evidence-check, title: T, publisher: associated-press, issued: {issued}}}
reports:
  - {{id: r, reportOf: statement/9e23eafbad935b76, quote: firmly opposed}}
positions:
  - {{id: p, holder: china, stance: opposes, target: us-treasury-outbound-investment-rule,
      evidence: statement/9e23eafbad935b76}}
"""
    entries.write_text(text.format(issued="2024-07-02"), encoding="utf-8")
    result = policykg("validate", str(entries), store=tracked)
    assert result.returncode == 0, result.stderr
    entries.write_text(text.format(issued="2024-06-30"), encoding="utf-8")
    result = policykg("validate", str(entries), store=tracked)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{entries}:3: r: reportOf: a source cannot report a statement made after it was published: the "
        "statement is dated 2024-07-01 but the source was issued on 2024-06-30", "1 problem(s); nothing was written."]


def test_a_report_lives_in_its_source_graph_and_leaves_with_it(tmp_path):
    """Loading a source again replaces its graph whole: its report, and its pk:source on the
    statement another source recorded, go with it; the other source's graph is untouched."""
    store_dir = data_store(tmp_path / "store")
    with Store(store_dir) as store:
        load_paths([FIXTURES / "second-outlet.yaml"], store)
    graph = "https://w3id.org/policykg/graph/example-wire-2024-07-02-un-ai-vote"
    added = f"<{ID}statement/{FIRMLY_OPPOSED}> <{PK}source> <{WIRE}> <{graph}> ."
    before = quads(store_dir)
    assert added in before and f"<{PK}reportOf> <{ID}statement/{FIRMLY_OPPOSED}> <{graph}> ." in before
    text = (FIXTURES / "second-outlet.yaml").read_text(encoding="utf-8")
    without = tmp_path / "second-outlet.yaml"
    without.write_text(text[:text.index("reports:")] + text[text.index("statements:"):], encoding="utf-8")
    assert policykg("load", str(without), store=store_dir).returncode == 0
    after = quads(store_dir)
    assert added not in after and f"<{PK}reportOf>" not in after
    ap_graph = "<https://w3id.org/policykg/graph/ap-2024-07-02-un-ai-resolutions> ."
    assert {q for q in before.splitlines() if q.endswith(ap_graph)} == {q for q in after.splitlines() if q.endswith(ap_graph)}


# --- lookups, through a real server -------------------------------------------------------------


def test_one_statement_several_sources_each_with_its_words(api):
    statement = ok(api, f"/statements/{FIRMLY_OPPOSED}")
    assert statement["source"]["id"] == AP  # the source that recorded it
    reports = {r["source"]["id"]: r for r in statement["reports"]}
    assert set(reports) == {AP, WIRE, DAILY}
    assert reports[AP]["quote"] == ["We are firmly opposed to these sanctions"] and "report" not in reports[AP]
    assert reports[WIRE]["quote"] == ["We firmly oppose these sanctions"]
    assert reports[WIRE]["report"].startswith(ID + "report/")
    assert reports[DAILY]["syndicationOf"]["id"] == AP
    assert statement["independentOrigins"] == 2  # AP and Example Wire; Example Daily is AP's text
    assert statement["quote"] == ["We are firmly opposed to these sanctions"]  # AP's words only
    # The report dereferences like any other entity.
    report = api.get(reports[WIRE]["report"].removeprefix("https://w3id.org/policykg"),
                     headers={"Accept": "application/n-triples"})
    assert report.status_code == 200 and "We firmly oppose these sanctions" in report.text
    # Listed by the source that reports it, and counted once.
    assert FIRMLY_OPPOSED in short(ok(api, "/statements", source="example-wire-2024-07-02-un-ai-vote")["items"])
    assert ok(api, "/statements", q="firmly opposed to these sanctions")["total"] == 1


def test_a_syndicated_copy_counts_once(tmp_path):
    location = data_store(tmp_path / "store")
    with Store(location) as store:
        load_paths([FIXTURES / "syndicated-copy.yaml"], store)
    with running_server(str(location)) as url, httpx.Client(base_url=url, timeout=30) as client:
        statement = ok(client, f"/statements/{FIRMLY_OPPOSED}")
        assert {r["source"]["id"] for r in statement["reports"]} == {AP, DAILY}
        assert statement["independentOrigins"] == 1
        source = ok(client, "/sources/example-daily-2024-07-02-un-ai-resolutions")
        assert source["syndicationOf"]["id"] == AP
        assert source["archivedAt"] == [{"id": "https://web.archive.org/web/20240702000000/https://example.com/daily/2024/07/02/un-ai-resolutions", "label": None}]
        assert source["contentHash"].startswith("sha256:")


def test_retracted_statements_are_hidden_unless_asked_for(api):
    default = short(ok(api, "/statements", source="example-wire-2024-07-02-un-ai-vote")["items"])
    assert WITHDRAWN not in default and MISDATED in default
    shown = ok(api, "/statements", source="example-wire-2024-07-02-un-ai-vote", include_retracted="true")
    withdrawn = next(i for i in shown["items"] if i["id"].endswith(WITHDRAWN))
    assert withdrawn["retracted"] == {
        "on": "2024-07-03",
        "reason": "The outlet could not confirm that Fu Cong said this; another delegate made the remark."}
    assert "retracted" not in next(i for i in shown["items"] if i["id"].endswith(MISDATED))
    assert shown["total"] == len(default) + 1
    # Every statement lookup hides it the same way.
    for path, params in (("/actors/fu-cong/statements", {}), ("/timeline", {"actor": "fu-cong"})):
        assert WITHDRAWN not in short(ok(api, path, limit=500, **params)["items"])
        assert WITHDRAWN in short(ok(api, path, limit=500, include_retracted="true", **params)["items"])
    assert ok(api, f"/statements/{WITHDRAWN}")["retracted"]["on"] == "2024-07-03"


def test_corrected_items_carry_corrected_by(api):
    misdated = ok(api, f"/statements/{MISDATED}")
    assert [c["id"] for c in misdated["correctedBy"]] == [ID + "statement/" + CORRECTED]
    assert "retracted" not in misdated
    assert ok(api, f"/statements/{CORRECTED}")["date"] == "2024-07-01"


def test_a_retracted_source_retracts_what_only_it_reports(tmp_path):
    location = data_store(tmp_path / "store")
    retracted = tmp_path / "second-outlet.yaml"
    text = (FIXTURES / "second-outlet.yaml").read_text(encoding="utf-8")
    retracted.write_text(text.replace("  issued: 2024-07-02\n", "  issued: 2024-07-02\n  retractedOn: 2024-07-05\n"
                                      "  retractionReason: Withdrawn by the outlet.\n"), encoding="utf-8")
    with Store(location) as store:
        load_paths([retracted], store)
    with running_server(str(location)) as url, httpx.Client(base_url=url, timeout=30) as client:
        assert ok(client, "/statements", source="example-wire-2024-07-02-un-ai-vote")["total"] == 1
        assert ok(client, "/positions", source="example-wire-2024-07-02-un-ai-vote")["total"] == 0
        flagged = ok(client, "/positions", source="example-wire-2024-07-02-un-ai-vote", include_retracted="true")
        assert flagged["items"][0]["retracted"] == {"on": "2024-07-05", "reason": "Withdrawn by the outlet."}
        # AP still reports the statement Example Wire reported too: it stands, from one origin.
        statement = ok(client, f"/statements/{FIRMLY_OPPOSED}")
        assert "retracted" not in statement and statement["independentOrigins"] == 1
        assert next(r for r in statement["reports"] if r["source"]["id"] == WIRE)["retracted"]["on"] == "2024-07-05"


def test_filters_on_curation_status_and_confidence(api):
    def total(path: str, **params) -> int:
        return ok(api, path, **params)["total"]

    assert total("/statements", curation_status="reviewed") == 21  # data/'s 20 and the correction
    assert total("/statements", curation_status="draft") == 1
    assert total("/statements", curation_status=["draft", "reviewed"]) == 22
    assert total("/statements", curation_status="draft,reviewed") == 22
    assert total("/statements", curation_status="disputed") == 0  # the disputed one is retracted
    assert total("/statements", curation_status="disputed", include_retracted="true") == 1
    assert short(ok(api, "/statements", min_confidence=0.5)["items"]) == {MISDATED, CORRECTED}
    assert short(ok(api, "/statements", min_confidence=0.7)["items"]) == {CORRECTED}
    assert total("/positions", curation_status="draft") == total("/positions", min_confidence=0.6) == 1
    assert total("/actors/china/positions", curation_status="reviewed") == total("/actors/china/positions") - 1
    assert total("/timeline", actor="fu-cong", curation_status="draft") == 1
    item = ok(api, "/statements", min_confidence=0.7)["items"][0]
    assert item["curationStatus"] == "reviewed" and item["attributionConfidence"] == 0.9


@pytest.mark.parametrize(("params", "field"), [
    ({"curation_status": "approved"}, "curation_status"),
    ({"curation_status": ["reviewed", "final"]}, "curation_status"),
    ({"min_confidence": "1.5"}, "min_confidence"),
    ({"min_confidence": "-0.1"}, "min_confidence"),
    ({"min_confidence": "high"}, "min_confidence"),
    ({"include_retracted": "maybe"}, "include_retracted"),
])
def test_bad_curation_parameters_are_422_naming_the_parameter(api, params, field):
    for path, given in (("/statements", {}), ("/positions", {}), ("/timeline", {"about": "a-res-78-311"}),
                        ("/actors/china/positions", {})):
        response = api.get(path, params={**given, **params})
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert field in response.json()["detail"], response.json()

"""Positions as timelines (issue 7 §2), through the CLI and a real server: a holder's positions on
a target in valid-time order, the shifts between them, the statements that contradict each
other, and "on behalf of" derived from the role the speaker held on the statement's date.

The store holds the bundled AP article and ``tests/fixtures/tracking/later-shift.yaml`` (made
for the tests: an invented later source in which China's stance on the Treasury rule moves from
opposes to neutral to supports, and two statements that name only their speaker)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, data_store, running_server
from kg import lookups
from kg.load import load_paths
from kg.store import Store

FIXTURE = ROOT / "tests" / "fixtures" / "tracking" / "later-shift.yaml"
POLICYKG = Path(sys.executable).with_name("policykg")
ID = "https://w3id.org/policykg/id/"
RULE = "us-treasury-outbound-investment-rule"
ARMS_CONTROL = ID + "actor/china-mfa-arms-control-department"
AP = ID + "source/ap-2024-07-02-un-ai-resolutions"
WIRE = ID + "source/example-gazette-2025-03-12-treasury-rule"


@pytest.fixture(scope="module")
def tracked(tmp_path_factory) -> Path:
    """A store on disk: the bundled data and the fixture."""
    location = data_store(tmp_path_factory.mktemp("tracking") / "store")
    with Store(location) as store:
        load_paths([FIXTURE], store)
    return location


@pytest.fixture(scope="module")
def api(tracked: Path):
    # The CLI tests open the store themselves: they run before this server takes it.
    with running_server(str(tracked)) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def cli(store: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(POLICYKG), "query", *args, "--store", str(store), "-f", "json"],
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(store.parent)})


def rows(result: subprocess.CompletedProcess) -> list[dict[str, str]]:
    assert result.returncode == 0, result.stderr
    return [{name: term["value"] for name, term in row.items()}
            for row in json.loads(result.stdout)["results"]["bindings"]]


def problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()["detail"]


# --- the CLI: the named queries themselves -------------------------------------------------------


def test_cli_history_in_valid_time_order(tracked):
    found = rows(cli(tracked, "@rest_position_history", "-p", "holder=china", "-p", f"target={RULE}"))
    # AP's opposes and calls_for (since 2024-07-01), the invented neutral one (no since: its
    # evidence's date) and supports (since 2025-03-11).
    assert [row["validFrom"] for row in found] == ["2024-07-01", "2024-07-01", "2024-11-20", "2025-03-11"]


def test_cli_changes_and_since(tracked):
    found = rows(cli(tracked, "@rest_position_changes", "-p", "holder=china"))
    assert [(row["earlierStart"], row["date"]) for row in found] == [
        ("2024-07-01", "2024-11-20"), ("2024-11-20", "2025-03-11")]
    assert found[0]["later"] == found[1]["earlier"]  # the neutral position between
    later = rows(cli(tracked, "@rest_position_changes", "-p", "holder=china", "-p", "since=2024-11-21"))
    assert [row["date"] for row in later] == ["2025-03-11"]


def test_cli_contradictions(tracked):
    found = rows(cli(tracked, "@rest_position_contradictions", "-p", "holder=china", "-p", f"target={RULE}"))
    # The invented supporting statement against each of the four AP statements that oppose.
    assert len(found) == 4 and len({row["opposing"] for row in found}) == 4
    assert len({row["supporting"] for row in found}) == 1 and {row["date"] for row in found} == {"2025-03-11"}


def test_cli_derived_on_behalf_of(tracked):
    found = rows(cli(tracked, "@rest_derived_on_behalf_of"))
    assert [(row["organization"], row["role"]) for row in found] == [(ARMS_CONTROL, ID + "role/department-head")]


def test_cli_bad_parameters_exit_1(tracked):
    missing = cli(tracked, "@rest_position_changes", "-p", f"target={RULE}")
    assert missing.returncode == 1 and "needs holder" in missing.stderr
    bad = cli(tracked, "@rest_position_changes", "-p", "holder=china", "-p", "since=2025-13-01")
    assert bad.returncode == 1 and "since: expected a date" in bad.stderr


# --- GET /positions/history ----------------------------------------------------------------------


def test_history_positions_with_evidence_in_valid_time_order(api):
    body = api.get("/positions/history", params={"holder": "china", "target": RULE}).json()
    items = body["items"]
    assert body["total"] == 4 and body["next"] is None
    assert [item["validFrom"] for item in items] == ["2024-07-01", "2024-07-01", "2024-11-20", "2025-03-11"]
    assert [item["validFromBasis"] for item in items] == ["since", "since", "evidence", "since"]
    assert {item["stance"] for item in items[:2]} == {"opposes", "calls_for"}
    assert [item["stance"] for item in items[2:]] == ["neutral", "supports"]
    assert "since" not in items[2]
    for item in items:
        assert item["holder"]["id"] == ID + "actor/china" and item["target"]["id"] == ID + "measure/" + RULE
        assert item["source"]["id"] in (AP, WIRE)
        for statement in item["evidence"]:
            assert statement["date"] and statement["source"]["id"] in (AP, WIRE)
            assert statement.get("quote") or statement.get("paraphrase")
    assert items[3]["evidence"][0]["quote"] == ["Invented: we now support the Treasury rule as a basis for cooperation."]


def test_history_is_paged(api):
    first = api.get("/positions/history", params={"holder": "china", "target": RULE, "limit": 3}).json()
    assert first["total"] == 4 and len(first["items"]) == 3
    rest = api.get(first["next"]).json()
    assert [item["stance"] for item in rest["items"]] == ["supports"] and rest["next"] is None
    assert "rest_position_history" in first["query"]


@pytest.mark.parametrize("params, status, named", [
    ({"holder": "china"}, 422, "target"),
    ({"target": RULE}, 422, "holder"),
    ({}, 422, "holder"),
    ({"holder": "nobody", "target": RULE}, 404, "holder"),
    ({"holder": "china", "target": "no-such-rule"}, 404, "target"),
    ({"holder": RULE, "target": RULE}, 404, "holder"),  # a measure is not an actor
    ({"holder": "china", "target": RULE, "limit": 0}, 422, "limit"),
])
def test_history_bad_parameters(api, params, status, named):
    assert named in problem(api.get("/positions/history", params=params), status)


# --- GET /positions/changes ----------------------------------------------------------------------


def test_changes_every_shift_with_both_sides(api):
    body = api.get("/positions/changes", params={"holder": "china"}).json()
    assert body["total"] == 2
    first, second = body["items"]
    assert (first["from"], first["to"], first["date"]) == ("opposes", "neutral", "2024-11-20")
    assert (second["from"], second["to"], second["date"]) == ("neutral", "supports", "2025-03-11")
    assert first["after"]["id"] == second["before"]["id"]
    assert first["target"]["id"] == ID + "measure/" + RULE and first["holder"]["label"] == "China"
    # The evidence on both sides, with its dates: AP's four statements before, the invented one after.
    assert {e["date"] for e in first["before"]["evidence"]} == {"2024-07-01"}
    assert len(first["before"]["evidence"]) == 4 and first["before"]["validFrom"] == "2024-07-01"
    assert [e["date"] for e in second["after"]["evidence"]] == ["2025-03-11"]
    assert second["before"]["validFromBasis"] == "evidence"


def test_changes_since_and_target(api):
    later = api.get("/positions/changes", params={"holder": "china", "since": "2024-11-21"}).json()
    assert [item["to"] for item in later["items"]] == ["supports"]
    on_rule = api.get("/positions/changes", params={"holder": "china", "target": RULE}).json()
    assert on_rule["total"] == 2
    # China's positions on A/RES/78/311 never changed; the United States' nothing at all.
    assert api.get("/positions/changes", params={"holder": "china", "target": "a-res-78-311"}).json()["total"] == 0
    assert api.get("/positions/changes", params={"holder": "united-states"}).json()["items"] == []


@pytest.mark.parametrize("params, status, named", [
    ({}, 422, "holder"),
    ({"target": RULE}, 422, "holder"),
    ({"holder": "china", "since": "2025-13-01"}, 422, "since"),
    ({"holder": "china", "since": "yesterday"}, 422, "since"),
    ({"holder": "china", "target": "nothing-here"}, 404, "target"),
])
def test_changes_bad_parameters(api, params, status, named):
    assert named in problem(api.get("/positions/changes", params=params), status)


# --- GET /positions/contradictions ---------------------------------------------------------------


def test_contradictions_pair_opposed_evidence(api):
    body = api.get("/positions/contradictions", params={"holder": "china"}).json()
    assert body["total"] == 4
    for item in body["items"]:
        assert item["date"] == "2025-03-11" and item["holder"]["id"] == ID + "actor/china"
        assert item["supporting"]["evidenceFor"]["stance"] == "supports"
        assert item["opposing"]["evidenceFor"]["stance"] == "opposes"
        assert item["supporting"]["source"]["id"] == WIRE and item["opposing"]["source"]["id"] == AP
        assert item["opposing"]["date"] == "2024-07-01"
    assert api.get("/positions/contradictions", params={"holder": "china", "since": "2025-03-12"}).json()["total"] == 0
    assert "holder" in problem(api.get("/positions/contradictions"), 422)


# --- "on behalf of" derived from the role held on the statement's date ---------------------------


def fu_in_2021(api, path: str = "/statements", **params) -> dict:
    items = api.get(path, params={"from": "2021-01-01", "to": "2021-12-31", **params}).json()["items"]
    assert len(items) == 1, items
    return items[0]


def test_statement_lookups_say_on_behalf_of_was_derived(api):
    statement = fu_in_2021(api, speaker="fu-cong")
    (derived,) = statement["onBehalfOf"]
    assert derived["id"] == ARMS_CONTROL and derived["derived"] is True
    assert derived["label"] == "Arms Control Department of the Chinese Foreign Ministry"
    assert derived["role"] == {"id": ID + "role/department-head", "label": "head of department"}
    assert derived["membership"]["id"].startswith(ID + "membership/")
    slug = statement["id"].rsplit("/", 1)[1]
    assert api.get(f"/statements/{slug}").json()["onBehalfOf"] == [derived]
    assert fu_in_2021(api, "/actors/fu-cong/statements")["onBehalfOf"] == [derived]
    timeline = api.get("/timeline", params={"actor": "fu-cong"}).json()["items"]
    assert [item["onBehalfOf"] for item in timeline if item["id"] == statement["id"]] == [[derived]]


def test_stated_on_behalf_of_unchanged_and_undated_roles_derive_nothing(api):
    stated = api.get("/statements", params={"speaker": "fu-cong", "from": "2025-01-01"}).json()["items"]
    assert [s["onBehalfOf"] for s in stated] == [[{"id": ID + "actor/china", "label": "China"}]]
    # Nate Evans's membership has no dates: it says nothing about 2025.
    (evans,) = api.get("/statements", params={"speaker": "nate-evans", "from": "2025-01-01"}).json()["items"]
    assert "onBehalfOf" not in evans


# --- the rules at their edges (kg on the in-memory engine) ---------------------------------------

EDGES = """\
# Made for the tests: invented statements that probe the derivation rule's dates.
source: {id: edges, title: Invented edges, publisher: associated-press, issued: 2025-06-01}
statements:
  - {id: end-year, speaker: fu-cong, date: 2022-12-31, datePrecision: year, paraphrase: "Invented (2022)."}
  - {id: end-month, speaker: fu-cong, date: 2022-12-01, datePrecision: month, paraphrase: "Invented (December 2022)."}
  - {id: after-end, speaker: fu-cong, date: 2023-01-15, datePrecision: day, paraphrase: "Invented (2023)."}
  - {id: before-start, speaker: fu-cong, date: 2017-12-31, paraphrase: "Invented (2017)."}
  - {id: first-day, speaker: fu-cong, date: 2018-01-01, paraphrase: "Invented (2018)."}
"""


def test_derivation_compares_dates_at_the_coarser_precision(store, tmp_path):
    edges = tmp_path / "edges.yaml"
    edges.write_text(EDGES, encoding="utf-8")
    load_paths([ROOT / "data", edges], store)
    found = lookups.list_statements(store, speaker="fu-cong", source="edges")["items"]
    derived = {item["date"]: [ref["id"] for ref in item.get("onBehalfOf", [])] for item in found}
    assert derived == {"2017-12-31": [], "2018-01-01": [ARMS_CONTROL], "2022-12-01": [ARMS_CONTROL],
                       "2022-12-31": [ARMS_CONTROL], "2023-01-15": []}


def test_bundled_data_alone_has_no_shift_and_no_contradiction(store):
    load_paths([ROOT / "data"], store)
    # China opposes the rule and calls for lifting it from the same day: two positions, no shift.
    assert lookups.position_changes(store, holder="china")["total"] == 0
    assert lookups.position_contradictions(store, holder="china")["total"] == 0
    assert lookups.position_history(store, holder="china", target=RULE)["total"] == 2


def test_the_same_answers_on_virtuoso(virtuoso_store, store):
    """The rules are plain SPARQL 1.1: the second engine gives the same answers, derived
    onBehalfOf included."""
    asked = {
        "history": lambda st: lookups.position_history(st, holder="china", target=RULE),
        "changes": lambda st: lookups.position_changes(st, holder="china"),
        "contradictions": lambda st: lookups.position_contradictions(st, holder="china"),
        "statements": lambda st: lookups.list_statements(st, speaker="fu-cong", from_="2021-01-01", to="2021-12-31"),
    }
    virtuoso_store.clear()
    try:
        for engine in (virtuoso_store, store):
            load_paths([ROOT / "data", FIXTURE], engine)
        for name, lookup in asked.items():
            on_virtuoso, on_oxigraph = lookup(virtuoso_store), lookup(store)
            assert on_oxigraph["total"] > 0, name
            assert on_virtuoso["items"] == on_oxigraph["items"] and on_virtuoso["total"] == on_oxigraph["total"], name
    finally:
        virtuoso_store.clear()

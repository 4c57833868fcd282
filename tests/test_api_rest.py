"""REST lookups through a real server: every route, the research questions, pagination, errors,
hostile parameters, the SPARQL each list links to, and totals when two sources describe the same
entities (the default graph is the union of the source graphs)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, quote, unquote, urlsplit

import httpx
import pyoxigraph
import pytest

from conftest import ROOT, running_server
from kg.entries import vocabulary
from kg.load import load_paths
from kg.lookups import SINGLE
from kg.resources import shapes_files
from kg.store import Store

ID = "https://w3id.org/policykg/id/"
SOURCE = "ap-2024-07-02-un-ai-resolutions"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PROBLEM_KEYS = {"type", "title", "status", "detail"}

LISTS = [
    "/actors", "/actors?q=china", "/actors/fu-cong/statements", "/actors/china/positions",
    "/statements", "/statements?speaker=fu-cong", "/positions", "/positions?stance=supports",
    "/resolutions", "/resolutions?about=artificial-intelligence", "/sources",
    "/timeline?actor=china", "/timeline?about=a-res-78-311",
]
SINGLES = [
    "/actors/fu-cong", "/actors/china", "/statements/9e23eafbad935b76", "/resolutions/a-res-78-311",
    f"/sources/{SOURCE}",
]
HOSTILE = [
    '"', "'", "}", "{", "#", "\\", '" } DROP ALL #', "' } DROP ALL #", "\"\"\" } DROP ALL #",
    "} } ; DROP ALL ; #", "x\" . } INSERT DATA { <a:s> <a:p> <a:o> } #",
    "SELECT * WHERE { ?s ?p ?o }", "DELETE WHERE { ?s ?p ?o }", "?s", "$o", "<http://example.org/x>",
    "http://example.org/a b", "a:b", "%", "%00", "\x00", "line\nbreak", "\u202eevil", "中国", "🙂",
    "Fu Cong\"@en", "\"^^<http://www.w3.org/2001/XMLSchema#integer>", "a" * 900,
]


@pytest.fixture(scope="module")
def api(server: str):
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


def items_of(client: httpx.Client, path: str, **params) -> list[dict]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert PROBLEM_KEYS <= set(body)
    assert body["status"] == status and body["detail"]
    return body


# --- every route ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_every_list_route_answers_a_page(api, path):
    response = api.get(path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["items", "total", "next", "query"]
    assert isinstance(body["total"], int) and body["total"] == len(body["items"]) > 0
    assert body["next"] is None
    for item in body["items"]:
        assert item["id"].startswith(ID)
    link = response.headers["link"]
    assert link.startswith("</sparql?query=") and link.endswith('>; rel="alternate"; type="application/sparql-query"')
    assert unquote(link[len("</sparql?query="):link.index(">")]) == body["query"]


@pytest.mark.parametrize("path", SINGLES)
def test_every_single_route_answers_the_entity(api, path):
    response = api.get(path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"].startswith(ID) and body["type"]


def test_every_route_is_in_the_openapi_with_a_stable_operation_id(api):
    paths = api.get("/openapi.json").json()["paths"]
    expected = {
        "/actors": "search_actors", "/actors/{slug}": "get_actor",
        "/actors/{slug}/statements": "list_actor_statements", "/actors/{slug}/positions": "list_actor_positions",
        "/statements": "list_statements", "/statements/{slug}": "get_statement", "/positions": "list_positions",
        "/resolutions": "list_resolutions", "/resolutions/{slug}": "get_resolution", "/sources": "list_sources",
        "/sources/{slug}": "get_source", "/timeline": "get_timeline",
    }
    for path, operation in expected.items():
        assert paths[path]["get"]["operationId"] == operation
    parameters = {p["name"] for p in paths["/statements"]["get"]["parameters"]}
    assert {"speaker", "on_behalf_of", "about", "from", "to", "q", "limit", "offset"} <= parameters


# --- the seven questions of issue 2, over REST ---------------------------------------------------


def test_q1_fu_cong_on_chinas_behalf_on_1_july_2024(api):
    statements = items_of(api, "/statements", speaker="fu-cong", on_behalf_of="china",
                          **{"from": "2024-07-01", "to": "2024-07-01"})
    quotes = {quote for s in statements for quote in s.get("quote", [])}
    assert "We are firmly opposed to these sanctions" in quotes
    assert any(q.startswith("We do look forward to intensifying our cooperation") for q in quotes)
    assert {s["date"] for s in statements} == {"2024-07-01"}
    assert all(s["speaker"] == {"id": ID + "actor/fu-cong", "label": "Fu Cong"} for s in statements)
    assert all(ID + "actor/china" in ids(s["onBehalfOf"]) for s in statements)
    assert {s["source"]["id"] for s in statements} == {ID + f"source/{SOURCE}"}
    everything = items_of(api, "/statements", speaker="fu-cong")
    assert ids(everything) == ids(statements) and len(statements) >= 14
    # the same question through the actor's own list
    assert ids(items_of(api, "/actors/fu-cong/statements", **{"from": "2024-07-01", "to": "2024-07-01"})) == ids(statements)
    assert items_of(api, "/statements", speaker="fu-cong", **{"from": "2024-07-02"}) == []


def test_q2_who_opposes_the_treasury_rule(api):
    positions = items_of(api, "/positions", target="us-treasury-outbound-investment-rule", stance="opposes")
    assert {p["holder"]["id"] for p in positions} == {ID + "actor/china"}
    assert {p["stance"] for p in positions} == {"opposes"}
    assert {p["since"] for p in positions} == {"2024-07-01"}
    evidence = [e for p in positions for e in p["evidence"]]
    assert "We are firmly opposed to these sanctions" in {q for e in evidence for q in e.get("quote", [])}
    assert all(e["label"] and e["date"] == "2024-07-01" for e in evidence)
    # a full IRI works like the slug
    same = items_of(api, "/positions", target=ID + "measure/us-treasury-outbound-investment-rule", stance="opposes")
    assert ids(same) == ids(positions)


def test_q3_resolutions_on_ai(api):
    resolutions = {r["symbol"]: r for r in items_of(api, "/resolutions", about="artificial-intelligence") if "symbol" in r}
    assert set(resolutions) == {"A/RES/78/265", "A/RES/78/311"}
    us, china = resolutions["A/RES/78/265"], resolutions["A/RES/78/311"]
    assert (us["adoptedOn"], us["sponsorCount"], us["sponsorCountQualifier"]) == ("2024-03-21", 123, "exactly")
    assert (china["adoptedOn"], china["sponsorCount"], china["sponsorCountQualifier"]) == ("2024-07-01", 140, "moreThan")
    for resolution in (us, china):
        assert resolution["adoptionMethod"] == "consensus" and resolution["binding"] is False
        assert ids(resolution["adoptedBy"]) == [ID + "actor/un-general-assembly"]
    assert ids(china["leadSponsor"]) == [ID + "actor/china"]
    everything = items_of(api, "/resolutions")
    assert [r.get("symbol") for r in everything] == ["A/RES/78/265", "A/RES/78/311", None]  # not adopted last
    assert items_of(api, "/resolutions", adopted_by="un-general-assembly")[1]["symbol"] == "A/RES/78/311"


def test_q4_timeline_of_a_res_78_311(api):
    timeline = items_of(api, "/timeline", about="a-res-78-311")
    kinds = [item["type"][0] for item in timeline]
    assert {"Statement", "Position"} == set(kinds)
    dates = [item.get("date") or item.get("since") for item in timeline]
    assert dates == sorted(dates) and dates[0] == "2024-07-01" and dates[-1] == "2024-07-02"
    speakers = {item["speaker"]["id"] for item in timeline if "speaker" in item}
    assert speakers == {ID + "actor/fu-cong", ID + "actor/nate-evans", ID + "actor/associated-press"}
    holders = {item["holder"]["id"] for item in timeline if "holder" in item}
    assert holders == {ID + "actor/china", ID + "actor/united-states"}
    assert all(ID + "resolution/a-res-78-311" in ids(item.get("about", [])) or
               item.get("target", {}).get("id") == ID + "resolution/a-res-78-311" for item in timeline)
    assert len(set(ids(timeline))) == len(timeline)


def test_q5_who_spoke_for_the_us_mission_and_in_which_role(api):
    statements = items_of(api, "/statements", on_behalf_of="us-mission-to-the-un")
    assert {s["speaker"]["id"] for s in statements} == {ID + "actor/nate-evans"}
    assert {s["date"] for s in statements} == {"2024-07-02"} and len(statements) == 2
    evans = api.get("/actors/nate-evans").json()
    (membership,) = evans["memberships"]
    assert membership["organization"] == {"id": ID + "actor/us-mission-to-the-un",
                                          "label": "U.S. mission to the United Nations"}
    assert membership["role"] == {"id": ID + "role/spokesperson", "label": "spokesperson"}
    mission = api.get("/actors/us-mission-to-the-un").json()
    assert [m["member"]["id"] for m in mission["members"]] == [ID + "actor/nate-evans"]
    assert ids(mission["subOrganizationOf"]) == [ID + "actor/united-states"]


def test_q6_chinas_positions(api):
    positions = items_of(api, "/actors/china/positions")
    assert {p["holder"]["id"] for p in positions} == {ID + "actor/china"}
    by_target = {(p["target"]["id"], p["stance"]) for p in positions}
    assert (ID + "measure/us-treasury-outbound-investment-rule", "opposes") in by_target
    assert (ID + "measure/us-treasury-outbound-investment-rule", "calls_for") in by_target
    assert (ID + "resolution/a-res-78-311", "supports") in by_target
    assert len(positions) == api.get("/actors/china").json()["positionCount"] == 10
    assert ids(items_of(api, "/positions", holder="china")) == ids(positions)
    calls = items_of(api, "/actors/china/positions", stance="calls_for")
    assert {p["stance"] for p in calls} == {"calls_for"} and all(p["demandedAction"] for p in calls)


def test_q7_what_a_source_asserts(api):
    source = api.get(f"/sources/{SOURCE}").json()
    assert source["title"].startswith("UN adopts Chinese resolution")
    assert source["issued"] == "2024-07-02"
    assert source["publisher"] == [{"id": ID + "actor/associated-press", "label": "Associated Press"}]
    assert source["graph"] == f"https://w3id.org/policykg/graph/{SOURCE}"
    assert source["loadedFrom"] == f"{SOURCE}.yaml"
    assert source["checksum"].startswith("sha256:")
    assert re.match(r"^\d{4}-\d{2}-\d{2}T", source["recordedAt"])
    assert isinstance(source["tripleCount"], int) and source["tripleCount"] > 600
    assert source["counts"]["Statement"] == 20 and source["counts"]["Position"] == 12
    assert source["counts"]["Resolution"] == 3
    assert "CONSTRUCT" in source["query"] and f"<{ID}source/{SOURCE}>" in source["query"]
    statements = api.get(source["links"]["statements"])
    assert statements.json()["total"] == 20
    assert api.get(source["links"]["positions"]).json()["total"] == 12
    listed = items_of(api, "/sources")
    assert ids(listed) == [ID + f"source/{SOURCE}"] and listed[0]["tripleCount"] == source["tripleCount"]
    graph = api.get(source["links"]["sparql"], headers={"Accept": "application/n-triples"})
    if graph.status_code != 404:  # the CONSTRUCT gives the source's triples and their record
        assert graph.status_code == 200, graph.text
        triples = [line for line in graph.text.splitlines() if line.strip()]
        assert len(triples) == source["tripleCount"] + 6


# --- single entities in detail -------------------------------------------------------------------


def test_actor_roles_over_time(api):
    fu = api.get("/actors/fu-cong").json()
    assert fu["label"] == "Fu Cong" and fu["type"] == ["Person"]
    roles = {m["role"]["id"]: m for m in fu["memberships"]}
    head = roles[ID + "role/department-head"]
    assert (head["startDate"], head["endDate"], head["datePrecision"]) == ("2018-01-01", "2022-12-31", "year")
    assert head["organization"]["label"] == "Arms Control Department of the Chinese Foreign Ministry"
    assert roles[ID + "role/un-ambassador"]["organization"]["id"] == ID + "actor/china"
    assert "startDate" not in roles[ID + "role/un-ambassador"]
    assert fu["statementCount"] == 16 and fu["positionCount"] == 0
    assert fu["links"]["statements"].endswith("/actors/fu-cong/statements")
    china = api.get("/actors/china").json()
    assert china["sameAs"] == ["http://www.wikidata.org/entity/Q148"]
    assert "Beijing" in china["altLabel"] and china["type"] == ["State"]
    assert ID + "actor/fu-cong" in [m["member"]["id"] for m in china["members"]]


def test_actor_search_over_label_and_altlabel(api):
    assert ids(items_of(api, "/actors", q="beijing")) == [ID + "actor/china"]  # an altLabel
    assert ID + "actor/china" in ids(items_of(api, "/actors", q="CHINA"))
    assert ids(items_of(api, "/actors", q="usun")) == [ID + "actor/us-mission-to-the-un"]
    assert items_of(api, "/actors", q="nobody at all") == []
    everything = items_of(api, "/actors")
    assert len(everything) == api.get("/actors").json()["total"] == 14
    assert all("Actor" in item["type"] or set(item["type"]) & {
        "Person", "State", "GovernmentBody", "InternationalOrganization", "NewsOrganization", "Group"}
        for item in everything)


def test_statement_detail_and_its_several_quotes(api):
    statements = items_of(api, "/statements", q="complementary")
    (complementary,) = [s for s in statements if len(s.get("quote", [])) == 2]
    slug = complementary["id"].rsplit("/", 1)[1]
    detail = api.get(f"/statements/{slug}").json()
    assert detail["quote"] == complementary["quote"] and len(detail["quote"]) == 2
    cited_by = {(p["holder"]["id"], p["stance"], p["target"]["id"]) for p in detail["evidenceFor"]}
    assert (ID + "actor/china", "supports", ID + "resolution/a-res-78-265") in cited_by
    assert all(p["label"].startswith("China supports") for p in detail["evidenceFor"])
    firmly = api.get("/statements/9e23eafbad935b76").json()
    assert firmly["quote"] == ["We are firmly opposed to these sanctions"]


def test_resolution_detail(api):
    resolution = api.get("/resolutions/a-res-78-311").json()
    assert resolution["symbol"] == "A/RES/78/311" and resolution["status"] == "adopted"
    assert ids(resolution["sponsor"]) == ids(resolution["leadSponsor"]) == [ID + "actor/china"]
    assert resolution["sponsor"][0]["label"] == "China"
    assert resolution["adoptedOn"] == "2024-07-01" and resolution["adoptionMethod"] == "consensus"
    assert resolution["sponsorCount"] == 140 and resolution["sponsorCountQualifier"] == "moreThan"
    assert resolution["binding"] is False
    assert len(resolution["provisions"]) >= 4
    assert all(p["partOf"]["id"] == resolution["id"] for p in resolution["provisions"])
    statements = resolution["statements"]
    assert statements["total"] == len(statements["items"]) == api.get("/statements", params={"about": "a-res-78-311"}).json()["total"]
    assert statements["next"] is None
    assert {p["holder"]["id"] for p in resolution["positions"]["items"]} == {ID + "actor/china", ID + "actor/united-states"}
    assert api.get(resolution["links"]["timeline"]).status_code == 200


def test_json_conventions(api):
    terms = vocabulary().terms
    extra = {"id", "type", "graph", "counts", "query", "links", "memberships", "members", "statementCount",
             "positionCount", "evidenceFor", "provisions", "statements", "positions", "inScheme",
             "reports", "independentOrigins", "retracted"}
    documents = [api.get(path).json() for path in SINGLES] + [api.get(path).json() for path in LISTS]

    def walk(value, key=None):
        if isinstance(value, dict):
            if "id" in value and key not in ("counts", "links"):
                assert set(value) <= set(terms) | extra, set(value) - set(terms) - extra
                assert "label" in value or "type" in value
            for k, v in value.items():
                if k not in ("counts", "links"):
                    walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key in ("date", "since", "until", "adoptedOn", "startDate", "endDate", "issued", "announcedOn"):
            assert DATE.match(value), (key, value)
        elif key in ("stance", "datePrecision", "adoptionMethod", "status", "sponsorCountQualifier"):
            assert value in vocabulary().concepts, (key, value)

    for document in documents:
        walk(document)
        for item in document.get("items", [document]):
            for key in ("about", "evidence", "quote", "paraphrase", "onBehalfOf", "altLabel", "sponsor"):
                assert key not in item or isinstance(item[key], list)
            for key in ("sponsorCount", "tripleCount", "memberCount"):
                assert key not in item or type(item[key]) is int
            assert "binding" not in item or type(item["binding"]) is bool


def test_single_keys_are_the_shapes_max_count_1():
    """A key is a scalar exactly when the shapes allow one value (``label``/``title`` are the
    names shown, and the meta graph's record of a source is written by policykg itself)."""
    store = pyoxigraph.Store()
    for path in shapes_files():
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    rows = store.query("PREFIX sh: <http://www.w3.org/ns/shacl#> "
                       "SELECT ?path ?max WHERE { ?shape sh:path ?path OPTIONAL { ?shape sh:maxCount ?max } }")
    by_iri = {term.iri: name for name, term in vocabulary().terms.items()}
    maxima: dict[str, set[int]] = {}
    for row in rows:
        if row["path"].value in by_iri:
            maxima.setdefault(by_iri[row["path"].value], set()).add(int(row["max"].value) if row["max"] else 0)
    single = {key for key, found in maxima.items() if 1 in found}
    assert single <= SINGLE
    assert SINGLE - single <= {"label", "title", "graph", "graphOf", "recordedAt", "loadedFrom", "checksum",
                               "tripleCount"}


# --- pagination ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path,params", [
    ("/statements", {}), ("/statements", {"speaker": "fu-cong", "q": "the"}), ("/actors", {}),
    ("/positions", {"holder": "china"}), ("/timeline", {"about": "a-res-78-311"}), ("/resolutions", {}),
])
def test_pagination_follows_next_to_the_end(api, path, params):
    whole = api.get(path, params={**params, "limit": 500}).json()
    assert whole["next"] is None and whole["total"] == len(whole["items"])
    seen, url, pages = [], path, 0
    response = api.get(url, params={**params, "limit": 2})
    while True:
        pages += 1
        body = response.json()
        assert response.status_code == 200 and body["total"] == whole["total"]
        assert len(body["items"]) <= 2
        seen += ids(body["items"])
        if body["next"] is None:
            break
        query = parse_qs(urlsplit(body["next"]).query)
        assert query["limit"] == ["2"] and all(query[k] == [v] for k, v in params.items())
        response = api.get(body["next"])
    assert seen == ids(whole["items"])
    assert len(set(seen)) == len(seen)
    assert pages == max(1, -(-whole["total"] // 2))


def test_offset_past_the_end_is_an_empty_page(api):
    body = api.get("/statements", params={"offset": 10_000}).json()
    assert body["items"] == [] and body["total"] == 20 and body["next"] is None


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/actors/nobody", "/actors/a-res-78-311", "/actors/nobody/statements", "/actors/nobody/positions",
    "/statements/0000000000000000", "/statements/not-a-hash", "/resolutions/nope", "/resolutions/china",
    "/sources/nope", "/sources/china", "/statements?speaker=nobody", "/statements?on_behalf_of=actor/nobody",
    "/statements?about=wd:Q148", f"/statements?speaker={quote(ID + 'actor/nobody', safe='')}",
    "/positions?target=nothing-here", "/resolutions?about=nothing-here", "/timeline?actor=nobody",
    "/statements?speaker=artificial-intelligence",  # a topic is not an actor
])
def test_unknown_entities_are_404(api, path):
    body = assert_problem(api.get(path), 404)
    assert body["type"].endswith("/not-found") or body["type"] == "about:blank"


@pytest.mark.parametrize("path,field", [
    ("/statements?from=2024-13-01", "from"), ("/statements?to=yesterday", "to"),
    ("/statements?from=2024-07-01T10:00:00", "from"), ("/actors/china/statements?from=1.7.2024", "from"),
    ("/statements?limit=501", "limit"), ("/statements?limit=0", "limit"), ("/statements?offset=-1", "offset"),
    ("/statements?limit=ten", "limit"), ("/positions?stance=loves", "stance"),
    ("/actors/china/positions?stance=OPPOSES", "stance"), ("/timeline", "actor"),
    ("/statements?speaker=Fu%20Cong", "speaker"), ("/positions?target=topic/Not%20A%20Slug", "target"),
    ("/statements?about=nope:x", "about"), ("/actors?q=" + "x" * 1001, "q"),
])
def test_bad_parameters_are_422(api, path, field):
    body = assert_problem(api.get(path), 422)
    assert field in body["detail"]


def test_one_problem_shape_for_every_error(api):
    for response in (api.get("/actors/nobody"), api.get("/statements?limit=9999"), api.get("/timeline")):
        body = response.json()
        assert set(body) - {"instance", "errors"} == PROBLEM_KEYS
        assert body["instance"] == urlsplit(str(response.url)).path


# --- hostile parameter text is data --------------------------------------------------------------


def test_hostile_text_is_bound_never_pasted(api):
    before = api.get("/-/health").json()
    totals = {path: api.get(path).json()["total"] for path in ("/statements", "/actors", "/positions")}
    for text in HOSTILE:
        for path, param in (("/statements", "q"), ("/actors", "q"), ("/actors/china/statements", "q")):
            response = api.get(path, params={param: text})
            assert response.status_code == 200, (text, response.text)
            found = response.json()["items"]
            assert found == [] or text in ("'", "%"), (path, text)
        for path, param in (("/statements", "speaker"), ("/statements", "on_behalf_of"), ("/statements", "about"),
                            ("/positions", "target"), ("/positions", "holder"), ("/timeline", "about"),
                            ("/resolutions", "about"), ("/statements", "from")):
            response = api.get(path, params={param: text})
            assert response.status_code in (404, 422), (path, param, text, response.text)
            assert_problem(response, response.status_code)
        for route in ("/actors/", "/statements/", "/resolutions/", "/sources/"):
            response = api.get(route + quote(text, safe=""))
            assert response.status_code in (404, 405, 422), (route, text, response.status_code)
    assert api.get("/-/health").json() == before
    assert {path: api.get(path).json()["total"] for path in totals} == totals


def test_hostile_text_appears_escaped_in_the_query(api):
    text = '" } DROP ALL #'
    body = api.get("/statements", params={"q": text}).json()
    assert 'VALUES (?q) { ("\\" } DROP ALL #") }' in body["query"]


def test_the_words_search_finds_quotes_and_paraphrases(api):
    assert len(items_of(api, "/statements", q="FIRMLY OPPOSED")) == 1
    assert len(items_of(api, "/statements", q="We’re very appreciative")) == 1  # curly apostrophe
    assert len(items_of(api, "/statements", q="lift the sanctions")) == 1  # a paraphrase
    assert items_of(api, "/statements", q="", speaker="nate-evans") == items_of(api, "/statements", speaker="nate-evans")


# --- the SPARQL of each list ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_store():
    with Store() as store:
        load_paths([ROOT / "data"], store)
        yield store


QUERIED = ["/statements?speaker=fu-cong&on_behalf_of=china&from=2024-07-01&to=2024-07-01&limit=5&offset=3",
           "/positions?target=us-treasury-outbound-investment-rule&stance=opposes", "/actors?q=u.s.",
           "/timeline?about=a-res-78-311&limit=4", "/resolutions?about=artificial-intelligence", "/sources",
           "/actors/china/positions?limit=3&offset=2"]


@pytest.mark.parametrize("path", QUERIED)
def test_the_query_field_gives_the_same_ids(api, data_store, path):
    body = api.get(path).json()
    result = data_store.query(body["query"])
    column = result.variables[0].value
    assert [row[column].value for row in result] == ids(body["items"])


@pytest.mark.parametrize("path", QUERIED)
def test_the_query_runs_at_the_sparql_endpoint(api, path):
    response = api.get(path)
    sparql = response.headers["link"][1:response.headers["link"].index(">")]
    answer = api.get(sparql, headers={"Accept": "application/sparql-results+json"})
    if answer.status_code in (404, 405) and answer.headers["content-type"].startswith("application/problem"):
        pytest.skip("/sparql is not served yet")
    assert answer.status_code == 200, answer.text
    results = answer.json()
    column = results["head"]["vars"][0]
    assert [b[column]["value"] for b in results["results"]["bindings"]] == ids(response.json()["items"])


# --- two sources describing the same entities ----------------------------------------------------

SECOND = """\
source:
  id: second-report
  type: NewsArticle
  title: A second report on the same day
  publisher: associated-press
  issued: 2024-07-03

actors:
  - id: china
    type: State
    label: China
    altLabel: [Beijing, PRC]
    sameAs: wd:Q148
  - id: fu-cong
    type: Person
    label: Fu Cong

resolutions:
  - id: a-res-78-311
    symbol: A/RES/78/311
    title: Enhancing international cooperation on capacity-building of artificial intelligence
    label: A/RES/78/311 (Chinese-sponsored resolution on AI capacity-building)
    adoptedBy: un-general-assembly
    adoptedOn: 2024-07-01
    adoptionMethod: consensus
    leadSponsor: china
    sponsor: [china]
    sponsorCount: 140
    sponsorCountQualifier: moreThan
    binding: false
    status: adopted
    about: [artificial-intelligence]

statements:
  - id: fu-again
    speaker: fu-cong
    onBehalfOf: china
    date: 2024-07-03
    datePrecision: day
    quote: "Capacity building is the key."
    about: [a-res-78-311, artificial-intelligence]

positions:
  - id: china-still-supports
    holder: china
    stance: supports
    target: a-res-78-311
    since: 2024-07-03
    datePrecision: day
    evidence: [fu-again]
"""


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-sources")
    second = folder / "second-report.yaml"
    second.write_text(SECOND, encoding="utf-8")
    location = folder / "store"
    with Store(location) as store:
        load_paths([ROOT / "data"], store)
        load_paths([second], store)
        assert len(store.graphs()) == 3  # two sources and the meta graph
    with running_server(str(location)) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def test_an_entity_in_two_graphs_is_counted_once(two_sources):
    china = items_of(two_sources, "/actors", q="china")
    assert ids(china).count(ID + "actor/china") == 1
    assert two_sources.get("/actors").json()["total"] == 14
    actor = two_sources.get("/actors/china").json()
    assert actor["label"] == "China" and actor["sameAs"] == ["http://www.wikidata.org/entity/Q148"]
    assert sorted(actor["altLabel"]) == ["Beijing", "PRC", "People's Republic of China"]
    assert actor["statementCount"] == 17 and actor["positionCount"] == 11
    assert [m["id"] for m in actor["members"]] == list(dict.fromkeys(m["id"] for m in actor["members"]))
    resolutions = two_sources.get("/resolutions").json()
    assert resolutions["total"] == len(resolutions["items"]) == 3
    resolution = two_sources.get("/resolutions/a-res-78-311").json()
    assert resolution["sponsorCount"] == 140 and ids(resolution["sponsor"]) == [ID + "actor/china"]
    assert resolution["symbol"] == "A/RES/78/311" and resolution["binding"] is False


def test_totals_and_pages_across_two_sources(two_sources):
    for path, params, total in (("/statements", {"speaker": "fu-cong"}, 17), ("/positions", {"holder": "china"}, 11),
                                ("/sources", {}, 2), ("/statements", {"source": "second-report"}, 1),
                                ("/timeline", {"about": "a-res-78-311"}, 14)):
        whole = two_sources.get(path, params={**params, "limit": 500}).json()
        assert whole["total"] == len(whole["items"]) == len(set(ids(whole["items"]))) == total, path
        seen, url = [], two_sources.get(path, params={**params, "limit": 3}).url
        while url:
            body = two_sources.get(url).json()
            assert body["total"] == total
            seen += ids(body["items"])
            url = body["next"]
        assert seen == ids(whole["items"])
    timeline = items_of(two_sources, "/timeline", about="a-res-78-311", limit=500)
    assert timeline[-1]["date" if "date" in timeline[-1] else "since"] == "2024-07-03"
    second = two_sources.get("/sources/second-report").json()
    assert second["counts"]["Statement"] == 1 and second["counts"]["State"] == 1
    assert json.dumps(second)  # JSON-ready

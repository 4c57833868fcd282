"""``/sparql``: the SPARQL 1.1 Protocol against a real server, with real clients.

The protocol matrix (methods × query forms × answer formats), the protocol's bad requests,
updates and outbound requests refused, the dataset parameters, the service description, CORS,
the guard's limits, timeouts, the answer size cap, an engine crash survived, SPARQLWrapper and
rdflib's SPARQLStore, and every query of ``docs/sparql.md``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from api.negotiation import RDF_MEDIA_TYPES
from kg import guard
from kg.errors import QueryRefused
from conftest import ROOT, data_store, running_server

PK = "https://w3id.org/policykg/ontology#"
ID = "https://w3id.org/policykg/id/"
SOURCE_GRAPH = "https://w3id.org/policykg/graph/ap-2024-07-02-un-ai-resolutions"
META_GRAPH = "https://w3id.org/policykg/graph/meta"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
PROBLEM = "application/problem+json"
PREFIX = f"PREFIX pk: <{PK}>\n"

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"]
GRAPHS = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
FORMS = {
    "SELECT": PREFIX + "SELECT ?state WHERE { ?state a pk:State }",
    "ASK": PREFIX + "ASK { ?state a pk:State }",
    "CONSTRUCT": PREFIX + "CONSTRUCT WHERE { ?state a pk:State }",
    "DESCRIBE": f"DESCRIBE <{ID}actor/china>",
}
HEAVY = ("SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
         'FILTER(CONCAT(STR(?c), STR(?f), STR(?i)) = "never") }')


def send(url: str, query: str | None, method: str = "GET", *, accept: str | None = None,
         params: list[tuple[str, str]] | None = None, headers: dict[str, str] | None = None,
         **kwargs) -> httpx.Response:
    """One protocol request: GET, POST-form or POST-direct; ``params`` go to the URL (GET,
    POST-direct) or the form (POST-form)."""
    headers = {**(headers or {}), **({"Accept": accept} if accept else {})}
    extra = list(params or [])
    if method == "GET":
        return httpx.get(url + "/sparql", params=([("query", query)] if query else []) + extra,
                         headers=headers, **kwargs)
    if method == "POST-form":
        return httpx.post(url + "/sparql", data={"query": query, **_grouped(extra)}, headers=headers, **kwargs)
    assert method == "POST-direct"
    return httpx.post(url + "/sparql", params=extra, content=query.encode(),
                      headers={**headers, "Content-Type": "application/sparql-query"}, **kwargs)


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def rows(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def count(url: str, query: str = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", **kwargs) -> int:
    return int(rows(send(url, query, **kwargs))[0]["n"]["value"])


def assert_problem(response: httpx.Response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    for word in words:
        assert word.lower() in body["detail"].lower(), body["detail"]
    return body


# --- the protocol matrix -------------------------------------------------------------------------

MATRIX = [(method, form, accept)
          for method in ("GET", "POST-form", "POST-direct")
          for form in FORMS
          for accept in [None, *(RESULTS if form in ("SELECT", "ASK") else GRAPHS)]]


@pytest.mark.parametrize(("method", "form", "accept"), MATRIX)
def test_protocol_matrix(server, method, form, accept):
    response = send(server, FORMS[form], method, accept=accept)
    assert response.status_code == 200, response.text
    expected = accept or (RESULTS[0] if form in ("SELECT", "ASK") else GRAPHS[0])
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]
    states = {ID + "actor/china", ID + "actor/united-states"}
    if expected == "text/csv":  # lossy: pyoxigraph does not read it back
        lines = response.text.splitlines()
        assert lines == ["true"] if form == "ASK" else (lines[0] == "state" and set(lines[1:]) == states)
    elif form in ("SELECT", "ASK"):
        result = pyoxigraph.parse_query_results(response.content, pyoxigraph.QueryResultsFormat.from_media_type(expected))
        if form == "ASK":
            assert bool(result) is True
        else:
            assert {row["state"].value for row in result} == states
    else:
        triples = list(pyoxigraph.parse(response.content, pyoxigraph.RdfFormat.from_media_type(expected)))
        assert pyoxigraph.NamedNode(ID + "actor/china") in {t.subject for t in triples}


def test_the_offered_graph_formats_are_the_negotiation_helpers():
    assert GRAPHS == RDF_MEDIA_TYPES


@pytest.mark.parametrize(("form", "accept"), [("SELECT", "text/turtle"), ("ASK", "application/ld+json"),
                                              ("CONSTRUCT", "application/sparql-results+json"),
                                              ("DESCRIBE", "text/csv, text/html;q=0.5")])
def test_nothing_acceptable_is_406(server, form, accept):
    response = send(server, FORMS[form], accept=accept)
    assert_problem(response, 406, "available")


def test_accept_is_negotiated_by_quality(server):
    response = send(server, FORMS["SELECT"], accept="application/sparql-results+json;q=0.5, text/csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "state"


# --- errors and refusals -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_a_malformed_query_is_400_with_the_parsers_message(server, method):
    body = assert_problem(send(server, "SELECT * WHERE { ?s ?p }", method), 400, "error at 1:")
    assert body["type"].endswith("/query-error")


UPDATES = {
    "GET update=": lambda url: httpx.get(url + "/sparql", params={"update": "DROP ALL"}),
    "POST form update=": lambda url: httpx.post(url + "/sparql", data={"update": "DROP ALL"}),
    "POST sparql-update": lambda url: httpx.post(url + "/sparql", content=b"DROP ALL",
                                                 headers={"Content-Type": "application/sparql-update"}),
    "GET query=INSERT": lambda url: send(url, "INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> 1 } }"),
    "POST form query=DELETE": lambda url: send(url, "DELETE WHERE { ?s ?p ?o }", "POST-form"),
    "POST direct CLEAR": lambda url: send(url, "CLEAR ALL", "POST-direct"),
    "prefix then DROP": lambda url: send(url, PREFIX + "DROP GRAPH <" + SOURCE_GRAPH + ">", "POST-direct"),
}


@pytest.mark.parametrize("how", UPDATES)
def test_updates_are_refused_and_change_nothing(server, how, reliability):
    before = count(server)
    response = UPDATES[how](server)
    body = assert_problem(response, 400, "read-only")
    assert body["type"].endswith("/query-refused")
    assert count(server) == before
    assert send(server, "ASK { GRAPH ?g { <urn:x:s> ?p ?o } }").json()["boolean"] is False
    reliability.record("hostile query", "SPARQL Update through `/sparql`, in each form the protocol allows",
                       tried=1, lost="nothing", outcome="400 `query-refused`; the store unchanged")


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A loopback port nobody should connect to."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(5)
        sock.setblocking(False)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", sock


def _connected(sock: socket.socket) -> bool:
    try:
        connection, _ = sock.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


@pytest.mark.parametrize(("template", "word"), [
    ("SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE"),
    ("SELECT * WHERE {{ ?x ?y ?z . service silent <{url}> {{ ?s ?p ?o }} }}", "SERVICE"),
    ("LOAD <{url}>", "LOAD"),
    ("LOAD <{url}> INTO GRAPH <urn:x:g>", "LOAD"),
])
def test_service_and_load_are_refused_without_any_outbound_request(server, listener, template, word, reliability):
    url, sock = listener
    methods = ("GET", "POST-direct")
    for method in methods:
        body = assert_problem(send(server, template.format(url=url), method), 400, word)
        assert body["type"].endswith("/query-refused")
    assert not _connected(sock)
    reliability.record("hostile query", "`SERVICE` and `LOAD` to a listening loopback port", tried=len(methods),
                       lost="nothing", outcome="400 `query-refused`; nothing connected to the port")


def test_put_and_delete_are_405(server):
    for method in ("PUT", "DELETE", "PATCH"):
        response = httpx.request(method, server + "/sparql", content=b"ASK {}")
        assert_problem(response, 405, method)
        assert response.headers["allow"] == "GET, POST"


@pytest.mark.parametrize(("name", "request_args", "status"), [
    ("two queries by GET", {"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("two queries in a form", {"method": "POST", "content": b"query=ASK+%7B%7D&query=ASK+%7B%7D",
                               "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
    ("a query in the URL and the body", {"method": "POST", "params": {"query": "ASK {}"}, "content": b"ASK {}",
                                         "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ("POST without Content-Type", {"method": "POST", "content": b"ASK {}"}, 415),
    ("POST text/plain", {"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST multipart", {"method": "POST", "files": {"query": b"ASK {}"}}, 415),
    ("UTF-16 query", {"method": "POST", "content": "ASK {}".encode("utf-16"),
                      "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415),
    ("Latin-1 form", {"method": "POST", "content": b"query=ASK+%7B%7D",
                      "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"}}, 415),
    ("bytes that are not UTF-8", {"method": "POST", "content": b'ASK { ?s ?p "\xff" }',
                                  "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ("a form without a query", {"method": "POST", "content": b"default-graph-uri=urn%3Ax",
                                "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
    ("a graph that is not an IRI", {"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an IRI"}}, 400),
])
def test_the_protocols_bad_requests(server, name, request_args, status):
    args = dict(request_args)
    response = httpx.request(args.pop("method"), server + "/sparql", **args)
    assert_problem(response, status)


def test_percent_escapes_that_are_not_utf8_are_400(server):
    response = httpx.get(server + "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D")
    assert_problem(response, 400, "not UTF-8")


def test_utf8_charset_is_accepted(server):
    response = httpx.post(server + "/sparql", content="ASK { ?s ?p \"Fu Cong\"@en }".encode(),
                          headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    assert response.json()["boolean"] is True


# --- the dataset ---------------------------------------------------------------------------------


def test_graph_reaches_each_source_graph(server):
    query = PREFIX + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a pk:Statement } }"
    assert {row["g"]["value"] for row in rows(send(server, query))} == {SOURCE_GRAPH}
    graphs = {row["g"]["value"] for row in rows(send(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"))}
    assert graphs == {SOURCE_GRAPH, META_GRAPH}


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_default_graph_uri_restricts_the_default_graph(server, method):
    statements = PREFIX + "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a pk:Statement }"
    source_graphs = PREFIX + "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a pk:SourceGraph }"
    assert count(server, statements, method=method) > 10
    meta_only = [("default-graph-uri", META_GRAPH)]
    assert count(server, statements, method=method, params=meta_only) == 0
    assert count(server, source_graphs, method=method, params=meta_only) == 1
    source_only = [("default-graph-uri", SOURCE_GRAPH)]
    assert count(server, source_graphs, method=method, params=source_only) == 0
    both = meta_only + source_only
    assert count(server, statements, method=method, params=both) == count(server, statements, method=method)


def test_named_graph_uri_restricts_graph(server):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    only_meta = rows(send(server, query, params=[("named-graph-uri", META_GRAPH)]))
    assert [row["g"]["value"] for row in only_meta] == [META_GRAPH]
    # With a dataset given and no named graphs, GRAPH ?g matches nothing (SPARQL 1.1 Protocol §2.1.4).
    assert rows(send(server, query, params=[("default-graph-uri", META_GRAPH)])) == []


# --- the service description, CORS, OpenAPI ------------------------------------------------------


def test_get_without_a_query_is_the_service_description(server):
    response = httpx.get(server + "/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    endpoint = rdflib.URIRef(server + "/sparql")
    assert (endpoint, rdflib.RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    assert (endpoint, SD.defaultEntailmentRegime, rdflib.URIRef("http://www.w3.org/ns/entailment/Simple")) in graph
    formats = {str(o) for o in graph.objects(endpoint, SD.resultFormat)}
    assert len(formats) == 8 and "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    names = {str(o) for o in graph.objects(None, SD.name)}
    assert names == {SOURCE_GRAPH, META_GRAPH}
    default = graph.value(graph.value(endpoint, SD.defaultDataset), SD.defaultGraph)
    assert "union" in str(graph.value(default, rdflib.RDFS.comment))
    assert "10 s" in str(graph.value(endpoint, rdflib.RDFS.comment))


@pytest.mark.parametrize("accept", GRAPHS[1:])
def test_the_service_description_by_content_negotiation(server, accept):
    response = httpx.get(server + "/sparql", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    triples = {(q.subject.value, q.predicate.value, q.object.value)
               for q in pyoxigraph.parse(response.content, pyoxigraph.RdfFormat.from_media_type(accept))}
    assert (server + "/sparql", str(SD.feature), str(SD.UnionDefaultGraph)) in triples


def test_the_service_description_has_no_results_format(server):
    assert_problem(httpx.get(server + "/sparql", headers={"Accept": "application/sparql-results+json"}), 406)


def test_cors_preflight_and_answers(server):
    origin = "https://yasgui.triply.cc"
    preflight = httpx.options(server + "/sparql", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", origin)
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    for method in ("GET", "POST-form"):
        response = send(server, FORMS["ASK"], method, headers={"Origin": origin})
        assert response.headers["access-control-allow-origin"] in ("*", origin)


def test_openapi_documents_both_operations(server):
    spec = httpx.get(server + "/openapi.json").json()
    operations = spec["paths"]["/sparql"]
    assert operations["get"]["operationId"] == "sparql_get"
    assert operations["post"]["operationId"] == "sparql_post"
    assert {"application/sparql-query", "application/x-www-form-urlencoded"} <= set(
        operations["post"]["requestBody"]["content"])
    assert {p["name"] for p in operations["get"]["parameters"]} == {"query", "default-graph-uri", "named-graph-uri",
                                                                  "format"}


# --- the guard -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "refused"), [
    ("PREFIX service: <http://e/> SELECT * { ?s service:load ?o }", None),
    ("SELECT * { ?s <http://e/p> \"SERVICE LOAD DROP { { {\" } # INSERT { {", None),
    ("SELECT * { ?s <http://e/my#service> ?o . ?s ?p 'x'@en }", None),
    ("SELECT * { ?s ex:my-service ?o . _:b-drop ?p ?insert }", None),
    ("SELECT * { VALUES (?a ?b) { " + "(1 2) " * 3000 + "} }", None),
    ("SELECT * { ?s ?p ?o FILTER(?o IN (" + ", ".join(map(str, range(3000))) + ")) }", None),
    ("select * { service <http://e/> { } }", "SERVICE"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("SELECT * WHERE " + "{" * 101 + "}" * 101, "more than 100 deep"),
    ("SELECT * WHERE { BIND(" + "(" * 100 + "1" + ")" * 100 + " AS ?x) }", "more than 100 deep"),
    ("SELECT * WHERE { " + " . ".join(f"?s <http://e/p{i}> ?o{i}" for i in range(151)) + " }", "triple patterns"),
    ("SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * 151) + " ?o }", "triple patterns"),
    ("SELECT * WHERE { " + "OPTIONAL { ?s ?p ?o } " * 151 + "}", "triple patterns"),
    ("SELECT * WHERE { " + " ".join(f"BIND({i} AS ?x{i})" for i in range(251)) + " }", "operators"),
    ("SELECT * WHERE { BIND(" + "+".join(["1"] * 501) + " AS ?x) }", "operators"),
    ("SELECT * WHERE { ?s ?p <http://e/" + "x" * 1000 + "> }", "IRI of 1,009 characters"),
    ("SELECT * WHERE { BIND(COALESCE(?x<" + "(" * 100 + "1" + ")" * 100 + ",2>3) AS ?y) }", "deep"),
    ("SELECT * WHERE { ?s ?p \"" + "x" * guard.MAX_QUERY_BYTES + "\" }", "bytes long"),
])
def test_the_guard(query, refused):
    if refused is None:
        assert guard.check_query(query) == "SELECT"
    else:
        with pytest.raises(QueryRefused, match=re.escape(refused)):
            guard.check_query(query)


def test_every_named_query_passes_the_guard():
    from kg.queries import named_queries

    for name in named_queries():
        text = (ROOT / "kg" / "queries" / f"{name}.rq").read_text(encoding="utf-8")
        assert guard.check_query(text) in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"), name


@pytest.mark.parametrize(("query", "words"), [
    ("SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000, "more than 100 deep"),
    # Measured: 650 OPTIONALs in a row abort the engine; 700 MINUS likewise.
    ("SELECT * WHERE { " + "OPTIONAL { ?s ?p ?o } " * 700 + "}", "triple patterns"),
    ("SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p 1 } " * 700 + "}", "triple patterns"),
    ("SELECT * WHERE { BIND(" + "+".join(["1"] * 2000) + " AS ?x) }", "operators"),
    ("SELECT * WHERE { ?s ?p \"" + "x" * 150_000 + "\" }", "bytes long"),
])
def test_dangerous_queries_are_refused_and_the_server_keeps_answering(server, query, words, reliability):
    body = assert_problem(send(server, query, "POST-direct"), 400, words)
    assert body["type"].endswith("/query-refused")
    assert count(server) > 600
    reliability.record("hostile query", "queries that would abort the engine (5,000 deep, 700 `OPTIONAL` or "
                       "`MINUS`, 2,000 operators, 150 kB)", tried=1, lost="nothing",
                       outcome="400 `query-refused` saying which limit; the server answered on")


# --- timeouts, answer size, engine crash (a server of our own) -----------------------------------


@pytest.fixture(scope="module")
def fragile(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A server over an on-disk copy of the data with a 1 s timeout and a 20 kB answer cap."""
    location = data_store(tmp_path_factory.mktemp("fragile") / "store")
    with running_server(str(location), POLICYKG_QUERY_TIMEOUT="1", POLICYKG_MAX_RESULT="20000") as url:
        yield url, location


def _engine_pid(location: Path) -> int:
    """The pid of the ``oxigraph serve`` child that owns ``location``."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in argv and str(location).encode() in argv and Path(argv[0].decode()).name == "oxigraph":
            return int(proc.name)
    raise AssertionError(f"no engine process owns {location}")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _in_background(url: str, query: str) -> tuple[threading.Thread, dict]:
    answer: dict = {}

    def run() -> None:
        answer["response"] = send(url, query, timeout=30)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, answer


def _wait_until_busy(pid: int, thread: threading.Thread) -> None:
    """Until the engine has spent CPU on the query in flight (or the request has ended)."""
    start = _cpu_seconds(pid)
    while thread.is_alive() and _cpu_seconds(pid) < start + 0.1:
        time.sleep(0.01)


@pytest.mark.parametrize("query", [HEAVY, HEAVY.replace("SELECT ?a WHERE", "ASK")], ids=["select", "ask"])
def test_a_query_past_the_timeout_is_504_and_others_are_answered(fragile, query, reliability):
    url, location = fragile
    thread, answer = _in_background(url, query)
    _wait_until_busy(_engine_pid(location), thread)
    assert send(url, FORMS["ASK"]).json()["boolean"] is True  # answered while the heavy one runs
    thread.join()
    body = assert_problem(answer["response"], 504, "timeout")
    assert body["type"].endswith("/query-timeout")
    assert count(url) > 600
    reliability.record("hostile query", "a `SELECT` and an `ASK` past a 1 s timeout", tried=1, lost="nothing",
                       outcome="504 `query-timeout`, never a partial answer; an `ASK` sent meanwhile answered")


def test_an_answer_over_the_cap_is_refused_whole(fragile, reliability):
    url, _ = fragile
    body = assert_problem(send(url, "CONSTRUCT WHERE { ?s ?p ?o }"), 400, "result too large", "LIMIT")
    assert body["type"].endswith("/query-refused")
    assert len(rows(send(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 5"))) == 5
    reliability.record("hostile query", "a `CONSTRUCT` of everything past a 20 kB answer cap", tried=1,
                       lost="nothing", outcome="400 `query-refused` \"result too large\", never a cut answer")


def test_an_engine_crash_is_survived(fragile, reliability):
    url, location = fragile
    before = count(url)
    pid = _engine_pid(location)
    # A query in flight when the engine dies gets 503 with Retry-After.
    thread, answer = _in_background(url, HEAVY)
    _wait_until_busy(pid, thread)
    os.kill(pid, signal.SIGKILL)
    thread.join()
    assert_problem(answer["response"], 503, "engine")
    assert answer["response"].headers["retry-after"].isdigit()
    # The supervisor restarts the engine on the next request; the data on disk is all there.
    statuses = []
    for attempt in range(100):  # a new text each time: a kept answer would not reach the engine
        response = send(url, f"# attempt {attempt}\nSELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
        statuses.append(response.status_code)
        if response.status_code == 200:
            break
        assert response.status_code == 503, response.text
        time.sleep(0.1)
    assert statuses[-1] == 200, statuses
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == before
    assert _engine_pid(location) != pid
    reliability.record("fault", "SIGKILL to a server's engine during a query", tried=1, lost="nothing",
                       outcome=f"the query got 503 with `Retry-After`; the engine was restarted by the next "
                       f"requests, with all {before:,} quads")


# --- real clients --------------------------------------------------------------------------------


def test_sparqlwrapper_select_ask_and_post(server):
    client = SPARQLWrapper(server + "/sparql")
    client.setReturnFormat(JSON)
    client.setQuery(PREFIX + f"SELECT ?quote WHERE {{ ?s pk:speaker <{ID}actor/fu-cong> ; pk:quote ?quote }}")
    quotes = {b["quote"]["value"] for b in client.queryAndConvert()["results"]["bindings"]}
    assert "We are firmly opposed to these sanctions" in quotes
    client.setQuery(FORMS["ASK"])
    assert client.queryAndConvert()["boolean"] is True
    client.setMethod(POST)
    client.setQuery(FORMS["SELECT"])
    assert len(client.queryAndConvert()["results"]["bindings"]) == 2
    client.setRequestMethod(POSTDIRECTLY)
    assert len(client.queryAndConvert()["results"]["bindings"]) == 2


# SPARQLWrapper 2 builds a ConjunctiveGraph, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct_into_an_rdflib_graph(server):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(FORMS["CONSTRUCT"])
    graph = client.queryAndConvert()
    assert isinstance(graph, rdflib.Graph)
    assert set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(PK + "State"))) == {
        rdflib.URIRef(ID + "actor/china"), rdflib.URIRef(ID + "actor/united-states")}


def test_sparqlwrapper_sees_a_malformed_query(server):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        client.query()


def test_rdflib_sparqlstore(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(server + "/sparql"))
    labels = {str(row[0]) for row in graph.query(
        f"SELECT ?l WHERE {{ <{ID}actor/china> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")}
    assert labels == {"China"}
    assert graph.query(FORMS["ASK"]).askAnswer is True
    assert len(list(graph.query(FORMS["CONSTRUCT"]))) == 2
    china = rdflib.URIRef(ID + "actor/china")
    assert (china, rdflib.RDF.type, rdflib.URIRef(PK + "State")) in graph
    total = len(graph)
    # A graph with an identifier is queried with default-graph-uri: here, the meta graph alone.
    meta = rdflib.Graph(store=SPARQLStore(server + "/sparql"), identifier=rdflib.URIRef(META_GRAPH))
    assert 0 < len(meta) < total
    assert (china, None, None) not in meta


def test_rdflib_dataset_over_sparqlstore(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    dataset = rdflib.Dataset(store=SPARQLStore(server + "/sparql"), default_union=True)
    graphs = {str(row[0]) for row in dataset.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == {SOURCE_GRAPH, META_GRAPH}


# --- the cookbook --------------------------------------------------------------------------------

COOKBOOK = (ROOT / "docs" / "sparql.md").read_text(encoding="utf-8")
RECIPES = re.findall(r"```sparql\n(.*?)```\n+```sh\n(.*?)```", COOKBOOK, re.DOTALL)


def test_the_cookbook_has_the_research_questions():
    assert len(RECIPES) == COOKBOOK.count("```sparql") >= 9
    for query, curl in RECIPES:
        name = query.splitlines()[0].removeprefix("# ")
        assert name.endswith(".rq") and f"--data-binary @{name}" in curl
        assert curl.startswith("curl -s http://127.0.0.1:8000/sparql")
        prefixes = set(re.findall(r"PREFIX (\w+):", query))
        assert prefixes <= {"pk", "rdfs", "dcterms", "org", "skos"}, prefixes


@pytest.mark.parametrize("query", [q for q, _ in RECIPES], ids=[q.splitlines()[0][2:] for q, _ in RECIPES])
def test_every_cookbook_query_answers(server, query):
    response = send(server, query, "POST-direct")
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/turtle"):
        assert len(list(pyoxigraph.parse(response.content, pyoxigraph.RdfFormat.TURTLE))) > 100
    else:
        assert len(json.loads(response.content)["results"]["bindings"]) >= 1

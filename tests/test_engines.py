"""What differs between engines, and that policykg hides it (docs/decisions/0002-engine-differences.md).

Against the real engines: the embedded Oxigraph server, an Oxigraph server without a union
default graph, and a private Virtuoso (``benchmarks/virtuoso.py``).
"""

from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

import kg.store
from api.settings import Settings
from conftest import ROOT, running_server
from kg.engine import EngineConfig, find_oxigraph, parse_auth
from kg.errors import ConfigError, EngineError, QueryError, QueryTimeout, QueryTruncated
from kg import lookups
from kg.load import load_paths
from kg.queries import named_query
from kg.store import Store

DATA = ROOT / "data"
EX = "http://example.org/"
P = ox.NamedNode(EX + "p")

# The seven questions of the first article, with their parameters (tests/test_questions.py).
QUESTIONS = [
    ("statements_by_speaker", {"speaker": "fu-cong", "onBehalfOf": "china", "on": "2024-07-01"}),
    ("statements_by_speaker", {"speaker": "fu-cong"}),
    ("positions_on_target", {"target": "us-treasury-outbound-investment-rule", "stance": "opposes"}),
    ("resolutions_adopted", {"adoptedBy": "un-general-assembly", "about": "artificial-intelligence"}),
    ("statements_about", {"about": "a-res-78-311"}),
    ("spokespeople_of", {"onBehalfOf": "us-mission-to-the-un"}),
    ("spokespeople_of", {"onBehalfOf": "china"}),
    ("positions_by_holder", {"holder": "china"}),
    ("source_graph", {"source": "ap-2024-07-02-un-ai-resolutions"}),
]


def answers(store: Store) -> dict[str, object]:
    """Every question's answer, as comparable values (rows in order; graphs as sets)."""
    found: dict[str, object] = {}
    for name, params in QUESTIONS:
        query = named_query(name)
        bindings = query.substitutions(params, iris=store.iris, existing=store.existing)
        result = store.query(query.text_for(bindings), substitutions=bindings)
        key = f"{name} {sorted(params.items())}"
        if isinstance(result, ox.QueryTriples):
            found[key] = {str(t) for t in result if "recordedAt" not in str(t.predicate)}
        else:
            assert isinstance(result, ox.QuerySolutions)
            names = [v.value for v in result.variables]
            found[key] = [tuple(str(row[n]) for n in names) for row in result]
    return found


def quads(store: Store) -> set[ox.Quad]:
    return set(store)


def t(s: str, o: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(EX + s), P, ox.Literal(o))


# --------------------------------------------------------------------------- settings


def test_credentials_forms_and_files(tmp_path: Path) -> None:
    assert isinstance(parse_auth("basic:u:p:with:colons"), httpx.BasicAuth)
    assert isinstance(parse_auth("digest:u:p"), httpx.DigestAuth)
    assert parse_auth("bearer:tok") is not None and parse_auth("") is None and parse_auth(None) is None
    secret = tmp_path / "engine-auth"
    secret.write_text("digest:writer:s3cret-value\n")
    assert isinstance(parse_auth(f"@{secret}"), httpx.DigestAuth)
    for wrong in ("s3cret-value", "basic:s3cret-value", "ntlm:u:s3cret-value", "bearer:"):
        with pytest.raises(ConfigError) as caught:
            parse_auth(wrong)
        assert "s3cret" not in str(caught.value)
    with pytest.raises(ConfigError, match="cannot read"):
        parse_auth(f"@{tmp_path / 'missing'}")


def test_settings_open_an_engine_by_url_and_never_show_the_credentials(monkeypatch) -> None:
    monkeypatch.setenv("POLICYKG_STORE", "http://db.example.org:8890/sparql")
    monkeypatch.setenv("POLICYKG_UPDATE_URL", "http://db.example.org:8890/sparql-auth")
    monkeypatch.setenv("POLICYKG_ENGINE_AUTH", "digest:writer:s3cret-value")
    settings = Settings()
    config = settings.store_location
    assert config == EngineConfig("http://db.example.org:8890/sparql",
                                  update_url="http://db.example.org:8890/sparql-auth",
                                  auth="digest:writer:s3cret-value")
    assert "s3cret" not in repr(settings) and "s3cret" not in repr(config)
    endpoints = config.endpoints()
    assert endpoints.update_url.endswith("/sparql-auth") and endpoints.store_url is None
    assert Settings(store="var/store").store_location == "var/store"
    with pytest.raises(ConfigError, match="embedded engine"):
        Store(None, auth="basic:u:p")


# --------------------------------------------------------------------------- the same answers


@pytest.fixture(scope="module")
def both_answers(virtuoso_store: Store):  # type: ignore[no-untyped-def]
    """The questions' answers on each engine, and the stores' statistics, over the bundled data."""
    virtuoso_store.clear()
    load_paths([DATA], virtuoso_store)
    try:
        with Store(keep_history=False) as oxigraph:  # Virtuoso keeps no versions (docs/history.md)
            load_paths([DATA], oxigraph)
            yield ((answers(oxigraph), oxigraph.stats(), oxigraph.graphs()),
                   (answers(virtuoso_store), virtuoso_store.stats(), virtuoso_store.graphs()))
    finally:
        virtuoso_store.clear()


def unordered(found: dict[str, object]) -> dict[str, object]:
    """Rows as sorted lists: the engines order rows that tie on ORDER BY differently (the
    order each question promises is checked on both engines by tests/test_questions.py)."""
    return {key: sorted(value) if isinstance(value, list) else value for key, value in found.items()}


def test_the_first_articles_questions_give_identical_answers_on_both_engines(both_answers) -> None:  # type: ignore[no-untyped-def]
    (oxigraph, ox_stats, ox_graphs), (virtuoso, vt_stats, vt_graphs) = both_answers
    assert ox_stats == vt_stats and ox_graphs == vt_graphs
    assert all(oxigraph.values())
    assert unordered(oxigraph) == unordered(virtuoso)


def test_an_engine_with_a_real_default_graph_gives_the_same_answers(tmp_path: Path) -> None:
    """An Oxigraph server started without --union-default-graph: the store sends the dataset."""
    port = kg.engine.free_port()
    proc = subprocess.Popen([str(find_oxigraph()), "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/query"
        for _ in range(100):
            try:
                httpx.get(url, params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        with Store(url) as real, Store() as union:
            assert real.engine.profile.union_default_graph is None  # not known while empty
            load_paths([DATA], real)
            load_paths([DATA], union)
            assert answers(real) == answers(union)
            assert real.engine.profile.union_default_graph is False  # found out from the data
    finally:
        proc.terminate()
        proc.wait(10)


# --------------------------------------------------------------------------- Virtuoso, really


def test_virtuoso_is_recognised(virtuoso_store: Store, virtuoso) -> None:  # type: ignore[no-untyped-def]
    profile = virtuoso_store.engine.profile
    assert profile.name == "virtuoso" and profile.foreign_graphs and not profile.atomic_requests
    assert profile.max_rows == virtuoso.max_rows  # ResultSetMaxRows, found by a probe
    virtuoso_store.clear()
    assert virtuoso_store.graphs() == [] and len(virtuoso_store) == 0  # its system graphs are not ours


def test_virtuoso_does_not_apply_a_request_atomically(virtuoso_store: Store) -> None:
    """Why replacement is staged there: the operations before the failing one stay applied."""
    store = virtuoso_store
    store.clear()
    a = store.iris.graph("a")
    store.replace_source(a, [t("s", "old")], metadata=[])
    with pytest.raises(QueryError):
        store.update(f"DROP SILENT GRAPH <{a}> ;\nINSERT DATA {{ GRAPH <{a}> {{ <{EX}s> <{EX}p> 'new' }} }} ;\n"
                     f"CREATE GRAPH <{a}>")
    assert {q.object.value for q in store} == {"new"}


def test_a_replacement_failing_mid_way_leaves_the_old_graph_on_virtuoso(virtuoso_store: Store, monkeypatch) -> None:
    store = virtuoso_store
    store.clear()
    a, b = store.iris.graph("a"), store.iris.graph("b")
    store.replace_sources({a: ([t("s", "old a")], [ox.Triple(ox.NamedNode(a), P, ox.Literal("1"))]),
                           b: ([t("s", "old b")], [])})
    before = quads(store)
    real = kg.store.replace_requests

    def failing_after_the_writes(*args, **kwargs):  # type: ignore[no-untyped-def]
        stage, swap = real(*args, **kwargs)
        # Fails when executed, after the staged INSERT DATA has run (and been committed).
        return [f"{stage} ;\nCREATE GRAPH <{a}>", swap]

    monkeypatch.setattr(kg.store, "replace_requests", failing_after_the_writes)
    with pytest.raises(QueryError, match="contains triples already"):
        store.replace_sources({a: ([t("s", "new a")], []), b: ([t("s", "new b")], [])})
    assert quads(store) == before
    monkeypatch.undo()
    leftovers = store._rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                            f"FILTER(STRSTARTS(STR(?g), '{store.staging_base}')) }}")
    assert leftovers == []  # the staging graphs were dropped
    store.replace_sources({a: ([t("s", "new a")], []), b: ([], [])})  # and the real one works
    assert {(q.graph_name.value, q.object.value) for q in store} == {(a, "new a")}


def test_the_staged_replacement_also_works_on_oxigraph(store: Store) -> None:
    """The staged path is the same SPARQL on any engine: shown on Oxigraph, told it is not atomic."""
    from dataclasses import replace

    engine = store.engine
    saved = engine.profile
    engine._profile = replace(saved, atomic_requests=False)
    try:
        a = store.iris.graph("a")
        store.replace_source(a, [t("s", "old"), ox.Triple(ox.BlankNode(), P, ox.Literal("b"))],
                             metadata=[ox.Triple(ox.NamedNode(a), P, ox.Literal("1"))])
        store.replace_source(a, [t("s", "new")], metadata=[ox.Triple(ox.NamedNode(a), P, ox.Literal("2"))])
        assert {q.object.value for q in store} == {"new", "2"}
        assert store.graphs() == [a, store.iris.meta_graph]
    finally:
        engine._profile = saved


def test_an_update_without_the_rights_is_a_clear_engine_error(virtuoso) -> None:  # type: ignore[no-untyped-def]
    with Store(virtuoso.query_url) as anonymous:  # /sparql: read-only for the anonymous user
        with pytest.raises(EngineError, match="POLICYKG_ENGINE_AUTH") as caught:
            anonymous.replace_source(anonymous.iris.graph("a"), [t("s", "x")], metadata=[])
        assert "refused the update" in str(caught.value)
    wrong = "digest:policykg:not-the-s3cret"
    with Store(virtuoso.query_url, update_url=virtuoso.update_url, auth=wrong) as intruder:
        with pytest.raises(EngineError, match="refused") as caught:
            intruder.replace_source(intruder.iris.graph("a"), [t("s", "x")], metadata=[])
        assert "s3cret" not in str(caught.value)


def test_truncated_answers_raise_and_internal_reads_page_around_them(virtuoso_store: Store, virtuoso) -> None:  # type: ignore[no-untyped-def]
    store = virtuoso_store
    store.clear()
    size = virtuoso.max_rows + 234
    a = store.iris.graph("a")
    store.replace_source(a, [t(f"s{i}", f"o{i}") for i in range(size)], metadata=[])
    with pytest.raises(QueryTruncated, match="row limit") as caught:
        store.select("SELECT ?s WHERE { ?s ?p ?o }")
    assert caught.value.limit == virtuoso.max_rows
    with pytest.raises(QueryTruncated):
        b"".join(store.query_bytes("SELECT ?s WHERE { ?s ?p ?o }", media_type="text/csv"))
    with pytest.raises(QueryTruncated):  # Virtuoso cuts CONSTRUCT answers silently: counted
        store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert len(store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10")) == 10
    assert len(store) == size
    assert len(quads(store)) == size  # iteration pages with ORDER BY, LIMIT, OFFSET
    out = io.BytesIO()
    store.export(ox.RdfFormat.N_QUADS, out)
    assert len(set(ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS))) == size
    out = io.BytesIO()
    store.export(ox.RdfFormat.TURTLE, out, graph=a)
    assert len(list(ox.parse(out.getvalue(), ox.RdfFormat.TURTLE))) == size
    store.clear()


def test_virtuoso_stops_a_query_at_our_timeout_and_its_partial_answer_is_a_timeout(virtuoso_store: Store, virtuoso) -> None:  # type: ignore[no-untyped-def]
    """Virtuoso is asked to stop at the store's timeout; it answers 200 with a partial count
    and ``X-SQL-State: S1TAT`` (seen here: 10,188,000 of 729,000,000), which must not pass, or
    now and then 500 ``HY008 ... SR203: Async statement killed by SQLCancel``."""
    virtuoso_store.clear()
    a = virtuoso_store.iris.graph("a")
    virtuoso_store.replace_source(a, [t(f"s{i}", f"o{i % 50}") for i in range(900)], metadata=[])
    heavy = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{a}> {{ ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }} }}"
    try:
        with Store(virtuoso.query_url, query_timeout=4) as impatient:
            with pytest.raises(QueryTimeout, match="S1TAT|SR203"):  # the engine stopped it, and said so
                impatient.select(heavy)
            light = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{a}> {{ ?s ?p ?o }} }}"
            assert impatient.select(light)[0]["n"].value == "900"  # and the next query is whole
    finally:
        virtuoso_store.clear()


def test_virtuosos_other_word_for_a_stop_at_its_time_limit_is_a_timeout() -> None:
    """Now and then Virtuoso stops a query at its limit with a 500, not S1TAT: the text below is
    what it sent in a full run of the suite (the test above)."""
    from kg.engine import Endpoints, SparqlEngine
    said = ("Virtuoso HY008 Error SR203: Async statement killed by SQLCancel.\n\n"
            "SPARQL query:\nSELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }")
    engine = SparqlEngine(Endpoints("http://127.0.0.1:9/sparql"), timeout=4)
    try:
        stopped = engine._status_error(httpx.Response(500, text=said), "query")
        assert isinstance(stopped, QueryTimeout) and "SR203" in str(stopped)
        assert "SPARQL query:" not in str(stopped)  # the echoed query is left out
        syntax = engine._status_error(httpx.Response(400, text="Virtuoso 37000 Error SP030: syntax"), "query")
        assert type(syntax) is QueryError
    finally:
        engine.close()


def test_the_api_serves_from_virtuoso(virtuoso, virtuoso_store: Store) -> None:  # type: ignore[no-untyped-def]
    virtuoso_store.clear()
    load_paths([DATA], virtuoso_store)
    try:
        with running_server(virtuoso.query_url, POLICYKG_UPDATE_URL=virtuoso.update_url,
                            POLICYKG_ENGINE_AUTH=virtuoso.auth) as url:
            actors = httpx.get(url + "/actors", params={"q": "china"}, headers={"Accept": "application/json"},
                               timeout=20)
            assert actors.status_code == 200, actors.text
            assert "etag" not in actors.headers  # others may write to this engine: nothing kept
            assert "https://w3id.org/policykg/id/actor/china" in actors.text
            china = httpx.get(url + "/id/actor/china", headers={"Accept": "text/turtle"}, timeout=20)
            assert china.status_code == 200 and "China" in china.text
            answer = httpx.get(url + "/sparql", timeout=20, params={
                "query": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                headers={"Accept": "text/csv"})
            assert answer.status_code == 200, answer.text
            assert answer.text.splitlines()[1].strip() == str(len(virtuoso_store.graphs()))  # ours only
            # Every triple twice over (more than the row limit): Virtuoso would cut it silently.
            doubled = "CONSTRUCT { ?s ?p ?o . ?s <urn:policykg:test:again> ?o } WHERE { ?s ?p ?o }"
            cut = httpx.get(url + "/sparql", params={"query": doubled}, headers={"Accept": "text/turtle"},
                            timeout=20)
            assert cut.status_code == 400 and "row limit" in cut.text, cut.text
            whole = httpx.get(url + "/sparql", headers={"Accept": "text/turtle"}, timeout=20, params={
                "query": "CONSTRUCT WHERE { ?s a <https://w3id.org/policykg/ontology#Statement> }"})
            assert whole.status_code == 200 and whole.headers["content-type"].startswith("text/turtle")
            assert len(list(ox.parse(whole.content, ox.RdfFormat.TURTLE))) == 20
    finally:
        virtuoso_store.clear()


LOOKUPS = {
    "statements": lambda st: lookups.list_statements(st, speaker="fu-cong"),
    "actor": lambda st: lookups.get_actor(st, "fu-cong"),
    "actor_statements": lambda st: lookups.actor_statements(st, "china"),
    "positions": lambda st: lookups.list_positions(st, holder="china"),
    "resolutions": lambda st: lookups.list_resolutions(st),
    "resolution": lambda st: lookups.get_resolution(st, "a-res-78-311"),
    "sources": lambda st: lookups.list_sources(st),
    "source": lambda st: lookups.get_source(st, "ap-2024-07-02-un-ai-resolutions"),
    "timeline": lambda st: lookups.timeline(st, about="a-res-78-311"),
    "search": lambda st: lookups.search_actors(st, "chin"),
    "curated": lambda st: lookups.list_statements(st, curation=lookups.Curation(
        status=("draft", "disputed"), min_confidence=0.2, include_retracted=True)),
    "corroborated": lambda st: lookups.get_statement(st, "9e23eafbad935b76"),
}


def test_the_rest_lookups_list_the_same_items_in_the_same_order_on_both_engines(virtuoso_store: Store) -> None:
    """Regression: Virtuoso refuses ORDER BY on an aggregate's alias (SP031); the queries sort
    by the aggregate expressions themselves."""
    tracking = ROOT / "tests" / "fixtures" / "tracking"  # corrections, reports, a syndicated copy
    virtuoso_store.clear()
    load_paths([DATA, tracking], virtuoso_store)
    try:
        with Store() as oxigraph:
            load_paths([DATA, tracking], oxigraph)
            for name, lookup in LOOKUPS.items():
                on_virtuoso, on_oxigraph = lookup(virtuoso_store), lookup(oxigraph)
                if "items" in on_oxigraph:
                    assert [i["id"] for i in on_virtuoso["items"]] == [i["id"] for i in on_oxigraph["items"]], name
                    assert on_virtuoso["total"] == on_oxigraph["total"], name
                else:
                    assert on_virtuoso["id"] == on_oxigraph["id"] and set(on_virtuoso) == set(on_oxigraph), name
            assert LOOKUPS["corroborated"](virtuoso_store)["reports"] == LOOKUPS["corroborated"](oxigraph)["reports"]
    finally:
        virtuoso_store.clear()


def test_a_load_over_virtuosos_request_limit_is_staged_in_pieces(virtuoso_store: Store) -> None:
    """Virtuoso refuses an update over 10 MB, and its SPARQL compiler gives up on a few thousand
    triples in one INSERT DATA: the staging goes in pieces (here forced small), the swap once."""
    store = virtuoso_store
    store.clear()
    limit = store.engine.profile.max_update_bytes
    store.engine.learn(max_update_bytes=2_000)
    try:
        a, b = store.iris.graph("a"), store.iris.graph("b")
        store.replace_sources({a: ([t(f"s{i}", f"o{i}") for i in range(300)], []),
                               b: ([t(f"x{i}", f"y{i}") for i in range(40)], [])})
        assert len(store) == 340 and set(store.graphs()) == {a, b}
        left = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                            f"FILTER(STRSTARTS(STR(?g), {ox.Literal(store.staging_base)})) }}")
        assert left == []  # every staging graph moved in
    finally:
        store.engine.learn(max_update_bytes=limit)
        store.clear()


def test_a_refused_update_is_reported_without_the_request_echoed(virtuoso_store: Store) -> None:
    big = "INSERT DATA { " + " ".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(2000)) + " <x> }"
    with pytest.raises(QueryError) as caught:
        virtuoso_store.update(big)
    message = str(caught.value)
    assert "SP030" in message and "<http://e/s0>" not in message and len(message) < 1100


def test_a_load_over_oxigraphs_request_limit_is_staged_and_swapped_at_once(store: Store) -> None:
    """Oxigraph refuses a SPARQL body over 128 MiB: a larger load is staged in pieces and swapped
    in with one request (here with the limit forced small); the old graph stays until the swap."""
    engine = store.engine
    limit = engine.profile.max_update_bytes
    assert limit is not None and limit < 128 * 2**20
    a, b = store.iris.graph("a"), store.iris.graph("b")
    store.replace_source(a, [t("s", "old")], metadata=[])
    engine.learn(max_update_bytes=2_000)
    try:
        writes: list[str] = []
        real = engine.update
        engine.update = lambda sparql: (writes.append(sparql), real(sparql))[1]  # type: ignore[method-assign]
        store.replace_sources({a: ([t(f"s{i}", f"o{i}") for i in range(200)], []),
                               b: ([t(f"x{i}", f"y{i}") for i in range(20)], [])})
        assert len(writes) > 3 and "MOVE" in writes[-1] and all("MOVE" not in w for w in writes[:-1])
        assert len(store) == 220 and set(store.graphs()) == {a, b}
    finally:
        del engine.update
        engine.learn(max_update_bytes=limit)


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_the_integrity_check_on_each_engine(engine: str, request) -> None:  # type: ignore[no-untyped-def]
    """`verify` finds a graph at odds with its record, a record without its graph, and (on an
    engine given by URL, where another process may be loading) a staging graph, which it
    reports but does not drop."""
    from kg.integrity import check_store

    store = request.getfixturevalue("store" if engine == "oxigraph" else "virtuoso_store")
    store.clear()
    load_paths([DATA], store)
    assert check_store(store).ok and check_store(store).sources == 1
    graph = ox.NamedNode(store.iris.graph("ap-2024-07-02-un-ai-resolutions"))
    ghost = ox.NamedNode(store.iris.graph("ghost"))
    staged = ox.NamedNode(store.staging_base + "0/0")
    meta = ox.NamedNode(store.iris.meta_graph)
    count = ox.NamedNode("https://w3id.org/policykg/ontology#tripleCount")
    store.update(f"INSERT DATA {{ GRAPH {graph} {{ {graph} {P} 1 }} "
                 f"GRAPH {meta} {{ {ghost} {count} 5 }} GRAPH {staged} {{ {staged} {P} 1 }} }}")
    found = check_store(store).problems
    assert found[0].startswith(f"{staged.value}: a staging graph")
    assert f"{ghost.value}: the meta graph records 5 triples, but the store has no such graph" in found
    assert f"{graph.value}: holds 726 triples; its record in the meta graph says 725" in found
    assert len(found) == 3
    store.clear()


def test_a_backup_of_an_engine_read_by_pages_is_refused(virtuoso_store: Store, tmp_path: Path) -> None:
    from kg.backup import backup_store

    with pytest.raises(ConfigError, match="gives no whole dataset in one read"):
        backup_store(virtuoso_store, tmp_path / "b.nq")
    assert not list(tmp_path.iterdir())

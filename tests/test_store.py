"""kg.store and kg.engine against the real engines: the embedded Oxigraph server (a child
process) and, for the tests taking ``store``, a private Virtuoso too (``benchmarks/virtuoso.py``)."""

from __future__ import annotations

import io
import os
import signal
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.engine
from kg.errors import ConfigError, EngineError, NotFound, QueryError, StoreLocked
from kg.store import Store, bind, replace_requests, replace_update

EX = "http://example.org/"
P = ox.NamedNode(EX + "p")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_TIME = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def t(s: str, o: ox.NamedNode | ox.Literal, p: ox.NamedNode = P) -> ox.Triple:
    return ox.Triple(n(s), p, o)


def recorded(graph: str, when: str) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(graph), PROV_TIME, ox.Literal(when))]


def quads(store: Store) -> set[ox.Quad]:
    return set(store)


def gone(pid: int, within: float = 5.0) -> bool:
    """No process ``pid`` exists any more (a zombie still counts as existing)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def died(server: kg.engine.OxigraphServer, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while server.running:  # polling reaps the killed child
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def store(store_on_each_engine: Store) -> Store:
    """Each engine's emptied session store in turn (tests/conftest.py)."""
    return store_on_each_engine


def only_on(store: Store, engine: str, why: str) -> None:
    if store.engine.profile.name != engine:
        pytest.skip(f"{engine} only: {why}")


HEAVY = "SELECT * WHERE { " + " . ".join(f"?a{i} <{EX}q> ?x{i}" for i in range(6)) + " }"


def load_heavy(store: Store) -> None:
    store.replace_source(
        store.iris.graph("heavy"),
        [ox.Triple(n(f"h{i}"), n("q"), ox.Literal(i)) for i in range(40)],
        metadata=[],
    )


# --------------------------------------------------------------------------- writing


def test_replace_source_writes_graph_and_metadata(store: Store) -> None:
    g = store.iris.graph("a")
    store.replace_source(g, [t("s", ox.Literal("one"))], metadata=recorded(g, "2024-07-02"))
    assert quads(store) == {
        ox.Quad(n("s"), P, ox.Literal("one"), ox.NamedNode(g)),
        ox.Quad(ox.NamedNode(g), PROV_TIME, ox.Literal("2024-07-02"), ox.NamedNode(store.iris.meta_graph)),
    }


def test_replacing_a_graph_twice_leaves_only_the_new_content(store: Store) -> None:
    a, b = store.iris.graph("a"), store.iris.graph("b")
    store.replace_source(b, [t("other", ox.Literal("kept"))], metadata=recorded(b, "b"))
    store.replace_source(a, [t("s", ox.Literal("old")), t("gone", ox.Literal("x"))], metadata=recorded(a, "1"))
    store.replace_source(a, [t("s", ox.Literal("new"))], metadata=recorded(a, "2"))
    meta = ox.NamedNode(store.iris.meta_graph)
    assert quads(store) == {
        ox.Quad(n("s"), P, ox.Literal("new"), ox.NamedNode(a)),
        ox.Quad(n("other"), P, ox.Literal("kept"), ox.NamedNode(b)),
        ox.Quad(ox.NamedNode(a), PROV_TIME, ox.Literal("2"), meta),
        ox.Quad(ox.NamedNode(b), PROV_TIME, ox.Literal("b"), meta),
    }


def test_only_graphs_that_hold_triples_are_dropped() -> None:
    # An exclusive store says which graphs hold triples: only those are dropped before the
    # INSERT DATA (Oxigraph writes twice as fast without the others' DROP).
    a, b = "http://ex.org/a", "http://ex.org/b"
    sources = {a: ([ox.Triple(ox.NamedNode(a + "#s"), P, ox.Literal("x"))], []), b: ([], [])}
    every = replace_requests(sources, meta_graph="http://ex.org/m")[0]
    assert every.count("DROP SILENT GRAPH") == 2
    (update,) = replace_requests(sources, meta_graph="http://ex.org/m", present={b})
    assert update.count("DROP SILENT GRAPH") == 1 and f"DROP SILENT GRAPH <{b}>" in update


def test_a_request_whose_last_operation_fails_changes_nothing(store: Store) -> None:
    if not store.engine.profile.atomic_requests:
        pytest.skip("this engine commits each operation of a request on its own: "
                    "tests/test_engines.py shows it and tests the staged replacement used there")
    a = store.iris.graph("a")
    store.replace_source(a, [t("s", ox.Literal("old"))], metadata=recorded(a, "1"))
    before = quads(store)
    # The exact request replace_source sends, then an operation that fails when executed
    # (CREATE GRAPH of a graph that exists), after DROP, DELETE and INSERT have run.
    update = replace_update({a: ([t("s", ox.Literal("new"))], recorded(a, "2"))}, meta_graph=store.iris.meta_graph)
    with pytest.raises(QueryError, match="already exists"):
        store.update(f"{update} ;\nCREATE GRAPH <{a}>")
    assert quads(store) == before


def test_bad_input_to_replace_sources_changes_nothing(store: Store) -> None:
    a, b = store.iris.graph("a"), store.iris.graph("b")
    store.replace_source(a, [t("s", ox.Literal("old"))], metadata=recorded(a, "1"))
    before = quads(store)

    def failing():
        yield t("s", ox.Literal("new"))
        raise ValueError("the entry file broke half way")

    with pytest.raises(ValueError, match="half way"):
        store.replace_sources({b: ([t("b", ox.Literal("b"))], []), a: (failing(), [])})
    with pytest.raises(ConfigError, match="subject is the graph it describes"):
        store.replace_source(a, [t("s", ox.Literal("new"))], metadata=recorded(b, "wrong subject"))
    with pytest.raises(ConfigError, match="language datatype"):
        bad = ox.Literal("x", datatype=ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"))
        store.replace_source(a, [t("s", bad)], metadata=[])
    with pytest.raises(ConfigError, match="meta graph"):
        store.replace_source(store.iris.meta_graph, [t("s", ox.Literal("x"))], metadata=[])
    assert quads(store) == before


def test_replace_sources_is_one_batch_and_shares_blank_nodes(store: Store) -> None:
    a, b = store.iris.graph("a"), store.iris.graph("b")
    shared = ox.BlankNode()
    seen: list[tuple[int, int]] = []
    if store.engine.profile.name == "virtuoso":  # it cannot: an error, and nothing changed
        with pytest.raises(QueryError, match="string_output_string"):
            store.replace_sources({a: ([ox.Triple(shared, P, ox.Literal("in a"))], []),
                                   b: ([ox.Triple(shared, P, ox.Literal("in b"))], [])})
        assert quads(store) == set()
        return
    store.replace_sources(
        {
            a: ([ox.Triple(shared, P, ox.Literal("in a"))], recorded(a, "1")),
            b: ([ox.Triple(shared, P, ox.Literal("in b"))], recorded(b, "1")),
        },
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (4, 4)
    rows = store.select("SELECT ?x WHERE { GRAPH ?g1 { ?x ?p 'in a' } GRAPH ?g2 { ?x ?p 'in b' } }")
    assert len(rows) == 1 and isinstance(rows[0]["x"], ox.BlankNode)
    assert store.graphs() == sorted([a, b, store.iris.meta_graph])


def test_source_checksums_are_read_from_the_meta_graph(store: Store) -> None:
    a, b = store.iris.graph("a"), store.iris.graph("b")
    checksum = ox.NamedNode("https://w3id.org/policykg/ontology#checksum")
    store.replace_sources(
        {
            a: ([t("s", ox.Literal("o"))], [ox.Triple(ox.NamedNode(a), checksum, ox.Literal("sha256:aa"))]),
            b: ([t("s", ox.Literal("o"))], recorded(b, "no checksum")),
        }
    )
    assert store.source_checksums() == {a: "sha256:aa"}


def test_rdf_12_triple_terms_are_written(store: Store) -> None:
    a = store.iris.graph("a")
    quoted = ox.Triple(n("china"), n("opposes"), n("rule"))
    if store.engine.profile.name == "virtuoso":  # Virtuoso 7.2 has no RDF 1.2: refused whole
        with pytest.raises(QueryError, match="syntax error"):
            store.replace_source(a, [ox.Triple(n("statement"), n("asserts"), quoted)], metadata=[])
        assert quads(store) == set()
        return
    store.replace_source(a, [ox.Triple(n("statement"), n("asserts"), quoted)], metadata=[])
    assert ox.Quad(n("statement"), n("asserts"), quoted, ox.NamedNode(a)) in store


# --------------------------------------------------------------------------- reading


def test_the_default_graph_is_the_union_and_graph_reaches_each_graph(store: Store) -> None:
    a, b = store.iris.graph("a"), store.iris.graph("b")
    store.replace_sources({a: ([t("s", ox.Literal("from a"))], []), b: ([t("s", ox.Literal("from b"))], [])})
    rows = store.select("SELECT ?o WHERE { ?s ?p ?o }", substitutions={"s": n("s")})
    assert {row["o"].value for row in rows} == {"from a", "from b"}
    rows = store.select("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert {(row["g"].value, row["o"].value) for row in rows} == {(a, "from a"), (b, "from b")}


def test_query_returns_pyoxigraph_objects(store: Store) -> None:
    a = store.iris.graph("a")
    store.replace_source(a, [t("s", ox.Literal("o"))], metadata=[])
    solutions = store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert isinstance(solutions, ox.QuerySolutions)
    assert [v.value for v in solutions.variables] == ["s"] and [s["s"] for s in solutions] == [n("s")]
    assert isinstance(store.query("ASK { ?s ?p ?o }"), ox.QueryBoolean)
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(triples, ox.QueryTriples) and list(triples) == [t("s", ox.Literal("o"))]


@pytest.mark.parametrize(
    "value",
    [
        ox.Literal('he said "no"'),
        ox.Literal("line one\nline two\r\n\ttabbed"),
        ox.Literal("人工智能 — Fu Cong 傅聪 😀", language="zh"),
        ox.Literal("back\\slash \\u0022 \\n"),
        ox.Literal("'''triple''' \"\"\"quotes\"\"\""),
        ox.Literal("2024-07-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        ox.Literal(140),
        ox.NamedNode("https://w3id.org/policykg/id/actor/fu-cong"),
        ox.NamedNode("http://example.org/é?q=1#frag"),
    ],
)
def test_substitutions_bind_values_exactly(store: Store, value: ox.Literal | ox.NamedNode) -> None:
    a = store.iris.graph("a")
    store.replace_source(a, [t("s", value), t("other", ox.Literal("decoy"))], metadata=[])
    assert store.select("SELECT ?v WHERE {}", substitutions={"v": value}) == [{"v": value}]
    rows = store.select("SELECT ?s WHERE { ?s ?p ?v }", substitutions={"v": value})
    assert rows == [{"s": n("s")}]


@pytest.mark.parametrize(
    "attack",
    [
        'x" } ; DROP ALL ; #',
        '"} UNION { ?s ?p ?o } #',
        "x\" . } } VALUES ?v { 'y' } #",
        "\\\" } #",
    ],
)
def test_an_injection_attempt_stays_a_literal(store: Store, attack: str) -> None:
    a = store.iris.graph("a")
    store.replace_source(a, [t("s", ox.Literal("secret"))], metadata=[])
    before = quads(store)
    assert store.select("SELECT ?s WHERE { ?s ?p ?v }", substitutions={"v": ox.Literal(attack)}) == []
    assert store.select("SELECT ?v WHERE {}", substitutions={"v": ox.Literal(attack)}) == [{"v": ox.Literal(attack)}]
    assert quads(store) == before


def test_bind_refuses_what_it_cannot_write_safely() -> None:
    with pytest.raises(ConfigError, match="variable name"):
        bind("SELECT * {}", {"a b": ox.Literal("x")})
    with pytest.raises(ConfigError, match="variable name"):
        bind("SELECT * {}", {"x) {} } DROP ALL #": ox.Literal("x")})
    with pytest.raises(ConfigError, match="blank node"):
        bind("SELECT * {}", {"x": ox.BlankNode()})
    with pytest.raises(ConfigError, match="Literal"):
        bind("SELECT * {}", {"x": "plain text"})  # type: ignore[dict-item]
    assert bind("SELECT * { } # a comment { }", {"?x": ox.Literal(1), ox.Variable("y"): n("y")}) == (
        'SELECT * { VALUES (?x ?y) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer> '
        "<http://example.org/y>) }\n } # a comment { }"
    )


def test_bound_values_are_seen_by_filters_and_grouping(store: Store) -> None:
    a = store.iris.graph("a")
    store.replace_source(a, [t("s", ox.Literal(1)), t("s", ox.Literal(2)), t("r", ox.Literal(3))], metadata=[])
    optional_filter = "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(!BOUND(?min) || ?o >= ?min) }"
    assert len(store.select(optional_filter)) == 3
    assert store.select(optional_filter, substitutions={"min": ox.Literal(3)}) == [
        {"s": n("r"), "o": ox.Literal(3)}
    ]
    grouped = "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s"
    assert store.select(grouped, substitutions={"s": n("s")}) == [{"s": n("s"), "n": ox.Literal(2)}]


def test_existing_and_context_of(store: Store) -> None:
    a, b = store.iris.graph("a"), store.iris.graph("b")
    store.replace_sources({a: ([t("x", ox.Literal("in a"))], []), b: ([t("x", ox.Literal("in b")), t("y", n("x"))], [])})
    assert store.existing([EX + "x", EX + "y", EX + "z"]) == {EX + "x", EX + "y"}
    assert store.existing([]) == set()
    assert store.existing([EX + "x", EX + "y"], exclude_graphs=[b]) == {EX + "x"}
    assert set(store.context_of([EX + "x"])) == {t("x", ox.Literal("in a")), t("x", ox.Literal("in b"))}
    assert store.context_of([EX + "x"], exclude_graphs=[a]) == [t("x", ox.Literal("in b"))]

    with pytest.raises(ConfigError):
        store.existing(["not an IRI"])


def test_a_long_query_is_sent_as_a_form_post(store: Store) -> None:
    a = store.iris.graph("a")
    store.replace_source(a, [t(f"s{i}", ox.Literal(i)) for i in range(300)], metadata=[])
    iris = [EX + f"s{i}" for i in range(0, 600, 2)]
    assert len(" ".join(iris)) > kg.engine.GET_URL_LIMIT
    assert len(store.existing(iris)) == 150


def test_syntax_error_carries_the_parser_message(store: Store) -> None:
    with pytest.raises(QueryError, match=r"error at 1:\d+|line 1: syntax error"):
        store.query("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryError, match=r"error at 1:\d+|syntax error"):
        store.update("INSERT DATA {")


def test_an_error_inside_a_200_answer_is_an_error_not_a_result(store: Store) -> None:
    # Oxigraph sends the header, then evaluates SERVICE, then appends its error to the body.
    only_on(store, "oxigraph", "its way of reporting an error after the 200 header")
    failing = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryError, match="port 1 is not allowed"):
        store.query(failing)
    for media_type in ("text/csv", "application/sparql-results+json", "application/sparql-results+xml"):
        received = []
        with pytest.raises(QueryError, match="port 1 is not allowed"):
            for chunk in store.query_bytes(failing, media_type=media_type):
                received.append(chunk)
        assert b"port 1" not in b"".join(received)


def test_a_timeout_raises_and_returns_nothing_partial() -> None:
    with Store(query_timeout=0.5, keep_history=False) as store:
        load_heavy(store)
        started = time.monotonic()
        with pytest.raises(QueryError, match=r"query stopped after 0.5 s \(timeout\)"):
            store.query(HEAVY)
        received = []
        with pytest.raises(QueryError, match="timeout"):
            for chunk in store.query_bytes(HEAVY, media_type="text/csv"):
                received.append(chunk)
        body = b"".join(received)
        assert body.endswith(b"\r\n") and b"cancelled" not in body  # whole records only, then the error
        with pytest.raises(QueryError, match="timeout"):
            store.query("SELECT (COUNT(*) AS ?n) WHERE { " + HEAVY[len("SELECT * WHERE { "):])
        assert time.monotonic() - started < 8
        assert len(store) == 40  # the engine is still there


def test_query_bytes_streams_the_engines_serialisation(store: Store) -> None:
    only_on(store, "oxigraph", "the bytes compared are Oxigraph's own serialisation")
    a = store.iris.graph("a")
    store.replace_source(a, [t("s", ox.Literal("o"))], metadata=[])
    tsv = b"".join(store.query_bytes("SELECT ?s ?o WHERE { ?s ?p ?o }", media_type="text/tab-separated-values"))
    assert tsv == b'?s\t?o\n<http://example.org/s>\t"o"\n'
    ttl = b"".join(store.query_bytes("CONSTRUCT WHERE { ?s ?p ?o }", media_type="text/turtle"))
    assert list(ox.parse(ttl, ox.RdfFormat.TURTLE)) == [ox.Quad(n("s"), P, ox.Literal("o"))]
    assert b"".join(store.query_bytes("ASK {}", media_type="text/csv")) == b"true"
    with pytest.raises(QueryError):
        store.query_bytes("CONSTRUCT WHERE { ?s ?p ?o }", media_type="text/csv")


# --------------------------------------------------------------------------- container, export, stats


def test_len_contains_iter(store: Store) -> None:
    a = store.iris.graph("a")
    blank = ox.BlankNode()
    triples = [t("s", ox.Literal("o")), t("s", n("o")), ox.Triple(blank, P, ox.Literal("b"))]
    store.replace_source(a, triples, metadata=recorded(a, "1"))
    assert len(store) == 4
    stored = list(store)
    assert len(stored) == 4 and all(isinstance(q, ox.Quad) for q in stored)
    for quad in stored:  # blank nodes come back with the engine's labels, which it recognises
        assert quad in store
    assert ox.Quad(n("s"), P, ox.Literal("o"), ox.NamedNode(a)) in store
    assert ox.Quad(n("s"), P, ox.Literal("o"), ox.NamedNode(store.iris.graph("b"))) not in store
    assert ox.Quad(n("s"), P, ox.Literal("o")) not in store  # the default graph holds nothing
    assert ox.Quad(ox.BlankNode(), P, ox.Literal("b"), ox.NamedNode(a)) not in store
    assert "not a quad" not in store


def test_export_round_trips(store: Store) -> None:
    a, b = store.iris.graph("a"), store.iris.graph("b")
    store.replace_sources(
        {
            a: ([t("s", ox.Literal("multi\nline \"quoted\"", language="en")), t("s", n("o"))], recorded(a, "1")),
            b: ([ox.Triple(ox.BlankNode(), P, ox.Literal(3))], recorded(b, "2")),
        }
    )
    everything = quads(store)
    for fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        out = io.BytesIO()
        store.export(fmt, out)
        assert set(ox.parse(out.getvalue(), fmt)) == everything
    out = io.BytesIO()
    store.export(ox.RdfFormat.TURTLE, out, graph=a)
    assert {ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(a)) for q in ox.parse(out.getvalue(), ox.RdfFormat.TURTLE)} == {
        q for q in everything if q.graph_name == ox.NamedNode(a)
    }
    out = io.BytesIO()
    store.export(ox.RdfFormat.N_QUADS, out, graph=a)  # one graph in a dataset format keeps its name
    assert set(ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS)) == {q for q in everything if q.graph_name == ox.NamedNode(a)}
    out = io.BytesIO()  # the whole store in a format without graphs: the union of the sources
    store.export(ox.RdfFormat.N_TRIPLES, out)
    meta = ox.NamedNode(store.iris.meta_graph)
    assert set(ox.parse(out.getvalue(), ox.RdfFormat.N_TRIPLES)) == {
        ox.Quad(q.subject, q.predicate, q.object) for q in everything if q.graph_name != meta
    }
    with pytest.raises(NotFound):
        store.export(ox.RdfFormat.TURTLE, io.BytesIO(), graph=store.iris.graph("missing"))


def test_an_export_the_engine_cannot_finish_raises(store: Store) -> None:
    # Oxigraph's JSON-LD writer fails on an RDF 1.2 triple term after the 200 header was sent.
    only_on(store, "oxigraph", "RDF 1.2 triple terms and Oxigraph's JSON-LD writer")
    a = store.iris.graph("a")
    store.replace_source(a, [t("s", ox.Literal("o")), ox.Triple(n("x"), P, t("s", ox.Literal("o")))], metadata=[])
    out = io.BytesIO()
    with pytest.raises(QueryError, match="JSON-LD"):
        store.export(ox.RdfFormat.JSON_LD, out)
    assert b"does not support" not in out.getvalue()


def test_stats(store: Store) -> None:
    a, b = store.iris.graph("a"), store.iris.graph("b")
    person, state = n("Person"), n("State")
    store.replace_sources(
        {
            a: (
                [t("fu", person, RDF_TYPE), t("china", state, RDF_TYPE), t("fu", ox.Literal("Fu Cong"), LABEL)],
                [ox.Triple(ox.NamedNode(a), RDF_TYPE, n("Graph"))],
            ),
            b: ([t("fu", person, RDF_TYPE), t("us", state, RDF_TYPE)], []),
        }
    )
    assert store.stats() == {"quads": 6, "graphs": 2, "classes": {EX + "Person": 1, EX + "State": 2}}


# --------------------------------------------------------------------------- the engine process


def test_an_on_disk_store_persists_across_close_and_reopen(tmp_store_dir: Path) -> None:
    with Store(tmp_store_dir) as store:
        g = store.iris.graph("a")
        store.replace_source(g, [t("s", ox.Literal("kept"))], metadata=recorded(g, "1"))
        expected = quads(store)
    assert (tmp_store_dir / kg.engine.ENGINE_LOG_NAME).is_file()
    with Store(tmp_store_dir) as store:
        assert quads(store) == expected


def test_a_second_store_on_the_same_directory_is_locked(tmp_store_dir: Path) -> None:
    with Store(tmp_store_dir):
        with pytest.raises(StoreLocked) as caught:
            Store(tmp_store_dir)
    message = str(caught.value)
    assert str(tmp_store_dir) in message and "in use by another process" in message
    assert "policykg serve" in message


def test_a_bad_location_is_a_config_error(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("not a store")
    with pytest.raises(ConfigError, match="not a directory"):
        Store(a_file)
    with pytest.raises(ConfigError, match="query_timeout"):
        Store(query_timeout=0)


def test_the_engine_is_restarted_after_it_was_killed(tmp_store_dir: Path) -> None:
    with Store(tmp_store_dir, keep_history=False) as store:
        g = store.iris.graph("a")
        store.replace_source(g, [t("s", ox.Literal("kept"))], metadata=[])
        server = store.engine.server
        assert server is not None
        old_pid = server.pid
        assert old_pid is not None
        os.kill(old_pid, signal.SIGKILL)
        assert died(server)
        assert store.select("SELECT ?o WHERE { ?s ?p ?o }") == [{"o": ox.Literal("kept")}]
        assert server.pid != old_pid and server.restarts == 1


def test_a_killed_in_memory_engine_says_its_data_is_lost() -> None:
    with Store() as store:
        store.replace_source(store.iris.graph("a"), [t("s", ox.Literal("o"))], metadata=[])
        server = store.engine.server
        assert server is not None and server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        assert died(server)
        with pytest.raises(EngineError, match="lost"):
            len(store)
        assert len(store) == 0


def test_the_engine_process_is_gone_after_close() -> None:
    store = Store()
    assert store.engine.server is not None
    pid, log_path = store.engine.server.pid, store.engine.server.log_path
    assert pid is not None and log_path is not None and log_path.exists()
    store.close()
    assert gone(pid, within=0.5)
    assert not log_path.exists()  # the in-memory engine's temporary log is removed
    store.close()  # idempotent
    with pytest.raises(EngineError, match="closed"):
        len(store)


def engine_environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(part.split("=", 1) for part in raw.decode().split("\0") if "=" in part)


def test_the_engine_runs_with_few_malloc_arenas_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    # glibc's default (eight arenas per core) left the 1M store's engine holding 130–260 MB more
    # after a burst of heavy lookups; a value the operator set is kept
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    with Store() as store:
        assert store.engine.server is not None and store.engine.server.pid is not None
        assert engine_environ(store.engine.server.pid)["MALLOC_ARENA_MAX"] == str(max(2, os.cpu_count() or 2))
    monkeypatch.setenv("MALLOC_ARENA_MAX", "5")
    with Store() as store:
        assert store.engine.server is not None and store.engine.server.pid is not None
        assert engine_environ(store.engine.server.pid)["MALLOC_ARENA_MAX"] == "5"


def test_a_store_can_use_an_engine_by_url(store: Store) -> None:
    only_on(store, "oxigraph", "the embedded engine's URL (Virtuoso's store is one by URL already)")
    with Store(store.engine.endpoints.query_url) as remote:
        assert remote.engine.server is None
        g = remote.iris.graph("a")
        remote.replace_source(g, [t("s", ox.Literal("via url"))], metadata=[])
        assert set(remote) == quads(store) == {ox.Quad(n("s"), P, ox.Literal("via url"), ox.NamedNode(g))}
    assert store.engine.server is not None and store.engine.server.running  # not stopped by the client


def test_the_oxigraph_binary_is_found_beside_python() -> None:
    assert kg.engine.find_oxigraph().parent == Path(sys.executable).parent


def test_insert_data_in_pieces_is_valid_and_writes_every_triple_once() -> None:
    from kg.store import _insert_data

    graphs = [ox.NamedNode(f"https://w3id.org/policykg/graph/g{k}") for k in range(3)]
    ground = {g: [f"<http://e/s{k}-{i}> <http://e/p> \"{i}\" ." for i in range(50)] for k, g in enumerate(graphs)}
    pieces = _insert_data(ground, 400)
    assert len(pieces) > 10 and _insert_data(ground, None) == [_insert_data(ground, None)[0]]
    target = ox.Store()
    for piece in pieces:
        assert "{\n}" not in piece.split("\n", 1)[1]  # no empty GRAPH block (Virtuoso refuses one)
        target.update(piece)
    assert len(target) == 150
    assert _insert_data({}, 400) == ["INSERT DATA {\n}"]


def test_the_engine_waits_longer_for_a_store_with_a_write_ahead_log_to_replay(tmp_path: Path) -> None:
    from kg.engine import ENGINE_LOG_NAME, REPLAY_BYTES_PER_S, STARTUP_TIMEOUT, OxigraphServer

    server = OxigraphServer()
    server._location = tmp_path
    assert server._startup_allowance() == STARTUP_TIMEOUT
    with open(tmp_path / "000042.log", "wb") as wal:  # sparse: only its size matters here
        wal.truncate(5 * REPLAY_BYTES_PER_S)
    (tmp_path / ENGINE_LOG_NAME).write_bytes(b"x" * 1000)  # the engine's own output is no WAL
    assert server._startup_allowance() == STARTUP_TIMEOUT + 5


def test_from_and_from_named_choose_the_dataset(store: Store) -> None:
    """A query's own dataset holds on every engine (the embedded one, run with
    --union-default-graph, left FROM out until the store sent it as the protocol's)."""
    for name, value in (("g1", "a"), ("g2", "b")):
        store.replace_source(store.iris.graph(name), [t("s", ox.Literal(value))], metadata=[])
    g1, g2 = store.iris.graph("g1"), store.iris.graph("g2")
    assert store.select(f"SELECT ?o FROM <{g1}> WHERE {{ ?s ?p ?o }}") == [{"o": ox.Literal("a")}]
    assert store.select(f"SELECT ?g ?o FROM NAMED <{g2}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == [
        {"g": ox.NamedNode(g2), "o": ox.Literal("b")}]
    assert store.select(f"SELECT ?o FROM NAMED <{g2}> WHERE {{ ?s ?p ?o }}") == []
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }")) == 2

"""The knowledge graph's store: the one interface callers use to read and write the graph.

A :class:`Store` holds each source's triples in a named graph and their description in the
meta graph (:attr:`kg.iris.Iris.meta_graph`); queries see the union of the graphs. Behind it is
a SPARQL 1.1 service (:mod:`kg.engine`): an Oxigraph server that the store starts and
supervises, or (a URL) an engine someone else runs. Answers come back as pyoxigraph objects,
as from :meth:`pyoxigraph.Store.query`.

>>> with Store() as store:
...     g = store.iris.graph("demo")
...     fu = pyoxigraph.NamedNode(store.iris.entity("actor", "fu-cong"))
...     label = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
...     name = pyoxigraph.Literal("Fu Cong", language="en")
...     store.replace_source(g, [pyoxigraph.Triple(fu, label, name)], metadata=[])
...     store.select("SELECT ?name WHERE { ?who ?label ?name }",
...                  substitutions={"who": fu, "label": label})
[{'name': <Literal value=Fu Cong language=en>}]

Values reach SPARQL through ``substitutions`` (see :func:`bind`), never through formatting.
Nothing outside this module and :mod:`kg.engine` knows that the engine is reached over HTTP.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, TypeAlias

import pyoxigraph

from kg.engine import EngineResponse, SparqlEngine
from kg.errors import ConfigError, NotFound, QueryError
from kg.iris import DEFAULT_BASE_IRI, Iris
from kg.sparql import bind as sparql_bind

__all__ = ["Store", "bind", "replace_update"]

Term: TypeAlias = pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode
Substitutions: TypeAlias = Mapping["str | pyoxigraph.Variable", Term]
QueryResult: TypeAlias = (
    pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples
)

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_JSON = pyoxigraph.QueryResultsFormat.JSON
_NTRIPLES = pyoxigraph.RdfFormat.N_TRIPLES
_NQUADS = pyoxigraph.RdfFormat.N_QUADS
# SELECT/ASK answer in JSON, CONSTRUCT/DESCRIBE in N-Triples: the engine picks by query form.
_QUERY_ACCEPT = f"{_JSON.media_type}, {_NTRIPLES.media_type};q=0.9"
_PK_CHECKSUM = pyoxigraph.NamedNode("https://w3id.org/policykg/ontology#checksum")
_LANGUAGE_DATATYPES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString",
}


def bind(sparql: str, substitutions: Substitutions | None) -> str:
    """``sparql`` with ``substitutions`` bound by an inline ``VALUES`` block (SPARQL 1.1 §10.2).

    The block is placed first in the query's WHERE group by :func:`kg.sparql.bind` (the
    project's one binding rule, which the named queries are written for): the group's
    FILTERs and BINDs see the values, and grouping happens after the join. Each value is
    written with ``str()`` of its pyoxigraph term — N-Triples syntax, which escapes quotes,
    backslashes and line breaks — so a value can never change the query's shape. Keys may be
    names (``"s"``, ``"?s"``) or :class:`pyoxigraph.Variable`.

    >>> print(bind("ASK { ?s ?p ?o }", {"?o": pyoxigraph.Literal('say "hi"\\n', language="en")}))
    ASK { VALUES (?o) { ("say \\"hi\\"\\n"@en) }
     ?s ?p ?o }

    A *trailing* ``VALUES`` (after the query) was measured and rejected: it is joined after
    the WHERE clause and after GROUP BY (§18.2.4.3), so a FILTER inside the WHERE sees the
    variable unbound (``FILTER(!BOUND(?on) || …)`` then keeps everything) and binding a
    grouped variable makes Oxigraph group the whole graph first (0.5 s on 600k quads).

    Blank nodes cannot be bound: a blank node label in a query is a fresh variable, not a
    reference to a node of the store.
    """
    if not substitutions:
        return sparql
    named: dict[str, Term] = {}
    for key, term in substitutions.items():
        name = key.value if isinstance(key, pyoxigraph.Variable) else str(key).lstrip("?$")
        if not _VARIABLE.match(name):
            raise ConfigError(f"{key!r} is not a variable name that can be bound (letters, digits, _)")
        if isinstance(term, pyoxigraph.BlankNode):
            raise ConfigError(
                f"?{name} cannot be bound to the blank node {term}: a blank node in a query is a "
                "variable, not a node of the store; bind an IRI or a literal"
            )
        if not isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
            raise ConfigError(
                f"?{name} must be bound to a pyoxigraph NamedNode or Literal, not "
                f"{type(term).__name__} (wrap plain values: pyoxigraph.Literal(value))"
            )
        named[name] = term
    return sparql_bind(sparql, named)


Source: TypeAlias = tuple[Iterable[pyoxigraph.Triple], Iterable[pyoxigraph.Triple]]
Progress: TypeAlias = Callable[[int, int], None]


def replace_update(
    sources: Mapping[str, Source],
    *,
    meta_graph: str,
    progress: Progress | None = None,
) -> str:
    """The SPARQL Update request :meth:`Store.replace_sources` sends (one request: atomic).

    ``sources`` maps each graph IRI to ``(triples, metadata)``; the metadata triples are about
    that graph (it is their subject). The request: ``DROP SILENT GRAPH`` each graph; delete
    what the meta graph says about them; one ``INSERT DATA`` of the new triples and metadata
    (one block, so a blank node may be shared between the graphs of a batch). Every term is
    written by pyoxigraph. ``progress(done, total)`` is called as triples are written, and
    with ``done == total`` at the end.

    >>> print(replace_update({"http://ex.org/g": ([], [])}, meta_graph="http://ex.org/m"))
    DROP SILENT GRAPH <http://ex.org/g> ;
    DELETE { GRAPH <http://ex.org/m> { ?g ?p ?o } } WHERE { VALUES ?g { <http://ex.org/g> } GRAPH <http://ex.org/m> { ?g ?p ?o } } ;
    INSERT DATA {
    }
    """
    meta = _named_node(meta_graph, "meta graph")
    names = {iri: _named_node(iri, "graph") for iri in sources}
    if meta_graph in names:
        raise ConfigError(f"{meta_graph} is the meta graph: it is written through metadata")
    graph_list = " ".join(str(name) for name in names.values())
    lines = [f"DROP SILENT GRAPH {name} ;" for name in names.values()]
    lines.append(
        f"DELETE {{ GRAPH {meta} {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {graph_list} }} "
        f"GRAPH {meta} {{ ?g ?p ?o }} }} ;"
    )
    data = {iri: (list(triples), list(metadata)) for iri, (triples, metadata) in sources.items()}
    total = sum(len(triples) + len(metadata) for triples, metadata in data.values())
    done = 0
    meta_lines = []
    lines.append("INSERT DATA {")
    for iri, (triples, metadata) in data.items():
        body = []
        for triple in triples:
            body.append(_triple_line(triple, f"graph {iri}"))
            done += 1
            if progress is not None and done % 1000 == 0:
                progress(done, total)
        if body:
            lines += [f"GRAPH {names[iri]} {{", *body, "}"]
        for triple in metadata:
            if not isinstance(triple, pyoxigraph.Triple) or triple.subject != names[iri]:
                raise ConfigError(
                    f"metadata of {iri}: {triple} must be a pyoxigraph Triple whose subject is "
                    "the graph it describes"
                )
            meta_lines.append(_triple_line(triple, f"metadata of {iri}"))
            done += 1
    if meta_lines:
        lines += [f"GRAPH {meta} {{", *meta_lines, "}"]
    lines.append("}")
    if progress is not None:
        progress(done, total)
    return "\n".join(lines)


def _named_node(iri: str, what: str) -> pyoxigraph.NamedNode:
    try:
        return pyoxigraph.NamedNode(iri)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"the {what} {iri!r} is not a valid IRI: {error}") from None


def _triple_line(triple: pyoxigraph.Triple, where: str) -> str:
    if not isinstance(triple, pyoxigraph.Triple):
        raise ConfigError(f"{where}: expected a pyoxigraph Triple, got {type(triple).__name__}")
    _check_terms(triple, where)
    return f"{triple} ."  # N-Triples syntax; an RDF 1.2 triple term object is written <<( … )>>


def _check_terms(triple: pyoxigraph.Triple, where: str) -> None:
    """Refuse what pyoxigraph builds but no parser reads back (the store could not be dumped)."""
    for term in (triple.subject, triple.object):
        if isinstance(term, pyoxigraph.Triple):
            _check_terms(term, where)
        elif (
            isinstance(term, pyoxigraph.Literal)
            and term.language is None
            and term.datatype.value in _LANGUAGE_DATATYPES
        ):
            raise ConfigError(f"{where}: the literal {term} has a language datatype but no language tag")


def _values(iris: Iterable[str]) -> str:
    return " ".join(str(_named_node(iri, "IRI")) for iri in iris)


def _pattern_outside(exclude_graphs: Iterable[str]) -> str:
    """``?s ?p ?o`` in the union of graphs, or in the named graphs other than these."""
    excluded = list(exclude_graphs)
    if not excluded:
        return "?s ?p ?o"
    graph_list = ", ".join(str(_named_node(iri, "graph")) for iri in excluded)
    return f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({graph_list}))"


class Store:
    """The knowledge graph store.

    ``location``: None for an in-memory engine (tests, one-off runs); a directory, owned by an
    embedded Oxigraph server that the store starts and stops; or the ``http(s)`` query URL of a
    running engine (its update and Graph Store endpoints are guessed as Oxigraph lays them out:
    ``…/query`` → ``…/update``, ``…/store``). ``query_timeout`` (seconds) bounds every query.

    It is a container of quads: ``len(store)``, ``quad in store``, ``for quad in store``.
    Every query sees the union of the named graphs (its default graph). policykg writes named
    graphs only; quads of the engine's own default graph are counted, iterated and exported,
    but are no source's.
    """

    def __init__(
        self,
        location: str | Path | None = None,
        *,
        base_iri: str = DEFAULT_BASE_IRI,
        query_timeout: float = 10.0,
    ):
        self.iris = Iris(base_iri)
        if not query_timeout > 0:
            raise ConfigError(f"query_timeout must be a positive number of seconds, not {query_timeout!r}")
        self.query_timeout = float(query_timeout)
        if isinstance(location, str) and not location.strip():
            raise ConfigError("the store location is empty: give a directory, a URL, or None (in memory)")
        if isinstance(location, str) and location.startswith(("http://", "https://")):
            self.location: str | Path | None = location
            self._engine = SparqlEngine.remote(location, timeout=self.query_timeout)
        else:
            self.location = Path(location) if location is not None else None
            self._engine = SparqlEngine.embedded(self.location, timeout=self.query_timeout)

    # -- lifecycle

    def close(self) -> None:
        """Stop the embedded engine (if any) and release the connections. Idempotent."""
        self._engine.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.location if self.location is not None else "memory"
        return f"<Store {where}>"

    @property
    def engine(self) -> SparqlEngine:
        """The protocol client (tests and diagnostics; callers use the methods of the store)."""
        return self._engine

    # -- reading

    def query(self, sparql: str, *, substitutions: Substitutions | None = None) -> QueryResult:
        """Evaluate a query; the answer is read whole and checked before it is returned.

        >>> with Store() as store:
        ...     store.query("ASK { ?s ?p ?o }")
        <QueryBoolean false>
        """
        with self._engine.query(bind(sparql, substitutions), accept=_QUERY_ACCEPT) as answer:
            body = answer.read()
            media_type = answer.media_type
        return _parse_answer(body, media_type)

    def select(
        self, sparql: str, *, substitutions: Substitutions | None = None
    ) -> list[dict[str, Term]]:
        """Rows of a SELECT as dicts (variable name → term; unbound variables left out).

        >>> a = pyoxigraph.NamedNode("http://example.org/a")
        >>> with Store() as store:
        ...     store.select("SELECT ?x ?y WHERE {}", substitutions={"x": a})
        [{'x': <NamedNode value=http://example.org/a>}]
        """
        result = self.query(sparql, substitutions=substitutions)
        if not isinstance(result, pyoxigraph.QuerySolutions):
            raise QueryError("select() needs a SELECT query")
        names = [variable.value for variable in result.variables]
        return [
            {name: solution[name] for name in names if solution[name] is not None}
            for solution in result
        ]

    def query_bytes(
        self,
        sparql: str,
        *,
        substitutions: Substitutions | None = None,
        media_type: str,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
    ) -> Iterator[bytes]:
        """The engine's own serialisation of the answer (CSV, TSV, XML, JSON, Turtle, …), streamed.

        The query is sent at once (a syntax error raises here); the bytes follow as the engine
        sends them. If the iteration raises :class:`QueryError` (timeout, an error inside the
        answer, a cut connection), what was received is incomplete and must be discarded.

        ``default_graph_uris`` and ``named_graph_uris`` set the query's dataset as the protocol's
        ``default-graph-uri`` and ``named-graph-uri`` do (SPARQL 1.1 Protocol §2.1.4): the
        default graph is then the merge of the given graphs instead of the union of all.

        >>> with Store() as store:
        ...     b"".join(store.query_bytes("SELECT ?x WHERE {} VALUES ?x { 1 }", media_type="text/csv"))
        b'x\\r\\n1\\r\\n'
        """
        answer = self._engine.query(
            bind(sparql, substitutions),
            accept=media_type,
            default_graph_uris=default_graph_uris,
            named_graph_uris=named_graph_uris,
        )
        return answer.iter_bytes()

    def existing(self, iris: Iterable[str], *, exclude_graphs: Iterable[str] = ()) -> set[str]:
        """Those of ``iris`` that are the subject of a triple in some graph (one query).

        With ``exclude_graphs`` (e.g. the graphs a batch is about to replace), only the other
        named graphs count.
        """
        iris = list(dict.fromkeys(iris))
        if not iris:
            return set()
        values = f"VALUES ?s {{ {_values(iris)} }}"
        where = _pattern_outside(exclude_graphs)
        rows = self.select(f"SELECT DISTINCT ?s WHERE {{ {values} {where} }}")
        return {row["s"].value for row in rows}

    def context_of(
        self,
        iris: Iterable[str],
        *,
        exclude_graphs: Iterable[str] = (),
        predicates: Iterable[str] | None = None,
    ) -> list[pyoxigraph.Triple]:
        """The one-hop description of ``iris`` (every ``?s ?p ?o`` with ``?s`` among them), to
        validate a batch that refers to them.

        Read from the union of graphs, or — with ``exclude_graphs``, e.g. the graphs a batch is
        about to replace — from the other named graphs only. With ``predicates``, only the
        triples of those predicates (e.g. the labels of linked things).
        """
        iris = list(dict.fromkeys(iris))
        if not iris:
            return []
        values = f"VALUES ?s {{ {_values(iris)} }}"
        if predicates is not None:
            values += f" VALUES ?p {{ {_values(predicates)} }}"
        where = _pattern_outside(exclude_graphs)
        return list(self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {values} {where} }}"))

    def source_checksums(self) -> dict[str, str]:
        """Graph IRI → the checksum of the file it was loaded from (``pk:checksum`` in the meta
        graph), for the graphs that have one."""
        rows = self.select(
            "SELECT ?g ?checksum WHERE { GRAPH ?meta { ?g ?checksumOf ?checksum } }",
            substitutions={
                "meta": pyoxigraph.NamedNode(self.iris.meta_graph),
                "checksumOf": _PK_CHECKSUM,
            },
        )
        return {row["g"].value: row["checksum"].value for row in rows}

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted (the meta graph included)."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(row["g"].value for row in rows)

    def stats(self) -> dict[str, object]:
        """``{"quads": int, "graphs": int, "classes": {class IRI: count}}``.

        ``quads`` counts every quad (as ``len``); ``graphs`` the named graphs other than the
        meta graph (the sources); ``classes`` the distinct instances of each ``rdf:type`` in
        those graphs (the meta graph's description of sources is left out).
        """
        meta = _named_node(self.iris.meta_graph, "meta graph")
        graphs = self.select(
            f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ }} FILTER(?g != {meta}) }}"
        )
        classes = self.select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { "
            f"GRAPH ?g {{ ?s a ?class }} FILTER(?g != {meta}) }} GROUP BY ?class"
        )
        return {
            "quads": len(self),
            "graphs": int(graphs[0]["n"].value),
            "classes": {row["class"].value: int(row["n"].value) for row in classes},
        }

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        named = int(rows[0]["n"].value)
        return named + sum(1 for _ in self._default_graph_quads())

    def __contains__(self, quad: object) -> bool:
        if not isinstance(quad, pyoxigraph.Quad):
            return False
        terms = (quad.subject, quad.predicate, quad.object)
        if isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
            return any(candidate == quad for candidate in self._default_graph_quads())
        if isinstance(quad.graph_name, pyoxigraph.BlankNode):  # SPARQL cannot name such a graph
            return any(candidate == quad for candidate in self)
        if any(_has_blank_node(term) for term in terms):
            # A blank node in a query is a variable: compare against the graph's own quads.
            return any(candidate == quad for candidate in self._graph_quads(quad.graph_name.value))
        pattern = pyoxigraph.Triple(*terms)
        return bool(self.query(f"ASK {{ GRAPH {quad.graph_name} {{ {pattern} }} }}"))

    def __iter__(self) -> Iterator[pyoxigraph.Quad]:
        """Every quad, streamed from the engine (N-Quads through the Graph Store Protocol)."""
        if not self._engine.has_graph_store:
            return self._quads_by_query()
        return _parse_stream(self._engine.get_dataset(_NQUADS.media_type), _NQUADS)

    def export(self, fmt: pyoxigraph.RdfFormat, out: BinaryIO, *, graph: str | None = None) -> None:
        """Write the whole store (``graph`` None) or one named graph to ``out`` in ``fmt``.

        Streaming: the engine's bytes go straight to ``out`` (whole store: N-Quads, TriG,
        JSON-LD; one graph: any format). One graph in N-Quads or TriG keeps its graph name (its
        triples are streamed through pyoxigraph to add it). The whole store in a format without
        graphs (Turtle, N-Triples, RDF/XML) is the union of the source graphs — the meta graph
        left out — streamed through pyoxigraph. JSON-LD is the engine's expanded form, without
        a context, and cannot hold RDF 1.2 triple terms.

        On an error nothing more is written and the error is raised: what ``out`` holds then is
        incomplete and must be discarded (write to a temporary file and rename on success).
        """
        if graph is None:
            if not fmt.supports_datasets:
                meta = pyoxigraph.NamedNode(self.iris.meta_graph)
                triples = (pyoxigraph.Triple(q.subject, q.predicate, q.object)
                           for q in self if q.graph_name != meta)
                pyoxigraph.serialize(triples, out, fmt)
                return
            if not self._engine.has_graph_store:
                pyoxigraph.serialize(self._quads_by_query(), out, fmt)
                return
            answer = self._engine.get_dataset(fmt.media_type)
        elif fmt.supports_datasets:
            name = _named_node(graph, "graph")
            answer = self._engine.get_graph(graph, _NTRIPLES.media_type)
            triples = _parse_stream(answer, _NTRIPLES)
            pyoxigraph.serialize(
                (pyoxigraph.Quad(q.subject, q.predicate, q.object, name) for q in triples), out, fmt
            )
            return
        else:
            answer = self._engine.get_graph(graph, fmt.media_type)
        for chunk in answer.iter_bytes():
            out.write(chunk)

    def export_chunks(self, fmt: pyoxigraph.RdfFormat, *, graph: str | None = None) -> Iterator[bytes]:
        """What :meth:`export` writes, as an iterator of byte chunks (for a streamed response).

        The engine is asked at once (an unknown ``graph`` raises :class:`NotFound` here, before
        any byte); the chunks follow as they arrive. Where :meth:`export` passes the engine's
        bytes on, so does this. Where it serialises with pyoxigraph (the whole store without
        graphs; one graph in N-Quads or TriG), triples are serialised in batches, each a complete
        document: their concatenation is one valid document in the line- and Turtle-based
        formats (a Turtle or TriG batch repeats no prefix and labels blank nodes as the store
        does). RDF/XML and JSON-LD documents cannot be concatenated: those few cases are built
        whole in memory and given as one chunk.

        An error while iterating means the chunks already given are incomplete.

        >>> with Store() as store:
        ...     b"".join(store.export_chunks(pyoxigraph.RdfFormat.N_QUADS))
        b''
        """
        if graph is None:
            if not fmt.supports_datasets:
                meta = pyoxigraph.NamedNode(self.iris.meta_graph)
                quads = iter(self)
                triples = (pyoxigraph.Triple(q.subject, q.predicate, q.object)
                           for q in quads if q.graph_name != meta)
                return _serialized_chunks(triples, fmt)
            if not self._engine.has_graph_store:
                return _serialized_chunks(self._quads_by_query(), fmt)
            return _answer_chunks(self._engine.get_dataset(fmt.media_type))
        if fmt.supports_datasets:
            name = _named_node(graph, "graph")
            triples = _parse_stream(self._engine.get_graph(graph, _NTRIPLES.media_type), _NTRIPLES)
            return _serialized_chunks(
                (pyoxigraph.Quad(q.subject, q.predicate, q.object, name) for q in triples), fmt
            )
        return _answer_chunks(self._engine.get_graph(graph, fmt.media_type))

    # -- writing

    def replace_source(
        self,
        graph_iri: str,
        triples: Iterable[pyoxigraph.Triple],
        *,
        metadata: Iterable[pyoxigraph.Triple],
    ) -> None:
        """Replace one source's named graph and its metadata, in one transaction.

        ``metadata``: triples about the graph (their subject is ``graph_iri``), stored in the
        meta graph in place of what it said about this graph before.
        """
        self.replace_sources({graph_iri: (triples, metadata)})

    def replace_sources(
        self, sources: Mapping[str, Source], *, progress: Progress | None = None
    ) -> None:
        """Replace several graphs and their metadata in one request: all or nothing.

        ``sources`` maps graph IRIs to ``(triples, metadata)`` (see :meth:`replace_source`).
        The request is :func:`replace_update`; the engine applies it as one transaction, so a
        failure leaves the store exactly as it was. ``progress(done, total)`` counts triples
        written into the request; the call with ``done == total`` comes once the engine has
        committed.
        """
        if not sources:
            return
        totals: list[int] = []

        def count(done: int, total: int) -> None:
            totals[:] = [total]
            if progress is not None and done < total:
                progress(done, total)

        update = replace_update(sources, meta_graph=self.iris.meta_graph, progress=count)
        self._engine.update(update)
        if progress is not None:
            total = totals[0] if totals else 0
            progress(total, total)

    def update(self, sparql: str) -> None:
        """Send a SPARQL Update as is (one request, one transaction). Low level: loaders use
        :meth:`replace_sources`, which is what keeps graphs and metadata consistent."""
        self._engine.update(sparql)

    def clear(self) -> None:
        """Remove every graph (tests)."""
        self._engine.update("DROP ALL")

    # -- internals

    def _default_graph_quads(self) -> Iterator[pyoxigraph.Quad]:
        if not self._engine.has_graph_store:
            return iter(())
        return _parse_stream(self._engine.get_graph(None, _NTRIPLES.media_type), _NTRIPLES)

    def _graph_quads(self, graph_iri: str) -> Iterator[pyoxigraph.Quad]:
        name = pyoxigraph.NamedNode(graph_iri)
        if not self._engine.has_graph_store:
            return (q for q in self._quads_by_query() if q.graph_name == name)
        try:
            answer = self._engine.get_graph(graph_iri, _NTRIPLES.media_type)
        except NotFound:
            return iter(())
        triples = _parse_stream(answer, _NTRIPLES)
        return (pyoxigraph.Quad(q.subject, q.predicate, q.object, name) for q in triples)

    def _quads_by_query(self) -> Iterator[pyoxigraph.Quad]:
        result = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, pyoxigraph.QuerySolutions)
        for row in result:
            yield pyoxigraph.Quad(row["s"], row["p"], row["o"], row["g"])


def _has_blank_node(term: object) -> bool:
    if isinstance(term, pyoxigraph.BlankNode):
        return True
    if isinstance(term, pyoxigraph.Triple):
        return any(_has_blank_node(t) for t in (term.subject, term.predicate, term.object))
    return False


def _parse_answer(body: bytes, media_type: str) -> QueryResult:
    results_format = pyoxigraph.QueryResultsFormat.from_media_type(media_type)
    try:
        if results_format is not None:
            result = pyoxigraph.parse_query_results(body, results_format)
            if isinstance(result, pyoxigraph.QueryBoolean):
                return result
            for _ in result:  # check the whole answer before handing any of it over
                pass
            return pyoxigraph.parse_query_results(body, results_format)
        rdf_format = pyoxigraph.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            what = media_type or "an unnamed format"
            raise QueryError(f"the engine answered in {what}, which policykg cannot read")
        triples = pyoxigraph.Store()
        triples.extend(pyoxigraph.parse(body, rdf_format))
    except SyntaxError as error:
        raise QueryError(f"the engine's answer is incomplete or malformed: {error}") from None
    # pyoxigraph only makes QueryTriples by evaluating a query: CONSTRUCT the parsed triples back.
    return triples.query("CONSTRUCT WHERE { ?s ?p ?o }")


class _ChunkReader(io.RawIOBase):
    """A read-only file over an iterator of byte chunks (for pyoxigraph's streaming parser)."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _parse_stream(answer: EngineResponse, fmt: pyoxigraph.RdfFormat) -> Iterator[pyoxigraph.Quad]:
    chunks = answer.iter_bytes()
    try:
        with _ChunkReader(chunks) as reader:
            yield from pyoxigraph.parse(reader, fmt)
    except SyntaxError as error:
        raise QueryError(f"the engine's answer is incomplete or malformed: {error}") from None
    finally:
        chunks.close()
        answer.close()


_EXPORT_BATCH = 10_000
_CONCATENABLE = {
    pyoxigraph.RdfFormat.N_TRIPLES,
    pyoxigraph.RdfFormat.N_QUADS,
    pyoxigraph.RdfFormat.TURTLE,
    pyoxigraph.RdfFormat.TRIG,
}


def _serialized_chunks(
    items: Iterable[pyoxigraph.Triple] | Iterable[pyoxigraph.Quad],
    fmt: pyoxigraph.RdfFormat,
    *,
    batch: int = _EXPORT_BATCH,
) -> Iterator[bytes]:
    """``items`` serialised in batches of ``batch`` as complete documents (one document if
    ``fmt`` cannot be concatenated)."""
    if fmt not in _CONCATENABLE:
        yield pyoxigraph.serialize(list(items), format=fmt) or b""
        return
    iterator = iter(items)
    while True:
        items_now = list(itertools.islice(iterator, batch))
        if not items_now:
            return
        yield pyoxigraph.serialize(items_now, format=fmt) or b""


def _answer_chunks(answer: EngineResponse) -> Iterator[bytes]:
    try:
        yield from answer.iter_bytes()
    finally:
        answer.close()

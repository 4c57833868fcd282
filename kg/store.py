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
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, TypeAlias

import pyoxigraph

from kg.engine import MAX_QUERIES, EngineConfig, EngineResponse, SparqlEngine
from kg.errors import ConfigError, KgError, NotFound, QueryError, QueryRefused, QueryTruncated
from kg.history import Change, record_versions
from kg.iris import DEFAULT_BASE_IRI, Iris
from kg.sparql import bind as sparql_bind
from kg.sparql import query_form, tokens

__all__ = ["Store", "bind", "replace_requests", "replace_update"]

Term: TypeAlias = pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode
Substitutions: TypeAlias = Mapping["str | pyoxigraph.Variable", Term]
QueryResult: TypeAlias = (
    pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples
)

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_JSON = pyoxigraph.QueryResultsFormat.JSON
_NTRIPLES = pyoxigraph.RdfFormat.N_TRIPLES
_NQUADS = pyoxigraph.RdfFormat.N_QUADS
# SELECT/ASK answer in JSON, CONSTRUCT/DESCRIBE in N-Triples, asked by query form: Virtuoso
# answers a CONSTRUCT in a JSON of its own when JSON is preferred.
_QUERY_ACCEPT = {"SELECT": _JSON.media_type, "ASK": _JSON.media_type,
                 "CONSTRUCT": _NTRIPLES.media_type, "DESCRIBE": _NTRIPLES.media_type}
# Virtuoso labels blank nodes ``nodeID://b10000`` in JSON results, which is no blank node
# label (SPARQL 1.1 Query §19.8): the label is kept without the scheme. A JSON string cannot
# hold an unescaped quote, so the match cannot start inside a literal.
_VIRTUOSO_BNODE = re.compile(rb'(?<!\\)("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
# Virtuoso writes xsd:boolean as "0" and "1" in JSON results (valid lexical forms, but not the
# canonical "false" and "true" it writes elsewhere): canonicalised, so answers compare equal.
_BOOLEAN_01 = re.compile(
    rb'("datatype"\s*:\s*"http://www\.w3\.org/2001/XMLSchema#boolean"\s*,\s*"value"\s*:\s*")([01])"')
_FROM = re.compile(r"\bfrom\b", re.IGNORECASE)
"""A word that may be a dataset clause's keyword (the lexer says whether it is)."""
HISTORY_DIR = "history"
"""The history store's directory inside an on-disk store's (:mod:`kg.history`)."""
_PAGE = 10_000
"""Rows per page when the store reads every quad with queries (below any row cap it learns)."""
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
    """The SPARQL Update request :meth:`Store.replace_sources` sends to an engine that applies a
    request atomically (one request: all or nothing).

    ``sources`` maps each graph IRI to ``(triples, metadata)``; the metadata triples are about
    that graph (it is their subject). The request: ``DROP SILENT GRAPH`` each graph; delete
    what the meta graph says about them; one ``INSERT DATA`` of the new triples and metadata;
    the triples holding blank nodes in ``INSERT { … } WHERE {}`` (see :func:`replace_requests`).
    Every term is written by pyoxigraph. ``progress(done, total)`` is called as triples are
    written, and with ``done == total`` at the end.

    >>> print(replace_update({"http://ex.org/g": ([], [])}, meta_graph="http://ex.org/m"))
    DROP SILENT GRAPH <http://ex.org/g> ;
    DELETE { GRAPH <http://ex.org/m> { ?g ?p ?o } } WHERE { VALUES ?g { <http://ex.org/g> } GRAPH <http://ex.org/m> { ?g ?p ?o } } ;
    INSERT DATA {
    }
    """
    (request,) = replace_requests(sources, meta_graph=meta_graph, progress=progress)
    return request


def replace_requests(
    sources: Mapping[str, Source],
    *,
    meta_graph: str,
    staging: str | None = None,
    progress: Progress | None = None,
    max_bytes: int | None = None,
    records: Iterable[pyoxigraph.Triple] = (),
    present: Iterable[str] | None = None,
) -> list[str]:
    """The update requests that replace ``sources`` (see :func:`replace_update`).

    ``staging`` None: one request writing the graphs in place. ``staging`` an IRI prefix: two
    requests, for an engine that commits each operation of a request on its own (Virtuoso):
    the first writes the new triples and metadata into fresh graphs under ``staging`` — if it
    fails, no graph of ours has changed — and the second swaps them in, one ``MOVE`` per graph
    (``DROP`` for a graph left empty), then the metadata (old description deleted, the staged
    one added with ``ADD``). The metadata go last: should the engine stop between two of these
    operations, the graphs already moved still have their old checksum, so the next load of
    the same files writes them again.

    Triples with blank nodes are not written with ``INSERT DATA`` (Virtuoso refuses blank nodes
    there) but with ``INSERT { … } WHERE {}``: one per graph, or one for all graphs when a blank
    node is shared between graphs (Virtuoso cannot do that one).

    ``max_bytes`` (with ``staging``): the staged triples go in as many ``INSERT DATA`` requests
    as keep each about this size (Virtuoso refuses a request over 10 MB); the list is then the
    staging requests in order, and the swap last.

    ``records``: more triples for the meta graph, added and never deleted (the records of
    versions, :mod:`kg.history`).

    ``present`` (with ``staging`` None): the graphs of ``sources`` known to hold triples, when
    no other writer can add any before the request runs; only those are dropped. Oxigraph takes
    twice as long over an ``INSERT DATA`` that follows a ``DROP`` of each of its graphs, even
    graphs that do not exist (a 17 MB chunk of 300 new sources: 2.7 s against 1.4 s).
    """
    meta = _named_node(meta_graph, "meta graph")
    names = {iri: _named_node(iri, "graph") for iri in sources}
    if meta_graph in names:
        raise ConfigError(f"{meta_graph} is the meta graph: it is written through metadata")
    if staging is None:
        targets = dict(names)
        meta_target = meta
    else:
        targets = {iri: _named_node(f"{staging}{k}", "staging graph") for k, iri in enumerate(names)}
        meta_target = _named_node(f"{staging}meta", "staging graph")
    data = {iri: (list(triples), list(metadata)) for iri, (triples, metadata) in sources.items()}
    total = sum(len(triples) + len(metadata) for triples, metadata in data.values())
    done = 0
    ground: dict[pyoxigraph.NamedNode, list[str]] = {}
    blank: dict[pyoxigraph.NamedNode, list[str]] = {}
    labels: dict[pyoxigraph.NamedNode, set[str]] = {}

    def put(graph: pyoxigraph.NamedNode, triple: pyoxigraph.Triple, where: str) -> None:
        if type(triple) is pyoxigraph.Triple and type(triple.subject) is pyoxigraph.NamedNode:
            value = triple.object
            kind = type(value)
            if kind is pyoxigraph.NamedNode or (kind is pyoxigraph.Literal and (
                    value.language is not None or value.datatype.value not in _LANGUAGE_DATATYPES)):
                ground.setdefault(graph, []).append(f"{triple} .")  # the common case, checked
                return
        line = _triple_line(triple, where)
        found = _blank_labels(triple)
        if found:
            blank.setdefault(graph, []).append(line)
            labels.setdefault(graph, set()).update(found)
        else:
            ground.setdefault(graph, []).append(line)

    written: set[str] = set()
    for iri, (triples, metadata) in data.items():
        for triple in triples:
            put(targets[iri], triple, f"graph {iri}")
            written.add(iri)
            done += 1
            if progress is not None and done % 1000 == 0:
                progress(done, total)
        for triple in metadata:
            if not isinstance(triple, pyoxigraph.Triple) or triple.subject != names[iri]:
                raise ConfigError(
                    f"metadata of {iri}: {triple} must be a pyoxigraph Triple whose subject is "
                    "the graph it describes"
                )
            put(meta_target, triple, f"metadata of {iri}")
            done += 1
    for triple in records:
        put(meta_target, triple, "a version's record")
    graph_list = " ".join(str(name) for name in names.values())
    delete_meta = (
        f"DELETE {{ GRAPH {meta} {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {graph_list} }} "
        f"GRAPH {meta} {{ ?g ?p ?o }} }}"
    )
    operations = _insert_data(ground, max_bytes if staging is not None else None)
    every_label = [label for found in labels.values() for label in found]
    if len(every_label) != len(set(every_label)):  # a blank node shared between graphs
        body = [part for graph, lines in blank.items() for part in (f"GRAPH {graph} {{", *lines, "}")]
        operations.append("\n".join(["INSERT {", *body, "} WHERE {}"]))
    else:
        operations += ["\n".join(["INSERT {", f"GRAPH {graph} {{", *lines, "}", "} WHERE {}"])
                       for graph, lines in blank.items()]
    if progress is not None:
        progress(done, total)
    if staging is None:
        kept = None if present is None else set(present)
        drops = [f"DROP SILENT GRAPH {name}" for iri, name in names.items() if kept is None or iri in kept]
        return [" ;\n".join([*drops, delete_meta, *operations])]
    swap = [f"MOVE SILENT {targets[iri]} TO {name}" if iri in written
            else f"DROP SILENT GRAPH {name}" for iri, name in names.items()]
    swap.append(delete_meta)
    if meta_target in ground or meta_target in blank:
        swap += [f"ADD SILENT {meta_target} TO {meta}", f"DROP SILENT GRAPH {meta_target}"]
    if max_bytes is None:
        return [" ;\n".join(operations), " ;\n".join(swap)]
    return [*operations, " ;\n".join(swap)]


def _insert_data(ground: Mapping[pyoxigraph.NamedNode, list[str]], max_bytes: int | None) -> list[str]:
    """``INSERT DATA`` operations writing ``ground`` (graph → N-Triples lines): one, or as many
    as keep each under about ``max_bytes``."""
    operations: list[str] = []
    parts: list[str] = []  # closed GRAPH blocks of the operation being filled
    size = 0
    for graph, lines in ground.items():
        start = 0
        for end, line in enumerate(lines, 1):
            size += len(line) + 1
            if max_bytes is not None and size > max_bytes:
                parts += [f"GRAPH {graph} {{", *lines[start:end], "}"]
                operations.append("\n".join(["INSERT DATA {", *parts, "}"]))
                parts, size, start = [], 0, end
        if start < len(lines):
            parts += [f"GRAPH {graph} {{", *lines[start:], "}"]
    if parts or not operations:
        operations.append("\n".join(["INSERT DATA {", *parts, "}"]))
    return operations


def _blank_labels(term: object) -> set[str]:
    if isinstance(term, pyoxigraph.BlankNode):
        return {term.value}
    if isinstance(term, pyoxigraph.Triple):
        return set().union(*(_blank_labels(t) for t in (term.subject, term.predicate, term.object)))
    return set()


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
    running engine, with ``update_url``, ``gsp_url`` and ``auth`` where needed (see
    :class:`kg.engine.EngineConfig`, which may also be given as ``location``).
    ``query_timeout`` (seconds) bounds every query; at most ``max_queries`` run at once (one
    more raises :class:`~kg.errors.EngineBusy`).

    It is a container of quads: ``len(store)``, ``quad in store``, ``for quad in store``.
    Every query sees the union of policykg's graphs as its default graph, and policykg's
    graphs as its named graphs, on every engine: where the engine's default graph is not that
    union, or the engine keeps graphs of its own (Virtuoso), the store sends the dataset with
    the protocol's ``default-graph-uri`` and ``named-graph-uri`` (decision 0002). policykg's
    graphs are those whose IRI starts with :attr:`kg.iris.Iris.graph_base`. policykg writes
    named graphs only; on the embedded engine, quads of its default graph are counted,
    iterated and exported, but are no source's.
    """

    def __init__(
        self,
        location: str | Path | EngineConfig | None = None,
        *,
        base_iri: str = DEFAULT_BASE_IRI,
        query_timeout: float = 10.0,
        update_url: str | None = None,
        gsp_url: str | None = None,
        auth: str | None = None,
        max_queries: int = MAX_QUERIES,
        keep_history: bool = True,
    ):
        self.iris = Iris(base_iri)
        if not query_timeout > 0:
            raise ConfigError(f"query_timeout must be a positive number of seconds, not {query_timeout!r}")
        self.query_timeout = float(query_timeout)
        if isinstance(location, str) and not location.strip():
            raise ConfigError("the store location is empty: give a directory, a URL, or None (in memory)")
        if isinstance(location, str) and location.startswith(("http://", "https://")):
            location = EngineConfig(location, update_url=update_url, gsp_url=gsp_url, auth=auth)
        elif (update_url, gsp_url, auth) != (None, None, None) and not isinstance(location, EngineConfig):
            raise ConfigError("update_url, gsp_url and auth are for an engine given by its URL, "
                              "not for the embedded engine")
        if isinstance(location, EngineConfig):
            self.location: str | Path | None = location.query_url
            self._engine = SparqlEngine.remote(location, timeout=self.query_timeout, max_queries=max_queries)
        else:
            self.location = Path(location) if location is not None else None
            self._engine = SparqlEngine.embedded(self.location, timeout=self.query_timeout,
                                                 max_queries=max_queries)
        self._opened = uuid.uuid4().hex[:12]
        self._writes = 0
        self._settings = {"base_iri": base_iri, "query_timeout": query_timeout, "max_queries": max_queries}
        self.keeps_history = keep_history and self._engine.server is not None
        """Whether every write keeps a version in :attr:`history` (the embedded engine's stores)."""
        self._history: Store | None = None
        self._history_lock = threading.Lock()  # one history store, however many threads ask first
        self._counts: tuple[str, dict[str, int]] | None = None
        self.dropped_staging: list[str] = []
        """Staging graphs of an interrupted load, dropped when this store was opened."""
        if self._engine.server is not None and self.location is not None:
            try:
                self.dropped_staging = self.drop_stale_staging()
            except BaseException:
                self._engine.close()
                raise

    @property
    def exclusive(self) -> bool:
        """Whether this store is the only writer of its engine: the embedded engine, which it
        runs itself on a directory nobody else can open (an engine given by URL may have others)."""
        return self._engine.server is not None

    @property
    def revision(self) -> str:
        """Changes with every write through this store (and with every opening of it): on an
        :attr:`exclusive` store, equal revisions mean equal contents."""
        return f"{self._opened}-{self._writes}"

    # -- lifecycle

    def close(self) -> None:
        """Stop the embedded engine (if any), and the history store's, and release the
        connections. Idempotent."""
        if self._history is not None:
            self._history.close()
        self._engine.close()

    @property
    def history(self) -> Store:
        """The history store (:mod:`kg.history`): every version of every source graph, kept
        apart from the current graphs. Started when first needed."""
        if not self.keeps_history:
            raise ConfigError("versions of sources are kept by policykg's embedded engine only, "
                              "not by an engine given by its URL (docs/history.md)")
        with self._history_lock:
            if self._history is None:
                where = None if self.location is None else Path(self.location) / HISTORY_DIR
                self._history = Store(where, keep_history=False, **self._settings)  # type: ignore[arg-type]
        return self._history

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
        text = bind(sparql, substitutions)
        return self._query(text, dataset=self._dataset(text))

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
        text = bind(sparql, substitutions)
        default_graph_uris, named_graph_uris = list(default_graph_uris), list(named_graph_uris)
        if not default_graph_uris and not named_graph_uris:
            default_graph_uris, named_graph_uris = self._dataset(text)
        rdf_format = pyoxigraph.RdfFormat.from_media_type(media_type)
        if rdf_format is not None and self._engine.profile.max_rows is not None:
            # A graph answer cut at the row limit carries no sign of it (Virtuoso): read it as
            # N-Triples, whose triples can be counted (_query raises QueryTruncated), then write
            # it in the format asked for.
            triples = self._query(text, dataset=(default_graph_uris, named_graph_uris))
            return iter([triples.serialize(format=rdf_format)])
        answer = self._engine.query(
            text,
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

    def existing_graphs(self, iris: Iterable[str]) -> set[str]:
        """Those of ``iris`` that are named graphs holding a triple (one query, one probe each)."""
        iris = list(dict.fromkeys(iris))
        if not iris:
            return set()
        rows = self.select(f"SELECT ?g WHERE {{ VALUES ?g {{ {_values(iris)} }} "
                           "FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }")
        return {row["g"].value for row in rows}

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

    def source_checksums(self, graphs: Iterable[str] | None = None) -> dict[str, str]:
        """Graph IRI → the checksum of the file it was loaded from (``pk:checksum`` in the meta
        graph), for the graphs that have one (of ``graphs``, when given)."""
        # The meta graph and the predicate are written in, not bound: a VALUES binding them
        # comes first, and Oxigraph then read every checksum in the store and joined the
        # graphs to each (1.2 s for 300 graphs at 1M statements, 13 ms written in).
        values = "" if graphs is None else f"VALUES ?g {{ {_values(graphs)} }} "
        meta = _named_node(self.iris.meta_graph, "meta graph")
        rows = self.select(f"SELECT ?g ?checksum WHERE {{ {values}GRAPH {meta} {{ ?g {_PK_CHECKSUM} ?checksum }} }}")
        return {row["g"].value: row["checksum"].value for row in rows}

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs that hold triples, sorted (the meta graph included).

        (``GRAPH ?g { }`` would be quicker, but Virtuoso answers it with one empty row.)
        """
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"].value for row in rows)

    def stats(self) -> dict[str, object]:
        """``{"quads": int, "graphs": int, "classes": {class IRI: count}}``.

        ``quads`` counts every quad (as ``len``); ``graphs`` the named graphs other than the
        meta graph (the sources); ``classes`` the distinct instances of each ``rdf:type`` in
        those graphs (the meta graph's description of sources is left out).
        """
        meta = _named_node(self.iris.meta_graph, "meta graph")
        classes = self.select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { "
            f"GRAPH ?g {{ ?s a ?class }} FILTER(?g != {meta}) }} GROUP BY ?class"
        )
        return {**self.counts(), "classes": {row["class"].value: int(row["n"].value) for row in classes}}

    def counts(self) -> dict[str, int]:
        """``{"quads": int, "graphs": int}`` as in :meth:`stats`. Counting reads every quad, so
        on an :attr:`exclusive` store the figures are kept until the next write."""
        revision = self.revision
        kept = self._counts
        if kept is not None and kept[0] == revision:
            return kept[1]
        meta = _named_node(self.iris.meta_graph, "meta graph")
        graphs = self.select(
            f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {meta}) }}"
        )
        figures = {"quads": len(self), "graphs": int(graphs[0]["n"].value)}
        if self.exclusive:
            self._counts = (revision, figures)
        return figures

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
        """Every quad, streamed from the engine (N-Quads through the Graph Store Protocol where
        it gives the whole dataset, else paged queries)."""
        if not self._engine.has_dataset_get:
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
            if not self._engine.has_dataset_get:
                pyoxigraph.serialize(self._quads_by_query(), out, fmt)
                return
            answer = self._engine.get_dataset(fmt.media_type)
        elif fmt.supports_datasets or not self._engine.has_graph_store:
            name = _named_node(graph, "graph")
            quads = self._graph_quads(graph, missing_ok=False)
            if not fmt.supports_datasets:
                pyoxigraph.serialize((pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads),
                                     out, fmt)
                return
            pyoxigraph.serialize(
                (pyoxigraph.Quad(q.subject, q.predicate, q.object, name) for q in quads), out, fmt
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
            if not self._engine.has_dataset_get:
                return _serialized_chunks(self._quads_by_query(), fmt)
            return _answer_chunks(self._engine.get_dataset(fmt.media_type))
        if fmt.supports_datasets or not self._engine.has_graph_store:
            quads = self._graph_quads(graph, missing_ok=False)
            if not fmt.supports_datasets:
                return _serialized_chunks(
                    (pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads), fmt)
            return _serialized_chunks(quads, fmt)
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

    def keep_versions(self, sources: Mapping[str, Source], change: Change | None = None) -> list[pyoxigraph.Triple]:
        """Write the new version of each graph of ``sources`` into the history store, where the
        store :attr:`keeps_history`, and return the records to write with them:
        :meth:`replace_sources` does this first, unless given its ``records``. A chunked load
        calls it one chunk ahead, so that the history store's engine writes while the main
        store's does. ``sources`` must be lists (they are read again)."""
        return record_versions(self, sources, change) if sources and self.keeps_history else []

    def replace_sources(
        self, sources: Mapping[str, Source], *, progress: Progress | None = None,
        change: Change | None = None, records: list[pyoxigraph.Triple] | None = None,
    ) -> None:
        """Replace several graphs and their metadata in one request: all or nothing.

        ``sources`` maps graph IRIs to ``(triples, metadata)`` (see :meth:`replace_source`).
        Where the engine applies a request as one transaction (Oxigraph), one request
        (:func:`replace_update`): a failure leaves the store exactly as it was. Elsewhere
        (Virtuoso), or when that one request would be over the engine's largest (Oxigraph takes
        128 MiB: about 650,000 triples), the new content is first written to staging graphs, in
        pieces, then swapped in with ``MOVE`` (:func:`replace_requests`): a failure while
        writing leaves every graph as it was, and on Oxigraph the swap is one transaction.
        ``progress(done, total)`` counts triples
        written into the request; the call with ``done == total`` comes once the engine has
        committed.

        Where the store :attr:`keeps_history`, each graph written (or deleted: no triples, no
        metadata) is a new version: kept in :attr:`history` first, its record (with ``change``:
        who and why) written with it (:func:`kg.history.record_versions`). ``records``: what
        :meth:`keep_versions` returned for these same ``sources``, which then are not kept again.
        """
        if not sources:
            return
        if records is None:
            if self.keeps_history:
                sources = {iri: (list(triples), list(metadata)) for iri, (triples, metadata) in sources.items()}
            records = self.keep_versions(sources, change)
        totals: list[int] = []

        def count(done: int, total: int) -> None:
            totals[:] = [total]
            if progress is not None and done < total:
                progress(done, total)

        profile = self._engine.profile
        update = None
        if profile.atomic_requests:
            # Nobody else writes to an exclusive store: graphs that hold nothing now need no DROP.
            present = self.existing_graphs(sources) if self.exclusive else None
            (update,) = replace_requests(sources, meta_graph=self.iris.meta_graph, progress=count,
                                         records=records, present=present)
            if profile.max_update_bytes is not None and len(update) > profile.max_update_bytes:
                update = None  # too large for one request: staged below
        if update is not None:
            self._write(update)
        else:
            staging = f"{self.staging_base}{uuid.uuid4().hex}/"
            *stages, swap = replace_requests(
                sources, meta_graph=self.iris.meta_graph, staging=staging, progress=count,
                max_bytes=self._engine.profile.max_update_bytes, records=records)
            try:
                for stage in stages:
                    self._write(stage)
            except BaseException:
                self._drop_staging(staging)
                raise
            self._write(swap)
        if progress is not None:
            total = totals[0] if totals else 0
            progress(total, total)

    def update(self, sparql: str) -> None:
        """Send a SPARQL Update as is (one request, one transaction). Low level: loaders use
        :meth:`replace_sources`, which is what keeps graphs and metadata consistent."""
        self._write(sparql)

    def clear(self) -> None:
        """Remove every graph (tests) — on an engine with graphs of its own, every graph of
        policykg's (and its staging graphs) only — and every version in the history store."""
        if self._history is not None:
            self._history.clear()
        if not self._engine.profile.foreign_graphs:
            self._write("DROP ALL")
            return
        ours = self._own_graphs(include_staging=True)
        if ours:
            self._write(" ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in ours))

    def staging_graphs(self) -> list[str]:
        """The staging graphs in the store: of a load writing now, or of one stopped (killed,
        crashed) before its swap — they hold no source's triples and are not in its metadata."""
        if self._engine.profile.foreign_graphs:  # Virtuoso answers GRAPH ?g {} with one empty row
            return [iri for iri in self._own_graphs(include_staging=True) if iri.startswith(self.staging_base)]
        rows = self._rows(bind("SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), ?base)) }",
                               {"base": pyoxigraph.Literal(self.staging_base)}))
        return sorted(row["g"].value for row in rows)

    def drop_stale_staging(self) -> list[str]:
        """Drop every staging graph, and say which: only for a store nobody else writes to
        (:attr:`exclusive`), where no load can be staging while it is open. Called on opening an
        embedded store on disk, so that what a killed load staged never reaches a query (the
        default graph is the union of every graph)."""
        if not self.exclusive:
            raise ConfigError("staging graphs are dropped only on a store policykg runs itself: "
                              "on an engine given by URL another process may be loading")
        found = self.staging_graphs()
        if found:
            self._write(" ;\n".join(f"DROP SILENT GRAPH {_named_node(iri, 'staging graph')}" for iri in found))
        return found

    @property
    def staging_base(self) -> str:
        """IRI prefix of the graphs a load writes before swapping them in (outside
        :attr:`kg.iris.Iris.graph_base`, so never one of policykg's graphs)."""
        return self.iris.staging_base

    # -- internals

    def _query(self, text: str, *, dataset: tuple[list[str], list[str]] = ([], [])) -> QueryResult:
        form = query_form(text)
        with self._engine.query(text, accept=_QUERY_ACCEPT.get(form, _JSON.media_type),
                                default_graph_uris=dataset[0], named_graph_uris=dataset[1]) as answer:
            body = answer.read()
            media_type = answer.media_type
        if media_type == _JSON.media_type:
            body = _VIRTUOSO_BNODE.sub(rb"\1", body)
            body = _BOOLEAN_01.sub(lambda m: m.group(1) + (b'true"' if m.group(2) == b"1" else b'false"'), body)
        max_rows = self._engine.profile.max_rows
        if form in ("CONSTRUCT", "DESCRIBE") and max_rows is not None:
            # Virtuoso cuts graph answers at ResultSetMaxRows too, without saying so.
            records = sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
            if records >= max_rows:
                raise QueryTruncated(
                    f"the engine's answer has {records} triples, its row limit: it may have been cut "
                    "(Virtuoso's ResultSetMaxRows)", limit=max_rows)
        return _parse_answer(body, media_type)

    def _rows(self, text: str) -> list[dict[str, Term]]:
        """A SELECT's rows over the engine's whole dataset (no restriction to our graphs)."""
        result = self._query(text)
        assert isinstance(result, pyoxigraph.QuerySolutions)
        names = [variable.value for variable in result.variables]
        return [{name: row[name] for name in names if row[name] is not None} for row in result]

    def _dataset(self, text: str) -> tuple[list[str], list[str]]:
        """The ``default-graph-uri`` and ``named-graph-uri`` that make the engine's dataset
        policykg's graphs: none where it already is (the embedded engine), none where the query
        names its own dataset (``FROM``)."""
        profile = self._engine.profile
        if profile.union_default_graph is None:
            profile = self._detect_union_default_graph()
        union_of_ours = profile.union_default_graph and not profile.foreign_graphs
        if union_of_ours and _FROM.search(text) is None:  # the common case: no lexing
            return [], []
        found = tokens(text)
        if any(token.kind == "keyword" and token.text == "FROM" for token in found):
            # The Oxigraph server run with --union-default-graph leaves a query's FROM out (it
            # answered `SELECT ?o FROM <g1> { ?s ?p ?o }` from every graph): the same dataset is
            # sent as the protocol's, which it honours.
            return _dataset_clauses(found) if profile.union_default_graph else ([], [])
        if union_of_ours:
            return [], []
        ours = self._own_graphs() or [self.iris.graph_base]  # an IRI that is no graph: empty
        # Virtuoso, given a dataset, ignores GRAPH <g> (or GRAPH ?g bound to <g>) when <g> is not
        # among its named graphs, and matches every named graph instead: every graph IRI the
        # query names — ours by prefix, or written after GRAPH — is made a named graph.
        named = set(ours)
        for before, token in zip([None, *found], found):
            iri = token.text[1:-1] if token.kind == "iri" else None
            if iri and (iri.startswith(self.iris.graph_base) or (before is not None and before.text == "GRAPH")):
                named.add(iri)
        return ours, sorted(named)

    def _own_graphs(self, *, include_staging: bool = False) -> list[str]:
        prefixes = [self.iris.graph_base] + ([self.staging_base] if include_staging else [])
        test = " || ".join(f"STRSTARTS(STR(?g), {pyoxigraph.Literal(prefix)})" for prefix in prefixes)
        rows = self._rows(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({test}) }}")
        return sorted(row["g"].value for row in rows)

    def _detect_union_default_graph(self):  # type: ignore[no-untyped-def]
        """Find out from one quad whether the default graph is the union of the named graphs;
        while the store holds no quad, it stays unknown (and the dataset is sent)."""
        rows = self._rows("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                          "FILTER(isIRI(?s) && !isBLANK(?o)) } LIMIT 1")
        if rows:
            pattern = pyoxigraph.Triple(rows[0]["s"], rows[0]["p"], rows[0]["o"])
            union = bool(self._query(f"ASK {{ {pattern} }}"))
            self._engine.learn(union_default_graph=union)
        return self._engine.profile

    def _write(self, sparql: str) -> None:
        """Every update goes here, so that :attr:`revision` moves even when one fails part-way."""
        try:
            self._engine.update(sparql)
        finally:
            self._writes += 1

    def _drop_staging(self, staging: str) -> None:
        try:
            rows = self._rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                              f"FILTER(STRSTARTS(STR(?g), {pyoxigraph.Literal(staging)})) }}")
            if rows:
                self._write(" ;\n".join(f"DROP SILENT GRAPH <{row['g'].value}>" for row in rows))
        except KgError:
            pass  # the failure being raised matters more; `clear` or the next load tidies up

    def _default_graph_quads(self) -> Iterator[pyoxigraph.Quad]:
        if not self._engine.has_dataset_get:
            return iter(())  # only the embedded engine keeps a default graph apart from ours
        return _parse_stream(self._engine.get_graph(None, _NTRIPLES.media_type), _NTRIPLES)

    def _graph_quads(self, graph_iri: str, *, missing_ok: bool = True) -> Iterator[pyoxigraph.Quad]:
        """One graph's quads; an unknown graph is empty, or (``missing_ok`` False) NotFound,
        raised at once."""
        name = _named_node(graph_iri, "graph")
        if not self._engine.has_graph_store:
            if not self._query(f"ASK {{ GRAPH {name} {{ ?s ?p ?o }} }}"):
                if missing_ok:
                    return iter(())
                raise NotFound(f"no graph {graph_iri} in the store")
            return self._paged(f"SELECT ?s ?p ?o WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}",
                               "?s ?p ?o", lambda row: pyoxigraph.Quad(row["s"], row["p"], row["o"], name))
        try:
            answer = self._engine.get_graph(graph_iri, _NTRIPLES.media_type)
        except NotFound:
            if missing_ok:
                return iter(())
            raise
        triples = _parse_stream(answer, _NTRIPLES)
        return (pyoxigraph.Quad(q.subject, q.predicate, q.object, name) for q in triples)

    def _quads_by_query(self) -> Iterator[pyoxigraph.Quad]:
        return self._paged("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "?g ?s ?p ?o",
                           lambda row: pyoxigraph.Quad(row["s"], row["p"], row["o"], row["g"]))

    def _paged(self, select: str, order: str, make: Callable[[dict[str, Term]], pyoxigraph.Quad]
               ) -> Iterator[pyoxigraph.Quad]:
        """The rows of ``select`` page by page (ORDER BY, LIMIT, OFFSET), each page below the
        engine's row cap — learnt from the first page cut, if it was not known."""
        max_rows = self._engine.profile.max_rows
        page = min(_PAGE, max_rows - 1) if max_rows and max_rows > 1 else _PAGE
        offset = 0
        while True:
            try:
                rows = self.select(f"{select} ORDER BY {order} LIMIT {page} OFFSET {offset}")
            except QueryTruncated as cut:
                if cut.limit is None or cut.limit <= 1 or cut.limit > page:
                    raise
                self._engine.learn(max_rows=cut.limit)
                page = cut.limit - 1
                continue
            for row in rows:
                yield make(row)
            if len(rows) < page:
                return
            offset += page


def _dataset_clauses(found: list) -> tuple[list[str], list[str]]:  # type: ignore[type-arg]
    """The IRIs of a query's ``FROM`` and ``FROM NAMED`` clauses, from its tokens."""
    default: list[str] = []
    named: list[str] = []
    for k, token in enumerate(found):
        if token.kind != "keyword" or token.text != "FROM":
            continue
        is_named = k + 1 < len(found) and found[k + 1].kind == "keyword" and found[k + 1].text == "NAMED"
        target = found[k + 2] if is_named else found[k + 1] if k + 1 < len(found) else None
        if target is None or target.kind != "iri":
            raise QueryRefused(f"FROM{' NAMED' if is_named else ''} takes a full IRI here (<…>), not a "
                               f"prefixed name (at character {token.position + 1})")
        (named if is_named else default).append(target.text[1:-1])
    return default, named


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

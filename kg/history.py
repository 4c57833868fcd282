"""Record time: every write of a source is a new version of its graph, and no version is lost
(decision 0007, docs/history.md).

Two clocks: *valid time* is in the data (``pk:date``, ``pk:since``, ``pk:until``); *record time*
is when the graph learned it. Each write of a source — a load or a deletion, from the CLI or the
API — is version ``n`` of its graph, numbered from 1:

- the version's triples are kept whole in the **history store**, a second store beside the
  main one (the directory ``history`` inside an on-disk store; in memory for one in memory), as
  the named graph ``<graph IRI>/version/<n>`` — written before the main store, so that a
  version the main store records is always there (one written by a write that then failed is
  never recorded, and the next write of that source replaces it);
- its record — when, by whom, why, from which file, its checksum and triple count — is written
  into the main store's meta graph in the same transaction as the source's current graph, with
  the IRI of the version as its subject (``pk:SourceVersion``). Records are never removed.

The main store keeps serving the current graph as before. Queries of the past
(:func:`as_of`) are answered by the history store over the versions current at that moment.
A source written before versions were kept has one implicit version 1, its current record; its
content is copied into the history store when first needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from string import Template

import pyoxigraph
from pyoxigraph import Literal, NamedNode, Triple

from kg.errors import ConfigError, NotFound
from kg.sparql import bind_rows

__all__ = ["AsOf", "Change", "Version", "as_of", "parse_moment", "version_iri", "versions"]

PK = "https://w3id.org/policykg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
WAS_REVISION_OF = NamedNode("http://www.w3.org/ns/prov#wasRevisionOf")
SOURCE_VERSION = NamedNode(PK + "SourceVersion")
VERSION_OF, NUMBER = NamedNode(PK + "versionOf"), NamedNode(PK + "versionNumber")
RECORDED_AT, RECORDED_BY, NOTE = NamedNode(PK + "recordedAt"), NamedNode(PK + "recordedBy"), NamedNode(PK + "changeNote")
DELETED, TRIPLE_COUNT = NamedNode(PK + "deleted"), NamedNode(PK + "tripleCount")
COPIED = ("recordedAt", "loadedFrom", "checksum")
"""What a version's record takes from the source graph's record as that write made it."""

VERSION = "/version/"
MAX_NOTE = 2000
MAX_BY = 200


@dataclass(frozen=True)
class Change:
    """Who made a write and why (a note, like a commit message); both optional."""

    by: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        for name, value, most in (("by", self.by, MAX_BY), ("note", self.note, MAX_NOTE)):
            if value is not None and (len(value) > most or any(ord(c) < 32 and c not in "\n\t" for c in value)):
                raise ConfigError(f"the change's {name!r} must be at most {most} characters without control "
                                  f"characters, not {value[:40]!r}…")


@dataclass(frozen=True)
class Version:
    """One version of a source's graph, as its record in the meta graph says."""

    number: int
    iri: str
    recorded_at: str | None
    by: str | None
    note: str | None
    loaded_from: str | None
    checksum: str | None
    triples: int
    deleted: bool
    recorded: bool = True
    """False for the implicit version 1 of a source written before versions were kept."""

    def as_json(self) -> dict[str, object]:
        return {"version": self.number, "id": self.iri, "recordedAt": self.recorded_at, "recordedBy": self.by,
                "changeNote": self.note, "loadedFrom": self.loaded_from, "checksum": self.checksum,
                "tripleCount": self.triples, "deleted": self.deleted}


def version_iri(graph_iri: str, number: int) -> str:
    """The IRI of version ``number`` of the source graph ``graph_iri``: its name in the history
    store, and the subject of its record in the meta graph."""
    return f"{graph_iri}{VERSION}{number}"


def version_of(iri: str) -> str | None:
    """The source graph ``iri`` is a version of (see :func:`version_iri`), or None."""
    graph, found, number = iri.rpartition(VERSION)
    return graph if found and number.isdigit() else None


# --- writing (called by Store.replace_sources) ----------------------------------------------------

# The OPTIONALs are at the top level, each in its own GRAPH, so that the graphs bound by VALUES
# (_for_graphs) join the first pattern before them: with the OPTIONALs inside one GRAPH block,
# Oxigraph 0.5 joined the VALUES by hash with every record in the store, which made each
# write's look-up grow with the store (seen with `oxigraph query --explain`). $meta is the meta
# graph's IRI, written in by _for_graphs.
_VERSIONS = Template("""PREFIX pk: <https://w3id.org/policykg/ontology#>
SELECT ?graph ?version ?number ?recordedAt ?recordedBy ?changeNote ?loadedFrom ?checksum ?tripleCount ?deleted
WHERE {
  GRAPH $meta { ?version pk:versionOf ?graph ; pk:versionNumber ?number }
  OPTIONAL { GRAPH $meta { ?version pk:recordedAt ?recordedAt } }
  OPTIONAL { GRAPH $meta { ?version pk:recordedBy ?recordedBy } }
  OPTIONAL { GRAPH $meta { ?version pk:changeNote ?changeNote } }
  OPTIONAL { GRAPH $meta { ?version pk:loadedFrom ?loadedFrom } }
  OPTIONAL { GRAPH $meta { ?version pk:checksum ?checksum } }
  OPTIONAL { GRAPH $meta { ?version pk:tripleCount ?tripleCount } }
  OPTIONAL { GRAPH $meta { ?version pk:deleted ?deleted } }
}""")
_CURRENT = Template("""PREFIX pk: <https://w3id.org/policykg/ontology#>
SELECT ?graph ?recordedAt ?loadedFrom ?checksum ?tripleCount
WHERE {
  GRAPH $meta { ?graph pk:graphOf ?source }
  OPTIONAL { GRAPH $meta { ?graph pk:recordedAt ?recordedAt } }
  OPTIONAL { GRAPH $meta { ?graph pk:loadedFrom ?loadedFrom } }
  OPTIONAL { GRAPH $meta { ?graph pk:checksum ?checksum } }
  OPTIONAL { GRAPH $meta { ?graph pk:tripleCount ?tripleCount } }
}""")


def _for_graphs(template: Template, graphs: list[str] | None, store) -> str:  # type: ignore[no-untyped-def]
    """The query of ``template`` for ``graphs`` (all when None), with the meta graph's IRI written
    in: bound by a VALUES, it would come before the graphs', and Oxigraph then read every record
    of the store before joining the graphs to them."""
    query = template.substitute(meta=str(NamedNode(store.iris.meta_graph)))
    return query if graphs is None else bind_rows(query, ["graph"], [[NamedNode(g)] for g in graphs])


def _text(row: Mapping[str, pyoxigraph.Term], key: str) -> str | None:
    return row[key].value if key in row else None


def _recorded(store, graphs: Iterable[str] | None = None) -> dict[str, list[Version]]:  # type: ignore[no-untyped-def]
    """Graph IRI → its versions, by number: the recorded ones, or the implicit version 1 of a
    graph written before versions were kept (its current record)."""
    graphs = None if graphs is None else list(graphs)
    found: dict[str, list[Version]] = {}
    for row in store.select(_for_graphs(_VERSIONS, graphs, store)):
        found.setdefault(row["graph"].value, []).append(Version(
            int(row["number"].value), row["version"].value, _text(row, "recordedAt"), _text(row, "recordedBy"),
            _text(row, "changeNote"), _text(row, "loadedFrom"), _text(row, "checksum"),
            int(_text(row, "tripleCount") or 0), _text(row, "deleted") == "true"))
    for row in store.select(_for_graphs(_CURRENT, graphs, store)):
        graph = row["graph"].value
        if graph not in found:
            found[graph] = [Version(1, version_iri(graph, 1), _text(row, "recordedAt"), None, None,
                                    _text(row, "loadedFrom"), _text(row, "checksum"),
                                    int(_text(row, "tripleCount") or 0), False, recorded=False)]
    return {graph: sorted(found_, key=lambda v: v.number) for graph, found_ in found.items()}


def record_versions(store, data: Mapping[str, tuple[list[Triple], list[Triple]]],  # type: ignore[no-untyped-def]
                    change: Change | None) -> list[Triple]:
    """Keep the new version of each graph of ``data`` (graph IRI → (triples, metadata), an
    empty pair for a deletion) in the history store, and return the records the caller writes
    into the meta graph with them (in the same transaction)."""
    change = change or Change()
    known = _recorded(store, data)
    now = Literal(dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), datatype=NamedNode(XSD + "dateTime"))
    kept: dict[str, tuple[list[Triple], list[Triple]]] = {}
    records: list[Triple] = []
    for graph, (triples, metadata) in data.items():
        earlier = known.get(graph, [])
        if earlier and not earlier[-1].recorded:  # written before versions were kept: record it now
            from kg.void import graph_record

            implicit = earlier[-1]
            content = _current_triples(store, graph)
            kept[implicit.iri] = (content, [])
            records += _record(implicit.iri, graph, 1, graph_record(store, graph), len(content), Change(), None, now)
        number = earlier[-1].number + 1 if earlier else 1
        iri = version_iri(graph, number)
        kept[iri] = (triples, [])
        records += _record(iri, graph, number, metadata, len(triples), change,
                           version_iri(graph, number - 1) if number > 1 else None, now,
                           deleted=not triples and not metadata)
    store.history.replace_sources(kept)
    return records


def _current_triples(store, graph: str) -> list[Triple]:  # type: ignore[no-untyped-def]
    return [Triple(q.subject, q.predicate, q.object) for q in store._graph_quads(graph)]


def _record(iri: str, graph: str, number: int, metadata: list[Triple], count: int, change: Change,
            previous: str | None, now: Literal, *, deleted: bool = False) -> list[Triple]:
    """The record of a version: what it copies of the graph's record (``metadata``), its size,
    who and why, the version before, and whether it was a deletion."""
    subject = NamedNode(iri)
    record = [Triple(subject, RDF_TYPE, SOURCE_VERSION), Triple(subject, VERSION_OF, NamedNode(graph)),
              Triple(subject, NUMBER, Literal(str(number), datatype=NamedNode(XSD + "integer")))]
    copied = {PK + name for name in COPIED}
    record += [Triple(subject, t.predicate, t.object) for t in metadata if t.predicate.value in copied]
    if deleted:
        record.append(Triple(subject, DELETED, Literal(True)))
    record.append(Triple(subject, TRIPLE_COUNT, Literal(str(count), datatype=NamedNode(XSD + "integer"))))
    if not any(t.predicate == RECORDED_AT for t in metadata):
        record.append(Triple(subject, RECORDED_AT, now))
    if change.by:
        record.append(Triple(subject, RECORDED_BY, Literal(change.by)))
    if change.note:
        record.append(Triple(subject, NOTE, Literal(change.note)))
    if previous:
        record.append(Triple(subject, WAS_REVISION_OF, NamedNode(previous)))
    return record


# --- reading -------------------------------------------------------------------------------------

def versions(store, slug: str) -> list[Version]:  # type: ignore[no-untyped-def]
    """The versions of source ``slug``, oldest first; NotFound when it was never written."""
    graph = store.iris.graph(slug)
    found = _recorded(store, [graph]).get(graph)
    if not found:
        raise NotFound(f"no source {slug!r} has ever been written to the store")
    return found


def version_quads(store, slug: str, number: int) -> list[pyoxigraph.Quad]:  # type: ignore[no-untyped-def]
    """The quads of version ``number`` of source ``slug``, named by the version's IRI."""
    found = {v.number: v for v in versions(store, slug)}
    if number not in found:
        raise NotFound(f"source {slug!r} has no version {number} (it has {min(found)}–{max(found)})")
    version = found[number]
    _complete(store, [version], store.iris.graph(slug))
    name = NamedNode(version.iri)
    return [pyoxigraph.Quad(q.subject, q.predicate, q.object, name)
            for q in store.history._graph_quads(version.iri)]


def _complete(store, wanted: Iterable[Version], graph_of: Mapping[str, str] | str) -> None:  # type: ignore[no-untyped-def]
    """Copy into the history store the implicit versions among ``wanted`` (their content is
    the current graph in the main store)."""
    missing = {v.iri: (_current_triples(store, graph_of if isinstance(graph_of, str) else graph_of[v.iri]), [])
               for v in wanted if not v.recorded}
    missing = {iri: data for iri, data in missing.items() if iri not in store.history.existing_graphs([iri])}
    if missing:
        store.history.replace_sources(missing)


def parse_moment(text: str, *, name: str = "as of") -> dt.datetime:
    """An ``as of`` moment: an ISO 8601 date-time (with an offset; UTC when it has none), or a
    date, which means the end of that day in UTC (everything recorded that day)."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time.max, tzinfo=dt.timezone.utc)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{name} {text!r}: give a date (2024-07-02) or a date-time with its offset "
                          "(2024-07-02T12:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _moment(literal: str | None) -> dt.datetime:
    if not literal:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    moment = dt.datetime.fromisoformat(literal.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def as_of(store, when: dt.datetime):  # type: ignore[no-untyped-def]
    """What answers queries about the graph as it stood at ``when``: the store itself when
    nothing was written since, else an :class:`AsOf` over the versions current then."""
    every = _recorded(store)
    if all(_moment(v.recorded_at) <= when for found in every.values() for v in found):
        return store
    current: dict[str, Version] = {}
    for graph, found in every.items():
        then = [v for v in found if _moment(v.recorded_at) <= when]
        if then and not then[-1].deleted:
            current[graph] = then[-1]
    _complete(store, current.values(), {v.iri: graph for graph, v in current.items()})
    return AsOf(store, when, {graph: v.iri for graph, v in current.items()})


class AsOf:
    """The graph as it stood at a moment, queried like a :class:`~kg.store.Store` (``select``,
    ``query``, ``query_bytes``, ``existing``, ``iris``, ``revision``): the history store's versions
    current then are the dataset (default and named graphs). In :meth:`select`, the versions'
    graph names are those of their sources in what goes in (substitutions) and what comes out
    (rows), so lookups that name graphs work unchanged; the engine's own serialisations
    (:meth:`query_bytes`) name the versions by their IRIs."""

    def __init__(self, store, when: dt.datetime, graphs: Mapping[str, str]):  # type: ignore[no-untyped-def]
        self.iris = store.iris
        self.when = when
        self.revision = f"{store.revision}@{when.isoformat()}"
        self.exclusive = store.exclusive
        self._history = store.history
        self._to_version = dict(graphs)
        self._to_graph = {v: g for g, v in graphs.items()}
        # With no graph at all, an IRI that is no graph: the dataset is empty, not the whole store.
        self._dataset = sorted(graphs.values()) or [self.iris.graph_base]

    def _translate(self, substitutions):  # type: ignore[no-untyped-def]
        return {key: NamedNode(self._to_version[term.value])
                if isinstance(term, NamedNode) and term.value in self._to_version else term
                for key, term in (substitutions or {}).items()}

    def query(self, sparql: str, *, substitutions=None):  # type: ignore[no-untyped-def]
        from kg.store import bind

        return self._history._query(bind(sparql, self._translate(substitutions)),
                                    dataset=(self._dataset, self._dataset))

    def existing(self, iris: Iterable[str], *, exclude_graphs: Iterable[str] = ()) -> set[str]:
        """Those of ``iris`` that were the subject of a triple then (as :meth:`Store.existing`)."""
        from kg.store import Store

        return Store.existing(self, iris, exclude_graphs=exclude_graphs)  # type: ignore[arg-type]

    def query_bytes(self, sparql: str, *, substitutions=None, media_type: str):  # type: ignore[no-untyped-def]
        """The engine's serialisation of the answer (graphs named by the versions' own IRIs)."""
        from kg.store import bind

        return self._history.query_bytes(bind(sparql, self._translate(substitutions)), media_type=media_type,
                                         default_graph_uris=self._dataset, named_graph_uris=self._dataset)

    def select(self, sparql: str, *, substitutions=None) -> list[dict]:  # type: ignore[no-untyped-def]
        result = self.query(sparql, substitutions=substitutions)
        names = [variable.value for variable in result.variables]
        back = self._to_graph
        return [{name: NamedNode(back[term.value]) if isinstance(term, NamedNode) and term.value in back else term
                 for name in names if (term := solution[name]) is not None} for solution in result]

"""The dataset's description in VoID and DCAT, generated from the store, and its dump files.

Vocabularies: VoID (https://www.w3.org/TR/void/, "Describing Linked Datasets with the VoID
Vocabulary") and DCAT 3 (https://www.w3.org/TR/vocab-dcat-3/). The description says:

* the dataset (``<service>/void#dataset``, a ``void:Dataset`` and ``dcat:Dataset``): title,
  licence (CC BY 4.0, as the ontology), ``dcterms:modified`` (the latest ``pk:recordedAt`` of
  the meta graph), ``void:uriSpace`` (the data base IRI), ``void:vocabulary`` (the namespaces
  its predicates and classes come from), ``void:sparqlEndpoint``;
* its size (VoID §4.6): ``void:triples`` counts the quads of the *source* graphs — a triple
  stated by two sources counts twice, and the meta graph (the record of each load) is not
  counted; ``void:entities`` the distinct IRIs under the base that are subjects there;
  ``void:distinctSubjects``, ``void:properties``, ``void:classes``;
* a ``void:classPartition`` per class (``void:class``, ``void:entities``) and a
  ``void:propertyPartition`` per predicate (``void:property``, ``void:triples``);
* the dumps: ``void:dataDump`` and a ``dcat:Distribution`` (``dcat:downloadURL``,
  ``dcat:mediaType``, ``dcterms:format``) per file — TriG, N-Quads and JSON-LD keep the named
  graphs (and hold the meta graph too); Turtle has no graphs and holds the union of the source
  graphs;
* each source's graph as a ``void:subset`` (the graph IRI), with its own size, record time and
  dumps.

Service addresses (the SPARQL endpoint, the dumps) are made from the configured base IRI, like
the data's identifiers: with the default base ``https://w3id.org/policykg/id/`` they are
``https://w3id.org/policykg/sparql`` and ``https://w3id.org/policykg/dumps/…``, whatever host
answers. So the description is the same everywhere.

>>> service_root(Iris())
'https://w3id.org/policykg/'
>>> dump_url(Iris(), "policykg", "trig")
'https://w3id.org/policykg/dumps/policykg.trig'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import pyoxigraph
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple

from kg.describe import ONTOLOGY
from kg.errors import NotFound
from kg.iris import SLUG, Iris
from kg.namespaces import PREFIXES
from kg.store import Store

__all__ = [
    "DATA_LICENSE",
    "DUMP_FORMATS",
    "VOID_PREFIXES",
    "WHOLE_DUMP",
    "SourceRecord",
    "dump_chunks",
    "dump_url",
    "graph_record",
    "last_modified",
    "service_root",
    "source_records",
    "void_triples",
]

DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
"""The data's licence: CC BY 4.0, the ontology's own (``dcterms:license`` of its header)."""

WHOLE_DUMP = "policykg"
"""File name (without extension) of the dump of the whole store."""

#: Dump file extension → format. TriG, N-Quads and JSON-LD keep graph names; Turtle does not.
DUMP_FORMATS: dict[str, RdfFormat] = {
    "trig": RdfFormat.TRIG,
    "nq": RdfFormat.N_QUADS,
    "ttl": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
}

PK = "https://w3id.org/policykg/ontology#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"

SLUG_LOCAL = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

#: Prefixes for writing the description (with :data:`kg.namespaces.PREFIXES`).
VOID_PREFIXES = {"void": VOID, "dcat": DCAT, "foaf": FOAF}

_SIZES = """
SELECT ?g (COUNT(*) AS ?triples)
WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?meta) }
GROUP BY ?g
"""

_SUBJECTS = """
SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?entity) AS ?entities)
WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g != ?meta)
  BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), ?base), ?s, ?none) AS ?entity)
}
"""

_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities)
WHERE { GRAPH ?g { ?s a ?class } FILTER(?g != ?meta) }
GROUP BY ?class
ORDER BY ?class
"""

_PROPERTIES = """
SELECT ?property (COUNT(*) AS ?triples)
WHERE { GRAPH ?g { ?s ?property ?o } FILTER(?g != ?meta) }
GROUP BY ?property
ORDER BY ?property
"""

_SOURCES = """
PREFIX pk: <https://w3id.org/policykg/ontology#>
SELECT ?graph ?source ?recordedAt ?loadedFrom
WHERE {
  GRAPH ?meta {
    ?graph pk:graphOf ?source .
    OPTIONAL { ?graph pk:recordedAt ?recordedAt }
    OPTIONAL { ?graph pk:loadedFrom ?loadedFrom }
  }
}
ORDER BY ?graph
"""

_RECORD = """
CONSTRUCT { ?graph ?p ?o }
WHERE { GRAPH ?meta { ?graph ?p ?o } }
"""
_RECORDS_WITH_VERSIONS = """
CONSTRUCT { ?record ?p ?o }
WHERE { GRAPH ?meta {
  { ?graph ?p ?o BIND(?graph AS ?record) }
  UNION { ?record <https://w3id.org/policykg/ontology#versionOf> ?graph ; ?p ?o }
} }
"""


def service_root(iris: Iris) -> str:
    """The service's address: the parent of the data base IRI (``…/id/`` → ``…/``)."""
    return urljoin(iris.base, "../")


def dump_url(iris: Iris, name: str, extension: str) -> str:
    """The address of a dump file: ``<service>/dumps/<name>.<extension>``."""
    return f"{service_root(iris)}dumps/{name}.{extension}"


@dataclass(frozen=True)
class SourceRecord:
    """What the meta graph says about one source's graph."""

    graph: str
    slug: str
    source: str
    recorded_at: dt.datetime | None
    loaded_from: str | None


def source_records(store: Store) -> list[SourceRecord]:
    """The sources' graphs, as recorded in the meta graph, by graph IRI."""
    rows = store.select(_SOURCES, substitutions={"meta": NamedNode(store.iris.meta_graph)})
    records: dict[str, SourceRecord] = {}
    for row in rows:
        graph = row["graph"].value
        slug = store.iris.source_slug_of_graph(graph)
        if slug is None or graph in records:
            continue
        recorded = row.get("recordedAt")
        loaded = row.get("loadedFrom")
        records[graph] = SourceRecord(graph, slug, row["source"].value, _datetime(recorded),
                                      loaded.value if loaded is not None else None)
    return list(records.values())


def graph_record(store: Store, graph: str, *, versions: bool = False) -> list[Triple]:
    """What the meta graph records about one source graph (``pk:graphOf``, ``pk:recordedAt``,
    ``pk:loadedFrom``, ``pk:checksum``, ``pk:tripleCount``): every triple it has about it; with
    ``versions``, and every triple of the records of its versions (:mod:`kg.history`)."""
    bound = {"graph": NamedNode(graph), "meta": NamedNode(store.iris.meta_graph)}
    return list(store.query(_RECORDS_WITH_VERSIONS if versions else _RECORD, substitutions=bound))  # type: ignore[arg-type]


def last_modified(store: Store, *, source: str | None = None) -> dt.datetime | None:
    """When the store (or one source, by slug) last changed: the latest ``pk:recordedAt``.

    Removing a source leaves no record, so after a removal this is when the remaining sources
    were loaded, not when the removal happened.
    """
    times = [r.recorded_at for r in source_records(store)
             if r.recorded_at is not None and (source is None or r.slug == source)]
    return max(times) if times else None


def dump_chunks(store: Store, extension: str, *, source: str | None = None) -> Iterator[bytes]:
    """The bytes of a dump file, streamed: the whole store, or one source (by slug).

    The whole store in TriG, N-Quads or JSON-LD: every named graph with its name, the meta
    graph included (the engine's own serialisation, streamed; JSON-LD in expanded form).
    In Turtle: the union of the source graphs (:meth:`Store.export`).

    One source in TriG, N-Quads or JSON-LD: its graph, with its name, and the meta graph's
    record of it (when it was loaded, from which file, its checksum) and of each of its versions
    (:mod:`kg.history`). In Turtle: its triples.
    A source's JSON-LD is built in memory (JSON-LD documents cannot be concatenated).

    Raises :class:`NotFound` for an unknown extension or source before the first chunk.
    """
    fmt = DUMP_FORMATS.get(extension)
    if fmt is None:
        raise NotFound(f"no dump format {extension!r}; there are: {', '.join(DUMP_FORMATS)}")
    if source is None:
        return store.export_chunks(fmt)
    graph = _source_graph(store, source)
    if not fmt.supports_datasets:
        return store.export_chunks(fmt, graph=graph)
    meta = NamedNode(store.iris.meta_graph)
    record = [Quad(t.subject, t.predicate, t.object, meta) for t in graph_record(store, graph, versions=True)]
    if fmt == RdfFormat.JSON_LD:
        nquads = b"".join(store.export_chunks(RdfFormat.N_QUADS, graph=graph))
        quads = list(pyoxigraph.parse(nquads, RdfFormat.N_QUADS)) + record
        return iter([pyoxigraph.serialize(quads, format=fmt) or b""])
    tail = [pyoxigraph.serialize(record, format=fmt) or b""] if record else []
    return itertools.chain(store.export_chunks(fmt, graph=graph), tail)


def _source_graph(store: Store, slug: str) -> str:
    if not SLUG.match(slug):
        raise NotFound(f"no source {slug!r}")
    graph = store.iris.graph(slug)
    if graph == store.iris.meta_graph or graph not in store.graphs():
        raise NotFound(f"no source {slug!r} in the store")
    return graph


def void_triples(store: Store) -> list[Triple]:
    """The VoID and DCAT description of the store (see the module docstring)."""
    iris = store.iris
    root = service_root(iris)
    bound = {"meta": NamedNode(iris.meta_graph)}
    sizes = {row["g"].value: int(row["triples"].value) for row in store.select(_SIZES, substitutions=bound)}
    counts = store.select(_SUBJECTS, substitutions={**bound, "base": Literal(iris.base)})[0]
    classes = store.select(_CLASSES, substitutions=bound)
    properties = store.select(_PROPERTIES, substitutions=bound)
    records = source_records(store)

    dataset = NamedNode(root + "void#dataset")
    description = NamedNode(root + "void")
    endpoint = NamedNode(root + "sparql")
    out: list[Triple] = []

    def add(subject: NamedNode, predicate: str, obj: NamedNode | Literal) -> None:
        out.append(Triple(subject, NamedNode(predicate), obj))

    def integer(value: int) -> Literal:
        return Literal(str(value), datatype=NamedNode(XSD + "integer"))

    add(description, str(RDF_TYPE.value), NamedNode(VOID + "DatasetDescription"))
    add(description, DCTERMS + "title", Literal("Description of the policykg dataset", language="en"))
    add(description, FOAF + "primaryTopic", dataset)

    add(dataset, RDF_TYPE.value, NamedNode(VOID + "Dataset"))
    add(dataset, RDF_TYPE.value, NamedNode(DCAT + "Dataset"))
    add(dataset, DCTERMS + "title", Literal("policykg", language="en"))
    add(dataset, DCTERMS + "description", Literal(
        "A knowledge graph of policy claims: who said what, when, on whose behalf, about which "
        "resolution or policy, and which position that shows, every fact traceable to the source "
        "that reported it. Each source's triples are in their own named graph; the meta graph "
        f"<{iris.meta_graph}> records when and from which file each was loaded. void:triples "
        "counts the quads of the source graphs (the meta graph is not counted).", language="en"))
    add(dataset, DCTERMS + "license", NamedNode(DATA_LICENSE))
    add(dataset, DCTERMS + "conformsTo", NamedNode(ONTOLOGY))
    modified = max((r.recorded_at for r in records if r.recorded_at is not None), default=None)
    if modified is not None:
        add(dataset, DCTERMS + "modified", _datetime_literal(modified))
    add(dataset, VOID + "uriSpace", Literal(iris.base))
    add(dataset, VOID + "sparqlEndpoint", endpoint)

    source_graphs = [g for g in sizes if g != iris.meta_graph]
    add(dataset, VOID + "triples", integer(sum(sizes[g] for g in source_graphs)))
    add(dataset, VOID + "entities", integer(int(counts["entities"].value)))
    add(dataset, VOID + "distinctSubjects", integer(int(counts["subjects"].value)))
    add(dataset, VOID + "properties", integer(len(properties)))
    add(dataset, VOID + "classes", integer(len(classes)))

    vocabularies: set[str] = set()
    for row in classes:
        partition = NamedNode(f"{root}void#class-{_fragment(row['class'].value)}")
        add(dataset, VOID + "classPartition", partition)
        add(partition, VOID + "class", row["class"])
        add(partition, VOID + "entities", integer(int(row["entities"].value)))
        vocabularies.add(_namespace(row["class"].value))
    for row in properties:
        partition = NamedNode(f"{root}void#property-{_fragment(row['property'].value)}")
        add(dataset, VOID + "propertyPartition", partition)
        add(partition, VOID + "property", row["property"])
        add(partition, VOID + "triples", integer(int(row["triples"].value)))
        vocabularies.add(_namespace(row["property"].value))
    for vocabulary in sorted(v for v in vocabularies if v):
        add(dataset, VOID + "vocabulary", NamedNode(vocabulary))

    for fmt in DUMP_FORMATS.values():
        add(dataset, VOID + "feature", NamedNode(_format_iri(fmt)))
    _distributions(add, dataset, iris, WHOLE_DUMP, root + "void#dump", whole=True)

    add(endpoint, RDF_TYPE.value, NamedNode(DCAT + "DataService"))
    add(endpoint, DCAT + "endpointURL", endpoint)
    add(endpoint, DCAT + "servesDataset", dataset)
    add(endpoint, DCTERMS + "conformsTo", NamedNode(SPARQL_PROTOCOL))
    add(endpoint, DCTERMS + "title", Literal("policykg SPARQL endpoint (read-only)", language="en"))

    for record in records:
        subset = NamedNode(record.graph)
        add(dataset, VOID + "subset", subset)
        add(subset, RDF_TYPE.value, NamedNode(VOID + "Dataset"))
        add(subset, RDF_TYPE.value, NamedNode(DCAT + "Dataset"))
        add(subset, DCTERMS + "source", NamedNode(record.source))
        add(subset, DCTERMS + "license", NamedNode(DATA_LICENSE))
        add(subset, VOID + "triples", integer(sizes.get(record.graph, 0)))
        if record.recorded_at is not None:
            add(subset, DCTERMS + "modified", _datetime_literal(record.recorded_at))
        _distributions(add, subset, iris, record.slug, f"{root}void#dump-{record.slug}", whole=False)
    return out


def _distributions(add, dataset: NamedNode, iris: Iris, name: str, prefix: str, *, whole: bool) -> None:  # noqa: ANN001
    for extension, fmt in DUMP_FORMATS.items():
        url = NamedNode(dump_url(iris, name, extension))
        distribution = NamedNode(f"{prefix}-{extension}")
        add(dataset, VOID + "dataDump", url)
        add(dataset, DCAT + "distribution", distribution)
        add(distribution, RDF_TYPE.value, NamedNode(DCAT + "Distribution"))
        add(distribution, DCAT + "downloadURL", url)
        add(distribution, DCAT + "accessURL", url)
        add(distribution, DCAT + "mediaType", NamedNode(IANA_MEDIA_TYPES + fmt.media_type))
        add(distribution, DCTERMS + "format", NamedNode(_format_iri(fmt)))
        add(distribution, DCTERMS + "license", NamedNode(DATA_LICENSE))
        add(distribution, DCTERMS + "title", Literal(f"{name}.{extension} ({fmt.name})", language="en"))
        add(distribution, DCTERMS + "description", Literal(_dump_note(fmt, whole), language="en"))


def _dump_note(fmt: RdfFormat, whole: bool) -> str:
    if whole and fmt.supports_datasets:
        return (f"Every named graph of the store in {fmt.name}, with its graph name: each source's "
                "graph and the meta graph that records the loads.")
    if whole:
        return (f"The union of the source graphs in {fmt.name}, which has no named graphs: graph "
                "names and the meta graph are left out.")
    if fmt.supports_datasets:
        return (f"This source's named graph in {fmt.name}, with its graph name, and the meta "
                "graph's record of its load.")
    return f"This source's triples in {fmt.name}, which has no named graphs."


def _format_iri(fmt: RdfFormat) -> str:
    """The format's IRI in the W3C registry (https://www.w3.org/ns/formats/); pyoxigraph 0.5
    names JSON-LD ``https://www.w3.org/ns/formats/data/JSON-LD``, which the registry does not."""
    return "http://www.w3.org/ns/formats/JSON-LD" if fmt == RdfFormat.JSON_LD else fmt.iri


def _fragment(iri: str) -> str:
    """A stable fragment for a partition: ``pk-Statement`` for a known prefix, else a hash.

    >>> _fragment("https://w3id.org/policykg/ontology#Statement"), _fragment("http://example.org/C")
    ('pk-Statement', 'c629995efce10666')
    """
    for prefix, namespace in PREFIXES.items():
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and SLUG_LOCAL.match(local):
            return f"{prefix}-{local}"
    return hashlib.sha256(iri.encode()).hexdigest()[:16]


def _namespace(iri: str) -> str:
    """The vocabulary an IRI belongs to: up to its last ``#`` (dropped) or ``/``."""
    if "#" in iri:
        return iri.rsplit("#", 1)[0]
    return iri.rsplit("/", 1)[0] + "/"


def _datetime(term: object) -> dt.datetime | None:
    if not isinstance(term, Literal):
        return None
    try:
        value = dt.datetime.fromisoformat(term.value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _datetime_literal(value: dt.datetime) -> Literal:
    text = value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return Literal(text, datatype=NamedNode(XSD + "dateTime"))

"""The SPARQL 1.1 Service Description of the ``/sparql`` endpoint.

Implements https://www.w3.org/TR/sparql11-service-description/ (§3: the service, its
endpoint, language, features, result formats and default dataset). ``GET /sparql`` without a
query answers with it. It is built from what the server is configured with — the endpoint's
URL as the client reached it, the query timeout, the answer size limit, the limits of
:mod:`kg.guard` — and from the store's named graphs.

>>> triples = describe_service("http://127.0.0.1:8000/sparql", graphs=["https://w3id.org/policykg/graph/meta"],
...                            meta_graph="https://w3id.org/policykg/graph/meta")
>>> text = serialize_description(triples, pyoxigraph.RdfFormat.TURTLE).decode()
>>> "sd:feature sd:UnionDefaultGraph" in text and "sd:supportedLanguage sd:SPARQL11Query" in text
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg import guard

__all__ = ["GRAPH_FORMATS", "RESULTS_FORMATS", "describe_service", "media_type", "serialize_description"]

SD = "http://www.w3.org/ns/sparql-service-description#"
ENTAILMENT_SIMPLE = "http://www.w3.org/ns/entailment/Simple"
"""Simple entailment: answers come from the stored triples as they are, with no inference."""

RESULTS_FORMATS: tuple[pyoxigraph.QueryResultsFormat, ...] = (
    pyoxigraph.QueryResultsFormat.JSON,
    pyoxigraph.QueryResultsFormat.XML,
    pyoxigraph.QueryResultsFormat.CSV,
    pyoxigraph.QueryResultsFormat.TSV,
)
"""Answers to SELECT and ASK, the first the default."""

GRAPH_FORMATS: tuple[pyoxigraph.RdfFormat, ...] = (
    pyoxigraph.RdfFormat.TURTLE,
    pyoxigraph.RdfFormat.JSON_LD,
    pyoxigraph.RdfFormat.N_TRIPLES,
    pyoxigraph.RdfFormat.RDF_XML,
)
"""Answers to CONSTRUCT and DESCRIBE (and this description), the first the default."""

# pyoxigraph 0.5 names JSON-LD https://www.w3.org/ns/formats/data/JSON-LD; the W3C's own list of
# format IRIs (https://www.w3.org/ns/formats/) has http://www.w3.org/ns/formats/JSON-LD.
_W3C_FORMAT = {pyoxigraph.RdfFormat.JSON_LD: "http://www.w3.org/ns/formats/JSON-LD"}

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCTERMS = "http://purl.org/dc/terms/"
_PREFIXES = {"sd": SD, "rdfs": _RDFS, "dcterms": _DCTERMS, "format": "http://www.w3.org/ns/formats/",
             "ent": "http://www.w3.org/ns/entailment/"}


def media_type(fmt: pyoxigraph.QueryResultsFormat | pyoxigraph.RdfFormat) -> str:
    """The format's media type without parameters.

    >>> media_type(pyoxigraph.QueryResultsFormat.CSV)
    'text/csv'
    """
    return fmt.media_type.split(";")[0].strip()


def describe_service(
    endpoint_url: str,
    *,
    graphs: Iterable[str] = (),
    meta_graph: str | None = None,
    query_timeout: float | None = None,
    max_result: int | None = None,
) -> list[Triple]:
    """The description of the endpoint at ``endpoint_url`` as triples.

    ``graphs``: the store's named graphs (each listed as an ``sd:NamedGraph``; ``meta_graph``
    is labelled as the one describing the others). The default graph is the union of the named
    graphs (``sd:UnionDefaultGraph``). ``query_timeout`` (seconds) and ``max_result`` (bytes)
    are stated in the service's comment with the limits of :mod:`kg.guard`.
    """
    service = NamedNode(endpoint_url)
    dataset, default_graph = BlankNode(), BlankNode()

    def sd(name: str) -> NamedNode:
        return NamedNode(SD + name)

    a = NamedNode(_RDF + "type")
    comment = NamedNode(_RDFS + "comment")
    triples = [
        Triple(service, a, sd("Service")),
        Triple(service, NamedNode(_DCTERMS + "title"), Literal("policykg SPARQL endpoint", language="en")),
        Triple(service, comment, Literal(_limits(query_timeout, max_result), language="en")),
        Triple(service, sd("endpoint"), service),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("defaultEntailmentRegime"), NamedNode(ENTAILMENT_SIMPLE)),
    ]
    for fmt in (*RESULTS_FORMATS, *GRAPH_FORMATS):
        triples.append(Triple(service, sd("resultFormat"), NamedNode(_W3C_FORMAT.get(fmt, fmt.iri))))
    named = [(BlankNode(), iri) for iri in graphs]
    triples += [
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, a, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        *(Triple(dataset, sd("namedGraph"), node) for node, _ in named),
        Triple(default_graph, a, sd("Graph")),
        Triple(default_graph, comment, Literal(
            "The default graph is the union of the named graphs: the graph of each source, and "
            "the meta graph that records when and from which file each source was loaded. "
            "default-graph-uri and named-graph-uri (or FROM, FROM NAMED) choose other graphs.",
            language="en")),
    ]
    for node, iri in named:
        triples += [Triple(node, a, sd("NamedGraph")), Triple(node, sd("name"), NamedNode(iri))]
        if iri == meta_graph:
            triples.append(Triple(node, comment, Literal(
                "The meta graph: when and from which file each source graph was loaded.", language="en")))
    return triples


def serialize_description(triples: Sequence[Triple], fmt: pyoxigraph.RdfFormat) -> bytes:
    """The description in ``fmt`` (Turtle with the ``sd:`` prefix and friends)."""
    prefixes = _PREFIXES if fmt in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.TRIG) else None
    return pyoxigraph.serialize(triples, format=fmt, prefixes=prefixes) or b""


def _limits(query_timeout: float | None, max_result: int | None) -> str:
    parts = ["Read-only: SPARQL 1.1 Query by GET or POST; updates, LOAD and SERVICE are refused (400)."]
    if query_timeout is not None:
        parts.append(f"A query stops after {query_timeout:g} s (504).")
    if max_result is not None:
        parts.append(f"Answers over {max_result:,} bytes are refused (400): add LIMIT, or use the dumps.")
    parts.append(
        f"A query may have at most {guard.MAX_QUERY_BYTES:,} bytes, nest {{}}, () and [] "
        f"{guard.MAX_DEPTH} deep, hold {guard.MAX_PATTERNS} triple patterns and groups, "
        f"{guard.MAX_OPERATORS} operators and clauses, and IRIs of {guard.MAX_IRI_LENGTH:,} characters."
    )
    return " ".join(parts)

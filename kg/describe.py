"""What the linked-data page of one entity holds, and the vocabulary files as RDF.

The description of an entity (what ``/id/{kind}/{slug}`` answers, in HTML or RDF) is read from
the union of the graphs, duplicates removed:

1. its own triples (``<entity> ?p ?o``), with those of the blank nodes it points to;
2. the labels and titles (``rdfs:label``, ``skos:prefLabel``, ``dcterms:title``, ``pk:symbol``)
   of everything it links to, so that a reader sees names rather than IRIs;
3. what points to it (``?s ?p <entity>``): the statements, positions, memberships, sources' graph
   records… with their own triples (at most :data:`MAX_INCOMING` of them, in IRI order), and
   the labels of what *those* link to (the speaker of a statement, the target of a position).

This is a symmetric concise bounded description (CBD) with labels, as Linked Data servers
such as Pubby give; ``incoming_total`` says how many things point to the entity when not all of
them fitted.

>>> from pyoxigraph import Literal, NamedNode, Triple
>>> with Store() as store:
...     iris = store.iris
...     china = NamedNode(iris.entity("actor", "china"))
...     said = NamedNode(iris.hashed("statement", "demo", "s1"))
...     store.replace_source(iris.graph("demo"), [
...         Triple(china, RDFS_LABEL, Literal("China", language="en")),
...         Triple(said, NamedNode(PK + "speaker"), china)], metadata=[])
...     page = describe(store, china.value)
>>> page.label(china.value), len(page.incoming()), page.title()
('China', 1, 'China')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple

from kg.errors import NotFound
from kg.jsonld import to_jsonld
from kg.namespaces import PREFIXES
from kg.resources import ontology_files, shapes_files
from kg.store import Store

__all__ = [
    "LABEL_PREDICATES",
    "MAX_INCOMING",
    "Description",
    "OntologyTerm",
    "describe",
    "grouped_triples",
    "ontology_header",
    "ontology_terms",
    "ontology_triples",
    "serialize_triples",
    "shapes_triples",
    "term_labels",
    "used_prefixes",
]

Term = NamedNode | BlankNode | Literal | Triple

PK = "https://w3id.org/policykg/ontology#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_TITLE = NamedNode("http://purl.org/dc/terms/title")
SKOS_PREF_LABEL = NamedNode(SKOS + "prefLabel")
SKOS_DEFINITION = NamedNode(SKOS + "definition")
PK_SYMBOL = NamedNode(PK + "symbol")

#: Predicates whose values name a thing, most preferred first.
LABEL_PREDICATES = (RDFS_LABEL, SKOS_PREF_LABEL, PK_SYMBOL, DCTERMS_TITLE)

#: At most this many things pointing at an entity are described with it.
MAX_INCOMING = 500

# The entity's own triples, and those of the blank nodes it points to (one level).
_OWN = """
CONSTRUCT { ?entity ?p ?o . ?o ?bp ?bo . }
WHERE {
  ?entity ?p ?o .
  OPTIONAL { ?o ?bp ?bo FILTER(isBlank(?o)) }
}
"""

# What points to the entity, in a stable order (LIMIT appended from an int).
_INCOMING = """
SELECT DISTINCT ?s ?p
WHERE { ?s ?p ?entity }
ORDER BY ?s ?p
"""

_INCOMING_COUNT = """
SELECT (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s ?p ?entity }
"""


@dataclass(frozen=True)
class Description:
    """The triples of an entity's page, with helpers to read them (see the module docstring)."""

    iri: str
    triples: tuple[Triple, ...]
    incoming_total: int = 0
    _index: dict[tuple[str, str], list[Term]] = field(default_factory=dict, repr=False,
                                                                 compare=False)

    def __post_init__(self) -> None:
        for triple in self.triples:
            key = (str(triple.subject), triple.predicate.value)
            self._index.setdefault(key, []).append(triple.object)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self.triples)

    def __len__(self) -> int:
        return len(self.triples)

    @property
    def node(self) -> NamedNode:
        return NamedNode(self.iri)

    def values(self, subject: str | NamedNode | BlankNode, predicate: NamedNode) -> list[Term]:
        """The objects of ``subject predicate ?o`` (an IRI string means a named node)."""
        key = str(NamedNode(subject)) if isinstance(subject, str) else str(subject)
        return list(self._index.get((key, predicate.value), ()))

    def outgoing(self) -> list[Triple]:
        """The entity's own triples."""
        return [t for t in self.triples if t.subject == self.node]

    def incoming(self) -> list[Triple]:
        """The triples that point to the entity (the entity itself excluded)."""
        return [t for t in self.triples if t.object == self.node and t.subject != self.node]

    def types(self, subject: str | None = None) -> list[str]:
        """The ``rdf:type`` IRIs of ``subject`` (default: the entity), sorted."""
        return sorted(t.value for t in self.values(subject or self.iri, RDF_TYPE) if isinstance(t, NamedNode))

    def label(self, subject: str | NamedNode | BlankNode) -> str | None:
        """The best name of ``subject`` in the description (English preferred), or None."""
        for predicate in LABEL_PREDICATES:
            literals = [v for v in self.values(subject, predicate) if isinstance(v, Literal)]
            if literals:
                literals.sort(key=lambda lit: (lit.language not in ("en", None), lit.language or "", lit.value))
                return literals[0].value
        return None

    def name(self, term: Term) -> str:
        """A readable name for any term: its label here, an ontology label, or a short form."""
        if isinstance(term, Literal):
            return term.value
        if isinstance(term, (NamedNode, BlankNode)):
            found = self.label(term) or (term_labels().get(term.value) if isinstance(term, NamedNode) else None)
            if found:
                return found
            if isinstance(term, NamedNode):
                return _short(term.value)
        return str(term)

    def title(self, subject: str | None = None) -> str:
        """A heading for ``subject`` (default: the entity): :meth:`summary`, else a short form
        of the IRI."""
        node = subject or self.iri
        return self.summary(node) or _short(node)

    def summary(self, subject: str) -> str | None:
        """``subject``'s label, else a summary made from its properties (a statement's speaker
        and date, a position's holder, stance and target); None when the description has neither."""
        node = subject
        label = self.label(node)
        if label:
            return label
        types = self.types(node)

        def first(predicate: str) -> str | None:
            found = self.values(node, NamedNode(predicate if "://" in predicate else PK + predicate))
            return self.name(found[0]) if found else None

        if PK + "Statement" in types:
            speaker, date = first("speaker"), first("date")
            return "Statement" + (f" by {speaker}" if speaker else "") + (f", {date}" if date else "")
        if PK + "Position" in types:
            parts = [first("holder"), first("stance"), first("target")]
            return "Position: " + " ".join(p for p in parts if p) if any(parts) else "Position"
        if ORG + "Membership" in types:
            role, organization = first(ORG + "role"), first(ORG + "organization")
            what = ", ".join(p for p in (role, organization) if p)
            return f"Membership: {first(ORG + 'member') or '?'}" + (f" — {what}" if what else "")
        if PK + "Provision" in types:
            part_of, verb = first("http://purl.org/dc/terms/isPartOf"), first("operativeVerb")
            return "Provision" + (f" of {part_of}" if part_of else "") + (f" ({verb})" if verb else "")
        return None


def describe(store: Store, iri: str, *, max_incoming: int = MAX_INCOMING) -> Description:
    """The description of ``iri`` (see the module docstring); NotFound when nothing is said
    about it (it is the subject of no triple)."""
    entity = {"entity": NamedNode(iri)}
    own = list(store.query(_OWN, substitutions=entity))
    if not own:
        raise NotFound(f"nothing is known about {iri}")
    limit = max(1, int(max_incoming)) * 4  # (subject, predicate) pairs; subjects cut below
    rows = store.select(_INCOMING + f"LIMIT {limit}", substitutions=entity)
    links = [Triple(row["s"], row["p"], NamedNode(iri)) for row in rows]
    subjects = list(dict.fromkeys(t.subject for t in links if isinstance(t.subject, NamedNode)))
    subjects = subjects[:max_incoming]
    kept = set(subjects)
    links = [t for t in links if t.subject in kept or not isinstance(t.subject, NamedNode)]
    if len(rows) < limit and len(subjects) < max_incoming:
        total = len(dict.fromkeys(t.subject for t in links))
    else:
        counted = store.select(_INCOMING_COUNT, substitutions=entity)
        total = int(counted[0]["n"].value)
    around = store.context_of(s.value for s in subjects) if subjects else []
    named = {t.object.value for t in (*own, *around) if isinstance(t.object, NamedNode)}
    named.discard(iri)
    named -= {s.value for s in subjects}
    labels = store.context_of(sorted(named), predicates=[p.value for p in LABEL_PREDICATES]) if named else []
    ordered = sorted([*labels, *links, *around], key=lambda t: str(t.subject))
    triples = tuple(dict.fromkeys([*own, *ordered]))
    return Description(iri, triples, incoming_total=total)


def grouped_triples(triples: Iterable[Triple]) -> list[Triple]:
    """``triples`` without repeats, each subject's together (subjects in the order they first
    come), its ``rdf:type`` first, then by predicate and object: the order they are written in."""
    grouped: dict[str, list[Triple]] = {}
    for triple in dict.fromkeys(triples):
        grouped.setdefault(str(triple.subject), []).append(triple)
    return [t for group in grouped.values()
            for t in sorted(group, key=lambda t: (t.predicate != RDF_TYPE, t.predicate.value, str(t.object)))]


def serialize_triples(triples: Iterable[Triple], fmt: RdfFormat, *,
                      prefixes: dict[str, str] | None = None, compact: bool = True) -> bytes:
    """``triples`` in ``fmt``, each subject's triples together.

    JSON-LD is compacted with policykg's context (:func:`kg.jsonld.to_jsonld`, the API's keys)
    unless ``compact`` is false: then it is pyoxigraph's expanded JSON-LD, for documents whose
    terms the context does not cover (VoID, the ontology). The other formats are written by
    pyoxigraph with the prefixes the triples use (of :data:`kg.namespaces.PREFIXES` and
    ``prefixes``).

    >>> t = Triple(NamedNode("https://w3id.org/policykg/id/actor/china"), RDFS_LABEL, Literal("China"))
    >>> print(serialize_triples([t], RdfFormat.TURTLE).decode().strip())
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <https://w3id.org/policykg/id/actor/china> rdfs:label "China" .
    """
    ordered = grouped_triples(triples)
    if fmt == RdfFormat.JSON_LD and compact:
        return to_jsonld(ordered).encode("utf-8")
    if fmt in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS, RdfFormat.JSON_LD):
        return pyoxigraph.serialize(ordered, format=fmt) or b""
    used = used_prefixes(ordered, {**PREFIXES, **(prefixes or {})})
    return pyoxigraph.serialize(ordered, format=fmt, prefixes=used) or b""


_PLAIN = {"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


def used_prefixes(triples: Iterable[Triple | Quad], prefixes: dict[str, str]) -> dict[str, str]:
    """Those of ``prefixes`` whose namespace an IRI of ``triples`` (or quads) starts with: the
    prefixes worth writing."""
    iris: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object, getattr(triple, "graph_name", None)):
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal) and term.datatype.value not in _PLAIN:
                iris.add(term.datatype.value)
    return {prefix: namespace for prefix, namespace in prefixes.items()
            if any(iri.startswith(namespace) for iri in iris)}


def _short(iri: str) -> str:
    """``pk:Statement`` for a known namespace, else the IRI's last segment."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


# --- the vocabulary files -------------------------------------------------------------------------


def _read(paths: Iterable) -> tuple[Triple, ...]:
    triples: dict[Triple, None] = {}
    for path in paths:
        with open(path, "rb") as handle:
            for quad in pyoxigraph.parse(handle, RdfFormat.TURTLE, base_iri=path.as_uri()):
                triples[Triple(quad.subject, quad.predicate, quad.object)] = None
    return tuple(triples)


@lru_cache(maxsize=1)
def ontology_triples() -> tuple[Triple, ...]:
    """The ontology's files (``ontology/*.ttl``) merged into one set of triples."""
    return _read(ontology_files())


@lru_cache(maxsize=1)
def shapes_triples() -> tuple[Triple, ...]:
    """The SHACL shapes (``shapes/*.ttl``) as one set of triples."""
    return _read(shapes_files())


@lru_cache(maxsize=1)
def term_labels() -> dict[str, str]:
    """Ontology term IRI → its English label (classes, properties, concepts and schemes).

    >>> term_labels()["https://w3id.org/policykg/ontology#onBehalfOf"]
    'on behalf of'
    """
    labels: dict[str, str] = {}
    for triple in ontology_triples():
        if (triple.predicate == RDFS_LABEL and isinstance(triple.subject, NamedNode)
                and isinstance(triple.object, Literal) and triple.object.language in ("en", None)):
            labels.setdefault(triple.subject.value, triple.object.value)
    return labels


ONTOLOGY = "https://w3id.org/policykg/ontology"


@lru_cache(maxsize=1)
def ontology_header() -> dict[str, str]:
    """The ontology's IRI, title, description and version, from its header.

    >>> ontology_header()["title"]
    'policykg ontology'
    """
    wanted = {"http://purl.org/dc/terms/title": "title", "http://purl.org/dc/terms/description": "description",
              "http://www.w3.org/2002/07/owl#versionInfo": "version"}
    header = {"iri": ONTOLOGY}
    for triple in ontology_triples():
        if triple.subject == NamedNode(ONTOLOGY) and triple.predicate.value in wanted:
            header.setdefault(wanted[triple.predicate.value], triple.object.value)
    return header


@dataclass(frozen=True)
class OntologyTerm:
    """One term defined by the ontology, for its HTML page."""

    iri: str
    name: str  # local name, the page anchor
    kind: str  # class, object property, datatype property, annotation property, concept scheme, concept
    label: str
    comment: str


_KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "object property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "datatype property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "annotation property",
    SKOS + "ConceptScheme": "concept scheme",
    SKOS + "Concept": "concept",
}
KIND_ORDER = ("class", "object property", "datatype property", "annotation property",
              "concept scheme", "concept")


@lru_cache(maxsize=1)
def ontology_terms() -> tuple[OntologyTerm, ...]:
    """The ``pk:`` terms of the ontology, by kind then name.

    >>> next(t for t in ontology_terms() if t.name == "Statement").kind
    'class'
    """
    kinds: dict[str, str] = {}
    comments: dict[str, str] = {}
    for triple in ontology_triples():
        subject = triple.subject
        if not isinstance(subject, NamedNode) or not subject.value.startswith(PK):
            continue
        if triple.predicate == RDF_TYPE and triple.object.value in _KINDS:
            kind = _KINDS[triple.object.value]
            if subject.value not in kinds or KIND_ORDER.index(kind) < KIND_ORDER.index(kinds[subject.value]):
                kinds[subject.value] = kind
        elif triple.predicate in (RDFS_COMMENT, SKOS_DEFINITION) and isinstance(triple.object, Literal):
            comments.setdefault(subject.value, triple.object.value)
    labels = term_labels()
    terms = [OntologyTerm(iri, iri[len(PK):], kind, labels.get(iri, iri[len(PK):]), comments.get(iri, ""))
             for iri, kind in kinds.items()]
    return tuple(sorted(terms, key=lambda t: (KIND_ORDER.index(t.kind), t.name.lower())))

"""Interchange: one statement as a nanopublication, and as a schema.org ClaimReview.

**Nanopublication** (the nanopublication guidelines, https://nanopub.net/guidelines/working_draft/,
schema ``http://www.nanopub.org/nschema#``, prefix ``np:``): four named graphs.

- *head*: ``this: a np:Nanopublication ; np:hasAssertion sub:assertion ; np:hasProvenance
  sub:provenance ; np:hasPublicationInfo sub:pubinfo``.
- *assertion*: the statement's triples as the source graphs state them (and those of the blank
  nodes it points to: named query ``statement_by_graph``), with the ``rdf:type``,
  ``rdfs:label``, ``pk:symbol``, ``dcterms:title`` and ``owl:sameAs`` of every thing it refers
  to (speaker, onBehalfOf, about, occasion, …), so that it reads on its own.
- *provenance*: ``sub:assertion prov:wasDerivedFrom`` each source and each source graph that
  states it; each source's own triples (title, publisher, issued, url, …) and its publisher's
  type and name; and each source graph's record in the meta graph (``pk:graphOf``,
  ``pk:recordedAt``, ``pk:loadedFrom``, ``pk:checksum``, ``pk:tripleCount``): how the graph
  learned it.
- *publication info*: ``this: dcterms:created`` the latest ``pk:recordedAt`` of those graphs
  (the nanopublication is made from them, so the same statement gives the same
  nanopublication until one of its sources is loaded again); ``dcterms:creator`` the policykg
  project, named by the service's root address (a ``prov:Organization``, also the
  ClaimReview's ``author``); ``dcterms:license`` the data's licence (CC BY 4.0);
  ``dcterms:isPartOf`` the dataset of the VoID description; an ``rdfs:label``.

It is not signed and has no trusty URI: it is a view of the graph, made again on each request.

**ClaimReview** (https://schema.org/ClaimReview): the statement as a ``schema:Claim`` (its IRI,
``author`` the speaker, ``sourceOrganization`` on whose behalf, ``datePublished`` when it was
said, ``text`` the verbatim quotes, ``description`` the paraphrase, ``appearance`` every source
with its url, publisher and datePublished, ``firstAppearance`` the earliest of them,
``correction`` the statement that corrects it), reviewed by policykg. ``claimReviewed`` is
the words: the quote when there is exactly one, else the paraphrase, else the quotes joined by
" … ". The review is of the *attribution* — do the cited sources report that this speaker said
these words — never of the claim's truth; ``reviewAspect`` and ``reviewBody`` say so. Its ``reviewRating``
comes from the statement's curation: ``pk:curationStatus`` (``pk:draft``, ``pk:reviewed``,
``pk:disputed``), ``pk:attributionConfidence`` (``ratingValue`` on a scale from
``worstRating`` 0 to ``bestRating`` 1), ``pk:retractedOn`` and ``pk:retractionReason`` (of the
statement or of a source), ``pk:correctedBy``; with none of them there is no rating. The
document is JSON-LD with its context inline (``@vocab`` ``https://schema.org/``, ``url`` and
``sameAs`` as IRIs), so it is read without fetching anything.

Both are built from the same graphs: :func:`nanopub` reads the store, :func:`claim_review`
reads the nanopublication.

IRIs (:func:`nanopub_iris`), from the statement's: for ``<base>statement/<hex>`` the
nanopublication is ``<service>statements/<hex>/nanopub`` — the address the web API serves it
at, ``<service>`` being the parent of the data base (``https://w3id.org/policykg/`` by
default, as in :func:`kg.void.service_root`) — and its graphs are that IRI with ``#Head``,
``#assertion``, ``#provenance`` and ``#pubinfo``; the ClaimReview is
``<service>statements/<hex>/claimreview``.

>>> nanopub_iris(Iris(), "https://w3id.org/policykg/id/statement/9e23eafbad935b76").assertion
'https://w3id.org/policykg/statements/9e23eafbad935b76/nanopub#assertion'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple

from kg.describe import grouped_triples, used_prefixes
from kg.errors import NotFound
from kg.iris import Iris
from kg.jsonld import to_jsonld
from kg.lookups import statement_iri
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.store import Store
from kg.void import DATA_LICENSE, graph_record, service_root

__all__ = [
    "CLAIMREVIEW_CONTEXT",
    "NANOPUB_FORMATS",
    "Nanopub",
    "NanopubIris",
    "claim_review",
    "claimreview",
    "claimreview_bytes",
    "claimreview_iri",
    "nanopub",
    "nanopub_iris",
]

NP = "http://www.nanopub.org/nschema#"
PK, PROV, DCTERMS, SCHEMA = (PREFIXES[name] for name in ("pk", "prov", "dcterms", "schema"))
RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
RDFS_LABEL = NamedNode(PREFIXES["rdfs"] + "label")
SAME_AS = NamedNode(PREFIXES["owl"] + "sameAs")
DERIVED_FROM = NamedNode(PROV + "wasDerivedFrom")

#: A nanopublication's formats (each keeps the graph names), by the CLI's ``--format`` name.
NANOPUB_FORMATS = {"trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS, "jsonld": RdfFormat.JSON_LD}

#: What the assertion says of each thing the statement refers to.
_NAMING = (RDF_TYPE.value, RDFS_LABEL.value, PK + "symbol", DCTERMS + "title", SAME_AS.value)

#: The ClaimReview's JSON-LD context: schema.org terms, ``url`` and ``sameAs`` as IRIs.
CLAIMREVIEW_CONTEXT = {"@vocab": SCHEMA, "url": {"@type": "@id"}, "sameAs": {"@type": "@id"}}

#: ``pk:curationStatus`` → the rating's name.
_STATUS_NAMES = {"draft": "Attribution not yet reviewed", "reviewed": "Attribution reviewed",
                 "disputed": "Attribution disputed"}

_NOT_TRUTH = ("It rates the attribution of the words to the speaker, not the truth of what was said.")


@dataclass(frozen=True)
class NanopubIris:
    """The IRIs of a statement's nanopublication and of its four graphs."""

    nanopub: str
    head: str
    assertion: str
    provenance: str
    pubinfo: str


def _digits(statement: str) -> str:
    return statement.rsplit("/", 1)[-1]


def nanopub_iris(iris: Iris, statement: str) -> NanopubIris:
    """The IRIs of the nanopublication of ``statement`` (an IRI): see the module docstring."""
    this = f"{service_root(iris)}statements/{_digits(statement)}/nanopub"
    return NanopubIris(this, this + "#Head", this + "#assertion", this + "#provenance", this + "#pubinfo")


def claimreview_iri(iris: Iris, statement: str) -> str:
    """The IRI (and address) of the ClaimReview of ``statement`` (an IRI).

    >>> claimreview_iri(Iris(), "https://w3id.org/policykg/id/statement/9e23eafbad935b76")
    'https://w3id.org/policykg/statements/9e23eafbad935b76/claimreview'
    """
    return f"{service_root(iris)}statements/{_digits(statement)}/claimreview"


@dataclass(frozen=True)
class Nanopub:
    """A statement's nanopublication: its IRIs and the triples of each of its graphs."""

    statement: str
    iris: NanopubIris
    head: tuple[Triple, ...]
    assertion: tuple[Triple, ...]
    provenance: tuple[Triple, ...]
    pubinfo: tuple[Triple, ...]

    def quads(self) -> list[Quad]:
        """Every triple in its graph: head, assertion, provenance, publication info."""
        parts = ((self.iris.head, self.head), (self.iris.assertion, self.assertion),
                 (self.iris.provenance, self.provenance), (self.iris.pubinfo, self.pubinfo))
        return [Quad(t.subject, t.predicate, t.object, NamedNode(graph)) for graph, triples in parts
                for t in triples]

    def serialize(self, fmt: RdfFormat) -> bytes:
        """The nanopublication in ``fmt`` (TriG, N-Quads or JSON-LD: a format with graphs).
        TriG uses the prefixes ``this:`` (the nanopublication) and ``sub:`` (its graphs), as
        published nanopublications do; JSON-LD is compacted with policykg's context."""
        if not fmt.supports_datasets:
            raise ValueError(f"a nanopublication needs a format with named graphs, not {fmt.name}")
        quads = self.quads()
        if fmt == RdfFormat.JSON_LD:
            return to_jsonld(quads).encode("utf-8")
        if fmt == RdfFormat.N_QUADS:
            return pyoxigraph.serialize(quads, format=fmt) or b""
        names = {"np": NP, "this": self.iris.nanopub, "sub": self.iris.nanopub + "#"}
        return pyoxigraph.serialize(quads, format=fmt, prefixes=used_prefixes(quads, {**PREFIXES, **names})) or b""


def nanopub(store: Store, ref: str) -> Nanopub:
    """The nanopublication of the statement ``ref`` (16 hex digits, ``statement/<hex>`` or its
    IRI); NotFound when the store has no such statement."""
    iri = statement_iri(store.iris, ref)
    subject = NamedNode(iri)
    rows = [row for row in store.select(named_query("statement_by_graph").text,
                                        substitutions={"statement": subject})
            if row["graph"].value != store.iris.meta_graph
            and store.iris.source_slug_of_graph(row["graph"].value) is not None]
    own = list(dict.fromkeys(Triple(row["s"], row["p"], row["o"]) for row in rows))
    if Triple(subject, RDF_TYPE, NamedNode(PK + "Statement")) not in own:
        raise NotFound(f"no statement {ref!r} in the store")
    names = nanopub_iris(store.iris, iri)
    assertion = NamedNode(names.assertion)
    this = NamedNode(names.nanopub)

    graphs = list(dict.fromkeys(row["graph"].value for row in rows))
    sources = list(dict.fromkeys([*(t.object.value for t in own
                                    if t.predicate.value == PK + "source" and isinstance(t.object, NamedNode)),
                                  *(row["source"].value for row in rows)]))
    referred = [t.object.value for t in own if isinstance(t.object, NamedNode)
                and t.predicate not in (RDF_TYPE,) and t.object.value not in sources]
    context = store.context_of(referred, predicates=_NAMING) if referred else []

    described = store.context_of(sources)
    publishers = [t.object.value for t in described
                  if t.predicate.value == DCTERMS + "publisher" and isinstance(t.object, NamedNode)]
    records = [t for graph in graphs for t in graph_record(store, graph)]
    provenance = [*(Triple(assertion, DERIVED_FROM, NamedNode(iri)) for iri in [*sources, *graphs]),
                  *sorted(described, key=str),
                  *sorted(store.context_of(publishers, predicates=_NAMING) if publishers else [], key=str),
                  *sorted(records, key=str)]

    root = NamedNode(service_root(store.iris))
    recorded = [t.object for t in records if t.predicate.value == PK + "recordedAt"]
    pubinfo = [
        *([Triple(this, NamedNode(DCTERMS + "created"), max(recorded, key=lambda lit: lit.value))]
          if recorded else []),
        Triple(this, NamedNode(DCTERMS + "creator"), root),
        Triple(this, NamedNode(DCTERMS + "license"), NamedNode(DATA_LICENSE)),
        Triple(this, NamedNode(DCTERMS + "isPartOf"), NamedNode(root.value + "void#dataset")),
        Triple(this, RDFS_LABEL, Literal(f"Statement {_digits(iri)} of policykg as a nanopublication",
                                         language="en")),
        Triple(root, RDF_TYPE, NamedNode(PROV + "Organization")),
        Triple(root, RDFS_LABEL, Literal("policykg", language="en")),
    ]
    head = [
        Triple(this, RDF_TYPE, NamedNode(NP + "Nanopublication")),
        Triple(this, NamedNode(NP + "hasAssertion"), assertion),
        Triple(this, NamedNode(NP + "hasProvenance"), NamedNode(names.provenance)),
        Triple(this, NamedNode(NP + "hasPublicationInfo"), NamedNode(names.pubinfo)),
    ]
    return Nanopub(iri, names, tuple(head), tuple(grouped_triples([*own, *sorted(context, key=str)])),
                   tuple(grouped_triples(provenance)), tuple(pubinfo))


# --- ClaimReview ------------------------------------------------------------------------------------


def claimreview(store: Store, ref: str) -> dict[str, Any]:
    """The ClaimReview of the statement ``ref`` as a JSON-LD document (a dict); NotFound when
    the store has no such statement."""
    return claim_review(nanopub(store, ref), claimreview_iri(store.iris, statement_iri(store.iris, ref)))


def claimreview_bytes(review: dict[str, Any]) -> bytes:
    """A ClaimReview document as the bytes of its JSON (UTF-8, indented)."""
    return json.dumps(review, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


class _Graph:
    """The triples of a nanopublication's assertion and provenance, to read values from."""

    def __init__(self, triples: Iterable[Triple]):
        self.index: dict[tuple[str, str], list[NamedNode | BlankNode | Literal]] = {}
        for t in triples:
            self.index.setdefault((str(t.subject), t.predicate.value), []).append(t.object)  # type: ignore[arg-type]

    def values(self, subject: str, predicate: str) -> list[NamedNode | BlankNode | Literal]:
        return self.index.get((str(NamedNode(subject)), predicate), [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        return [v.value for v in self.values(subject, predicate) if isinstance(v, NamedNode)]

    def texts(self, subject: str, predicate: str) -> list[str]:
        return [v.value for v in self.values(subject, predicate) if isinstance(v, Literal)]

    def text(self, subject: str, predicate: str) -> str | None:
        found = sorted(self.values(subject, predicate), key=lambda v: (
            not isinstance(v, Literal) or v.language not in ("en", None), str(v)))
        return found[0].value if found and isinstance(found[0], Literal) else None

    def name(self, iri: str) -> str | None:
        return self.text(iri, RDFS_LABEL.value) or self.text(iri, DCTERMS + "title")

    def agent(self, iri: str) -> dict[str, Any]:
        """An actor as a schema.org Person or Organization."""
        kind = "Person" if PK + "Person" in self.iris(iri, RDF_TYPE.value) else "Organization"
        agent: dict[str, Any] = {"@id": iri, "@type": kind}
        if (name := self.name(iri)) is not None:
            agent["name"] = name
        if same := self.iris(iri, SAME_AS.value):
            agent["sameAs"] = same
        return agent


def claim_review(made: Nanopub, iri: str) -> dict[str, Any]:
    """The ClaimReview (JSON-LD, a dict) of the statement of the nanopublication ``made``,
    named ``iri``: see the module docstring."""
    graph = _Graph([*made.assertion, *made.provenance])
    statement = made.statement
    speaker = (graph.iris(statement, PK + "speaker") or [None])[0]
    behalf = graph.iris(statement, PK + "onBehalfOf")
    quotes = sorted(graph.texts(statement, PK + "quote"))
    paraphrases = sorted(graph.texts(statement, PK + "paraphrase"))
    date = graph.text(statement, PK + "date")

    claim: dict[str, Any] = {"@id": statement, "@type": "Claim"}
    if speaker is not None:
        claim["author"] = graph.agent(speaker)
    if behalf:
        claim["sourceOrganization"] = [graph.agent(actor) for actor in behalf]
    if date is not None:
        claim["datePublished"] = date
    if quotes:
        claim["text"] = quotes
    if paraphrases:
        claim["description"] = paraphrases
    appearances = [_appearance(graph, source) for source in _sources(made, graph)]
    if appearances:
        claim["appearance"] = appearances
        first = min(appearances, key=lambda a: (a.get("datePublished") is None, a.get("datePublished", ""), a["@id"]))
        claim["firstAppearance"] = {"@id": first["@id"]}
    if corrections := graph.iris(statement, PK + "correctedBy"):
        claim["correction"] = [{"@id": c} for c in corrections]

    words = quotes[0] if len(quotes) == 1 else (" ".join(paraphrases) or " … ".join(quotes))
    who = graph.name(speaker) if speaker else None
    for_whom = [n for n in (graph.name(a) for a in behalf) if n]
    body = ("policykg reviews the attribution of these words"
            + (f" to {who}" if who else "") + (f", speaking for {' and '.join(for_whom)}" if for_whom else "")
            + (f", on {date}" if date else "")
            + ": whether the sources cited report that they were said so. It does not review whether "
              "what was said is true.")
    about_it = {t.predicate.value: t.object.value for t in made.pubinfo if t.subject == NamedNode(made.iris.nanopub)}
    root, created = about_it[DCTERMS + "creator"], about_it.get(DCTERMS + "created")
    review: dict[str, Any] = {
        "@context": CLAIMREVIEW_CONTEXT,
        "@id": iri,
        "@type": "ClaimReview",
        "url": iri,
        "author": {"@id": root, "@type": "Organization", "name": "policykg", "url": root},
        **({"datePublished": created[:10]} if created else {}),
        "claimReviewed": words,
        "reviewAspect": "attribution",
        "reviewBody": body,
        "itemReviewed": claim,
        "isBasedOn": {"@id": made.iris.nanopub},
    }
    if (rating := _rating(graph, statement, appearances)) is not None:
        review["reviewRating"] = rating
    return review


def _sources(made: Nanopub, graph: _Graph) -> list[str]:
    """The sources the provenance describes (``pk:Source``), in the order it names them."""
    derived = [t.object.value for t in made.provenance
               if t.predicate == DERIVED_FROM and isinstance(t.object, NamedNode)]
    return [iri for iri in dict.fromkeys(derived) if PK + "Source" in graph.iris(iri, RDF_TYPE.value)]


def _appearance(graph: _Graph, source: str) -> dict[str, Any]:
    """A source as the CreativeWork the claim appears in."""
    work: dict[str, Any] = {"@id": source,
                            "@type": "NewsArticle" if SCHEMA + "NewsArticle" in graph.iris(source, RDF_TYPE.value)
                            else "CreativeWork"}
    if (title := graph.text(source, DCTERMS + "title")) is not None:
        work["name"] = title
    if url := graph.texts(source, SCHEMA + "url") + graph.iris(source, SCHEMA + "url"):
        work["url"] = url[0]
    if publishers := graph.iris(source, DCTERMS + "publisher"):
        work["publisher"] = graph.agent(publishers[0])
    if (issued := graph.text(source, DCTERMS + "issued")) is not None:
        work["datePublished"] = issued
    return work


def _rating(graph: _Graph, statement: str, appearances: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The rating of the attribution, from the statement's curation; None when it has none."""
    status = (graph.iris(statement, PK + "curationStatus") or [None])[0]
    confidence = (graph.values(statement, PK + "attributionConfidence") or [None])[0]
    retracted = [(statement, on) for on in graph.texts(statement, PK + "retractedOn")]
    retracted += [(a["@id"], on) for a in appearances for on in graph.texts(a["@id"], PK + "retractedOn")]
    corrected = graph.iris(statement, PK + "correctedBy")
    if status is None and confidence is None and not retracted and not corrected:
        return None
    local = status.rsplit("#", 1)[-1] if status else None
    said = [f"Curation status: {local}." if local else "No curation status is recorded."]
    rating: dict[str, Any] = {"@type": "Rating"}
    if isinstance(confidence, Literal):
        try:
            value = float(confidence.value)
        except ValueError:
            value = None
        if value is not None and 0 <= value <= 1:
            rating.update(ratingValue=value, bestRating=1, worstRating=0)
            said.append(f"Attribution confidence {confidence.value}, on a scale from 0 to 1.")
    for what, on in retracted:
        reason = graph.text(what, PK + "retractionReason")
        whose = "The statement" if what == statement else f"Its source {graph.name(what) or what}"
        said.append(f"{whose} was retracted on {on}" + (f": {reason.rstrip('.')}" if reason else "") + ".")
    if corrected:
        said.append(f"Corrected by {', '.join(corrected)}.")
    if retracted:
        name = "Attribution retracted"
    elif corrected:
        name = "Attribution corrected"
    elif local:
        name = _STATUS_NAMES.get(local, f"Attribution {local}")
    else:
        name = f"Attribution confidence {confidence.value}" if isinstance(confidence, Literal) else "Attribution"
    rating["alternateName"] = name
    rating["ratingExplanation"] = " ".join([*said, _NOT_TRUTH])
    return rating

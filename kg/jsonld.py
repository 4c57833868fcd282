"""JSON-LD output compacted with policykg's own context, so it uses the entry files' words.

>>> doc = to_jsonld([Triple(NamedNode("https://w3id.org/policykg/id/actor/china"),
...     NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("China", language="en"))])
>>> '"label": "China"' in doc
True
>>> when = Literal("2026-11-25T21:47:27Z", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"))
>>> "21:47:27Z" in to_jsonld([Triple(NamedNode("http://example.org/g"),
...     NamedNode("https://w3id.org/policykg/ontology#recordedAt"), when)])
True
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from functools import lru_cache

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

from kg.entries import CONTEXT_PATH


@lru_cache(maxsize=1)
def context() -> dict:
    """The JSON-LD context published with policykg (``kg/context.jsonld``)."""
    return json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]


def _term(term):  # type: ignore[no-untyped-def]
    """A pyoxigraph term as an rdflib term, literals kept as written (no normalisation)."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language, normalize=False)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"JSON-LD output cannot hold {term!r}")


def to_jsonld(items: Iterable[Triple | Quad]) -> str:
    """Triples or quads as compacted JSON-LD with the policykg context inlined (named graphs
    become ``@graph`` objects). Built in memory: for very large dumps prefer N-Quads."""
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():  # rdflib 7.6 warns about its own use of Dataset.default_context
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        for item in items:
            graph_name = getattr(item, "graph_name", DefaultGraph())
            graph = (dataset.default_graph if isinstance(graph_name, DefaultGraph)
                     else dataset.graph(_term(graph_name)))
            graph.add((_term(item.subject), _term(item.predicate), _term(item.object)))
        return dataset.serialize(format="json-ld", context=context(), indent=2)

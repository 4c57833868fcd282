"""JSON-LD output compacted with policykg's own context, so it uses the entry files' words.

>>> from pyoxigraph import NamedNode, Triple, Literal
>>> doc = to_jsonld([Triple(NamedNode("https://w3id.org/policykg/id/actor/china"),
...     NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("China", language="en"))])
>>> '"label": "China"' in doc
True
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from functools import lru_cache

import rdflib
from pyoxigraph import DefaultGraph, Quad, RdfFormat, Triple, serialize

from kg.entries import CONTEXT_PATH


@lru_cache(maxsize=1)
def context() -> dict:
    """The JSON-LD context published with policykg (``kg/context.jsonld``)."""
    return json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]


def to_jsonld(items: Iterable[Triple | Quad]) -> str:
    """Triples or quads as compacted JSON-LD with the policykg context inlined (named graphs
    become ``@graph`` objects). Built in memory: for very large dumps prefer N-Quads."""
    quads = (item if isinstance(item, Quad) else Quad(item.subject, item.predicate, item.object, DefaultGraph())
             for item in items)
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():  # rdflib 7.6 warns about its own use of Dataset.default_context
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        dataset.parse(data=serialize(quads, format=RdfFormat.N_QUADS) or b"", format="nquads")
        return dataset.serialize(format="json-ld", context=context(), indent=2)

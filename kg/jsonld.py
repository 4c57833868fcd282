"""JSON-LD output compacted with policykg's own context, so it uses the entry files' words.

>>> from pyoxigraph import NamedNode, Triple, Literal
>>> doc = to_jsonld([Triple(NamedNode("https://w3id.org/policykg/id/actor/china"),
...     NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("China", language="en"))])
>>> '"label": "China"' in doc
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

import rdflib
from pyoxigraph import RdfFormat, Triple, serialize

from kg.entries import CONTEXT_PATH


@lru_cache(maxsize=1)
def context() -> dict:
    """The JSON-LD context published with policykg (``kg/context.jsonld``)."""
    return json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]


def to_jsonld(triples: Iterable[Triple]) -> str:
    """Triples as compacted JSON-LD with the policykg context inlined (nothing fetched remotely)."""
    graph = rdflib.Graph()
    graph.parse(data=serialize(list(triples), format=RdfFormat.N_TRIPLES) or b"", format="nt")
    return graph.serialize(format="json-ld", context=context(), indent=2)

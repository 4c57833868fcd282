"""Search over policy instruments (resolutions and policy measures) by any of their names.

The REST lookups (:mod:`kg.lookups`) search actors by name (``search_actors``) and statements by
their words (``list_statements(q=…)``); this adds the instruments, for the browser's search box
(:mod:`api.routes.ui`). The text reaches SPARQL as a bound literal, never as query syntax.

>>> from kg.store import Store
>>> with Store() as store:
...     search_instruments(store, "78/311")["total"]
0
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal

from kg.store import Store

__all__ = ["search_instruments"]

_SEARCH = """
PREFIX pk: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s (SAMPLE(?class) AS ?kind) (SAMPLE(?label) AS ?name) WHERE {
  VALUES ?class { pk:Resolution pk:PolicyMeasure }
  ?s a ?class ;
     rdfs:label|skos:altLabel|pk:symbol|dcterms:title ?text .
  FILTER(CONTAINS(LCASE(STR(?text)), LCASE(STR(?q))))
  OPTIONAL { ?s rdfs:label ?label }
}
GROUP BY ?s
ORDER BY LCASE(STR(?name)) ?s
"""
_KINDS = {"https://w3id.org/policykg/ontology#Resolution": "resolution",
          "https://w3id.org/policykg/ontology#PolicyMeasure": "policy measure"}


def search_instruments(store: Store, q: str, *, limit: int = 50) -> dict[str, Any]:
    """Resolutions and policy measures whose label, alternative label, symbol or title contains
    ``q`` (any case), by name: ``{"items": [{"id", "label", "kind"}], "total"}``."""
    rows = store.select(_SEARCH, substitutions={"q": Literal(q)})
    items = [{"id": row["s"].value, "label": row["name"].value if "name" in row else None,
              "kind": _KINDS.get(row["kind"].value, row["kind"].value) if "kind" in row else None}
             for row in rows[:limit]]
    return {"items": items, "total": len(rows)}

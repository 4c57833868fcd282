"""SHACL validation of a batch, reported in the curator's terms.

The data graph is the batch, the one-hop description of the store nodes it references, and the
ontology (so that ``sh:class pk:Actor`` sees ``pk:Person rdfs:subClassOf pk:Actor`` and the
concept schemes are visible): its size grows with the batch, not with the store. pySHACL runs
on an rdflib graph backed by pyoxigraph (oxrdflib). Each result (SHACL §3.6, validation report)
becomes a :class:`~kg.errors.Problem`: the focus node's entry, the result path's key, the
shape's ``sh:message``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pyshacl
import rdflib
from pyoxigraph import RdfFormat, Triple, serialize

from kg.entries import Batch, vocabulary
from kg.errors import Problem
from kg.resources import ontology_files, shapes_files

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@lru_cache(maxsize=1)
def _ontology_ntriples() -> bytes:
    graph = rdflib.Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph.serialize(format="nt", encoding="utf-8")


@lru_cache(maxsize=1)
def shapes_graph() -> rdflib.Graph:
    """The shapes of ``shapes/``, parsed once."""
    graph = rdflib.Graph()
    for path in shapes_files():
        graph.parse(path, format="turtle")
    return graph


def data_graph(triples: Iterable[Triple]) -> rdflib.Graph:
    """An rdflib graph on a pyoxigraph store holding ``triples`` and the ontology."""
    graph = rdflib.Graph(store="Oxigraph")
    graph.parse(data=_ontology_ntriples(), format="nt")
    graph.parse(data=serialize(list(triples), format=RdfFormat.N_TRIPLES) or b"", format="nt")
    return graph


def validate_batch(batch: Batch, *, context: Iterable[Triple] = ()) -> list[Problem]:
    """Problems the shapes find in ``batch`` read together with ``context``; [] when it conforms."""
    graph = data_graph([*batch.triples(), *context])
    conforms, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes_graph(), inference="none", advanced=True, allow_warnings=True,
    )
    if conforms:
        return []
    vocab = vocabulary()
    problems = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage) or "does not conform to the shapes"
        origin = batch.origins.get(str(focus))
        field = vocab.field_of(str(path)) if isinstance(path, rdflib.URIRef) else ""
        if origin is None:  # a store node: name it by IRI
            problems.add(Problem("(store)", str(focus), field, str(message)))
        else:
            problems.add(Problem(origin.file, origin.entry, field, str(message), origin.line))
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.entry, p.field, p.message))

"""SHACL validation of a batch, reported in the curator's terms.

The data graph is the batch, the one-hop description of the store nodes it references, and the
ontology (so that ``sh:class pk:Actor`` sees ``pk:Person rdfs:subClassOf pk:Actor`` and the
concept schemes are visible), in an in-memory ``pyoxigraph.Store``: its size grows with the batch,
not with the store. :mod:`kg.shacl_fast` validates it against the shapes, with pySHACL's verdicts
and hundreds of times its speed (``python -m benchmarks.validation``). Each Violation (SHACL §3.6,
validation report) becomes a :class:`~kg.errors.Problem`: the focus node's entry, the result
path's key, the shape's ``sh:message``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store, Triple, parse, serialize

from kg import shacl_fast
from kg.entries import Batch, vocabulary
from kg.errors import Problem
from kg.resources import ontology_files
from kg.shacl_fast import shapes_graph

__all__ = ["data_graph", "shapes_graph", "validate_batch", "warm_up"]


@lru_cache(maxsize=1)
def _ontology_ntriples() -> bytes:
    triples = [t for path in ontology_files() for t in parse(path=path, format=RdfFormat.TURTLE)]
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def warm_up() -> None:
    """Read the ontology and compile the shapes now (a server does it at start), so that the
    first batch validated pays only for itself."""
    _ontology_ntriples()
    shacl_fast.shapes_plan()


def data_graph(triples: Iterable[Triple]) -> Store:
    """An in-memory pyoxigraph store holding ``triples`` and the ontology, in its default graph."""
    graph = Store()
    graph.bulk_load(_ontology_ntriples(), format=RdfFormat.N_TRIPLES)
    graph.bulk_extend(Quad(t.subject, t.predicate, t.object) for t in triples)
    return graph


def validate_batch(batch: Batch, *, context: Iterable[Triple] = ()) -> list[Problem]:
    """Problems the shapes find in ``batch`` read together with ``context``; [] when it conforms."""
    graph = data_graph([*batch.triples(), *context])
    vocab = vocabulary()
    problems = set()
    for result in shacl_fast.validate(graph):
        if result.severity != shacl_fast.VIOLATION:
            continue
        message = result.message or "does not conform to the shapes"
        field = vocab.field_of(result.path.value) if isinstance(result.path, NamedNode) else ""
        origin = batch.origins.get(result.focus.value)
        if origin is not None:
            problems.add(Problem(origin.file, origin.entry, field, message, origin.line))
        elif isinstance(result.focus, BlankNode):
            problems.add(Problem("(batch)", "a blank node", field, message))
        # Other focus nodes are store nodes read for context: they were validated when loaded,
        # and their own references are beyond the one hop read here.
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.entry, p.field, p.message))

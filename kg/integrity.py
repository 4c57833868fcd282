"""The integrity check behind ``policykg verify``: do the graphs agree with their metadata?

Every load writes a source's graph and its record in the meta graph in one transaction
(:meth:`kg.store.Store.replace_sources`), the record saying how many triples the graph holds
(``pk:tripleCount``, :func:`kg.load.metadata`). So in a sound store:

* every source graph has a record, and holds exactly as many triples as the record says;
* every record describes a graph the store holds (or one of no triples);
* every recorded version of a source (:mod:`kg.history`) is in the history store (in a backup
  file: among its graphs) with as many triples as its record says;
* no staging graph is left (a load that stages writes them, then moves them in with one
  request; one killed in between leaves them behind). Opening an embedded store drops
  them (:meth:`kg.store.Store.drop_stale_staging`), so there they are reported as dropped; on
  an engine given by URL another writer may be staging now, so they are reported as problems.

The same check runs over a backup file (:func:`check_quads`) before it is restored.

>>> from kg.store import Store
>>> with Store() as store:
...     check_store(store).summary()
'ok: 0 source graph(s), 0 triple(s); every graph matches its metadata'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph

from kg.history import version_of
from kg.iris import Iris
from kg.store import Store

__all__ = ["Integrity", "check_quads", "check_store"]

PK_TRIPLE_COUNT = pyoxigraph.NamedNode("https://w3id.org/policykg/ontology#tripleCount")

# One query, so one snapshot of the store: the triples of every graph counted, and what the meta
# graph says (its subjects are the graphs it describes; pk:tripleCount their size). The staging
# graphs are listed by a second query (Store.staging_graphs): they are not in the meta graph.
_COUNTS = """SELECT ?g ?n ?described ?count WHERE {
  { SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g }
  UNION { GRAPH ?meta { ?g ?p ?o } BIND(true AS ?described) }
  UNION { GRAPH ?meta { ?g ?tripleCount ?count } }
}"""


@dataclass
class Integrity:
    """What :func:`check_store` or :func:`check_quads` found."""

    sources: int = 0
    triples: int = 0
    problems: list[str] = field(default_factory=list)
    dropped_staging: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: ``ok: …`` or how many problems."""
        dropped = (f"; {len(self.dropped_staging)} stale staging graph(s) of an interrupted load "
                   "were dropped on opening" if self.dropped_staging else "")
        if self.ok:
            return (f"ok: {self.sources} source graph(s), {self.triples} triple(s); every graph "
                    f"matches its metadata{dropped}")
        return f"{len(self.problems)} problem(s) in {self.sources} source graph(s){dropped}"


def check_store(store: Store) -> Integrity:
    """Check the store's graphs against the meta graph (compared in one query: one snapshot on
    Oxigraph), and list the staging graphs."""
    substitutions = {"meta": pyoxigraph.NamedNode(store.iris.meta_graph), "tripleCount": PK_TRIPLE_COUNT}
    sizes: dict[str, int] = {}
    described: set[str] = set()
    counts: dict[str, list[str]] = {}
    for row in store.select(_COUNTS, substitutions=substitutions):
        graph = row["g"]
        if not isinstance(graph, pyoxigraph.NamedNode):
            continue
        if "n" in row:
            sizes[graph.value] = int(row["n"].value)
        elif "count" in row:
            counts.setdefault(graph.value, []).append(row["count"].value)
        elif "described" in row:
            described.add(graph.value)
    for graph in store.staging_graphs():
        sizes.setdefault(graph, 0)
    if store.keeps_history:  # the versions' graphs, in the history store (kg.history)
        sizes.update((row["g"].value, int(row["n"].value)) for row in store.history.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"))
    found = _compare(store.iris, sizes, described, counts)
    found.dropped_staging = list(store.dropped_staging)
    return found


def check_quads(quads: Iterable[pyoxigraph.Quad], iris: Iris) -> Integrity:
    """The same check over quads (a backup file, parsed as it streams)."""
    sizes: Counter[str] = Counter()
    described: set[str] = set()
    counts: dict[str, list[str]] = {}
    meta = pyoxigraph.NamedNode(iris.meta_graph)
    for quad in quads:
        graph = quad.graph_name
        if not isinstance(graph, pyoxigraph.NamedNode):
            continue
        sizes[graph.value] += 1
        if graph == meta and isinstance(quad.subject, pyoxigraph.NamedNode):
            described.add(quad.subject.value)
            if quad.predicate == PK_TRIPLE_COUNT:
                counts.setdefault(quad.subject.value, []).append(quad.object.value)
    return _compare(iris, dict(sizes), described, counts)


def _compare(iris: Iris, sizes: dict[str, int], described: set[str], counts: dict[str, list[str]]) -> Integrity:
    found = Integrity()
    for graph in sorted(g for g in sizes if g.startswith(iris.staging_base)):
        found.problems.append(f"{graph}: a staging graph, of a load running now or of one stopped "
                              "before its swap; once no load is running, drop it (DROP GRAPH)")
    ours = {g: n for g, n in sizes.items() if g.startswith(iris.graph_base) and g != iris.meta_graph}
    sources = {g: n for g, n in ours.items() if version_of(g) is None}
    found.sources = len(sources)
    found.triples = sum(sources.values())
    for graph in sorted(set(ours) | described):
        held = ours.get(graph, 0)
        recorded = counts.get(graph, [])
        if graph not in described:
            if version_of(graph) is not None:
                continue  # written by a write that then failed: never read, replaced by the next
            found.problems.append(f"{graph}: holds {held} triples but has no record in the meta graph")
        elif len(recorded) != 1:
            found.problems.append(f"{graph}: its record in the meta graph has {len(recorded)} "
                                  "pk:tripleCount values instead of one")
        elif not recorded[0].isdigit():
            found.problems.append(f"{graph}: its pk:tripleCount {recorded[0]!r} is not a number")
        elif graph not in ours and int(recorded[0]) > 0:
            found.problems.append(f"{graph}: the meta graph records {recorded[0]} triples, but the "
                                  "store has no such graph")
        elif int(recorded[0]) != held:
            found.problems.append(f"{graph}: holds {held} triples; its record in the meta graph "
                                  f"says {recorded[0]}")
    return found

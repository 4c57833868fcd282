"""Validated loading: parse → validate against the batch and the store nodes it references → commit.

Everything in one batch is written in one update request (one transaction), or nothing is. A
source whose file is unchanged since it was last loaded (same checksum) is left as it is, so
loading the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from kg.entries import RDF_TYPE, Batch, NamedInput, SourceGraph, collect_inputs, parse_batch
from kg.errors import NotFound, ValidationFailed
from kg.store import Store
from kg.validate import validate_batch

PK = "https://w3id.org/policykg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass
class LoadReport:
    """What a load did (or, for ``validate``, would do)."""

    loaded: list[str] = field(default_factory=list)  # source slugs written
    unchanged: list[str] = field(default_factory=list)  # source slugs skipped: same checksum
    triples: int = 0


# One writer at a time in this process: a batch is validated against the store it is written to.
_WRITE_LOCK = threading.Lock()


def prepare(items: list[NamedInput], store: Store) -> tuple[Batch, LoadReport]:
    """Parse and validate ``items`` against ``store``; raises EntryError or ValidationFailed."""
    batch_graphs: set[str] = set()

    def existing(candidates: set[str]) -> set[str]:
        return store.existing(candidates, exclude_graphs=batch_graphs)

    # The graphs the batch replaces must not vouch for the batch's own references.
    batch = parse_batch(items, iris=store.iris, existing=existing)
    batch_graphs.update(s.graph_iri for s in batch.sources)
    outside = batch.objects() - batch.subjects()
    context = store.context_of(outside, exclude_graphs=batch_graphs) if outside else []
    problems = validate_batch(batch, context=context)
    if problems:
        raise ValidationFailed(problems)
    report = LoadReport()
    recorded = store.source_checksums()
    for source in batch.sources:
        if recorded.get(source.graph_iri) == source.checksum:
            report.unchanged.append(source.slug)
        else:
            report.loaded.append(source.slug)
            report.triples += len(source.triples)
    return batch, report


def metadata(source: SourceGraph, store: Store, now: dt.datetime) -> list[Triple]:
    """The metadata-graph description of one source graph (restored as is from a dump)."""
    if source.metadata:
        return source.metadata
    graph = NamedNode(source.graph_iri)
    return [
        Triple(graph, RDF_TYPE, NamedNode(PK + "SourceGraph")),
        Triple(graph, NamedNode(PK + "graphOf"), NamedNode(store.iris.entity("source", source.slug))),
        Triple(graph, NamedNode(PK + "recordedAt"),
               Literal(now.isoformat(timespec="seconds"), datatype=NamedNode(XSD + "dateTime"))),
        Triple(graph, NamedNode(PK + "loadedFrom"), Literal(Path(source.file).name)),
        Triple(graph, NamedNode(PK + "checksum"), Literal(source.checksum)),
        Triple(graph, NamedNode(PK + "tripleCount"),
               Literal(str(len(source.triples)), datatype=NamedNode(XSD + "integer"))),
    ]


def load_inputs(items: list[NamedInput], store: Store, *,
                progress: Callable[[int, int], None] | None = None) -> LoadReport:
    """Validate entry and RDF inputs and load them into ``store`` in one transaction."""
    with _WRITE_LOCK:
        batch, report = prepare(items, store)
        changed = [s for s in batch.sources if s.slug in report.loaded]
        if not changed:
            return report
        now = dt.datetime.now(dt.timezone.utc)
        store.replace_sources(
            {s.graph_iri: (s.triples, metadata(s, store, now)) for s in changed},
            progress=progress,
        )
    return report


def load_paths(paths: Iterable[Path], store: Store, *,
               progress: Callable[[int, int], None] | None = None) -> LoadReport:
    """Validate and load entry files and RDF files (or directories of them) into ``store``."""
    return load_inputs(collect_inputs(list(paths)), store, progress=progress)


def validate_paths(paths: Iterable[Path], store: Store) -> LoadReport:
    """The checks of :func:`load_paths`, writing nothing."""
    return prepare(collect_inputs(list(paths)), store)[1]


def delete_source(slug: str, store: Store) -> str:
    """Remove one source's graph and its metadata in one transaction; its graph IRI."""
    graph_iri = store.iris.graph(slug)
    with _WRITE_LOCK:
        if graph_iri not in store.graphs():
            raise NotFound(f"no source {slug!r} in the store")
        store.replace_sources({graph_iri: ([], [])})
    return graph_iri

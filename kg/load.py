"""Validated loading: parse → validate against the batch and the store nodes it references → commit.

Everything in one batch is written in one update request (one transaction), or nothing is. A
source whose file is unchanged since it was last loaded (same checksum) is left as it is, so
loading the same file twice changes nothing.

A large import can instead be committed in chunks of files (:func:`load_chunked`, ``policykg
load --chunk-mb``): each chunk is validated against the store and written in one transaction
while the next chunk's files are read, so memory stays bounded by the chunk and the engine's
write overlaps the parsing. Each source is still all or nothing; the import as a whole is not:
if a chunk fails, the chunks before it stay committed (:class:`~kg.errors.PartlyLoaded` says
which), and running the same command again resumes, since their sources are unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from kg.entries import (RDF_SUFFIXES, RDF_TYPE, Batch, NamedInput, Reading, SourceGraph, collect_files,
                        collect_inputs, parse_batch, read_inputs, read_rdf_pieces)
from kg.errors import KgError, NotFound, PartlyLoaded, Problem, ValidationFailed
from kg.history import Change
from kg.iris import Iris
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


def prepare(items: list[NamedInput], store: Store, reading: Reading | None = None,
            pending: Batch | None = None) -> tuple[Batch, LoadReport]:
    """Parse and validate ``items`` against ``store``; raises EntryError or ValidationFailed.

    ``reading``: what :func:`kg.entries.read_inputs` already made of ``items``. ``pending``: a
    batch being written meanwhile, validated against as if it were in the store already.
    """
    if reading is None:
        reading = read_inputs(items, store.iris)
    pending_subjects = pending.subjects() if pending else set()
    # The graphs the batch replaces must not vouch for the batch's own references, nor the
    # old versions of the graphs being written (the pending batch speaks for those): only
    # those already in the store need leaving out, and a query that leaves out fewer is quicker.
    graphs = {store.iris.graph(data["source"]["id"]) for _, data in reading.structures}
    graphs |= {s.graph_iri for s in reading.sources}
    graphs |= {s.graph_iri for s in pending.sources} if pending else set()
    excluded = store.existing_graphs(graphs)

    def existing(candidates: set[str]) -> set[str]:
        return store.existing(candidates, exclude_graphs=excluded) | (candidates & pending_subjects)

    batch = parse_batch(items, iris=store.iris, existing=existing, reading=reading)
    # What the batch refers to or adds to without describing it is read from the store.
    outside = (batch.objects() | batch.subjects()) - batch.defined()
    context = store.context_of(outside, exclude_graphs=excluded) if outside else []
    if pending and outside:
        context += [t for t in pending.triples() if t.subject.value in outside]
    problems = validate_batch(batch, context=context)
    if problems:
        raise ValidationFailed(problems)
    report = LoadReport()
    recorded = store.source_checksums(s.graph_iri for s in batch.sources)
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
                progress: Callable[[int, int], None] | None = None, change: Change | None = None) -> LoadReport:
    """Validate entry and RDF inputs and load them into ``store`` in one transaction; ``change``
    (who, why) goes into the record of each new version (:mod:`kg.history`)."""
    with _WRITE_LOCK:
        batch, report = prepare(items, store)
        store.replace_sources(_changed(batch, report, store), progress=progress, change=change)
    return report


def _changed(batch: Batch, report: LoadReport, store: Store) -> dict[str, tuple[list[Triple], list[Triple]]]:
    """What :meth:`Store.replace_sources` writes of ``batch``: the sources ``report`` loads."""
    now = dt.datetime.now(dt.timezone.utc)
    return {s.graph_iri: (s.triples, metadata(s, store, now)) for s in batch.sources if s.slug in report.loaded}


def load_paths(paths: Iterable[Path], store: Store, *,
               progress: Callable[[int, int], None] | None = None,
               chunk_bytes: int | None = None, change: Change | None = None) -> LoadReport:
    """Validate and load entry files and RDF files (or directories of them) into ``store``: in
    one transaction, or with ``chunk_bytes`` in chunks of files (:func:`load_chunked`)."""
    if chunk_bytes is None:
        return load_inputs(collect_inputs(list(paths)), store, progress=progress, change=change)
    return load_chunked(collect_files(list(paths)), store, chunk_bytes=chunk_bytes, progress=progress,
                        change=change)


def chunks(files: list[Path], chunk_bytes: int) -> Iterator[list[Path]]:
    """``files`` in order, in runs of about ``chunk_bytes``; a file larger than that is a run
    of its own.

    >>> [len(c) for c in chunks([Path(__file__)] * 3, 1)]
    [1, 1, 1]
    """
    run: list[Path] = []
    size = 0
    for path in files:
        if path.stat().st_size > chunk_bytes and run:
            yield run
            run, size = [], 0
        run.append(path)
        size += path.stat().st_size
        if size >= chunk_bytes:
            yield run
            run, size = [], 0
    if run:
        yield run


BYTES_PER_QUAD = 200
"""About what one quad takes in policykg's N-Quads dumps (a 20k-statement benchmark dump: 205)."""


READER_MIN_BYTES = 4_000_000
"""Entry files of at least this many bytes in a chunked load are read by a worker process
(starting one costs about half a second; reading 4 MB of YAML, about two)."""


def _pieces(files: list[Path], chunk_bytes: int, iris: Iris) -> Iterator[tuple[list[NamedInput], Reading, float]]:
    """What :func:`load_chunked` commits chunk by chunk: the inputs (none for a piece of a large
    RDF file), what was read of them, and how many bytes of input that was.

    Entry files are read (YAML, the slowest step in Python) by a worker process, two chunks
    ahead, so that reading uses the second core while this one checks the chunk before.
    """
    def streamed(run: list[Path]) -> bool:
        return len(run) == 1 and run[0].suffix.lower() in RDF_SUFFIXES and run[0].stat().st_size > chunk_bytes

    runs = list(chunks(files, chunk_bytes))
    ahead: deque[Future[tuple[list[NamedInput], Reading, float]]] = deque()
    with contextlib.ExitStack() as stack:
        reader = None
        read_here = [run for run in runs if not streamed(run)]
        if len(read_here) > 1 and sum(p.stat().st_size for run in read_here for p in run) >= READER_MIN_BYTES:
            reader = stack.enter_context(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")))
        for run in runs:
            if streamed(run):
                while ahead:
                    yield ahead.popleft().result()
                for reading, share in read_rdf_pieces(run[0], iris, max(1, chunk_bytes // BYTES_PER_QUAD)):
                    yield [], reading, share * run[0].stat().st_size
            elif reader is None:
                yield _read_run(run, iris.base)
            else:
                ahead.append(reader.submit(_read_run, run, iris.base))
                if len(ahead) > 2:
                    yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def _read_run(paths: list[Path], base_iri: str) -> tuple[list[NamedInput], Reading, float]:
    items = [NamedInput.read(p) for p in paths]
    return items, read_inputs(items, Iris(base_iri)), sum(len(item.data) for item in items)


def load_chunked(files: list[Path], store: Store, *, chunk_bytes: int,
                 progress: Callable[[int, int], None] | None = None, change: Change | None = None) -> LoadReport:
    """Load ``files`` in chunks of about ``chunk_bytes``, one transaction each (see the module).

    A chunk is validated against the store as the chunks before it leave it: a file may refer
    to what files of earlier chunks define, not later ones (files are taken in the order given,
    directories sorted), and a source may be given once. While the engine writes chunk k (in
    its own process; the writer thread only waits), chunk k+1 is read and validated as if chunk
    k were in the store already, and its versions are written into the history store (by its
    own engine, :meth:`Store.keep_versions`); it is sent once chunk k has committed. An RDF file larger than
    a chunk is read as it streams, in chunks of whole graphs (:func:`kg.entries.read_rdf_pieces`);
    as a dump's graphs come in the engine's order, a piece that fails is held (in memory) until
    what it refers to has been written further on, and checked again then or at the end.
    ``progress(done, total)`` counts bytes of input. On a failure, raises
    :class:`~kg.errors.PartlyLoaded` with what was committed before it.
    """
    report = LoadReport()
    writing: list[tuple[Future[None], LoadReport]] = []  # the chunk being written, if any
    seen: dict[str, str] = {}  # source slug → the file of an earlier chunk that gave it

    def settle() -> None:
        if writing:
            future, written = writing.pop()
            future.result()
            report.loaded += written.loaded
            report.triples += written.triples

    done, total = 0.0, sum(p.stat().st_size for p in files)
    pending: list[Batch] = []  # the batch being written, if any
    held: list[tuple[Reading, float, set[str]]] = []  # pieces of RDF files waiting for later graphs

    def commit(items: list[NamedInput], reading: Reading, size: float) -> set[str]:
        """Check one chunk and send it; the subjects it writes."""
        nonlocal done
        batch, written = prepare(items, store, reading, pending[0] if pending else None)
        again = [Problem(s.file, s.slug, "id", f"source {s.slug!r} is also given by {seen[s.slug]}: "
                         "one file per source") for s in batch.sources if s.slug in seen]
        if again:
            raise ValidationFailed(again)
        seen.update((s.slug, s.file) for s in batch.sources)
        report.unchanged += written.unchanged
        sources = _changed(batch, written, store)
        # The versions go into the history store while the main store writes the previous chunk.
        records = keeper.submit(store.keep_versions, sources, change)
        settle()  # the previous chunk, written while this one was read and checked
        writing.append((writer.submit(lambda: store.replace_sources(sources, change=change, records=records.result())),
                        written))
        pending[:] = [batch]
        done += size
        if progress is not None:
            progress(round(done), total)
        return batch.subjects()

    def missing(reading: Reading) -> set[str]:
        """What a piece refers to that neither the store nor the chunk in flight has."""
        batch = Batch(reading.sources, reading.origins)
        outside = batch.objects() - batch.subjects()
        if pending:
            outside -= pending[0].subjects()
        return outside - store.existing(outside)

    def retry(written: set[str]) -> None:
        """Send the held pieces that refer to what was just written, and what they unblock."""
        while True:
            ready = [entry for entry in held if entry[2] & written]
            if not ready:
                return
            written = set()
            for entry in ready:
                held.remove(entry)
                try:
                    written |= commit([], entry[0], entry[1])
                except ValidationFailed:
                    held.append((entry[0], entry[1], missing(entry[0])))

    with _WRITE_LOCK, ThreadPoolExecutor(1, thread_name_prefix="policykg-writer") as writer, \
            ThreadPoolExecutor(1, thread_name_prefix="policykg-history") as keeper:
        try:
            for items, reading, size in _pieces(files, chunk_bytes, store.iris):
                if items or reading.problems:
                    retry(commit(items, reading, size))
                    continue
                # A piece of a large RDF file may refer to graphs further on in the file
                # (policykg's dumps are in the engine's order): held until they are written.
                try:
                    retry(commit([], reading, size))
                except ValidationFailed:
                    held.append((reading, size, missing(reading)))
            for reading, size, _ in list(held):  # what no later graph unblocked: its problems
                held.pop(0)
                commit([], reading, size)
            settle()
        except KgError as failure:
            try:
                settle()  # a chunk being written when the next one failed may still commit
            except KgError:
                pass
            raise PartlyLoaded(failure, report.loaded, report.triples) from failure
    return report


def validate_paths(paths: Iterable[Path], store: Store) -> LoadReport:
    """The checks of :func:`load_paths`, writing nothing."""
    return prepare(collect_inputs(list(paths)), store)[1]


def delete_source(slug: str, store: Store, *, change: Change | None = None) -> str:
    """Remove one source's graph and its metadata in one transaction (its earlier versions
    are kept: the deletion is one more, :mod:`kg.history`); its graph IRI."""
    graph_iri = store.iris.graph(slug)
    with _WRITE_LOCK:
        if graph_iri not in store.graphs():
            raise NotFound(f"no source {slug!r} in the store")
        store.replace_sources({graph_iri: ([], [])}, change=change)
    return graph_iri

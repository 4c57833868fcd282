"""Consistent online backup of the store, and all-or-nothing restore (see decision 0005).

A backup is the whole dataset as N-Quads — every named graph with its name, the meta graph
included — read in **one** request from the engine: Oxigraph serves ``GET /store`` from one
snapshot of its storage, held for the whole answer, so a load committed while the backup
streams is either wholly in it or not at all, and each graph comes with its own metadata
record. It can be taken from the store directory (:func:`backup_store`: the embedded engine,
when nobody else holds the directory) or from a running ``policykg serve`` (:func:`backup_server`:
its ``/dumps/policykg.nq``, the same single read), while that server goes on answering and
writing. The file appears only once it is complete and has passed the integrity check of
:mod:`kg.integrity` (each source graph holds the triples its record says).

:func:`restore` checks the file the same way, builds a new store from it in a directory beside
the target (``oxigraph load``, the engine's own bulk loader), checks that store against the file,
and only then moves it into place: a failure at any step leaves the target as it was. It
refuses a target that holds quads unless ``force``, and a target another process holds, always.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph

from kg.engine import find_oxigraph, lock_holder
from kg.errors import ConfigError, EngineError, NotFound, StoreLocked
from kg.history import version_of
from kg.integrity import Integrity, check_quads, check_store
from kg.iris import DEFAULT_BASE_IRI, Iris
from kg.store import HISTORY_DIR, Store

__all__ = ["Backup", "backup_server", "backup_store", "restore"]

_NQUADS = pyoxigraph.RdfFormat.N_QUADS
_DUMP_PATH = "/dumps/policykg.nq"
_HISTORY_DUMP_PATH = "/dumps/history/policykg.nq"


@dataclass(frozen=True)
class Backup:
    """A backup file checked whole: its quads and what the integrity check found."""

    path: Path
    quads: int
    integrity: Integrity

    def summary(self) -> str:
        return (f"{self.path}: {self.quads} quad(s), {self.integrity.sources} source graph(s), "
                f"{self.integrity.triples} triple(s); every graph matches its metadata")


class _Counted:
    def __init__(self, quads: Iterable[pyoxigraph.Quad]):
        self._quads = quads
        self.count = 0

    def __iter__(self) -> Iterator[pyoxigraph.Quad]:
        for quad in self._quads:
            self.count += 1
            yield quad


def check_backup(path: Path, *, base_iri: str = DEFAULT_BASE_IRI) -> Backup:
    """Parse the backup file whole and run the integrity check on it; raise
    :class:`ConfigError` naming what is wrong (syntax, or a graph at odds with its record)."""
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"no backup file {path}")
    iris = Iris(base_iri)
    quads = _Counted(pyoxigraph.parse(path=path, format=_NQUADS))
    try:
        found = check_quads(quads, iris)
    except SyntaxError as error:
        raise ConfigError(f"{path} is not an N-Quads backup: {error}") from None
    if not found.ok:
        raise ConfigError(f"{path} fails the integrity check: " + "; ".join(found.problems[:20]))
    return Backup(path, quads.count, found)


def backup_store(store: Store, dest: Path) -> Backup:
    """Write every quad of ``store`` to ``dest`` (N-Quads), from one read of the engine.

    An engine that cannot give the whole dataset in one read (Virtuoso: read by pages, each a
    query of its own) is refused: its backup would not be consistent beside a writer.
    """
    if not store.engine.has_dataset_get:
        raise ConfigError(
            f"the engine at {store.location} gives no whole dataset in one read (it would be read "
            "by pages, which a concurrent write could split): back it up with the engine's own "
            "tool, or use `policykg export --format nquads` while nothing writes to it")

    def write(out) -> None:  # type: ignore[no-untyped-def]
        store.export(_NQUADS, out)
        if store.keeps_history:  # read after the main store: it holds every version recorded there
            store.history.export(_NQUADS, out)

    return _write(dest, write, base_iri=store.iris.base)


def backup_server(url: str, dest: Path, *, base_iri: str = DEFAULT_BASE_IRI, timeout: float = 600.0) -> Backup:
    """Write the dump of a running ``policykg serve`` at ``url`` (its ``/dumps/policykg.nq``), then
    the versions of its history store (``/dumps/history/policykg.nq``, read second: it holds
    every version the first recorded)."""

    def fetch(out) -> None:  # type: ignore[no-untyped-def]
        for path in (_DUMP_PATH, _HISTORY_DUMP_PATH):
            target = url.rstrip("/") + path
            try:
                with httpx.stream("GET", target, timeout=timeout, trust_env=False) as answer:
                    if answer.status_code != 200:
                        answer.read()
                        raise EngineError(f"the server answered {answer.status_code} to GET {target}: "
                                          f"{answer.text[:300]}")
                    for chunk in answer.iter_bytes(1 << 18):
                        out.write(chunk)
            except httpx.HTTPError as error:
                raise EngineError(f"cannot read the dump of the server {url}: {error}") from None

    return _write(dest, fetch, base_iri=base_iri)


def _write(dest: Path, write, *, base_iri: str) -> Backup:  # type: ignore[no-untyped-def]
    dest = Path(dest)
    if not dest.parent.is_dir():
        raise ConfigError(f"no directory {dest.parent} to write the backup {dest.name} in")
    if dest.exists():
        raise ConfigError(f"{dest} exists: a backup never overwrites a file; choose another name")
    partial = dest.with_name(f".{dest.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        with partial.open("wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        found = check_backup(partial, base_iri=base_iri)
        partial.rename(dest)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(dest, found.quads, found.integrity)


def restore(src: Path, location: Path, *, force: bool = False, base_iri: str = DEFAULT_BASE_IRI) -> Backup:
    """Make the store at ``location`` hold exactly the quads of the backup ``src``: all or nothing.

    Refuses a target holding quads unless ``force`` (its content is then replaced), and a
    target another process holds. The new store is built and checked beside the target, then
    renamed into place (the old one, if any, moved aside first and deleted last).
    """
    location = Path(location).expanduser().absolute()
    backup = check_backup(Path(src), base_iri=base_iri)
    if location.exists() and not location.is_dir():
        raise ConfigError(f"the store location {location} exists and is not a directory")
    holder = lock_holder(location) if location.is_dir() else None
    if holder is not None:
        raise StoreLocked(f"the store {location} is in use by another process, {holder}: stop it "
                          "before restoring into it")
    if location.is_dir() and any(location.iterdir()) and not force:
        with Store(location, base_iri=base_iri) as current:
            held = len(current)
        if held:
            raise ConfigError(f"the store {location} is not empty ({held} quads): restore into a new "
                              "directory, or pass --force to replace its content")
    location.parent.mkdir(parents=True, exist_ok=True)
    building = location.with_name(f".{location.name}.restoring-{uuid.uuid4().hex[:8]}")
    aside = location.with_name(f".{location.name}.replaced-{uuid.uuid4().hex[:8]}")
    try:
        _bulk_load(backup.path, building, base_iri=base_iri)
        with Store(building, base_iri=base_iri) as built:
            restored = check_store(built)
            held = len(built) + len(built.history)
        if not restored.ok or held != backup.quads or restored.triples != backup.integrity.triples:
            raise EngineError(f"the store built from {backup.path} holds {held} quads "
                              f"({restored.summary()}), not the backup's {backup.quads}: nothing was changed")
        if location.exists():
            location.rename(aside)
        building.rename(location)
    finally:
        shutil.rmtree(building, ignore_errors=True)
        shutil.rmtree(aside, ignore_errors=True)
    return backup


def _bulk_load(path: Path, location: Path, *, base_iri: str) -> None:
    """The backup's quads into a new store at ``location``: the versions' graphs into its
    history store (kg.history), the rest into the store itself."""
    graph_base = Iris(base_iri).graph_base

    def is_version(quad: pyoxigraph.Quad) -> bool:
        name = quad.graph_name
        return isinstance(name, pyoxigraph.NamedNode) and name.value.startswith(graph_base) \
            and version_of(name.value) is not None

    versions = location.with_name(location.name + ".versions.nq")
    current = location.with_name(location.name + ".current.nq")
    try:
        with versions.open("w", encoding="utf-8") as history, current.open("w", encoding="utf-8") as rest:
            for quad in pyoxigraph.parse(path=path, format=_NQUADS):  # one pass, each line where it goes
                (history if is_version(quad) else rest).write(f"{quad} .\n")
        _oxigraph_load(current, location)
        if versions.stat().st_size:
            _oxigraph_load(versions, location / HISTORY_DIR)
    finally:
        versions.unlink(missing_ok=True)
        current.unlink(missing_ok=True)


def _oxigraph_load(path: Path, location: Path) -> None:
    command = [str(find_oxigraph()), "load", "--location", str(location), "--file", str(path),
               "--format", "nq"]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    if done.returncode != 0 or errors:
        said = "\n".join(errors or done.stderr.splitlines()[-5:])
        raise EngineError(f"the engine could not load {path} into {location}: {said}")

"""Faults: processes killed mid-write, readers during writes, a full, read-only or locked store,
and backup and restore — all on real processes, real engines and real file systems.

Two versions of the same sources come from :func:`benchmarks.generate.generate` with two seeds
(the same slugs, other statements, other sizes). A base store holds version 1; each run copies
it, writes version 2 over it and is killed with SIGKILL at a seeded random moment: the loader,
its engine, or both; the server, its engine, or both. After each, the reopened store passes the
integrity check and every source graph, with its record in the meta graph, is wholly version 1
or wholly version 2.

Mounts (tmpfs for a full disk, a read-only bind mount) need root; where they cannot be made,
those tests are skipped with a loud reason.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pyoxigraph
import pytest

from benchmarks.generate import generate
from benchmarks.run import process
from conftest import ROOT, TOKEN
from kg.engine import free_port, lock_holder
from kg.integrity import check_store
from kg.sparql import bind
from kg.store import Store

POLICYKG = str(Path(sys.executable).with_name("policykg"))
STATEMENTS = 1000
RUNS = int(os.environ.get("POLICYKG_FAULT_RUNS", "0"))
"""Kills per kill test (default: 4 loaders, 3 servers); more for a long run by hand."""
KILLS = ("policykg", "engine", "both")
RECORDED_AT = pyoxigraph.NamedNode("https://w3id.org/policykg/ontology#recordedAt")
PK_TRIPLE_COUNT = pyoxigraph.NamedNode("https://w3id.org/policykg/ontology#tripleCount")

Graphs = dict[str, frozenset]


# --- the two versions and their stores ---------------------------------------------------------


def state(location: Path) -> tuple[Graphs, Graphs]:
    """(quads of each source graph, record of each in the meta graph minus its load time), read
    from the store at ``location`` after the integrity check has passed."""
    released(location)
    with Store(location) as store:
        found = check_store(store)
        assert found.ok, found.problems
        meta = store.iris.meta_graph
        graphs: dict[str, set] = {}
        records: dict[str, set] = {}
        for quad in store:
            graph = quad.graph_name.value
            if graph == meta:
                if quad.predicate != RECORDED_AT:
                    records.setdefault(quad.subject.value, set()).add((quad.predicate, quad.object))
            else:
                graphs.setdefault(graph, set()).add(quad)
    return ({g: frozenset(q) for g, q in graphs.items()}, {g: frozenset(r) for g, r in records.items()})


class Versions:
    """The store with version 1 (``base``), and what version 1 and version 2 hold per graph."""

    def __init__(self, root: Path):
        self.root = root
        self.v1, self.v2 = root / "v1" / "entries", root / "v2" / "entries"
        self.base = root / "base"
        run(POLICYKG, "load", "--store", self.base, self.v1)
        newer = root / "newer"
        shutil.copytree(self.base, newer)
        started = time.monotonic()
        run(POLICYKG, "load", "--store", newer, self.v2)
        self.seconds = time.monotonic() - started  # only to spread the kill moments over a load
        self.old, self.new = state(self.base), state(newer)
        self.sizes = {graph: (len(self.old[0].get(graph, ())), len(self.new[0].get(graph, ())))
                      for graph in self.new[0]}

    def moment(self, rng: random.Random, i: int, n: int, *, scale: float = 1.0) -> float:
        """The moment to kill the ``i``-th of ``n`` loads at: random within the ``i``-th of ``n``
        equal parts of a load's time (from start-up to commit), so the kills cover all of it."""
        part = self.seconds * scale / n
        return rng.uniform(i * part, (i + 1) * part)

    def copy(self, name: str) -> Path:
        target = self.root / name
        shutil.copytree(self.base, target)
        return target

    def outcome(self, location: Path) -> dict[str, str]:
        """Graph → "old" or "new"; fails on a graph (with its record) that is neither."""
        graphs, records = state(location)
        seen = {}
        for graph in set(self.old[0]) | set(self.new[0]) | set(graphs):
            got = (graphs.get(graph, frozenset()), records.get(graph))
            old = (self.old[0].get(graph, frozenset()), self.old[1].get(graph))
            new = (self.new[0].get(graph, frozenset()), self.new[1].get(graph))
            assert got in (old, new), (
                f"{graph}: {len(got[0])} quads, neither version 1 ({len(old[0])}) nor version 2 "
                f"({len(new[0])}), or its record does not match them")
            seen[graph] = "old" if got == old else "new"
        return seen


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> Versions:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("versions")
    generate(STATEMENTS, 1, root / "v1", nquads=False)
    generate(STATEMENTS, 2, root / "v2", nquads=False)
    return Versions(root)


def run(*command: object, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done


# --- killing --------------------------------------------------------------------------------------


def engines_of(pid: int) -> list[psutil.Process]:
    """The Oxigraph children of a policykg process: its store's engine, and its history store's
    once that has started (kg/history.py)."""
    try:
        children = psutil.Process(pid).children()
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            if "oxigraph" in child.name():
                found.append(child)
    return found


def engine_of(pid: int) -> psutil.Process | None:
    """The engine of a policykg process's store (not of its history store), if it has started."""
    def is_history(engine: psutil.Process) -> bool:
        try:
            return any(arg.endswith("/history") for arg in engine.cmdline())
        except psutil.NoSuchProcess:
            return False

    return next((engine for engine in engines_of(pid) if not is_history(engine)), None)


def kill(proc: subprocess.Popen, how: str) -> str:
    """SIGKILL the policykg process, its engine, or both at once; what was killed. Waits for
    what was killed, and for the engine of a killed parent (it gets SIGTERM: PR_SET_PDEATHSIG)."""
    engine = engine_of(proc.pid)
    others = [e for e in engines_of(proc.pid) if engine is None or e.pid != engine.pid]
    if engine is None:
        how = "policykg"  # the engine had not started yet
    if how in ("engine", "both"):
        os.killpg(engine.pid, signal.SIGKILL)  # the engine runs in a session (group) of its own
    if how in ("policykg", "both"):
        os.killpg(proc.pid, signal.SIGKILL) if os.getpgid(proc.pid) == proc.pid else proc.kill()
        proc.wait(60)
    for stopped in ([engine] if engine is not None else []) + (others if how != "engine" else []):
        dead(stopped)  # a killed parent's engines get SIGTERM and go on their own time
    return how


def released(location: Path) -> None:
    """Wait until no process holds the store's lock (a killed engine's threads exit after it
    shows as a zombie)."""
    deadline = time.monotonic() + 60
    while lock_holder(location) is not None:
        assert time.monotonic() < deadline, f"{location} is still held by {lock_holder(location)}"
        time.sleep(0.02)


def summary(outcomes: list[tuple]) -> str:
    """What the kill runs hit and how they ended, from each run's (what was killed, …, versions
    seen): for the record."""
    killed = Counter(str(run[0]) for run in outcomes)
    ended = Counter({("old",): "all version 1", ("new",): "all version 2"}.get(tuple(run[-1]), "mixed")
                    for run in outcomes)
    return (f"killed: {times(killed)}; ended: {times(ended)}; every store passed the integrity check, every "
            "graph with its record wholly version 1 or version 2")


def times(counted: Counter) -> str:
    """``2× a, 1× b``, in the order of the names."""
    return ", ".join(f"{n}× {name}" for name, n in sorted(counted.items()))


def dead(proc: psutil.Process) -> None:
    """Wait until ``proc`` (not our child) is gone or a zombie (its parent reaps it later)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.02)
    raise AssertionError(f"{proc} did not stop")


@pytest.mark.slow
def test_a_loader_killed_mid_write_leaves_each_graph_old_or_new(versions: Versions, reliability) -> None:
    rng = random.Random(6)
    outcomes = []
    kills = [KILLS[i % 3] for i in range(RUNS or 4)]
    for i, how in enumerate(kills):
        location = versions.copy(f"loader-{i}")
        loader = subprocess.Popen([POLICYKG, "load", "--store", str(location), str(versions.v2)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(versions.moment(rng, i, len(kills)))
        killed = kill(loader, how) if loader.poll() is None else "nothing (it had finished)"
        loader.wait(120)  # a loader whose engine was killed fails (or restarts it and finishes)
        said = loader.stderr.read().decode()
        loader.stderr.close()
        if killed in ("engine", "nothing (it had finished)"):  # it ended by itself: cleanly
            assert loader.returncode == 0 or (said.startswith("error: the ") and "Traceback" not in said), said
        seen = versions.outcome(location)
        outcomes.append((killed, sorted(set(seen.values()))))
        shutil.rmtree(location)
    print(f"loader kills (a load takes {versions.seconds:.1f} s):", outcomes)
    reliability.record("fault", "SIGKILL to `policykg load`, its engine or both, at a seeded moment of a load",
                       tried=len(outcomes), outcome=summary(outcomes), lost="nothing")


STAGED = """
import sys
from pathlib import Path
from kg.load import load_paths
from kg.store import Store
with Store(Path(sys.argv[1])) as store:
    store.engine.learn(max_update_bytes=300_000)  # as above the engine's request limit: staged
    load_paths([Path(sys.argv[2])], store)
"""


@pytest.mark.slow
def test_a_staged_load_killed_between_its_requests_leaves_no_staging(versions: Versions, reliability) -> None:
    """A load over the engine's request limit stages its graphs in pieces, then swaps them in:
    killed before the swap, it leaves staging graphs, dropped when the store is next opened."""
    rng = random.Random(7)
    dropped = []
    for i in range(2):
        location = versions.copy(f"staged-{i}")
        loader = subprocess.Popen([sys.executable, "-c", STAGED, str(location), str(versions.v2)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                                  cwd=ROOT)
        staging_seen(loader)
        time.sleep(rng.uniform(0, 0.5))
        if loader.poll() is None:
            kill(loader, "both")
        loader.wait(120)
        said = loader.stderr.read().decode()
        loader.stderr.close()
        assert loader.returncode in (0, -signal.SIGKILL), said
        released(location)
        with Store(location) as store:
            dropped.append(len(store.dropped_staging))
            assert store.staging_graphs() == []
        versions.outcome(location)
        shutil.rmtree(location)
    print("staging graphs dropped on reopening:", dropped)
    reliability.record("fault", "SIGKILL to a staged load (over the engine's request limit) once it staged",
                       tried=len(dropped), outcome=f"{sum(1 for n in dropped if n)} left staging graphs "
                       f"({sum(dropped)} in all), all dropped on reopening; every graph whole", lost="nothing")


def staging_seen(loader: subprocess.Popen) -> None:
    """Wait until the loader's engine holds a staging graph (asked on the engine's own port),
    or the loader has ended."""
    ask = "ASK { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), \"https://w3id.org/policykg/staging/\")) }"
    while loader.poll() is None:
        engine = engine_of(loader.pid)
        if engine is not None:
            try:
                bind_address = engine.cmdline()[engine.cmdline().index("--bind") + 1]
                answer = httpx.get(f"http://{bind_address}/query", params={"query": ask}, timeout=5,
                                   headers={"Accept": "application/sparql-results+json"})
                if answer.status_code == 200 and answer.json()["boolean"]:
                    return
            except (httpx.HTTPError, psutil.Error, ValueError):
                pass
        time.sleep(0.02)


def test_staging_graphs_left_behind_are_dropped_on_opening_and_reported(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with Store(location) as store:
        staged = pyoxigraph.NamedNode(store.staging_base + "0123/0")  # as a killed load leaves it
        store.update(f"INSERT DATA {{ GRAPH {staged} {{ {staged} {staged} {staged} }} }}")
        assert store.staging_graphs() == [staged.value]
        assert not check_store(store).ok  # seen by queries, until dropped
    done = run(POLICYKG, "verify", "--store", location)
    assert "1 stale staging graph(s) of an interrupted load were dropped on opening" in done.stdout
    with Store(location) as store:
        assert store.staging_graphs() == [] and len(store) == 0


# --- servers --------------------------------------------------------------------------------------


@contextmanager
def serving(location: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    url = f"http://127.0.0.1:{(port := free_port())}"
    command = [POLICYKG, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(location)]
    with process(command, url + "/-/health", env={"POLICYKG_TOKEN": TOKEN}, timeout=60) as (proc, _):
        yield proc, url


def post_entries(url: str, entries: Path, *, timeout: float = 300) -> httpx.Response:
    files = [("file", (p.name, p.read_bytes())) for p in sorted(entries.glob("*.yaml"))]
    return httpx.post(url + "/entries", files=files, headers={"Authorization": f"Bearer {TOKEN}"},
                      timeout=timeout)


@pytest.mark.slow
def test_a_server_killed_mid_write_leaves_each_graph_old_or_new(versions: Versions, reliability) -> None:
    rng = random.Random(8)
    outcomes = []
    kills = [KILLS[i % 3] for i in range(RUNS or 3)]
    for i, how in enumerate(kills):
        location = versions.copy(f"server-{i}")
        with serving(location) as (server, url):
            answers: list[object] = []
            writer = threading.Thread(target=lambda: answers.append(_try_post(url, versions.v2)))
            writer.start()
            time.sleep(versions.moment(rng, i, len(kills), scale=0.7))  # no start-up to wait for
            killed = kill(server, how)  # the engine alone: the server lives on, and is stopped here
            writer.join()
        seen = versions.outcome(location)
        outcomes.append((killed, answers[0], sorted(set(seen.values()))))
        shutil.rmtree(location)
    print("server kills:", outcomes)
    answers = Counter(str(answer) for _, answer, _ in outcomes)
    reliability.record("fault", "SIGKILL to `policykg serve`, its engine or both, during a `POST /entries`",
                       tried=len(outcomes), lost="nothing", outcome=summary(outcomes) + f"; the POST got: {times(answers)}")


def test_an_engine_restarted_by_a_request_dies_with_a_killed_server(tmp_path: Path, reliability) -> None:
    """The server restarts a dead engine from a request thread; killed with SIGKILL, it must not
    leave that engine behind, holding the store."""
    location = tmp_path / "store"
    run(POLICYKG, "load", "--store", location, ROOT / "data")
    with serving(location) as (server, url):
        first = engine_of(server.pid)
        kill(server, "engine")  # the server restarts it on the next request, from a request thread
        assert httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60).status_code == 200
        second = engine_of(server.pid)
        assert second is not None and second.pid != first.pid
        kill(server, "policykg")
        dead(second)
    assert run(POLICYKG, "verify", "--store", location).returncode == 0
    reliability.record("fault", "SIGKILL to a server whose engine a request had restarted", tried=1,
                       outcome="the restarted engine died with the server; the store then passed the "
                       "integrity check", lost="nothing")


def _try_post(url: str, entries: Path) -> object:
    try:
        return post_entries(url, entries).status_code
    except httpx.HTTPError as error:
        return type(error).__name__


COUNT = """PREFIX pk: <https://w3id.org/policykg/ontology#>
SELECT ?recorded (COUNT(*) AS ?n) WHERE {
  GRAPH ?meta { ?g pk:tripleCount ?recorded } GRAPH ?g { ?s ?p ?o }
} GROUP BY ?recorded"""


@pytest.mark.slow
def test_readers_and_a_backup_during_writes_see_whole_versions(versions: Versions, tmp_path: Path,
                                                              reliability) -> None:
    """Readers count a source (and read its recorded size in the same query) while it is
    replaced back and forth; a backup taken meanwhile restores to whole versions."""
    both = {g: sizes for g, sizes in versions.sizes.items() if min(sizes) > 0}
    graph = max(both, key=lambda g: abs(both[g][0] - both[g][1]))
    sizes = set(both[graph])
    assert len(sizes) == 2
    query = bind(COUNT, {"g": pyoxigraph.NamedNode(graph),
                         "meta": pyoxigraph.NamedNode("https://w3id.org/policykg/graph/meta")})
    location = versions.copy("readers")
    seen: list[tuple[int, int]] = []
    failures: list[str] = []
    writing = threading.Event()
    writing.set()

    def read(url: str) -> None:
        with httpx.Client(timeout=60) as client:
            while writing.is_set():
                answer = client.post(url + "/sparql", data={"query": query},
                                     headers={"Accept": "application/sparql-results+json"})
                rows = answer.json()["results"]["bindings"] if answer.status_code == 200 else []
                if len(rows) != 1:
                    failures.append(f"{answer.status_code}: {answer.text[:300]}")
                    return
                seen.append((int(rows[0]["n"]["value"]), int(rows[0]["recorded"]["value"])))

    with serving(location) as (_, url):
        readers = [threading.Thread(target=read, args=(url,)) for _ in range(2)]
        for reader in readers:
            reader.start()
        backup = subprocess.Popen([POLICYKG, "backup", str(tmp_path / "during.nq"), "--server", url],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for entries in (versions.v2, versions.v1):
            posted = post_entries(url, entries)
            assert posted.status_code == 201, posted.text
        writing.clear()
        for reader in readers:
            reader.join()
        out, err = backup.communicate(timeout=120)
    assert backup.returncode == 0, err
    assert not failures, failures
    assert seen and {n for n, _ in seen} <= sizes, (sizes, sorted(set(seen)))
    assert all(n == recorded for n, recorded in seen)
    print(f"{len(seen)} reads of {graph}: sizes seen {sorted({n for n, _ in seen})} of {sorted(sizes)}")
    restored = tmp_path / "restored"
    run(POLICYKG, "restore", tmp_path / "during.nq", "--store", restored)
    versions.outcome(restored)  # each graph whole, with its own record
    assert "ok:" in run(POLICYKG, "verify", "--store", restored).stdout
    reliability.record("fault", "reads of one source through `/sparql` (2 threads) and a backup while the "
                       "server replaces it twice", tried=len(seen), lost="nothing",
                       outcome=f"each read saw a whole version, equal to the record in the same answer "
                       f"(sizes seen: {' and '.join(map(str, sorted({n for n, _ in seen})))} triples, of the "
                       f"versions' {' and '.join(map(str, sorted(sizes)))}); the backup restored to whole versions")


# --- backup and restore ----------------------------------------------------------------------------


def test_backup_and_restore_give_back_the_same_quads(versions: Versions, tmp_path: Path, reliability) -> None:
    backup = tmp_path / "base.nq"
    done = run(POLICYKG, "backup", backup, "--store", versions.base)
    assert "every graph matches its metadata" in done.stdout
    with Store(versions.base) as store:
        before = set(store)
    target = tmp_path / "restored"
    run(POLICYKG, "restore", backup, "--store", target)
    with Store(target) as store:
        assert set(store) == before
    assert run(POLICYKG, "verify", "--store", target).returncode == 0

    again = run(POLICYKG, "restore", backup, "--store", target, check=False)  # not empty: refused
    assert again.returncode == 1 and "is not empty" in again.stderr and "--force" in again.stderr
    second = run(POLICYKG, "backup", backup, "--store", versions.base, check=False)
    assert second.returncode == 1 and "never overwrites" in second.stderr
    nowhere = run(POLICYKG, "backup", tmp_path / "no" / "b.nq", "--store", versions.base, check=False)
    assert nowhere.returncode == 1 and f"no directory {tmp_path / 'no'}" in nowhere.stderr
    refused = [again, second, nowhere]
    reliability.record("fault", "backup and restore; a restore over a store that is not empty, a backup over "
                       "a file or into a missing directory", tried=1 + len(refused), lost="nothing",
                       outcome=f"the same {len(before):,} quads restored; {len(refused)} refused with exit 1 "
                       "and a message")


def test_a_damaged_backup_is_refused_and_changes_nothing(versions: Versions, tmp_path: Path, reliability) -> None:
    backup = tmp_path / "base.nq"
    run(POLICYKG, "backup", backup, "--store", versions.base)
    lines = backup.read_text(encoding="utf-8").splitlines(keepends=True)
    target = tmp_path / "target"
    run(POLICYKG, "load", "--store", target, ROOT / "data")
    with Store(target) as store:
        before = set(store)

    cut = tmp_path / "cut.nq"  # a source graph short of one triple: its record says otherwise
    victim = next(i for i, line in enumerate(lines) if "/graph/bench-src-" in line)
    cut.write_text("".join(lines[:victim] + lines[victim + 1:]), encoding="utf-8")
    refused = run(POLICYKG, "restore", cut, "--store", target, "--force", check=False)
    assert refused.returncode == 1 and "fails the integrity check" in refused.stderr
    assert "Traceback" not in refused.stderr

    broken = tmp_path / "broken.nq"  # a file cut in the middle of a line
    broken.write_text("".join(lines[:10]) + lines[10][:25], encoding="utf-8")
    refused = run(POLICYKG, "restore", broken, "--store", target, "--force", check=False)
    assert refused.returncode == 1 and "is not an N-Quads backup" in refused.stderr

    with Store(target) as store:
        assert set(store) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # nothing left
    damaged = [cut, broken]
    reliability.record("fault", "a damaged backup restored with `--force` (a graph short of a triple, a file "
                       "cut mid-line)", tried=len(damaged), lost="nothing",
                       outcome=f"each refused with exit 1; the target store kept its {len(before):,} quads")


# --- a locked, read-only or full store ----------------------------------------------------------------


def test_a_store_held_by_a_server_is_refused_by_name(versions: Versions, tmp_path: Path, reliability) -> None:
    location = tmp_path / "held"
    run(POLICYKG, "load", "--store", location, ROOT / "data")
    with Store(location) as store:
        before = set(store)
    commands = (["load", "--store", location, versions.v2], ["backup", tmp_path / "b.nq", "--store", location],
                ["restore", tmp_path / "b.nq", "--store", location, "--force"], ["verify", "--store", location])
    with serving(location) as (server, url):
        engine = engine_of(server.pid)
        assert engine is not None
        for command in commands:
            if command[0] == "restore":
                run(POLICYKG, "backup", tmp_path / "b.nq", "--server", url)
            done = run(POLICYKG, *command, check=False)
            assert done.returncode == 1, command
            assert "Traceback" not in done.stderr
            message = " ".join(done.stderr.split())
            assert f"the store {location} is in use by another process" in message, message
            assert f"(pid {engine.pid})" in message and "policykg serve" in message, message
            assert command[0] == "restore" or "--server" in message, message
    with Store(location) as store:
        assert set(store) == before
        assert check_store(store).ok
    reliability.record("fault", "a store held by a running server, given to load, backup, restore and verify",
                       tried=len(commands), lost="nothing",
                       outcome="each refused with exit 1, naming the holder's pid and command, and pointing "
                       "to the server; the store unchanged")


def mount(*arguments: object) -> None:
    """``mount ARGUMENTS…``; skip loudly where it fails (mounting needs root)."""
    done = subprocess.run(["mount", *map(str, arguments)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"!!! FAULT TEST SKIPPED — cannot mount: {done.stderr.strip()}")


@contextmanager
def mounted(target: Path, *arguments: object) -> Iterator[None]:
    """``target`` mounted (``mount ARGUMENTS… target``), unmounted after."""
    target.mkdir(parents=True, exist_ok=True)
    mount(*arguments, target)
    try:
        yield
    finally:
        subprocess.run(["umount", str(target)], check=True)


def test_a_read_only_store_directory_gets_a_clear_message(versions: Versions, tmp_path: Path, reliability) -> None:
    location = tmp_path / "store"
    run(POLICYKG, "load", "--store", location, ROOT / "data")
    with Store(location) as store:
        before = set(store)
    view = tmp_path / "read-only"
    with mounted(view, "--bind", location):
        mount("-o", "remount,ro,bind", view)
        commands = (["load", "--store", view, versions.v2], ["verify", "--store", view])
        for command in commands:
            done = run(POLICYKG, *command, check=False)
            assert done.returncode == 1 and "Traceback" not in done.stderr
            assert f"the store directory {view} is on a read-only file system" in " ".join(done.stderr.split())
    with Store(location) as store:
        assert set(store) == before and check_store(store).ok
    reliability.record("fault", "a store on a read-only file system, given to load and verify",
                       tried=len(commands), lost="nothing",
                       outcome="each refused with exit 1 and one message; the store unchanged")


def test_a_full_disk_refuses_the_write_whole(versions: Versions, tmp_path: Path, reliability) -> None:
    disk = tmp_path / "disk"
    with mounted(disk, "-t", "tmpfs", "-o", "size=3m", "tmpfs"):
        location = disk / "store"
        run(POLICYKG, "load", "--store", location, ROOT / "data")
        with Store(location) as store:
            before = set(store)
        done = run(POLICYKG, "load", "--store", location, versions.v1, check=False)
        message = " ".join(done.stderr.split())
        assert done.returncode == 1 and "Traceback" not in done.stderr
        # the history store, inside the store's directory, is written first (kg/history.py)
        assert f"the disk holding the store {location}/history is full" in message, message
        assert "nothing of it was applied" in message
        opening = run(POLICYKG, "verify", "--store", location, check=False)  # no room to open in
        assert opening.returncode == 1 and "Traceback" not in opening.stderr
        assert "is full: the engine cannot open it" in " ".join(opening.stderr.split())
        mount("-o", "remount,size=64m", disk)  # space freed
        with Store(location) as store:
            assert set(store) == before and check_store(store).ok

        mount("-o", "remount,size=3m", disk)  # full again, under a running server
        with serving(location) as (_, url):
            refused = post_entries(url, versions.v1)
            assert refused.status_code == 507, refused.text
            assert f"the disk holding the store {location}/history is full" in refused.json()["detail"]
            mount("-o", "remount,size=64m", disk)
            assert post_entries(url, versions.v1).status_code == 201  # the retry asked for works
        graphs, _ = state(location)  # the integrity check passes, and version 1 is in, whole
        assert all(graphs.get(graph) == quads for graph, quads in versions.old[0].items())
    refusals = [done, opening, refused]
    reliability.record("fault", "a full disk (3 MB tmpfs): `policykg load`, then opening the store, then "
                       "`POST /entries`", tried=len(refusals), lost="nothing",
                       outcome=f"each refused whole (exit 1, exit 1, {refused.status_code}); once space was "
                       f"freed the store opened with its {len(before):,} quads and the server's retry was "
                       "written")

"""Run the benchmark suite: ``python -m benchmarks.run --size 10000 [--size 100000 …]``.

For each size, on data from :mod:`benchmarks.generate` (same seed, same bytes), in one run:

1. validated ingest: ``policykg load --chunk-mb`` of every entry file into a fresh on-disk
   store (one process, one transaction per chunk of files), statements/s and peak RSS of the
   process tree (policykg and its Oxigraph engine);
2. bulk import: ``policykg load --chunk-mb`` of a slice of the pre-validated N-Quads dump into
   another fresh store, and ``oxigraph load`` of the whole dump (the peer's own import) for
   comparison; both served stores then compacted with ``oxigraph optimize``;
3. a curator's 20-statement file validated and committed into the full store (in process, and
   ``policykg load`` end to end);
4. latency p50/p99 of the named questions (``kg/queries/*.rq`` with bound parameters from the
   head, middle and tail of the Zipf distribution) through ``kg`` (``Store.select``), alternating
   call by call with the Oxigraph server (``oxigraph serve-read-only --union-default-graph``,
   loaded with the same N-Quads) and rdflib-endpoint (same N-Quads in an rdflib Dataset);
5. ``policykg serve`` start time on the store (until ``/-/health`` answers, and until a REST
   lookup answers), then the same questions through ``/sparql`` alternating with the Oxigraph
   server, and the REST lookups one at a time;
6. HTTP throughput of the REST lookups under wrk (fixed threads and connections on 127.0.0.1),
   alternating with a FastAPI hello-world served by uvicorn (one worker) under the same wrk;
7. dump export: ``GET /dumps/policykg.nq`` streamed to the end (quads/s), against the Oxigraph
   server's ``GET /store`` in N-Quads; and the serving RSS.

Results go to ``benchmarks/results/<date>-<size>.json``. Every process it starts, it stops.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import httpx
import psutil

from benchmarks.generate import REGISTRY, generate
from kg.engine import free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
POLICYKG = str(BIN / "policykg")
OXIGRAPH = str(BIN / "oxigraph")
SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples"


# --- helpers -------------------------------------------------------------------------------------

def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


class PeakRss:
    """Samples the RSS of a process tree every 50 ms; ``peak`` in bytes."""

    def __init__(self, pid: int):
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_timed(cmd: list[str], **kwargs) -> tuple[float, int, str]:  # type: ignore[no-untyped-def]
    """Run ``cmd``; (seconds, peak RSS of its process tree, stdout). Raises on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    sampler = PeakRss(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    peak = sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} … failed ({proc.returncode}): {err[-2000:]}")
    return seconds, peak, out


@contextlib.contextmanager
def process(cmd: list[str], ready_url: str, *, env: dict[str, str] | None = None,
            timeout: float = 600) -> Iterator[tuple[subprocess.Popen, float]]:
    """Start a server; yield it and the seconds until ``ready_url`` answered 200; stop it."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(ready_url, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"{cmd[0]} did not answer within {timeout} s")
            time.sleep(0.02)
        yield proc, time.perf_counter() - start
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def get_ok(client: httpx.Client, url: str, refusals: list[str], *, tries: int = 10) -> bool:
    """GET ``url`` until it answers 2xx, and say whether it did at once. A 503 (server-busy,
    engine-unavailable: the documented, retryable refusals) is noted in ``refusals`` and tried
    again after its ``Retry-After``; anything else raises. (The 1M run of 2026-11-26 stopped on
    one such 503.)"""
    for attempt in range(tries):
        answer = client.get(url)
        if answer.status_code != 503:
            answer.raise_for_status()
            return attempt == 0
        refusals.append(f"{url}: {answer.text[:300]}")
        log(f"  503, tried again: {answer.text[:200]}")
        time.sleep(float(answer.headers.get("retry-after", "1")))
    answer.raise_for_status()
    return False


def percentiles(samples: list[float]) -> dict[str, float | int]:
    """p50/p99 (ms) by nearest rank, the mean and the sample count."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]

    return {"p50_ms": round(rank(0.50) * 1000, 3), "p99_ms": round(rank(0.99) * 1000, 3),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 3), "n": len(ordered)}


# --- the questions -------------------------------------------------------------------------------

def question_cases(manifest: dict) -> list[dict]:
    """Named queries with realistic bound parameters (Zipf head, middle, tail)."""
    people, states = manifest["people_by_activity"], manifest["states_by_activity"]
    speakers, topics = manifest["speakers_by_activity"], manifest["topics_sample"]
    resolutions, ios = manifest["resolutions_sample"], manifest["international_organizations"]
    cases = [
        ("statements_by_speaker", {"speaker": people[0], "from": "2020-01-01", "to": "2021-12-31"}),
        ("statements_by_speaker", {"speaker": people[-1]}),
        ("statements_by_speaker", {"speaker": speakers[0], "from": "2023-01-01", "to": "2023-12-31"}),
        ("statements_about", {"about": f"resolution/{resolutions[0]}"}),
        ("statements_about", {"about": f"topic/{topics[0]}", "from": "2022-01-01", "to": "2022-12-31"}),
        ("positions_on_target", {"target": f"topic/{topics[1]}", "stance": "opposes"}),
        ("positions_on_target", {"target": f"resolution/{resolutions[1]}"}),
        ("positions_by_holder", {"holder": states[0]}),
        ("positions_by_holder", {"holder": people[1]}),
        ("resolutions_adopted", {"adoptedBy": ios[0]}),
        ("spokespeople_of", {"onBehalfOf": states[0]}),
        ("spokespeople_of", {"onBehalfOf": states[-1]}),
        ("source_graph", {"source": manifest["source_sample"][0]}),
    ]
    from kg.iris import Iris
    from kg.queries import named_query
    from kg.store import bind

    iris = Iris()
    out = []
    for name, values in cases:
        query = named_query(name)
        subs = query.substitutions(values, iris=iris)
        text = query.text_for(subs)
        out.append({"name": name, "params": values, "form": query.form, "text": text,
                    "substitutions": subs, "bound": bind(text, subs)})
    return out


def rest_paths(manifest: dict) -> list[str]:
    """The REST lookups measured: statements by speaker and period, positions, timelines."""
    people, states = manifest["people_by_activity"], manifest["states_by_activity"]
    speakers = manifest["speakers_by_activity"]
    return [
        f"/statements?speaker={people[0]}&from=2020-01-01&to=2021-12-31",
        f"/statements?speaker={people[-1]}&from=2015-01-01&to=2025-12-31",
        f"/statements?speaker={speakers[3]}&from=2023-01-01&to=2023-06-30",
        f"/actors/{states[0]}/positions",
        f"/actors/{people[1]}/positions",
        f"/timeline?actor={people[0]}",
        f"/timeline?actor={states[-1]}",
    ]


class Sparql:
    """One SPARQL endpoint over HTTP (POST form, explicit Accept), timed to the last byte."""

    def __init__(self, url: str, client: httpx.Client, *, timeout: float = 60.0):
        self.url, self.client, self.timeout = url, client, timeout

    def __call__(self, case: dict) -> float:
        accept = SELECT_ACCEPT if case["form"] == "SELECT" else GRAPH_ACCEPT
        start = time.perf_counter()
        try:
            response = self.client.post(self.url, data={"query": case["bound"]}, headers={"Accept": accept},
                                        timeout=self.timeout)
        except httpx.TimeoutException:
            raise RuntimeError(f"{self.url}: {case['name']} took over {self.timeout} s (timed out)") from None
        body = response.content
        seconds = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"{self.url}: {case['name']} → {response.status_code} {body[:300]!r}")
        return seconds


def through_kg(store: object) -> Callable[[dict], float]:
    """A case run through ``kg`` (:class:`kg.store.Store`) on ``store``: its seconds."""
    def run(case: dict) -> float:
        begin = time.perf_counter()
        if case["form"] == "SELECT":
            store.select(case["text"], substitutions=case["substitutions"])  # type: ignore[attr-defined]
        else:
            list(store.query(case["text"], substitutions=case["substitutions"]))  # type: ignore[attr-defined]
        return time.perf_counter() - begin
    return run


def measure_alternating(cases: list[dict], systems: dict[str, Callable[[dict], float]], *,
                        rounds: int, budget_s: float) -> dict[str, dict[str, list[float]]]:
    """Each round runs every case on every system in turn (rotating who goes first).

    A system whose time on a case exceeds ``budget_s`` in total gets no more samples of it
    (rdflib-endpoint can take seconds per query); at least one sample is always taken.
    """
    samples: dict[str, dict[str, list[float]]] = {s: {} for s in systems}
    spent: dict[tuple[str, int], float] = {}
    errors: dict[str, str] = {}
    names = list(systems)
    for r in range(rounds):
        for i, case in enumerate(cases):
            order = names[(r + i) % len(names):] + names[:(r + i) % len(names)]
            for system in order:
                key = (system, i)
                if spent.get(key, 0.0) > budget_s or (system, i) in errors:
                    continue
                try:
                    seconds = systems[system](case)
                except Exception as error:  # noqa: BLE001 — recorded, the run goes on
                    errors[(system, i)] = str(error)[:300]
                    continue
                spent[key] = spent.get(key, 0.0) + seconds
                samples[system].setdefault(f"{i:02d}", []).append(seconds)
    samples["_errors"] = {f"{s}/{i:02d}": e for (s, i), e in errors.items()}  # type: ignore[assignment]
    return samples


def summarise(cases: list[dict], samples: dict, systems: list[str]) -> dict:
    """Per named question: p50/p99 over all its cases' samples, per system, and each case's
    p50 per system (``per_case``: ratios are taken case by case, since a system that stops
    sampling a slow case early would otherwise have its p50 drawn from the fast ones)."""
    by_question: dict[str, dict] = {}
    for i, case in enumerate(cases):
        entry = by_question.setdefault(case["name"], {"cases": [], "per_case": [], **{s: [] for s in systems}})
        entry["cases"].append(case["params"])
        found = {s: samples.get(s, {}).get(f"{i:02d}", []) for s in systems}
        entry["per_case"].append({s: percentiles(found[s]).get("p50_ms") for s in systems})
        for system in systems:
            entry[system] += found[system]
    return {name: {"cases": entry["cases"], "per_case": entry["per_case"],
                   **{s: percentiles(entry[s]) for s in systems}}
            for name, entry in by_question.items()}


def case_ratio(entry: dict, slower: str, faster: str) -> float | None:
    """The median over a question's cases of ``slower``'s p50 ÷ ``faster``'s p50 (cases both
    systems answered)."""
    ratios = [c[slower] / c[faster] for c in entry["per_case"] if c.get(slower) and c.get(faster)]
    return round(statistics.median(ratios), 2) if ratios else None


# --- load generator ------------------------------------------------------------------------------

WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def wrk(url: str, paths: list[str], *, threads: int, connections: int, seconds: int) -> dict:
    """Requests/s and latency percentiles of wrk cycling through ``paths``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
             "-s", script.name, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)

    def ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    result: dict[str, object] = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for q in ("50", "99"):
        found = re.search(rf"^\s+{q}%\s+(\S+)", out, re.M)
        if found:
            result[f"p{q}_ms"] = round(ms(found.group(1)), 3)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: (.*)", out)
    result["socket_errors"] = errors.group(1) if errors else ""
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return result


def answered_rps(runs: list[dict]) -> float:
    """Requests answered 2xx per second, the median over wrk runs: a refusal (503 ``server-busy``)
    is answered fast and counted by wrk's Requests/sec, but it is not a lookup served.

    >>> answered_rps([{"rps": 10.0, "requests": 100, "non_2xx": 0}, {"rps": 700.0, "requests": 7000, "non_2xx": 6990}])
    5.5
    """
    return round(statistics.median(r["rps"] * (r["requests"] - r["non_2xx"]) / r["requests"] if r["requests"] else 0.0
                                   for r in runs), 1)


# --- one size ------------------------------------------------------------------------------------

def versions() -> dict[str, str]:
    found = {}
    for package in ("policykg", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "pyshacl", "fastapi",
                    "uvicorn", "httpx"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    found["python"] = platform.python_version()
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        found["wrk"] = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        found["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                             text=True, check=True).stdout.strip()
    return found


def machine() -> dict[str, object]:
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(), "hostname": platform.node()}


def ingest(entries: Path, store: Path, *, chunk_mb: float, manifest: dict) -> dict:
    """``policykg load --chunk-mb`` of every entry file (the registry sorts first) into a fresh
    on-disk store: one process, one transaction per chunk, the next chunk read and validated
    while the engine writes (``kg.load.load_chunked``)."""
    before = os.getloadavg()[0]
    seconds, peak, _ = run_timed([POLICYKG, "load", "--store", str(store), "--chunk-mb", str(chunk_mb),
                                  str(entries)])
    files = len(list(entries.glob("*.yaml")))
    chunk_bytes = chunk_mb * 1e6
    size = sum(p.stat().st_size for p in entries.glob("*.yaml"))
    log(f"  ingest: {manifest['statements']} statements in {seconds:.1f} s")
    return {
        "ingest_statements_per_s": round(manifest["statements"] / seconds, 1),
        "ingest_statements_measured": manifest["statements"],
        "ingest_seconds": round(seconds, 2),
        "ingest_peak_rss_mb": round(peak / 2**20, 1),
        "ingest_load_average": [round(before, 2), round(os.getloadavg()[0], 2)],  # 1-minute, before and after
        "ingest_method": f"`policykg load --chunk-mb {chunk_mb:g}` of the {files:,} entry files "
                         f"({size / 1e6:,.0f} MB, registry first) into a fresh on-disk store: one process, "
                         "one transaction per chunk of about "
                         f"{manifest['statements'] * chunk_bytes / size:,.0f} statements",
    }


def previous_ingest(size: int, out: Path) -> dict:
    """The ingest figures of the newest earlier results of this size, with where they come from
    (for ``--skip-ingest``: the ingest is the longest step, 47 min at 1M)."""
    for path in sorted(out.glob(f"*-{size}.json"), reverse=True):
        old = json.loads(path.read_text(encoding="utf-8"))
        if "ingest_statements_per_s" in old:
            kept = {k: v for k, v in old.items() if k.startswith("ingest_")}
            commit = (old.get("versions") or {}).get("git_commit", "?")
            kept["ingest_method"] = (f"not run in this run (`--skip-ingest`): from {path.name} of {old.get('date')}, "
                                     f"commit {commit}: {old.get('ingest_method', '')}")
            kept["ingest_from"] = {"file": path.name, "date": old.get("date"), "commit": commit}
            return kept
    raise SystemExit(f"--skip-ingest: no earlier results of size {size} in {out} to take the ingest figures from")


def dump_slice(nquads: Path, target: Path, statements: int, manifest: dict) -> tuple[int, int]:
    """The registry's graph and the first sources' graphs of the dump, about ``statements`` of them
    (all of them in a smaller dump)."""
    per_source = manifest["statements"] / manifest["sources"]
    sources = max(1, min(manifest["sources"], int(statements / per_source)))
    keep = {f"<https://w3id.org/policykg/graph/{REGISTRY}>"} | {
        f"<https://w3id.org/policykg/graph/bench-src-{i:06d}>" for i in range(sources)}
    count = 0
    with nquads.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for line in src:
            if line.rstrip(" .\n").rsplit(" ", 1)[-1] in keep:
                out.write(line)
                count += 1
    return count, round((len(keep) - 1) * per_source)


def run_size(size: int, args: argparse.Namespace) -> dict:
    work = Path(args.workdir) / f"size-{size}"
    data = work / "data"
    start = time.perf_counter()
    kept = data / "manifest.json"
    manifest = json.loads(kept.read_text()) if args.reuse_data and kept.exists() else None
    if manifest is not None and (manifest["statements"], manifest["seed"]) == (size, args.seed):
        log(f"size {size}: reusing the data generated in {data}")
    else:
        log(f"size {size}: generating into {data}")
        manifest = generate(size, args.seed, data)
    result: dict[str, object] = {
        "statements": size, "seed": args.seed, "quads": manifest["quads"],
        "triples_per_statement": round(manifest["quads"] / size, 2),
        "generated": {k: manifest[k] for k in ("sources", "files", "actors", "topics", "resolutions", "measures")},
        "generate_seconds": round(time.perf_counter() - start, 1),
        "date": dt.date.today().isoformat(), "machine": machine(), "versions": versions(),
        "command": " ".join(["python -m benchmarks.run", *sys.argv[1:]]),
    }
    nquads = data / "dump.nq"

    # 1. validated ingest
    ingest_store, served_store, ox_store = work / "store-ingest", work / "store-served", work / "store-oxigraph"
    bulk_store = work / "store-bulk"
    for path in (ingest_store, served_store, ox_store, bulk_store, Path(str(served_store) + "-cold")):
        shutil.rmtree(path, ignore_errors=True)
    if args.skip_ingest:
        log("validated ingest: skipped (--skip-ingest); the last run's figures are kept, marked")
        result.update(previous_ingest(size, Path(args.out)))
    else:
        log("validated ingest")
        try:
            result.update(ingest(data / "entries", ingest_store, chunk_mb=args.chunk_mb, manifest=manifest))
        except RuntimeError as error:  # reported, and the rest of the run goes on
            result["ingest_error"] = str(error)[:1000]
    shutil.rmtree(ingest_store, ignore_errors=True)

    # 2. bulk import of a pre-validated dump through policykg load (a slice: validation is the
    # bound), and the Oxigraph peer's own import of the whole dump
    log("bulk import (policykg load of a dump slice)")
    piece = work / "dump-slice.nq"
    quads, approx = dump_slice(nquads, piece, args.bulk_statements, manifest)
    try:
        seconds, peak, _ = run_timed([POLICYKG, "load", "--chunk-mb", str(args.chunk_mb), "--store",
                                      str(bulk_store), str(piece)])
        result.update({"bulk_import_command": f"policykg load --chunk-mb {args.chunk_mb:g}","bulk_import_seconds": round(seconds, 2), "bulk_import_quads": quads,
                       "bulk_import_statements": approx,
                       "bulk_import_quads_per_s": round(quads / seconds, 1),
                       "bulk_import_peak_rss_mb": round(peak / 2**20, 1)})
    except RuntimeError as error:
        result["bulk_import_error"] = str(error)[:500]
    shutil.rmtree(bulk_store, ignore_errors=True)
    log("oxigraph load (the peer's store, and the store policykg serves)")
    seconds, peak, _ = run_timed([OXIGRAPH, "load", "--location", str(ox_store), "--file", str(nquads)])
    result.update({"oxigraph_load_seconds": round(seconds, 2),
                   "oxigraph_load_quads_per_s": round(manifest["quads"] / seconds, 1),
                   "oxigraph_load_peak_rss_mb": round(peak / 2**20, 1)})
    # policykg serves the same dump, loaded by `oxigraph load` (same storage format as its
    # engine): a validated ingest of the whole size does not fit in the run (see above).
    run_timed([OXIGRAPH, "load", "--location", str(served_store), "--file", str(nquads)])
    # Both stores compacted before they serve: a read-only server never compacts what `oxigraph
    # load` wrote (the 1M run of 2026-11-26 had the peer 3-9x slower than the same engine behind
    # policykg for that reason alone).
    result["oxigraph_optimize_seconds"] = round(
        run_timed([OXIGRAPH, "optimize", "--location", str(ox_store)])[0], 2)
    run_timed([OXIGRAPH, "optimize", "--location", str(served_store)])
    shutil.copytree(served_store, str(served_store) + "-cold")  # a second server's own copy
    result["served_store"] = "the full dump loaded with `oxigraph load` (no meta-graph records)"

    cases = question_cases(manifest)
    paths = rest_paths(manifest)
    ox_port, rdf_port = free_port(), free_port()
    log("starting the Oxigraph server and rdflib-endpoint")
    with (process([OXIGRAPH, "serve-read-only", "--location", str(ox_store), "--union-default-graph",
                   "--bind", f"127.0.0.1:{ox_port}", "--timeout-s", "120"],
                  f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D") as (ox_proc, ox_start),
          contextlib.ExitStack() as peers,
          httpx.Client(timeout=300) as client):
        result["oxigraph_server_start_s"] = round(ox_start, 3)
        oxigraph = Sparql(f"http://127.0.0.1:{ox_port}/query", client)
        rdf_proc = None
        against: dict[str, Callable[[dict], float]] = {"oxigraph": oxigraph}
        if manifest["quads"] <= args.rdflib_max_quads:
            rdf_proc, rdf_start = peers.enter_context(process(
                [sys.executable, "-m", "benchmarks.peers", "rdflib-endpoint", "--nquads", str(nquads),
                 "--port", str(rdf_port)], f"http://127.0.0.1:{rdf_port}/?query=ASK%7B%7D", timeout=3600))
            result["rdflib_endpoint_start_s"] = round(rdf_start, 2)
            result["rdflib_endpoint_rss_mb"] = round(tree_rss(rdf_proc.pid) / 2**20, 1)
            against["rdflib_endpoint"] = Sparql(f"http://127.0.0.1:{rdf_port}/", client, timeout=args.query_timeout)
        else:
            result["rdflib_endpoint_skipped"] = (
                f"not run: {manifest['quads']:,} quads is over --rdflib-max-quads {args.rdflib_max_quads:,} "
                "(rdflib holds about 2.2 kB per quad: 3.1 GB for 1.73M quads at 100k)")

        # 3 + 4. curator's file, then kg (Store.select) against the peers
        from kg.load import load_paths
        from kg.store import Store

        log("kg: curator file and named questions (alternating with the peers)")
        curator = data / "curator" / "bench-curator.yaml"
        seconds, _, _ = run_timed([POLICYKG, "load", "--store", str(served_store), str(curator)])
        result["curator_20_statements_cli_ms"] = round(seconds * 1000, 1)
        # The same file corrected (a new checksum): validated again and its graph replaced.
        revised = work / "curator-revised" / curator.name
        revised.parent.mkdir(exist_ok=True)
        revised.write_text(curator.read_text(encoding="utf-8") + "# revised\n", encoding="utf-8")
        with Store(served_store, query_timeout=300) as store:
            # First in a fresh process (the ontology read, the shapes compiled), then again as a
            # server does it (it reads and compiles them when it starts): each a new revision.
            for key in ("curator_20_statements_first_in_process_ms", "curator_20_statements_in_process_ms"):
                revised.write_text(revised.read_text(encoding="utf-8") + "# revised\n", encoding="utf-8")
                start = time.perf_counter()
                load_paths([revised], store)
                result[key] = round((time.perf_counter() - start) * 1000, 1)
            samples_a = measure_alternating(cases, {"policykg_kg": through_kg(store), **against},
                                            rounds=args.rounds, budget_s=args.rdflib_budget)
        if rdf_proc is not None:
            rdf_proc.terminate()  # done with rdflib-endpoint: free the core for what follows

        # 5. policykg serve: start time, /sparql, REST
        log("policykg serve: start, /sparql, REST")
        pk_port = free_port()
        base = f"http://127.0.0.1:{pk_port}"
        # As many query slots as wrk has connections: throughput, not POLICYKG_MAX_CONCURRENT_QUERIES's
        # 503s (the 1M run of 2026-11-26 had 8 slots for 16 connections: 57% of its answers were 503).
        slots = {"POLICYKG_MAX_CONCURRENT_QUERIES": str(max(8, args.wrk_connections))}
        started = time.perf_counter()
        # The start ends at the first answer to a light lookup (the least active speaker's page),
        # as the Oxigraph server's ends at its first ASK: not at the heaviest lookup's query time.
        result["server_start_probe"] = probe = f"/actors/{manifest['people_by_activity'][-1]}"
        with process([POLICYKG, "serve", "--host", "127.0.0.1", "--port", str(pk_port), "--store",
                      str(served_store)], base + probe,
                     env={"POLICYKG_QUERY_TIMEOUT": "300", **slots}) as (pk_proc, answer_s):
            result["server_start_first_answer_s"] = round(answer_s, 3)
            get_ok(client, base + "/-/health", [])  # its counts read every quad
            result["server_start_health_s"] = round(time.perf_counter() - started, 3)
            policykg_sparql = Sparql(base + "/sparql", client)
            samples_b = measure_alternating(cases, {"policykg_sparql": policykg_sparql, "oxigraph": oxigraph},
                                            rounds=args.rounds, budget_s=args.rdflib_budget)

            # 6. REST: one at a time and under wrk without the answer cache (every request
            # queries the engine), then under wrk with it, alternating with the hello-world
            load_opts = {"threads": args.wrk_threads, "connections": args.wrk_connections,
                         "seconds": args.wrk_seconds}
            log("REST lookups without the answer cache: one at a time, then under wrk")
            cold_port = free_port()
            cold = f"http://127.0.0.1:{cold_port}"
            with process([POLICYKG, "serve", "--host", "127.0.0.1", "--port", str(cold_port), "--store",
                          str(served_store) + "-cold"], cold + "/-/health",
                         env={"POLICYKG_QUERY_TIMEOUT": "300", "POLICYKG_CACHE_MB": "0", **slots}):
                rest_samples: dict[str, list[float]] = {}
                refusals: list[str] = []  # 503s met, each tried again
                for _ in range(args.rounds):
                    for path in paths:
                        begin = time.perf_counter()
                        if get_ok(client, cold + path, refusals):  # a sample with waits in it is dropped
                            rest_samples.setdefault(path, []).append(time.perf_counter() - begin)
                result["rest_latency_refusals"] = refusals
                result["rest_latency"] = {path: percentiles(s) for path, s in rest_samples.items()}
                result["rest_latency_all"] = percentiles([x for s in rest_samples.values() for x in s])
                uncached = [wrk(cold, paths, **load_opts) for _ in range(args.wrk_rounds)]
                result["rest_uncached_under_load"] = {"runs": uncached}
                result["rest_lookup_rps_uncached"] = answered_rps(uncached)

            log("wrk: REST lookups (answer cache on, the default) vs FastAPI hello-world (alternating)")
            hello_port = free_port()
            rest_runs, hello_runs = [], []
            with process([sys.executable, "-m", "benchmarks.peers", "hello", "--port", str(hello_port)],
                         f"http://127.0.0.1:{hello_port}/"):
                for _ in range(args.wrk_rounds):
                    rest_runs.append(wrk(base, paths, **load_opts))
                    hello_runs.append(wrk(f"http://127.0.0.1:{hello_port}", ["/"], **load_opts))
            best = lambda runs: max(runs, key=lambda r: r["rps"])  # noqa: E731
            result["rest_lookup_rps"] = answered_rps(rest_runs)
            result["hello_world_rps"] = round(statistics.median(r["rps"] for r in hello_runs), 1)
            result["rest_under_load"] = {"runs": rest_runs, "best": best(rest_runs)}
            result["hello_under_load"] = {"runs": hello_runs}
            result["rest_to_hello_ratio"] = round(result["rest_lookup_rps"] / result["hello_world_rps"], 3)
            result["load_generator"] = (f"wrk (Debian), {args.wrk_threads} threads, {args.wrk_connections} "
                                        f"connections, {args.wrk_seconds} s per run, {args.wrk_rounds} runs each "
                                        "alternating REST/hello, on 127.0.0.1 sharing the machine's cores")

            # 7. dumps and serving memory
            log("dump export")
            result["serving_rss_mb"] = round(tree_rss(pk_proc.pid) / 2**20, 1)
            # the first request streams from the engine (and keeps the file); the next gets the file
            result["dump_first_quads_per_s"], result["dump_first_seconds"], _ = stream_dump(
                client, base + "/dumps/policykg.nq", {})
            result["dump_quads_per_s"], result["dump_seconds"], result["dump_quads"] = stream_dump(
                client, base + "/dumps/policykg.nq", {})
            result["serving_rss_after_dump_mb"] = round(tree_rss(pk_proc.pid) / 2**20, 1)
        ox_rate, ox_seconds, _ = stream_dump(client, f"http://127.0.0.1:{ox_port}/store",
                                             {"Accept": "application/n-quads"})
        result["oxigraph_dump_quads_per_s"], result["oxigraph_dump_seconds"] = ox_rate, ox_seconds
        result["oxigraph_serving_rss_mb"] = round(tree_rss(ox_proc.pid) / 2**20, 1)

    if args.virtuoso:
        result["virtuoso"] = virtuoso_side_by_side(work, data, served_store, cases, paths, args)

    systems = ["policykg_kg", "policykg_sparql", "oxigraph", "rdflib_endpoint"]
    merged = {"policykg_kg": samples_a["policykg_kg"], "rdflib_endpoint": samples_a.get("rdflib_endpoint", {}),
              "policykg_sparql": samples_b["policykg_sparql"], "oxigraph": samples_b["oxigraph"]}
    questions = summarise(cases, merged, systems)
    ox_a = summarise(cases, {"oxigraph": samples_a["oxigraph"]}, ["oxigraph"])
    for name, entry in questions.items():
        entry["oxigraph_alongside_kg"] = ox_a[name]["oxigraph"]
        entry["sparql_vs_oxigraph_p50"] = case_ratio(entry, "policykg_sparql", "oxigraph")
        entry["rdflib_endpoint_vs_sparql_p50"] = case_ratio(entry, "rdflib_endpoint", "policykg_sparql")
    result["questions"] = questions
    result["question_errors"] = {**samples_a["_errors"], **samples_b["_errors"]}
    result["latency_method"] = (f"{args.rounds} rounds; each round runs every case on every system in turn, "
                                "rotating who goes first; one keep-alive httpx client, POST form, whole body "
                                f"read; a system stops sampling a case after {args.rdflib_budget} s in total on it; "
                                "p50/p99 by nearest rank over all cases of a question")
    return result


def virtuoso_side_by_side(work: Path, data: Path, served_store: Path, cases: list[dict],
                           paths: list[str], args: argparse.Namespace) -> dict:
    """The same loads and lookups on a private Virtuoso and on the embedded Oxigraph engine.

    Loads: the dump slice and the curator's file through ``policykg load`` (validated), and each
    engine's own bulk loader over the whole dump (``oxigraph load`` was measured above;
    Virtuoso's ``ld_dir`` + ``rdf_loader_run``). Lookups: the named questions through ``kg``
    alternating between the two engines, then the REST lookups through ``policykg serve`` on each.
    """
    from benchmarks.virtuoso import PrivateVirtuoso
    from kg.store import Store

    out: dict[str, object] = {}
    folder = work / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    with PrivateVirtuoso(folder, max_rows=10_000, max_time=300) as virtuoso:
        env = {"POLICYKG_UPDATE_URL": virtuoso.update_url, "POLICYKG_ENGINE_AUTH": virtuoso.auth}
        store_url = virtuoso.query_url
        out["virtuoso_version"] = _virtuoso_version(virtuoso)

        log("virtuoso: policykg load of the dump slice and of the curator's file")
        piece = work / "dump-slice.nq"
        quads = sum(1 for _ in piece.open(encoding="utf-8"))
        seconds, _, _ = run_timed([POLICYKG, "load", "--store", store_url, str(piece)],
                                  env={**os.environ, **env})
        out["bulk_import_seconds"] = round(seconds, 2)
        out["bulk_import_quads_per_s"] = round(quads / seconds, 1)
        seconds, _, _ = run_timed([POLICYKG, "load", "--store", store_url,
                                   str(data / "curator" / "bench-curator.yaml")], env={**os.environ, **env})
        out["curator_20_statements_cli_ms"] = round(seconds * 1000, 1)
        with Store(store_url, update_url=virtuoso.update_url, auth=virtuoso.auth) as store:
            store.clear()

        log("virtuoso: native bulk load of the whole dump (ld_dir, rdf_loader_run, checkpoint)")
        shutil.copy(data / "dump.nq", folder / "dump.nq")
        start = time.perf_counter()
        virtuoso.sql(f"ld_dir('{folder}', 'dump.nq', 'urn:policykg:bench:unused');\n"
                     "rdf_loader_run();\ncheckpoint;\n")
        seconds = time.perf_counter() - start
        manifest_quads = sum(1 for _ in (data / "dump.nq").open(encoding="utf-8"))
        out["native_load_seconds"] = round(seconds, 2)
        out["native_load_quads_per_s"] = round(manifest_quads / seconds, 1)

        log("virtuoso: named questions through kg, alternating with the embedded engine")
        with (Store(store_url, query_timeout=300) as on_virtuoso,
              Store(served_store, query_timeout=300) as on_oxigraph):
            samples = measure_alternating(cases, {"virtuoso_kg": through_kg(on_virtuoso),
                                                  "oxigraph_kg": through_kg(on_oxigraph)},
                                          rounds=args.rounds, budget_s=args.rdflib_budget)
        out["questions"] = summarise(cases, samples, ["virtuoso_kg", "oxigraph_kg"])
        for entry in out["questions"].values():
            entry["virtuoso_vs_oxigraph_p50"] = case_ratio(entry, "virtuoso_kg", "oxigraph_kg")
        out["question_errors"] = samples["_errors"]

        log("virtuoso: REST lookups through policykg serve on each engine")
        rest: dict[str, dict] = {}
        with httpx.Client(timeout=300) as client:
            for name, store_arg, extra in (("virtuoso", store_url, env), ("oxigraph", str(served_store), {})):
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                with process([POLICYKG, "serve", "--host", "127.0.0.1", "--port", str(port), "--store",
                              store_arg], base + "/-/health",
                             env={"POLICYKG_QUERY_TIMEOUT": "300", "POLICYKG_CACHE_MB": "0", **extra}):
                    timings: list[float] = []
                    for _ in range(max(3, args.rounds // 4)):  # a lookup on Virtuoso takes seconds
                        for path in paths:
                            begin = time.perf_counter()
                            client.get(base + path).raise_for_status()
                            timings.append(time.perf_counter() - begin)
                    rest[name] = percentiles(timings)
        out["rest_latency_all"] = rest
        out["method"] = (f"a private Virtuoso ({folder.name}/virtuoso.ini: ResultSetMaxRows 10000, "
                         "MaxQueryExecutionTime 300 s, NumberOfBuffers 10000) on 127.0.0.1; the embedded "
                         "engine is the Oxigraph server over the store loaded with `oxigraph load`; "
                         f"{args.rounds} rounds alternating engines per case")
    return out


def _virtuoso_version(virtuoso) -> str:  # type: ignore[no-untyped-def]
    answer = httpx.get(virtuoso.query_url, params={"query": "ASK {}"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=10)
    return answer.headers.get("server", "Virtuoso")


def stream_dump(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[float, float, int]:
    """Stream an N-Quads dump to the end: (quads/s, seconds, quads)."""
    start = time.perf_counter()
    lines = 0
    with client.stream("GET", url, headers=headers) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - start
    return round(lines / seconds, 1), round(seconds, 3), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, action="append", required=True, help="statements (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench"), help="generated data and stores")
    parser.add_argument("--out", default=str(RESULTS), help="where the results JSON files go")
    parser.add_argument("--rounds", type=int, default=20, help="latency samples per case and system")
    parser.add_argument("--rdflib-budget", type=float, default=10.0,
                        help="seconds a system may spend on one case before it is sampled no more")
    parser.add_argument("--reuse-data", action="store_true",
                        help="use the data already generated in the work folder for the same size and seed")
    parser.add_argument("--skip-ingest", action="store_true",
                        help="do not run the validated ingest (the longest step); keep the last results' ingest "
                             "figures of the size, marked with their file and commit")
    parser.add_argument("--chunk-mb", type=float, default=3.0,
                        help="megabytes of entry files per ingest transaction (policykg load --chunk-mb)")
    parser.add_argument("--bulk-statements", type=int, default=100_000,
                        help="statements in the dump slice imported through policykg load (one "
                             "transaction: held in memory whole); the whole dump when the size is smaller")
    parser.add_argument("--query-timeout", type=float, default=30.0,
                        help="seconds an rdflib-endpoint answer may take before the case counts as timed out")
    parser.add_argument("--virtuoso", action="store_true",
                        help="also load and query a private Virtuoso (virtuoso-opensource from Debian)")
    parser.add_argument("--rdflib-max-quads", type=int, default=5_000_000,
                        help="above this many quads rdflib-endpoint is not started (its memory)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--wrk-connections", type=int, default=16)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--wrk-rounds", type=int, default=2)
    args = parser.parse_args()
    # On SIGTERM, unwind like Ctrl-C so that every server started here is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk; `make bench-quick` does it)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for size in args.size:
        result = run_size(size, args)
        target = out / f"{result['date']}-{size}.json"
        target.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        log(f"wrote {target}")


if __name__ == "__main__":
    main()

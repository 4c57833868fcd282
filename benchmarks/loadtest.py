"""A bounded load test: ``python -m benchmarks.loadtest --store DIR [--minutes M] [--out FILE.json]``.

On a copy of the store ``DIR`` (the original is never opened), for ``--minutes`` and then it stops
by itself, on 127.0.0.1 only:

1. the copy is opened once to pick what the load asks about (the most active speakers, holders
   and topics, by a query) and which existing sources may be replaced (no other graph refers to
   anything they define), and to take a snapshot: every graph's quad count and an
   order-independent digest of its quads (the meta graph's records one by one);
2. ``policykg serve`` runs on the copy with a write token, and at the same time
   - two wrk processes (Debian's wrk, one connection pool each, so each counts its own
     statuses in its Lua ``response`` hook): REST lookups (``/statements?speaker=&from=&to=``,
     ``/actors/{slug}/positions``, ``/timeline?actor=``) and ``POST /sparql`` of named questions
     (``kg/queries/*.rq``, parameters bound with :func:`kg.sparql.bind`);
   - a writer thread: ``POST /entries`` at a steady pace, new sources and new versions of
     earlier ones (its own, and a few of the store's), keeping a ledger of every version sent
     and of the last one acknowledged with 201;
   - the server's RSS (uvicorn and its engine) sampled every few seconds;
3. the server stops; the copy is checked like ``policykg verify`` and snapshotted again, and
   the snapshots compared: every graph no write touched is unchanged (count and digest), every
   written graph holds exactly the triples of its last acknowledged version (parsed from the
   file sent) and its record in the meta graph names that file's checksum.

Checks (exit status 1 when one fails): no answer but 2xx and the documented 503s
(``server-busy``, ``engine-unavailable``) and no socket error; the median RSS of the last third
of the samples after warm-up at most ``--rss-growth`` above the first third's; no data lost or
changed unaccounted; the integrity check finds no problem it did not find before. The figures
go to ``--out`` as JSON; a summary is printed. Every process it starts, it stops.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psutil
from pyoxigraph import NamedNode

from benchmarks.run import POLICYKG, log, percentiles, process
from kg.engine import free_port, lock_holder
from kg.entries import NamedInput, parse_batch
from kg.history import version_of
from kg.integrity import check_store
from kg.iris import Iris
from kg.queries import named_query
from kg.sparql import bind
from kg.store import Store

PK = "https://w3id.org/policykg/ontology#"
DOCUMENTED_503 = ("server-busy", "engine-unavailable")
PREFIX = "loadtest-"
# Picking the targets, the snapshots and the integrity check read the whole copy: at 1M statements
# a query of them ran past the default 10 s timeout.
SETUP_TIMEOUT = 1800.0

# --- what to ask and whom to write about ---------------------------------------------------------

_TOP = """PREFIX pk: <https://w3id.org/policykg/ontology#>
SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?p ?x FILTER(isIRI(?x)) } GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 100"""
_PUBLISHER = """SELECT ?x (COUNT(*) AS ?n) WHERE { ?s <http://purl.org/dc/terms/publisher> ?x }
GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1"""
_SOURCES = """SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s <https://w3id.org/policykg/ontology#speaker> ?x } }
ORDER BY ?g LIMIT 200"""
# A source may be replaced if no other graph (the meta graph aside) refers to what it defines.
_REFERRED = "ASK { GRAPH ?g { ?x ?p ?o } GRAPH ?h { ?y ?q ?x } FILTER(?h != ?g && ?h != ?meta) }"


@dataclass
class Targets:
    speakers: list[str]  # actor IRIs, most active first
    holders: list[str]
    abouts: list[str]  # what statements are about (topics, resolutions, …)
    publisher: str
    replaceable: list[str]  # slugs of existing sources the writer may replace


def pick_targets(store: Store, *, replace_existing: int, busiest: bool = False) -> Targets:
    """Speakers, holders and topics of the store, and replaceable sources.

    By activity rank among the 100 most active: the 10th, 25th, 50th and 100th (typical
    actors), or with ``busiest`` the first four. In the synthetic stores activity is Zipf-like:
    at 100,000 statements the busiest speaker made 11,172 of them, the 10th 1,127.
    """
    def top(predicate: str) -> list[str]:
        rows = store.select(_TOP, substitutions={"p": NamedNode(PK + predicate)})
        found = [row["x"].value for row in rows]
        ranks = range(4) if busiest else (9, 24, 49, 99)
        picked = [found[min(rank, len(found) - 1)] for rank in ranks] if found else []
        return list(dict.fromkeys(picked))

    speakers, holders, abouts = top("speaker"), top("holder"), top("about")
    publisher = [row["x"].value for row in store.select(_PUBLISHER)]
    if not speakers or not abouts or not publisher:
        raise SystemExit("the store holds no statements (pk:speaker, pk:about, dcterms:publisher) to ask about")
    meta = NamedNode(store.iris.meta_graph)
    used = set(speakers + holders + abouts + publisher)
    replaceable: list[str] = []
    for row in store.select(_SOURCES) if replace_existing else []:
        graph = row["g"]
        if not graph.value.startswith(store.iris.graph_base) or graph.value.removeprefix(
                store.iris.graph_base).startswith(PREFIX):
            continue
        if bool(store.query(_REFERRED, substitutions={"g": graph, "meta": meta})):
            continue
        defines = "ASK { GRAPH ?g { ?x ?p ?o } VALUES ?x { %s } }" % " ".join(f"<{iri}>" for iri in used)
        if bool(store.query(defines, substitutions={"g": graph})):
            continue
        replaceable.append(graph.value.removeprefix(store.iris.graph_base))
        if len(replaceable) == replace_existing:
            break
    return Targets(speakers, holders or speakers[:1], abouts, publisher[0], replaceable)


def slug_of(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def rest_paths(targets: Targets) -> list[str]:
    """The REST lookups of the load."""
    head, tail = slug_of(targets.speakers[0]), slug_of(targets.speakers[-1])  # more and less active
    return [
        f"/statements?speaker={head}&from=2015-01-01&to=2025-12-31",
        f"/statements?speaker={tail}&from=2024-01-01&to=2024-12-31",
        f"/actors/{slug_of(targets.holders[0])}/positions",
        f"/actors/{head}/positions",
        f"/timeline?actor={head}",
        f"/timeline?actor={slug_of(targets.holders[-1])}",
    ]


def sparql_bodies(targets: Targets, iris: Iris) -> list[str]:
    """Form bodies of ``POST /sparql``: named questions with their parameters bound."""
    cases = [
        ("statements_by_speaker", {"speaker": targets.speakers[0], "from": "2020-01-01", "to": "2025-12-31"}),
        ("statements_about", {"about": targets.abouts[0], "from": "2024-01-01", "to": "2024-12-31"}),
        ("positions_on_target", {"target": targets.abouts[-1]}),
        ("positions_by_holder", {"holder": targets.holders[0]}),
        ("spokespeople_of", {"onBehalfOf": targets.holders[-1]}),
    ]
    bodies = []
    for name, values in cases:
        query = named_query(name)
        substitutions = query.substitutions(values, iris=iris)
        bodies.append(urlencode({"query": bind(query.text_for(substitutions), substitutions)}))
    return bodies


# --- the readers: wrk ----------------------------------------------------------------------------

WRK_SCRIPT = """
local requests = {%s}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads)
end
function init(args)
  counts = {}
  counter = offset
  for i, r in ipairs(requests) do
    requests[i] = wrk.format(r[1], r[2], r[3], r[4])
  end
end
function request()
  counter = counter + 1
  return requests[(counter %% #requests) + 1]
end
function response(status, headers, body)
  local key = tostring(status)
  if status == 503 then
    for _, kind in ipairs({"server-busy", "engine-unavailable"}) do
      if body:find(kind, 1, true) then key = key .. " " .. kind end
    end
  end
  counts[key] = (counts[key] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status\\t%%s\\t%%d\\n", k, v)) end
  local e = summary.errors
  io.write(string.format("summary\\t%%d\\t%%d\\t%%d\\t%%d\\t%%d\\t%%d\\t%%d\\t%%d\\t%%d\\n", summary.duration,
    summary.requests, e.connect, e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(99),
    latency.max))
end
"""


def lua_request(method: str, path: str, headers: dict[str, str] | None = None, body: str | None = None) -> str:
    """One request as a Lua table literal (ASCII only: JSON's escapes are Lua's)."""
    parts = [json.dumps(method), json.dumps(path),
             "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items()) + "}",
             json.dumps(body) if body is not None else "nil"]
    assert all(p.isascii() for p in parts)
    return "{" + ", ".join(parts) + "}"


def run_wrk(url: str, requests: list[str], *, connections: int, seconds: float) -> dict:
    """wrk cycling through ``requests`` (Lua tables) for ``seconds``; statuses, rps, latency."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(requests))
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
                              "-s", script.name, url], capture_output=True, text=True, check=True,
                             timeout=seconds + 120).stdout
    finally:
        Path(script.name).unlink()
    statuses = {line.split("\t")[1]: int(line.split("\t")[2]) for line in out.splitlines()
                if line.startswith("status\t")}
    values = [int(v) for v in next(line for line in out.splitlines() if line.startswith("summary\t")).split("\t")[1:]]
    duration_us, completed, connect, read, write, timeout, p50, p99, worst = values
    return {"statuses": dict(sorted(statuses.items())), "requests": completed,
            "rps": round(completed / (duration_us / 1e6), 1), "p50_ms": round(p50 / 1000, 1),
            "p99_ms": round(p99 / 1000, 1), "max_ms": round(worst / 1000, 1),
            "socket_errors": {"connect": connect, "read": read, "write": write, "timeout": timeout},
            "connections": connections}


# --- the writer ----------------------------------------------------------------------------------

@dataclass
class Version:
    name: str  # the file name sent (?name=)
    data: bytes
    status: str = "unsent"  # 201, "503 server-busy", "503 engine-unavailable", another status, an error

    @property
    def checksum(self) -> str:
        return NamedInput(self.name, self.data).checksum


@dataclass
class Ledger:
    """Every version of every source the writer sent, and its answer."""

    versions: dict[str, list[Version]] = field(default_factory=dict)

    def acknowledged(self, slug: str) -> Version | None:
        """The last version answered 201."""
        return next((v for v in reversed(self.versions[slug]) if v.status == "201"), None)

    def in_doubt(self, slug: str) -> list[Version]:
        """Versions after the last acknowledged one that may have been applied (no answer, or
        ``engine-unavailable``: the engine stopped, maybe after its commit)."""
        after = self.versions[slug]
        last = self.acknowledged(slug)
        if last is not None:
            after = after[after.index(last) + 1:]
        return [v for v in after if v.status not in ("201", "503 server-busy") and not v.status.startswith("4")]


def entry_yaml(slug: str, version: int, targets: Targets, rng: random.Random) -> bytes:
    """A small source file about actors and topics of the store (full IRIs: no lookup needed)."""
    issued = dt.date(2025, 6, 1) + dt.timedelta(days=rng.randint(0, 180))
    lines = ["source:", f"  id: {slug}", "  type: NewsArticle",
             f'  title: "Load test report {slug}, version {version}"', f"  publisher: {targets.publisher}",
             f"  issued: {issued.isoformat()}", "", "statements:"]
    chosen = []
    for k in range(rng.randint(2, 8)):
        speaker, about = rng.choice(targets.speakers), rng.choice(targets.abouts)
        day = issued - dt.timedelta(days=rng.randint(0, 6))
        chosen.append((f"s{k:02d}", speaker, about, day))
        lines += [f"  - id: s{k:02d}", f"    speaker: {speaker}", f"    date: {day.isoformat()}",
                  "    datePrecision: day", f'    quote: "Version {version}, statement {k}: {rng.random():.6f}"',
                  f"    about: [{about}]"]
    sid, speaker, about, day = chosen[0]
    lines += ["", "positions:", "  - id: p01", f"    holder: {speaker}",
              f"    stance: {rng.choice(('supports', 'opposes', 'neutral'))}", f"    target: {about}",
              f"    since: {day.isoformat()}", "    datePrecision: day", f"    evidence: [{sid}]"]
    return ("\n".join(lines) + "\n").encode()


class Writer(threading.Thread):
    """``POST /entries`` every ``interval`` seconds until stopped: a new source, or (one time in
    three) a new version of one written before (its own, or one of ``targets.replaceable``)."""

    def __init__(self, url: str, token: str, targets: Targets, *, interval: float, seed: int):
        super().__init__(daemon=True)
        self.url, self.token, self.targets, self.interval = url, token, targets, interval
        self.rng = random.Random(seed)
        self.ledger = Ledger()
        self.latencies: list[float] = []
        self.answers: Counter[str] = Counter()
        self.stop = threading.Event()
        self._existing = list(targets.replaceable)

    def next_slug(self) -> str:
        written = [s for s in self.ledger.versions if self.ledger.acknowledged(s)]
        if self.rng.random() < 1 / 3 and (self._existing or written):
            return self._existing.pop(0) if self._existing else self.rng.choice(written)
        return f"{PREFIX}{sum(s.startswith(PREFIX) for s in self.ledger.versions):05d}"

    def write_one(self, client: httpx.Client, *, tries: int = 5) -> Version:
        """Send the next version; one refused with ``server-busy`` is sent again after its
        ``Retry-After``, up to ``tries`` times (each answer is counted)."""
        slug = self.next_slug()
        versions = self.ledger.versions.setdefault(slug, [])
        version = Version(f"{slug}-v{len(versions) + 1}.yaml",
                          entry_yaml(slug, len(versions) + 1, self.targets, self.rng))
        versions.append(version)
        for _ in range(tries):
            self._send(client, version)
            self.answers[version.status if version.status.startswith("503") else version.status[:3]] += 1
            if version.status != "503 server-busy" or self.stop.is_set():
                break
            self.stop.wait(1.0)
        return version

    def _send(self, client: httpx.Client, version: Version) -> None:
        start = time.perf_counter()
        try:
            answer = client.post(f"{self.url}/entries", params={"name": version.name}, content=version.data,
                                 headers={"Authorization": f"Bearer {self.token}",
                                          "Content-Type": "application/yaml"})
            version.status = str(answer.status_code)
            if answer.status_code == 503:
                problem = answer.json() if "json" in answer.headers.get("content-type", "") else {}
                version.status += f" {problem.get('type', '').rsplit('/', 1)[-1]}"
            elif answer.status_code != 201:
                version.status += f" {answer.text[:300]}"
        except (httpx.HTTPError, ValueError) as error:  # no answer, or a 503 whose body is not JSON
            version.status = f"error {type(error).__name__}: {error}"
        self.latencies.append(time.perf_counter() - start)

    def run(self) -> None:
        with httpx.Client(timeout=120) as client:
            next_at = time.monotonic()
            while not self.stop.is_set():
                self.write_one(client)
                next_at += self.interval
                self.stop.wait(max(0.0, next_at - time.monotonic()))

    def statuses(self) -> dict[str, int]:
        return dict(sorted(self.answers.items()))


# --- memory --------------------------------------------------------------------------------------

class RssSampler(threading.Thread):
    """Every ``every`` seconds, the RSS of the server's process tree: ``parts`` (seconds since
    start, MB of the policykg process itself, MB of its engines, of which MB anonymous — the
    rest is file pages of the stores mapped in), and ``samples`` (seconds, MB of the whole tree)."""

    def __init__(self, pid: int, every: float):
        super().__init__(daemon=True)
        self.pid, self.every, self.parts = pid, every, []
        self.stop = threading.Event()

    @property
    def samples(self) -> list[tuple[float, float]]:
        return [(t, round(own + engines, 1)) for t, own, engines, _ in self.parts]

    def run(self) -> None:
        start = time.monotonic()
        while not self.stop.is_set():
            self.parts.append((round(time.monotonic() - start, 1), *self._split()))
            self.stop.wait(self.every)

    def _split(self) -> tuple[float, float, float]:
        own = engines = anonymous = 0
        with contextlib.suppress(psutil.NoSuchProcess):
            server = psutil.Process(self.pid)
            own = server.memory_info().rss
            for child in server.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    info = child.memory_info()
                    engines += info.rss
                    anonymous += info.rss - info.shared
        return round(own / 2**20, 1), round(engines / 2**20, 1), round(anonymous / 2**20, 1)


def rss_check(samples: list[tuple[float, float]], *, growth: float, warmup: float = 0.2) -> dict:
    """Stable when the median of the last third of the samples after ``warmup`` (a fraction of
    them) is at most ``growth`` (a fraction) above the first third's."""
    kept = [mb for _, mb in samples[int(len(samples) * warmup):]]
    if len(kept) < 3:
        return {"ok": False, "why": f"only {len(kept)} sample(s) after warm-up"}
    third = len(kept) // 3
    first, last = round(statistics.median(kept[:third]), 1), round(statistics.median(kept[-third:]), 1)
    return {"ok": last <= first * (1 + growth), "first_third_median_mb": first, "last_third_median_mb": last,
            "growth": round(last / first - 1, 4), "bound": growth, "max_mb": max(mb for _, mb in samples),
            "warmup_samples": len(samples) - len(kept)}


# --- no data lost --------------------------------------------------------------------------------

def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


@dataclass
class Snapshot:
    """Per graph (and per record of the meta graph: ``meta <subject>``) its quad count and the
    sum of its quads' digests (mod 2^64: independent of order); and the triples of ``kept``
    graphs and records whole."""

    sizes: dict[str, list[int]] = field(default_factory=dict)
    kept: dict[str, set[str]] = field(default_factory=dict)

    @property
    def quads(self) -> int:
        return sum(n for n, _ in self.sizes.values())


def snapshot(store: Store, keep: set[str] = frozenset()) -> Snapshot:  # type: ignore[assignment]
    """Read every quad of ``store`` once (one snapshot of the engine)."""
    found = Snapshot()
    meta = store.iris.meta_graph
    for quad in store:
        graph = quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else ""
        key = f"meta {quad.subject}" if graph == meta else graph
        line = f"{quad.subject} {quad.predicate} {quad.object}"
        entry = found.sizes.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] = (entry[1] + _digest(line)) % 2**64
        target = key.removeprefix("meta <").removesuffix(">")
        if key in keep or target in keep or version_of(target) in keep:  # and its versions' records
            found.kept.setdefault(key, set()).add(line)
    return found


def expected_triples(version: Version, iris: Iris) -> set[str]:
    """The triples a version's file loads into its graph (as ``policykg load`` derives them)."""
    batch = parse_batch([NamedInput(version.name, version.data)], iris=iris)
    return {f"{t.subject} {t.predicate} {t.object}" for t in batch.sources[0].triples}


def compare(before: Snapshot, after: Snapshot, ledger: Ledger, iris: Iris) -> dict:
    """Do the quads after equal those before, minus the written sources' old graphs, plus each
    acknowledged version's graph? ``after`` must keep the written graphs and their records."""
    problems: list[str] = []
    written = {iris.graph(slug): slug for slug in ledger.versions}
    doubtful = 0
    # The source graphs' quads expected after: those before, each written graph's old quads
    # replaced by its applied version's.
    expected_quads = sum(n for key, (n, _) in before.sizes.items() if not key.startswith("meta "))
    for graph, slug in written.items():
        acknowledged = ledger.acknowledged(slug)
        candidates = [v for v in [acknowledged] if v] + ledger.in_doubt(slug)
        held = after.kept.get(graph, set())
        # Nothing acknowledged, and the writes in doubt not applied: the graph as it was before.
        if acknowledged is None and after.sizes.get(graph) == before.sizes.get(graph):
            continue
        if not candidates:
            problems.append(f"{graph}: changed, but no write of it was acknowledged or in doubt")
            continue
        wanted = [expected_triples(v, iris) for v in candidates]
        match = next((i for i, want in enumerate(wanted) if want == held), None)
        expected_quads += len(wanted[match or 0]) - before.sizes.get(graph, [0])[0]
        if match is None:
            want = wanted[0]
            problems.append(f"{graph}: holds {len(held)} triples, not those of {candidates[0].name} "
                            f"({len(want)}; {len(want - held)} missing, {len(held - want)} not in it)")
            continue
        applied = candidates[match]
        doubtful += applied.status != "201"
        record = after.kept.get(f"meta <{graph}>", set())
        checksum = f'<{PK}checksum> "{applied.checksum}"'
        count = f'<{PK}tripleCount> "{len(held)}"^^<http://www.w3.org/2001/XMLSchema#integer>'
        if not any(line.endswith(checksum) for line in record) or not any(line.endswith(count) for line in record):
            problems.append(f"{graph}: its record in the meta graph does not name {applied.name} "
                            f"({applied.checksum}, {len(held)} triples)")
        # Each write is a version (kg.history): the last version's record names the same file.
        numbers = [int(key.rsplit("/", 1)[-1].rstrip(">")) for key in after.sizes
                   if key.startswith(f"meta <{graph}/version/")]
        last = after.kept.get(f"meta <{graph}/version/{max(numbers)}>", set()) if numbers else set()
        if not any(line.endswith(checksum) for line in last):
            problems.append(f"{graph}: the record of its last version does not name {applied.name}")
    unchanged = 0
    for key in sorted(set(before.sizes) | set(after.sizes)):
        target = key.removeprefix("meta <").removesuffix(">")
        if key in written or target in written or version_of(target) in written:
            continue
        if before.sizes.get(key) != after.sizes.get(key):
            was, now = before.sizes.get(key, [0, 0])[0], after.sizes.get(key, [0, 0])[0]
            problems.append(f"{key}: no write touched it, but it changed ({was} quads before, {now} after)")
        else:
            unchanged += 1
    graph_quads = sum(n for key, (n, _) in after.sizes.items() if not key.startswith("meta "))
    if graph_quads != expected_quads:
        problems.append(f"the graphs hold {graph_quads} quads; {expected_quads} were expected")
    replaced = [slug for slug in ledger.versions if iris.graph(slug) in before.sizes]
    return {"ok": not problems, "problems": problems[:50], "problem_count": len(problems),
            "quads_before": before.quads, "quads_after": after.quads,
            "graph_quads_expected": expected_quads, "graph_quads_after": graph_quads,
            "written_graphs": len(written), "existing_graphs_written": len(replaced),
            "writes_in_doubt_found_applied": doubtful, "unchanged_graphs_and_records": unchanged}


# --- the run -------------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> dict:
    """The whole load test; the result (``checks`` says what passed)."""
    original = Path(args.store).resolve()
    if holder := lock_holder(original):
        raise SystemExit(f"the store {original} is in use by {holder}: a copy of it now would not be consistent")
    work = Path(tempfile.mkdtemp(prefix="policykg-load-", dir=args.workdir))
    copy = work / "store"
    result: dict = {"command": " ".join(["python -m benchmarks.loadtest", *sys.argv[1:]]),
                    "store": str(original), "minutes": args.minutes, "date": dt.datetime.now(dt.timezone.utc)
                    .isoformat(timespec="seconds")}
    try:
        log(f"copying {original} to {copy}")
        shutil.copytree(original, copy)
        with Store(copy, query_timeout=SETUP_TIMEOUT) as store:
            iris = store.iris
            targets = pick_targets(store, replace_existing=args.replace_existing, busiest=args.busiest)
            integrity_before = check_store(store)
            log("snapshot before the load")
            before = snapshot(store, {iris.graph(slug) for slug in targets.replaceable})
        result["targets"] = vars(targets)
        paths, bodies = rest_paths(targets), sparql_bodies(targets, iris)
        rest = [lua_request("GET", p, {"Accept": "application/json"}) for p in paths]
        sparql = [lua_request("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded",
                                                  "Accept": "application/sparql-results+json"}, b) for b in bodies]
        seconds = args.minutes * 60
        token = secrets.token_hex(16)
        url = f"http://127.0.0.1:{free_port()}"
        log(f"serving the copy at {url}; load for {seconds:g} s")
        with process([POLICYKG, "serve", "--host", "127.0.0.1", "--port", str(url.rsplit(':', 1)[1]),
                      "--store", str(copy)], url + "/-/version", env={"POLICYKG_TOKEN": token}) as (server, _):
            sampler = RssSampler(server.pid, args.rss_every)
            writer = Writer(url, token, targets, interval=args.write_interval, seed=args.seed)
            loads: dict[str, dict] = {}
            readers = [threading.Thread(target=lambda k=kind, r=reqs, c=conns: loads.__setitem__(
                k, run_wrk(url, r, connections=c, seconds=seconds)))
                for kind, reqs, conns in (("rest", rest, args.rest_connections),
                                          ("sparql", sparql, args.sparql_connections))]
            sampler.start()
            writer.start()
            for reader in readers:
                reader.start()
            for reader in readers:
                reader.join()
            writer.stop.set()
            writer.join()
            sampler.stop.set()
            sampler.join()
        ledger = writer.ledger
        written = {iris.graph(slug) for slug in ledger.versions}
        with Store(copy, query_timeout=SETUP_TIMEOUT) as store:
            integrity_after = check_store(store)
            log("snapshot after the load")
            after = snapshot(store, written)
        comparison = compare(before, after, ledger, iris)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    writes = writer.statuses()
    result["requests"] = {**loads, "write": {
        "statuses": writes, "requests": sum(writes.values()), "interval_s": args.write_interval,
        "rps": round(sum(writes.values()) / seconds, 2),
        **percentiles(writer.latencies),
        "sources_written": len(ledger.versions),
        "versions_acknowledged": sum(v.status == "201" for vs in ledger.versions.values() for v in vs),
        "sources_replaced": sum(sum(v.status == "201" for v in vs) > (slug not in targets.replaceable)
                                for slug, vs in ledger.versions.items())}}
    result["rss_mb"] = sampler.samples
    result["rss_parts_mb"] = sampler.parts
    # Checked: the policykg process, where a leak of ours would be. The engine's memory is reported
    # beside it, its anonymous part apart from the store's file pages it maps (docs/reliability.md
    # says what it did at 1M statements).
    result["rss_parts"] = {
        part: rss_check([(t, sample[k]) for t, *sample in sampler.parts], growth=args.rss_growth)
        for k, part in enumerate(("policykg", "engine", "engine_anonymous"))}
    result["rss"] = result["rss_parts"]["policykg"]
    result["rss_total"] = rss_check(sampler.samples, growth=args.rss_growth)
    result["comparison"] = comparison
    new_problems = sorted(set(integrity_after.problems) - set(integrity_before.problems))
    result["integrity"] = {"before": integrity_before.summary(), "after": integrity_after.summary(),
                           "new_problems": new_problems[:20]}
    errors = {kind: {k: n for k, n in load["statuses"].items() if not k.startswith("2") and k[4:] not in DOCUMENTED_503}
              for kind, load in loads.items()}
    errors["write"] = {k: n for k, n in writes.items() if k != "201" and k[4:] not in DOCUMENTED_503}
    sockets = {kind: {k: n for k, n in load["socket_errors"].items() if n} for kind, load in loads.items()}
    result["checks"] = {
        "load_ran": all(load["requests"] > 0 for load in loads.values())
        and result["requests"]["write"]["versions_acknowledged"] > 0,
        "no_errors_but_documented_503": not any(errors.values()) and not any(sockets.values()),
        "rss_stable": result["rss"]["ok"],
        "no_data_lost": comparison["ok"],
        "verify_no_new_problems": not new_problems,
    }
    result["errors"] = {"statuses": errors, "socket_errors": sockets}
    result["ok"] = all(result["checks"].values())
    return result


def summary(result: dict) -> str:
    lines = [f"load test of {result['store']}: {result['minutes']:g} min"]
    for kind, load in result["requests"].items():
        lines.append(f"  {kind:6} {load['requests']:>8} requests, {load['rps']:>8} /s, p50 {load.get('p50_ms')} ms, "
                     f"p99 {load.get('p99_ms')} ms: {load['statuses']}")
    for name, rss in (("policykg", result["rss"]), ("engine", result["rss_parts"]["engine"]),
                      ("engine, anonymous", result["rss_parts"]["engine_anonymous"]),
                      ("both", result["rss_total"])):
        lines.append(f"  rss of {name}: {rss.get('first_third_median_mb')} MB → {rss.get('last_third_median_mb')} MB "
                     f"(growth {rss.get('growth')}, bound {rss.get('bound')})")
    c = result["comparison"]
    lines.append(f"  data   {c['quads_before']} quads before, {c['quads_after']} after; {c['written_graphs']} "
                 f"graphs written ({c['existing_graphs_written']} of them existing), "
                 f"{c['unchanged_graphs_and_records']} graphs and records unchanged; {c['problem_count']} problem(s)")
    lines += [f"         {p}" for p in c["problems"][:10]]
    lines.append(f"  verify {result['integrity']['after']}")
    lines += [f"  {'ok  ' if ok else 'FAIL'} {name}" for name, ok in result["checks"].items()]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="the store to copy (never opened itself)")
    parser.add_argument("--minutes", type=float, default=5.0, help="how long the load runs")
    parser.add_argument("--out", help="the results JSON")
    parser.add_argument("--workdir", help="where the copy goes (default: the system's temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the copy of the store afterwards")
    parser.add_argument("--rest-connections", type=int, default=6)
    parser.add_argument("--sparql-connections", type=int, default=2)
    parser.add_argument("--write-interval", type=float, default=1.0, help="seconds between writes")
    parser.add_argument("--replace-existing", type=int, default=5,
                        help="existing sources the writer replaces (it replaces its own too)")
    parser.add_argument("--rss-every", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--rss-growth", type=float, default=0.25,
                        help="largest growth of the median RSS, last third of the run against the first")
    parser.add_argument("--busiest", action="store_true",
                        help="ask about the most active actors (the heaviest lookups) rather than typical ones")
    parser.add_argument("--seed", type=int, default=1)
    return parser


def main() -> None:
    args = parser().parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk; `make setup` does it)")
    result = run(args)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(summary(result))
    sys.exit(0 if result["ok"] else 1)

if __name__ == "__main__":
    main()

"""The load test (``benchmarks/loadtest.py``) at a tiny scale, and its data-loss check failing.

The store: the bundled data plus 300 generated statements (``benchmarks.generate``). The first
test runs the command end to end for 20 s on a real server and reads its JSON; the second
writes through a real server, then alters graphs behind the comparison's back and removes a
write from its ledger: each must be reported.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pyoxigraph import NamedNode, Triple

from benchmarks.generate import generate
from benchmarks.loadtest import Ledger, Writer, compare, pick_targets, snapshot
from kg.load import load_paths
from kg.store import Store
from tests.conftest import ROOT, TOKEN, running_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The bundled data and 300 generated statements (their registry loaded after the data:
    both define the same roles)."""
    folder = tmp_path_factory.mktemp("load")
    generate(300, 1, folder / "generated", nquads=False)
    with Store(folder / "store") as store:
        load_paths([ROOT / "data"], store)
        load_paths([folder / "generated" / "entries"], store)
    return folder / "store"


def test_the_load_test_passes_on_a_small_store(small_store: Path, tmp_path: Path, reliability) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "load.json"
    before = sorted(p.name for p in small_store.iterdir())
    # 50% RSS growth: at 20 s the first samples are taken while the engine's and the answer
    # cache are still filling (about 10% growth seen); a leak of every request's answer grows more.
    done = subprocess.run([sys.executable, "-m", "benchmarks.loadtest", "--store", str(small_store),
                           "--minutes", "0.33", "--rss-every", "1", "--rss-growth", "0.5", "--replace-existing", "3",
                           "--workdir", str(tmp_path), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["ok"] and all(result["checks"].values()), result["checks"]
    requests = result["requests"]
    assert requests["rest"]["statuses"].get("200", 0) > 0 and requests["sparql"]["statuses"].get("200", 0) > 0
    assert requests["write"]["versions_acknowledged"] >= 3
    comparison = result["comparison"]
    assert comparison["problem_count"] == 0 and comparison["existing_graphs_written"] >= 1
    assert comparison["graph_quads_after"] == comparison["graph_quads_expected"]
    assert result["integrity"]["after"].startswith("ok:")
    assert len(result["rss_mb"]) >= 10
    # the original store was copied, not used, and the copy is gone
    assert sorted(p.name for p in small_store.iterdir()) == before
    assert [p for p in tmp_path.iterdir() if p.name.startswith("policykg-load-")] == []
    reliability.record("load", "`python -m benchmarks.loadtest` for 20 s on the bundled data and 300 generated "
                       "statements: REST lookups and SPARQL under wrk, `POST /entries` once a second",
                       tried=1, outcome="only 2xx and the documented 503s; RSS within the bound; every "
                       "acknowledged write's graph exactly its last version, every other graph unchanged, "
                       "`verify` ok (the 5-minute 100k run: section Load)", lost="nothing")


_TRIPLES = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s ?p ?o"
_RECORD = "SELECT ?p ?o WHERE { GRAPH ?meta { ?g ?p ?o } }"


def _delete_one_triple(store: Store, graph: str) -> None:
    """Rewrite ``graph`` without its first triple, its record in the meta graph kept as it was."""
    name = NamedNode(graph)
    triples = [Triple(r["s"], r["p"], r["o"]) for r in store.select(_TRIPLES, substitutions={"g": name})]
    record = [Triple(name, r["p"], r["o"]) for r in store.select(
        _RECORD, substitutions={"g": name, "meta": NamedNode(store.iris.meta_graph)})]
    store.replace_sources({graph: (triples[1:], record)})


def test_the_comparison_reports_lost_and_unaccounted_data(small_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(small_store, copy)
    with Store(copy) as store:
        iris = store.iris
        targets = pick_targets(store, replace_existing=1)
        before = snapshot(store, {iris.graph(slug) for slug in targets.replaceable})
    writer = Writer("", TOKEN, targets, interval=0, seed=2)
    with running_server(str(copy)) as url, httpx.Client(timeout=60) as client:
        writer.url = url
        versions = [writer.write_one(client) for _ in range(6)]
    assert [v.status for v in versions] == ["201"] * 6
    ledger = writer.ledger
    written = {iris.graph(slug) for slug in ledger.versions}
    with Store(copy) as store:
        after = snapshot(store, written)
    assert compare(before, after, ledger, iris)["ok"]

    # A write in doubt (the engine stopped under it) that was not applied: its graph as before.
    unapplied = Ledger({**ledger.versions, "never-applied": [replace(versions[0], name="never-applied.yaml",
                                                                      status="503 engine-unavailable")]})
    assert compare(before, after, unapplied, iris)["ok"]

    # A write left out of the ledger: its graph changed, and nothing accounts for it.
    slug = next(iter(ledger.versions))
    partial = Ledger({s: v for s, v in ledger.versions.items() if s != slug})
    found = compare(before, after, partial, iris)
    assert not found["ok"]
    assert any(p.startswith(iris.graph(slug)) for p in found["problems"]), found["problems"]

    # A triple lost from an acknowledged write's graph, and one from a graph no write touched.
    touched = iris.graph(slug)
    untouched = iris.graph("ap-2024-07-02-un-ai-resolutions")
    with Store(copy) as store:
        _delete_one_triple(store, touched)
        _delete_one_triple(store, untouched)
        tampered = snapshot(store, written)
    found = compare(before, tampered, ledger, iris)
    assert not found["ok"]
    problems = found["problems"]
    assert any(p.startswith(f"{touched}: holds") and "1 missing" in p for p in problems), problems
    assert any(p.startswith(f"{untouched}: no write touched it, but it changed") for p in problems), problems
    assert any("quads were expected" in p or "were expected" in p for p in problems), problems

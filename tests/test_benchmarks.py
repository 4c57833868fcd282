"""The benchmark suite's own checks: the generator is deterministic and its data loads; the
runner writes the results keys the report and the issue rely on (at a tiny size, no timings)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate
from kg.load import load_paths

ROOT = Path(__file__).resolve().parent.parent


def _files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    generate(50, 7, tmp_path / "a")
    generate(50, 7, tmp_path / "b")
    generate(50, 8, tmp_path / "c")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_generated_entries_and_dump_load(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    manifest = generate(50, 3, tmp_path)
    report = load_paths([tmp_path / "entries"], store)
    assert len(report.loaded) == manifest["files"]
    assert report.triples == manifest["quads"]  # the dump holds exactly what the entries make
    load_paths([tmp_path / "curator"], store)  # the curator's file refers to the store
    store.clear()
    report = load_paths([tmp_path / "dump.nq"], store)
    assert report.triples == manifest["quads"]


@pytest.mark.slow
def test_runner_writes_the_results_keys(tmp_path: Path) -> None:
    pytest.importorskip("psutil")
    pytest.importorskip("rdflib_endpoint")
    pytest.importorskip("matplotlib")
    from benchmarks import report

    if not shutil.which("wrk"):
        pytest.skip("wrk is not installed (make bench-setup)")
    out = tmp_path / "results"
    subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--size", "40", "--workdir", str(tmp_path / "work"),
         "--out", str(out), "--rounds", "1", "--wrk-seconds", "1", "--wrk-rounds", "1",
         "--rdflib-budget", "1", "--virtuoso"],
        cwd=ROOT, check=True, capture_output=True, timeout=180)
    [path] = out.glob("*-40.json")
    result = json.loads(path.read_text())
    for key in ("statements", "ingest_statements_per_s", "rest_lookup_rps", "hello_world_rps", "quads",
                "bulk_import_quads_per_s", "dump_quads_per_s", "server_start_first_answer_s", "machine",
                "versions"):
        assert key in result, key
    assert result["statements"] == 40
    assert result["questions"]
    for question in result["questions"].values():
        for system in ("policykg_kg", "policykg_sparql", "oxigraph", "rdflib_endpoint"):
            assert {"p50_ms", "p99_ms"} <= set(question[system]), system
    virtuoso = result["virtuoso"]
    assert virtuoso["native_load_quads_per_s"] > 0 and virtuoso["bulk_import_quads_per_s"] > 0
    assert set(virtuoso["questions"]) == set(result["questions"])
    for question in virtuoso["questions"].values():
        assert question["virtuoso_kg"]["n"] == question["oxigraph_kg"]["n"] == len(question["cases"])
    assert virtuoso["rest_latency_all"]["virtuoso"]["n"] > 0
    doc = tmp_path / "benchmarks.md"
    scaling = tmp_path / "scaling.md"
    scaling.write_text("# Scaling\n\n" + report.ENGINES_BEGIN + "\nSTALE-TABLE\n" + report.ENGINES_END + "\nafter\n")
    subprocess.run([sys.executable, "-m", "benchmarks.report", "--results", str(out), "--doc", str(doc),
                    "--scaling", str(scaling)], cwd=ROOT, check=True, capture_output=True, timeout=60)
    assert "## 40 statements" in doc.read_text()
    engines = scaling.read_text()
    assert "STALE-TABLE" not in engines and engines.endswith(report.ENGINES_END + "\nafter\n")
    assert "40 statements: Virtuoso and the embedded engine" in engines
    assert (tmp_path / "benchmarks" / "latency-40.png").exists()

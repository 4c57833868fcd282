"""Regenerate ``docs/benchmarks.md`` and its charts from ``benchmarks/results/*.json``.

``python -m benchmarks.report`` (or ``make bench-report``). For each size, the newest results
file is reported; charts are PNGs in ``docs/benchmarks/`` drawn with matplotlib's Agg backend.
Nothing here measures anything: every figure comes from a results file, which names the command,
the machine and the versions that produced it.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
SYSTEMS = [("policykg_kg", "policykg (kg, in process)"), ("policykg_sparql", "policykg /sparql"),
           ("oxigraph", "Oxigraph server"), ("rdflib_endpoint", "rdflib-endpoint")]


def latest_results(results: Path = RESULTS) -> list[dict]:
    """The newest results file of each size, smallest size first."""
    by_size: dict[int, tuple[str, dict]] = {}
    for path in sorted(results.glob("*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        result["_file"] = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        size = result["statements"]
        if size not in by_size or path.name > by_size[size][0]:
            by_size[size] = (path.name, result)
    return [by_size[size][1] for size in sorted(by_size)]


def fmt(value: object, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def latency_chart(result: dict, target: Path) -> None:
    questions = result["questions"]
    names = list(questions)
    fig, ax = plt.subplots(figsize=(10, 4.8))
    width = 0.2
    for k, (key, label) in enumerate(SYSTEMS):
        values = [questions[n][key].get("p50_ms", 0) for n in names]
        ax.bar([i + (k - 1.5) * width for i in range(len(names))], values, width, label=label)
    ax.set_yscale("log")
    ax.set_ylabel("p50 latency, ms (log scale)")
    ax.set_xticks(range(len(names)), names, rotation=20, ha="right")
    ax.set_title(f"Named questions at {result['statements']:,} statements")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)


def throughput_chart(result: dict, target: Path) -> None:
    labels = ["REST lookups\n(policykg)", "FastAPI\nhello-world"]
    values = [result["rest_lookup_rps"], result["hello_world_rps"]]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar(labels, values, color=["tab:blue", "tab:gray"])
    ax.axhline(2000, color="tab:red", linestyle="--", linewidth=1, label="§2 target at 1M: 2,000 req/s")
    ax.set_ylabel("requests/s (wrk)")
    ax.set_title(f"HTTP throughput at {result['statements']:,} statements")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)


def rates_chart(result: dict, target: Path) -> None:
    labels = ["validated ingest\n(statements/s)", "bulk import\n(quads/s)", "oxigraph load\n(quads/s)",
              "dump export\n(quads/s)", "Oxigraph dump\n(quads/s)"]
    values = [result.get("ingest_statements_per_s"), result.get("bulk_import_quads_per_s"),
              result.get("oxigraph_load_quads_per_s"), result.get("dump_quads_per_s"),
              result.get("oxigraph_dump_quads_per_s")]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(labels, [v or 0 for v in values], color=["tab:blue", "tab:blue", "tab:green", "tab:blue", "tab:green"])
    ax.set_yscale("log")
    ax.set_ylabel("per second (log scale)")
    ax.set_title(f"Import and export rates at {result['statements']:,} statements")
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)


def section(result: dict) -> list[str]:
    size = result["statements"]
    m, v = result["machine"], result["versions"]
    lines = [
        f"## {size:,} statements",
        "",
        f"From `{result['_file']}`, measured on {result['date']} by `{result['command']}` "
        f"(through `make bench-quick` for 10,000, `make bench` for 100k and 1M) on {m['cpu']}, "
        f"{m['cores']} cores, {m['memory_gb']} GB RAM ({m['os']}). Versions: "
        + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        f"Data: seed {result['seed']}, {result['quads']:,} quads ({result['triples_per_statement']} per "
        f"statement), {result['generated']['sources']:,} sources, "
        f"{sum(result['generated']['actors'].values()):,} actors, "
        f"{result['generated']['topics']} topics, {result['generated']['resolutions']} resolutions.",
        "",
        "### Import, export, start, memory",
        "",
        "| measure | policykg | Oxigraph server | ratio |",
        "|---|---:|---:|---:|",
        f"| validated ingest (`policykg load` of entry files), statements/s | "
        f"{fmt(result['ingest_statements_per_s'])} | — | — |",
        f"| validated ingest, peak RSS (MB) | {fmt(result['ingest_peak_rss_mb'])} | — | — |",
        f"| bulk import of N-Quads through `policykg load`, quads/s | {fmt(result.get('bulk_import_quads_per_s'))} | "
        f"{fmt(result['oxigraph_load_quads_per_s'])} (`oxigraph load`) | "
        f"{ratio(result['oxigraph_load_quads_per_s'], result.get('bulk_import_quads_per_s'))} slower |",
        f"| bulk import, peak RSS (MB) | {fmt(result.get('bulk_import_peak_rss_mb'))} | "
        f"{fmt(result['oxigraph_load_peak_rss_mb'])} | — |",
        f"| a curator's 20-statement file, `policykg load` end to end (ms) | "
        f"{fmt(result['curator_20_statements_cli_ms'])} | — | — |",
        f"| the same file corrected, validated and committed in process (ms) | "
        f"{fmt(result['curator_20_statements_in_process_ms'])} | — | — |",
        f"| server start until `/-/health` answers (s) | {fmt(result['server_start_health_s'], 3)} | "
        f"{fmt(result['oxigraph_server_start_s'], 3)} | — |",
        f"| server start until a REST lookup answers (s) | {fmt(result['server_start_first_answer_s'], 3)} | — | — |",
        f"| serving RSS (MB; policykg: uvicorn + its Oxigraph engine) | {fmt(result['serving_rss_mb'])} | "
        f"{fmt(result['oxigraph_serving_rss_mb'])} | — |",
        f"| dump export (`/dumps/policykg.nq` vs `GET /store`), quads/s | {fmt(result['dump_quads_per_s'])} | "
        f"{fmt(result['oxigraph_dump_quads_per_s'])} | "
        f"{ratio(result['oxigraph_dump_quads_per_s'], result['dump_quads_per_s'])} slower |",
        f"| RSS after the dump (MB) | {fmt(result['serving_rss_after_dump_mb'])} | — | — |",
        "",
        f"rdflib-endpoint took {fmt(result['rdflib_endpoint_start_s'])} s to parse the dump and start, and "
        f"held {fmt(result['rdflib_endpoint_rss_mb'])} MB.",
        "",
        f"Ingest method: {result['ingest_method']}; {result['ingest_batches']} batch(es). Bulk import: "
        f"`policykg load` of a slice of the dump ({fmt(result.get('bulk_import_quads'))} quads, about "
        f"{fmt(result.get('bulk_import_statements'))} statements, with the registry), since it is validated "
        f"like entry files. The store served below: {result.get('served_store', '—')}.",
        "",
        f"![import and export rates](benchmarks/rates-{size}.png)",
        "",
        "### HTTP throughput",
        "",
        f"Load generator: {result['load_generator']}.",
        "",
        "| server | requests/s (median of runs) | p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, key in (("policykg REST lookups", "rest_under_load"), ("FastAPI hello-world", "hello_under_load")):
        runs = result[key]["runs"]
        med = result["rest_lookup_rps" if key == "rest_under_load" else "hello_world_rps"]
        lines.append(f"| {label} | {fmt(med)} | {' / '.join(fmt(r.get('p50_ms'), 2) for r in runs)} | "
                     f"{' / '.join(fmt(r.get('p99_ms'), 2) for r in runs)} | "
                     f"{sum(r['non_2xx'] for r in runs)} |")
    lines += [
        "",
        f"REST throughput is {result['rest_to_hello_ratio']:.1%} of hello-world's in the same run. "
        "The lookups cycled through:",
        "",
        *[f"- `{path}` — one at a time: p50 {fmt(s.get('p50_ms'), 2)} ms, p99 {fmt(s.get('p99_ms'), 2)} ms"
          for path, s in result["rest_latency"].items()],
        "",
        f"![HTTP throughput](benchmarks/throughput-{size}.png)",
        "",
        "### Named questions: latency",
        "",
        f"{result['latency_method']}. The same bound query text (the `.rq` file with a `VALUES` block, "
        "as `kg.store.bind` writes it) goes to every system.",
        "",
        "| question | kg p50 / p99 | /sparql p50 / p99 | Oxigraph p50 / p99 | rdflib-endpoint p50 / p99 (n) "
        "| /sparql ÷ Oxigraph | rdflib-endpoint ÷ /sparql |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, q in result["questions"].items():
        cells = [f"{fmt(q[k].get('p50_ms'), 2)} / {fmt(q[k].get('p99_ms'), 2)}" for k, _ in SYSTEMS]
        cells[3] += f" ({q['rdflib_endpoint'].get('n', 0)})"
        lines.append(f"| `{name}` | " + " | ".join(cells) + f" | {fmt(q.get('sparql_vs_oxigraph_p50'), 2)}× | "
                     f"{fmt(q.get('rdflib_endpoint_vs_sparql_p50'), 1)}× |")
    if result.get("question_errors"):
        lines += ["", "Cases without samples (system/case → message). A timed-out case has no samples; the "
                  "client gives up but rdflib-endpoint goes on computing the query in its thread pool, so one "
                  "slow query starves the ones after it: an rdflib-endpoint row with n = 0 means “over the "
                  "timeout, or starved by an earlier one”, not “not run”.", ""]
        lines += [f"- `{k}`: {e}" for k, e in result["question_errors"].items()]
    lines += ["", "Bound parameters per question:", ""]
    for name, q in result["questions"].items():
        lines.append(f"- `{name}`: " + "; ".join(
            ", ".join(f"{k}={val}" for k, val in case.items()) for case in q["cases"]))
    lines += ["", f"![latency of the named questions](benchmarks/latency-{size}.png)", ""]
    return lines


def targets(results: list[dict]) -> list[str]:
    """Where each result stands against the issue's §2 targets (which are set for 100k and 1M)."""
    lines = ["## Against the targets", "",
             "The targets are set for `make bench` (100k and 1M statements); a 10k figure is an early "
             "reading, not a verdict.", "",
             "| size | target | measured | met? |", "|---|---|---|---|"]
    for r in results:
        s = f"{r['statements']:,}"
        ratios = [q.get("sparql_vs_oxigraph_p50") for q in r["questions"].values() if q.get("sparql_vs_oxigraph_p50")]
        rdf = [q.get("rdflib_endpoint_vs_sparql_p50") for q in r["questions"].values()
               if q.get("rdflib_endpoint_vs_sparql_p50")]
        rest_p99 = r["rest_under_load"]["best"].get("p99_ms")
        rows = [
            ("validated ingest ≥ 10,000 statements/s", f"{fmt(r['ingest_statements_per_s'])} /s",
             r["ingest_statements_per_s"] >= 10000),
            ("curator's 20-statement file < 100 ms", f"{fmt(r['curator_20_statements_in_process_ms'])} ms in process, "
             f"{fmt(r['curator_20_statements_cli_ms'])} ms by CLI", r["curator_20_statements_in_process_ms"] < 100),
            ("1M imported < 2 min", f"validated ingest {fmt(r['ingest_statements_per_s'])} statements/s would "
             f"take {1e6 / r['ingest_statements_per_s'] / 3600:,.1f} h for 1M", False),
            ("serve answers within 3 s of start", f"{fmt(r['server_start_first_answer_s'], 2)} s",
             r["server_start_first_answer_s"] <= 3),
            ("serving RSS < 1 GB", f"{fmt(r['serving_rss_mb'])} MB", r["serving_rss_mb"] < 1024),
            ("REST ≥ 2,000 req/s", f"{fmt(r['rest_lookup_rps'])} req/s", r["rest_lookup_rps"] >= 2000),
            ("REST p99 ≤ 50 ms under load", f"{fmt(rest_p99, 1)} ms", rest_p99 is not None and rest_p99 <= 50),
            ("REST ≥ ⅕ of hello-world", f"{r['rest_to_hello_ratio']:.1%}", r["rest_to_hello_ratio"] >= 0.2),
            ("/sparql within 1.2× of Oxigraph (p50)", f"{min(ratios):.2f}–{max(ratios):.2f}×" if ratios else "—",
             bool(ratios) and max(ratios) <= 1.2),
            ("/sparql ≥ 30× faster than rdflib-endpoint (p50)",
             f"{min(rdf):.1f}–{max(rdf):.1f}×" if rdf else "not measured: every rdflib-endpoint case timed out",
             (min(rdf) >= 30) if rdf else None),
            ("dumps ≥ 300k quads/s", f"{fmt(r['dump_quads_per_s'])} quads/s", r["dump_quads_per_s"] >= 300_000),
        ]
        for target, measured, met in rows:
            lines.append(f"| {s} | {target} | {measured} | {'—' if met is None else ('yes' if met else 'no')} |")
    return lines + [""]


def render(results: list[dict]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by `python -m benchmarks.report` (make bench-report) from "
        "benchmarks/results/*.json; do not edit by hand. -->",
        "",
        "How fast policykg ingests, answers and exports a claims graph, next to the same stack done the "
        "usual way (**rdflib-endpoint**: FastAPI + rdflib, SPARQL at `/`) and the native limit (the "
        "**Oxigraph server**, `oxigraph serve-read-only --union-default-graph`, loaded with `oxigraph load`). "
        "All three serve the same seeded synthetic graph (`benchmarks/generate.py`: actors with "
        "Zipf-distributed activity, roles over time, sources, statements with quotes and paraphrases, "
        "positions with evidence), in the same run, alternating call by call.",
        "",
        "```sh",
        "make bench-quick   # 10,000 statements, a few minutes (installs the bench extra and wrk)",
        "make bench         # 100,000 and 1,000,000 statements (long)",
        "make bench-report  # this page and its charts, from benchmarks/results/*.json",
        "python -m benchmarks.generate --statements N --seed S --out DIR   # the data alone",
        "```",
        "",
        "What is measured, and how, is in the docstring of `benchmarks/run.py`. Caveats: the load "
        "generator, the servers and their engines share the machine's cores; rdflib-endpoint is given a "
        "time budget per case, so its sample count `n` can be small and its p99 is then the slowest of "
        "few; figures below are from single runs.",
        "",
    ]
    if not results:
        return "\n".join(lines + ["No results yet: run `make bench-quick`.", ""])
    lines += targets(results)
    for result in results:
        lines += section(result)
    return "\n".join(lines)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=RESULTS, help="directory of results JSON files")
    parser.add_argument("--doc", type=Path, default=DOC, help="the Markdown page to write")
    args = parser.parse_args()
    charts = args.doc.parent / args.doc.stem  # docs/benchmarks.md → docs/benchmarks/
    results = latest_results(args.results)
    charts.mkdir(parents=True, exist_ok=True)
    for result in results:
        size = result["statements"]
        latency_chart(result, charts / f"latency-{size}.png")
        throughput_chart(result, charts / f"throughput-{size}.png")
        rates_chart(result, charts / f"rates-{size}.png")
    args.doc.write_text(render(results), encoding="utf-8")
    print(f"wrote {args.doc} and {len(results) * 3} chart(s) in {charts}/")


if __name__ == "__main__":
    main()

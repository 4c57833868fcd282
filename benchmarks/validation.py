"""Validation speed: ``python -m benchmarks.validation [--statements N …] [--pyshacl-max N]``.

For each size, on data from :mod:`benchmarks.generate` (its N-Quads dump read back as one batch,
the way ``policykg load`` reads a dump), times :func:`kg.validate.validate_batch` end to end —
the in-memory data graph (batch and ontology) and :mod:`kg.shacl_fast` — best of ``--repeat``
runs, and, up to ``--pyshacl-max`` statements, pySHACL on the same data graph as policykg ran it
before (``pyshacl.validate(graph, shacl_graph=shapes_graph(), inference="none", advanced=True,
allow_warnings=True)``), once. Parsing is not timed (generating 20,000 statements takes about a
minute: the generator parses the YAML it writes). Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pyshacl

from benchmarks.generate import generate
from kg import shacl_fast
from kg.entries import Batch, NamedInput, parse_batch
from kg.validate import data_graph, shapes_graph, validate_batch

ROOT = Path(__file__).resolve().parent.parent


def generated_batch(statements: int, seed: int, workdir: Path) -> Batch:
    """The generated data of that size and seed, as one batch (generated once per work dir)."""
    out = workdir / f"validation-{statements}-{seed}"
    if not (out / "manifest.json").exists():
        generate(statements, seed, out)
    return parse_batch([NamedInput.read(out / "dump.nq")])


def measure(statements: int, batch: Batch, *, repeat: int, with_pyshacl: bool) -> None:
    """Time kg.shacl_fast (through validate_batch) and, if asked, pySHACL on ``batch``; print."""
    triples = sum(len(source.triples) for source in batch.sources)
    shacl_fast.shapes_plan()
    total = graph_seconds = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        problems = validate_batch(batch)
        total = min(total, time.perf_counter() - start)
        start = time.perf_counter()
        data_graph(batch.triples())
        graph_seconds = min(graph_seconds, time.perf_counter() - start)
    print(f"kg.shacl_fast  {statements:>7} statements {triples:>8} triples  "
          f"{total:7.3f} s  {statements / total:9.0f} statements/s  "
          f"(of which the data graph {graph_seconds:.3f} s; {len(problems)} problems)")
    if with_pyshacl:
        start = time.perf_counter()
        conforms, _, _ = pyshacl.validate(data_graph(batch.triples()), shacl_graph=shapes_graph(),
                                          inference="none", advanced=True, allow_warnings=True)
        seconds = time.perf_counter() - start
        print(f"pyshacl        {statements:>7} statements {triples:>8} triples  "
              f"{seconds:7.3f} s  {statements / seconds:9.0f} statements/s  (conforms: {conforms})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, action="append", help="batch size (repeatable); "
                        "default 100, 500, 2000 and 20000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of kg.shacl_fast per size (best counts)")
    parser.add_argument("--pyshacl-max", type=int, default=500,
                        help="largest size pySHACL is run on (it took 11 minutes for 2000 statements)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench", help="generated data")
    args = parser.parse_args()
    for statements in args.statements or [100, 500, 2000, 20000]:
        batch = generated_batch(statements, args.seed, args.workdir)
        measure(statements, batch, repeat=args.repeat, with_pyshacl=statements <= args.pyshacl_max)


if __name__ == "__main__":
    main()

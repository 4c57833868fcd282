"""Where a REST list's time goes: ``python -m benchmarks.listings --store DIR ACTOR…``.

For each actor slug, the three REST lists the benchmark measures — its statements
(``/statements?speaker=``), its positions (``/actors/{slug}/positions``) and its timeline
(``/timeline?actor=``) — split into their two queries, each timed on its own through ``kg`` (the
store's engine, as the server runs them): the count (``total``) and the first page of 20
(``LIMIT 20``). The answer cache is not involved. Prints one line per list and query, the median
of ``--rounds``, and how many items the list has; ``--out`` also writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from kg import lookups
from kg.store import Store

LISTS = (
    ("statements", "rest_statements", "speaker"),
    ("positions", "rest_positions", "holder"),
    ("timeline", "rest_timeline", "actor"),
)


def measure(store: Store, actor: str, rounds: int) -> list[dict]:
    """The count and page times (ms, medians) of the three lists of ``actor``."""
    rows = []
    for label, name, param in LISTS:
        counts, pages = [], []
        total = 0
        for _ in range(rounds):
            started = time.perf_counter()
            total, page = lookups._page_query(store, name, {param: actor}, limit=20, offset=0, count=True)
            counted = time.perf_counter()
            store.select(page)
            done = time.perf_counter()
            counts.append((counted - started) * 1000)
            pages.append((done - counted) * 1000)
        rows.append({"actor": actor, "list": label, "items": total,
                     "count_ms": round(statistics.median(counts), 1),
                     "page_ms": round(statistics.median(pages), 1)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path, help="a policykg store directory")
    parser.add_argument("actors", nargs="+", help="actor slugs, e.g. person-18851")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    if not args.store.is_dir():
        parser.error(f"--store: no store at {args.store}")
    results = []
    with Store(args.store, query_timeout=600) as store:
        for actor in args.actors:
            for row in measure(store, actor, args.rounds):
                print(f"{row['actor']:>14} {row['list']:<10} {row['items']:>8,} items: "
                      f"count {row['count_ms']:>8,.1f} ms, page {row['page_ms']:>8,.1f} ms", flush=True)
                results.append(row)
    if args.out:
        args.out.write_text(json.dumps({"store": str(args.store), "rounds": args.rounds, "lists": results},
                                       indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Every stored query on a build's output: median time of several runs, rows, and the answers.

    python bench/queries.py [OUT] [--runs 5] [--compare OTHER_OUT] [--limit-ms 50] [--json FILE]

``OUT`` is a build's output directory (default ``out/``: ``kg build`` with no arguments,
the embedded report) or a store. Each query in ``queries/*.rq`` runs as ``kg query`` runs it
(``kg.store.binding.run``: its ``# Example:`` parameters bound), its results read in full, ``--runs``
times after one warm-up run; the table gives the median and the slowest run in milliseconds,
the rows, a digest of the answer (the rows, each as its terms' N-Triples text, sorted) and
whether the median is within ``--limit-ms``. With ``--compare`` the same queries run on another
output (say, a build of main) and each answer is compared with it, row for row (in order, and as
a multiset), which is how a change to the engine or the graph shows it keeps the answers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("KG_BENCH_ROOT", str(ROOT)))

from bench.scale import stored_queries  # noqa: E402  (the queries and their example parameters)


def _row(solution, variables) -> tuple[str, ...]:
    return tuple(str(solution[v]) if solution[v] is not None else "" for v in variables)


def answer(store, name: str, values: dict[str, str]) -> list[tuple[str, ...]]:
    """The rows of stored query ``name`` on ``store`` (parameters ``values``), read in full."""
    from kg.store.binding import run
    from kg.store.queries import stored_query

    result, _ = run(store, stored_query(name), values)
    if isinstance(result, bool):
        return [(str(result),)]
    variables = getattr(result, "variables", None)
    if variables is None:  # CONSTRUCT / DESCRIBE: triples
        return [(str(t),) for t in result]
    return [_row(solution, variables) for solution in result]


def digest(rows: list[tuple[str, ...]]) -> str:
    return hashlib.sha256("\n".join("\t".join(r) for r in sorted(rows)).encode()).hexdigest()[:12]


def time_all(source: Path, runs: int) -> list[dict]:
    from kg.store.open import open_store

    store = open_store(source)
    results = []
    for name, _, values in stored_queries():
        rows = answer(store, name, values)  # warm-up (and the answer)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            answer(store, name, values)
            times.append(time.perf_counter() - started)
        results.append({"query": name, "median_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000,
                        "rows": len(rows), "digest": digest(rows), "answer": rows})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("out"), help="a build's output or a store")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, help="another output: the same queries there, answers compared")
    parser.add_argument("--limit-ms", type=float, default=50.0)
    parser.add_argument("--json", type=Path, help="write the figures (without the answers) here")
    args = parser.parse_args()

    results = time_all(args.out, args.runs)
    others = {r["query"]: r for r in time_all(args.compare, args.runs)} if args.compare else {}
    load = os.getloadavg()
    print(f"stored queries on {args.out}: median of {args.runs} runs (results read in full); "
          f"load average {load[0]:.2f} ({os.cpu_count()} cores)")
    print()
    header = "| query | median ms | max ms | rows | answer | ≤ limit |"
    rule = "|---|---:|---:|---:|---|:---:|"
    if others:
        header += f" {args.compare} median ms | same answer (in order / as multiset) |"
        rule += "---:|---|"
    print(header)
    print(rule)
    for r in results:
        line = (f"| {r['query']} | {r['median_ms']:.1f} | {r['max_ms']:.1f} | {r['rows']} | {r['digest']} "
                f"| {'yes' if r['median_ms'] <= args.limit_ms else '**no**'} |")
        if others:
            other = others.get(r["query"])
            if other is None:
                line += " – | – |"
            else:
                ordered = other["answer"] == r["answer"]
                multiset = sorted(other["answer"]) == sorted(r["answer"])
                line += f" {other['median_ms']:.1f} | {'yes' if ordered else 'no'} / {'yes' if multiset else '**no**'} |"
        print(line)
    within = sum(r["median_ms"] <= args.limit_ms for r in results)
    print()
    print(f"{within} of {len(results)} queries within {args.limit_ms:g} ms (median); slowest: "
          f"{max(results, key=lambda r: r['median_ms'])['query']} "
          f"({max(r['median_ms'] for r in results):.1f} ms)")
    if others:
        same = sum(sorted(others[r["query"]]["answer"]) == sorted(r["answer"]) for r in results if r["query"] in others)
        print(f"answers the same as on {args.compare}: {same} of {len(results)}")
    if args.json:
        body = [{k: v for k, v in r.items() if k != "answer"} for r in results]
        args.json.write_text(json.dumps(body, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Throughput, latency and memory of `kg serve` under a burst of concurrent queries.

    python bench/serve.py [--from DIR] [--queries 2000] [--threads 8] [--workers 2]

Starts `kg serve --port 0` on the build in DIR (building the default report into a
temporary directory if DIR has no graph), asks a mix of six stored queries (parameters
bound with VALUES) from THREADS client threads, checks every answer against the same
query run in-process, and prints queries per second, latency percentiles and the
resident memory of the server and its workers before and after.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402
import pyoxigraph  # noqa: E402

from kg.namespaces import DEFAULT_BASE_IRI, SDG  # noqa: E402
from kg.store.binding import run  # noqa: E402
from kg.store.open import open_store  # noqa: E402
from kg.store.queries import stored_query  # noqa: E402


def questions(store) -> list[tuple[str, str, bytes]]:
    """(name, query text with VALUES, expected SPARQL JSON) for the mix."""
    mix = [("coverage-matrix", {}, ""),
           ("paragraphs-citing-target", {"target": "4.4"}, f"VALUES ?target {{ <{SDG['4.4']}> }}"),
           ("partners-of-programme", {"programme": "wep"}, f"VALUES ?programme {{ <{DEFAULT_BASE_IRI}programme/wep> }}"),
           ("countries-of-programme", {"programme": "stem-women-ip-project"},
            f"VALUES ?programme {{ <{DEFAULT_BASE_IRI}programme/stem-women-ip-project> }}"),
           ("mentions-of-entity", {"entity": "itc"}, f"VALUES ?entity {{ <{DEFAULT_BASE_IRI}org/itc> }}"),
           ("programmes-for-target", {"target": "4.4"}, f"VALUES ?target {{ <{SDG['4.4']}> }}")]
    found = []
    for name, params, values in mix:
        result, _ = run(store, stored_query(name), params)
        found.append((name, stored_query(name).text + values + "\n",
                      result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)))
    return found


def rss(pid: int) -> int:
    parent = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="graph", type=Path, default=ROOT / "out")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    graph = args.graph
    if not (graph / "graph.nq").is_file() and not (graph / "store").is_dir():
        from kg.build.run import build

        graph = Path(tempfile.mkdtemp(prefix="kg-bench-"))
        build([], graph)
    store = open_store(graph)
    mix = questions(store)

    process = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--from",
                                str(graph), "--port", "0", "--workers", str(args.workers)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    url = None
    for line in process.stderr:
        if (found := re.search(r"(http://\S+/sparql)", line)):
            url = found.group(1)
            break
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    try:
        with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=args.threads)) as http:
            for _, text, _ in mix * 5:  # the workers load the graph; warm up
                http.post(url, data={"query": text})
            before = rss(process.pid)

            def ask(index: int) -> tuple[float, bool]:
                name, text, expected = mix[index % len(mix)]
                started = time.perf_counter()
                response = http.post(url, data={"query": text},
                                     headers={"Accept": "application/sparql-results+json"})
                seconds = time.perf_counter() - started
                return seconds, response.status_code == 200 and response.content == expected

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.threads) as pool:
                outcomes = list(pool.map(ask, range(args.queries)))
            elapsed = time.perf_counter() - started
            after = rss(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)

    latencies = sorted(s * 1000 for s, _ in outcomes)
    wrong = sum(1 for _, right in outcomes if not right)

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    print(f"graph: {graph}  queries: {args.queries}  client threads: {args.threads}  workers: {args.workers}")
    print(f"mix: {', '.join(name for name, _, _ in mix)}")
    print(f"wrong or failed answers: {wrong}")
    print(f"throughput: {args.queries / elapsed:.0f} queries/s ({elapsed:.2f} s)")
    print(f"latency ms: median {statistics.median(latencies):.1f}  p95 {percentile(0.95):.1f}  "
          f"p99 {percentile(0.99):.1f}  max {latencies[-1]:.1f}")
    print(f"memory (server and workers, RSS): {before / 2**20:.1f} MiB before, {after / 2**20:.1f} MiB after "
          f"({(after - before) / 2**20:+.1f} MiB)")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())

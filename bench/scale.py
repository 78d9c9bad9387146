"""Corpus scale: build synthetic corpora of 1, 10, 100 and 1,000 reports and measure everything.

    python bench/scale.py [--sizes 1,10,100,1000] [--jobs 2] [--compare-jobs-up-to 100] [--jobs-pairs 3]
                          [--work /tmp/kg-scale] [--plot docs/scaling.png] [--table docs/scaling-results.md]
    python bench/scale.py queries STORE_OR_OUT_DIR [--rdflib-from OUT_DIR]
    python bench/scale.py --dask [--sizes 1,10,40] [--jobs 2]   # kg build --dask against --jobs 2

Each corpus is made of copies of the real report (``data/corpus/CDIP_32_3_zh.txt``)
whose symbol line is rewritten (CDIP/32/3 → CDIP/9xx/n), so every copy is real
text and real work, with its own document IRIs and graph. For each size the
script runs ``kg build DIR --store --jobs N`` in a fresh output directory, as a
subprocess, and records:

* wall time, CPU time (user + system of the build and its workers), time per document;
* throughput: characters, paragraphs and triples per second of wall time;
* peak memory: the largest sum of the resident memory of the build and its workers,
  sampled every 0.1 s (psutil; without it, the largest single process);
* the store's size on disk;
* the time per stage (``kg build --timings``: read, NLP, linking, relations, graph,
  validation, serialisation, store loading), summed over the documents, so with
  two jobs they add up to about twice the wall time.

Measured side by side in the same run, over the same texts:

(a) the baseline: our spaCy pipeline alone, ``nlp(text)`` on the text the build
    gives it (the paragraphs), one process; and ``spacy.blank("zh")`` tokenisation
    alone (the floor of any spaCy pipeline);
(b) the stored queries (``queries/*.rq``, each with its example parameters) on
    the largest store (pyoxigraph, on disk, read-only), and on the 10-document
    corpus both on the store and on rdflib's in-memory graph;
(c) one job against ``--jobs 2`` (sizes up to ``--compare-jobs-up-to``, in
    ``--jobs-pairs`` alternating pairs), and an incremental rebuild of the largest
    corpus with nothing changed.

The machine's load average is printed with the results: other processes on a
shared machine slow every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# KG_BENCH_ROOT: time another checkout's kg (e.g. a branch's stored queries) with this script.
sys.path.insert(0, os.environ.get("KG_BENCH_ROOT", str(ROOT)))

SOURCE = ROOT / "data" / "corpus" / "CDIP_32_3_zh.txt"
SYMBOL = "CDIP/32/3"
STAGES = ("setup", "read", "nlp", "link", "relations", "graph", "validation", "serialisation", "store")


# ---------------------------------------------------------------------------
# Corpora
# ---------------------------------------------------------------------------

def copy_symbol(i: int) -> str:
    return f"CDIP/{900 + i // 100}/{i % 100 + 1}"


def make_corpus(directory: Path, size: int, source: Path = SOURCE) -> Path:
    """``size`` copies of the report, each with its own symbol (only the symbol line changes)."""
    text = source.read_text(encoding="utf-8")
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.strip() == SYMBOL)
    if directory.is_dir() and len(list(directory.glob("*.txt"))) == size:
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for i in range(size):
        symbol = copy_symbol(i)
        copy = lines[:index] + [lines[index].replace(SYMBOL, symbol)] + lines[index + 1:]
        (directory / f"{symbol.replace('/', '_')}_zh.txt").write_text("\n".join(copy), encoding="utf-8")
    return directory


# ---------------------------------------------------------------------------
# Running a command and watching its memory
# ---------------------------------------------------------------------------

class PeakMemory(threading.Thread):
    """The largest resident memory of a process and its children, sampled."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.running = pid, interval, 0, True

    def run(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        try:
            process = psutil.Process(self.pid)
            while self.running:
                total = process.memory_info().rss
                for child in process.children(recursive=True):
                    try:
                        total += child.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
                time.sleep(self.interval)
        except psutil.Error:
            return


def run(command: list[str], **kwargs) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    watcher = PeakMemory(process.pid)
    watcher.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    watcher.running = False
    watcher.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {shlex.join(command)}\n{stderr[-3000:]}")
    peak = watcher.peak or after.ru_maxrss * 1024  # ru_maxrss: the largest child, in KiB
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "peak": peak, "stdout": stdout}


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def kg(*args: str) -> list[str]:
    return [sys.executable, "-c", "from kg.cli import main; main()", *args]


def build(corpus: Path, out: Path, jobs: int, fresh: bool = True) -> dict:
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    timings = out.parent / f"{out.name}-timings.json"
    measured = run(kg("build", str(corpus), "--out", str(out), "--store", "--jobs", str(jobs), "--quiet",
                      "--timings", str(timings)))
    measured.update(json.loads(timings.read_text()))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    measured["paragraphs"] = sum(d["paragraphs"] for d in report["documents"])
    measured["store_bytes"] = du(out / "store")
    return measured


# ---------------------------------------------------------------------------
# (a) the baseline: the spaCy pipeline alone over the same texts
# ---------------------------------------------------------------------------

def baseline(corpus: Path) -> dict:
    """Run in a process of its own: read every text, then time nlp(text) and blank tokenisation."""
    import spacy

    from kg.build.document import read_document
    from kg.graph.linking import document_text
    from kg.nlp.pipeline import load_pipeline

    texts = [document_text(read_document(p))[0] for p in sorted(corpus.glob("*.txt"))]
    nlp = load_pipeline("zh")
    blank = spacy.blank("zh")
    nlp(texts[0][:2000])  # warm both up on a little text
    blank(texts[0][:2000])
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        nlp(text)
    pipeline, pipeline_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        blank(text)
    tokeniser, tokeniser_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"pipeline": pipeline, "pipeline_cpu": pipeline_cpu, "blank": tokeniser, "blank_cpu": tokeniser_cpu,
            "chars": sum(map(len, texts)), "documents": len(texts)}


# ---------------------------------------------------------------------------
# (b) the stored queries
# ---------------------------------------------------------------------------

def stored_queries() -> list[tuple[str, str, dict[str, str]]]:
    """(name, text, example parameters) of every stored query; the example from its header."""
    from kg.resources import shipped

    found = []
    only = os.environ.get("KG_BENCH_QUERY")  # one query alone (to bound each with a time-out)
    for path in sorted(shipped("queries").glob("*.rq")):
        if only and path.stem != only:
            continue
        text = path.read_text(encoding="utf-8")
        example = re.search(r"^#\s*Example:\s*(.+)$", text, re.M)
        values = dict(re.findall(r"--param\s+(\w+)=(\S+)", example.group(1))) if example else {}
        found.append((path.stem, text, values))
    return found


def _bound(store, name: str, text: str, values: dict[str, str]):
    """The substitutions (Variable → term) for a query's example values, through kg's own
    binding when the tree has it (None: it has not, and the query needs it)."""
    import pyoxigraph as ox

    if not values:
        return {}
    try:
        from kg.store.binding import data_base, prefixes_for, substitutions
        from kg.store.queries import stored_query
    except ImportError:
        return None
    query = stored_query(name)
    bound = substitutions(values, query.parameters, query.text, store, prefixes_for(data_base(store)),
                          declared=True)
    return {ox.Variable(k): v for k, v in bound.items()}


def time_queries(source: Path, repeat: int = 3) -> list[dict]:
    """Each stored query on the store behind ``source``: the best of ``repeat`` runs (binding its
    example values included), results read in full."""
    from kg.store.open import open_store

    store = open_store(source)
    rows = []
    for name, text, values in stored_queries():
        if _bound(store, name, text, values) is None:
            rows.append({"query": name, "skipped": "its parameters need kg.store.binding"})
            continue
        best, count = float("inf"), 0
        for attempt in range(repeat):
            if attempt and best > 2.0:  # a slow query: one run says enough
                break
            started = time.perf_counter()
            bound = _bound(store, name, text, values)
            result = store.query(text, use_default_graph_as_union=True, substitutions=bound or None)
            count = sum(1 for _ in result) if not isinstance(result, bool) else 1
            best = min(best, time.perf_counter() - started)
        rows.append({"query": name, "seconds": best, "rows": count, "params": values})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)  # progress: a slow store shows as it goes
    return rows


RDFLIB_LIMIT = 20.0  # seconds a query may take in rdflib before it is counted as "> 20 s"


def _too_long(signum, frame):
    raise TimeoutError


def time_queries_rdflib(source: Path, repeat: int = 3) -> list[dict]:
    """The same queries on rdflib's in-memory graph of the same output (its store's N-Quads)."""
    import pyoxigraph as ox
    from rdflib import Dataset
    from rdflib.term import Variable

    from kg.store.open import open_store

    def from_ox(term):  # the bound values, as rdflib terms (kg.graph.quads.from_ox, for trees without it)
        from rdflib import BNode, Literal, URIRef

        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))

    try:  # rdflib has no LATERAL (SEP-0006): it reads each `A LATERAL { B }` as the join `A { B }`
        from kg.store.sparql import without_lateral as as_sparql11
    except ImportError:  # a tree whose stored queries are plain SPARQL 1.1 (before LATERAL, or since issue 19)
        def as_sparql11(text):
            return text

    store = open_store(source)
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    load = time.perf_counter() - started
    rows = []
    for name, text, values in stored_queries():
        bound = _bound(store, name, text, values)
        if bound is None:
            continue
        bindings = {Variable(k.value): from_ox(v) for k, v in (bound or {}).items()}
        best, count = float("inf"), 0
        signal.signal(signal.SIGALRM, _too_long)
        try:
            for _ in range(repeat):
                started = time.perf_counter()
                signal.setitimer(signal.ITIMER_REAL, RDFLIB_LIMIT)  # rdflib is pure Python: the alarm stops it
                result = dataset.query(as_sparql11(text), initBindings=bindings)
                count = len(list(result)) if result.type in ("SELECT", "CONSTRUCT", "DESCRIBE") else 1
                signal.setitimer(signal.ITIMER_REAL, 0)
                best = min(best, time.perf_counter() - started)
                if best > 2:
                    break
        except TimeoutError:
            rows.append({"query": name, "error": f"> {RDFLIB_LIMIT:.0f} s"})
            continue
        except Exception as exc:  # rdflib's engine fails on some queries pyoxigraph answers
            signal.setitimer(signal.ITIMER_REAL, 0)
            rows.append({"query": name, "error": f"{type(exc).__name__}: {str(exc)[:60]}"})
            continue
        rows.append({"query": name, "seconds": best, "rows": count})
    return [{"query": "(load graph.nq into rdflib)", "seconds": load, "rows": len(dataset)}] + rows


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------

def mib(n: float) -> str:
    return f"{n / 2**20:,.0f}"


def ladder(args) -> dict:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {"sizes": sizes, "jobs": args.jobs, "load": os.getloadavg(), "runs": {}, "baseline": {},
               "jobs1": {}, "pairs": {}, "queries": [], "queries_rdflib": {}, "rebuild": None}
    for size in sizes:
        corpus = make_corpus(work / f"corpus-{size}", size)
        print(f"[{size} documents] baseline", file=sys.stderr, flush=True)
        base = run([sys.executable, __file__, "baseline", str(corpus)])
        results["baseline"][size] = json.loads(base["stdout"])
        print(f"[{size} documents] kg build --jobs {args.jobs}", file=sys.stderr, flush=True)
        results["runs"][size] = build(corpus, work / f"out-{size}", args.jobs)
        if args.jobs != 1 and size <= args.compare_jobs_up_to:
            # One pair says little on a machine whose speed drifts by minutes: the pairs alternate
            # (N jobs, one job, N jobs, ...) and the table gives each pair and the median.
            pairs = []
            for pair in range(args.jobs_pairs):
                if pair:
                    print(f"[{size} documents] kg build --jobs {args.jobs} (pair {pair + 1})", file=sys.stderr, flush=True)
                many = results["runs"][size] if pair == 0 else build(corpus, work / f"out-{size}-jobsN", args.jobs)
                print(f"[{size} documents] kg build --jobs 1" + (f" (pair {pair + 1})" if pair else ""),
                      file=sys.stderr, flush=True)
                one = build(corpus, work / f"out-{size}-jobs1", 1)
                if pair == 0:
                    results["jobs1"][size] = one
                pairs.append({"jobs1": one["wall"], "jobs": many["wall"]})
            results["pairs"][size] = pairs
        for stale in (work / f"out-{size}-jobs1", work / f"out-{size}-jobsN"):
            shutil.rmtree(stale, ignore_errors=True)
    largest = max(sizes)
    print(f"[{largest} documents] rebuild, nothing changed", file=sys.stderr, flush=True)
    results["rebuild"] = build(work / f"corpus-{largest}", work / f"out-{largest}", args.jobs, fresh=False)
    small = 10 if 10 in sizes else min(sizes)
    results["queries_rdflib_size"] = small
    results["queries_small"] = []
    if args.queries:
        print(f"[{largest} documents] stored queries", file=sys.stderr, flush=True)
        results["queries"] = json.loads(run([sys.executable, __file__, "queries", str(work / f"out-{largest}")])["stdout"])
        results["queries_small"] = json.loads(run([sys.executable, __file__, "queries", str(work / f"out-{small}")])["stdout"])
        results["queries_rdflib"] = json.loads(run([sys.executable, __file__, "queries-rdflib",
                                                    str(work / f"out-{small}")])["stdout"])
    results["load_after"] = os.getloadavg()
    return results


# ---------------------------------------------------------------------------
# --dask: the same corpora on a dask.distributed cluster on this machine, against --jobs 2
# ---------------------------------------------------------------------------

def _tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants alive now."""
    import psutil

    total = 0.0
    process = psutil.Process(pid)
    for member in [process, *process.children(recursive=True)]:
        try:
            times = member.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


class LoopbackCluster:
    """`dask scheduler` and `dask worker --nworkers N --nthreads 1` as subprocesses on loopback,
    as a cluster's machines would run them (each worker process loads kg once, by kg's plugin)."""

    def __init__(self, work: Path, workers: int):
        from distributed import Client

        self.file = work / "scheduler.json"
        self.file.unlink(missing_ok=True)
        dask = [str(Path(sys.executable).with_name("dask"))]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.scheduler = subprocess.Popen(dask + ["scheduler", "--host", "127.0.0.1", "--port", "0",
                                                  "--no-dashboard", "--scheduler-file", str(self.file)], **quiet)
        while not self.file.exists():
            time.sleep(0.1)
        time.sleep(0.5)  # (written in one go, but give it a moment to be complete)
        self.address = json.loads(self.file.read_text())["address"]
        self.workers = subprocess.Popen(dask + ["worker", self.address, "--nworkers", str(workers), "--nthreads", "1",
                                                "--no-dashboard", "--host", "127.0.0.1"], **quiet)
        with Client(self.address, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)

    def worker_cpu(self) -> float:
        return _tree_cpu(self.workers.pid)

    def close(self) -> None:
        for process in (self.workers, self.scheduler):
            process.send_signal(signal.SIGINT)
        for process in (self.workers, self.scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def dask_build(corpus: Path, out: Path, cluster: LoopbackCluster) -> dict:
    """``kg build --dask`` into a fresh OUT and a fresh spool (every document built by the workers)."""
    shutil.rmtree(out, ignore_errors=True)
    before = cluster.worker_cpu()
    measured = run(kg("build", str(corpus), "--out", str(out), "--dask", cluster.address, "--quiet"))
    measured["workers_cpu"] = cluster.worker_cpu() - before
    measured["client_cpu"] = measured["cpu"]  # the workers are not the build's children: cpu is the client's
    return measured


def dask_comparison(args) -> dict:
    """For each size: `--jobs N` (a fresh pool of N processes, as always), then a cluster of N
    worker processes started beforehand, `kg build --dask` on it cold (the workers load the
    pipeline and registries during the build) and warm (a second build on the same workers,
    a fresh output and spool: what a standing cluster gives)."""
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {"sizes": sizes, "jobs": args.jobs, "load": os.getloadavg(), "local": {}, "cold": {}, "warm": {},
               "source": str(args.source)}
    for size in sizes:
        corpus = make_corpus(work / f"dask-corpus-{size}", size, args.source)
        print(f"[{size} documents] kg build --jobs {args.jobs}", file=sys.stderr, flush=True)
        results["local"][size] = build(corpus, work / f"out-{size}-jobs", args.jobs)
        cluster = LoopbackCluster(work, args.jobs)
        try:
            for kind in ("cold", "warm"):
                print(f"[{size} documents] kg build --dask ({kind}, {args.jobs} workers)", file=sys.stderr, flush=True)
                results[kind][size] = dask_build(corpus, work / f"out-{size}-dask", cluster)
        finally:
            cluster.close()
        # The same statements: the store of the distributed build is the local one's.
        import pyoxigraph as ox

        dumps = [sorted(ox.Store.read_only(str(work / name / "store")).dump(format=ox.RdfFormat.N_QUADS).splitlines())
                 for name in (f"out-{size}-jobs", f"out-{size}-dask")]
        results.setdefault("identical", {})[size] = dumps[0] == dumps[1]
        for stale in (work / f"out-{size}-jobs", work / f"out-{size}-dask"):
            shutil.rmtree(stale, ignore_errors=True)
    results["load_after"] = os.getloadavg()
    return results


def _fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares line through (size, seconds): (fixed seconds, seconds per document)."""
    if len(points) < 2:
        return 0.0, points[0][1] / points[0][0]
    slope, intercept = statistics.linear_regression([x for x, _ in points], [y for _, y in points])
    return intercept, slope


def dask_table(results: dict) -> str:
    """Wall and CPU seconds of each build, and what the CPU seconds say about a cluster.

    On a shared machine the wall time follows the other processes (here by minutes); the CPU
    seconds much less, so the overhead and the projection are made from them: a line fitted over
    the sizes for `--jobs N` (build and workers), the --dask client and the --dask workers (warm),
    then each build's wall time on cores of its own is its serial part plus its parallel part
    divided among the processes."""
    jobs = results["jobs"]
    sizes = [int(s) for s in results["sizes"]]
    get = lambda kind, size: _get(results[kind], size)  # noqa: E731
    source = Path(results.get("source", SOURCE))
    out = [f"Corpus: copies of `{source.relative_to(ROOT) if source.is_relative_to(ROOT) else source}`.", "",
           f"Load average at the start: {' '.join(f'{x:.2f}' for x in results['load'])}; at the end: "
           f"{' '.join(f'{x:.2f}' for x in results.get('load_after', []))} ({os.cpu_count()} cores).", "",
           f"| documents | `--jobs {jobs}` wall s | CPU s | `--dask` cold wall s | CPU s (client + workers) "
           f"| `--dask` warm wall s | CPU s (client + workers) | warm CPU ÷ `--jobs {jobs}` CPU | same statements |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"]
    for size in sizes:
        local, cold, warm = get("local", size), get("cold", size), get("warm", size)
        cpu = lambda r: r["client_cpu"] + r["workers_cpu"]  # noqa: E731
        out.append(f"| {size:,} | {local['wall']:.1f} | {local['cpu']:.1f} | {cold['wall']:.1f} "
                   f"| {cpu(cold):.1f} ({cold['client_cpu']:.1f} + {cold['workers_cpu']:.1f}) | {warm['wall']:.1f} "
                   f"| {cpu(warm):.1f} ({warm['client_cpu']:.1f} + {warm['workers_cpu']:.1f}) "
                   f"| {cpu(warm) / local['cpu']:.2f}× | {'yes' if _get(results['identical'], size) else '**no**'} |")
    fixed_local, per_doc_local = _fit([(s, get("local", s)["cpu"]) for s in sizes])
    fixed_client, per_doc_client = _fit([(s, get("warm", s)["client_cpu"]) for s in sizes])
    fixed_workers, per_doc_workers = _fit([(s, get("warm", s)["workers_cpu"]) for s in sizes])
    fixed_cold, _ = _fit([(s, get("cold", s)["workers_cpu"]) for s in sizes])
    out += ["", f"CPU seconds, lines fitted over the sizes: `--jobs {jobs}` {fixed_local:.1f} s + "
                f"{per_doc_local:.2f} s/document (build and workers); `--dask` warm: client {fixed_client:.1f} s + "
                f"{per_doc_client:.2f} s/document, workers {fixed_workers:.1f} s + {per_doc_workers:.2f} s/document "
                f"(cold: the workers' fixed part {fixed_cold:.1f} s, loading kg). Overhead of the cluster on the same "
                f"cores: {fixed_client + fixed_workers - fixed_local:+.1f} CPU s per build, "
                f"{per_doc_client + per_doc_workers - per_doc_local:+.2f} CPU s per document.", "",
            f"Projected wall time with every process on a core of its own: `--jobs {jobs}` "
            f"{fixed_local:.1f} + n × {per_doc_local:.2f} / {jobs} s; `--dask` with W warm workers "
            f"{fixed_client + fixed_workers / jobs:.1f} + n × ({per_doc_client:.2f} + {per_doc_workers:.2f} / W) s "
            f"(the client's part serial, the workers' divided; scheduling and the storage's latency, "
            f"milliseconds per document on loopback, left out).", "",
            f"| workers | projected s/document | cluster faster than `--jobs {jobs}` from |", "|---:|---:|---:|"]
    for workers in (2, 4, 8, 16, 32, 64):
        per_doc = per_doc_client + per_doc_workers / workers
        gap = fixed_client + fixed_workers / jobs - fixed_local
        if per_doc >= per_doc_local / jobs:
            wins = "never (slower per document)" if gap > 0 else "always"
        else:
            wins = f"{max(1, gap / (per_doc_local / jobs - per_doc)):,.0f} documents" if gap > 0 else "1 document"
        out.append(f"| {workers} | {per_doc:.2f} | {wins} |")
    return "\n".join(out) + "\n"


def table(results: dict) -> str:
    out = []
    load = results["load"]
    out.append(f"Load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
               f"at the end: {' '.join(f'{x:.2f}' for x in results['load_after'])} (2 cores).")
    out.append("")
    out.append(f"| documents | wall s | CPU s | s/doc | chars/s | paragraphs/s | triples/s | triples | peak MiB "
               f"| store MiB | baseline CPU s/doc | build ÷ baseline (CPU) | stages ÷ baseline (CPU) |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in results["sizes"]:
        r, b = results["runs"][str(size)] if str(size) in results["runs"] else results["runs"][size], \
            results["baseline"][str(size)] if str(size) in results["baseline"] else results["baseline"][size]
        out.append(f"| {size:,} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['wall'] / size:.2f} | {b['chars'] / r['wall']:,.0f} "
                   f"| {r['paragraphs'] / r['wall']:,.0f} | {r['triples'] / r['wall']:,.0f} | {r['triples']:,} "
                   f"| {mib(r['peak'])} | {mib(r['store_bytes'])} | {b['pipeline_cpu'] / size:.3f} "
                   f"| {r['cpu'] / b['pipeline_cpu']:.1f} | {sum(r['stages'].values()) / b['pipeline_cpu']:.1f} |")
    out.append("")
    out.append(f"CPU seconds per stage (summed over documents and processes; `kg build --timings`), "
               f"`--jobs {results['jobs']}`:")
    out.append("")
    out.append("| documents | " + " | ".join(STAGES) + " |")
    out.append("|---:|" + "---:|" * len(STAGES))
    for size in results["sizes"]:
        stages = _get(results["runs"], size)["stages"]
        out.append(f"| {size:,} | " + " | ".join(f"{stages.get(s, 0.0):.1f}" for s in STAGES) + " |")
    if any("processes" in _get(results["runs"], size) for size in results["sizes"]):
        out.append("")
        out.append("CPU seconds by process (the build process and its workers, user + system), against the stages' sum:")
        out.append("")
        out.append("| documents | build user | build system | workers user | workers system | all | stages | not in a stage |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size in results["sizes"]:
            r = _get(results["runs"], size)
            if "processes" not in r:
                continue
            p = r["processes"]
            every = sum(p[who][kind] for who in ("build", "workers") for kind in ("user", "system"))
            staged = sum(r["stages"].values())
            out.append(f"| {size:,} | {p['build']['user']:.1f} | {p['build']['system']:.1f} | {p['workers']['user']:.1f} "
                       f"| {p['workers']['system']:.1f} | {every:.1f} | {staged:.1f} | {every - staged:.1f} |")
    out.append("")
    out.append("Baseline (a), one process, same texts: our spaCy pipeline `nlp(text)`, and `spacy.blank(\"zh\")` alone:")
    out.append("")
    out.append("| documents | pipeline wall s | pipeline CPU s | CPU s/doc | blank wall s | blank CPU s | CPU s/doc |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|")
    for size in results["sizes"]:
        b = _get(results["baseline"], size)
        out.append(f"| {size:,} | {b['pipeline']:.1f} | {b['pipeline_cpu']:.1f} | {b['pipeline_cpu'] / size:.3f} "
                   f"| {b['blank']:.1f} | {b['blank_cpu']:.1f} | {b['blank_cpu'] / size:.3f} |")
    if results["jobs1"]:
        out.append("")
        out.append(f"(c) one job against `--jobs {results['jobs']}` (wall seconds):")
        out.append("")
        out.append(f"| documents | --jobs 1 | --jobs {results['jobs']} | speed-up | --jobs 1 CPU s "
                   f"| --jobs 1 ÷ baseline (wall) |")
        out.append("|---:|---:|---:|---:|---:|---:|")
        for size, one in sorted(results["jobs1"].items(), key=lambda kv: int(kv[0])):
            two = _get(results["runs"], size)
            b = _get(results["baseline"], size)
            out.append(f"| {int(size):,} | {one['wall']:.1f} | {two['wall']:.1f} | {one['wall'] / two['wall']:.2f}× "
                       f"| {one['cpu']:.1f} | {one['wall'] / b['pipeline']:.1f} |")
        if any(len(p) > 1 for p in results.get("pairs", {}).values()):
            out.append("")
            out.append(f"The same, in {max(len(p) for p in results['pairs'].values())} pairs run one after the other "
                       f"(`--jobs-pairs`; the first is the pair above): wall seconds, --jobs 1 / --jobs {results['jobs']}.")
            out.append("")
            out.append("| documents | pairs | speed-ups | median speed-up |")
            out.append("|---:|---|---|---:|")
            for size, pairs in sorted(results["pairs"].items(), key=lambda kv: int(kv[0])):
                ratios = [p["jobs1"] / p["jobs"] for p in pairs]
                out.append(f"| {int(size):,} | " + ", ".join(f"{p['jobs1']:.1f} / {p['jobs']:.1f}" for p in pairs)
                           + " | " + ", ".join(f"{r:.2f}×" for r in ratios) + f" | {statistics.median(ratios):.2f}× |")
    rebuild = results["rebuild"]
    largest = max(results["sizes"])
    out.append("")
    out.append(f"Rebuild of the {largest:,}-document corpus with nothing changed: {rebuild['wall']:.1f} s wall "
               f"({rebuild['skipped']:,} documents skipped).")
    out.append("")
    out.extend(queries_table(results, largest))
    return "\n".join(out) + "\n"


def queries_table(results: dict, largest: int) -> list[str]:
    out = []
    out.append("")
    out.append(f"(b) Stored queries, best of 3, results read in full: on the {largest:,}-document store "
               f"(pyoxigraph on disk), and on the {results['queries_rdflib_size']}-document output both on "
               f"the store and in rdflib's in-memory graph (which reads LATERAL as a join; its row count is shown "
               f"where it differs):")
    out.append("")
    small = {q["query"]: q for q in results["queries_small"]}
    mem = {q["query"]: q for q in results["queries_rdflib"]}
    out.append(f"| query | rows | s ({largest:,} docs, store) | rows | s ({results['queries_rdflib_size']} docs, store) "
               f"| s ({results['queries_rdflib_size']} docs, rdflib) |")
    out.append("|---|---:|---:|---:|---:|---:|")
    if "(load graph.nq into rdflib)" in mem:
        load = mem["(load graph.nq into rdflib)"]
        out.append(f"| (loading the {load['rows']:,} quads into rdflib) | | | | | {load['seconds']:.1f} |")
    for q in results["queries"]:
        if "skipped" in q:
            out.append(f"| {q['query']} | skipped: {q['skipped']} | | | | |")
            continue
        s, m = small.get(q["query"], {}), mem.get(q["query"], {})
        rdflib = f"{m['seconds']:.3f}" if "seconds" in m else (m["error"] if m["error"].startswith(">")
                                                                    else f"fails ({m['error']})") if "error" in m else ""
        if "seconds" in m and s and m["rows"] != s.get("rows"):  # LATERAL read as a join can drop rows
            rdflib += f" ({m['rows']:,} rows)"
        out.append(f"| {q['query']} | {q['rows']:,} | {q['seconds']:.3f} | {s.get('rows', '')} "
                   f"| {s.get('seconds', float('nan')):.3f} | {rdflib} |")
    if not results["queries"]:
        out.append("| (not measured in this run: --no-queries) | | | | | |")
    return out


def _get(mapping: dict, size):
    return mapping[str(size)] if str(size) in mapping else mapping[size]


def plot(results: dict, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install -e '.[bench]'): no plot", file=sys.stderr)
        return
    sizes = results["sizes"]
    runs = [_get(results["runs"], s) for s in sizes]
    base = [_get(results["baseline"], s) for s in sizes]
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    ax = axes[0][0]
    ax.plot(sizes, [r["wall"] / s for r, s in zip(runs, sizes)], "o-", label=f"kg build --jobs {results['jobs']} (wall)")
    ax.plot(sizes, [r["cpu"] / s for r, s in zip(runs, sizes)], "o--", label=f"kg build --jobs {results['jobs']} (CPU)")
    if results["jobs1"]:
        one = sorted((int(k), v) for k, v in results["jobs1"].items())
        ax.plot([k for k, _ in one], [v["wall"] / k for k, v in one], "s-", label="kg build --jobs 1 (wall)")
    ax.plot(sizes, [b["pipeline_cpu"] / s for b, s in zip(base, sizes)], "^-", label="baseline: nlp(text) (CPU)")
    ax.plot(sizes, [b["blank_cpu"] / s for b, s in zip(base, sizes)], "v-", label='spacy.blank("zh") (CPU)')
    ax.set_xscale("log")
    ax.set_xlabel("documents")
    ax.set_ylabel("seconds per document")
    ax.set_title("Time per document")
    ax.legend(fontsize=8)
    ax = axes[0][1]
    bottom = [0.0] * len(sizes)
    labels = [f"{s:,}" for s in sizes]
    for stage in STAGES:
        values = [r["stages"].get(stage, 0.0) / s for r, s in zip(runs, sizes)]
        ax.bar(labels, values, bottom=bottom, label=stage)
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_xlabel("documents")
    ax.set_ylabel("CPU seconds per document (summed over processes)")
    ax.set_title("CPU time per stage")
    ax.legend(fontsize=8)
    ax = axes[1][0]
    ax.plot(sizes, [b["chars"] / r["wall"] / 1000 for r, b in zip(runs, base)], "o-", label="thousand characters/s")
    ax.plot(sizes, [r["paragraphs"] / r["wall"] for r in runs], "s-", label="paragraphs/s")
    ax.plot(sizes, [r["triples"] / r["wall"] / 1000 for r in runs], "^-", label="thousand triples/s")
    ax.set_xscale("log")
    ax.set_xlabel("documents")
    ax.set_title("Throughput (wall time)")
    ax.legend(fontsize=8)
    ax = axes[1][1]
    ax.plot(sizes, [r["peak"] / 2**20 for r in runs], "o-", label="peak memory (MiB)")
    ax.plot(sizes, [r["store_bytes"] / 2**20 for r in runs], "s-", label="store on disk (MiB)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents")
    ax.set_title("Memory and store size")
    ax.legend(fontsize=8)
    fig.suptitle("kg build of synthetic corpora (copies of CDIP/32/3), 2 cores")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "baseline":
        print(json.dumps(baseline(Path(sys.argv[2]))))
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "queries":
        print(json.dumps(time_queries(Path(sys.argv[2]))))
        return 0
    if len(sys.argv) > 3 and sys.argv[1] == "queries-report":
        # (b) alone, for outputs built already: LARGE and SMALL output directories.
        large, small = Path(sys.argv[2]), Path(sys.argv[3])
        me = [sys.executable, __file__]
        results = {"queries": json.loads(run(me + ["queries", str(large)])["stdout"]),
                   "queries_small": json.loads(run(me + ["queries", str(small)])["stdout"]),
                   "queries_rdflib": json.loads(run(me + ["queries-rdflib", str(small)])["stdout"]),
                   "queries_rdflib_size": len(json.loads((small / "report.json").read_text())["documents"])}
        largest = len(json.loads((large / "report.json").read_text())["documents"])
        print("\n".join(queries_table(results, largest)))
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "dask-table":  # the --dask table again, from its --json
        print(dask_table(json.loads(Path(sys.argv[2]).read_text())))
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "queries-rdflib":
        print(json.dumps(time_queries_rdflib(Path(sys.argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,1000", help="Corpus sizes, comma-separated.")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--compare-jobs-up-to", type=int, default=100,
                        help="Also build with --jobs 1 the corpora up to this size.")
    parser.add_argument("--jobs-pairs", type=int, default=3,
                        help="How many (--jobs N, --jobs 1) pairs to build at each of those sizes.")
    parser.add_argument("--no-queries", dest="queries", action="store_false",
                        help="Leave out (b), the stored queries (measured on their own: `queries OUT`).")
    parser.add_argument("--work", default="/tmp/kg-scale", help="Where the corpora and outputs go.")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "scaling.png")
    parser.add_argument("--table", type=Path, default=ROOT / "docs" / "scaling-results.md")
    parser.add_argument("--json", type=Path, default=None, help="Also write the raw figures here.")
    parser.add_argument("--dask", action="store_true",
                        help="Only compare `kg build --dask` on a cluster of --jobs worker processes on this "
                             "machine (dask scheduler and dask worker on loopback) with `--jobs N`; print the table.")
    parser.add_argument("--source", type=Path, default=SOURCE,
                        help="With --dask: the report the corpora copy (e.g. the 10-paragraph "
                             "tests/data/multilingual/CDIP_32_3_zh_p1-10.txt, for a quick run).")
    args = parser.parse_args()
    if args.dask:
        results = json.loads(json.dumps(dask_comparison(args)))
        print(dask_table(results))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        return 0
    results = ladder(args)
    results = json.loads(json.dumps(results))  # one shape for sizes (str keys) whether fresh or reloaded
    text = table(results)
    print(text)
    header = ("<!-- Written by bench/scale.py; rerun it to refresh. -->\n\n"
              f"`python bench/scale.py --sizes {args.sizes} --jobs {args.jobs} --jobs-pairs {args.jobs_pairs}` "
              f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n")
    args.table.parent.mkdir(parents=True, exist_ok=True)
    args.table.write_text(header + text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    plot(results, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Building a corpus: many documents, in parallel processes, into an on-disk store.

A document's graph is a pure function of (its file, the pipeline version, the
base IRI), so the work is a map over the documents followed by one small
reduction (the shared graphs):

1. **Plan.** Each input's content hash, file name, pipeline version
   (``kg.resources.pipeline_version``: a hash of kg's code, data, ontology and shapes) and
   base IRI name a *record*. A record of the previous build (``DIR/documents/``,
   listed in its ``report.json``, its graph in its store) is reused as it is
   unless ``--force``: the document is not read again.
2. **Map.** The other documents are built in batches (``nlp.pipe`` over a
   batch) by ``--jobs`` processes, each loading the pipeline once. A worker
   returns a document's graph as sorted N-Quads, its validation against the
   shapes (the document graph with the types of what it links to) and its
   :class:`~kg.build.document.Contribution`. A document that fails (bad input, a bug, a
   graph that does not conform) is reported in one line and left out; the
   others go on.
3. **Reduce.** The new store starts as a checkpoint of the previous one (hard
   links) less the graphs that changed; each new document graph is spooled to a
   file as it arrives and the store bulk-loads them once, after the last (see
   :data:`LOAD_CHUNK`); the shared graphs (SDG concepts, places, registry,
   relations) are recomputed from every document's contribution and validated once.
4. **Commit.** The store, ``report.json``, ``unregistered.csv`` and the records
   are written into a new generation of the output directory and switched to in one
   atomic step (:class:`kg.build.output.Generation`): an interrupted, failed or killed
   build leaves the previous outputs and store whole.

Workers end with the build (:func:`kg.processes.die_with_parent`), even a killed one, and
there are never more of them than batches of work.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from kg.build.document import (Builder, Contribution, DocumentResult, Failure, Progress, _Silent, failure,
                                read_document)
from kg.build.output import Generation, atomic_write
from kg.build.result import BuildResult, _first, export_files, not_conforming, report_json, unregistered_csv
from kg.build.stages import stage
from kg.build.shared import add_edition_warnings, add_shared_graphs, editions_of
from kg.errors import InputError, ReportWarning
from kg.graph.linking import Unregistered
from kg.graph.quads import RDF_TYPE, QuadSink, sorted_lines
from kg.reader.source import DEFAULT_MAX_BYTES, file_digest
from kg.processes import start_worker
from kg.resources import pipeline_version
from kg.store.open import STORE_DIR

RECORDS_DIR = "documents"
# What the committed store's shared graphs were validated against: the hash of the report.json
# committed with it and the outcome ("conforms", "violations" or "not validated").
SHARED_STATE = "shared.state"
BATCH = 2  # documents per nlp.pipe call and per task sent to a worker
# Bytes of N-Quads spooled to disk before a bulk load into the store. Each load sets RocksDB
# merging the new files with everything loaded before (a document's statements are spread over the
# whole key space), and while the workers leave it time it keeps up, load after load: 1,000
# reports loaded in 256 MiB pieces beside the workers wrote 13 GB within the first 340 s. So the
# store is loaded once, after the last document, unless the spool outgrows this.
LOAD_CHUNK = 8 * 1024 ** 3
SPOOL = "graphs.nq.spool"
_CONTEXT = ox.NamedNode("urn:x-kg:validation:context")


def record_id(sha256: str, name: str, base_iri: str) -> str:
    """What a document's graph depends on: its bytes, its file name, the pipeline version, the base IRI."""
    return hashlib.sha256(f"{sha256}\n{name}\n{pipeline_version()}\n{base_iri}".encode()).hexdigest()[:24]


# ---------------------------------------------------------------------------
# The map: one batch of documents, in a worker process (or in this one)
# ---------------------------------------------------------------------------

_BUILDERS: dict[tuple, Builder] = {}


def _builder(base_iri: str, format: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES) -> Builder:
    builder = _BUILDERS.get((base_iri, format, max_bytes))
    if builder is None:
        builder = _BUILDERS[(base_iri, format, max_bytes)] = Builder(base_iri, format=format, max_bytes=max_bytes)
        # The registries and the pipeline live as long as the process: keep the
        # garbage collector from walking them again and again.
        gc.collect()
        gc.freeze()
    return builder


def _init_worker(base_iri: str, format: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    _builder(base_iri, format, max_bytes)


def build_batch(paths: list[Path], base_iri: str, validate: bool, format: str = "auto",
                max_bytes: int = DEFAULT_MAX_BYTES, read=read_document) -> list[DocumentResult | Failure]:
    """Build each of ``paths``; a document that fails becomes a :class:`Failure`, not an exception.
    ``read(path, format, max_bytes)`` reads one (by default from the file; a cluster's worker
    reads the bytes the client sent: :mod:`kg.distributed`)."""
    builder = _builder(base_iri, format, max_bytes)
    documents: list = []
    read_times: list[float] = []
    for path in paths:
        clock = time.process_time()
        try:
            documents.append(read(path, format, max_bytes))
        except Exception as exc:
            documents.append(failure(path, exc))
        read_times.append(time.process_time() - clock)
    readable = [d for d in documents if not isinstance(d, Failure)]
    clock = time.process_time()
    try:
        docs = dict(zip(map(id, readable), builder.nlp(readable)))
        nlp_each = (time.process_time() - clock) / max(1, len(readable))
    except Exception:  # one document breaks the batch: parse each on its own, to find which
        docs, nlp_each = {}, 0.0
    results: list[DocumentResult | Failure] = []
    for path, document, read_time in zip(paths, documents, read_times):
        if isinstance(document, Failure):
            results.append(document)
            continue
        timings = {"read": read_time, "nlp": nlp_each if id(document) in docs else 0.0}
        try:
            results.append(build_one(builder, path, document, docs.get(id(document)), validate, timings))
        except Exception as exc:
            results.append(failure(path, exc))
    return results


def build_one(builder: Builder, path: Path, document, found, validate: bool,
              timings: dict[str, float]) -> DocumentResult:
    sink: QuadSink | None = None

    def graph_for(iri: URIRef) -> QuadSink:
        nonlocal sink
        sink = QuadSink(iri)
        return sink

    result = builder.build_document(path, graph_for, document=document, found=found, keep=False,
                                    timings=timings)
    clock = time.process_time()
    result.nquads = sorted_lines(sink.quads)
    timings["serialisation"] = time.process_time() - clock
    from kg.shacl.partition import external_objects, foreign_subjects, validate_partition

    result.foreign = sorted(node.value for node in foreign_subjects(sink.quads) if isinstance(node, ox.NamedNode))
    if validate:
        clock = time.process_time()
        # What is said about the nodes the document links to, from its own share of the vocabulary
        # graphs: the same functions describe the same entities in the shared graphs. (What other
        # documents and the editions graph say about its own nodes is checked at the end.)
        shared: list[QuadSink] = []
        add_shared_graphs(builder, [result.contribution], lambda iri: shared.append(QuadSink(iri)) or shared[-1],
                          relations=False)
        linked = external_objects(sink.quads)
        context = [ox.Quad(q.subject, q.predicate, q.object, _CONTEXT) for s in shared for q in s.quads
                   if q.subject in linked]
        result.violations = validate_partition(sink.quads, context).violations
        timings["validation"] = time.process_time() - clock
    return result


# ---------------------------------------------------------------------------
# Records: what a later build needs of a document without reading it again
# ---------------------------------------------------------------------------

def to_record(result: DocumentResult, rid: str) -> dict:
    return {
        "id": rid, "key": result.key, "iri": str(result.iri), "graph": str(result.graph_iri),
        "file": result.file, "sha256": result.sha256, "pipeline_version": pipeline_version(),
        "entry": result.entry,
        "warnings": [[w.path, w.message, w.line, w.paragraph] for w in result.warnings],
        "unregistered": [[key, u.name, str(u.iri), u.paragraphs, u.language, u.label]
                         for key, u in result.unregistered.items()],
        "contribution": result.contribution.to_json(),
        "counts": dict(sorted(result.counts.items())),
        "paragraphs": result.paragraphs, "chars": result.chars, "triples": result.triples,
        "foreign": getattr(result, "foreign", []),
    }


def from_record(record: dict) -> DocumentResult:
    from collections import Counter

    result = DocumentResult(
        key=record["key"], iri=URIRef(record["iri"]), graph_iri=URIRef(record["graph"]), file=record["file"],
        sha256=record["sha256"], entry=record["entry"],
        warnings=[ReportWarning(*w) for w in record["warnings"]],
        unregistered={key: Unregistered(name, URIRef(iri), paragraphs, language, label)
                      for key, name, iri, paragraphs, language, label in record["unregistered"]},
        contribution=Contribution.from_json(record["contribution"]), counts=Counter(record["counts"]),
        paragraphs=record["paragraphs"], chars=record["chars"], triples=record["triples"])
    result.foreign = record["foreign"]
    return result


def previous_records(out_dir: Path, base_iri: str) -> dict[str, dict]:
    """The records of the previous build that its committed outputs vouch for: listed in its
    report.json (same file, hash, pipeline version and base IRI), its store present."""
    try:
        report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (report.get("pipeline_version") != pipeline_version() or report.get("base_iri") != base_iri
            or not (out_dir / STORE_DIR).is_dir()):
        return {}
    records = {}
    for entry in report.get("documents", []):
        rid = record_id(entry["sha256"], entry["file"], base_iri)
        try:
            record = json.loads((out_dir / RECORDS_DIR / f"{rid}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if all(record.get("entry", {}).get(name) == entry.get(name) for name in ("file", "sha256", "graph")):
            records[rid] = record
    return records


def shared_state(out_dir: Path) -> dict:
    """The previous build's :data:`SHARED_STATE`, if it describes the report.json now in place."""
    try:
        state = json.loads((out_dir / RECORDS_DIR / SHARED_STATE).read_text(encoding="utf-8"))
        report = (out_dir / "report.json").read_bytes()
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict) or state.get("report") != hashlib.sha256(report).hexdigest():
        return {}
    return state


def write_shared_state(directory: Path, report: bytes, outcome: str) -> None:
    """Write :data:`SHARED_STATE` into ``directory`` (a new generation's, before it is switched to)."""
    body = {"report": hashlib.sha256(report).hexdigest(), "validation": outcome}
    atomic_write(directory / RECORDS_DIR / SHARED_STATE, (json.dumps(body) + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------
# The whole build
# ---------------------------------------------------------------------------

def _carry_records(generation: Generation, rids: list[str]) -> None:
    """Carry the records ``rids`` of the current generation into ``generation`` (hard links)."""
    if generation.previous is None and not (generation.out_dir / RECORDS_DIR).is_dir():
        return
    source = (generation.previous if generation.previous is not None else generation.out_dir) / RECORDS_DIR
    target = generation.path / RECORDS_DIR
    target.mkdir(exist_ok=True)
    for rid in rids:
        name = f"{rid}.json"
        if (source / name).is_file() and not (target / name).exists():
            try:
                os.link(source / name, target / name)
            except OSError:
                atomic_write(target / name, (source / name).read_bytes())


def _batches(paths: list[Path], size: int) -> list[list[Path]]:
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def _results(todo: list[Path], base_iri: str, validate: bool, jobs: int, format: str = "auto",
             max_bytes: int = DEFAULT_MAX_BYTES, meanwhile=lambda: None):
    """The results of building ``todo``, in input order, batch by batch; ``meanwhile()`` is
    called once the work is sent (the workers starting), before the first result."""
    batches = _batches(todo, BATCH)
    jobs = min(jobs, len(batches))  # never a process with nothing to do
    if jobs <= 1 or len(batches) <= 1:
        meanwhile()
        for batch in batches:
            yield from build_batch(batch, base_iri, validate, format, max_bytes)
        return
    # spawn, not fork: the parent holds a RocksDB store and its threads.
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                   # A build killed with kill -9 takes its workers with it.
                                   initializer=start_worker, initargs=(os.getpid(), f"{__name__}:_init_worker",
                                                                      base_iri, format, max_bytes))
    try:
        futures = [executor.submit(build_batch, batch, base_iri, validate, format, max_bytes) for batch in batches]
        meanwhile()
        for future in futures:
            yield from future.result()
    finally:
        for process in list(getattr(executor, "_processes", {}).values()):
            if process.is_alive():
                process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)


def build_corpus(inputs: list[Path], out_dir: Path, base_iri: str, progress: Progress | None = None,
                 validate: bool = True, allow_invalid: bool = False, jobs: int = 1,
                 force: bool = False, format: str = "auto", exports=(),
                 max_bytes: int = DEFAULT_MAX_BYTES, map_documents=None) -> BuildResult:
    """``map_documents(todo, base_iri, validate, format, max_bytes, meanwhile)``, when given,
    is the map step in place of ``jobs`` local processes (:func:`_results`): the results of
    building ``todo`` in its order, ``meanwhile()`` called once the work is sent
    (:mod:`kg.distributed` runs it on a Dask cluster)."""
    started = time.perf_counter()
    progress = progress or _Silent()
    previous = {} if force else previous_records(out_dir, base_iri)
    timings: dict[str, float] = {}

    plan: list[tuple[Path, str | None]] = []
    for path in inputs:
        digest = file_digest(path, max_bytes)  # bounded: never more than --max-size is read
        plan.append((path, record_id(digest, Path(path).name, base_iri) if digest else None))
    reuse = {rid for _, rid in plan if rid in previous}
    todo = [path for path, rid in plan if rid not in reuse]
    if not todo and len(reuse) == len(plan) == len(previous):
        # Every document as it was: so are the shared graphs (a function of the contributions) and
        # the store; reuse them, and their validation, if the previous build validated them.
        state = shared_state(out_dir)
        if state and (state.get("validation") == "conforms" or not validate):
            return _unchanged(plan, previous, out_dir, base_iri,
                              validate=validate, outcome=state["validation"], exports=exports, started=started)

    with Generation(out_dir) as staging:
        store_dir = staging.file(STORE_DIR)
        kept_graphs = {ox.NamedNode(previous[rid]["graph"]) for rid in reuse}
        if kept_graphs:
            ox.Store.read_only(str(out_dir / STORE_DIR)).backup(str(store_dir))
            store = ox.Store(str(store_dir))
            for graph in list(store.named_graphs()):
                if graph not in kept_graphs:
                    store.remove_graph(graph)
        else:
            store = ox.Store(str(store_dir))

        by_path: dict[Path, DocumentResult] = {}
        failures: list[Failure] = []
        keys: dict[str, str] = {}
        records: dict[Path, str] = {}
        for path, rid in plan:
            if rid in reuse:
                result = by_path[path] = from_record(previous[rid])
                keys[result.key] = str(path)
                records[path] = rid

        spool_path = staging.path / SPOOL
        spool = open(spool_path, "wb")
        pending_size = 0

        def load_pending(last: bool = False) -> None:
            nonlocal spool, pending_size
            spool.close()
            if pending_size:
                clock = time.process_time()
                # lenient: these are pyoxigraph's own serialisation of terms it checked when they
                # were made (kg.graph.quads.sorted_lines), so parsing need not check each IRI again.
                store.bulk_load(path=str(spool_path), format=ox.RdfFormat.N_QUADS, lenient=True)
                timings["store"] = timings.get("store", 0.0) + time.process_time() - clock
            if last:
                spool_path.unlink()
            else:
                spool, pending_size = open(spool_path, "wb"), 0

        def set_up() -> None:
            # The parent needs the registries for the shared graphs at the end: load them while
            # the workers load theirs, not after the last document.
            clock = time.process_time()
            _builder(base_iri, format, max_bytes)
            timings["setup"] = time.process_time() - clock

        mapped = (map_documents(todo, base_iri, validate, format, max_bytes, set_up) if map_documents
                  else _results(todo, base_iri, validate, jobs, format, max_bytes, set_up))
        for path, result in zip(todo, mapped):
            progress.start(Path(path).name, 1)
            progress.finish()
            if isinstance(result, Failure):
                failures.append(result)
                continue
            for step, seconds in result.timings.items():
                timings[step] = timings.get(step, 0.0) + seconds
            if result.key in keys:
                failures.append(failure(path, InputError(f"same document as {keys[result.key]} ({result.key})",
                                                         path=path)))
                continue
            if result.violations and not allow_invalid:
                first = result.violations[0]
                failures.append(Failure(Path(path), f"{path}: the document graph does not conform to the shapes "
                                        f"({len(result.violations)} result(s); first: {first.shape} "
                                        f"{first.focus}: {first.message})", 1))
                continue
            keys[result.key] = str(path)
            spool.write(result.nquads)
            pending_size += len(result.nquads)
            result.nquads = None
            if pending_size >= LOAD_CHUNK:
                load_pending()
            rid = record_id(result.sha256, Path(path).name, base_iri)
            (staging.path / RECORDS_DIR).mkdir(exist_ok=True)
            atomic_write(staging.path / RECORDS_DIR / f"{rid}.json",
                         (json.dumps(to_record(result, rid), ensure_ascii=False) + "\n").encode("utf-8"))
            records[path] = rid
            by_path[path] = result
        with stage(progress, "store"):
            load_pending(last=True)

        documents = [by_path[path] for path, _ in plan if path in by_path]
        if not documents:
            raise _first(failures)

        if "setup" not in timings:  # no document was built
            set_up()
        builder = _builder(base_iri, format, max_bytes)
        clock = time.process_time()
        sinks: list[QuadSink] = []

        def shared_graph(iri: URIRef) -> QuadSink:
            sinks.append(QuadSink(iri, store=store))
            return sinks[-1]

        with stage(progress, "shared graphs"):
            add_edition_warnings(documents, add_shared_graphs(builder, [d.contribution for d in documents],
                                                              shared_graph))
            for sink in sinks:
                sink.flush()
        timings["graph"] = timings.get("graph", 0.0) + time.process_time() - clock

        validation = None
        if validate:
            from collections import Counter

            from kg.shacl.partition import validate_document
            from kg.shacl.report import merge_results
            from kg.shacl.shared import validate_shared

            clock = time.process_time()
            # Documents other graphs say something about: the editions of one symbol (linked in
            # graph/editions) and those naming an organisation another document names too. They
            # were checked without that; check them again with it.
            described = Counter(iri for d in documents for iri in getattr(d, "foreign", []))
            symbols = Counter(d.contribution.symbol for d in documents if d.contribution.symbol)
            again = [d for d in documents if symbols.get(d.contribution.symbol, 0) > 1
                     or any(described[iri] > 1 for iri in getattr(d, "foreign", []))]
            graphs = [ox.NamedNode(str(d.graph_iri)) for d in documents]
            with stage(progress, "validation"):
                validation = merge_results([validate_document(store, ox.NamedNode(str(d.graph_iri)))
                                            for d in again] + [validate_shared(store, graphs)])
            timings["validation"] = timings.get("validation", 0.0) + time.process_time() - clock
            if not validation.conforms and not allow_invalid:
                raise not_conforming(validation)

        clock = time.process_time()
        with stage(progress, "writing"):
            total = sum(d.triples for d in documents) + sum(
                sum(1 for _ in store.quads_for_pattern(None, None, None, sink.graph_name)) for sink in sinks)
            outputs = [out_dir / STORE_DIR, out_dir / "report.json", out_dir / "unregistered.csv"]
            exported = export_files(store, exports, out_dir)
            outputs += [path for path, _ in exported]
            report = report_json(documents, total, outputs, base_iri, failures)
            staging.write("report.json", report)
            staging.write("unregistered.csv", unregistered_csv(documents))
            for path, data in exported:
                staging.write(path.name, data)
            store.flush()
            store.optimize()
            # Closed before the switch (pyoxigraph closes a store when the last reference goes):
            # an open RocksDB goes on deleting and writing files in the background.
            sinks.clear()
            del store
            gc.collect()
            # The records of this build's documents: the reused ones carried over (hard links),
            # the new ones written above; a record no document needs any more is left behind.
            _carry_records(staging, [rid for path, rid in records.items() if rid in reuse])
            write_shared_state(staging.path, report, "not validated" if validation is None
                               else "conforms" if validation.conforms else "violations")
            staging.commit()
        timings["serialisation"] = timings.get("serialisation", 0.0) + time.process_time() - clock

    return BuildResult(None, documents, outputs, time.perf_counter() - started, validation, failures,
                       total_triples=total, skipped=len(reuse), timings=timings)


def _unchanged(plan: list[tuple[Path, str]], previous: dict[str, dict], out_dir: Path, base_iri: str,
               validate: bool, outcome: str, exports, started: float) -> BuildResult:
    """A rebuild in which no document changed, came or went: the store stays as it is; report.json
    and unregistered.csv are made again from the records (the same bytes, unless the previous
    build listed failures that are gone now), the exports from the store."""
    from kg.shacl.report import ValidationResult

    clock = time.process_time()
    documents = [from_record(previous[rid]) for _, rid in plan]
    _, warnings = editions_of([d.contribution for d in documents])
    add_edition_warnings(documents, warnings)
    total = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))["triples"]
    outputs = [out_dir / STORE_DIR, out_dir / "report.json", out_dir / "unregistered.csv"]
    with Generation(out_dir) as staging:
        exported = export_files(ox.Store.read_only(str(out_dir / STORE_DIR)), exports, out_dir) if exports else []
        outputs += [path for path, _ in exported]
        report = report_json(documents, total, outputs, base_iri)
        staging.write("report.json", report)
        staging.write("unregistered.csv", unregistered_csv(documents))
        for path, data in exported:
            staging.write(path.name, data)
        staging.carry(STORE_DIR)  # the store as it is (hard links: nothing is copied)
        _carry_records(staging, [rid for _, rid in plan])
        write_shared_state(staging.path, report, outcome)
        staging.commit()
    timings = {"serialisation": time.process_time() - clock}
    validation = ValidationResult(True, [], None) if validate else None
    return BuildResult(None, documents, outputs, time.perf_counter() - started, validation, [],
                       total_triples=total, skipped=len(documents), timings=timings)

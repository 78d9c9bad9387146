"""``kg build``: read reports, extract and link mentions, build the graph, write the outputs.

Data flows one way: text → :class:`~kg.reader.model.Document` → spaCy docs →
:class:`~kg.graph.linking.Mention` → triples → files. This package only orchestrates;
it does not print (the CLI passes a :class:`~kg.build.document.Progress` to show where
it is).

A document's graph is a pure function of its file (text and name), the
pipeline version and the base IRI (:mod:`kg.build.document`). What
documents share (the SDG concepts, places and registry entries they mention,
the programme relations over all their activities) is computed from each
document's contribution (:mod:`kg.build.shared`), so a corpus build
(:mod:`kg.build.corpus`) can build documents in parallel processes and skip the
unchanged ones. A few reports are built in memory (:func:`build_in_memory`).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from kg.build.corpus import build_corpus
from kg.build.document import Builder, DocumentResult, Failure, Progress, failure
from kg.build.output import Generation, OutputLock, sorted_nquads, turtle
from kg.build.result import (BuildResult, _first, export_files, not_conforming, report_json,
                             unregistered_csv)
from kg.build.shared import add_edition_warnings, add_shared_graphs
from kg.build.stages import stage
from kg.errors import InputError, KgError
from kg.graph.quads import TripleSink
from kg.namespaces import DEFAULT_BASE_IRI
from kg.reader.source import DEFAULT_MAX_BYTES
from kg.resources import default_report

INPUT_SUFFIXES = (".txt",)
# The stages of a build, as ``--timings`` reports them: CPU seconds (time.process_time, all
# threads of a process), summed over the documents and the processes; "store" is the loading
# of the document graphs into the on-disk store, "setup" the loading of the registries.
STAGES = ("setup", "read", "nlp", "link", "relations", "graph", "validation", "serialisation", "store")

OUTPUT_FILES = ("graph.nq", "graph.ttl", "report.json", "unregistered.csv")
# Up to this many documents (and one job) a build is made in memory unless told otherwise.
STORE_THRESHOLD = 10


def _is_input(name: str) -> bool:
    return Path(name).suffix in INPUT_SUFFIXES


def collect_inputs(paths: list[Path]) -> list[Path]:
    """The report files to build: the embedded default when none are given; folders expand to their
    ``*.txt`` (subfolders too; links to folders are not followed). A folder that cannot be read is a
    one-line error, not skipped; a ``*.txt`` that is not a regular file (a FIFO, a device) is kept,
    for the reader to refuse by name."""
    if not paths:
        return [default_report()]
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise InputError("no such file", path=path) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
        if stat.S_ISDIR(mode):
            found = _walk(path)
            if not found:
                raise InputError(f"no report files ({', '.join(INPUT_SUFFIXES)}) in this directory", path=path)
            files.extend(found)
        else:
            files.append(path)
    return files


def _walk(folder: Path) -> list[Path]:
    def unreadable(error: OSError) -> None:
        raise InputError(f"cannot read this folder: {error.strerror or error} (its reports would be left out)",
                         path=error.filename if error.filename is not None else folder)

    found = []
    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs.sort()
        found.extend(Path(root) / name for name in names if _is_input(name))
    return sorted(found)


def store_error(exc: OSError) -> str:
    """The reason in one of RocksDB's errors, which nest ("IO error: … While appending to file: PATH: File
    too large"): its last part, the operating system's words."""
    if exc.strerror:
        return exc.strerror
    return str(exc).rstrip().rsplit(": ", 1)[-1] or str(exc)


def build(paths: list[Path], out_dir: Path, base_iri: str = DEFAULT_BASE_IRI,
          progress: Progress | None = None, validate: bool = True, allow_invalid: bool = False,
          format: str = "auto", exports: Sequence[str] = (), store: bool | None = None, jobs: int = 1,
          force: bool = False, max_bytes: int = DEFAULT_MAX_BYTES) -> BuildResult:
    """Build ``paths`` into ``out_dir``.

    Up to ``STORE_THRESHOLD`` documents with one job (or ``store=False``) are built in
    memory and written as ``graph.nq``, ``graph.ttl``, ``report.json`` and
    ``unregistered.csv``; more, or ``jobs > 1`` (or ``store=True``), go through
    :func:`kg.build.corpus.build_corpus` into an on-disk store. A graph that does not conform to the shapes is not written unless
    ``allow_invalid`` (and is not checked at all without ``validate``). ``exports``
    names formats of :mod:`kg.exports` to write into ``out_dir`` too. A document
    that fails is left out and reported; if every document fails nothing is
    written and the first failure is raised. A report file larger than ``max_bytes``
    is refused.
    """
    out_dir = Path(out_dir)
    if not str(out_dir).strip():
        raise InputError("--out must name a directory", path="--out")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("is a file, not an output directory (--out)", path=out_dir)
    inputs = collect_inputs(paths)  # a missing file fails before the registries are loaded
    if store is None:
        store = len(inputs) > STORE_THRESHOLD or jobs > 1
    # One build at a time into one directory: a second is refused, not interleaved.
    with OutputLock(out_dir):
        if store:
            try:
                return build_corpus(inputs, out_dir, base_iri=base_iri, progress=progress, validate=validate,
                                    allow_invalid=allow_invalid, jobs=jobs, force=force, format=format,
                                    exports=exports, max_bytes=max_bytes)
            except OSError as exc:  # the store's (RocksDB's) own: a full disk, a file-size limit
                raise KgError(f"cannot write the store: {store_error(exc)}", path=out_dir) from None
        return build_in_memory(inputs, out_dir, base_iri, progress, validate, allow_invalid, format, exports,
                               max_bytes)


def build_in_memory(inputs: list[Path], out_dir: Path, base_iri: str = DEFAULT_BASE_IRI,
                    progress: Progress | None = None, validate: bool = True,
                    allow_invalid: bool = False, format: str = "auto", exports: Sequence[str] = (),
                    max_bytes: int = DEFAULT_MAX_BYTES) -> BuildResult:
    """Build a few documents in one process: the statements collected as rdflib terms
    (:class:`~kg.graph.quads.TripleSink`, one per named graph), written as sorted N-Quads,
    read into a pyoxigraph store and validated there; pyoxigraph writes the Turtle."""
    started = time.perf_counter()
    builder = Builder(base_iri, progress, format, max_bytes)
    graphs: dict[URIRef, TripleSink] = {}

    def graph_for(iri: URIRef) -> TripleSink:
        found = graphs.get(iri)
        if found is None:
            found = graphs[iri] = TripleSink(iri)
        return found

    documents: list[DocumentResult] = []
    failures: list[Failure] = []
    timings: dict[str, float] = {}
    def check_key(key: str, path: Path) -> None:
        earlier = next((d for d in documents if d.key == key), None)
        if earlier is not None:
            raise InputError(f"same document as {earlier.document.path} ({key})", path=path)

    for path in inputs:
        try:
            result = builder.build_document(path, graph_for, timings=timings, check_key=check_key)
        except KgError as exc:
            failures.append(failure(path, exc))
            if len(failures) == 1:
                first_error = exc
            continue
        documents.append(result)
    if failures:  # a build in memory (a few reports) is all or nothing; a corpus build leaves failures out
        if len(failures) == 1:
            raise first_error  # as it was raised (its own type, for --debug)
        raise _first(failures)
    with stage(progress, "shared graphs"):
        add_edition_warnings(documents, add_shared_graphs(builder, [d.contribution for d in documents], graph_for))

    clock = time.process_time()
    with stage(progress, "serialisation"):
        nquads = sorted_nquads(graphs.values())
        statements = sum(len(graph) for graph in graphs.values())
        store = ox.Store()
        store.load(nquads, format=ox.RdfFormat.N_QUADS)
    timings["serialisation"] = time.process_time() - clock
    validation = None
    if validate:
        from kg.shacl.shared import validate_store

        clock = time.process_time()
        with stage(progress, "validation"):
            validation = validate_store(store)
        timings["validation"] = time.process_time() - clock
        if not validation.conforms and not allow_invalid:
            raise not_conforming(validation)

    outputs = [out_dir / name for name in OUTPUT_FILES]
    clock = time.process_time()
    with stage(progress, "writing"):
        graph_ttl = turtle(nquads)
        exported = export_files(store, exports, out_dir)
        outputs += [path for path, _ in exported]
        # Everything is serialised into a new generation of the outputs and switched to in one
        # step, so a failure or an interruption, kill -9 included, leaves the previous outputs whole.
        with Generation(out_dir) as generation:
            generation.write("graph.nq", nquads)
            generation.write("graph.ttl", graph_ttl)
            generation.write("report.json", report_json(documents, statements, outputs, base_iri, failures))
            generation.write("unregistered.csv", unregistered_csv(documents))
            for path, data in exported:
                generation.write(path.name, data)
            generation.commit()
    timings["serialisation"] += time.process_time() - clock
    return BuildResult(None, documents, outputs, time.perf_counter() - started, validation, failures,
                       total_triples=statements, timings=timings)

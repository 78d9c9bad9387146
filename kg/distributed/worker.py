"""What runs on a Dask worker: the builder loaded once per worker process, and the task that
builds one document and puts its graph and record in the spool."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from distributed import WorkerPlugin

from kg.build.corpus import _init_worker, build_batch, to_record
from kg.build.document import Failure
from kg.distributed.spool import Spool
from kg.reader.select import read_document as select_reader
from kg.reader.source import Source
from kg.resources import pipeline_version

# A worker runs as many tasks at once as it has threads, all in one process: one builder (its
# spaCy pipelines and the registries) is shared by them, and is not made for threads. Workers
# should have one thread each (docs/scaling.md); with more, their tasks take turns here.
_BUILDING = threading.Lock()


class BuilderPlugin(WorkerPlugin):
    """Loads the registries and the linker once per worker process, when the worker starts
    (or joins later), not in its first task; the pipelines load on first use and stay."""

    name = "kg-builder"

    def __init__(self, base_iri: str, format: str, max_bytes: int):
        self.base_iri, self.format, self.max_bytes = base_iri, format, max_bytes

    def setup(self, worker) -> None:
        _init_worker(self.base_iri, self.format, self.max_bytes)


@dataclass
class Built:
    """A document built and put in the spool: what the client needs besides its graph."""

    rid: str
    record: dict
    violations: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)


def worker_version() -> str:
    """This worker's pipeline version (kg's code and data): a worker that differs from the client
    would build other graphs under the client's record ids."""
    return pipeline_version()


def build_to_spool(source: Source, rid: str, spool: Spool, base_iri: str, validate: bool, format: str,
                   max_bytes: int, version: str) -> Built | Failure:
    """Build the document read from ``source`` (its bytes as the client read them, under the
    client's path) and put its graph and record in ``spool`` under ``rid``."""
    if pipeline_version() != version:
        return Failure(source.path, f"{source.path}: the worker runs another kg (pipeline version "
                                    f"{pipeline_version()}, the client {version}): install the same kg on both")
    with _BUILDING:
        [result] = build_batch([source.path], base_iri, validate, format, max_bytes,
                               read=lambda path, format, max_bytes: select_reader(source, format))
    if isinstance(result, Failure):
        return result
    record = to_record(result, rid)
    validation = "not validated" if not validate else "violations" if result.violations else "conforms"
    try:
        spool.put(rid, result.nquads, record, validation)
    except Exception as exc:  # storage refused (credentials, space, a network error): this document fails
        return Failure(source.path, f"{source.path}: cannot write to the spool {spool.url}: "
                                    f"{type(exc).__name__}: {exc}".splitlines()[0])
    return Built(rid, record, result.violations, result.timings)

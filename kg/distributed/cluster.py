"""``kg build --dask ADDRESS``: the map on a Dask cluster, the reduce and the commit here.

The client reads each input (the same checks, and the same one-line failures, as a local
build), sends its text to a worker as one task per document, and each worker builds the
document with the builder its :class:`~kg.distributed.worker.BuilderPlugin` loaded, validates
it and puts its graph and record in the spool. The client reads them back, in input order,
and the local corpus build (:func:`kg.build.corpus.build_corpus`) does the rest exactly as on
one machine: the store, the shared graphs and their validation, ``report.json``, the records
in ``OUT/documents`` and the commit. So the output is the local build's, byte for byte.

Failures: a document that fails on a worker comes back as the same one-line failure as in a
local build and is left out; a worker that dies while building a document has the task run
again on another worker by the scheduler (up to its ``distributed.scheduler.allowed-failures``,
3 by default), then the document is reported as failed and left out. A scheduler that cannot
be reached, has no workers, or whose workers run another kg or cannot use the spool is one
error before anything is built; a scheduler lost during the build stops it with one error,
and the output directory stays as it was (the spool keeps the documents already built, so the
next build resumes).
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import CancelledError
from pathlib import Path

from kg.build.output import OutputLock
from kg.build.corpus import build_corpus, from_record, record_id
from kg.build.document import Failure, Progress, failure
from kg.build.result import BuildResult
from kg.build.run import collect_inputs
from kg.distributed.spool import Spool
from kg.distributed.worker import BuilderPlugin, Built, build_to_spool, worker_version
from kg.errors import InputError, KgError
from kg.namespaces import DEFAULT_BASE_IRI
from kg.reader.source import DEFAULT_MAX_BYTES, Source, read_source
from kg.resources import pipeline_version

SPOOL_DIR = "dask-spool"  # the default spool, inside OUT: for workers that share the client's file system


def default_spool(out_dir: Path) -> str:
    return (Path(out_dir).resolve() / SPOOL_DIR).as_uri()


def connect(address: str):
    """A client of the scheduler at ``address``; waits as long as dask's
    ``distributed.comm.timeouts.connect`` (30 s unless configured, e.g. by
    ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``)."""
    from distributed import Client

    # Connection trouble is kg's one error line below; distributed's own log lines would repeat it.
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    try:
        return Client(address, set_as_default=False)
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise KgError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


def check_workers(client, address: str, spool: Spool) -> None:
    """Refuse a cluster that would build nothing or the wrong thing: no workers, workers
    running another kg (or none), workers that cannot write to the spool the client reads."""
    from distributed import TimeoutError as DaskTimeout

    import dask

    try:
        client.wait_for_workers(1, timeout=dask.config.get("distributed.comm.timeouts.connect"))
    except (DaskTimeout, TimeoutError):
        raise KgError(f"the Dask scheduler at {address} has no workers") from None
    versions = client.run(worker_version, on_error="return")
    ours = pipeline_version()
    for worker, version in sorted(versions.items()):
        if isinstance(version, BaseException):
            raise KgError(f"cannot run kg on the Dask worker {worker}: {type(version).__name__}: "
                          f"{version}".splitlines()[0])
        if version != ours:
            raise KgError(f"the Dask worker {worker} runs another kg (pipeline version {version}, "
                          f"this one {ours}): install the same kg on the workers")
    # Each worker writes a probe into the spool and the client reads it back: a spool on a disk
    # only the client sees (the default, OUT/dask-spool, on a cluster of other machines) fails here.
    probe = f"probe-{uuid.uuid4().hex}"
    written = client.run(_write_probe, spool, probe, on_error="return")
    try:
        for worker, outcome in sorted(written.items()):
            try:
                if isinstance(outcome, BaseException):
                    raise outcome
                if spool.fs.cat_file(outcome) != worker.encode("utf-8"):
                    raise ValueError("the client read other bytes than the worker wrote")
            except Exception as exc:
                raise KgError(f"the Dask worker {worker} and this client do not share the spool {spool.url} "
                              f"({type(exc).__name__}: {exc}); give --spool storage both reach "
                              f"(s3://…, gcs://…, a shared file system)".splitlines()[0]) from None
    finally:
        for path in written.values():
            if isinstance(path, str):
                try:
                    spool.fs.rm_file(path)
                except Exception:
                    pass


def _write_probe(spool: Spool, probe: str, dask_worker=None) -> str:
    path = f"{spool.root}/{probe}-{uuid.uuid4().hex}"
    spool.write(path, dask_worker.address.encode("utf-8"))
    return path


class DaskMap:
    """The map step of :func:`~kg.build.corpus.build_corpus` on a Dask cluster (its
    ``map_documents``): one task per document, the results read back from the spool in input
    order; documents whose record the spool already has (same id, validated as this build
    needs) are not built again."""

    def __init__(self, client, address: str, spool: Spool, force: bool = False, allow_invalid: bool = False):
        self.client, self.address, self.spool = client, address, spool
        self.force, self.allow_invalid = force, allow_invalid
        self.built = self.reused = 0  # documents built by the workers, taken from the spool

    def usable(self, record: dict, validate: bool) -> bool:
        return (record.get("pipeline_version") == pipeline_version()
                and (not validate or record.get("validation") == "conforms"
                     or (self.allow_invalid and record.get("validation") == "violations")))

    def __call__(self, todo: list[Path], base_iri: str, validate: bool, format: str, max_bytes: int,
                 meanwhile=lambda: None):
        sources: dict[Path, Source | Failure] = {}
        rids: dict[Path, str] = {}
        for path in todo:
            try:
                source = sources[path] = read_source(path, max_bytes)
            except Exception as exc:  # read here as a local build reads it: the same one-line failures
                sources[path] = failure(path, exc)
                continue
            rids[path] = record_id(source.sha256, Path(path).name, base_iri)
        cached = {} if self.force else {rid: record for rid, record in self.spool.records(sorted(set(rids.values()))).items()
                                        if self.usable(record, validate)}
        version = pipeline_version()

        options = dict(spool=self.spool, base_iri=base_iri, validate=validate, format=format, max_bytes=max_bytes,
                       version=version, pure=False)

        def submit(paths: list[Path]) -> list:
            # Sent together, under one key prefix: the scheduler sees one group of tasks larger than
            # the cluster and queues them, handing a worker a task as it frees a thread, rather than
            # all at once (a worker that dies takes the tasks it holds with it: docs/scaling.md).
            return self.client.map(build_to_spool, [sources[path] for path in paths], [rids[path] for path in paths],
                                   key=[f"kg-build-{uuid.uuid4().hex}" for _ in paths], **options)

        # By position: a file given twice is built twice, and refused the second time, as locally.
        sent = [n for n, path in enumerate(todo) if path in rids and rids[path] not in cached]
        futures = dict(zip(sent, submit([todo[n] for n in sent])))
        meanwhile()
        for n, path in enumerate(todo):
            source = sources[path]
            if isinstance(source, Failure):
                yield source
                continue
            rid = rids[path]
            if rid in cached:
                try:
                    nquads = self.spool.graph(rid)
                except FileNotFoundError:  # the record outlived its graph (a pruned spool): build it again
                    [futures[n]] = submit([path])
                else:
                    self.reused += 1
                    yield self._result(cached[rid], nquads, [], {})
                    continue
            outcome = self._outcome(futures.pop(n), path, len(futures))
            if isinstance(outcome, Failure):
                yield outcome
                continue
            try:
                nquads = self.spool.graph(rid)
            except Exception as exc:
                yield Failure(Path(path), f"{path}: cannot read its graph from the spool {self.spool.url}: "
                                          f"{type(exc).__name__}: {exc}".splitlines()[0])
                continue
            self.built += 1
            yield self._result(outcome.record, nquads, outcome.violations, outcome.timings)

    @staticmethod
    def _result(record: dict, nquads: bytes, violations: list, timings: dict):
        result = from_record({key: value for key, value in record.items() if key != "validation"})
        result.nquads, result.violations, result.timings = nquads, violations, timings
        return result

    def _outcome(self, future, path: Path, pending: int) -> Built | Failure:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker as exc:
            times = exc.allowed_failures + 1
            return Failure(Path(path), f"{path}: the Dask worker building it died, {times} time{'s' * (times > 1)} "
                                       f"(out of memory, killed, or a crash in native code; see the workers' logs)")
        except CancelledError:
            raise KgError(f"lost the Dask scheduler at {self.address} during the build ({pending + 1} document(s) "
                          f"not built): nothing was written; the spool keeps the documents built, "
                          f"so building again resumes") from None
        except Exception as exc:  # the task itself failed (not the document): one line, this document
            return failure(path, exc)
        finally:
            future.release()


def build_on_dask(paths: list[Path], out_dir: Path, address: str, spool: str | None = None,
                  base_iri: str = DEFAULT_BASE_IRI, progress: Progress | None = None, validate: bool = True,
                  allow_invalid: bool = False, force: bool = False, format: str = "auto", exports=(),
                  max_bytes: int = DEFAULT_MAX_BYTES) -> BuildResult:
    """Build ``paths`` into ``out_dir`` (a store build: ``OUT/store``, ``report.json``,
    ``unregistered.csv``, ``OUT/documents``) with the per-document work on the Dask cluster
    whose scheduler is at ``address``; ``spool``, an fsspec URL, is where the workers put each
    document's graph and record (default: ``OUT/dask-spool``, for workers on this machine's
    file system)."""
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise InputError("is a file, not an output directory (--out)", path=out_dir)
    inputs = collect_inputs(paths)
    spool = Spool(spool or default_spool(out_dir))
    client = connect(address)
    try:
        check_workers(client, address, spool)
        client.register_plugin(BuilderPlugin(base_iri, format, max_bytes))
        mapper = DaskMap(client, address, spool, force=force, allow_invalid=allow_invalid)
        # As a local build: the output directory made if need be, one build at a time into it.
        with OutputLock(Path(out_dir)):
            return build_corpus(inputs, Path(out_dir), base_iri=base_iri, progress=progress, validate=validate,
                                allow_invalid=allow_invalid, force=force, format=format, exports=exports,
                                max_bytes=max_bytes, map_documents=mapper)
    finally:
        client.close()

"""kg build --dask: the per-document work on a real dask.distributed cluster (a scheduler and two
worker processes on loopback), the output the local build's byte for byte; workers killed
mid-build; the spool as the cache; failures in one line (docs/scaling.md, "Beyond one machine")."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

distributed = pytest.importorskip("distributed", reason="kg build --dask needs dask.distributed: "
                                  "pip install -e '.[dask]' (the [test] extra includes it)")
pytest.importorskip("fsspec", reason="kg build --dask needs fsspec: pip install -e '.[dask]'")

from distributed import Client, LocalCluster, WorkerPlugin  # noqa: E402

from kg.build.run import build  # noqa: E402
from kg.distributed import build_on_dask  # noqa: E402
from kg.distributed.spool import Spool  # noqa: E402
from kg.errors import KgError  # noqa: E402
from conftest import MULTILINGUAL, write_report  # noqa: E402
from test_corpus import dump, snapshot  # noqa: E402

MARKER = "hk-wipo-lex-judgments-2025-09-01-zh-hant.txt"  # the document whose worker is killed


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster, set_as_default=False) as client:
        yield client


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The local store build of the multilingual test corpus, with its N-Quads exported."""
    out = tmp_path_factory.mktemp("local")
    build([MULTILINGUAL], out, store=True, exports=["nq"])
    return out


def same_output(out: Path, local: Path) -> None:
    """Everything a store build writes, byte for byte (the store by its sorted dump)."""
    assert dump(out) == dump(local)
    for name in ("report.json", "unregistered.csv", "dataset.nq"):
        assert (out / name).read_bytes() == (local / name).read_bytes(), name
    assert snapshot(out / "documents") == snapshot(local / "documents")


def kg(*args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True, env={**os.environ, **env})


class KillWorker(WorkerPlugin):
    """Makes the worker process exit (as a crash or the OOM killer would) when it starts building
    ``marker``: every time, or (with ``flag``) only the first time on the cluster."""

    name = "kg-test-kill-worker"

    def __init__(self, marker: str, flag: str | None = None):
        self.marker, self.flag = marker, flag

    def setup(self, worker) -> None:
        import kg.build.corpus as corpus

        self.original = original = corpus.build_one
        marker, flag = self.marker, self.flag

        def build_one(builder, path, *args, **kwargs):
            if Path(path).name == marker:
                if flag is None:
                    os._exit(1)
                try:
                    os.close(os.open(flag, os.O_CREAT | os.O_EXCL))  # only one worker, once, wins
                    os._exit(1)
                except FileExistsError:
                    pass
            return original(builder, path, *args, **kwargs)

        corpus.build_one = build_one

    def teardown(self, worker) -> None:
        import kg.build.corpus as corpus

        corpus.build_one = self.original


def test_the_multilingual_corpus_built_on_the_cluster_equals_the_local_build_byte_for_byte(cluster, local,
                                                                                            tmp_path):
    out = tmp_path / "out"
    result = build_on_dask([MULTILINGUAL], out, cluster.scheduler_address, exports=["nq"])
    assert not result.failures and len(result.documents) == 5 and result.validation.conforms
    same_output(out, local)
    # Each document's graph went through the spool: its lines are exactly its graph in the store.
    graphs = sorted((out / "dask-spool" / "graphs").glob("*.nq"))
    records = sorted((out / "dask-spool" / "records").glob("*.json"))
    assert [p.stem for p in graphs] == [p.stem for p in records] == sorted(p.stem for p in (out / "documents").glob("*.json"))
    for path in graphs:
        record = json.loads((out / "dask-spool" / "records" / f"{path.stem}.json").read_text())
        lines = [line for line in dump(out).splitlines() if line.endswith(f"<{record['graph']}> .".encode())]
        spooled = ox.Store()
        spooled.load(path.read_bytes(), format=ox.RdfFormat.N_QUADS)  # (read as the store reads it)
        assert sorted(spooled.dump(format=ox.RdfFormat.N_QUADS).splitlines()) == lines
        assert record["validation"] == "conforms"
    assert not list((out / "dask-spool").rglob("*.tmp"))


def test_a_second_build_takes_the_documents_from_the_spool_and_force_rebuilds_the_same_bytes(cluster, local,
                                                                                            tmp_path):
    spool = (tmp_path / "spool").as_uri()
    build_on_dask([MULTILINGUAL], tmp_path / "first", cluster.scheduler_address, spool, exports=["nq"])
    files = sorted((tmp_path / "spool").rglob("*.*"))
    written = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    assert len(files) == 10

    # Another output directory, the same spool: nothing is built again, nothing rewritten.
    build_on_dask([MULTILINGUAL], tmp_path / "second", cluster.scheduler_address, spool, exports=["nq"])
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted((tmp_path / "spool").rglob("*.*"))} == written
    same_output(tmp_path / "second", local)

    # --force builds every document again: each spooled file replaced whole, with the same bytes.
    build_on_dask([MULTILINGUAL], tmp_path / "third", cluster.scheduler_address, spool, force=True, exports=["nq"])
    again = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted((tmp_path / "spool").rglob("*.*"))}
    assert again.keys() == written.keys()
    assert all(again[p][0] != written[p][0] and again[p][1] == written[p][1] for p in written)
    same_output(tmp_path / "third", local)


def test_a_worker_killed_mid_build_has_its_document_built_again(cluster, client, local,
                                                                                  tmp_path):
    """Dask reschedules the task of a worker that died (distributed.scheduler.allowed-failures, 3):
    the document is built again elsewhere and its spooled output replaced whole, so the build
    succeeds with the local build's bytes."""
    flag = tmp_path / "killed"
    client.register_plugin(KillWorker(MARKER, str(flag)))
    try:
        result = build_on_dask([MULTILINGUAL], tmp_path / "out", cluster.scheduler_address, exports=["nq"])
    finally:
        client.unregister_worker_plugin(KillWorker.name)
    assert flag.exists()  # a worker did die building it
    assert not result.failures
    same_output(tmp_path / "out", local)


def test_a_document_whose_worker_dies_every_time_is_named_and_left_out(cluster, client, local, tmp_path):
    """Past the allowed failures (0 here, to keep the test short) the document is reported as
    failed, in one line, and left out; the others are built and written; the exit status is 2.
    A worker's death counts against every task the scheduler had given it, so each worker is
    given only the task it runs (worker-saturation 1.0, as docs/scaling.md advises)."""
    out = tmp_path / "out"
    client.register_plugin(KillWorker(MARKER))
    scheduler = cluster.scheduler
    allowed, saturation = scheduler.allowed_failures, scheduler.WORKER_SATURATION
    scheduler.allowed_failures, scheduler.WORKER_SATURATION = 0, 1.0
    try:
        run = kg("build", str(MULTILINGUAL), "--dask", cluster.scheduler_address, "--out", str(out), "-q")
    finally:
        scheduler.allowed_failures, scheduler.WORKER_SATURATION = allowed, saturation
        client.unregister_worker_plugin(KillWorker.name)
    assert run.returncode == 2, run.stderr
    assert run.stderr == (f"kg: error: {MULTILINGUAL / MARKER}: the Dask worker building it died, 1 time (out of "
                          f"memory, killed, or a crash in native code; see the workers' logs)\n")
    report = json.loads((out / "report.json").read_text())
    assert [d["file"] for d in report["documents"]] == sorted(p.name for p in MULTILINGUAL.iterdir()
                                                               if p.name != MARKER)
    assert [f["file"] for f in report["failed"]] == [MARKER]
    kept = json.loads((local / "report.json").read_text())["documents"]
    assert report["documents"] == [d for d in kept if d["file"] != MARKER]


def test_a_failing_document_fails_as_in_a_local_build(cluster, tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(MULTILINGUAL, inputs)
    # Read on the worker (the reader finds the gap), and on the client (an empty file).
    write_report(inputs, ["1. 第一段。", "2. 第二段。", "4. 第四段。"], name="gap.txt")
    (inputs / "empty.txt").write_bytes(b"")
    # And a file given twice: built twice, refused the second time (as in a local build).
    again = inputs / "wipo-academy-news-2022-11-03-en.txt"
    local = build([inputs, again], tmp_path / "local", store=True)
    distributed = build_on_dask([inputs, again], tmp_path / "dask", cluster.scheduler_address)
    assert [str(f) for f in distributed.failures] == [str(f) for f in local.failures]
    assert [str(f) for f in local.failures] == [f"{inputs / 'empty.txt'}: empty file",
                                                f"{inputs / 'gap.txt'}:13: paragraph 3 is missing (paragraph 4 "
                                                f"follows paragraph 2)",
                                                f"{again}: same document as {again} (wipo-academy-news-2022-11-03-en)"]
    assert dump(tmp_path / "dask") == dump(tmp_path / "local")
    assert (tmp_path / "dask" / "report.json").read_bytes() == (tmp_path / "local" / "report.json").read_bytes()


def test_an_unreachable_scheduler_is_one_line_and_changes_nothing(local, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(local, out)
    before = snapshot(out)
    run = kg("build", str(MULTILINGUAL), "--dask", "tcp://127.0.0.1:9", "--out", str(out),
             DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="1s")
    assert run.returncode == 2
    assert run.stderr.startswith("kg: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9: ")
    assert len(run.stderr.splitlines()) == 1 and "Traceback" not in run.stderr
    assert snapshot(out) == before


def test_a_spool_the_workers_do_not_share_is_refused_before_building(cluster, tmp_path):
    # memory:// is each process's own memory: what a worker writes there, the client cannot read
    # (as a local directory on a cluster of other machines).
    with pytest.raises(KgError, match=r"the Dask worker tcp://\S+ and this client do not share the spool memory://"):
        build_on_dask([MULTILINGUAL], tmp_path / "out", cluster.scheduler_address, "memory://kg-spool")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_spool_replaces_a_file_whole_and_leaves_no_temporary_file(tmp_path):
    spool = Spool((tmp_path / "spool").as_uri())
    spool.put("abc", b"<a> <b> <c> <g> .\n", {"id": "abc"}, "conforms")
    spool.put("abc", b"<a> <b> <d> <g> .\n", {"id": "abc"}, "conforms")
    assert spool.graph("abc") == b"<a> <b> <d> <g> .\n"
    assert spool.records(["abc", "missing"]) == {"abc": {"id": "abc", "validation": "conforms"}}
    assert sorted(p.name for p in (tmp_path / "spool").rglob("*") if p.is_file()) == ["abc.json", "abc.nq"]

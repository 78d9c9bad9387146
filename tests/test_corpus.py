"""Corpus builds: many documents into an on-disk store, in parallel, skipping the unchanged ones;
failures left out and reported; validation by partition; nothing lost when a build is stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build.run import build
from kg.graph.quads import from_ox
from kg.shacl.engines import validate_graph
from kg.shacl.shared import validate_store
from kg.store.open import open_store
from conftest import ROOT, write_report

BASE = "https://w3id.org/sdg-kg/id/"
PARAGRAPHS = ["1. 产权组织与加勒比可持续发展研究协会（CSDRA）在巴巴多斯合作，促进实现具体目标 4.4。",
              "2. WIPO GREEN 在智利与联合国粮食及农业组织（粮农组织）合作，支持具体目标 7.2 和 13.3。"]


def header(n: int) -> str:
    return f"CDIP/99/{n} \n\n原文：英文 \n\n日期：2025 年 1 月 2 日 \n\n测试报告 \n\n"


def corpus(directory: Path, count: int = 3) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        write_report(directory, PARAGRAPHS + [f"3. 第 {n} 份报告。"], name=f"r{n}.txt", header=header(n))
    return directory


def dump(source: Path) -> bytes:
    """Every statement of a build's output, as sorted N-Quads."""
    data = open_store(source).dump(format=ox.RdfFormat.N_QUADS)
    lines = sorted({line for line in data.split(b"\n") if line})
    return b"\n".join(lines) + b"\n"


def graphs(source: Path) -> list[str]:
    return sorted(g.value.rsplit("/", 1)[-1] for g in open_store(source).named_graphs())


def kg(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True, **kwargs)


def snapshot(directory: Path) -> dict[str, bytes]:
    """What a reader of a build's output folder sees: every file under its top-level names (kg's
    outputs are links into the current generation: followed), kg's own ``.kg`` folder left out."""
    found = {}
    for top in sorted(directory.iterdir()):
        if top.name == ".kg":
            continue
        if top.is_dir():
            real = top.resolve()
            for path in sorted(real.rglob("*")):
                if path.is_file():
                    found[f"{top.name}/{path.relative_to(real)}"] = path.read_bytes()
        elif top.is_file():
            found[top.name] = top.read_bytes()
    return found


def store_files(out: Path) -> dict[str, int]:
    """The files of the store a reader of ``out`` sees, by inode: a build that keeps the store carries
    them into its new generation as hard links (the same inodes); one that rewrites it makes new files."""
    store = (out / "store").resolve()
    return {str(p.relative_to(store)): p.stat().st_ino for p in sorted(store.rglob("*")) if p.is_file()}


def staged(out: Path) -> list[Path]:
    """The records a build has written into its new generation (not yet switched to)."""
    link = out / ".kg" / "current"
    current = link.resolve() if link.is_symlink() else None
    return [p for p in out.glob(".kg/gen-*/documents/*.json") if p.parent.parent.resolve() != current]


def leftovers(out: Path) -> list[str]:
    """What kg keeps in ``.kg`` beyond the current generation and the link to it (nothing, after a build)."""
    link = out / ".kg" / "current"
    current = link.resolve() if link.is_symlink() else None
    return sorted(p.name for p in (out / ".kg").iterdir() if p.name != "current" and p.resolve() != current) \
        if (out / ".kg").is_dir() else []


def test_a_store_build_holds_the_same_statements_as_a_memory_build(tmp_path):
    inputs = corpus(tmp_path / "in")
    stored = build([inputs], tmp_path / "store", store=True)
    memory = build([inputs], tmp_path / "memory", store=False)
    assert sorted(p.name for p in (tmp_path / "store").iterdir() if p.name != ".kg") == [
        "documents", "report.json", "store", "unregistered.csv"]
    assert graphs(tmp_path / "store") == ["cdip-99-1-zh", "cdip-99-2-zh", "cdip-99-3-zh", "geo", "registry",
                                          "relations", "sdg-kos"]
    # (through pyoxigraph both: it writes language tags in lower case, zh-hans, where rdflib keeps zh-Hans)
    assert dump(tmp_path / "store") == dump(tmp_path / "memory")
    assert len(dump(tmp_path / "store").splitlines()) == len((tmp_path / "memory" / "graph.nq").read_bytes().splitlines())
    assert stored.triples == memory.triples == len(open_store(tmp_path / "store"))
    report = json.loads((tmp_path / "store" / "report.json").read_text())
    assert report["documents"] == json.loads((tmp_path / "memory" / "report.json").read_text())["documents"]
    assert report["outputs"] == ["store", "report.json", "unregistered.csv"]
    assert stored.validation.conforms and memory.validation.conforms
    # A memory build into the same directory replaces the store: no stale output stays behind.
    build([inputs], tmp_path / "store", store=False)
    assert not (tmp_path / "store" / "store").exists() and (tmp_path / "store" / "graph.nq").is_file()


def test_a_rebuild_skips_unchanged_documents_and_rebuilds_changed_ones(tmp_path):
    inputs = corpus(tmp_path / "in")
    out = tmp_path / "out"
    first = build([inputs], out, store=True)
    assert (first.skipped, len(first.documents)) == (0, 3)
    before = dump(out)
    report, store = (out / "report.json").read_bytes(), store_files(out)

    # Nothing changed: the store (and its shared graphs' validation) is kept as it is.
    again = build([inputs], out, store=True)
    assert again.skipped == 3 and dump(out) == before and again.validation.conforms
    assert store_files(out) == store and (out / "report.json").read_bytes() == report
    assert again.triples == first.triples
    # Unless the previous build's validation is not known to describe it: then all is redone.
    (out / "documents" / "shared.state").unlink()
    assert build([inputs], out, store=True).skipped == 3 and store_files(out) != store
    assert dump(out) == before and (out / "report.json").read_bytes() == report

    changed = inputs / "r2.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("第 2 份报告", "第二份报告"), encoding="utf-8")
    third = build([inputs], out, store=True)
    assert third.skipped == 2
    text = dump(out).decode("utf-8")
    assert "第二份报告" in text and "第 2 份报告" not in text and "第 3 份报告" in text
    assert text.count(f"<{BASE}graph/cdip-99-2-zh> .") == before.decode().count(f"<{BASE}graph/cdip-99-2-zh> .")

    (inputs / "r3.txt").unlink()
    fourth = build([inputs], out, store=True)
    assert fourth.skipped == 2
    assert graphs(out) == ["cdip-99-1-zh", "cdip-99-2-zh", "geo", "registry", "relations", "sdg-kos"]
    assert len(list((out / "documents").glob("*.json"))) == 2  # the third's record went with it

    assert build([inputs], out, store=True, force=True).skipped == 0
    assert dump(out) == dump(out)  # (the store opens read-only, again and again)


def test_a_new_registry_row_rebuilds_every_document(tmp_path):
    """The pipeline version is derived from kg's code and data: an unchanged text is rebuilt
    (and its organisation linked) once the registry names what it found unregistered."""
    import csv
    import shutil

    from kg.resources import shipped

    inputs, out = corpus(tmp_path / "in", 2), tmp_path / "out"
    assert kg("build", str(inputs), "--out", str(out), "--store", "--quiet").returncode == 0
    unregistered = list(csv.DictReader((out / "unregistered.csv").open(encoding="utf-8")))
    assert sorted((r["name"], r["document"]) for r in unregistered) == [("加勒比可持续发展研究协会", f"r{n}.txt")
                                                                        for n in (1, 2)]
    env = {**os.environ, "KG_DATA": str(tmp_path / "data")}
    shutil.copytree(shipped("data"), tmp_path / "data")
    registry = tmp_path / "data" / "registry" / "organisations.csv"
    fields = next(csv.reader(registry.open(encoding="utf-8")))
    with registry.open("a", encoding="utf-8", newline="") as stream:
        row = dict.fromkeys(fields, "") | dict(id="csdra", kind="research", acronym="CSDRA", country="BRB",
                                               name_en="Caribbean Sustainable Development Research Association",
                                               name_zh="加勒比可持续发展研究协会", source="a test")
        csv.DictWriter(stream, fieldnames=fields, lineterminator="\n").writerow(row)
    again = kg("build", str(inputs), "--out", str(out), "--store", "--quiet", env=env)
    assert again.returncode == 0, again.stderr
    assert list(csv.DictReader((out / "unregistered.csv").open(encoding="utf-8"))) == []
    linked = {q.graph_name.value.rsplit("/", 1)[-1] for q in open_store(out).quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/sdg-kg/ontology#mentionsOrganisation"), ox.NamedNode(BASE + "org/csdra"))}
    assert linked == {"cdip-99-1-zh", "cdip-99-2-zh"}


def test_two_jobs_build_what_one_builds(tmp_path):
    inputs = corpus(tmp_path / "in", 4)
    build([inputs], tmp_path / "one", store=True, jobs=1)
    build([inputs], tmp_path / "two", store=True, jobs=2)
    assert dump(tmp_path / "one") == dump(tmp_path / "two")
    assert (tmp_path / "one" / "report.json").read_bytes() == (tmp_path / "two" / "report.json").read_bytes()


def test_timings_give_each_stage_and_the_cpu_of_the_build_and_its_workers(tmp_path):
    inputs = corpus(tmp_path / "in", 4)
    done = kg("build", str(inputs), "--out", str(tmp_path / "out"), "--jobs", "2", "--quiet",
              "--timings", str(tmp_path / "timings.json"))
    assert done.returncode == 0, done.stderr
    timings = json.loads((tmp_path / "timings.json").read_text())
    assert timings["documents"] == 4 and timings["skipped"] == 0
    assert {"read", "nlp", "link", "graph", "validation", "serialisation", "store"} <= set(timings["stages"])
    processes = timings["processes"]
    # The workers did the documents' work, the build process the store and the shared graphs.
    assert processes["workers"]["user"] > timings["stages"]["nlp"] > 0
    assert processes["build"]["user"] > timings["stages"]["store"] > 0


def test_a_failed_document_is_reported_and_the_others_are_built(tmp_path):
    inputs = corpus(tmp_path / "in", 2)
    bad = write_report(inputs, ["1. 第一段。", "3. 第三段。"], name="bad.txt", header=header(7))
    twin = write_report(inputs, PARAGRAPHS, name="twin.txt", header=header(1))  # the same symbol as r1.txt
    result = kg("build", str(inputs), "--out", str(tmp_path / "out"), "--quiet", "--store")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("kg: error:")]
    assert errors == [f"kg: error: {bad}:11: paragraph 2 is missing (paragraph 3 follows paragraph 1)",
                      f"kg: error: {twin}: same document as {inputs / 'r1.txt'} (cdip-99-1-zh)"]
    assert "Traceback" not in result.stderr
    assert graphs(tmp_path / "out") == ["cdip-99-1-zh", "cdip-99-2-zh", "geo", "registry", "relations", "sdg-kos"]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [f["file"] for f in report["failed"]] == ["bad.txt", "twin.txt"]
    assert kg("validate", str(tmp_path / "out")).returncode == 0


def test_kg_validate_reads_a_store(tmp_path):
    out = tmp_path / "out"
    build([corpus(tmp_path / "in", 2)], out, store=True)
    result = kg("validate", str(out))
    assert (result.returncode, result.stdout.strip()) == (0, "Conforms: the graph satisfies every shape.")


# Each breaks one shape, in a different partition: within a document graph (a SPARQL-based
# check and a core one), across graphs (a link to a place the geo graph no longer types as a
# country), and within the shared graphs (a place's code, a relation's weight).
BREAKS = {
    "UniqueParagraphNumberShape": f"""DELETE {{ GRAPH ?g {{ <{BASE}doc/cdip-32-3-zh/p/2> kgo:number 2 }} }}
        INSERT {{ GRAPH ?g {{ <{BASE}doc/cdip-32-3-zh/p/2> kgo:number 1 }} }}
        WHERE {{ GRAPH ?g {{ <{BASE}doc/cdip-32-3-zh/p/2> kgo:number 2 }} }}""",
    "MentionShape": f"""DELETE {{ GRAPH ?g {{ ?m kgo:surface ?s }} }} WHERE {{ GRAPH ?g {{ ?m kgo:surface ?s }}
        FILTER (STRSTARTS(STR(?m), "{BASE}doc/cdip-32-3-zh/p/53/m/")) }}""",
    "LinkShape": """DELETE { GRAPH ?g { geo:152 a kgo:Country } } WHERE { GRAPH ?g { geo:152 a kgo:Country } }""",
    "PlaceShape": """DELETE { GRAPH ?g { geo:005 kgo:m49Code ?c } } WHERE { GRAPH ?g { geo:005 kgo:m49Code ?c } }""",
    "RelationWeightShape": """DELETE { GRAPH ?g { ?r kgo:weight ?w } } INSERT { GRAPH ?g { ?r kgo:weight 999 } }
        WHERE { { SELECT ?r WHERE { GRAPH ?h { ?r a kgo:Relation } } ORDER BY ?r LIMIT 1 }
                GRAPH ?g { ?r kgo:weight ?w } }""",
}
PREFIXES = ("PREFIX kgo: <https://w3id.org/sdg-kg/ontology#>\n"
            "PREFIX geo: <http://metadata.un.org/sdg/codes/geoArea/>\n")


def _found(result) -> set[tuple[str, str]]:
    return {(v.shape, v.focus) for v in result.violations}


def test_validation_by_partition_finds_what_validating_the_union_finds(built, monkeypatch):
    store = open_store(built[1])
    assert validate_store(store).conforms
    broken = ox.Store()
    broken.extend(store)
    for update in BREAKS.values():
        before = set(broken)
        broken.update(PREFIXES + update)
        assert set(broken) != before, update
    by_partition = validate_store(broken)
    union = validate_graph(_union(broken))
    assert not by_partition.conforms and not union.conforms
    assert _found(by_partition) == _found(union)
    assert {shape for shape, _ in _found(union)} == set(BREAKS) | {"OrganisationShape"}  # (a Chilean organisation)
    assert ("PlaceShape", "geo:005") in _found(by_partition)
    # Nodes with many values on one predicate (none in kg's graphs; other data may have them) are
    # checked apart, by pySHACL: with every node that has two values on one predicate set apart,
    # the same findings.
    assert _found(validate_store(broken, fanout=1)) == _found(union)
    # A large corpus's shared graphs go through in pieces: in pieces of about 1,000 statements
    # (one per 1,000 of the shared graphs' statements, give or take the last), the same findings.
    import kg.shacl.shared

    pieces = []
    partition = kg.shacl.shared.validate_partition
    monkeypatch.setattr(kg.shacl.shared, "validate_partition", lambda *a, **k: pieces.append(1) or partition(*a, **k))
    assert _found(kg.shacl.shared.validate_shared(broken, kg.shacl.shared.document_graphs(broken), piece=1000)) \
        == {found for found in _found(union) if not found[1].startswith("<https://w3id.org/sdg-kg/id/doc/")}
    documents = set(kg.shacl.shared.document_graphs(broken))
    shared = sum(1 for q in broken if q.graph_name not in documents)
    assert len(pieces) > 1 and len(pieces) <= shared // 500, (shared, len(pieces))


def _union(store: ox.Store):
    from rdflib import Graph

    graph = Graph()
    for quad in store:
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph


# ---------------------------------------------------------------------------
# Nothing lost, nothing half-written (issue 8)
# ---------------------------------------------------------------------------

def _stop_midway(command: list[str], out: Path, how: signal.Signals) -> subprocess.CompletedProcess:
    """Start ``command`` and send it ``how`` once it has built a document into its staging area."""
    process = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", *command],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        found = staged(out)
        if found:
            process.send_signal(how)
            break
        time.sleep(0.05)
    stdout, stderr = process.communicate(timeout=240)
    assert found, "the build finished (or never started) before it could be stopped"
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _big_corpus(directory: Path, count: int) -> Path:
    """Copies of the real report (slow enough to stop midway), each with its own symbol."""
    text = (ROOT / "data" / "corpus" / "CDIP_32_3_zh.txt").read_text(encoding="utf-8")
    directory.mkdir()
    for n in range(count):
        (directory / f"copy{n}.txt").write_text(text.replace("CDIP/32/3", f"CDIP/98/{n + 1}", 1),
                                                encoding="utf-8")
    return directory


def test_a_build_stopped_midway_leaves_the_earlier_outputs_byte_for_byte(tmp_path):
    out = tmp_path / "out"
    small = corpus(tmp_path / "in", 2)
    big = _big_corpus(tmp_path / "big", 2)

    # Ctrl-C (SIGINT) during a store build over a memory build's outputs.
    build([small / "r1.txt"], out, store=False)
    before = snapshot(out)
    stopped = _stop_midway(["build", str(small), str(big), "--out", str(out), "--store"], out, signal.SIGINT)
    assert stopped.returncode == 130 and "interrupted" in stopped.stderr
    assert snapshot(out) == before
    assert not leftovers(out)

    # kill (SIGTERM) during a store build over a store build's outputs, store included.
    build([small], out, store=True)
    before = snapshot(out)
    assert any(name.startswith("store/") for name in before)
    stopped = _stop_midway(["build", str(small), str(big), "--out", str(out), "--store"], out, signal.SIGTERM)
    assert stopped.returncode == 130
    assert snapshot(out) == before
    assert not leftovers(out)

    # kill -9 cannot be caught: the new generation stays behind, the outputs are still untouched,
    # and the next build clears it away.
    stopped = _stop_midway(["build", str(small), str(big), "--out", str(out), "--store"], out, signal.SIGKILL)
    assert stopped.returncode == -signal.SIGKILL
    assert snapshot(out) == before and leftovers(out)
    assert graphs(out) == ["cdip-99-1-zh", "cdip-99-2-zh", "geo", "registry", "relations", "sdg-kos"]
    assert build([small], out, store=True).skipped == 2
    assert not leftovers(out)


def test_a_full_disk_is_one_line_and_loses_nothing(tmp_path, monkeypatch):
    import errno

    import kg.build.output

    out = tmp_path / "out"
    small = corpus(tmp_path / "in", 2)
    build([small], out, store=True)
    before = snapshot(out)
    real = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(kg.build.output.os, "fsync", full)
    from kg.errors import KgError

    with pytest.raises(KgError) as error:
        build([small], out, store=True, force=True)
    assert "No space left on device" in str(error.value) and str(out) in str(error.value)
    monkeypatch.setattr(kg.build.output.os, "fsync", real)
    assert snapshot(out) == before
    assert not leftovers(out)

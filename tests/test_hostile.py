"""Hostile and careless use, beyond the one-line cases of docs/bad-input.md (tests/test_bad_input.py).

Each test is an attack of issue 24's audit, or a variant of one, run against kg as its users run
it (the ``kg`` command in a subprocess) or, where a failure must be arranged, through the Python
API: encodings that decode into nonsense, files that change or grow while read, builds killed at
every step of their commit or racing into one output folder, workers outliving a killed build,
queries that never end or recurse deep, output that cannot be written, terminal escapes, and what
the command line spells and shows.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import MULTILINGUAL, ROOT, write_report

GOOD = ["1. 产权组织促进实现具体目标 4.4。", "2. 第二段。"]
GRAPH = b'<http://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .\n'


def kg(*args: str, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 300)
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True, **kwargs)


def start(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


# -- encodings ---------------------------------------------------------------------------

def annotated(language: str) -> list[tuple[Path, str]]:
    found = []
    for path in sorted((ROOT / "data" / "annotated" / "docs").glob("*/*.txt")):
        text = path.read_text(encoding="utf-8")
        if re.search(rf"^lang: {language}$", text, re.M):
            found.append((path, text.split("\n\n", 1)[-1]))
    return found


def test_legacy_chinese_encodings_read_back_exactly_and_nonsense_never():
    """Every annotated Chinese text, saved as GB 18030 (Simplified) or Big5 (Traditional), reads back
    as the same text with its encoding named; Japanese, Korean and random bytes are refused."""
    from kg.errors import InputError
    from kg.reader.source import source_from_bytes

    checked = {"gb18030": 0, "big5": 0}
    for language, encodings in (("zh-Hans", ("gb18030",)), ("zh-Hant", ("big5", "cp950"))):
        texts = annotated(language)
        assert len(texts) > 150
        for path, text in texts:
            for encoding in encodings:
                try:
                    data = text.encode(encoding)
                except UnicodeEncodeError:
                    continue
                source = source_from_bytes(data, path)
                assert (source.text, source.encoding in encodings) == (text, True), path
                checked[encodings[0]] += 1
                break
    assert checked["gb18030"] > 250 and checked["big5"] > 150
    refused = {
        "Japanese": "国連の持続可能な開発目標は、2030年までに達成すべき17の目標です。".encode("shift_jis"),
        "Korean": "유엔의 지속가능발전목표는 2030년까지 달성해야 할 17개의 목표입니다.".encode("euc_kr"),
    }
    for language, data in refused.items():
        with pytest.raises(InputError, match=f"reads as {language} text"):
            source_from_bytes(b"CDIP/99/1\n\n1. " + data + b"\n", Path("r.txt"))
    noise = random.Random(7)
    for _ in range(20):
        data = bytes(0x81 + b % 0x7E for b in noise.randbytes(3000))
        with pytest.raises(InputError):
            source_from_bytes(data, Path("r.txt"))


def test_a_big5_report_reads_like_its_utf8_edition(tmp_path):
    """The audit's case: a Traditional Chinese report in Big5 was read as GB 18030 (0 targets, 0 places)."""
    from kg.reader.select import read_document
    from kg.reader.source import read_source
    import opencc

    text = opencc.OpenCC("s2t").convert((MULTILINGUAL / "CDIP_32_3_zh_p1-10.txt").read_text(encoding="utf-8"))
    text = text.encode("cp950", errors="ignore").decode("cp950")
    (tmp_path / "utf8.txt").write_text(text, encoding="utf-8")
    (tmp_path / "big5.txt").write_bytes(text.encode("cp950"))
    utf8, big5 = read_source(tmp_path / "utf8.txt"), read_source(tmp_path / "big5.txt")
    assert big5.encoding in ("big5", "cp950") and big5.text == utf8.text
    paragraphs = read_document(big5).paragraphs
    assert len(paragraphs) == 10 and "4.4" in " ".join(p.text for p in paragraphs)


def test_the_default_report_reads_exactly_as_before():
    """The guards (encodings, line breaks, format characters) leave a clean report as it was: no
    warning, the same text."""
    from kg.reader.source import read_source
    from kg.resources import default_report

    source = read_source(default_report())
    assert source.warnings == () and source.encoding == "utf-8"
    assert source.text == default_report().read_text(encoding="utf-8")


# -- files that change, shrink or hide ----------------------------------------------------------

@pytest.mark.parametrize("change", ["grow", "shrink", "rewrite"])
def test_a_file_changed_while_it_is_read_is_refused(tmp_path, monkeypatch, change):
    import kg.reader.source as source
    from kg.errors import InputError

    path = write_report(tmp_path, GOOD * 2000)
    real = os.read
    done = []

    def read_then_change(fd, n):
        data = real(fd, n)
        if data and not done:
            done.append(True)
            size = path.stat().st_size
            if change == "grow":
                with path.open("ab") as stream:
                    stream.write(b"3. x\n")
            elif change == "shrink":
                os.truncate(path, size // 2)
            else:  # same size, other bytes, later modification time
                time.sleep(0.01)
                with path.open("r+b") as stream:
                    stream.write(b"9")
        return data

    monkeypatch.setattr(source.os, "read", read_then_change)
    with pytest.raises(InputError, match="changed while it was being read"):
        source.read_source(path)


def test_reading_a_huge_sparse_file_reads_nothing(tmp_path, monkeypatch):
    """A corpus build hashes each file before building it: under the same limit, so an 8 GiB file
    (sparse: it takes no disk) costs nothing, in every build mode."""
    import kg.reader.source as source

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as stream:
        stream.truncate(8 * 2**30)
    read = []
    real = os.read
    monkeypatch.setattr(source.os, "read", lambda fd, n: read.append(n) or real(fd, n))
    assert source.file_digest(huge) is None
    with pytest.raises(Exception, match="file too large"):
        source.read_source(huge)
    assert read == []


def test_a_folder_that_cannot_be_read_is_an_error_not_a_silence(tmp_path, monkeypatch):
    from kg.build.run import collect_inputs
    from kg.errors import InputError

    (tmp_path / "reports" / "locked").mkdir(parents=True)
    write_report(tmp_path / "reports", GOOD, name="a.txt")
    write_report(tmp_path / "reports" / "locked", GOOD, name="b.txt")
    real = os.scandir

    def refuse(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(InputError, match="locked: cannot read this folder: Permission denied"):
        collect_inputs([tmp_path / "reports"])


def test_a_name_that_is_not_utf8_leaves_only_that_document_out_of_a_store_build(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    write_report(folder, GOOD, name="good.txt")
    (folder / "bad\udcff.txt").write_bytes((folder / "good.txt").read_bytes().replace(b"99/1", b"99/2"))
    result = kg("build", str(folder), "--out", str(tmp_path / "out"), "--store", "--quiet",
                errors="surrogateescape")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().endswith("bad\\xff.txt: the file name is not valid UTF-8 (kg writes names into "
                                          "its outputs as UTF-8): rename it")
    assert "Traceback" not in result.stderr
    assert [d["file"] for d in json.loads((tmp_path / "out" / "report.json").read_text())["documents"]] == ["good.txt"]


# -- outputs: one switch, a lock, crash recovery ------------------------------------------------

def _views(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("mode", ["memory", "store"])
def test_a_build_killed_at_any_step_of_its_commit_leaves_one_whole_build(tmp_path, mode):
    """kill -9 at each file-system step of a build (tests/crash_build.py): a reader sees the old build
    or the new one, never a mix and never nothing, and the next build recovers."""
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "crash_build.py"), mode, str(tmp_path)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    steps = _views(result.stdout)
    assert steps and steps[-1]["exit"] == 0, result.stdout[-2000:]
    killed = [s for s in steps if s["exit"] == 9]
    assert len(killed) >= 5
    assert {s["seen"] for s in killed} <= {"old", "new"}, [s for s in killed if s["seen"] == "mixed"]
    assert all(s["recovered"] for s in steps), [s for s in steps if not s["recovered"]]
    assert {s["seen"] for s in killed} == {"old", "new"}  # killed both before and after the switch
    # What a recovered folder keeps of kg's own: the current generation and the link to it.
    assert all(len(s["kg_dir"]) == 2 and "current" in s["kg_dir"] for s in steps)


def test_two_builds_into_one_folder_exclude_each_other(tmp_path):
    from kg.build.output import OutputLock

    report = write_report(tmp_path, GOOD)
    out = tmp_path / "out"
    with OutputLock(out):
        second = kg("build", str(report), "--out", str(out), "--quiet")
    assert second.returncode == 2
    assert second.stderr.strip() == (f"kg: error: {out}: another kg build is writing into this output directory; "
                                     "wait for it to finish, or build into another --out")
    assert not any(out.iterdir())
    # The lock goes with its holder, however it ends: kill -9 included.
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom kg.build.output import OutputLock\n"
                               f"OutputLock({str(out)!r}).__enter__()\nprint('locked', flush=True)\ntime.sleep(600)"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    assert kg("build", str(report), "--out", str(out), "--quiet").returncode == 0
    assert (out / "graph.nq").is_file()


def test_a_build_over_the_layout_of_plain_files_keeps_them_until_its_switch(tmp_path):
    """Outputs written before generations (plain files in OUT) are moved into one, unchanged; the
    reader's view changes in one step from them to the new build."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.nq").write_bytes(b"<urn:earlier> <urn:p> <urn:o> <urn:g> .\n")
    (out / "report.json").write_bytes(b'{"earlier": true}\n')
    (out / "notes.md").write_text("mine\n")
    assert kg("build", str(write_report(tmp_path, GOOD)), "--out", str(out), "--quiet").returncode == 0
    assert (out / "graph.nq").is_symlink() and b"cdip-99-1-zh" in (out / "graph.nq").read_bytes()
    assert json.loads((out / "report.json").read_text())["documents"][0]["file"] == "report.txt"
    assert (out / "notes.md").read_text() == "mine\n"  # what is not kg's is left alone
    kept = sorted(p.name for p in (out / ".kg").iterdir())  # the new generation and the link to it
    assert len(kept) == 2 and "current" in kept


def test_an_output_folder_no_one_may_write_into_is_one_line(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.nq").write_bytes(b"<urn:earlier> <urn:p> <urn:o> <urn:g> .\n")
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode != 0:
            pytest.skip("running as root without chattr: no folder is read-only to root")
    else:
        out.chmod(0o555)
    try:
        result = kg("build", str(write_report(tmp_path, GOOD)), "--out", str(out), "--quiet")
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(out)])
        out.chmod(0o755)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() in (f"kg: error: {out}: cannot write: Operation not permitted",
                                     f"kg: error: {out}: cannot write: Permission denied")
    assert sorted(p.name for p in out.iterdir()) == ["graph.nq"]


def test_a_full_disk_in_a_store_build_is_one_line_and_loses_nothing(tmp_path):
    """Files may grow to 64 KiB only (RLIMIT_FSIZE, as a nearly full disk): the store cannot be
    written, and the build says so in one line; the earlier outputs stay whole."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in (1, 2):
        write_report(folder, GOOD, name=f"r{n}.txt", header=f"CDIP/99/{n} \n\n测试报告 \n\n")
    out = tmp_path / "out"
    assert kg("build", str(folder), "--out", str(out), "--store", "--quiet").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    limit = ("import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
             "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))\n")
    result = subprocess.run([sys.executable, "-c", limit + "from kg.cli import main; main()", "build", str(folder),
                             "--out", str(out), "--store", "--force", "--quiet"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert "File too large" in result.stderr or "No space" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert len(list((out / ".kg").iterdir())) == 2  # the current generation and its link, nothing half-made


def test_a_killed_parallel_build_takes_its_workers_with_it(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(1, 7):
        write_report(folder, GOOD * 50, name=f"r{n}.txt", header=f"CDIP/99/{n} \n\n测试报告 \n\n")
    build = start("build", str(folder), "--out", str(tmp_path / "out"), "--jobs", "2", "--quiet")
    parent = psutil.Process(build.pid)
    deadline = time.time() + 120
    while time.time() < deadline and len(parent.children(recursive=True)) < 2:
        time.sleep(0.2)
    workers = parent.children(recursive=True)
    assert len(workers) >= 2, build.communicate()
    build.kill()
    build.wait()
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert alive == [], f"{len(alive)} worker(s) still running after their build was killed"


# -- queries ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_graph(tmp_path_factory) -> Path:
    """3,000 triples: enough for a query that would run for hours."""
    path = tmp_path_factory.mktemp("graph") / "graph.nq"
    path.write_text("".join(f'<urn:s{i}> <urn:p> "{i}" <urn:g> .\n' for i in range(3000)), encoding="utf-8")
    return path


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_a_runaway_query_stops_at_once_on_ctrl_c_and_sigterm(tmp_path, small_graph, how):
    query = tmp_path / "forever.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n")
    running = start("query", "--file", str(query), "--from", str(small_graph))
    time.sleep(4)  # well into the query
    assert running.poll() is None
    running.send_signal(how)
    try:
        _, stderr = running.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        running.kill()
        running.communicate()
        pytest.fail(f"kg query ignored {signal.Signals(how).name}")
    assert running.returncode == 130 and stderr.strip() == "kg: interrupted"


def test_a_long_flat_query_does_not_crash_kg(tmp_path):
    """pyoxigraph evaluates 1+1+…+1 (8,000 terms: a 16 KB query) by recursion 8,000 deep: on a main
    thread's stack a segmentation fault; kg runs queries on a deep stack."""
    script = ("import pyoxigraph\nfrom kg.processes import run_on_deep_stack\n"
              "q = 'SELECT (' + '+'.join(['1'] * 8000) + ' AS ?x) WHERE {}'\n"
              "print(run_on_deep_stack(lambda: [r['x'].value for r in pyoxigraph.Store().query(q)]))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stdout.strip()) == (0, "['8000']"), result.stderr[-500:]


def test_output_that_cannot_be_written_is_one_line(tmp_path, small_graph, built):
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5\n")
    commands = [("query", "--file", str(query), "--from", str(small_graph), "--format", "csv"),
                ("query", "--file", str(query), "--from", str(small_graph)),
                ("queries",),
                ("export", "--format", "nq", "--from", str(built[1]), "--out", "-")]
    for args in commands:
        with open("/dev/full", "w") as full:
            result = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                                    stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr == "kg: error: standard output: cannot write the output: No space left on device\n"


def test_values_and_names_never_act_on_the_terminal(tmp_path):
    """Rich markup ([/]), emoji codes (:smile:) and escape sequences in the graph's values are
    printed as they are, escapes made visible: no crash, no rewriting, no terminal control."""
    graph = tmp_path / "graph.nq"
    graph.write_text('<urn:a> <urn:p> "[/] [bold]x :smile: \\u001B]0;owned\\u0007\\u001B[2J" <urn:g> .\n',
                     encoding="utf-8")
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?o WHERE { ?s ?p ?o }\n")
    result = kg("query", "--file", str(query), "--from", str(graph), env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "[/] [bold]x :smile: \\x1b]0;owned\\x07\\x1b[2J" in result.stdout
    assert "\x1b" not in result.stdout and "😄" not in result.stdout


def test_query_and_export_accept_the_same_spellings(tmp_path, small_graph, built):
    from kg.cli.formats import SPELLINGS

    construct = tmp_path / "c.rq"
    construct.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2\n")
    for name in ("turtle", "nquads", "jsonld"):
        for spelling in SPELLINGS[name]:
            # Any case; kg export is asked in capitals only (a whole graph each time).
            for variant in (spelling, spelling.upper()):
                asked = kg("query", "--file", str(construct), "--from", str(small_graph), "--format", variant)
                assert asked.returncode == 0 and "urn:s" in asked.stdout, (variant, asked.stderr)
            exported = kg("export", "--format", spelling.upper(), "--from", str(built[1]), "--out", "-")
            assert exported.returncode == 0 and "cdip-32-3" in exported.stdout.lower(), (spelling, exported.stderr)


def test_validate_report_dash_writes_to_standard_output(tmp_path):
    graph = tmp_path / "graph.nq"
    graph.write_bytes(GRAPH)
    result = kg("validate", str(graph), "--report", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "sh:ValidationReport" in result.stdout and "sh:conforms true" in result.stdout
    assert not (tmp_path / "-").exists()


def test_progress_covers_every_stage_of_a_build(tmp_path):
    from kg.build.run import build

    class Recorder:
        def __init__(self):
            self.events = []

        def start(self, name, total):
            self.events.append(("start", name))

        def advance(self, steps=1):
            pass

        def finish(self):
            self.events.append(("finish", self.events[-1][1] if self.events else None))

    report = write_report(tmp_path, GOOD)
    setup = "setup: SDG vocabulary, gazetteer, registry"  # what a build in memory loads before its first document
    for store, stages in ((False, [setup, "report.txt", "shared graphs", "serialisation", "validation", "writing"]),
                          (True, ["report.txt", "store", "shared graphs", "validation", "writing"])):
        recorder = Recorder()
        build([report], tmp_path / f"out-{store}", progress=recorder, store=store)
        started = [name for kind, name in recorder.events if kind == "start"]
        assert started == stages
        assert recorder.events[-1] == ("finish", "writing")  # nothing runs after the last stage ends

"""The Python API (kg.api, importable from kg): build, ask, export, validate; typed (py.typed, mypy clean),
and in the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyoxigraph
import pytest

import kg
from kg.errors import KgError
from conftest import ROOT, write_report


def test_import_kg_stays_cheap_and_the_api_loads_on_first_use():
    code = ("import sys, kg; before = {'kg.api', 'spacy', 'kg.build.run'} & set(sys.modules); "
            "kg.build_graph; after = 'kg.api' in sys.modules; print(sorted(before), after)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "[] True", done.stderr
    assert {"build_graph", "query", "export", "validate", "open_graph", "stored_queries"} <= set(dir(kg))
    with pytest.raises(AttributeError):
        kg.no_such_thing  # noqa: B018


def test_build_ask_export_validate(tmp_path):
    report = write_report(tmp_path, ["1. 产权组织与智利合作，促进实现具体目标 4.4。", "2. 该项目还促进实现具体目标 9.5。"])
    build = kg.build_graph([report], out=tmp_path / "out")
    assert build.documents == ("cdip-99-1-zh",) and build.conforms is True and build.triples > 0
    assert isinstance(build.store, pyoxigraph.Store)
    # A stored question by name, with a parameter as kg query takes it.
    rows = kg.query(build, "paragraphs-citing-target", {"target": "4.4"})
    assert isinstance(rows, list) and [row["number"].value for row in rows] == ["1"]  # type: ignore[index, union-attr]
    # SPARQL of one's own; an ASK is a bool, a CONSTRUCT triples.
    assert kg.query(tmp_path / "out", "ASK { ?p <https://w3id.org/sdg-kg/ontology#citesTarget> ?t }") is True
    triples = kg.query(build, "programme-target-network")
    assert triples and all(isinstance(t, pyoxigraph.Triple) for t in triples)  # type: ignore[union-attr]
    written = kg.export(build, "graphml")
    assert written == [tmp_path / "out" / "network.graphml"] and written[0].stat().st_size > 0
    assert kg.export(build, "csv", tmp_path / "net.csv") == [tmp_path / "net-nodes.csv", tmp_path / "net-edges.csv"]
    result = kg.validate(build)
    assert result.conforms and result.findings == ()
    assert [q.name for q in kg.stored_queries()][:2] and all(q.question.endswith("?") for q in kg.stored_queries())


def test_api_errors_are_kg_errors(tmp_path):
    with pytest.raises(KgError, match="no stored query 'nope'"):
        kg.query(pyoxigraph.Store(), "nope")
    with pytest.raises(KgError, match="SERVICE is refused"):
        kg.query(pyoxigraph.Store(), "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(KgError):
        kg.open_graph(tmp_path / "missing")


USER_PROGRAM = '''
from pathlib import Path

import kg

build: kg.Build = kg.build_graph([Path("report.txt")], out="out")
rows = kg.query(build, "programmes-for-target", {"target": "4.4"})
if isinstance(rows, list):
    for row in rows:
        print(row)
files: list[Path] = kg.export(build, "gexf")
result: kg.ValidationResult = kg.validate("out")
ok: bool = result.conforms
'''


def test_mypy_is_clean_on_the_api_and_on_a_program_that_uses_it(tmp_path):
    """mypy --strict on kg.api and the stub of kg (the configuration of pyproject.toml), and on a user's
    program through the installed package's py.typed."""
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    assert mypy, "mypy (in the test extra) is not installed"
    done = subprocess.run([mypy], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "Success" in done.stdout, done.stdout + done.stderr
    program = tmp_path / "program.py"
    program.write_text(USER_PROGRAM, encoding="utf-8")
    done = subprocess.run([mypy, "--strict", "--follow-imports=silent", "--no-incremental", str(program)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_wheel_carries_py_typed_and_the_stub(tmp_path):
    pytest.importorskip("hatchling", reason="hatchling (in the test extra) builds the wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                           str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("kg_sdg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"kg/py.typed", "kg/__init__.pyi", "kg/api/__init__.py"} <= names

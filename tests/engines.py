"""Other SPARQL stores for the tests: a real Virtuoso server and Apache Jena's ARQ, from Debian's packages.

``virtuoso-opensource`` gives ``virtuoso-t`` and ``isql-vt``; :class:`Virtuoso` starts a server on the
loopback interface with a scratch database (free ports, a folder of its own), loads N-Quads with the bulk
loader and answers over the SPARQL protocol. ``libapache-jena-java`` gives Jena's jars (Debian ships no
``sparql``/``arq`` script): :func:`jena_classpath` assembles the class path, and :func:`run_jena` runs a
folder of queries with ``tests/jena/RunQueries.java`` (Java's single-file launcher), loading the data once;
:func:`jena_sparql` runs one query with ``arq.sparql``, the class behind Jena's ``sparql`` command.
Where a store is missing, the ``*_unavailable`` functions say why, for a skip that names it.

Answers from every store are compared in one canonical form (:func:`canonical`): numbers by value
(Virtuoso and Jena type counts differently), booleans by value (Virtuoso writes ``"1"^^xsd:boolean``),
``xsd:string`` as a plain literal (RDF 1.1), language tags in lower case (RDF compares them so).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import httpx
import pyoxigraph

ROOT = Path(__file__).resolve().parent.parent
XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                               "positiveInteger", "unsignedInt", "unsignedLong")}
_DECIMALS = {XSD + "decimal", XSD + "double", XSD + "float"}


# -- canonical answers ---------------------------------------------------------------------------

def literal(value: str, datatype: str | None = None, language: str | None = None) -> tuple:
    if language:
        return ("lit", value, "@" + language.lower())
    datatype = datatype or XSD + "string"
    if datatype in _INTEGERS:
        return ("num", str(int(value)))
    if datatype in _DECIMALS:
        return ("num", str(Decimal(value).normalize()) if value.lower() not in ("nan", "inf", "-inf") else value)
    if datatype == XSD + "boolean":
        return ("bool", value.strip() in ("1", "true"))
    if datatype == XSD + "string":
        return ("lit", value)
    return ("lit", value, datatype)


def canonical(term) -> tuple | None:
    """A pyoxigraph or rdflib term, or a SPARQL JSON results binding, in one comparable form."""
    if term is None:
        return None
    if isinstance(term, dict):  # SPARQL 1.1 JSON results
        kind = term["type"]
        if kind == "uri":
            return ("iri", term["value"])
        if kind == "bnode":
            return ("bnode",)
        return literal(term["value"], term.get("datatype"), term.get("xml:lang"))
    if isinstance(term, pyoxigraph.NamedNode):
        return ("iri", term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return ("bnode",)
    if isinstance(term, pyoxigraph.Literal):
        return literal(term.value, term.datatype.value, term.language)
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, Literal):
        return literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    raise TypeError(f"not an RDF term: {term!r}")


def json_answer(data: dict) -> dict:
    """SPARQL 1.1 JSON results as ``{"vars": [...], "rows": [...]}`` (or ``{"boolean": b}``)."""
    if "boolean" in data:
        return {"boolean": bool(data["boolean"])}
    names = data["head"]["vars"]
    return {"vars": names, "rows": [[canonical(row.get(n)) for n in names] for row in data["results"]["bindings"]]}


def triples_answer(triples) -> dict:
    return {"triples": sorted({tuple(canonical(t) for t in triple) for triple in triples}, key=repr)}


def nt_answer(data: bytes) -> dict:
    return triples_answer((t.subject, t.predicate, t.object)
                          for t in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES))


def with_values(query: str, bound: dict) -> str:
    """``query`` with its parameters as a ``VALUES`` block at the top of its outermost ``WHERE``: how a
    store without SEP-0007 is given them (Virtuoso 7.2 mishandles a trailing ``VALUES``)."""
    if not bound:
        return query
    names = sorted(bound)
    block = "VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(str(bound[n]) for n in names) + ") }"
    match = re.search(r"^WHERE\s*\{", query, re.M) or re.search(r"\bWHERE\s*\{", query, re.I)
    assert match, "a query without WHERE"
    return query[:match.end()] + "\n  " + block + query[match.end():]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- Virtuoso ------------------------------------------------------------------------------------

def virtuoso_unavailable() -> str | None:
    missing = [name for name in ("virtuoso-t", "isql-vt") if shutil.which(name) is None]
    if missing:
        return (f"Virtuoso is not installed ({', '.join(missing)} not found): apt-get install virtuoso-opensource "
                "(.ci/run does)")
    return None


class Virtuoso:
    """A Virtuoso server on 127.0.0.1 with a scratch database in ``directory``; user ``dba``, password ``dba``."""

    USER = PASSWORD = "dba"

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.sql_port = free_port()
        self.http_port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store_url(self) -> str:
        """The Graph Store endpoint that asks for HTTP Digest authentication (SPARQL_UPDATE rights)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def start(self, timeout: float = 240.0) -> None:
        d = self.directory
        d.mkdir(parents=True, exist_ok=True)
        vad = "/usr/share/virtuoso-opensource-7/vad"
        (d / "virtuoso.ini").write_text(f"""[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{self.sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {d}, {vad}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
VADInstallDir = {vad}/
[HTTPServer]
ServerPort = 127.0.0.1:{self.http_port}
ServerRoot = {d}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
""", encoding="utf-8")
        self.process = subprocess.Popen(["virtuoso-t", "-c", str(d / "virtuoso.ini"), "+foreground"], cwd=d,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (d / "virtuoso.log").read_text(errors="replace")[-2000:] if (d / "virtuoso.log").exists() else ""
                raise RuntimeError(f"virtuoso-t stopped at start (status {self.process.returncode}): {log}")
            try:
                if httpx.get(self.sparql_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Virtuoso did not answer within {timeout:g} s")

    def isql(self, *statements: str) -> str:
        script = "".join(s.rstrip().rstrip(";") + ";\n" for s in statements)
        done = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", self.USER, self.PASSWORD, "VERBOSE=OFF",
                               "BANNER=OFF", "PROMPT=OFF", "ERRORS=STDOUT"], input=script, capture_output=True,
                              text=True, timeout=600)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql: {done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done.stdout

    def load_nquads(self, path: Path) -> None:
        """Bulk-load an N-Quads file (each quad into its named graph)."""
        folder = self.directory / "load"
        folder.mkdir(exist_ok=True)
        shutil.copy(path, folder / "data.nq")
        self.isql("DELETE FROM DB.DBA.LOAD_LIST", f"ld_dir('{folder}', 'data.nq', 'urn:kg:default')",
                  "rdf_loader_run()", "checkpoint")
        errors = self.isql("SELECT ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL")
        if "NULL" not in errors and errors.strip():
            raise RuntimeError(f"Virtuoso's bulk loader: {errors}")

    def query(self, text: str, graphs: list[str] | None = None, accept: str = "application/sparql-results+json"):
        data = {"query": text}
        if graphs is not None:
            data["default-graph-uri"] = graphs  # the union of these graphs, not Virtuoso's own system graphs
        response = httpx.post(self.sparql_url, data=data, headers={"Accept": accept}, timeout=600)
        if response.status_code != 200:
            raise RuntimeError(f"Virtuoso: HTTP {response.status_code}: {response.text[:1000]}")
        return response

    def answer(self, text: str, graphs: list[str], construct: bool = False) -> dict:
        if construct:
            return nt_answer(self.query(text, graphs, accept="text/plain").content)
        return json_answer(self.query(text, graphs).json())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.process = None


# -- Apache Jena ---------------------------------------------------------------------------------

_JENA_JARS = ("jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-dboe-base", "jena-dboe-index",
              "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction", "jena-iri", "jena-rdfconnection",
              "jena-shacl", "jena-tdb", "jena-tdb2", "commons-cli", "commons-codec", "commons-compress",
              "commons-csv", "commons-io", "commons-lang3", "dexx.collection", "gson", "guava", "httpclient",
              "httpcore", "jackson-core", "jackson-databind", "jackson-annotations", "jsonld-java",
              "jakarta.json-api", "protobuf", "slf4j-api", "slf4j-nop", "thrift", "titanium-json-ld")
JAVA_DIR = Path("/usr/share/java")


def jena_unavailable() -> str | None:
    if shutil.which("java") is None:
        return "Java is not installed (apt-get install default-jre-headless libapache-jena-java; .ci/run does)"
    missing = [jar for jar in _JENA_JARS if not (JAVA_DIR / f"{jar}.jar").exists()]
    if missing:
        return (f"Apache Jena is not installed ({', '.join(missing[:3])}{' …' if len(missing) > 3 else ''} not in "
                f"{JAVA_DIR}): apt-get install libapache-jena-java (.ci/run does)")
    return None


def jena_classpath(work: Path) -> str:
    """Jena's class path from Debian's jars, with one mend: Debian's build moves Jena's embedded Xerces
    classes from ``org.apache.jena.ext.xerces`` to ``xerces`` but leaves their message files behind, and
    Xerces then fails to start ("internal error" in XSSimpleTypeDecl); a copy of the files where the
    moved classes look for them fixes it."""
    fix = Path(work) / "jena-xerces-messages"
    if not fix.exists():
        with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith("org/apache/jena/ext/xerces/") and not name.endswith((".class", "/")):
                    target = fix / "xerces" / name[len("org/apache/jena/ext/xerces/"):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    return os.pathsep.join([str(fix), *(str(JAVA_DIR / f"{jar}.jar") for jar in _JENA_JARS)])


def run_jena(classpath: str, data: Path, queries: dict[str, str], work: Path) -> dict[str, dict | str]:
    """Every query of ``queries`` (name → text) over ``data`` (N-Quads; the default graph is the union of its
    graphs) with ARQ, in one Java process: name → answer, or the error message."""
    folder, out = Path(work) / "jena-queries", Path(work) / "jena-answers"
    for path in (folder, out):
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
    for name, text in queries.items():
        (folder / f"{name}.rq").write_text(text, encoding="utf-8")
    done = subprocess.run(["java", "-Xmx1g", "-cp", classpath, str(ROOT / "tests" / "jena" / "RunQueries.java"),
                           str(data), str(folder), str(out)], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"Jena: {done.stderr[-3000:]}")
    answers: dict[str, dict | str] = {}
    for name in queries:
        if (out / f"{name}.srj").exists():
            answers[name] = json_answer(json.loads((out / f"{name}.srj").read_text(encoding="utf-8")))
        elif (out / f"{name}.nt").exists():
            answers[name] = nt_answer((out / f"{name}.nt").read_bytes())
        else:
            answers[name] = (out / f"{name}.err").read_text(encoding="utf-8").strip()
    return answers


def jena_sparql(classpath: str, data: Path, query: str, work: Path) -> subprocess.CompletedProcess:
    """One query with ``arq.sparql`` (Jena's ``sparql`` command), SPARQL 1.1 syntax, JSON results."""
    path = Path(work) / "one-query.rq"
    path.write_text(query, encoding="utf-8")
    return subprocess.run(["java", "-Xmx1g", "-cp", classpath, "arq.sparql", "--syntax=SPARQL_11", "--data", str(data),
                           "--query", str(path), "--results", "json"], capture_output=True, text=True, timeout=600)

"""kg's Python API: what the ``kg`` command does, for programs.

Build a graph from reports, ask it the stored questions (or your own SPARQL), export it and
check it against the shapes::

    import kg

    build = kg.build_graph(["reports/"], out="out")        # or kg.build_graph() for the embedded report
    rows = kg.query(build, "programmes-for-target", {"target": "4.4"})
    for row in rows:
        print(row["programme"], row["activities"])
    kg.export(build, "gexf")                                # out/network.gexf
    assert kg.validate(build).conforms

Everything here is also importable from :mod:`kg` itself (``kg.build_graph``; resolved on first
use, so ``import kg`` stays cheap). The functions take a :class:`Build`, a build's output
directory, an RDF file, or an open :class:`pyoxigraph.Store` wherever they need a graph; errors a
user can act on are :class:`kg.errors.KgError` with a one-line message. See docs/api.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import pyoxigraph

from kg.errors import KgError
from kg.namespaces import DEFAULT_BASE_IRI

__all__ = ["Build", "GraphSource", "Row", "StoredQuery", "ValidationResult", "build_graph", "export", "open_graph",
           "query", "stored_queries", "validate"]

Term = Union[pyoxigraph.NamedNode, pyoxigraph.BlankNode, pyoxigraph.Literal, pyoxigraph.Triple]
#: One answer row of a SELECT query: variable name → RDF term (pyoxigraph's), unbound ones absent.
Row = dict[str, Term]


@dataclass(frozen=True)
class StoredQuery:
    """A stored question of ``queries/`` (its header, see docs/queries.md)."""

    name: str
    question: str
    question_zh: str
    parameters: tuple[str, ...]
    examples: tuple[str, ...]
    path: Path


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of checking a graph against kg's SHACL shapes."""

    conforms: bool
    #: One line per finding: ``node path = value: message``, grouped by shape (what ``kg validate`` prints).
    findings: tuple[str, ...] = ()


@dataclass
class Build:
    """What :func:`build_graph` made: the output directory and what the build reported."""

    out: Path
    documents: tuple[str, ...]  # each document's key (cdip-32-3-zh …)
    triples: int
    conforms: bool | None  # None: not validated
    warnings: tuple[str, ...] = ()
    outputs: tuple[Path, ...] = ()
    _store: pyoxigraph.Store | None = field(default=None, repr=False)

    @property
    def store(self) -> pyoxigraph.Store:
        """The built graph as a pyoxigraph store (opened from :attr:`out` once, then kept)."""
        if self._store is None:
            self._store = open_graph(self.out)
        return self._store


#: Where a graph can come from: a :class:`Build`, a build's output directory or an RDF file, or a store.
GraphSource = Union[Build, str, Path, pyoxigraph.Store]


def build_graph(sources: Iterable[str | Path] = (), out: str | Path = "out", *, base_iri: str = DEFAULT_BASE_IRI,
                validate: bool = True, allow_invalid: bool = False, exports: Iterable[str] = (),
                jobs: int = 1) -> Build:
    """Build the knowledge graph of ``sources`` (report and article files, or folders of them; none:
    the embedded default report) into the directory ``out``, as ``kg build`` does.

    The graph is checked against the shapes before anything is written (``validate``); one that does
    not conform raises :class:`kg.errors.NotConforming` unless ``allow_invalid``. ``exports`` names
    formats of :func:`export` to write beside it. Several documents or ``jobs > 1`` build into an
    on-disk store under ``out``."""
    from kg.build.run import build

    result = build([Path(s) for s in sources], Path(out), base_iri=base_iri, validate=validate,
                   allow_invalid=allow_invalid, exports=tuple(exports), jobs=jobs)
    return Build(out=Path(out), documents=tuple(d.key for d in result.documents), triples=result.triples,
                 conforms=result.validation.conforms if result.validation is not None else None,
                 warnings=tuple(str(w) for w in result.warnings), outputs=tuple(result.outputs))


def open_graph(source: str | Path = "out") -> pyoxigraph.Store:
    """A build's output (a directory written by ``kg build``, an on-disk store, or any RDF file) as a
    pyoxigraph store; queries see the union of its named graphs."""
    from kg.store.open import open_store

    return open_store(Path(source))


def _store(graph: GraphSource) -> pyoxigraph.Store:
    if isinstance(graph, pyoxigraph.Store):
        return graph
    if isinstance(graph, Build):
        return graph.store
    return open_graph(graph)


def stored_queries() -> list[StoredQuery]:
    """The stored questions (``kg queries``), in name order."""
    from kg.store.queries import catalogue

    return [StoredQuery(q.name, q.question, q.question_zh, tuple(p.name for p in q.parameters), q.examples, q.path)
            for q in catalogue().values()]


def query(graph: GraphSource, question: str, params: Mapping[str, str] | None = None
          ) -> list[Row] | list[pyoxigraph.Triple] | bool:
    """Ask ``graph`` a stored question by name (``"programmes-for-target"``) or a SPARQL 1.1 query text.

    ``params`` binds the query's variables as ``kg query --param`` does (an SDG code, a registry id, an
    M49 or ISO code, a name, a CURIE or ``<IRI>``; values are bound as RDF terms, never spliced into the
    query). A SELECT gives its rows in the query's order (each a dict of the bound variables), a
    CONSTRUCT its triples, an ASK a bool. ``SERVICE``, updates and non-standard SPARQL are refused
    with a :class:`kg.errors.KgError`."""
    from kg.store.binding import run
    from kg.store.queries import Parameter, StoredQuery as Stored, stored_query

    store = _store(graph)
    values = dict(params or {})
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", question):  # not a stored query's name: a query's text
        parameters: tuple[Parameter, ...] = ()
        stored = Stored(name="query", path=Path("query"), text=question, question="", question_zh="",
                        parameters=parameters)
        result, _ = run(store, stored, values, stored=False)
    else:
        result, _ = run(store, stored_query(question), values)
    if isinstance(result, pyoxigraph.QueryBoolean):
        return bool(result)
    if isinstance(result, pyoxigraph.QuerySolutions):
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            row: Row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term
            rows.append(row)
        return rows
    return list(result)


def export(graph: GraphSource, format: str, out: str | Path | None = None) -> list[Path]:
    """Write ``graph`` in ``format`` (``gexf``, ``graphml``, ``csv``, ``jsonld``, ``ttl``, ``nq`` or
    ``dcat``) as ``kg export`` does: to ``out`` (a file, for csv the stem of the pair, or a directory),
    by default the format's file names in the build's directory. Returns the paths written."""
    from kg.build.output import atomic_write
    from kg.exports import Exporter

    store = _store(graph)
    if out is None:
        if isinstance(graph, Build):
            directory = graph.out
        elif isinstance(graph, (str, Path)):
            path = Path(graph)
            directory = path if path.is_dir() else path.parent
        else:
            raise KgError("say where to write the export (out=…): a store has no directory of its own")
        target = None
    else:
        target = Path(out)
        directory = target if target.is_dir() else target.parent
    written = []
    for path, data in Exporter(store).files(format, target, directory):
        atomic_write(path, data)
        written.append(path)
    return written


def validate(graph: GraphSource, *, engine: str | None = None) -> ValidationResult:
    """Check ``graph`` against kg's SHACL shapes as published, with nothing added (``kg validate``):
    pyshacl-turbo by default, ``engine="pyshacl"`` for pySHACL."""
    from kg.shacl.report import format_report
    from kg.shacl.shared import validate_store

    result = validate_store(_store(graph), engine=engine)
    lines = tuple(format_report(result, limit=1_000_000)[1:]) if not result.conforms else ()
    return ValidationResult(conforms=result.conforms, findings=lines)

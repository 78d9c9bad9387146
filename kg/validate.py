"""``kg validate``: check a graph against the SHACL shapes in ``shapes/``.

Two engines run the same shapes: pyshacl-turbo (a Rust SHACL engine with
pySHACL's API and SHACL-SPARQL support; the default, some fifteen times faster
than pySHACL on a report) and pySHACL itself (``--engine pyshacl`` or
``KG_SHACL_ENGINE=pyshacl``; also used for ``--inference rdfs``). The tests run
every shape's passing and failing case through both.

The ontology is mixed into the data so that its subclass axioms are there for
``sh:class`` (a shape on ``kgo:TextUnit`` covers paragraphs, items and
footnotes); no RDFS inference is run unless asked, since every class kg
publishes is stated explicitly.

A build's output is validated **by partition** (:func:`validate_store`), so the
cost grows linearly with the number of documents: each document graph with the
types of the nodes it links to in other graphs, then the shared graphs (SDG
concepts, places, registry, relations) once, with the types of the document
nodes they point to, then the few nodes described in more than one graph on the
union of their descriptions. Every node is checked against every shape that
targets it, with all of its own triples and the types of its neighbours, which
is all the shipped shapes read of another node; every SPARQL-based check looks
within one document, one shared partition or one node (see docs/scaling.md).
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery

from kg.errors import DataError
from kg.graph.quads import RDF_TYPE, Terms, from_ox, store_of
from kg.namespaces import KGO, bind_prefixes
from kg.rdfio import parse_into
from kg.resources import shipped


class _PreparedQueryGraph(Graph):
    """A graph that parses each distinct SPARQL query once.

    pySHACL runs a SPARQL constraint once per focus node with the same text and
    different bindings; rdflib would parse the text again every time (most of
    the cost of validating a report).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepared: dict[str, object] = {}

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = self._prepared[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


def shape_files(directory: Path | None = None) -> list[Path]:
    directory = directory or shipped("shapes")
    return sorted(directory.glob("*.ttl"))


def load_shapes(paths: list[Path] | None = None) -> Graph:
    """The shapes in ``paths`` (a folder stands for its ``*.ttl``), the shipped ones by default."""
    if paths is None:
        paths = shape_files()
        if not paths:
            raise DataError("no shape files (*.ttl)", path=shipped("shapes"))
    shapes = Graph()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = shape_files(path)
            if not found:
                raise DataError("no shape files (*.ttl) in this directory", path=path)
            for file in found:
                parse_into(shapes, file, DataError)
        else:
            parse_into(shapes, path, DataError)
    return shapes


def check_shapes(shapes: Graph, source: str) -> None:
    """Check a shapes graph against SHACL's own shapes for shapes (SHACL-SHACL).

    pySHACL skips a constraint it cannot use (``sh:minCount "x"``) without a
    word; this finds it. It is slow for a large shapes graph, so it is asked for
    (``kg validate --check-shapes``), not run every time.
    """
    from pyshacl.entrypoints import meta_validate

    conforms, report, _ = meta_validate(shapes)
    if conforms:
        return
    results = sorted(report.subjects(RDF.type, SH.ValidationResult),
                     key=lambda r: (str(report.value(r, SH.resultPath)), str(report.value(r, SH.value))))
    first = results[0]
    path, value = report.value(first, SH.resultPath), report.value(first, SH.value)
    detail = f"{_short(path, shapes)} {value!s}: " if path is not None else ""
    raise DataError(f"not valid SHACL ({len(results)} problem(s); first: {detail}"
                    f"{report.value(first, SH.resultMessage)})", path=source)


@cache
def _shipped_shapes() -> Graph:
    return load_shapes()


@cache
def load_ontology() -> Graph:
    ontology = Graph()
    for path in sorted(shipped("ontology").glob("*.ttl")):
        parse_into(ontology, path, DataError)
    return ontology


@dataclass(frozen=True)
class Violation:
    shape: str  # the node shape, e.g. "MentionShape"
    focus: str
    message: str
    path: str | None = None
    value: str | None = None
    severity: str = "Violation"


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    report: Graph | None = None

    def by_shape(self) -> dict[str, list[Violation]]:
        groups: dict[str, list[Violation]] = defaultdict(list)
        for violation in self.violations:
            groups[violation.shape].append(violation)
        return dict(sorted(groups.items()))


def _short(node, graph: Graph) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return str(node)
    return str(node)


def _node_shape(source, shapes: Graph):
    """The named node shape a (possibly anonymous property) shape belongs to."""
    seen = set()
    while isinstance(source, BNode) and source not in seen:
        seen.add(source)
        parent = next(shapes.subjects(SH.property, source), None) or next(shapes.subjects(SH.sparql, source), None)
        if parent is None:
            break
        source = parent
    return source


ENGINES = ("turbo", "pyshacl")


def default_engine() -> str:
    """``KG_SHACL_ENGINE`` if set, else pyshacl-turbo."""
    name = os.environ.get("KG_SHACL_ENGINE", "turbo")
    if name not in ENGINES:
        raise DataError(f"KG_SHACL_ENGINE must be one of {', '.join(ENGINES)}, not {name!r}")
    return name


_COMPILED: dict[int, tuple[Graph, object]] = {}


def _compiled(shapes: Graph, source: str | None = None):
    """The shapes compiled by pyshacl-turbo, once per shapes graph."""
    import pyshacl_turbo

    found = _COMPILED.get(id(shapes))
    if found is None or found[0] is not shapes:
        try:
            found = _COMPILED[id(shapes)] = (shapes, pyshacl_turbo.compile_shapes(shapes, advanced=True))
        except Exception as exc:
            raise _bad_shapes(_reference_error(shapes) or exc, source) from None
    return found[1]


def _reference_error(shapes: Graph) -> Exception | None:
    """pySHACL's word on shapes pyshacl-turbo refuses (the message users of pySHACL know)."""
    try:
        pyshacl.validate(Graph(), shacl_graph=shapes, advanced=True, allow_warnings=True)
    except Exception as exc:
        return exc
    return None


def _bad_shapes(exc: Exception, source: str | None = None) -> DataError:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    # A SPARQL parse error's place is in the query text the engine assembled, not in the file.
    message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)", "", message)
    return DataError(f"the shapes cannot be used: {message}", path=source or shipped("shapes"))


@cache
def _ontology_quads() -> tuple[ox.Quad, ...]:
    term = Terms()
    return tuple(ox.Quad(term(s), term(p), term(o), ox.DefaultGraph()) for s, p, o in load_ontology())


def _namespaces() -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    return graph


def _result(conforms: bool, report: Graph, shapes: Graph) -> ValidationResult:
    bind_prefixes(report)
    names = _namespaces()
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = _node_shape(report.value(result, SH.sourceShape), shapes)
        name = str(shape).rsplit("#", 1)[-1] if isinstance(shape, URIRef) else "anonymous shape"
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        severity = report.value(result, SH.resultSeverity)
        violations.append(Violation(
            shape=name, focus=_short(report.value(result, SH.focusNode), names),
            message=str(report.value(result, SH.resultMessage) or "(no message)"),
            path=_short(path, names) if path is not None else None,
            value=_short(value, names) if value is not None else None,
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation"))
    violations.sort(key=lambda v: (v.shape, v.focus, v.message, v.value or ""))
    return ValidationResult(bool(conforms), violations, report)


def _to_rdflib(store: ox.Store) -> Graph:
    work = _PreparedQueryGraph()
    bind_prefixes(work)
    for quad in store:
        work.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return work


def _run(store: ox.Store, shapes: Graph | None = None, focus: list | None = None, inference: str = "none",
         engine: str | None = None, source: str | None = None) -> ValidationResult:
    """Validate the union of the graphs of ``store`` (a scratch store, which gets the
    ontology added); only the nodes in ``focus`` when given."""
    shapes = shapes if shapes is not None else _shipped_shapes()
    engine = engine or default_engine()
    store.extend(_ontology_quads())
    focus_nodes = [from_ox(node) for node in focus] if focus is not None else None
    if engine == "turbo" and inference == "none":
        try:
            conforms, report, _ = _compiled(shapes, source).validate(store, allow_warnings=True,
                                                                     focus_nodes=focus_nodes)
        except DataError:
            raise
        except Exception as exc:
            raise _bad_shapes(_reference_error(shapes) or exc, source) from None
        if not isinstance(report, Graph):  # a failure to validate at all comes back in place of the report
            raise _bad_shapes(Exception(str(report)), source)
        return _result(conforms, report, shapes)
    work = _to_rdflib(store)
    try:
        conforms, report, _ = pyshacl.validate(work, shacl_graph=shapes, inference=inference, advanced=True,
                                               inplace=True, allow_warnings=True, focus_nodes=focus_nodes)
    except Exception as exc:  # pySHACL reports bad shapes (e.g. an invalid SPARQL constraint) this way
        raise _bad_shapes(exc, source) from None
    return _result(conforms, report, shapes)


def validate_graph(data: Graph, shapes: Graph | None = None, inference: str = "none",
                   engine: str | None = None, source: str | None = None) -> ValidationResult:
    """Validate ``data`` (left untouched) against ``shapes`` (the shipped ones by default;
    ``source`` names where given shapes came from, for errors), all at once."""
    return _run(store_of(data), shapes, None, inference, engine, source)


def merge_results(results: list[ValidationResult]) -> ValidationResult:
    """One result for several partitions: conforms if all do; one report graph with all their results."""
    if len(results) == 1:
        return results[0]
    report = Graph()
    bind_prefixes(report)
    for result in results:
        if result.report is not None:
            report += result.report
    violations = sorted({v for r in results for v in r.violations},  # a node two documents describe: once
                        key=lambda v: (v.shape, v.focus, v.message, v.value or ""))
    return ValidationResult(all(r.conforms for r in results), violations, report)


# ---------------------------------------------------------------------------
# Validation by partition
# ---------------------------------------------------------------------------

# The classes of a document node: one per document graph (a report, or an article read as one).
_DOCUMENT_TYPES = frozenset(ox.NamedNode(str(c)) for c in (KGO.Report, KGO.Article))
_CONTEXT = ox.NamedNode("urn:x-kg:validation:context")


def types_of(store: ox.Store, nodes, exclude: set | None = None) -> list[ox.Quad]:
    """The ``rdf:type`` statements about ``nodes`` in ``store`` (outside the graphs in ``exclude``)."""
    found = []
    for node in nodes:
        for quad in store.quads_for_pattern(node, RDF_TYPE, None, None):
            if exclude is None or quad.graph_name not in exclude:
                found.append(ox.Quad(quad.subject, quad.predicate, quad.object, _CONTEXT))
    return found


def validate_partition(quads: list[ox.Quad], context: list[ox.Quad], shapes: Graph | None = None,
                       inference: str = "none", engine: str | None = None,
                       exclude: set = frozenset(), source: str | None = None) -> ValidationResult:
    """Validate the subjects of ``quads`` (less ``exclude``), with ``context`` (the types of
    the nodes they point to elsewhere) in the data but not itself validated."""
    focus = list({q.subject for q in quads} - set(exclude))
    if not focus:
        return ValidationResult(True, [], None)
    scratch = ox.Store()
    scratch.extend(quads)
    scratch.extend(context)
    return _run(scratch, shapes, focus, inference, engine, source)


def external_objects(quads: list[ox.Quad]) -> set:
    """The IRIs and blank nodes ``quads`` point to without describing them."""
    subjects = {q.subject for q in quads}
    return {q.object for q in quads if not isinstance(q.object, ox.Literal) and q.object not in subjects}


def document_graphs(store: ox.Store) -> list[ox.NamedNode]:
    """The named graphs that hold a document (a kgo:Report or kgo:Article): one per document."""
    graphs = {q.graph_name for kind in _DOCUMENT_TYPES for q in store.quads_for_pattern(None, RDF_TYPE, kind, None)}
    return sorted((g for g in graphs if isinstance(g, ox.NamedNode)), key=lambda g: g.value)


def foreign_subjects(quads: list[ox.Quad]) -> set:
    """Subjects of a document graph that are not its document's own nodes (``{document}`` and
    ``{document}/...``): nodes another graph may describe too (e.g. unregistered organisations)."""
    reports = {q.subject.value for q in quads if q.predicate == RDF_TYPE and q.object in _DOCUMENT_TYPES
               and isinstance(q.subject, ox.NamedNode)}
    prefixes = tuple(reports) + tuple(r + "/" for r in reports)
    found = set()
    for quad in quads:
        subject = quad.subject
        if not (isinstance(subject, ox.NamedNode) and (subject.value in reports or subject.value.startswith(prefixes))):
            found.add(subject)
    return found


def described_elsewhere(store: ox.Store, nodes, graphs: set) -> set:
    """Those of ``nodes`` that also have statements in a graph outside ``graphs``."""
    found = set()
    for node in nodes:
        for quad in store.quads_for_pattern(node, None, None, None):
            if quad.graph_name not in graphs:
                found.add(node)
                break
    return found


def _context(quad: ox.Quad) -> ox.Quad:
    return ox.Quad(quad.subject, quad.predicate, quad.object, _CONTEXT)


def neighbourhood(store: ox.Store, quads: list[ox.Quad], inside: set) -> list[ox.Quad]:
    """What the rest of ``store`` says that checking the subjects of ``quads`` can read: the
    statements other graphs make about those subjects (a paragraph's translations, an
    organisation two documents name), and everything said about the nodes they point to."""
    subjects = {q.subject for q in quads}
    about = [q for s in subjects for q in store.quads_for_pattern(s, None, None, None) if q.graph_name not in inside]
    pointed = external_objects(quads + about) - subjects
    return [_context(q) for q in about] + [_context(q) for o in pointed for q in store.quads_for_pattern(o, None, None, None)]


def validate_document(store: ox.Store, graph: ox.NamedNode, shapes: Graph | None = None, inference: str = "none",
                      engine: str | None = None, source: str | None = None) -> ValidationResult:
    """Validate the nodes of one document graph, with what the other graphs say about them
    and about the nodes they point to."""
    quads = list(store.quads_for_pattern(None, None, None, graph))
    return validate_partition(quads, neighbourhood(store, quads, {graph}), shapes, inference, engine,
                              source=source)


# pyshacl-turbo 0.6 reads the values of one subject on one predicate in time that grows faster than
# their square, whatever reads them (a property shape, any SPARQL pattern with the subject and
# predicate given): one node with 5,000 / 10,000 / 20,000 values under sh:minCount takes 0.5 / 2.3 /
# 10.5 s, pySHACL 0.01-0.02 s, while the same values stated from their side and read by an inverse
# path take 0.02 / 0.05 / 0.11 s (python bench/fanout.py).
# kg's graphs have no such node: a relation's support is stated from its activities' side
# (kgo:supports). Stated from the relation's (kgo:supportedBy, up to 25,000 values per relation in
# the 1,000-document corpus), it made the shared graphs' validation take 525 s with pyshacl-turbo.
# Other data given to `kg validate` may have such nodes: one with more values than this on one
# predicate is validated by pySHACL, the rest as usual.
FANOUT = 500


def _fanned_out(by_subject: dict, limit: int) -> set:
    """The subjects of ``by_subject`` with more than ``limit`` values on one predicate."""
    found = set()
    for subject, quads in by_subject.items():
        if len(quads) > limit and max(Counter(q.predicate for q in quads).values()) > limit:
            found.add(subject)
    return found


# Statements (a piece's own and those pointing to it) per piece of the shared graphs' validation:
# the engines hold a piece in memory several times over (a scratch store, its N-Quads, their
# own graph), so the shared graphs of a large corpus go through in pieces of about this size.
SHARED_PIECE = 250_000


def _pieces(subjects, size_of, limit: int):
    """``subjects`` (in IRI order) in groups whose ``size_of`` adds up to about ``limit``."""
    piece, size = set(), 0
    for subject in sorted(subjects, key=str):
        piece.add(subject)
        size += size_of(subject)
        if size >= limit:
            yield piece
            piece, size = set(), 0
    if piece:
        yield piece


def validate_shared(store: ox.Store, documents: list[ox.NamedNode], shapes: Graph | None = None,
                    inference: str = "none", engine: str | None = None,
                    source: str | None = None, fanout: int = FANOUT,
                    piece: int = SHARED_PIECE) -> ValidationResult:
    """Validate the nodes outside the document graphs (the shared graphs and the default graph)
    that no document graph describes (those are checked with their document), with the shared
    statements about the nodes they point to and those pointing to them, and the types of the
    document nodes among those (a relation's source, the activities that kgo:supports it).
    Nodes with more than ``fanout`` values on one predicate are checked apart, by pySHACL (see
    :data:`FANOUT`); the rest go through pyshacl-turbo in pieces of about ``piece`` statements
    (:data:`SHARED_PIECE`), each with the same context."""
    document_set = set(documents)
    graphs = [g for g in store.named_graphs() if g not in document_set] + [ox.DefaultGraph()]
    shared_graphs = set(graphs)
    by_subject: dict = defaultdict(list)
    for g in graphs:
        for quad in store.quads_for_pattern(None, None, None, g):
            by_subject[quad.subject].append(quad)
    incoming: dict = defaultdict(list)
    for quads in by_subject.values():
        for quad in quads:
            if quad.object in by_subject:
                incoming[quad.object].append(quad)
    in_documents = described_elsewhere(store, by_subject, shared_graphs) if documents else set()
    engine = engine or default_engine()
    focus = by_subject.keys() - in_documents
    fanned = _fanned_out({s: by_subject[s] for s in focus}, fanout)

    def size_of(node) -> int:
        return len(by_subject[node]) + len(incoming.get(node, ()))

    results = []
    types: dict = {}
    for subjects, partition_engine in ((focus - fanned, engine), (fanned, "pyshacl")):
        for nodes in _pieces(subjects, size_of, piece):
            quads = [q for s in nodes for q in by_subject[s]]
            pointed = external_objects(quads)
            context = [_context(q) for node in pointed for q in by_subject.get(node, ())]
            # What the rest says of these nodes (an activity that kgo:supports a relation, read by
            # the relation's inverse path).
            inbound = [q for s in nodes for q in incoming.get(s, ()) if q.subject not in nodes]
            context += [_context(q) for q in inbound]
            # The types of the document nodes among both, from their documents (an activity
            # supporting relations in several pieces is looked up once).
            for node in pointed | {q.subject for q in inbound}:
                found = types.get(node)
                if found is None:
                    found = types[node] = types_of(store, [node], exclude=shared_graphs)
                context += found
            results.append(validate_partition(quads, context, shapes, inference, partition_engine,
                                              source=source))
    return merge_results(results)


def validate_store(store: ox.Store, shapes: Graph | None = None, inference: str = "none",
                   engine: str | None = None, source: str | None = None,
                   fanout: int = FANOUT, piece: int = SHARED_PIECE) -> ValidationResult:
    """Validate a build's output (or any dataset) partition by partition: each document
    graph (:func:`validate_document`), then the rest (:func:`validate_shared`)."""
    documents = document_graphs(store)
    results = [validate_document(store, graph, shapes, inference, engine, source) for graph in documents]
    results.append(validate_shared(store, documents, shapes, inference, engine, source, fanout, piece))
    return merge_results(results)


def format_report(result: ValidationResult, limit: int = 20) -> list[str]:
    """The report as lines of text, grouped by shape, at most ``limit`` results per shape."""
    if result.conforms:
        return ["Conforms: the graph satisfies every shape."]
    lines = [f"Does not conform: {len(result.violations)} result(s) in {len(result.by_shape())} shape(s)."]
    for shape, violations in result.by_shape().items():
        lines.append(f"{shape}: {len(violations)}")
        for violation in violations[:limit]:
            detail = f"  {violation.focus}"
            if violation.path:
                detail += f" {violation.path}"
            if violation.value:
                detail += f" = {violation.value}"
            lines.append(f"{detail}: {violation.message}")
        if len(violations) > limit:
            lines.append(f"  ... and {len(violations) - limit} more")
    return lines

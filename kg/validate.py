"""``kg validate``: check a graph against the SHACL shapes in ``shapes/`` with pySHACL.

The ontology is mixed into the data graph so that its subclass axioms are
there for pySHACL (a shape on ``kgo:TextUnit`` covers paragraphs, items and
footnotes); no RDFS inference is run unless asked, since every class kg
publishes is stated explicitly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery

from kg.errors import DataError
from kg.namespaces import bind_prefixes
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


def validate_graph(data: Graph, shapes: Graph | None = None, inference: str = "none",
                   source: str | None = None) -> ValidationResult:
    """Validate ``data`` (left untouched) against ``shapes`` (the shipped ones by default;
    ``source`` names where given shapes came from, for errors)."""
    shapes = shapes if shapes is not None else _shipped_shapes()
    work = _PreparedQueryGraph()
    bind_prefixes(work)
    for triple in data:
        work.add(triple)
    for triple in load_ontology():
        work.add(triple)
    try:
        conforms, report, _ = pyshacl.validate(work, shacl_graph=shapes, inference=inference, advanced=True,
                                               inplace=True, allow_warnings=True)
    except Exception as exc:  # pySHACL reports bad shapes (e.g. an invalid SPARQL constraint) this way
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # A SPARQL parse error's place is in the query text pySHACL assembled, not in the file.
        message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)", "", message)
        raise DataError(f"the shapes cannot be used: {message}",
                        path=source or shipped("shapes")) from None
    bind_prefixes(report)
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = _node_shape(report.value(result, SH.sourceShape), shapes)
        name = str(shape).rsplit("#", 1)[-1] if isinstance(shape, URIRef) else "anonymous shape"
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        severity = report.value(result, SH.resultSeverity)
        violations.append(Violation(
            shape=name, focus=_short(report.value(result, SH.focusNode), work),
            message=str(report.value(result, SH.resultMessage) or "(no message)"),
            path=_short(path, work) if path is not None else None,
            value=_short(value, work) if value is not None else None,
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation"))
    violations.sort(key=lambda v: (v.shape, v.focus, v.message, v.value or ""))
    return ValidationResult(bool(conforms), violations, report)


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

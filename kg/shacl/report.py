"""The outcome of a validation: its results by shape and as lines of text.

An engine's report graph is read into :class:`Violation` records (the node shape a
result's anonymous property shape belongs to, CURIEs for nodes and paths), several
partitions' results are merged into one, and :func:`format_report` gives the lines
``kg validate`` prints.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from kg.namespaces import bind_prefixes


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


def shorten(node, graph: Graph) -> str:
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


def _namespaces() -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    return graph


def validation_result(conforms: bool, report: Graph, shapes: Graph) -> ValidationResult:
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
            shape=name, focus=shorten(report.value(result, SH.focusNode), names),
            message=str(report.value(result, SH.resultMessage) or "(no message)"),
            path=shorten(path, names) if path is not None else None,
            value=shorten(value, names) if value is not None else None,
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation"))
    violations.sort(key=lambda v: (v.shape, v.focus, v.message, v.value or ""))
    return ValidationResult(bool(conforms), violations, report)


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

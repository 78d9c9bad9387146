"""Validation by partition: a part of a store checked with just what its shapes read of the rest.

A build's output is validated **by partition** (:mod:`kg.shacl.shared`), so the
cost grows linearly with the number of documents: each document graph with the
types of the nodes it links to in other graphs (:func:`validate_document`), then
the shared graphs. Every node is checked against every shape that targets it, with
all of its own triples and the types of its neighbours, which is all the shipped
shapes read of another node; every SPARQL-based check looks within one document,
one shared partition or one node (see docs/scaling.md).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from kg.graph.quads import RDF_TYPE
from kg.namespaces import KGO
from kg.shacl.engines import run_engine
from kg.shacl.report import ValidationResult


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
    return run_engine(scratch, shapes, focus, inference, engine, source)


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


def as_context(quad: ox.Quad) -> ox.Quad:
    return ox.Quad(quad.subject, quad.predicate, quad.object, _CONTEXT)


def neighbourhood(store: ox.Store, quads: list[ox.Quad], inside: set) -> list[ox.Quad]:
    """What the rest of ``store`` says that checking the subjects of ``quads`` can read: the
    statements other graphs make about those subjects (a paragraph's translations, an
    organisation two documents name), and everything said about the nodes they point to."""
    subjects = {q.subject for q in quads}
    about = [q for s in subjects for q in store.quads_for_pattern(s, None, None, None) if q.graph_name not in inside]
    pointed = external_objects(quads + about) - subjects
    return [as_context(q) for q in about] + [as_context(q) for o in pointed for q in store.quads_for_pattern(o, None, None, None)]


def validate_document(store: ox.Store, graph: ox.NamedNode, shapes: Graph | None = None, inference: str = "none",
                      engine: str | None = None, source: str | None = None) -> ValidationResult:
    """Validate the nodes of one document graph, with what the other graphs say about them
    and about the nodes they point to."""
    quads = list(store.quads_for_pattern(None, None, None, graph))
    return validate_partition(quads, neighbourhood(store, quads, {graph}), shapes, inference, engine,
                              source=source)

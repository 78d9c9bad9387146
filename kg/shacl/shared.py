"""The graphs documents share, validated in pieces, and a whole store: each document, then those.

The shared graphs (SDG concepts, places, registry, relations) and the default graph
are validated once, with the types of the document nodes they point to, then the few
nodes described in more than one graph on the union of their descriptions. A large
corpus's shared graphs go through in pieces (:data:`SHARED_PIECE`); nodes with very
many values on one predicate go to pySHACL (:data:`FANOUT`). :func:`validate_store`
validates a build's output: each document graph (:mod:`kg.shacl.partition`), then
these.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pyoxigraph as ox
from rdflib import Graph

from kg.shacl.engines import default_engine
from kg.shacl.partition import (as_context, described_elsewhere, document_graphs, external_objects, types_of,
                                validate_document, validate_partition)
from kg.shacl.report import ValidationResult, merge_results


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
            context = [as_context(q) for node in pointed for q in by_subject.get(node, ())]
            # What the rest says of these nodes (an activity that kgo:supports a relation, read by
            # the relation's inverse path).
            inbound = [q for s in nodes for q in incoming.get(s, ()) if q.subject not in nodes]
            context += [as_context(q) for q in inbound]
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

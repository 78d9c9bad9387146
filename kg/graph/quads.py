"""Moving statements between rdflib and pyoxigraph without a text round trip.

The graph-building functions of :mod:`kg.graph.document` and :mod:`kg.graph.describe` add
rdflib triples to anything with ``add`` and ``identifier``. A corpus build does
not keep an rdflib graph per document (its in-memory store costs far more time
and memory than the statements): a :class:`QuadSink` collects them instead,
converts them to pyoxigraph quads and either keeps them or streams them into a
store, and pyoxigraph serialises them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node
from rdflib.namespace import RDF

RDF_TYPE = ox.NamedNode(str(RDF.type))


class Terms:
    """rdflib → pyoxigraph terms, remembering the IRIs it has already converted."""

    def __init__(self) -> None:
        self._memo: dict[str, ox.NamedNode] = {}

    def _iri(self, value: str) -> ox.NamedNode:
        found = self._memo.get(value)
        if found is None:
            found = self._memo[value] = ox.NamedNode(value)
        return found

    def __call__(self, term: Node):
        if type(term) is URIRef:
            return self._iri(term)
        if type(term) is Literal:
            if term.language:
                return ox.Literal(term, language=term.language)
            if term.datatype is not None:
                return ox.Literal(term, datatype=self._iri(term.datatype))
            return ox.Literal(term)
        return to_ox(term)

    def clear(self) -> None:
        self._memo.clear()


def to_ox(term: Node):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"not an RDF term: {term!r}")


class TripleSink:
    """A stand-in for an rdflib graph that only collects what the graph builders add: rdflib's
    terms, each statement once, in the order added, without the indexes of rdflib's store
    (a build in memory serialises them, :func:`kg.build.output.sorted_nquads`, and reads
    them back into pyoxigraph)."""

    def __init__(self, identifier: URIRef):
        self.identifier = identifier
        self._triples: dict[tuple[Node, Node, Node], None] = {}

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        self._triples[triple] = None

    def __iter__(self):
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)


class QuadSink:
    """A stand-in for an rdflib graph that the graph builders add to.

    Statements are kept as pyoxigraph quads in graph ``identifier``; with a
    ``store`` they are written to it every ``chunk`` statements instead, so a
    large graph never sits in memory whole.
    """

    def __init__(self, identifier: URIRef, store: ox.Store | None = None, chunk: int = 200_000,
                 terms: Terms | None = None):
        self.identifier = identifier
        self.graph_name = ox.NamedNode(str(identifier))
        self.store = store
        self.chunk = chunk
        self.terms = terms or Terms()
        self.quads: list[ox.Quad] = []
        self.count = 0
        self._seen: set[ox.Quad] = set()

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        term = self.terms
        quad = ox.Quad(term(triple[0]), term(triple[1]), term(triple[2]), self.graph_name)
        if quad in self._seen:
            return
        self._seen.add(quad)
        self.quads.append(quad)
        self.count += 1
        if self.store is not None and len(self.quads) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.store is not None and self.quads:
            self.store.bulk_extend(self.quads)
            self.quads = []
            self._seen.clear()

    def __len__(self) -> int:
        return self.count


def sorted_lines(quads: Iterable[ox.Quad]) -> bytes:
    """N-Quads of ``quads`` (serialised by pyoxigraph), one per line, sorted and unique:
    the same bytes as :func:`kg.build.output.sorted_nquads` gives for the same statements."""
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    lines = sorted({line for line in data.split(b"\n") if line})
    return b"\n".join(lines) + b"\n" if lines else b""


def store_of(triples: Iterable[tuple[Node, Node, Node]], store: ox.Store | None = None,
             graph: ox.NamedNode | None = None) -> ox.Store:
    """An in-memory pyoxigraph store holding ``triples`` (in ``graph``, default graph by default)."""
    store = store if store is not None else ox.Store()
    term = Terms()
    target = graph if graph is not None else ox.DefaultGraph()
    store.extend(ox.Quad(term(s), term(p), term(o), target) for s, p, o in triples)
    return store

"""The RDF exports of a store: N-Quads, Turtle and JSON-LD.

* N-Quads keep the named graphs (one per document, the reference graphs, the
  dataset description); lines are sorted and unique, like ``graph.nq``.
* Turtle has no graphs: the distinct triples of all graphs, sorted so the
  serialiser groups them by subject and the file is the same from run to run.
* JSON-LD keeps the named graphs and is compacted with kg's ``@context``
  (``ontology/context.jsonld``), which the document refers to by its IRI
  (:data:`~kg.namespaces.CONTEXT_IRI`), or carries inline if asked. JSON-LD
  node and value arrays have no order; kg sorts them so the file is
  deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph
from rdflib import Dataset

from kg.exports.context import shipped_context
from kg.namespaces import CONTEXT_IRI, PREFIXES

Quads = Iterable[pyoxigraph.Quad]


def nquads(quads: Quads) -> bytes:
    data = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS)
    lines = sorted({line for line in data.split(b"\n") if line.strip()})
    return b"\n".join(lines) + b"\n" if lines else b""


def sorted_triples(quads: Quads) -> list[pyoxigraph.Triple]:
    """The distinct triples of ``quads``, in a fixed order (subject, predicate, object)."""
    return sorted({quad.triple for quad in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def turtle(quads: Quads) -> bytes:
    return pyoxigraph.serialize(sorted_triples(quads), format=pyoxigraph.RdfFormat.TURTLE,
                                prefixes={prefix: str(ns) for prefix, ns in PREFIXES.items()})


def _canonical(value):
    """``value`` with every array sorted (by ``@id``, then canonical JSON) and every object's keys sorted."""
    if isinstance(value, dict):
        return {key: _canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return sorted(items, key=lambda item: (item.get("@id", "") if isinstance(item, dict) else "",
                                               json.dumps(item, ensure_ascii=False, sort_keys=True)))
    return value


def jsonld(quads: Quads, inline_context: bool = False) -> bytes:
    context = shipped_context()
    dataset = Dataset()
    dataset.parse(data=nquads(quads), format="nquads")
    document = json.loads(dataset.serialize(format="json-ld", context=context, auto_compact=True))
    body = _canonical({key: value for key, value in document.items() if key != "@context"})
    ordered = {"@context": context if inline_context else CONTEXT_IRI, **body}
    return (json.dumps(ordered, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

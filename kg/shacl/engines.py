"""The SHACL engines: pyshacl-turbo by default, pySHACL on request, the same shapes either way.

Two engines run the same shapes: pyshacl-turbo (a Rust SHACL engine with
pySHACL's API and SHACL-SPARQL support; the default, some fifteen times faster
than pySHACL on a report) and pySHACL itself (``--engine pyshacl`` or
``KG_SHACL_ENGINE=pyshacl``; also used for ``--inference rdfs``). The tests run
every shape's passing and failing case through both.

The data is validated as it is published: nothing is added to it (no ontology, no
inference). The shapes target and check the classes kg states on every node
(``kgo:Report`` and ``kgo:Article``, not their superclass ``kgo:Document``), so any
SHACL engine given the graph alone finds what kg finds. ``--inference rdfs``
(pySHACL) runs RDFS inference with the ontology as the ontology graph, on request.
Shapes an engine cannot use are one :class:`~kg.errors.DataError`, in pySHACL's words.
"""

from __future__ import annotations

import os
import re

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import DataError
from kg.graph.quads import from_ox, store_of
from kg.namespaces import bind_prefixes
from kg.resources import shipped
from kg.shacl.report import ValidationResult, validation_result
from kg.shacl.shapes import load_ontology, shipped_shapes


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
                from rdflib.plugins.sparql import prepareQuery

                prepared = self._prepared[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


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
    import pyshacl  # loaded only when needed: pyshacl-turbo validates by default

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


def _to_rdflib(store: ox.Store) -> Graph:
    work = _PreparedQueryGraph()
    bind_prefixes(work)
    for quad in store:
        work.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return work


def run_engine(store: ox.Store, shapes: Graph | None = None, focus: list | None = None, inference: str = "none",
         engine: str | None = None, source: str | None = None) -> ValidationResult:
    """Validate the union of the graphs of ``store`` as they are (nothing added); only the nodes
    in ``focus`` when given."""
    shapes = shapes if shapes is not None else shipped_shapes()
    engine = engine or default_engine()
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
        return validation_result(conforms, report, shapes)
    import pyshacl

    work = _to_rdflib(store)
    try:
        conforms, report, _ = pyshacl.validate(work, shacl_graph=shapes, inference=inference, advanced=True,
                                               ont_graph=load_ontology() if inference != "none" else None,
                                               inplace=True, allow_warnings=True, focus_nodes=focus_nodes)
    except Exception as exc:  # pySHACL reports bad shapes (e.g. an invalid SPARQL constraint) this way
        raise _bad_shapes(exc, source) from None
    return validation_result(conforms, report, shapes)


def validate_graph(data: Graph, shapes: Graph | None = None, inference: str = "none",
                   engine: str | None = None, source: str | None = None) -> ValidationResult:
    """Validate ``data`` (left untouched) against ``shapes`` (the shipped ones by default;
    ``source`` names where given shapes came from, for errors), all at once."""
    return run_engine(store_of(data), shapes, None, inference, engine, source)

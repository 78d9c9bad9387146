"""Writing query results: the SPARQL results formats (pyoxigraph's serialisers) or a table.

``csv``, ``tsv`` and ``json`` are the W3C SPARQL 1.1 results formats, written by
pyoxigraph; a graph (CONSTRUCT, DESCRIBE) is written as ``turtle``, ``ntriples``,
``jsonld`` or ``rdfxml``. ``table`` is for reading: IRIs shortened to CURIEs
(``kg:`` for the graph's own base IRI), literals shown as their text.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph
from rich.table import Table

from kg.errors import KgError
from kg.store.sparql import PREFIX_IRIS

SOLUTION_FORMATS = {
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "xml": pyoxigraph.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "rdfxml": pyoxigraph.RdfFormat.RDF_XML,
}
FORMATS = ("table", *SOLUTION_FORMATS, *GRAPH_FORMATS)


def compact(term, prefixes: Mapping[str, str]) -> str:
    """How a term reads in a table: a CURIE or <IRI>, a literal's text, _:b for a blank node."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        iri = term.value
        best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
        if best is not None:
            prefix = next(p for p, ns in prefixes.items() if ns == best)
            return f"{prefix}:{iri[len(best):]}"
        return f"<{iri}>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    return str(term)


def table(result, prefixes: Mapping[str, str], title: str | None = None) -> Table:
    out = Table(title=title, title_justify="left", show_lines=False)
    if isinstance(result, pyoxigraph.QuerySolutions):
        names = [v.value for v in result.variables]
        for name in names:
            out.add_column(name, overflow="fold")
        for row in result:
            out.add_row(*(compact(row[name], prefixes) for name in names))
    elif isinstance(result, pyoxigraph.QueryBoolean):
        out.add_column("answer")
        out.add_row("true" if bool(result) else "false")
    else:
        for name in ("subject", "predicate", "object"):
            out.add_column(name, overflow="fold")
        for triple in result:
            out.add_row(*(compact(t, prefixes) for t in (triple.subject, triple.predicate, triple.object)))
    return out


def serialise(result, fmt: str, prefixes: Mapping[str, str], output=None) -> bytes | None:
    """Write ``result`` in ``fmt`` to ``output`` (a binary stream), or return the bytes."""
    if isinstance(result, (pyoxigraph.QuerySolutions, pyoxigraph.QueryBoolean)):
        if fmt not in SOLUTION_FORMATS:
            raise KgError(f"--format {fmt} is for graphs; this query gives a table of results "
                          f"(use table, {', '.join(SOLUTION_FORMATS)})")
        return result.serialize(output, SOLUTION_FORMATS[fmt])
    if fmt not in GRAPH_FORMATS:
        raise KgError(f"--format {fmt} is for tables; this query gives a graph "
                      f"(use table, {', '.join(GRAPH_FORMATS)})")
    # Only the standard prefixes: kg: would need escaped slashes in prefixed names.
    # Sorted, so the same graph is always written the same way.
    triples = sorted(result, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return pyoxigraph.serialize(triples, output, GRAPH_FORMATS[fmt], prefixes=dict(PREFIX_IRIS))

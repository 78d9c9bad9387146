"""What validation checks against: the SHACL shapes in ``shapes/`` (or given ones) and the ontology.

Shapes are read from files or folders of ``*.ttl``; :func:`check_shapes` checks a
shapes graph against SHACL's own shapes for shapes, on request. The ontology
(``ontology/*.ttl``) is mixed into the data so that its subclass axioms are there for
``sh:class`` (see :mod:`kg.shacl.engines`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, SH

from kg.errors import DataError
from kg.rdfio import parse_into
from kg.resources import shipped
from kg.shacl.report import shorten


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
    detail = f"{shorten(path, shapes)} {value!s}: " if path is not None else ""
    raise DataError(f"not valid SHACL ({len(results)} problem(s); first: {detail}"
                    f"{report.value(first, SH.resultMessage)})", path=source)


@cache
def shipped_shapes() -> Graph:
    return load_shapes()


@cache
def load_ontology() -> Graph:
    ontology = Graph()
    for path in sorted(shipped("ontology").glob("*.ttl")):
        parse_into(ontology, path, DataError)
    return ontology

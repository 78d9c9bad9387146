"""``kg validate``: a build's output or RDF files checked against the SHACL shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli.console import console


def validate(
    graphs: Annotated[Optional[list[Path]], typer.Argument(
        help="A build's output directory (its store, else its graph.nq) or graph files (.nq, .trig, "
             ".ttl, .nt, .jsonld), validated together. Default: out/.", show_default=False)] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write the SHACL validation report "
                                                   "graph (Turtle) to this file.")] = None,
    shapes: Annotated[Optional[list[Path]], typer.Option("--shapes", help="Shape files to use instead of "
                                                         "the shipped shapes/ (repeatable).")] = None,
    inference: Annotated[str, typer.Option("--inference", help="Inference before validating: none or rdfs "
                                           "(with the ontology; runs pySHACL).")] = "none",
    engine: Annotated[Optional[str], typer.Option("--engine", help="SHACL engine: turbo (pyshacl-turbo) or "
                                                  "pyshacl. Default: KG_SHACL_ENGINE, else turbo. Shared nodes "
                                                  "with over 500 values on one property (kg's graphs have none) "
                                                  "are checked by pySHACL either way.",
                                                  show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", help="Results shown per shape.")] = 20,
    check_shapes: Annotated[bool, typer.Option("--check-shapes", help="First check the --shapes files "
                                               "themselves against SHACL's shapes for shapes (slow for "
                                               "large files).")] = False,
) -> None:
    """Check graphs against the SHACL shapes: exit status 0 if they conform, 1 if not.
    The report groups results by shape, with the focus node, path, value and message.
    Document graphs are validated one at a time (with the types of what they link to),
    then the shared graphs, so a large store validates in time linear in its size."""
    from kg.build.output import atomic_write
    from kg.errors import DataError
    from kg.shacl.engines import ENGINES
    from kg.shacl.report import format_report
    from kg.shacl.shapes import load_shapes
    from kg.shacl.shapes import check_shapes as check_shapes_graph
    from kg.shacl.shared import validate_store
    from kg.store.open import open_store

    if inference not in ("none", "rdfs"):
        raise DataError(f"--inference must be none or rdfs, not {inference!r}")
    if engine is not None and engine not in ENGINES:
        raise DataError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    paths = graphs or [Path("out")]
    if len(paths) == 1 and paths[0].is_dir():
        store = open_store(paths[0])
    else:  # rdflib reads the files, as it always has: its errors name the file and line
        import pyoxigraph

        from kg.rdfio import load_dataset

        store = pyoxigraph.Store()
        store.load(load_dataset(paths).serialize(format="nquads", encoding="utf-8"),
                   format=pyoxigraph.RdfFormat.N_QUADS)
    shapes_graph = load_shapes(shapes) if shapes else None
    source = ", ".join(map(str, shapes)) if shapes else None
    if check_shapes and shapes_graph is not None:
        check_shapes_graph(shapes_graph, source)
    result = validate_store(store, shapes_graph, inference=inference, engine=engine, source=source)
    for line in format_report(result, limit=limit):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if report is not None:
        atomic_write(report, result.report.serialize(format="turtle", encoding="utf-8"))
        console.print(f"report: {report}", highlight=False)
    raise typer.Exit(0 if result.conforms else 1)

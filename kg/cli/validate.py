"""``kg validate``: a build's output or RDF files checked against the SHACL shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli.console import console, note, printable


def validate(
    graphs: Annotated[Optional[list[Path]], typer.Argument(
        help="A build's output directory (its store, else its graph.nq) or graph files (.nq, .trig, "
             ".ttl, .nt, .jsonld), validated together. Default: out/.", show_default=False)] = None,
    report: Annotated[Optional[str], typer.Option("--report", help="Write the SHACL validation report "
                                                  "graph (Turtle) to this file ('-': standard output, after "
                                                  "the summary).")] = None,
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

    from kg.errors import KgError

    if report is not None and not report.strip():
        raise KgError("--report must name a file, or '-' for standard output (it is empty)")
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
    if shapes_graph is not None:
        refuse_service(shapes_graph, source)
    if check_shapes and shapes_graph is not None:
        check_shapes_graph(shapes_graph, source)
    result = validate_store(store, shapes_graph, inference=inference, engine=engine, source=source)
    for line in format_report(result, limit=limit):
        console.print(printable(line), soft_wrap=True)
    if report == "-":
        import sys

        console.file.flush()
        sys.stdout.buffer.write(result.report.serialize(format="turtle", encoding="utf-8"))
        sys.stdout.buffer.flush()
    elif report is not None:
        atomic_write(Path(report), result.report.serialize(format="turtle", encoding="utf-8"))
        note(f"report: {report}")
    raise typer.Exit(0 if result.conforms else 1)


def refuse_service(shapes, source: str | None) -> None:
    """Refuse shapes whose SPARQL kg would refuse as a query: SERVICE (a SHACL engine would run it,
    and fetch whatever it names, as kg's user), updates, nesting deep enough to crash a parser."""
    from rdflib import URIRef
    from rdflib.namespace import SH

    from kg.errors import KgError
    from kg.store.sparql import Refused, check_query

    for predicate in (SH.select, SH.ask, SH.construct):
        for node, text in shapes.subject_objects(predicate):
            try:
                check_query(str(text))
            except Refused as refused:
                shape = shapes.value(predicate=SH.sparql, object=node) or shapes.value(predicate=SH.target,
                                                                                      object=node)
                named = f"shape <{shape}>" if isinstance(shape, URIRef) else "a shape"
                raise KgError(f"the shapes cannot be used: the SPARQL of {named} is refused: {refused.message}",
                              path=source) from None
            except KgError:
                pass  # what does not parse is the engine's to report, as before

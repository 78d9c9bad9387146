"""``kg query``, ``kg queries`` and ``kg serve``: asking the built graph, from the command line or over HTTP."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from kg.cli.console import console, err_console
from kg.errors import KgError


def query(
    name: Annotated[Optional[str], typer.Argument(help="A stored query (see `kg queries`).",
                                                  show_default=False)] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="A parameter, NAME=VALUE "
                                                       "(repeatable); see docs/queries.md for how values are read.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, tsv, json or xml for a table of "
                                     "results; table, turtle, ntriples, jsonld or rdfxml for a graph.")] = "table",
    file: Annotated[Optional[Path], typer.Option("--file", help="Run your own SPARQL query from this file.")] = None,
    graph: Annotated[Path, typer.Option("--from", "--graph", "-g", help="The build output to ask (a directory from "
                                        "`kg build`, a store or an RDF file).")] = Path("out"),
) -> None:
    """Run a stored SPARQL query (or your own, --file) over the built graph. Parameters are bound as RDF
    terms, never spliced into the query."""
    from kg.store.binding import parse_assignments, run
    from kg.store.open import open_store
    from kg.store.queries import parse_query_file, stored_query
    from kg.store.results import FORMATS, serialise, table

    if (name is None) == (file is None):
        raise KgError("give the name of a stored query or --file FILE (`kg queries` lists the stored queries)")
    if fmt not in FORMATS:
        raise KgError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    stored = file is None
    chosen = stored_query(name) if stored else parse_query_file(file, require_header=False)
    values = parse_assignments(param or [])
    result, prefixes = run(open_store(graph), chosen, values, stored=stored)
    if fmt == "table":
        console.print(table(result, prefixes), soft_wrap=False)
    else:
        sys.stdout.buffer.write(serialise(result, fmt, prefixes))
        sys.stdout.buffer.flush()


def queries(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print queries/README.md (the list of stored "
                                           "queries) instead of a table.")] = False,
) -> None:
    """List the stored queries with the question each answers."""
    from kg.store.queries import catalogue, readme

    found = catalogue()
    if markdown:
        sys.stdout.write(readme(found))
        return
    listing = Table(title=f"{len(found)} stored queries (run one with `kg query NAME`)", title_justify="left")
    for column in ("query", "question", "parameters"):
        listing.add_column(column, overflow="fold")
    for stored in found.values():
        listing.add_row(stored.name, stored.question, " ".join(p.name for p in stored.parameters))
    console.print(listing)


def serve(
    graph: Annotated[Path, typer.Option("--from", "--graph", "-g", help="The build output to serve (a directory from "
                                        "`kg build`, a store or an RDF file).")] = Path("out"),
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but a loopback "
                                      "address makes the endpoint reachable from other machines.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0: any free port).")] = 7878,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a query may run before it is "
                                           "stopped (503).")] = 10.0,
    max_result_bytes: Annotated[int, typer.Option("--max-result-bytes", help="Largest answer, serialised, "
                                                  "in bytes (bigger ones get 422).")] = 16 * 1024 * 1024,
    max_query_bytes: Annotated[int, typer.Option("--max-query-bytes", help="Longest query text, in bytes "
                                                 "(longer ones get 413).")] = 64 * 1024,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes answering queries.")] = 2,
    max_pending: Annotated[int, typer.Option("--max-pending", help="Queries waiting or running at once "
                                             "(more get 503).")] = 64,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request.")] = False,
    allow_host: Annotated[Optional[list[str]], typer.Option(
        "--allow-host", help="Also answer requests whose Host header gives this name (repeatable; a proxy's "
        "public name, or * for any). By default only the names of the address it listens on are answered, so "
        "a web page cannot reach it through a name of its own (DNS rebinding).", show_default=False)] = None,
) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 endpoint at /sparql (updates, LOAD and SERVICE
    are refused; query time and result size are bounded). Stop it with Ctrl-C."""
    from kg.store.serve import Limits
    from kg.store.serve import serve as run_server

    def announce(url: str, loopback: bool) -> None:
        err_console.print(f"kg serve: read-only SPARQL endpoint at {url} (Ctrl-C stops it)",
                          highlight=False, markup=False)
        if not loopback:
            err_console.print(f"warning: {host} is not a loopback address: other machines can query this endpoint",
                              style="yellow", highlight=False, markup=False)

    limits = Limits(timeout=timeout, max_result_bytes=max_result_bytes, max_query_bytes=max_query_bytes,
                    workers=workers, max_pending=max_pending)
    run_server(graph, host=host, port=port, limits=limits, access_log=access_log, announce=announce,
               allow_hosts=tuple(allow_host or ()))
    err_console.print("kg serve: stopped", highlight=False, markup=False)

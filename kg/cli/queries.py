"""``kg query``, ``kg queries`` and ``kg serve``: asking the built graph, from the command line or over HTTP."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from kg.cli.console import console, note, printable, printable_table, state, warning
from kg.errors import KgError


MAX_QUERY_FILE = 2**20  # bytes of a query file (--file): more than any real query


def query(
    name: Annotated[Optional[str], typer.Argument(help="A stored query (see `kg queries`).",
                                                  show_default=False)] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="A parameter, NAME=VALUE "
                                                       "(repeatable); see docs/queries.md for how values are read.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, tsv, json or xml for a table of "
                                     "results; table, turtle (ttl), ntriples (nt), nquads (nq), trig, jsonld or "
                                     "rdfxml for a graph (the spellings `kg export` accepts too).")] = "table",
    file: Annotated[Optional[Path], typer.Option("--file", help="Run your own SPARQL query from this file.")] = None,
    graph: Annotated[Path, typer.Option("--from", "--graph", "-g", help="The build output to ask (a directory from "
                                        "`kg build`, a store or an RDF file).")] = Path("out"),
) -> None:
    """Run a stored SPARQL query (or your own, --file) over the built graph. Parameters are bound as RDF
    terms, never spliced into the query. Ctrl-C stops a query however long it runs."""
    import os

    from kg.cli.formats import query_format
    from kg.processes import run_on_deep_stack
    from kg.reader.source import read_bounded
    from kg.store.binding import parse_assignments, run
    from kg.store.open import open_store
    from kg.store.queries import parse_query_file, stored_query

    if (name is None) == (file is None):
        raise KgError("give the name of a stored query or --file FILE (`kg queries` lists the stored queries)")
    fmt = query_format(fmt)
    for given in param or []:
        if any(0xD800 <= ord(c) <= 0xDFFF for c in given):
            raise KgError(f"--param {printable(given)}: not UTF-8 text (write the value in UTF-8)")
    stored = file is None
    if file is not None:
        read_bounded(file, MAX_QUERY_FILE, what="query file")  # a FIFO, a device or a huge file: one line
    chosen = stored_query(name) if stored else parse_query_file(file, require_header=False)
    values = parse_assignments(param or [])
    store = open_store(graph)

    def answer() -> None:
        result, prefixes = run(store, chosen, values, stored=stored)
        write_result(result, prefixes, fmt)

    try:
        # On a deep stack (a long flat query recurses deep in pyoxigraph), waited for in a way
        # Ctrl-C and SIGTERM can interrupt at once, however long the query runs.
        run_on_deep_stack(answer)
    except KeyboardInterrupt:
        try:
            print("kg: interrupted", file=sys.__stderr__, flush=True)
        finally:
            os._exit(130)  # the query's thread cannot be stopped; the process can


def write_result(result, prefixes, fmt: str) -> None:
    """Write a query's result to standard output in ``fmt`` (a name of kg.cli.formats.QUERY_NAMES)."""
    import pyoxigraph

    from kg.store.results import serialise, table

    if fmt == "table":
        console.print(printable_table(table(result, prefixes)), soft_wrap=False)
        return
    if fmt in ("nquads", "trig"):
        if not isinstance(result, pyoxigraph.QueryTriples):
            raise KgError(f"--format {fmt} is for graphs; this query gives a table of results "
                          "(use table, csv, tsv, json or xml)")
        # A graph's triples are N-Quads and TriG as they are N-Triples and Turtle (in the default graph).
        fmt = {"nquads": "ntriples", "trig": "turtle"}[fmt]
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
    console.print(printable_table(listing))


def serve(
    graph: Annotated[Path, typer.Option("--from", "--graph", "-g", help="The build output to serve (a directory from "
                                        "`kg build`, a store or an RDF file).")] = Path("out"),
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but a loopback "
                                      "address makes the endpoint reachable from other machines.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on, 0 to 65535 (0: any free port).")] = 7878,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a query may run before it is "
                                           "stopped (503).")] = 10.0,
    max_result_bytes: Annotated[int, typer.Option("--max-result-bytes", help="Largest answer, serialised, "
                                                  "in bytes (bigger ones get 422).")] = 16 * 1024 * 1024,
    max_query_bytes: Annotated[int, typer.Option("--max-query-bytes", help="Longest query text, in bytes "
                                                 "(longer ones get 413).")] = 64 * 1024,
    max_memory: Annotated[int, typer.Option("--max-memory", metavar="MIB", help="Memory a worker may take, in "
                                            "MiB, beyond what holding the graph takes; a query that needs more "
                                            "is stopped (503).")] = 1024,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes answering queries.")] = 2,
    max_pending: Annotated[int, typer.Option("--max-pending", help="Queries waiting or running at once "
                                             "(more get 503).")] = 64,
    per_client: Annotated[Optional[int], typer.Option(
        "--per-client", help="Queries one client address may have running at once (the rest wait). "
        "Default: one worker fewer than --workers, at least 1.", show_default=False)] = None,
    request_timeout: Annotated[float, typer.Option("--request-timeout", help="Seconds a client has to send a "
                                                   "request's headers, and again its body (then 408 or closed)."
                                                   )] = 10.0,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request.")] = False,
    allow_host: Annotated[Optional[list[str]], typer.Option(
        "--allow-host", help="Also answer requests whose Host header gives this name (repeatable; a proxy's "
        "public name, or * for any). By default only the names of the address it listens on are answered, so "
        "a web page cannot reach it through a name of its own (DNS rebinding).", show_default=False)] = None,
    cors_origin: Annotated[Optional[list[str]], typer.Option(
        "--cors-origin", help="Web origins whose pages may read the answers (CORS; repeatable). Default: any "
        "(*), so browser tools such as YASGUI can use the endpoint; 'none': no CORS headers.",
        show_default=False)] = None,
) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 endpoint at /sparql (updates, LOAD and SERVICE
    are refused; query time, memory and result size are bounded; GET without a query gives its service
    description). Stop it with Ctrl-C."""
    from kg.store.serve import Limits
    from kg.store.serve import serve as run_server

    def announce(url: str, loopback: bool) -> None:
        note(f"kg serve: read-only SPARQL endpoint at {url} (Ctrl-C stops it)")
        if not loopback:
            warning(f"{host} is not a loopback address: other machines can query this endpoint")

    origins = tuple(cors_origin) if cors_origin else ("*",)
    if any(o.strip().lower() == "none" for o in origins):
        origins = ()
    limits = Limits(timeout=timeout, max_result_bytes=max_result_bytes, max_query_bytes=max_query_bytes,
                    workers=workers, max_pending=max_pending, max_memory=max_memory * 2**20,
                    request_timeout=request_timeout, per_client=per_client)
    run_server(graph, host=host, port=port, limits=limits, access_log=access_log, announce=announce,
               allow_hosts=tuple(allow_host or ()), cors_origins=origins, log=lambda line: note(f"kg serve: {line}"),
               quiet_workers=not state["debug"])
    note("kg serve: stopped")

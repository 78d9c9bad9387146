"""The ``kg`` command line."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from kg import __version__
from kg.errors import KgError
from kg.namespaces import DEFAULT_BASE_IRI
from kg.reader.source import DEFAULT_MAX_MIB

app = typer.Typer(
    name="kg",
    help="Build an RDF knowledge graph from the UN system's SDG reporting "
         "(WIPO's CDIP reports and similar documents).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

console = Console()
err_console = Console(stderr=True, soft_wrap=True)
_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks for errors.")] = False,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    _state["debug"] = debug


class _Bars:
    """A progress bar per document (read, NLP, linking, graph) on a terminal; silent otherwise."""

    def __init__(self, console: Console):
        self.progress = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=console,
                                     disable=not console.is_terminal)
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def start(self, name: str, total: int) -> None:
        self.task = self.progress.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        self.progress.advance(self.task, steps)

    def finish(self) -> None:
        self.progress.update(self.task, completed=self.progress.tasks[self.task].total)


class Format(str, Enum):
    """How ``kg build`` reads its files (kg/reader/select.py)."""

    auto = "auto"
    report = "report"
    article = "article"


@app.command()
def build(
    files: Annotated[Optional[list[Path]], typer.Argument(
        help="Report files or folders of them (*.txt). Default: the embedded CDIP/32/3 report "
             "(Chinese edition).", show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path("out"),
    base_iri: Annotated[str, typer.Option("--base-iri", envvar="KG_BASE_IRI",
                                          help="Base IRI of the resources kg mints.")] = DEFAULT_BASE_IRI,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary table.")] = False,
    validate: Annotated[bool, typer.Option("--validate/--no-validate",
                                           help="Check the graph against the SHACL shapes before writing it.")] = True,
    allow_invalid: Annotated[bool, typer.Option("--allow-invalid",
                                                help="Write the graph even if it does not conform.")] = False,
    store: Annotated[Optional[bool], typer.Option(
        "--store/--memory", help="Build into an on-disk store (OUT/store) or in memory (OUT/graph.nq, "
        "OUT/graph.ttl). Default: in memory up to 10 documents and one job, else the store.",
        show_default=False)] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1,
                                      help="Processes building documents in parallel (store builds).")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Rebuild every document, even those unchanged "
                                        "since the last build into OUT.")] = False,
    timings: Annotated[Optional[Path], typer.Option("--timings", help="Write the CPU seconds spent in each "
                                                    "stage, and those of the build process and of its "
                                                    "workers, to this JSON file.")] = None,
    format: Annotated[Format, typer.Option("--format", case_sensitive=False,
                                           help="How to read the files: auto (by their layout), report (numbered "
                                             "paragraphs) or article (title and unnumbered paragraphs).")] = Format.auto,
    export: Annotated[Optional[list[str]], typer.Option(
        "--export", help="Also export the graph in this format into OUT (repeatable; see `kg export`).",
        show_default=False)] = None,
    max_size: Annotated[int, typer.Option("--max-size", envvar="KG_MAX_SIZE", min=1, metavar="MIB",
                                          help="Refuse report files larger than this many MiB "
                                               "(bounds the memory a build needs).")] = DEFAULT_MAX_MIB,
) -> None:
    """Build the knowledge graph, each document into its own named graph. Up to 10 documents
    (or --memory) write OUT/graph.nq (sorted N-Quads), OUT/graph.ttl, OUT/report.json and
    OUT/unregistered.csv (organisations found in the text that the registry lacks, for a
    curator to add). More, --jobs 2 or more, or --store write OUT/store (an on-disk pyoxigraph store),
    OUT/report.json, OUT/unregistered.csv and OUT/documents/ (what a rebuild needs to skip
    the unchanged documents). A document that fails is reported and left out; the exit
    status is then non-zero. An interrupted or failed build leaves the previous outputs as
    they were."""
    import json

    from kg.build.output import atomic_write
    from kg.build.result import BuildFailed
    from kg.build.run import build as run_build
    from kg.exports import check_format

    for name in export or []:
        check_format(name)
    try:
        with _Bars(err_console) as bars:
            result = run_build(files or [], out, base_iri=base_iri, progress=bars, validate=validate,
                               allow_invalid=allow_invalid, format=format.value, exports=export or [],
                               store=store, jobs=jobs, force=force, max_bytes=max_size * 2**20)
    except BuildFailed as error:
        if _state["debug"]:
            raise
        for failure in error.failures:
            err_console.print(f"kg: error: {failure}", style="red", highlight=False, markup=False)
        raise typer.Exit(error.exit_code)
    for warning in result.warnings:
        err_console.print(f"warning: {warning}", style="yellow", highlight=False, markup=False)
    if timings is not None:
        import resource

        # Who spent the CPU time, beside which stage: what the stages do not cover (start-up,
        # passing results between processes, the kernel's share) shows as the difference.
        usage = {who: resource.getrusage(which) for who, which in
                 (("build", resource.RUSAGE_SELF), ("workers", resource.RUSAGE_CHILDREN))}
        body = {"seconds": result.seconds, "documents": len(result.documents), "skipped": result.skipped,
                "triples": result.triples, "stages": dict(sorted(result.timings.items())),
                "processes": {who: {"user": u.ru_utime, "system": u.ru_stime} for who, u in usage.items()}}
        atomic_write(timings, (json.dumps(body, indent=2) + "\n").encode("utf-8"))
    if not quiet:
        console.print(summary_table(result))
    for failure in result.failures:
        err_console.print(f"kg: error: {failure}", style="red", highlight=False, markup=False)
    if result.failures:
        raise typer.Exit(max(f.exit_code for f in result.failures))


LABELS = (("TARGET", "SDG targets"), ("GOAL", "SDG goals"), ("COUNTRY", "countries"), ("REGION", "regions"),
          ("ORG", "organisations"), ("PROGRAMME", "programmes"))


def summary_table(result) -> Table:
    """What a build made: one column per document (up to five, then only the total)."""
    documents = result.documents if len(result.documents) <= 5 else []
    table = Table(title=f"kg build: {len(result.documents)} document(s)", title_justify="left")
    table.add_column("")
    for d in documents:
        table.add_column(d.file, justify="right", overflow="fold")
    if len(result.documents) != 1:
        table.add_column("all", justify="right", overflow="fold")

    def row(name: str, values: list[int]) -> None:
        cells = [str(v) for v in values]
        if len(result.documents) != 1:
            cells = cells[:len(documents)] + [str(sum(values))]
        table.add_row(name, *cells)

    row("paragraphs", [d.paragraphs for d in result.documents])
    for label, name in LABELS:
        row(f"mentions: {name}", [d.mention_counts().get(label, 0) for d in result.documents])
    row("unregistered organisations", [len(d.unregistered) for d in result.documents])
    row("warnings", [len(d.warnings) for d in result.documents])
    row("triples (document graph)", [d.triples for d in result.documents])
    table.add_section()
    span = len(documents) + (len(result.documents) != 1)
    if result.validation is not None:
        verdict = "conforms" if result.validation.conforms else f"{len(result.validation.violations)} violation(s)"
        table.add_row("SHACL validation", *([""] * (span - 1)), verdict)
    table.add_row("triples (all graphs)", *([""] * (span - 1)), str(result.triples))
    if result.skipped:
        table.add_row("unchanged (not rebuilt)", *([""] * (span - 1)), str(result.skipped))
    if result.failures:
        table.add_row("failed (left out)", *([""] * (span - 1)), str(len(result.failures)))
    if result.outputs:
        table.add_row("output directory", *([""] * (span - 1)), str(result.outputs[0].parent))
        table.add_row("output files", *([""] * (span - 1)), "\n".join(p.name for p in result.outputs))
    table.add_row("seconds", *([""] * (span - 1)), f"{result.seconds:.2f}")
    return table


@app.command()
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


@app.command()
def docs(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the page.")] = Path("docs/model.md"),
    context: Annotated[Path, typer.Option("--context", help="Where to write the JSON-LD context.")] = Path(
        "ontology/context.jsonld"),
) -> None:
    """Generate the data-model page (tables and a diagram) and the JSON-LD context from ontology/kg.ttl."""
    from kg.build.output import atomic_write
    from kg.exports.context import render_context
    from kg.exports.model_page import render_model_page

    atomic_write(out, render_model_page().encode("utf-8"))
    console.print(f"wrote {out}", highlight=False)
    atomic_write(context, render_context().encode("utf-8"))
    console.print(f"wrote {context}", highlight=False)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="gexf, graphml, csv, jsonld, ttl, nq or dcat.",
                                        show_default=False)],
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="The file to write (for csv: the stem of the -nodes.csv and -edges.csv pair; "
                            "a directory: the default names in it; '-': standard output). "
                            "Default: the default names in the --from directory.", show_default=False)] = None,
    source: Annotated[Path, typer.Option("--from", help="A build's output directory, an on-disk store or an "
                                         "RDF file.")] = Path("out"),
    node_types: Annotated[Optional[str], typer.Option(
        "--node-types", help="Network formats: the node types to keep, comma-separated (programme, organisation, "
                             "country, region, country-group, goal, target). Default: all.",
        show_default=False)] = None,
    min_weight: Annotated[int, typer.Option("--min-weight", help="Network formats: leave out edges supported "
                                            "by fewer activities.")] = 1,
    label_language: Annotated[str, typer.Option("--label-language", help="Network formats: the language of "
                                                "node labels (zh or en).")] = "en",
    inline_context: Annotated[bool, typer.Option("--inline-context", help="JSON-LD: carry the @context in the "
                                                 "file instead of referring to its IRI.")] = False,
) -> None:
    """Export a build's graph for other tools: Gephi (gexf), network tools (graphml, csv), linked-data
    stores and catalogues (nq, ttl, jsonld, each with a DCAT/VoID dataset description; dcat: the
    description alone). See docs/exports.md."""
    from kg.build.output import atomic_write
    from kg.exports import NETWORK_FORMATS, Exporter, check_format
    from kg.exports.config import network_style
    from kg.exports.network import Projection, check_projection
    from kg.store.open import GRAPH_FILE, STORE_DIR, open_store

    fmt = check_format(format)
    types = tuple(t.strip() for t in node_types.split(",") if t.strip()) if node_types is not None else None
    projection = Projection(types, min_weight, label_language)
    if fmt.name in NETWORK_FORMATS:
        check_projection(projection, network_style())
    to_stdout = out is not None and str(out) == "-"
    if to_stdout and len(fmt.files) > 1:
        raise KgError(f"{fmt.name} writes {len(fmt.files)} files: give --out a file stem, not '-'")
    exporter = Exporter(open_store(source), projection, inline_context)
    # Next to the build's files: in its output directory, beside a store or RDF file given directly.
    is_output = source.is_dir() and ((source / GRAPH_FILE).is_file() or (source / STORE_DIR).is_dir())
    directory = source if is_output else source.parent
    files = exporter.files(fmt.name, None if to_stdout else out, directory)
    if to_stdout:
        sys.stdout.buffer.write(files[0][1])
        return
    for path, data in files:
        atomic_write(path, data)
    detail = ""
    if fmt.name in NETWORK_FORMATS:
        detail = f" ({exporter.network.number_of_nodes()} nodes, {exporter.network.number_of_edges()} edges)"
    err_console.print(f"wrote {', '.join(str(p) for p, _ in files)}{detail}", highlight=False)


@app.command()
def publish(
    endpoint: Annotated[str, typer.Option("--endpoint", help="The Graph Store HTTP Protocol URL (Oxigraph: "
                                          "http://HOST:PORT/store; Fuseki: http://HOST:PORT/DATASET/data).",
                                          show_default=False)],
    graph: Annotated[Optional[list[str]], typer.Option(
        "--graph", help="Send only this named graph (repeatable). Default: every graph of the build and the "
                        "dataset description.", show_default=False)] = None,
    source: Annotated[Path, typer.Option("--from", help="A build's output directory, an on-disk store or an "
                                         "RDF file.")] = Path("out"),
    user: Annotated[Optional[str], typer.Option("--user", envvar="KG_PUBLISH_USER",
                                                help="User name for HTTP Basic authentication.",
                                                show_default=False)] = None,
    password: Annotated[Optional[str], typer.Option("--password", envvar="KG_PUBLISH_PASSWORD",
                                                    help="Password for HTTP Basic authentication (better: the "
                                                         "KG_PUBLISH_PASSWORD environment variable).",
                                                    show_default=False)] = None,
    token_env: Annotated[Optional[str], typer.Option(
        "--token-env", help="The environment variable holding a bearer token (default: KG_PUBLISH_TOKEN, if set).",
        show_default=False)] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for each graph.")] = 120.0,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be sent; send nothing.")] = False,
) -> None:
    """Send each named graph of a build (one per document, the reference graphs, the dataset
    description) to a SPARQL 1.1 Graph Store endpoint with PUT, replacing what the store had in
    that graph: publishing twice gives the same store as publishing once."""
    import os

    from kg.exports import Exporter
    from kg.exports.publish import Credentials, publish as send
    from kg.store.open import open_store

    token = None
    if token_env is not None:
        token = os.environ.get(token_env)
        if not token:
            raise KgError(f"the environment variable {token_env} holds no token")
    elif os.environ.get("KG_PUBLISH_TOKEN"):
        token = os.environ["KG_PUBLISH_TOKEN"]
    exporter = Exporter(open_store(source))
    sent = send(exporter.quads(), endpoint, graph, Credentials(user, password, token), timeout, dry_run)
    for item in sent:
        verb = "would send" if item.status is None else f"sent (HTTP {item.status})"
        console.print(f"{verb}: <{item.graph}> {item.triples} triples", highlight=False, soft_wrap=True)


@app.command()
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


@app.command()
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


@app.command()
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


# Typer 0.2x parses with a click of its own (typer._click): a bad option raises its
# exceptions, not click's.
_USAGE_ERRORS = tuple({click.ClickException, getattr(getattr(typer, "_click", None), "ClickException",
                                                     click.ClickException)})


def _terminate(signum, frame) -> None:
    # A `kill` stops a build the way Ctrl-C does: staged outputs are removed, earlier ones kept.
    raise KeyboardInterrupt


def main() -> None:
    """Console entry point: user errors are one line on stderr and exit status 2."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        # Without standalone mode click returns (rather than raises) the status of typer.Exit.
        status = app(standalone_mode=False)
        if status == 130:  # typer's word for a KeyboardInterrupt (Ctrl-C, or SIGTERM: see _terminate)
            print("kg: interrupted; earlier outputs are unchanged", file=sys.__stderr__, flush=True)
        if isinstance(status, int) and status:
            sys.exit(status)
    except KgError as error:
        if _state["debug"]:
            raise
        err_console.print(f"kg: error: {error}", style="red", highlight=False, markup=False)
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exc:
        if exc.exit_code == 130:  # typer's word for a KeyboardInterrupt
            print("kg: interrupted; earlier outputs are unchanged", file=sys.__stderr__, flush=True)
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        # Plain stderr: the interruption may have come while rich's live display held it.
        print("kg: interrupted; earlier outputs are unchanged", file=sys.__stderr__, flush=True)
        sys.exit(130)
    except _USAGE_ERRORS as exc:
        exc.show()
        sys.exit(exc.exit_code)


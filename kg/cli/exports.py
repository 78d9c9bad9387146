"""``kg docs``, ``kg export`` and ``kg publish``: the model page and context, the graph for other tools, a Graph Store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli.console import console, err_console, note, printable
from kg.errors import KgError


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
    console.print(printable(f"wrote {out}"))
    atomic_write(context, render_context().encode("utf-8"))
    console.print(printable(f"wrote {context}"))


def export(
    format: Annotated[str, typer.Option("--format", "-f", help="gexf, graphml, csv, jsonld, ttl (turtle), nq "
                                        "(nquads) or dcat (the spellings `kg query` accepts too).",
                                        show_default=False)],
    out: Annotated[Optional[str], typer.Option(
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
    inferred: Annotated[bool, typer.Option("--inferred", help="Network formats: add the programme–goal and "
                                           "–target edges kg infers from the words of the text, flagged "
                                           "(edge attribute inferred).")] = False,
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

    from kg.cli.formats import export_format

    fmt = check_format(export_format(format))
    if out is not None and not out.strip():
        raise KgError("--out must name a file or directory, or '-' for standard output (it is empty)")
    types = tuple(t.strip() for t in node_types.split(",") if t.strip()) if node_types is not None else None
    projection = Projection(types, min_weight, label_language, inferred)
    if fmt.name in NETWORK_FORMATS:
        check_projection(projection, network_style())
    to_stdout = out == "-"
    if to_stdout and len(fmt.files) > 1:
        raise KgError(f"{fmt.name} writes {len(fmt.files)} files: give --out a file stem, not '-'")
    exporter = Exporter(open_store(source), projection, inline_context)
    # Next to the build's files: in its output directory, beside a store or RDF file given directly.
    is_output = source.is_dir() and ((source / GRAPH_FILE).is_file() or (source / STORE_DIR).is_dir())
    directory = source if is_output else source.parent
    files = exporter.files(fmt.name, None if to_stdout or out is None else Path(out), directory)
    if to_stdout:
        sys.stdout.buffer.write(files[0][1])
        return
    for path, data in files:
        atomic_write(path, data)
    detail = ""
    if fmt.name in NETWORK_FORMATS:
        detail = f" ({exporter.network.number_of_nodes()} nodes, {exporter.network.number_of_edges()} edges)"
    note(f"wrote {', '.join(str(p) for p, _ in files)}{detail}")


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
                                                help="User name for HTTP authentication (Digest or Basic, as "
                                                     "the server asks).",
                                                show_default=False)] = None,
    password: Annotated[Optional[str], typer.Option("--password", envvar="KG_PUBLISH_PASSWORD",
                                                    help="Password for HTTP authentication (better: the "
                                                         "KG_PUBLISH_PASSWORD environment variable).",
                                                    show_default=False)] = None,
    token_env: Annotated[Optional[str], typer.Option(
        "--token-env", help="The environment variable holding a bearer token (default: KG_PUBLISH_TOKEN, if set).",
        show_default=False)] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="The most seconds one graph may take, all told "
                                           "(a server that answers slowly is cut off).")] = 120.0,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be sent; send nothing.")] = False,
) -> None:
    """Send each named graph of a build (one per document, the reference graphs, the dataset
    description) to a SPARQL 1.1 Graph Store endpoint with PUT, replacing what the store had in
    that graph: publishing twice gives the same store as publishing once."""
    import math
    import os

    from kg.exports import Exporter
    from kg.exports.publish import Credentials, publish as send
    from kg.store.open import open_store

    # What the command line can check before anything is sent (the rest is kg.exports.publish's).
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in endpoint):
        import re

        shown = re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1…@", endpoint, flags=re.I)  # never a password
        raise KgError(f"--endpoint {printable(shown)}: a URL cannot hold spaces, line breaks or control "
                      "characters (write a space as %20)")
    if not math.isfinite(timeout) or timeout <= 0:
        raise KgError(f"--timeout must be a number of seconds above 0, not {timeout:g}")
    token = None
    if token_env is not None:
        token = os.environ.get(token_env)
        if not token:
            raise KgError(f"the environment variable {token_env} holds no token")
    elif os.environ.get("KG_PUBLISH_TOKEN"):
        token = os.environ["KG_PUBLISH_TOKEN"]
    exporter = Exporter(open_store(source))
    sent = send(exporter.quads(), endpoint, graph, Credentials(user, password, token), timeout, dry_run,
                warn=lambda message: err_console.print(printable(f"warning: {message}"), style="yellow",
                                                       highlight=False, markup=False))
    for item in sent:
        verb = "would send" if item.status is None else f"sent (HTTP {item.status})"
        console.print(printable(f"{verb}: <{item.graph}> {item.triples} triples"), soft_wrap=True)

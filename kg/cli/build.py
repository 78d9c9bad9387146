"""``kg build``: the command, its progress bars and its summary table."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from kg.cli.console import console, err_console, error, printable, printable_table, state, warning
from kg.errors import KgError
from kg.namespaces import DEFAULT_BASE_IRI
from kg.reader.source import DEFAULT_MAX_MIB


class _Bars:
    """On a terminal, a progress bar per document (read, NLP, linking, graph) and one per stage of the
    rest of the build (store, shared graphs, serialisation, validation, writing: kg/build/stages.py),
    so the display moves until the build ends; silent otherwise."""

    def __init__(self, console: Console):
        self.progress = RichProgress(TextColumn("{task.description}", markup=False), BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                                     disable=not console.is_terminal)
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def start(self, name: str, total: int) -> None:
        self.task = self.progress.add_task(printable(name), total=total)

    def advance(self, steps: int = 1) -> None:
        self.progress.advance(self.task, steps)

    def finish(self) -> None:
        self.progress.update(self.task, completed=self.progress.tasks[self.task].total)


class Format(str, Enum):
    """How ``kg build`` reads its files (kg/reader/select.py)."""

    auto = "auto"
    report = "report"
    article = "article"


def build(
    files: Annotated[Optional[list[Path]], typer.Argument(
        help="Report files or folders of them (*.txt). Default: the embedded CDIP/32/3 report "
             "(Chinese edition).", show_default=False)] = None,
    out: Annotated[str, typer.Option("--out", "-o", help="Output directory.")] = "out",
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
                                      help="Processes building documents in parallel (store builds); at most "
                                           "the number of CPUs kg may use.")] = 1,
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
    dask: Annotated[Optional[str], typer.Option(
        "--dask", metavar="ADDRESS", help="Build the documents on the workers of this dask.distributed "
        "scheduler (e.g. tcp://host:8786), into the store; see docs/scaling.md.", show_default=False)] = None,
    spool: Annotated[Optional[str], typer.Option(
        "--spool", metavar="URL", help="With --dask: where the workers put each document's graph and record, "
        "an fsspec URL the workers and this machine share (s3://bucket/prefix, gcs://…, file:///shared/dir). "
        "Default: OUT/dask-spool (workers on this machine).", show_default=False)] = None,
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
    import os

    from kg.cli.formats import export_format

    exports = [export_format(name) for name in export or []]
    if not out.strip():
        raise KgError("--out must name a directory (it is empty)")
    if dask is None and spool is not None:
        raise typer.BadParameter("--spool is where --dask workers put their output: give --dask too",
                                 param_hint="--spool")
    if dask is not None and (store is False or jobs > 1):
        raise typer.BadParameter("--dask builds on the cluster's workers into the store: leave out "
                                 + ("--memory" if store is False else "--jobs"), param_hint="--dask")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if jobs > cpus:
        warning(f"--jobs {jobs} is more than the {cpus} CPU(s) this build may use: {cpus} worker process(es)")
        jobs = cpus
    try:
        with _Bars(err_console) as bars:
            if dask is not None:
                result = _build_on_dask(files or [], Path(out), dask, spool, base_iri=base_iri, progress=bars,
                                        validate=validate, allow_invalid=allow_invalid, format=format.value,
                                        exports=exports, force=force, max_bytes=max_size * 2**20)
            else:
                result = run_build(files or [], Path(out), base_iri=base_iri, progress=bars, validate=validate,
                                   allow_invalid=allow_invalid, format=format.value, exports=exports,
                                   store=store, jobs=jobs, force=force, max_bytes=max_size * 2**20)
    except BuildFailed as failed:
        if state["debug"]:
            raise
        for failure in failed.failures:
            error(failure)
        raise typer.Exit(failed.exit_code)
    for found in result.warnings:
        warning(found)
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
        console.print(printable_table(summary_table(result)))
    for failure in result.failures:
        error(failure)
    if result.failures:
        raise typer.Exit(max(f.exit_code for f in result.failures))


def _build_on_dask(files, out, address, spool, **options):
    try:
        from kg.distributed import build_on_dask
    except ImportError as exc:
        raise KgError(f"--dask needs dask.distributed and fsspec ({exc}): pip install 'kg-sdg[dask]'") from None
    return build_on_dask(files, out, address, spool, **options)


LABELS = (("TARGET", "SDG targets"), ("GOAL", "SDG goals"), ("COUNTRY", "countries"), ("REGION", "regions"),
          ("ORG", "organisations"), ("PROGRAMME", "programmes"), ("PROJECT", "projects"), ("WORK", "works"),
          ("TREATY", "treaties"))


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
    # Inferred goals are listed, not counted: which goals a text is about is what a reader wants to see.
    inferred = [d.entry.get("inferred", {}).get("goals", []) for d in result.documents]
    every = sorted({g for goals in inferred for g in goals}, key=int)
    cells = [" ".join(goals) or "-" for goals in inferred[:len(documents)]]
    if len(result.documents) != 1:
        cells.append(" ".join(every) or "-")
    table.add_row("SDG goals inferred", *cells)
    row("SDG links inferred", [d.entry.get("inferred", {}).get("links", 0) for d in result.documents])
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

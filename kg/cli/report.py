"""``kg report``: the static site over a build, for readers who will not write SPARQL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli.console import err_console


def report(
    source: Annotated[Path, typer.Option("--from", help="The build's output directory (what `kg build` wrote).")] = Path(
        "out"),
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="Where to write the site (default: FROM/site). An earlier site there is replaced "
                            "only once the new one is complete.", show_default=False)] = None,
) -> None:
    """Write a static site over the built graph (English and Chinese): an overview with the SDG coverage
    heatmap and a world map, a page per programme, organisation, place, goal, target and paragraph with the
    text that supports each claim, the network, and a search. It opens from file:// with no network."""
    from kg.report import write_site

    written = write_site(source, out)
    err_console.print(f"kg report: {written.pages} pages ({written.files} files) in {written.seconds:.1f} s; "
                      f"open {written.path / 'index.html'}", highlight=False, markup=False)

"""``kg train``: the statistical components, trained from the project's annotated texts."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli.console import err_console


class Component(str, Enum):
    ner = "ner"
    sdg = "sdg"


def train(
    component: Annotated[Component, typer.Argument(help="What to train: ner (the named-entity models) or sdg "
                                                   "(the SDG goal classifiers).")],
    language: Annotated[Optional[list[str]], typer.Option("--language", "-l", help="Pipeline language(s) to "
                                                          "train (zh, en; repeatable). Default: all.",
                                                          show_default=False)] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the model here instead of "
                                                "data/models/ (one language at a time).")] = None,
    steps: Annotated[Optional[int], typer.Option("--steps", min=1, help="Training steps (default: the "
                                                 "config's).")] = None,
) -> None:
    """Train a statistical component from data/annotated's train split (the dev split chooses the best
    model; the test split is never read) and the embedded report, on the CPU, seeded: the same data
    and config give the same model. Writes data/models/ (shipped with kg)."""
    def log(message: str) -> None:
        err_console.print(message, highlight=False, markup=False)

    if component is Component.ner:
        from kg.training import ner as trainer
    else:
        from kg.training import sdg as trainer  # trains by epochs (the dev split chooses): no --steps

    languages = language or list(trainer.LANGUAGES)
    if out is not None and len(languages) != 1:
        raise typer.BadParameter("--out takes one --language")
    for name in languages:
        if component is Component.ner:
            trainer.train(name, out=out, steps=steps, log=log)
        else:
            trainer.train(name, out=out, log=log)

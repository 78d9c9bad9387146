"""Where the shipped files (data, ontology, shapes, queries) live.

In a source checkout (and an editable install) they are the top-level folders of
the repository; a built wheel carries them under ``kg/_shipped``.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SHIPPED = _PACKAGE / "_shipped"
_CHECKOUT = _PACKAGE.parent


def shipped(name: str) -> Path:
    """The directory of one kind of shipped file: ``data``, ``ontology``, ``shapes`` or ``queries``.

    ``KG_DATA`` (and ``KG_ONTOLOGY``, ``KG_SHAPES``, ``KG_QUERIES``) point kg at a
    folder of one's own instead: a copy of ``data/`` with a curated registry, say.
    """
    override = os.environ.get(f"KG_{name.upper()}")
    if override:
        return Path(override)
    packaged = _SHIPPED / name
    return packaged if packaged.is_dir() else _CHECKOUT / name


def data_file(*parts: str) -> Path:
    return shipped("data").joinpath(*parts)


DEFAULT_REPORT = ("corpus", "CDIP_32_3_zh.txt")


def default_report() -> Path:
    """The embedded default input of ``kg build``."""
    return data_file(*DEFAULT_REPORT)

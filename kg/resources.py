"""Where the shipped files (data, ontology, shapes, queries) live.

In a source checkout (and an editable install) they are the top-level folders of
the repository; a built wheel carries them under ``kg/_shipped``.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
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


# What a document's graph depends on besides its text: kg's code and the shipped files it reads
# while building (the inputs in data/corpus are hashed per document, not here).
_BUILD_INPUTS = ("data", "ontology", "shapes")


def pipeline_version() -> str:
    """A short hash of ``kg.PIPELINE_VERSION``, kg's source and the data, ontology and shapes in
    use (``KG_DATA`` and the like included): rebuilds compare it to decide whether a document's
    graph is still current, so adding a registry row or a gazetteer alias rebuilds every document."""
    from kg import PIPELINE_VERSION

    return _pipeline_version(PIPELINE_VERSION, tuple(shipped(name).resolve() for name in _BUILD_INPUTS))


@cache
def _pipeline_version(marker: str, folders: tuple[Path, ...]) -> str:
    digest = hashlib.sha256(marker.encode())
    roots = [(_PACKAGE, "*.py")] + [(folder, "*") for folder in folders]
    for root, pattern in roots:
        for path in sorted(root.rglob(pattern)):
            relative = path.relative_to(root)
            if path.is_file() and relative.parts[0] != "corpus":
                digest.update(f"{root.name}/{relative.as_posix()}\n".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]

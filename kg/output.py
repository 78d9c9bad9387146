"""Writing outputs so that a failed or interrupted run never leaves a half-written file.

Each file is written to a temporary file in the same directory and renamed
over the old one only once complete: a reader sees either the previous
version or the new one, never a mix.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph

from kg.namespaces import bind_prefixes


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates the file private; give it the mode a plain open() would.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def sorted_nquads(dataset: Dataset) -> bytes:
    """N-Quads of every named graph, one statement per line, lines sorted and unique.

    Sorting makes the file a pure function of the statements: byte-identical
    across runs and diffable between versions.
    """
    data = dataset.serialize(format="nquads", encoding="utf-8")
    lines = sorted({line for line in data.split(b"\n") if line.strip()})
    return b"\n".join(lines) + b"\n" if lines else b""


def union_graph(dataset: Dataset) -> Graph:
    union = Graph()
    bind_prefixes(union)
    for graph in dataset.graphs():
        for triple in graph:
            union.add(triple)
    return union


def turtle(dataset: Dataset) -> bytes:
    """All named graphs merged into one Turtle document (Turtle has no graphs)."""
    return union_graph(dataset).serialize(format="turtle", encoding="utf-8")

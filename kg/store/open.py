"""Opening what ``kg build`` wrote as a SPARQL store (pyoxigraph) for the commands that read it.

``kg query``, ``kg export``, ``kg serve`` and ``kg validate`` all start from
the output of a build. :func:`open_store` gives them one
:class:`pyoxigraph.Store` whatever that output is:

* an output directory holding an on-disk store (``DIR/store``, written by a
  corpus build) is opened read-only, so nothing a reader does can change it;
* otherwise the directory's ``graph.nq`` (or any RDF files given) is loaded
  into an in-memory store, which is quick for a single report.

Queries run over the union of the named graphs (``use_default_graph_as_union``):
each document is a named graph, and a question is asked of all of them.

A build's outputs are links through ``OUT/.kg/current`` (kg/build/output.py), which a build
switches in one step; a store is opened at the path the link resolves to when it is opened,
so a build switching generations meanwhile cannot mix two stores' files. Only regular files
are loaded: a FIFO or a device given as a graph file is refused, not waited on.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from kg.errors import KgError

STORE_DIR = "store"
GRAPH_FILE = "graph.nq"
DEFAULT_OUT = Path("out")



def rdf_format(path: Path) -> pyoxigraph.RdfFormat:
    found = pyoxigraph.RdfFormat.from_extension(path.suffix.lower().lstrip("."))
    if found is None:
        raise KgError(f"unknown RDF file type {path.suffix!r} (use .nq, .trig, .ttl, .nt, .jsonld or .rdf)",
                      path=path)
    return found


def load_files(paths: list[Path], store: pyoxigraph.Store | None = None) -> pyoxigraph.Store:
    """Parse RDF files into ``store`` (a new in-memory store by default); a bad file is one line."""
    store = store if store is not None else pyoxigraph.Store()
    import os
    import stat

    for path in paths:
        path = Path(path)
        try:
            mode = os.stat(path).st_mode
        except OSError:
            raise KgError("no such file (run `kg build` first?)", path=path) from None
        if not stat.S_ISREG(mode):
            what = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a FIFO or a device?)"
            raise KgError(f"is {what}, not an RDF file", path=path)
        try:
            store.load(path=str(path), format=rdf_format(path))
        except SyntaxError as exc:
            line = getattr(exc, "lineno", None)
            raise KgError(f"not valid RDF: {str(exc).splitlines()[0]}", path=path, line=line) from None
    return store


def open_store(source: Path | None = None) -> pyoxigraph.Store:
    """The store behind ``source``: a build's output directory (default ``out/``), an on-disk
    store directory, or an RDF file."""
    source = Path(source) if source is not None else DEFAULT_OUT
    if source.is_dir():
        if (source / STORE_DIR).is_dir():
            source = (source / STORE_DIR).resolve()  # this generation's store, whatever a build does next
        elif (source / GRAPH_FILE).is_file():
            return load_files([source / GRAPH_FILE])
        if any(source.iterdir()):
            try:
                return pyoxigraph.Store.read_only(str(source))
            except OSError as exc:
                raise KgError(f"not a kg output directory or store: {exc}", path=source) from None
        raise KgError(f"empty directory: no {GRAPH_FILE} or {STORE_DIR}/ (run `kg build` first?)", path=source)
    if not source.exists():
        raise KgError("no such file or directory (run `kg build` first?)", path=source)
    return load_files([source])

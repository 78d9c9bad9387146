"""Writing outputs so that a failed or interrupted run never leaves a half-written file.

Each file is written to a temporary file in the same directory and renamed
over the old one only once complete: a reader sees either the previous
version or the new one, never a mix.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib.plugins.serializers.nquads import _nq_row

from kg.errors import KgError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise KgError(f"cannot write: {exc.strerror or exc}", path=path) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates the file private; give it the mode a plain open() would.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):  # a full disk, a read-only file system: one line, not a traceback
            raise KgError(f"cannot write: {exc.strerror or exc}", path=path) from None
        raise


def sorted_nquads(graphs: Iterable) -> bytes:
    """N-Quads of every named graph (rdflib graphs or :class:`~kg.graph.quads.TripleSink` objects), one
    statement per line, lines sorted and unique.

    Sorting makes the file a pure function of the statements: byte-identical
    across runs and diffable between versions. Each line is rdflib's N-Quads row for the
    statement (pyoxigraph would write language tags in lower case: zh-hans for zh-Hans).
    """
    lines = {_nq_row(triple, graph.identifier).encode("utf-8", "replace")[:-1]
             for graph in graphs for triple in graph}
    return b"\n".join(sorted(lines)) + b"\n" if lines else b""


def turtle(nquads: bytes) -> bytes:
    """The statements of ``nquads`` (from :func:`sorted_nquads`), all named graphs merged into one
    Turtle document (Turtle has no graphs), written by pyoxigraph: the distinct triples, sorted,
    with kg's prefixes. (Read from the N-Quads, not from a store: pyoxigraph's store keeps a
    decimal's value, not its lexical form, "1" for "1.000".)"""
    from kg.exports.rdf import turtle as sorted_turtle

    return sorted_turtle(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))


STAGING_PREFIX = ".kg-staging-"


class Staging:
    """A build's outputs, prepared beside the old ones and put in place together.

    Files (and a store directory) are written into a hidden staging directory
    inside the output directory (so renames stay on one file system); nothing
    visible changes until :meth:`commit`, which renames them into place with
    SIGINT and SIGTERM held back, so Ctrl-C or a ``kill`` cannot stop it halfway.
    Leaving the ``with`` block without committing (an error, an interruption)
    removes the staging directory and leaves the previous outputs as they were;
    a staging directory left by a killed run is removed by the next build.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.out_dir.glob(STAGING_PREFIX + "*"):
            pid = stale.name[len(STAGING_PREFIX):].split("-", 1)[0]
            if not (pid.isdigit() and _alive(int(pid))):
                _remove(stale)
        self.path = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=self.out_dir))
        self.names: list[str] = []
        self.committed = False

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc) -> None:
        _remove(self.path)

    def file(self, name: str) -> Path:
        """Where to stage output ``name`` (a file or directory written by someone else)."""
        if name not in self.names:
            self.names.append(name)
        return self.path / name

    def write(self, name: str, data: bytes) -> None:
        atomic_write(self.file(name), data)

    def commit(self, remove: tuple[str, ...] = ()) -> None:
        """Put every staged output in place, and take away the outputs named in ``remove``
        (those of another kind of build, which would now be stale)."""
        old = self.path / ".old"
        old.mkdir()
        blocked = {signal.SIGINT, signal.SIGTERM}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            for name in remove:
                if (self.out_dir / name).exists():
                    os.replace(self.out_dir / name, old / name)
            for name in self.names:
                target = self.out_dir / name
                if (self.path / name).is_dir() and target.exists():
                    os.replace(target, old / name)  # a directory cannot replace a directory
                os.replace(self.path / name, target)
            _fsync_dir(self.out_dir)
            self.committed = True
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def _fsync_dir(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)

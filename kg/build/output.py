"""Writing outputs so that a failed, interrupted or killed run never leaves a half-written file or a mix.

* :func:`atomic_write`: one file, written to a temporary file in the same directory, flushed to
  disk and renamed over the old one only once complete.
* :class:`Generation` (``kg build``): all of a build's outputs are written into a new
  *generation* directory, ``OUT/.kg/gen-…``; the build is committed by one atomic step, the
  rename of a symbolic link ``OUT/.kg/current`` to point at it. ``OUT/graph.nq``,
  ``OUT/report.json``, ``OUT/store`` … are symbolic links through ``.kg/current``, so every
  reader sees either the whole previous build or the whole new one, whenever the build is
  stopped, ``kill -9`` included. What a killed build leaves (a generation never switched to, a
  switch whose tidying up did not finish, a first build's move from the old layout of plain
  files) is finished or cleared by the next build (:func:`recover`).
* :class:`OutputLock`: a build holds an exclusive lock (``flock``) on its output directory, so
  two builds into one ``--out`` exclude each other; the second is refused with one line. The
  lock goes with the process, however it ends.
* :class:`Staging`: several files or a directory, staged in a hidden directory and renamed into
  place together (the report site uses it).
"""

from __future__ import annotations

import errno
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
    elif path.exists() or path.is_symlink():
        path.unlink()


def _fsync_dir(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


# ---------------------------------------------------------------------------
# A build's outputs: generations switched to in one step, under a lock
# ---------------------------------------------------------------------------

KG_DIR = ".kg"  # kg's own part of an output directory: the generations and the link to the current one
CURRENT = "current"
GENERATION_PREFIX = "gen-"
# The outputs a build made before generations existed (plain files in OUT): moved into the first
# generation, unchanged, by the first build that commits.
LEGACY_OUTPUTS = ("graph.nq", "graph.ttl", "report.json", "unregistered.csv", "store", "documents")


class OutputLock:
    """An exclusive lock on an output directory for the time of a build (``with OutputLock(out):``).

    The directory is created if need be (and removed again, if still empty, when the build
    fails). A second build into the same directory is refused at once with one line, not made
    to wait.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.created = False
        self.fd: int | None = None

    def __enter__(self) -> "OutputLock":
        import fcntl

        out = self.out_dir
        if out.is_symlink() and not out.exists():
            raise KgError("is a broken symbolic link, not an output directory (--out)", path=out)
        if out.exists() and not out.is_dir():
            raise KgError("is a file, not an output directory (--out)", path=out)
        try:
            if not out.exists():
                out.mkdir(parents=True)
                self.created = True
            self.fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise KgError(f"cannot use as the output directory (--out): {exc.strerror or exc}", path=out) from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self.fd)
            self.fd = None
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise KgError("another kg build is writing into this output directory; wait for it to "
                              "finish, or build into another --out", path=out) from None
            raise KgError(f"cannot lock the output directory: {exc.strerror or exc}", path=out) from None
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None
        if kind is not None and self.created:
            try:
                self.out_dir.rmdir()  # only if the failed build left it empty
            except OSError:
                pass


def current_generation(out_dir: Path) -> Path | None:
    """The committed generation of ``out_dir``, if it has one."""
    link = Path(out_dir) / KG_DIR / CURRENT
    if not link.is_symlink():
        return None
    target = link.parent / os.readlink(link)
    return target if target.is_dir() else None


def _link_target(name: str) -> str:
    return f"{KG_DIR}/{CURRENT}/{name}"


def _is_our_link(path: Path) -> bool:
    try:
        return path.is_symlink() and os.readlink(path) == _link_target(path.name)
    except OSError:
        return False


def _replace_with_link(path: Path, staging: Path) -> None:
    """Make ``path`` the link ``.kg/current/NAME`` (atomically over a file or link; a directory is
    moved aside into ``staging`` first)."""
    if _is_our_link(path):
        return
    temporary = staging / f".link-{path.name}"
    if temporary.is_symlink() or temporary.exists():
        _remove(temporary)
    os.symlink(_link_target(path.name), temporary)
    if path.is_dir() and not path.is_symlink():
        aside = staging / f".old-{path.name}"
        _remove(aside)
        os.replace(path, aside)
    os.replace(temporary, path)


def _hard_link_tree(source: Path, target: Path) -> None:
    """A copy of ``source`` in which every file is a hard link (as cheap as a rename, and the
    original stays where it is); files that cannot be linked are copied."""
    if source.is_dir() and not source.is_symlink():
        target.mkdir()
        for entry in sorted(source.iterdir()):
            _hard_link_tree(entry, target / entry.name)
    elif source.is_symlink():
        os.symlink(os.readlink(source), target)
    else:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def _fsync_tree(path: Path) -> None:
    """Flush every file and directory under ``path`` to disk (the switch must not outrun the data)."""
    for root, dirs, files in os.walk(path):
        for name in files:
            try:
                handle = os.open(os.path.join(root, name), os.O_RDONLY)
            except FileNotFoundError:
                continue  # gone since it was listed: nothing of it to flush
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
        _fsync_dir(Path(root))


def recover(out_dir: Path) -> None:
    """Finish or clear what a killed build left in ``out_dir`` (call it holding the lock).

    A generation that is not the current one was never switched to, or was switched away from
    and not yet removed: removed. A switch done but not tidied up (links of the top-level names
    missing, or pointing at outputs the current generation lacks): tidied up. Before the first
    switch nothing visible has changed, so nothing needs undoing.
    """
    out_dir = Path(out_dir)
    root = out_dir / KG_DIR
    if not root.is_dir():
        return
    current = current_generation(out_dir)
    for entry in root.iterdir():
        if entry.name == CURRENT or (current is not None and entry == current):
            continue
        _remove(entry)  # other generations, links and directories moved aside
    if current is None:
        if root.is_symlink() or not any(root.iterdir()):
            _remove(root)
        return
    names = {entry.name for entry in current.iterdir()}
    for name in sorted(names):
        _replace_with_link(out_dir / name, root)
    for entry in out_dir.iterdir():
        if _is_our_link(entry) and entry.name not in names:
            entry.unlink()
    for entry in root.iterdir():
        if entry.name.startswith(".old-") or entry.name.startswith(".link-"):
            _remove(entry)


class Generation:
    """A build's outputs, written into a new generation and committed by one atomic switch.

    ``with Generation(out) as generation:`` … :meth:`write`, :meth:`file` (a path to write a file
    or directory at), :meth:`carry` (keep an output of the current generation, by hard links) …
    :meth:`commit`. Leaving the block without committing removes the new generation; nothing
    visible has changed. The caller holds :class:`OutputLock`.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.root = self.out_dir / KG_DIR
        self.committed = False
        try:
            recover(self.out_dir)
            self.root.mkdir(exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=GENERATION_PREFIX, dir=self.root))
        except OSError as exc:
            raise KgError(f"cannot write: {exc.strerror or exc}", path=self.out_dir) from None
        os.chmod(self.path, 0o777 & ~_umask())
        self.previous = current_generation(self.out_dir)

    def __enter__(self) -> "Generation":
        return self

    def __exit__(self, *exc) -> None:
        if not self.committed:
            _remove(self.path)
            if self.previous is None and self.root.is_dir() and not any(self.root.iterdir()):
                _remove(self.root)

    def file(self, name: str) -> Path:
        """Where to write output ``name`` (a file or a directory, written by someone else)."""
        return self.path / name

    def write(self, name: str, data: bytes) -> None:
        atomic_write(self.file(name), data)

    def carry(self, name: str) -> bool:
        """Keep the current generation's ``name`` (file or directory) in this one, as hard links."""
        source = (self.previous / name) if self.previous is not None else self.out_dir / name
        if not (source.exists() or source.is_symlink()):
            return False
        _hard_link_tree(source, self.file(name))
        return True

    def _adopt_legacy(self) -> None:
        """Outputs of a build made before generations (plain files in OUT) become a generation of
        their own, unchanged (hard links), switched to before this one: from here on every switch
        is one step."""
        found = [name for name in LEGACY_OUTPUTS
                 if (self.out_dir / name).exists() and not (self.out_dir / name).is_symlink()]
        if not found:
            return
        legacy = Path(tempfile.mkdtemp(prefix=GENERATION_PREFIX, dir=self.root))
        for name in found:
            _hard_link_tree(self.out_dir / name, legacy / name)
        _fsync_tree(legacy)
        self._switch(legacy)
        for name in found:
            _replace_with_link(self.out_dir / name, self.root)
        self.previous = legacy

    def _switch(self, target: Path) -> None:
        link = self.root / f".switch-{os.getpid()}"
        if link.is_symlink():
            link.unlink()
        os.symlink(target.name, link)
        os.replace(link, self.root / CURRENT)  # the one step that commits
        _fsync_dir(self.root)

    def commit(self) -> None:
        """Switch to this generation: before, every reader sees the previous build; after, this one.

        SIGINT and SIGTERM are held back from the first change to the last, so Ctrl-C cannot stop
        it halfway; ``kill -9`` can, and leaves either build whole (:func:`recover` tidies up).
        """
        blocked = {signal.SIGINT, signal.SIGTERM}
        previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            try:
                _fsync_tree(self.path)
                if self.previous is None:
                    self._adopt_legacy()
                names = sorted(entry.name for entry in self.path.iterdir())
                # Links for the new names first: they point into .kg/current, so until the switch
                # they lead nowhere (as before) or to the same outputs as before.
                for name in names:
                    if not (self.out_dir / name).exists() or _is_our_link(self.out_dir / name):
                        _replace_with_link(self.out_dir / name, self.root)
                self._switch(self.path)
                self.committed = True
                # Tidying up, which the next build redoes if this one is killed here.
                for name in names:
                    _replace_with_link(self.out_dir / name, self.root)
                for entry in self.out_dir.iterdir():
                    if _is_our_link(entry) and entry.name not in names:
                        entry.unlink()
                for entry in self.root.iterdir():
                    if entry.name != CURRENT and entry != self.path:
                        _remove(entry)
                _fsync_dir(self.out_dir)
            except OSError as exc:
                if self.committed:  # the build is in place; what is left over is cleared next time
                    return
                raise KgError(f"cannot write: {exc.strerror or exc}", path=self.out_dir) from None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)

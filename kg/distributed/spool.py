"""The spool: each document's graph and record, in storage the client and the workers share.

The storage is any fsspec URL: ``file:///shared/kg-spool`` (a file system every machine
mounts), ``s3://bucket/prefix``, ``gcs://bucket/prefix``, with the credentials fsspec finds
as usual (environment, config files, instance roles). A document is stored under its record
id (:func:`kg.build.corpus.record_id`: its bytes, file name, the pipeline version and the
base IRI):

* ``graphs/{id}.nq``: its graph, sorted N-Quads;
* ``records/{id}.json``: its record (:func:`kg.build.corpus.to_record`) and its validation.

The graph is written before the record, each whole (a temporary name moved into place on
file systems; one ``PUT`` on object stores, which is atomic), so a record in the spool
vouches for its graph, and a task run twice (a retry after a worker died) writes the same
bytes over the same names. The spool is a cache: it may be shared by builds and emptied at
any time (a record without its graph is built again).
"""

from __future__ import annotations

import json
import uuid

import fsspec

from kg.errors import KgError

GRAPHS = "graphs"
RECORDS = "records"
# Stores whose writes put a whole object or nothing: no temporary name needed (a move
# there is a copy and a delete, twice the traffic for nothing).
ATOMIC_PUT = {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl"}


class Spool:
    """The spool at ``url`` (picklable: a worker opens its own connection to the storage)."""

    def __init__(self, url: str):
        self.url = url
        try:
            self.fs, self.root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:  # e.g. s3:// without s3fs installed
            raise KgError(f"cannot use the spool {url}: {exc}".splitlines()[0]) from None
        self.root = self.root.rstrip("/")
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        self.atomic_put = bool(ATOMIC_PUT & set(protocols))

    def __reduce__(self):
        return (Spool, (self.url,))

    def graph_path(self, rid: str) -> str:
        return f"{self.root}/{GRAPHS}/{rid}.nq"

    def record_path(self, rid: str) -> str:
        return f"{self.root}/{RECORDS}/{rid}.json"

    def write(self, path: str, data: bytes) -> None:
        """``data`` at ``path``, replacing what was there whole: a reader sees the old bytes or
        the new ones, never a part."""
        if self.atomic_put:
            self.fs.pipe_file(path, data)
            return
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        temporary = f"{path}.{uuid.uuid4().hex}.tmp"
        try:
            self.fs.pipe_file(temporary, data)
            self.fs.mv(temporary, path)
        except BaseException:
            try:
                self.fs.rm_file(temporary)
            except (OSError, FileNotFoundError):
                pass
            raise

    def put(self, rid: str, nquads: bytes, record: dict, validation: str) -> None:
        """A document's graph, then its record (which vouches for the graph)."""
        self.write(self.graph_path(rid), nquads)
        body = {**record, "validation": validation}
        self.write(self.record_path(rid), (json.dumps(body, ensure_ascii=False) + "\n").encode("utf-8"))

    def records(self, rids: list[str]) -> dict[str, dict]:
        """The records present for ``rids`` (fetched together: one round of requests on object stores)."""
        if not rids:
            return {}
        found = self.fs.cat([self.record_path(rid) for rid in rids], on_error="omit")
        # (keyed by path as the file system spells it: the record id is the file's stem)
        by_id = {path.rsplit("/", 1)[-1].removesuffix(".json"): data for path, data in found.items()}
        records = {}
        for rid in rids:
            try:
                records[rid] = json.loads(by_id[rid])
            except (KeyError, ValueError):
                continue  # absent or unreadable: built again
        return records

    def graph(self, rid: str) -> bytes:
        return self.fs.cat_file(self.graph_path(rid))

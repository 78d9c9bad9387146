"""The corpus build beyond one machine: the per-document map on a ``dask.distributed`` cluster.

A document's graph is a pure function of its bytes, file name, the pipeline version and the
base IRI, so ``kg build --dask ADDRESS`` sends each document to a worker of the cluster
(:mod:`kg.distributed.worker`: the builder loaded once per worker by a worker plugin), which
puts its graph and record in a spool any fsspec URL names (:mod:`kg.distributed.spool`:
``file://``, ``s3://``, ``gcs://``; also the cache of documents already built); the client
(:mod:`kg.distributed.cluster`) reads them back and runs the local build's reduce and commit
(:func:`kg.build.corpus.build_corpus`), so the output is the local store build's, byte for
byte, and ``kg publish`` sends it to a server store. It sits above :mod:`kg.build`, whose
pieces it reuses, and below the command line; dask and fsspec are the ``[dask]`` extra.
"""

from __future__ import annotations

from kg.distributed.cluster import build_on_dask

__all__ = ["build_on_dask"]

"""Asking the built graph: stores, SPARQL execution, stored queries, parameters, results, the endpoint.

A build's output opened as one pyoxigraph store (:mod:`kg.store.open`), SPARQL run over it
with its checks (:mod:`kg.store.sparql`: no SERVICE, no updates, bounded nesting), the
stored queries of ``queries/`` and their headers (:mod:`kg.store.queries`), ``--param``
values bound as RDF terms (:mod:`kg.store.binding`), results written in the SPARQL
formats or as a table (:mod:`kg.store.results`), and ``kg serve``'s read-only SPARQL
endpoint (:mod:`kg.store.serve`). It reads what the build wrote and uses only kg's base
namespaces and errors; the exports, the build and the command line come after it.
"""

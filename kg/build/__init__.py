"""The build: files in, the knowledge graph out, every step of the flow run in order.

``kg build`` (:mod:`kg.build.run`) reads each file, runs the pipelines, links, relates and
describes what they found (one document at a time: :mod:`kg.build.document`), makes the
graphs documents share from their contributions (:mod:`kg.build.shared`), validates, and
writes ``graph.nq``, ``graph.ttl``, ``report.json``, ``unregistered.csv`` and any exports
(:mod:`kg.build.result`), staged so that a failed or interrupted build leaves the previous
outputs as they were (:mod:`kg.build.output`); many documents go through a corpus build
in parallel processes into an on-disk store (:mod:`kg.build.corpus`). It sits above every
other package but the command line, and uses them all.
"""

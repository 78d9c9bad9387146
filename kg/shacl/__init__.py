"""Validation: the graph checked against the SHACL shapes in ``shapes/``, before anything is written.

The shapes and the ontology validation reads (:mod:`kg.shacl.shapes`), the two engines
that run them (:mod:`kg.shacl.engines`: pyshacl-turbo, pySHACL), validation by partition
so that a large store validates in time linear in its size (:mod:`kg.shacl.partition`:
one document graph at a time; :mod:`kg.shacl.shared`: the shared graphs in pieces, and a
whole store), and the results and their text (:mod:`kg.shacl.report`). It reads graphs
made by :mod:`kg.graph` and knows nothing of how they were built; the build and
``kg validate`` call it.
"""

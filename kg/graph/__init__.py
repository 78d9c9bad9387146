"""Mentions → entities → triples: the RDF graph of each document and of what documents share.

:mod:`kg.graph.extract` runs the pipelines over a document's paragraphs and
:mod:`kg.graph.linking` links the spans they find to one entity IRI each; roles become
activities and the programme relations they support (:mod:`kg.graph.relations`); IRIs
are minted from what a thing is in the text (:mod:`kg.graph.iris`); a document's
structure, citations and mentions (:mod:`kg.graph.document`), the entities they link to
(:mod:`kg.graph.describe`) and the links between language editions
(:mod:`kg.graph.editions`) become triples, which :mod:`kg.graph.quads` moves between
rdflib and pyoxigraph. It stands on the reader's documents, the knowledge and the
pipeline; validation, the store, the exports and the build come after it.
"""

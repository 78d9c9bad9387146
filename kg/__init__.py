"""kg: build an RDF knowledge graph from the UN system's SDG reporting."""

__version__ = "0.1.0"

# Bumped whenever a change to the reader, the pipeline or the graph model can
# change the triples built from the same text: rebuilds compare it to decide
# whether a document's graph is still current.
PIPELINE_VERSION = "1"

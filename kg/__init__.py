"""kg: build an RDF knowledge graph from the UN system's SDG reporting."""

__version__ = "0.1.0"

# Bumped when the graph model changes in a way the code and data hashed by
# kg.resources.pipeline_version() do not show (a new meaning for an old term).
PIPELINE_VERSION = "1"

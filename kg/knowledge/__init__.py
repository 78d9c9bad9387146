"""The curated knowledge the pipeline matches text against and links mentions to.

The official SDG goals and targets (:mod:`kg.knowledge.sdg`, from the UN SDG KOS), the
gazetteer of countries, regions and country groups with every name they go by
(:mod:`kg.knowledge.gazetteer`), and the registries of partner organisations and WIPO
programmes (:mod:`kg.knowledge.registry`), all read from ``data/``. It sits above the
language layer (names are matched per language and script) and below the spaCy pipeline,
which builds its patterns from it, and the graph, which links to its IRIs.
"""

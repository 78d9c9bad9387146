"""The spaCy side of kg: tokenizer, components and the pipeline assembled from a config.

Text → spans: the tokenizer (one token per Han character, one per Latin word), the
components that find SDG citations, places, organisations and programmes, and the roles
they play (the role rules, their triggers and the choice of roles in three modules), each
language's pipeline assembled from ``data/pipelines``. It matches against
:mod:`kg.knowledge` and reads :mod:`kg.language`'s lexicons; it knows nothing of
documents, IRIs or graphs, which :mod:`kg.graph` makes from the spans it leaves on a
``Doc``.
"""

"""Files → documents: the first step of the flow.

A file's bytes become text (:mod:`kg.reader.source`: encodings, size limits), the text a
:class:`~kg.reader.model.Document` with numbered paragraphs, items, footnotes, parts and
sections, each traced to its place in the source. Two readers share the work: numbered
reports extracted from PDF (:mod:`kg.reader.report`, its header read by
:mod:`kg.reader.header`) and plain articles (:mod:`kg.reader.article`), chosen by content
(:mod:`kg.reader.select`); paragraphs are tagged with their language and paired with their
translations. The reader uses only kg's base and :mod:`kg.language`; everything after it
starts from a ``Document``.
"""

"""A document's text, read once per document by all of kg's components.

spaCy builds ``Doc.text`` from the tokens on every access (one Python object per
token: about 10 ms for a report of 40,000 tokens), and four of kg's components
read it. The first to ask keeps it in ``doc._.kg_text``; the tokens never change
in kg's pipeline, so neither does the text.
"""

from __future__ import annotations

from spacy.tokens import Doc

if not Doc.has_extension("kg_text"):
    Doc.set_extension("kg_text", default=None)


def text_of(doc: Doc) -> str:
    """``doc.text``, built once per document."""
    text = doc._.kg_text
    # A length check, cheap, against a text carried over with user_data from another Doc.
    if text is None or len(text) != _length(doc):
        text = doc._.kg_text = doc.text
    return text


def _length(doc: Doc) -> int:
    if not len(doc):
        return 0
    last = doc[-1]
    return last.idx + len(last.text_with_ws)

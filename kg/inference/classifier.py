"""The SDG goal classifier's view of each paragraph: a probability per goal, from kg's trained model.

``data/models/sdg-{zh,en}`` (``kg train sdg``; kg/training/sdg.py) is a ``textcat_multilabel`` over the
17 goals. It reads each paragraph alone, with its printed SDG numbers blanked as in training (the
numbers are citations, kept apart; the classifier is for the words). Where the model is not there, the
inference uses the concept lexicon alone.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from kg.errors import DataError
from kg.resources import data_file

_CODE = r"[0-9０-９]{1,2}(?:\.[0-9a-zA-Z]{1,2})?"
# A printed SDG citation: its keyword(s) and the list of codes after it (具体目标 4.4、4.5; SDG 9; Goals 3 and 5).
CITATION = re.compile(
    r"(?:(?:可持续发展目标|具体目标|目标|SDGs?|Sustainable Development Goals?|[Tt]argets?|[Gg]oals?)\s*[（(]?\s*)+"
    rf"{_CODE}(?:\s*(?:[、，,和及与至/]|and|or|to|&)\s*{_CODE})*")


def masked(text: str) -> str:
    """``text`` with every printed SDG citation replaced by spaces (offsets kept)."""
    return CITATION.sub(lambda m: " " * len(m.group(0)), text)


def model_path(language: str) -> Path:
    return data_file("models", f"sdg-{language}")


@cache
def load_classifier(language: str):
    """The trained classifier of ``language``, or None where none was trained."""
    import spacy

    import kg.nlp.tokenizer  # noqa: F401  (the model's config names kg's tokenizer)

    path = model_path(language)
    if not (path / "config.cfg").is_file():
        return None
    try:
        return spacy.load(path)
    except Exception as exc:  # a damaged or incompatible model is the user's data problem
        raise DataError(f"cannot load the SDG classifier: {exc}".splitlines()[0], path=path) from None


def goal_probabilities(texts: list[str], language: str, model=None) -> list[dict[str, float]] | None:
    """For each text, the classifier's probability of each goal; None without a classifier."""
    nlp = model if model is not None else load_classifier(language)
    if nlp is None:
        return None
    return [dict(doc.cats) for doc in nlp.pipe(masked(text) for text in texts)]


def with_classifier(paragraphs: list, document) -> list:
    """``paragraphs`` (:class:`kg.inference.goals.ParagraphEvidence`) with the classifier's probabilities
    of their language's model, where there is one (Traditional text read through its Simplified copy)."""
    from kg.language.script import TRADITIONAL, to_simplified

    texts = {p.number: (to_simplified(p.text) if p.language == TRADITIONAL else p.text) for p in document.paragraphs}
    for language in sorted({p.language for p in paragraphs}):
        own = [p for p in paragraphs if p.language == language]
        probabilities = goal_probabilities([texts[p.number] for p in own], language)
        if probabilities is not None:
            for paragraph, cats in zip(own, probabilities):
                paragraph.classifier = cats
    return paragraphs

"""Which paragraphs of a bilingual text translate each other.

A bilingual page alternates a paragraph in one language with its translation
in the other (a Chinese paragraph, then the English one, or the reverse). Two
neighbouring paragraphs in different languages (Chinese of either script,
English) are taken as a pair, in reading order, each paragraph in at most one
pair: 中 en 中 en gives (1, 2), (3, 4); 中 中 en gives (2, 3), the first Chinese
paragraph having no translation beside it. A document in one language has no
pairs. Paragraph *n* of two language editions of one report are linked
elsewhere (kg/graph/editions.py), by number, not by position.
"""

from __future__ import annotations

from kg.language.lexicon import base_language
from kg.reader.model import Paragraph


def pair_translations(paragraphs: list[Paragraph]) -> list[tuple[int, int]]:
    """``(number, number)`` of each pair of neighbouring paragraphs that translate each other."""
    known = [p for p in paragraphs if p.language != "und"]
    if len({base_language(p.language) for p in known}) < 2:
        return []
    pairs: list[tuple[int, int]] = []
    paired: set[int] = set()
    for first, second in zip(known, known[1:]):
        if first.number in paired or second.number in paired:
            continue
        if base_language(first.language) != base_language(second.language):
            pairs.append((first.number, second.number))
            paired.update((first.number, second.number))
    return pairs

"""Language editions of one document: the same UN symbol (CDIP/32/3) read in several languages.

The UN publishes a document in each of its languages with the same paragraph
numbering, so paragraph *n* of one edition says what paragraph *n* of another
says. kg links the editions to each other (``kgo:otherEdition``) and each
paragraph to the paragraph of the same number in every other edition
(``kgo:hasTranslation``, both ways), in the graph ``graph/editions``: facts
about two documents belong to neither document's graph. Editions whose
paragraph counts differ are linked for the numbers both have, with a warning.
The stored query ``queries/edition-disagreements.rq`` lists what one edition's
paragraph names or cites and the other's does not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from rdflib import Graph

from kg.errors import ReportWarning
from kg.graph.iris import Iris
from kg.namespaces import KGO
from kg.reader.model import Document


@dataclass(frozen=True)
class EditionPair:
    symbol: str
    first: str  # document keys, first < second
    second: str
    first_paragraphs: int
    second_paragraphs: int
    numbers: tuple[int, ...]  # the paragraph numbers both editions have


def edition_pairs(documents: list[tuple[str, Document]]) -> list[EditionPair]:
    """Every pair of documents (given as ``(key, document)``) with the same symbol."""
    by_symbol: dict[str, list[tuple[str, Document]]] = defaultdict(list)
    for key, document in documents:
        if document.metadata.symbol:
            by_symbol[document.metadata.symbol].append((key, document))
    pairs = []
    for symbol in sorted(by_symbol):
        editions = sorted(by_symbol[symbol], key=lambda edition: edition[0])
        for (first, a), (second, b) in combinations(editions, 2):
            numbers = sorted({p.number for p in a.paragraphs} & {p.number for p in b.paragraphs})
            pairs.append(EditionPair(symbol, first, second, len(a.paragraphs), len(b.paragraphs), tuple(numbers)))
    return pairs


def edition_warnings(key: str, document: Document, pairs: list[EditionPair]) -> list[ReportWarning]:
    """A warning for each other edition whose paragraphs do not match this one's one to one."""
    warnings = []
    for pair in pairs:
        if key not in (pair.first, pair.second) or pair.first_paragraphs == pair.second_paragraphs:
            continue
        other, mine, theirs = ((pair.second, pair.first_paragraphs, pair.second_paragraphs) if key == pair.first
                               else (pair.first, pair.second_paragraphs, pair.first_paragraphs))
        warnings.append(ReportWarning(str(document.path),
                                      f"edition {other} of {pair.symbol} has {theirs} paragraphs, this one {mine}: "
                                      f"only the {len(pair.numbers)} paragraph(s) numbered in both are linked"))
    return warnings


def add_editions(graph: Graph, pairs: list[EditionPair], iris: Iris) -> None:
    """``kgo:otherEdition`` between the editions, ``kgo:hasTranslation`` between their paragraphs n."""
    add = graph.add
    for pair in pairs:
        first, second = iris.document(pair.first), iris.document(pair.second)
        add((first, KGO.otherEdition, second))
        add((second, KGO.otherEdition, first))
        for number in pair.numbers:
            a, b = iris.paragraph(pair.first, number), iris.paragraph(pair.second, number)
            add((a, KGO.hasTranslation, b))
            add((b, KGO.hasTranslation, a))

"""``kg_sdg_concepts``: the words of a text that say what an SDG target or goal is about.

Where a text prints no SDG number, its words still say which goals and targets it concerns:
"accessible books for blind readers", "技术转让", "clean energy". The concept lexicon
``data/sdg/concepts.csv`` lists, for each of the 169 targets and 17 goals, the terms of its
official wording (the UN's Chinese and English texts of the targets, goals and indicators) and
the usual paraphrases, each marked ``official`` or ``synonym``. This component finds every term
in the text: ``doc.spans["sdg_concepts"]``, each span's ``id_`` the term as listed (so its codes
can be looked up: :func:`load_concepts`). What the terms add up to is :mod:`kg.inference`'s to
decide; here they are only found, as citations are found by :mod:`kg.nlp.citations`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from kg.errors import DataError
from kg.knowledge.gazetteer import numbered_rows
from kg.resources import data_file

SPANS_KEY = "sdg_concepts"
CONCEPTS = ("sdg", "concepts.csv")
_CODE_KINDS = ("official", "synonym")


@dataclass
class ConceptLexicon:
    """Per language: each term → the goals and targets it belongs to (``4``, ``4.5``), and its kind."""

    terms: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    official: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))

    def codes(self, language: str, term: str) -> set[str]:
        return self.terms[language].get(term, set())


@cache
def load_concepts() -> ConceptLexicon:
    from kg.knowledge.sdg import load_sdg_registry

    path = data_file(*CONCEPTS)
    sdg = load_sdg_registry()
    lexicon = ConceptLexicon()
    for line, row in numbered_rows(path, ("code", "lang", "term", "kind")):
        code, language, term = row["code"], row["lang"], row["term"]
        if (sdg.target(code) if "." in code else sdg.goal(code)) is None:
            raise DataError(f"{code!r} is not an SDG goal or target", path=path, line=line)
        if row["kind"] not in _CODE_KINDS:
            raise DataError(f"kind {row['kind']!r} is not one of: {', '.join(_CODE_KINDS)}", path=path, line=line)
        if not term.strip():
            raise DataError("empty term", path=path, line=line)
        lexicon.terms[language][term].add(code)
        if row["kind"] == "official":
            lexicon.official[language].add((term, code))
    return lexicon


class ConceptFinder:
    def __init__(self, nlp: Language, language: str):
        terms = sorted(load_concepts().terms.get(language, {}))
        # Case-folded (an English term at a sentence's start is capitalised); Chinese is unaffected.
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        if terms:
            self.matcher.add("SDG_CONCEPT", list(nlp.tokenizer.pipe(terms)))
        self.by_lower = {term.lower(): term for term in terms}

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for _, start, end in self.matcher(doc):
            span = doc[start:end]
            term = self.by_lower.get(span.text.lower())
            if term is not None:
                spans.append(Span(doc, start, end, label="SDG_CONCEPT", span_id=term))
        doc.spans[SPANS_KEY] = sorted(spans, key=lambda s: (s.start, -s.end))
        return doc


@Language.factory("kg_sdg_concepts", default_config={"language": "zh"})
def create_sdg_concepts(nlp: Language, name: str, language: str):
    return ConceptFinder(nlp, language)

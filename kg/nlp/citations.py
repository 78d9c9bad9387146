"""``kg_sdg_citations``: finds the SDG goals and targets a text cites.

A citation is a keyword ("具体目标", "可持续发展目标", "targets", "SDG") followed by
a list of codes: "具体目标 4.3、4.4、4.5和 4.7" cites four targets, "可持续发展目标 1、4、5"
three goals. Keywords and list separators come from the language's lexicon
(``data/lexicon/{lang}.toml``), so the report's typos ("目标具体 8.3") and other
languages are data, not code. A code with a dot is a target; a bare number is a
goal only after a goal keyword. Each code becomes a span in
``doc.spans["sdg"]`` labelled ``TARGET`` or ``GOAL`` with the code as its
``id_``. Whether the code exists is for linking to decide (kg/graph/linking.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, SpanGroup

from kg.language.lexicon import Lexicon, load_lexicon
from kg.nlp.text import text_of

SPANS_KEY = "sdg"
METHOD = "citation-pattern"

# The exact characters of each code, in ``doc.spans["sdg"].attrs["chars"]`` (one
# (start, end) per span, in order). A span must cover whole tokens, and a code can
# sit inside a longer token ("8.3/9.b", "1.1&0" are one token each, and hold two
# codes), so a span may be wider than its code; the mention keeps the code's own offsets.
CHARS = "chars"


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class Citation:
    label: str  # "TARGET" or "GOAL"
    code: str
    start: int
    end: int


class CitationFinder:
    def __init__(self, lexicon: Lexicon):
        self.goal_keywords = set(lexicon.goal_keywords)
        keyword = f"(?:{_alternation(lexicon.goal_keywords + lexicon.target_keywords)})"
        code = r"(?P<code>\d{1,2}(?:\.(?:\d{1,2}|[a-zA-Z]))?)(?![0-9A-Za-z])(?!\.[0-9A-Za-z])"
        # The keywords before a code (several for typos like "目标具体目标 8.3").
        # Blanks, but never a newline: paragraphs and list items are separated by
        # newlines, and a citation list does not run from one into the next.
        blank = r"[^\S\n]*"
        self._start = re.compile(rf"(?P<kws>{keyword}(?:{blank}{keyword})*){blank}{code}")
        self._next = re.compile(
            rf"{blank}(?:{_alternation(lexicon.separators)}){blank}(?P<kws>(?:{keyword}{blank})*){code}")
        self._keyword = re.compile(keyword)

    def _kind(self, keywords: str, previous: str) -> str:
        found = self._keyword.findall(keywords)
        if not found:
            return previous
        return "goal" if found[-1] in self.goal_keywords else "target"

    def find(self, text: str) -> list[Citation]:
        citations: list[Citation] = []
        position = 0
        while True:
            match = self._start.search(text, position)
            if match is None:
                return citations
            kind = self._kind(match.group("kws"), "target")
            position = match.start("code")
            accepted = False
            while match is not None:
                code = match.group("code")
                if "." in code:
                    citations.append(Citation("TARGET", code, match.start("code"), match.end("code")))
                elif kind == "goal":
                    citations.append(Citation("GOAL", code, match.start("code"), match.end("code")))
                else:
                    break  # a bare number after a target keyword is not a citation
                accepted = True
                position = match.end("code")
                match = self._next.match(text, position)
                if match is not None:
                    kind = self._kind(match.group("kws"), kind)
            if not accepted:
                position += 1


@Language.factory("kg_sdg_citations", default_config={"lexicon": "zh"})
def create_sdg_citations(nlp: Language, name: str, lexicon: str):
    finder = CitationFinder(load_lexicon(lexicon))

    def sdg_citations(doc: Doc) -> Doc:
        spans, chars = [], []
        for citation in finder.find(text_of(doc)):
            span = doc.char_span(citation.start, citation.end, label=citation.label,
                                 alignment_mode="expand")
            if span is not None:
                span.id_ = citation.code
                spans.append(span)
                chars.append((citation.start, citation.end))
        doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, spans=spans, attrs={CHARS: chars})
        return doc

    return sdg_citations

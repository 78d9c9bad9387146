"""``kg_model_names``: names no registry or rule knows, proposed by kg's trained model.

The registries and the name-form rules find what is listed or has a recognisable shape; a new
partner ("the Kenya Industrial Research and Development Institute", "宁德时代新能源科技股份有限公司")
is neither. A statistical named-entity model, trained by ``kg train ner`` from the project's
annotated texts (``data/annotated``) and the embedded report, proposes such names with their type
(``ORG``, ``PROGRAMME``, ``WORK``, ``TREATY``). It ships in ``data/models/ner-{zh,en}`` and reads
the same tokens as the rest of the pipeline (the model's config names kg's tokenizer).

Each proposal goes to ``doc.spans["model"]``, its probability in the group's ``attrs["scores"]`` (one per
span, in order): the probability, over a beam of the model's most likely analyses, that the span is a
name of that type. (Not in span extensions: spaCy keys those by offsets, so a proposal would overwrite
what the registry's match at the same offsets says.) The greedy analysis chooses the spans; the beam scores them. ``threshold`` drops the
unlikely ones; the resolver (:mod:`kg.nlp.entities`) lets registry and rule names win where the
two overlap.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import DataError
from kg.nlp import tokenizer  # noqa: F401  (the model's config names kg's tokenizer)
from kg.language.lexicon import load_lexicon
from kg.nlp.entities import NEW
from kg.resources import data_file

MODEL_SPANS = "model"
BATCH = 4  # paragraphs the model reads at once (16: 5% less time, 65 MB more memory)
METHOD = "model"


@cache
def load_model(path: Path) -> Language:
    """The trained pipeline at ``path`` (a ``spacy`` model directory), loaded once per process."""
    if not (path / "config.cfg").is_file():
        raise DataError("no trained model here (run `kg train ner` to make it)", path=path)
    try:
        return spacy.load(path)
    except Exception as exc:  # spaCy reports a broken model directory with several exception types
        raise DataError(f"cannot load the trained model: {exc}".splitlines()[0], path=path) from None


class ModelNames:
    def __init__(self, model: str, threshold: float, beam_width: int, window: int, sentence_end: str):
        self.path = data_file("models", model)
        self.window = window
        self.sentence_end = tuple(sentence_end)
        self.threshold = threshold
        self.beam_width = beam_width

    def __call__(self, doc: Doc) -> Doc:
        model = load_model(self.path)
        ner = model.get_pipe("ner")
        # The model reads each paragraph on its own (a group's paragraphs are joined by blank lines),
        # BATCH paragraphs at a time: its beam over a whole report (40,000 tokens) took 45 CPU
        # seconds, as each of its states copies arrays as long as the text at every step, and the
        # whole report in one pass 800 MB. The model's own vocabulary: the same words, so the same
        # token boundaries and offsets.
        # A paragraph longer than ``window`` tokens goes in sentence-ended pieces: the beam's steps each
        # copy arrays as long as its text, so one 30,000-token paragraph took the time of a thousand short
        # ones; the model's features reach a few tokens either side, so a cut at a sentence end changes little.
        pieces = list(_paragraphs(doc, self.window, self.sentence_end))
        copies = list(ner.pipe((Doc(model.vocab, words=[t.text for t in doc[a:b]],
                                    spaces=[bool(t.whitespace_) for t in doc[a:b]]) for a, b in pieces),
                               batch_size=BATCH))
        named = [i for i, copy in enumerate(copies) if copy.ents]
        scores: dict[int, dict] = {}
        for start in range(0, len(named), BATCH):  # the beam advances a batch's paragraphs side by side
            batch = named[start:start + BATCH]
            beams = ner.beam_parse([copies[i] for i in batch], beam_width=self.beam_width)
            scores.update(zip(batch, ner.scored_ents(beams)))
        spans, kept = [], []
        for i in named:
            offset = pieces[i][0]
            for entity in copies[i].ents:
                score = scores[i].get((entity.start, entity.end, entity.label_), 0.0)
                if score < self.threshold or not entity.text.strip():
                    continue
                spans.append(Span(doc, offset + entity.start, offset + entity.end, label=entity.label_,
                                  span_id=NEW + entity.text))
                kept.append(score)
        doc.spans[MODEL_SPANS] = spans
        doc.spans[MODEL_SPANS].attrs["scores"] = kept
        return doc


def _paragraphs(doc: Doc, window: int = 0, sentence_end: tuple[str, ...] = ()):
    """The token ranges of the paragraphs of ``doc``: between the tokens holding a blank line
    (kg joins a group's paragraphs with one, :data:`kg.graph.linking.PARAGRAPH_SEPARATOR`).
    A paragraph longer than ``window`` tokens (0: no limit) comes in pieces of at most that many,
    each ending at the last token that ends with one of ``sentence_end`` (or cut at ``window`` where a
    sentence is longer)."""
    start = 0
    for token in doc:
        if token.is_space and "\n\n" in token.text:
            if token.i > start:
                yield from _windows(doc, start, token.i, window, sentence_end)
            start = token.i + 1
    if start < len(doc):
        yield from _windows(doc, start, len(doc), window, sentence_end)


def _windows(doc: Doc, start: int, end: int, window: int, sentence_end: tuple[str, ...]):
    while window and end - start > window:
        cut = next((i + 1 for i in range(start + window - 1, start, -1) if doc[i].text.endswith(sentence_end)),
                   start + window)
        yield start, cut
        start = cut
    yield start, end


@Language.factory("kg_model_names", default_config={"model": "ner-zh", "threshold": 0.5, "beam_width": 8,
                                                   "window": 1000, "lexicon": None})
def create_model_names(nlp: Language, name: str, model: str, threshold: float, beam_width: int, window: int,
                       lexicon: str | None):
    # A long paragraph is cut where the language's sentences end (the lexicon's [relations] sentence_end).
    sentence_end = load_lexicon(lexicon or nlp.lang).relations["sentence_end"]
    return ModelNames(model, threshold, beam_width, window, sentence_end)

"""``kg train ner``: the named-entity models, trained from the project's annotated texts.

One model per pipeline language (``zh`` reads Simplified and Traditional Chinese, the latter through
its character-aligned Simplified copy, as the pipeline does; ``en`` reads English), written to
``data/models/ner-{language}``. Training data:

* the ``train`` split of ``data/annotated`` (whole sites; ``dev`` chooses the best model; ``test``
  is never read here), with every outermost organisation, programme, work and treaty name as an
  entity (places are the gazetteer's job: they are left to it);
* for Chinese, the embedded report CDIP/32/3, its names placed where the hand annotation of
  ``tests/gold/entities.json`` says each paragraph names them (the registry's surface forms of the
  annotated entities, longest first). A WIPO project is a ``PROGRAMME`` to the model, as the
  annotated texts mark WIPO's named projects.

Everything is seeded (``[system] seed`` of the config; spaCy's CPU training is deterministic), so
the same data and config give the same model.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

from kg.errors import DataError
from kg.knowledge.registry import load_registry
from kg.language.script import to_simplified
from kg.nlp.tokenizer import ScriptTokenizer
from kg.resources import data_file, default_report
from kg.training.annotated import AnnotatedDoc, documents

NER_LABELS = ("ORG", "PROGRAMME", "WORK", "TREATY")
# The model's label for each registry label (a project is a programme to the model).
MODEL_LABEL = {"ORG": "ORG", "PROGRAMME": "PROGRAMME", "PROJECT": "PROGRAMME", "WORK": "WORK", "TREATY": "TREATY"}
LANGUAGES = ("zh", "en")
CONFIG = ("pipelines", "train-ner.cfg")
# The hand annotation of the embedded report (a source checkout's; a wheel does not carry tests/).
REPORT_GOLD = Path(__file__).resolve().parents[2] / "tests" / "gold" / "entities.json"


def pipeline_language(tag: str) -> str:
    return "en" if tag == "en" else "zh"


@dataclass
class Examples:
    docs: list[Doc]
    entities: int
    misaligned: int  # marks that cut through a token (kept, widened to whole tokens)


def _doc(nlp, text: str, marks: list[tuple[int, int, str]]) -> tuple[Doc, int, int]:
    doc = nlp.make_doc(text)
    spans, misaligned = [], 0
    for start, end, label in marks:
        span = doc.char_span(start, end, label=label)
        if span is None:
            misaligned += 1
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.ents = filter_spans(spans)  # outermost names; a name inside another is the other's part
    return doc, len(doc.ents), misaligned


def annotated_examples(nlp, language: str, split: str) -> Examples:
    found = Examples([], 0, 0)
    for document in documents(split=split):
        if pipeline_language(document.lang) != language:
            continue
        text = to_simplified(document.text) if language == "zh" else document.text
        doc, count, misaligned = _doc(nlp, text, _marks(document))
        found.docs.append(doc)
        found.entities += count
        found.misaligned += misaligned
    return found


def _marks(document: AnnotatedDoc) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in document.spans if s.label in NER_LABELS]


def report_examples(nlp) -> Examples:
    """CDIP/32/3's paragraphs, each name placed where the hand annotation says the paragraph names it."""
    from kg.reader.select import read_document
    from kg.reader.source import read_source

    if not REPORT_GOLD.is_file():
        raise DataError("kg train reads the hand annotation of the embedded report: run it from a source "
                        "checkout of kg", path=REPORT_GOLD)
    gold = json.loads(REPORT_GOLD.read_text(encoding="utf-8"))
    registry = load_registry()
    document = read_document(read_source(default_report()))
    found = Examples([], 0, 0)
    for paragraph in document.paragraphs:
        annotated = gold["paragraphs"].get(str(paragraph.number), {})
        surfaces = []
        for label, keys in annotated.items():
            for key in keys:
                entity = registry.get(label, key)
                if entity is not None and label in MODEL_LABEL:
                    surfaces += [(name, MODEL_LABEL[label]) for name in entity.names["zh"]]
        marks, taken = [], []
        for name, label in sorted(surfaces, key=lambda pair: -len(pair[0])):
            start = paragraph.text.find(name)
            while start >= 0:
                end = start + len(name)
                if not any(a < end and start < b for a, b in taken):
                    marks.append((start, end, label))
                    taken.append((start, end))
                start = paragraph.text.find(name, start + 1)
        doc, count, misaligned = _doc(nlp, paragraph.text, marks)
        found.docs.append(doc)
        found.entities += count
        found.misaligned += misaligned
    return found


def train(language: str, out: Path | None = None, steps: int | None = None, log=print) -> Path:
    """Train the model of ``language`` and write it to ``out`` (default ``data/models/ner-{language}``)."""
    from spacy.cli.train import train as spacy_train

    if language not in LANGUAGES:
        raise DataError(f"no named-entity model for language {language!r} (one of: {', '.join(LANGUAGES)})")
    out = out or data_file("models", f"ner-{language}")
    nlp = spacy.blank(language)
    nlp.tokenizer = ScriptTokenizer(nlp.vocab)
    train_set = annotated_examples(nlp, language, "train")
    if language == "zh":
        report = report_examples(nlp)
        train_set = Examples(train_set.docs + report.docs, train_set.entities + report.entities,
                             train_set.misaligned + report.misaligned)
    dev_set = annotated_examples(nlp, language, "dev")
    log(f"ner-{language}: {len(train_set.docs)} training documents ({train_set.entities} names), "
        f"{len(dev_set.docs)} dev documents ({dev_set.entities} names); "
        f"{train_set.misaligned + dev_set.misaligned} marks widened to whole tokens")
    overrides = {"nlp.lang": language}
    if steps is not None:
        overrides["training.max_steps"] = steps
    with tempfile.TemporaryDirectory(prefix="kg-train-") as tmp:
        work = Path(tmp)
        DocBin(docs=train_set.docs).to_disk(work / "train.spacy")
        DocBin(docs=dev_set.docs).to_disk(work / "dev.spacy")
        overrides |= {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")}
        spacy_train(data_file(*CONFIG), output_path=work / "output", overrides=overrides)
        best = work / "output" / "model-best"
        # The saved config names this run's temporary files: a shipped model names none.
        config = spacy.util.load_config(best / "config.cfg", interpolate=False)
        config["paths"]["train"] = None
        config["paths"]["dev"] = None
        config.to_disk(best / "config.cfg")
        staged = out.with_name(out.name + ".new")
        if staged.exists():
            shutil.rmtree(staged)
        shutil.copytree(best, staged)
        if out.exists():
            shutil.rmtree(out)
        staged.rename(out)
    log(f"wrote {out}")
    return out

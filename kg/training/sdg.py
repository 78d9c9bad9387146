"""``kg train sdg``: the SDG goal classifiers, trained from texts whose authors say which goals they serve.

One model per pipeline language (``zh`` reads Simplified and Traditional Chinese, the latter through its
Simplified copy; ``en`` reads English), written to ``data/models/sdg-{language}``: a
``textcat_multilabel`` over the 17 goals (``data/pipelines/train-sdg.cfg``). Training data, every
printed SDG number blanked out first (:func:`masked`: the model must learn the words, not the numbers):

* the ``train`` split of ``data/annotated``: each text with the goals its annotation gives
  (``goals:``; ``dev`` chooses the number of epochs; ``test`` is never read here);
* for Chinese, the embedded report CDIP/32/3: each paragraph with the goal of the section it sits in
  and the goals of the targets and goals it cites (the author's own labels), unless ``report`` says
  which paragraphs to leave out (bench/sdg.py holds out a part of the report to test on it);
* the concept lexicon's official terms of each goal's targets (``data/sdg/concepts.csv``), one
  example per target: every goal has examples, even one no text of ours serves.

Seeded (``[system] seed``): the same data and config give the same model.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import spacy
from spacy.training import Example

from kg.errors import DataError
from kg.inference.classifier import CITATION, masked
from kg.language.script import to_simplified
from kg.resources import data_file, default_report

GOALS = tuple(str(g) for g in range(1, 18))
LANGUAGES = ("zh", "en")
CONFIG = ("pipelines", "train-sdg.cfg")

_CODES = re.compile(r"[0-9０-９]{1,2}(?:\.[0-9a-zA-Z]{1,2})?")


def printed_goals(text: str) -> set[str]:
    """The goals of the SDG numbers ``text`` prints after a citation keyword."""
    goals = set()
    for citation in CITATION.finditer(text):
        for code in _CODES.findall(citation.group(0)):
            goal = code.translate(str.maketrans("０１２３４５６７８９", "0123456789")).split(".")[0]
            if goal in GOALS:
                goals.add(goal)
    return goals


def report_paragraphs() -> list[tuple[int, str, set[str]]]:
    """The embedded report's paragraphs: (number, text with the numbers blanked, the author's goals)."""
    from kg.reader.report import read_report_file

    document = read_report_file(default_report())
    rows = []
    for paragraph in document.paragraphs:
        section = document.sections[paragraph.section - 1] if paragraph.section else None
        goals = {str(section.goal)} if section and section.goal else set()
        rows.append((paragraph.number, masked(paragraph.text), goals | printed_goals(paragraph.text)))
    return rows


def annotated_texts(language: str, split: str) -> list[tuple[str, set[str]]]:
    from kg.training.annotated import documents

    found = []
    for doc in documents(split=split):
        if ("en" if doc.lang == "en" else "zh") == language:
            text = to_simplified(doc.text) if doc.lang == "zh-Hant" else doc.text
            found.append((masked(text), {str(g) for g in doc.goals}))
    return found


def lexicon_texts(language: str) -> list[tuple[str, set[str]]]:
    from kg.nlp.sdg_concepts import load_concepts

    by_target: dict[str, list[str]] = {}
    for term, code in sorted(load_concepts().official.get(language, ())):
        by_target.setdefault(code, []).append(term)
    separator = "，" if language == "zh" else ", "
    return [(separator.join(terms), {code.split(".")[0]}) for code, terms in sorted(by_target.items())]


def training_texts(language: str, report: Callable[[int], bool] | None = None) -> list[tuple[str, set[str]]]:
    texts = annotated_texts(language, "train") + lexicon_texts(language)
    if language == "zh":
        texts += [(text, goals) for number, text, goals in report_paragraphs() if report is None or report(number)]
    return texts


def _examples(nlp, texts: Iterable[tuple[str, set[str]]]) -> list[Example]:
    return [Example.from_dict(nlp.make_doc(text), {"cats": {g: float(g in goals) for g in GOALS}})
            for text, goals in texts if text.strip()]


def _f1(nlp, examples: list[Example]) -> float:
    tp = fp = fn = 0
    for example, doc in zip(examples, nlp.pipe(e.reference.text for e in examples)):
        gold = {g for g, v in example.reference.cats.items() if v}
        found = {g for g, p in doc.cats.items() if p >= 0.5}
        tp, fp, fn = tp + len(gold & found), fp + len(found - gold), fn + len(gold - found)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def fit(language: str, texts: list[tuple[str, set[str]]], dev: list[tuple[str, set[str]]] | None = None,
        epochs: int | None = None, log: Callable[[str], None] = lambda _: None):
    """A classifier trained on ``texts``: the epoch best on ``dev`` (else the config's last)."""
    import kg.nlp.tokenizer  # noqa: F401  (registers kg.ScriptTokenizer.v1)

    config = spacy.util.load_config(data_file(*CONFIG), overrides={"nlp.lang": language})
    spacy.util.fix_random_seed(config["system"]["seed"])
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    train = _examples(nlp, texts)
    held = _examples(nlp, dev) if dev else []
    optimizer = nlp.initialize(lambda: train)
    optimizer.learn_rate = config["training"]["learn_rate"]
    rng = random.Random(config["system"]["seed"])
    best, best_bytes = -1.0, None
    for epoch in range(epochs or config["training"]["epochs"]):
        rng.shuffle(train)
        losses: dict[str, float] = {}
        for start in range(0, len(train), 16):
            nlp.update(train[start:start + 16], drop=config["training"]["dropout"], sgd=optimizer, losses=losses)
        if held:
            f1 = _f1(nlp, held)
            log(f"  epoch {epoch + 1:2}  loss {losses.get('textcat_multilabel', 0):.3f}  dev F1 {f1:.3f}")
            if f1 > best:
                best, best_bytes = f1, nlp.to_bytes()
    if best_bytes is not None:
        nlp.from_bytes(best_bytes)
    return nlp


def train(language: str, out: Path | None = None, log: Callable[[str], None] = print) -> Path:
    if language not in LANGUAGES:
        raise DataError(f"no SDG classifier for language {language!r} (have: {', '.join(LANGUAGES)})")
    texts = training_texts(language)
    dev = annotated_texts(language, "dev")
    log(f"sdg-{language}: {len(texts)} training texts, {len(dev)} development texts")
    nlp = fit(language, texts, dev, log=log)
    target = out or data_file("models", f"sdg-{language}")
    with tempfile.TemporaryDirectory(dir=target.parent) as staging:
        nlp.to_disk(Path(staging) / "model")
        if target.exists():
            shutil.rmtree(target)
        (Path(staging) / "model").rename(target)
    log(f"wrote {target}")
    return target

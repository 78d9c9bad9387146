"""Score SDG inference: goals and targets a text addresses where it prints no number.

    python bench/sdg.py                    # CDIP/32/3, masked; the classifier cross-validated by part
    python bench/sdg.py --folds thirds     # ... by thirds of the report instead
    python bench/sdg.py --lexicon-only     # without the trained classifier
    python bench/sdg.py --split test       # data/annotated's test split (goals per document)

**The embedded report.** Every printed SDG number (the citation and its keyword: 具体目标 4.4、4.5,
可持续发展目标 9, SDG 9) is blanked out of the paragraphs, and the section headings are not
paragraphs, so nothing the author printed is left. Inference then reads the paragraphs in order.
Gold, per paragraph: the goal of the section it sits in, and the goals of the targets and goals it
cites. Goal level: micro precision and recall over (paragraph, goal). Target level: for each target a
paragraph cites, whether it is among the paragraph's five best-ranked targets. Cross-validated by
part: the classifier (unless ``--lexicon-only``) is trained on the report's other parts (and the annotated
training texts) and tested on the part; the lexicon and the parameters are fixed beforehand, so the
report's parts only matter to the classifier. The report's Part I holds 152 of its 164 paragraphs
(Parts II and III hold 8 and 1, the rest are the introduction), so the folds are as the report is,
not balanced; ``--folds thirds`` cuts the paragraphs into three runs of equal length instead.

**Annotated texts** (``--split``): each document's goals, as annotated (data/annotated/README.md),
against the goals inferred for any of its paragraphs; precision and recall per language.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scoring import score  # noqa: E402
from kg.inference.goals import Evidence, ParagraphEvidence, goal_of, infer, load_parameters  # noqa: E402

from kg.inference.classifier import goal_probabilities, masked  # noqa: E402

_finders: dict[str, object] = {}


def concept_terms(text: str, language: str) -> list[Evidence]:
    import spacy

    from kg.language.script import to_simplified
    from kg.nlp.sdg_concepts import SPANS_KEY, ConceptFinder
    from kg.nlp.tokenizer import ScriptTokenizer

    if language not in _finders:
        nlp = spacy.blank(language)
        nlp.tokenizer = ScriptTokenizer(nlp.vocab)
        _finders[language] = (nlp, ConceptFinder(nlp, language))
    nlp, finder = _finders[language]
    doc = finder(nlp.make_doc(to_simplified(text) if language == "zh" else text))
    return [Evidence(s.start_char, s.end_char, s.id_) for s in doc.spans[SPANS_KEY]]


def report_gold():
    from kg.reader.report import read_report_file
    from kg.resources import default_report

    document = read_report_file(default_report())
    cited = json.loads((ROOT / "tests" / "gold" / "sdg_citations.json").read_text(encoding="utf-8"))["paragraphs"]
    rows = []
    for paragraph in document.paragraphs:
        section = document.sections[paragraph.section - 1] if paragraph.section else None
        entry = cited.get(str(paragraph.number), {})
        goals = {str(section.goal)} if section and section.goal else set()
        goals |= {goal_of(t) for t in entry.get("targets", [])} | {str(g) for g in entry.get("goals", [])}
        rows.append((paragraph, goals, list(entry.get("targets", []))))
    return rows


def folds_of(rows, folds: str) -> list[set[int]]:
    """The report's paragraph numbers cut into folds: by part (Part I, II, III; the introduction with
    none of them is in no fold, so always trained on), or in three runs of equal length."""
    if folds == "parts":
        by_part: dict[int, set[int]] = {}
        for p, _, _ in rows:
            if p.part:
                by_part.setdefault(p.part, set()).add(p.number)
        return [by_part[k] for k in sorted(by_part)]
    numbers = [p.number for p, _, _ in rows]
    third = -(-len(numbers) // 3)
    return [set(numbers[i:i + third]) for i in range(0, len(numbers), third)]


def score_report(folds: str, classifier: bool, top: int = 5) -> int:
    rows = report_gold()
    started = time.perf_counter()
    evidence = [ParagraphEvidence(p.number, concept_terms(masked(p.text), "zh")) for p, _, _ in rows]
    if classifier:
        from kg.training.sdg import fit, training_texts

        by_number = {e.number: e for e in evidence}
        texts = {p.number: p.text for p, _, _ in rows}
        for held in folds_of(rows, folds):
            model = fit("zh", training_texts("zh", report=lambda n, held=held: n not in held))
            numbers = sorted(held)
            for number, cats in zip(numbers, goal_probabilities([texts[n] for n in numbers], "zh", model)):
                by_number[number].classifier = cats
    inferred = infer(evidence)
    seconds = time.perf_counter() - started
    by_paragraph: dict[int, list] = {}
    for link in inferred:
        by_paragraph.setdefault(link.paragraph, []).append(link)
    gold = {(p.number, g) for p, goals, _ in rows for g in goals}
    found = {(link.paragraph, link.code) for link in inferred if link.is_goal}
    precision, recall, f1, tp, fp, fn = score(gold, found)
    hits = total = 0
    for p, _, targets in rows:
        ranked = [link.code for link in sorted(by_paragraph.get(p.number, []), key=lambda l: -l.score)
                  if not link.is_goal][:top]
        for target in targets:
            total += 1
            hits += target in ranked
    method = f"lexicon + classifier, cross-validated by {folds}" if classifier else "lexicon"
    print(f"CDIP/32/3, every printed SDG number blanked: {len(rows)} paragraphs, {method}, {seconds:.1f} s")
    print(f"goals    precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  (TP {tp}, FP {fp}, FN {fn})")
    print(f"targets  cited target among the paragraph's {top} inferred: {hits}/{total} = {hits / total:.3f}")
    return 0


def score_split(split: str, classifier: bool) -> int:
    from kg.training.annotated import documents

    if split != "test":
        print(f"note: the {split} split was used to build kg (dev: to choose parameters); only test is unseen")
    docs = documents(split=split)
    by_language: dict[str, tuple[set, set]] = {}
    for d in docs:
        language = "en" if d.lang == "en" else "zh"
        texts = [t for t in d.text.split("\n\n")]
        paragraphs = [ParagraphEvidence(number, concept_terms(masked(text), language), language=language)
                      for number, text in enumerate(texts, 1)]
        if classifier:
            from kg.language.script import to_simplified

            read = [to_simplified(t) if d.lang == "zh-Hant" else t for t in texts]
            probabilities = goal_probabilities(read, language)
            for paragraph, cats in zip(paragraphs, probabilities or []):
                paragraph.classifier = cats
        inferred = infer(paragraphs)
        gold, found = by_language.setdefault(d.lang, (set(), set()))
        gold.update((d.id, str(g)) for g in d.goals)
        found.update((d.id, link.code) for link in inferred if link.is_goal)
    method = "lexicon + classifier" if classifier else "lexicon"
    print(f"split: {split}  documents: {len(docs)}  goals per document, {method}")
    for language, (gold, found) in sorted(by_language.items()):
        precision, recall, f1, tp, fp, fn = score(gold, found)
        print(f"{language:8} precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  (TP {tp}, FP {fp}, FN {fn})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev", "test"), help="score data/annotated's texts instead")
    parser.add_argument("--folds", choices=("parts", "thirds"), default="parts",
                        help="how to cut the report for cross-validating the classifier")
    parser.add_argument("--lexicon-only", action="store_true", help="leave the trained classifier out")
    args = parser.parse_args()
    load_parameters()
    if args.split:
        return score_split(args.split, not args.lexicon_only)
    return score_report(args.folds, not args.lexicon_only)


if __name__ == "__main__":
    raise SystemExit(main())

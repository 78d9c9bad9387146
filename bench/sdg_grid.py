"""Choose the SDG inference parameters (data/sdg/inference.toml) on the development texts and the report.

    python bench/sdg_grid.py

Scores every combination of a small grid, goal level, on the ``dev`` split of data/annotated (goals per
document) and on the embedded report with its numbers blanked (goals per paragraph), lexicon and
shipped classifier as the build uses them, and prints the best by the mean of the two F1s. The test
split is never read. The report's paragraphs trained the shipped classifier, so its figures here are
optimistic for the classifier weight: bench/sdg.py cross-validates that.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scoring import score  # noqa: E402
from bench.sdg import concept_terms, report_gold  # noqa: E402
from kg.inference.classifier import goal_probabilities, masked  # noqa: E402
from kg.inference.goals import ParagraphEvidence, infer, load_parameters  # noqa: E402
from kg.language.script import to_simplified  # noqa: E402
from kg.training.annotated import documents  # noqa: E402


def prepared():
    report = report_gold()
    report_paragraphs = [ParagraphEvidence(p.number, concept_terms(masked(p.text), "zh")) for p, _, _ in report]
    for paragraph, cats in zip(report_paragraphs, goal_probabilities([p.text for p, _, _ in report], "zh")):
        paragraph.classifier = cats
    report_gold_pairs = {(p.number, g) for p, goals, _ in report for g in goals}
    dev = []
    for d in documents(split="dev"):
        language = "en" if d.lang == "en" else "zh"
        texts = d.text.split("\n\n")
        paragraphs = [ParagraphEvidence(n, concept_terms(masked(t), language), language=language)
                      for n, t in enumerate(texts, 1)]
        read = [to_simplified(t) if d.lang == "zh-Hant" else t for t in texts]
        for paragraph, cats in zip(paragraphs, goal_probabilities(read, language) or []):
            paragraph.classifier = cats
        dev.append((d.id, paragraphs, {str(g) for g in d.goals}))
    return report_paragraphs, report_gold_pairs, dev


def evaluate(parameters, report_paragraphs, report_gold_pairs, dev):
    found = {(l.paragraph, l.code) for l in infer(report_paragraphs, parameters) if l.is_goal}
    report_f1 = score(report_gold_pairs, found)[2]
    gold, inferred = set(), set()
    for key, paragraphs, goals in dev:
        gold |= {(key, g) for g in goals}
        inferred |= {(key, l.code) for l in infer(paragraphs, parameters) if l.is_goal}
    dev_scores = score(gold, inferred)
    return report_f1, dev_scores


def main() -> int:
    data = prepared()
    base = load_parameters()
    rows = []
    for temperature, none_score, goal_threshold, classifier_weight in itertools.product(
            (2.0, 3.0, 4.0, 6.0), (3.0, 4.0, 6.0), (0.3, 0.5), (0.0, 0.5, 1.0)):
        parameters = replace(base, temperature=temperature, none_score=none_score, goal_threshold=goal_threshold,
                             classifier_weight=classifier_weight)
        report_f1, (p, r, f1, *_) = evaluate(parameters, *data)
        rows.append(((report_f1 + f1) / 2, report_f1, p, r, f1, parameters))
    rows.sort(key=lambda row: -row[0])
    print("mean F1  report F1  dev P  dev R  dev F1  temperature none goal_threshold classifier_weight")
    for mean, report_f1, p, r, f1, x in rows[:10]:
        print(f"{mean:.3f}    {report_f1:.3f}      {p:.3f}  {r:.3f}  {f1:.3f}   {x.temperature} {x.none_score} "
              f"{x.goal_threshold} {x.classifier_weight}")
    print(f"current: {load_parameters()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

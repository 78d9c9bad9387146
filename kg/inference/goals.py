"""Which SDG goals and targets each paragraph of a document addresses, with evidence and a score.

For each paragraph:

1. **Evidence.** The concept terms found in it (:mod:`kg.nlp.sdg_concepts`), a term inside a longer
   found term counted with the longer one only. A term weighs by how specific it is: the fewer goals
   share it, the more it says (``log(1 + 17 / goals)``); repeated, it counts the square root of its
   occurrences. A goal's local score is the sum over its terms and its targets' terms.
2. **Classifier** (when the trained model is there, ``data/models/sdg-goals``): its probability for
   each goal adds ``classifier_weight · logit(p)`` to the goal's score: what the lexicon misses.
3. **Sequence.** A report groups paragraphs by subject, a news item keeps to one: a hidden Markov
   model over the document's paragraphs (states: the 17 goals and "none"; a paragraph keeps its
   neighbour's goal with probability ``stay``) turns the local scores into posterior probabilities
   (forward-backward), so a paragraph whose own words are few borrows from its neighbours.
4. **Decision.** A goal is addressed when its posterior reaches ``goal_threshold``, or its local
   share alone does (a second subject of the paragraph), and — always — the paragraph itself holds
   at least one of its terms: every inferred link has evidence a reader can check. Its score is the
   larger of the two. Within an addressed goal, the targets whose own terms score highest are
   addressed too (at most ``targets_per_goal``), each with its terms as evidence.

The parameters are data (``data/sdg/inference.toml``), chosen on the development texts and the
training parts of the embedded report, never on the test split.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache

from kg.errors import DataError
from kg.nlp.sdg_concepts import ConceptLexicon, load_concepts
from kg.resources import data_file

GOALS = tuple(str(g) for g in range(1, 18))
PARAMETERS = ("sdg", "inference.toml")
LEXICON_METHOD = "concept-lexicon"
COMBINED_METHOD = "concept-lexicon+classifier"


@dataclass(frozen=True)
class Parameters:
    temperature: float  # local scores are divided by it before the softmax
    none_score: float  # the "addresses no goal" state's score
    stay: float  # probability that a paragraph keeps its neighbour's goal
    goal_threshold: float  # posterior a goal needs
    local_threshold: float  # local share a second goal needs
    local_minimum: float  # local score a second goal needs
    classifier_weight: float
    target_minimum: float  # a target's own score it needs
    targets_per_goal: int


@cache
def load_parameters() -> Parameters:
    path = data_file(*PARAMETERS)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))["inference"]
        return Parameters(**{name: (int if name == "targets_per_goal" else float)(raw[name])
                             for name in Parameters.__dataclass_fields__})
    except FileNotFoundError:
        raise DataError("missing data file", path=path) from None
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise DataError(f"[inference]: {exc}", path=path) from None


@dataclass(frozen=True)
class Evidence:
    start: int  # offsets in the paragraph's text
    end: int
    term: str


@dataclass
class Inferred:
    """One goal or target a paragraph addresses."""

    paragraph: int
    code: str  # "4" or "4.5"
    score: float
    method: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def is_goal(self) -> bool:
        return "." not in self.code


@dataclass
class ParagraphEvidence:
    """What one paragraph offers: its concept terms (paragraph offsets) and the classifier's view."""

    number: int
    terms: list[Evidence]
    classifier: dict[str, float] | None = None  # goal → probability
    language: str = "zh"  # the concept lexicon's language (zh for Simplified and Traditional)


def goal_of(code: str) -> str:
    return code.split(".")[0]


def _outermost(terms: list[Evidence]) -> list[Evidence]:
    kept: list[Evidence] = []
    for term in sorted(terms, key=lambda t: (t.start, -t.end)):
        if kept and term.start >= kept[-1].start and term.end <= kept[-1].end:
            continue
        kept.append(term)
    return kept


def local_scores(terms: list[Evidence], language: str, lexicon: ConceptLexicon) -> tuple[dict[str, float], dict[str, float]]:
    """(goal → score, target → score) of one paragraph's terms."""
    counts: dict[str, int] = {}
    for term in terms:
        counts[term.term] = counts.get(term.term, 0) + 1
    goals: dict[str, float] = {}
    targets: dict[str, float] = {}
    for term, count in counts.items():
        codes = lexicon.codes(language, term)
        if not codes:
            continue
        term_goals = {goal_of(c) for c in codes}
        repeat = math.sqrt(count)
        weight = math.log(1 + len(GOALS) / len(term_goals)) * repeat
        for goal in term_goals:
            goals[goal] = goals.get(goal, 0.0) + weight
        term_targets = [c for c in codes if "." in c]
        for target in term_targets:
            targets[target] = targets.get(target, 0.0) + math.log(1 + 10 / len(term_targets)) * repeat
    return goals, targets


def _emission(goals: dict[str, float], classifier: dict[str, float] | None, p: Parameters) -> list[float]:
    """Log-probabilities of the states (the 17 goals, then "none") given one paragraph alone."""
    scores = []
    for goal in GOALS:
        score = goals.get(goal, 0.0)
        if classifier is not None and goal in classifier:
            probability = min(max(classifier[goal], 1e-4), 1 - 1e-4)
            score += p.classifier_weight * math.log(probability / (1 - probability))
        scores.append(score / p.temperature)
    scores.append(p.none_score / p.temperature)
    top = max(scores)
    total = math.log(sum(math.exp(s - top) for s in scores)) + top
    return [s - total for s in scores]


def posteriors(emissions: list[list[float]], stay: float) -> list[list[float]]:
    """Forward-backward over a sequence of paragraphs: P(state | the whole document) for each."""
    import numpy as np

    states = len(emissions[0])
    transition = np.full((states, states), (1 - stay) / (states - 1))
    np.fill_diagonal(transition, stay)
    likelihood = np.exp(np.array(emissions))  # each row sums to 1: no underflow across rows
    forward = np.empty_like(likelihood)
    alpha = likelihood[0] / states
    for i in range(len(likelihood)):
        if i:
            alpha = (alpha @ transition) * likelihood[i]
        alpha = alpha / alpha.sum()
        forward[i] = alpha
    backward = np.ones_like(likelihood)
    for i in range(len(likelihood) - 2, -1, -1):
        beta = transition @ (likelihood[i + 1] * backward[i + 1])
        backward[i] = beta / beta.sum()
    joint = forward * backward
    return (joint / joint.sum(axis=1, keepdims=True)).tolist()


def infer(paragraphs: list[ParagraphEvidence], parameters: Parameters | None = None,
          lexicon: ConceptLexicon | None = None) -> list[Inferred]:
    """The goals and targets each paragraph addresses (a document's paragraphs, in reading order)."""
    if not paragraphs:
        return []
    p = parameters or load_parameters()
    lexicon = lexicon or load_concepts()
    evidence = [_outermost(paragraph.terms) for paragraph in paragraphs]
    scored = [local_scores(terms, paragraph.language, lexicon) for terms, paragraph in zip(evidence, paragraphs)]
    emissions = [_emission(goals, paragraph.classifier, p) for (goals, _), paragraph in zip(scored, paragraphs)]
    smoothed = posteriors(emissions, p.stay)
    found: list[Inferred] = []
    for paragraph, terms, (goals, targets), posterior in zip(paragraphs, evidence, scored, smoothed):
        total = sum(goals.values())
        method = COMBINED_METHOD if paragraph.classifier is not None else LEXICON_METHOD
        language = paragraph.language
        for index, goal in enumerate(GOALS):
            own = [t for t in terms if any(goal_of(c) == goal for c in lexicon.codes(language, t.term))]
            if not own:
                continue  # nothing in this paragraph a reader could check
            share = goals.get(goal, 0.0) / total if total else 0.0
            local = share if goals.get(goal, 0.0) >= p.local_minimum else 0.0
            score = max(posterior[index], local if local >= p.local_threshold else 0.0)
            if posterior[index] < p.goal_threshold and local < p.local_threshold:
                continue
            found.append(Inferred(paragraph.number, goal, round(score, 3), method, own))
            ranked = sorted(((s, t) for t, s in targets.items() if goal_of(t) == goal and s >= p.target_minimum),
                            key=lambda pair: (-pair[0], pair[1]))[:p.targets_per_goal]
            for target_score, target in ranked:
                target_terms = [t for t in own if target in lexicon.codes(language, t.term)]
                confidence = score * target_score / (target_score + p.target_minimum)
                found.append(Inferred(paragraph.number, target, round(confidence, 3), method, target_terms))
    return found

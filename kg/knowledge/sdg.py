"""The official SDG goals and targets, read from the UN SDG KOS shipped in ``data/vocab``.

The KOS (``lod4stats-sdg-kos-goals-targets-indicators.ttl``) is the list a
citation is checked against: 17 goals and 169 targets. Chinese goal labels come
from the SDG metadata the UN serves for each goal (``issa-sdgs-metadata-goals.ttl``).
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.errors import DataError
from kg.namespaces import SDG, SDGO
from kg.rdfio import parse_into
from kg.resources import data_file

KOS_FILE = ("vocab", "lod4stats-sdg-kos-goals-targets-indicators.ttl")
GOAL_LABELS_FILE = ("vocab", "issa-sdgs-metadata-goals.ttl")
# The UN's official Chinese wording of the 169 targets (open-sdg/sdg-translations; data/vocab/README.md),
# which the KOS lacks: `4-4-title: 到2030年，…` per line.
TARGET_ZH_FILE = ("vocab", "open-sdg-global_targets-zh-Hans.yml")
_TARGET_TITLE = re.compile(r"^'?(\d{1,2})-([0-9a-z]{1,2})'?-title:\s*(.+?)\s*$")


@dataclass(frozen=True)
class Concept:
    code: str
    iri: URIRef
    labels: dict[str, str] = field(hash=False, compare=False)
    goal: int


def normalise_code(code: str) -> str:
    """``"02.04"``/``"2.4"``/``"2.A"`` → ``"2.4"``/``"2.4"``/``"2.a"``."""
    goal, _, target = code.strip().partition(".")
    goal = str(int(goal))
    if not target:
        return goal
    target = target.lower()
    return f"{goal}.{int(target) if target.isdigit() else target}"


class SdgRegistry:
    """Goals and targets by code, with their UN IRIs."""

    def __init__(self, kos: Graph, goal_labels: Graph | None = None, sources: tuple[Path, ...] = (),
                 target_labels_zh: dict[str, str] | None = None):
        self.kos = kos
        self.sources = sources
        self.goals: dict[str, Concept] = {}
        self.targets: dict[str, Concept] = {}
        for kind, table in ((SDGO.Goal, self.goals), (SDGO.Target, self.targets)):
            for iri in kos.subjects(RDF.type, kind):
                code = normalise_code(str(iri).rsplit("/", 1)[-1])
                labels = {lit.language: str(lit) for lit in kos.objects(iri, SKOS.prefLabel)
                          if isinstance(lit, Literal) and lit.language}
                if goal_labels is not None and kind == SDGO.Goal:
                    # The goal metadata adds the languages the KOS lacks (Chinese among
                    # them); where both have a label the KOS, our reference, wins.
                    for lit in goal_labels.objects(iri, SKOS.prefLabel):
                        if isinstance(lit, Literal) and lit.language:
                            labels.setdefault(lit.language, str(lit))
                if target_labels_zh and kind == SDGO.Target and code in target_labels_zh:
                    labels.setdefault("zh", target_labels_zh[code])
                table[code] = Concept(code, URIRef(iri), labels, int(code.split(".")[0]))
        if len(self.goals) != 17 or len(self.targets) != 169:
            raise DataError(f"expected 17 goals and 169 targets, found {len(self.goals)} and "
                            f"{len(self.targets)}", path=sources[0] if sources else None)

    def goal(self, number: int | str) -> Concept | None:
        return self.goals.get(str(number))

    def target(self, code: str) -> Concept | None:
        try:
            return self.targets.get(normalise_code(code))
        except ValueError:
            return None

    @staticmethod
    def goal_iri(number: int) -> URIRef:
        return SDG[str(number)]


def _parse(path: Path) -> Graph:
    if not path.is_file():
        raise DataError("missing vocabulary file", path=path)
    graph = Graph()
    parse_into(graph, path, DataError)  # a syntax error is one line with its line number
    return graph


def read_target_titles(path: Path) -> dict[str, str]:
    """Target code (``4.4``) → its official text, from an open-sdg translation file."""
    if not path.is_file():
        raise DataError("missing vocabulary file", path=path)
    titles = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _TARGET_TITLE.match(line)
        if match:
            titles[f"{match.group(1)}.{match.group(2)}"] = match.group(3).strip("'\"")
    if len(titles) != 169:
        raise DataError(f"expected the 169 targets' titles, found {len(titles)}", path=path)
    return titles


@cache
def load_sdg_registry() -> SdgRegistry:
    kos_path, labels_path, zh_path = data_file(*KOS_FILE), data_file(*GOAL_LABELS_FILE), data_file(*TARGET_ZH_FILE)
    return SdgRegistry(_parse(kos_path), _parse(labels_path), (kos_path, labels_path, zh_path),
                       read_target_titles(zh_path))

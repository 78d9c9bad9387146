"""The role rules of a language, read from its lexicon's ``[relations]`` (see :mod:`kg.nlp.roles`).

Frames and prefixes (opening and closing words around an entity), suffixes, joint names
with the actor, head nouns, event words, the roles each entity type may take and the
fallbacks for those it may not: read once per lexicon into :class:`RoleRules`, checked
(every role and entity type named must be known, the actor must be in the registry), the
words they match in lower case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span

from kg.errors import DataError
from kg.knowledge.registry import load_registry
from kg.language.lexicon import Lexicon
from kg.nlp.entities import PLACE_LABELS

CLAUSE_START = "^"
END_OF_SCOPE = "$"
ROLE_NAMES = ("partner", "funder", "host", "beneficiary", "venue", "origin")
TYPES = ("ORG", "PLACE")


@dataclass(frozen=True)
class Frame:
    role: str
    openings: tuple[str, ...]
    closings: tuple[str, ...]
    adds: bool = False
    list_only: bool = False
    subject: bool = False
    types: frozenset[str] = frozenset(TYPES)  # the entity types it governs
    next_list: bool = False  # governs only the list right after the opening ("funded by X and Y")


@dataclass(frozen=True)
class Head:
    role: str
    types: frozenset[str]
    words: tuple[str, ...]
    adjacent: bool = False
    not_before: tuple[str, ...] = ()
    barriers: tuple[str, ...] = ()  # words that may not stand between the entity and the head


# The keys of [relations] that hold words or lists of words matched against the text.
_WORDS = ("open", "close", "triggers", "words", "not_before", "barriers", "virtual", "national", "links",
          "list_separators", "not_triggers", "example_markers", "insertion_markers", "list_introducers", "articles")


def _lowered(config):
    """``config`` with the words it matches in lower case ("^" and "$" are marks, not words)."""
    if isinstance(config, dict):
        return {key: ([w.lower() for w in value] if key in _WORDS and isinstance(value, list) else _lowered(value))
                for key, value in config.items()}
    if isinstance(config, list):
        return [_lowered(value) for value in config]
    return config


def kind_of(span: Span) -> str:
    return "PLACE" if span.label_ in PLACE_LABELS else span.label_


class RoleRules:
    """A language's role rules (the base of :class:`~kg.nlp.roles.RoleFinder`)."""

    def __init__(self, lexicon: Lexicon):
        self.language = lexicon.language
        try:
            self._configure(lexicon.relations)
        except (KeyError, TypeError, ValueError, re.error) as exc:
            detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            raise DataError(f"[relations]: {detail}", path=lexicon.path) from None

    def _configure(self, config: dict) -> None:
        # Trigger words match regardless of case ("Funded by" = "funded by"): the text
        # is read in lower case (kg/nlp/roles.py keeps every offset), and so are the words.
        config = _lowered(config)
        self.actor = config["actor"]
        self.clause_end = config["clause_end"]
        self.sentence_end = config["sentence_end"]
        self.opaque = [tuple(pair) for pair in config.get("opaque_brackets", [])]
        self.list_introducers = tuple(config.get("list_introducers", ()))
        self.example_markers = tuple(config.get("example_markers", ()))
        self.insertions = tuple(config.get("insertion_markers", ()))
        separators = sorted(config.get("list_separators", []), key=len, reverse=True)
        self.separator = re.compile(r"\s*(?:" + "|".join(map(re.escape, separators)) + r")\s*" if separators
                                    else r"(?!)")
        self.not_triggers = tuple(config.get("not_triggers", ()))
        self.frames = [self._frame(f) for f in config.get("frames", [])]
        self.frames += [Frame(p["role"], tuple(p["triggers"]), (END_OF_SCOPE,), adds=bool(p.get("adds", False)),
                              list_only=bool(p.get("list_only", False)), types=frozenset(p.get("types", TYPES)),
                              next_list=bool(p.get("next_list", config.get("prefixes_govern_next_list", False))))
                        for p in config.get("prefixes", [])]
        self.articles = tuple(config.get("articles", ()))
        self.suffixes = [(s["role"], tuple(s["triggers"])) for s in config.get("suffixes", [])]
        joint = config.get("joint", {})
        self.joint_role = joint.get("role")
        self.joint_links = tuple(joint.get("links", ()))
        actor = load_registry().get("ORG", self.actor)
        if actor is None:
            raise ValueError(f"actor {self.actor!r} is not in the organisation registry")
        self.actor_names = tuple(sorted({n.lower() for n in actor.names.get(self.language, ())}, key=len, reverse=True))
        rules = config.get("head_rules", {})
        self.adjacent_gap = re.compile(rules.get("adjacent_gap", r"^\s*$"))
        barriers = tuple(rules.get("barriers", ()))
        self.heads = [Head(h["role"], frozenset(h["types"]), tuple(h["words"]), bool(h.get("adjacent", False)),
                           tuple(h.get("not_before", ())), barriers + tuple(h.get("barriers", ())))
                      for h in config.get("heads", [])]
        events = config.get("events", {})
        self.virtual = tuple(events.get("virtual", ()))
        self.national = tuple(events.get("national", ()))
        self.allowed = {kind: set(roles) for kind, roles in config["roles_by_type"].items()}
        self.fallback = dict(config.get("fallback", {}))
        self.nested = dict(config.get("nested", {}))
        roles = {f.role for f in self.frames} | {r for r, _ in self.suffixes} | {h.role for h in self.heads}
        roles |= set(self.fallback.values()) | set(self.nested.values()) | {self.joint_role or "partner"}
        roles |= {r for allowed in self.allowed.values() for r in allowed}
        unknown = sorted(roles - set(ROLE_NAMES))
        if unknown:
            raise ValueError(f"unknown role(s) {', '.join(unknown)} (roles: {', '.join(ROLE_NAMES)})")
        kinds = {k for h in self.heads for k in h.types} | set(self.allowed)
        if kinds - set(TYPES):
            raise ValueError(f"unknown entity type(s) {', '.join(sorted(kinds - set(TYPES)))} (types: ORG, PLACE)")

    @staticmethod
    def _frame(raw: dict) -> Frame:
        return Frame(raw["role"], tuple(raw["open"]), tuple(raw["close"]), bool(raw.get("adds", False)),
                     bool(raw.get("list_only", False)), bool(raw.get("subject", False)),
                     frozenset(raw.get("types", TYPES)), bool(raw.get("next_list", False)))

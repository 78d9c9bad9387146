"""``kg_roles``: the role an organisation or a place plays where it is named.

Roles come from trigger words around the entity, all in the lexicon
(``[relations]`` of ``data/lexicon/{lang}.toml``): a *frame* is an opening and
a closing word of one clause with the entity between them (与…合作 partner,
由…提供财政支持 funder, 在…举行 venue, 来自…的 origin); a *prefix* governs the
entities after it to the end of the clause (受益国是 …); a *suffix* follows
the entity (韩国信托基金资助的 …). The innermost trigger around an entity wins.
An entity type that cannot take a frame's role gets the lexicon's fallback (a
country inside a partner's frame is the partner's origin); a place nested in an
organisation's name is its origin.

The result is ``doc.spans["roles"]``: one span per entity with a role,
labelled with the role, the entity key as ``id_``, and the trigger words'
character offsets as ``span._.kg_triggers``. Entities without a span here are
merely mentioned. Grouping roles into activities is kg/relations.py's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.lexicon import Lexicon, load_lexicon
from kg.nlp.entities import ENTITIES, PLACE_LABELS

ROLES = "roles"
END_OF_CLAUSE = "$"

if not Span.has_extension("kg_triggers"):
    Span.set_extension("kg_triggers", default=())


def clause_pattern(marks: str) -> re.Pattern[str]:
    """Where clauses end: at a mark; at an ASCII punctuation mark only before a space or the end
    (the comma of "13,164" and the stop of "4.3" end nothing)."""
    always = "".join(c for c in marks if not c.isascii() or c.isspace())
    ascii_marks = "".join(c for c in marks if c.isascii() and not c.isspace())
    parts = [f"[{re.escape(always)}]"] if always else []
    if ascii_marks:
        parts.append(f"[{re.escape(ascii_marks)}](?=\\s|$)")
    return re.compile("|".join(parts))


@dataclass(frozen=True)
class Trigger:
    role: str
    governs_from: int  # entities starting at or after this offset …
    governs_to: int  # … and ending at or before this one are governed
    words: tuple[tuple[int, int], ...]  # character offsets of the trigger words

    @property
    def width(self) -> int:
        return self.governs_to - self.governs_from


class RoleFinder:
    def __init__(self, lexicon: Lexicon):
        config = lexicon.relations
        self.actor = config["actor"]
        self.clause_end = clause_pattern(config["clause_end"])
        def lower(words) -> tuple[str, ...]:
            return tuple(w if w == END_OF_CLAUSE else w.lower() for w in words)

        self.frames = [(f["role"], lower(f["open"]), lower(f["close"])) for f in config.get("frames", [])]
        self.prefixes = [(p["role"], lower(p["triggers"])) for p in config.get("prefixes", [])]
        self.suffixes = [(s["role"], lower(s["triggers"])) for s in config.get("suffixes", [])]
        self.allowed = {kind: set(roles) for kind, roles in config["roles_by_type"].items()}
        self.fallback = dict(config.get("fallback", {}))

    @staticmethod
    def _find(text: str, word: str, start: int, end: int):
        """Where ``word`` occurs in ``text[start:end]``; a Latin word only as a whole word ("for" is not in "form")."""
        head = word[:1].isascii() and word[:1].isalnum()
        tail = word[-1:].isascii() and word[-1:].isalnum()
        position = text.find(word, start, end)
        while position >= 0:
            after = position + len(word)
            if not (head and position > 0 and text[position - 1].isalnum()) \
                    and not (tail and after < len(text) and text[after].isalnum()):
                yield position
            position = text.find(word, position + 1, end)

    def _triggers(self, text: str, start: int, end: int, names: list[tuple[int, int]]) -> list[Trigger]:
        """Every trigger of the clause [start, end); a word inside a name (联合 in 联合国) is no trigger."""
        def free(at: int, length: int) -> bool:
            return not any(a < at + length and at < b for a, b in names)

        found = []
        for role, openings, closings in self.frames:
            for opening in openings:
                for at in self._find(text, opening, start, end):
                    if not free(at, len(opening)):
                        continue
                    after = at + len(opening)
                    for closing in closings:
                        if closing == END_OF_CLAUSE:
                            found.append(Trigger(role, after, end, ((at, after),)))
                            continue
                        for position in self._find(text, closing, after, end):
                            if free(position, len(closing)):
                                found.append(Trigger(role, after, position,
                                                     ((at, after), (position, position + len(closing)))))
                                break
        for role, words in self.prefixes:
            for word in words:
                for at in self._find(text, word, start, end):
                    if free(at, len(word)):
                        found.append(Trigger(role, at + len(word), end, ((at, at + len(word)),)))
        return found

    def _suffix(self, text: str, span: Span) -> Trigger | None:
        after = span.end_char
        # An acronym in parentheses may stand between the name and the trigger.
        parenthetical = re.match(r"[（(][^（）()]{1,16}[)）]", text[after:after + 20])
        if parenthetical:
            after += parenthetical.end()
        for role, words in self.suffixes:
            for word in words:
                if text.startswith(word, after):
                    return Trigger(role, span.start_char, span.end_char, ((after, after + len(word)),))
        return None

    def _role(self, span: Span, trigger: Trigger) -> str | None:
        kind = "PLACE" if span.label_ in PLACE_LABELS else span.label_
        if trigger.role in self.allowed.get(kind, ()):
            return trigger.role
        return self.fallback.get(f"{kind}_in_{trigger.role}")

    def __call__(self, doc: Doc) -> Doc:
        # Trigger words match regardless of case ("Funded by" = "funded by"); lowering
        # keeps every offset (a character whose lower case is longer is left alone).
        text = "".join(c.lower() if len(c.lower()) == 1 else c for c in doc.text)
        entities = [s for s in doc.spans.get(ENTITIES, [])
                    if s.label_ != "PROGRAMME" and s.id_ != self.actor]
        organisations = [s for s in doc.spans.get(ENTITIES, []) if s.label_ == "ORG"]
        names = [(s.start_char, s.end_char) for s in doc.spans.get(ENTITIES, [])]
        roles = []
        boundaries = [0] + [m.end() for m in self.clause_end.finditer(text)] + [len(text)]
        clause = 0
        triggers: list[Trigger] = []
        for span in sorted(entities, key=lambda s: s.start_char):
            while clause + 1 < len(boundaries) and boundaries[clause + 1] <= span.start_char:
                clause += 1
                triggers = []
            if not triggers:
                triggers = self._triggers(text, boundaries[clause], boundaries[min(clause + 1, len(boundaries) - 1)],
                                          names)
            around = [t for t in triggers if t.governs_from <= span.start_char and span.end_char <= t.governs_to]
            suffix = self._suffix(text, span)
            if suffix is not None:
                around.append(suffix)
            role, words = None, ()
            for trigger in sorted(around, key=lambda t: (t.width, t.governs_from)):
                role = self._role(span, trigger)
                if role is not None:
                    words = trigger.words
                    break
            if role is None and span.label_ in PLACE_LABELS and any(
                    o.start_char <= span.start_char and span.end_char <= o.end_char for o in organisations):
                role = "origin"  # the place an organisation is named after is where it is from
            if role is None:
                continue
            marked = Span(doc, span.start, span.end, label=role, span_id=span.id_)
            marked._.kg_triggers = tuple(words)
            roles.append(marked)
        doc.spans[ROLES] = roles
        return doc


@Language.factory("kg_roles", default_config={"lexicon": "zh"})
def create_roles(nlp: Language, name: str, lexicon: str):
    return RoleFinder(load_lexicon(lexicon))

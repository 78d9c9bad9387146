"""``kg_roles``: the roles an organisation or a place plays where it is named.

Roles come from trigger words around the entity, all in the lexicon
(``[relations]`` of ``data/lexicon/{lang}.toml``):

* a *frame* is an opening and a closing word of one clause with the entity
  between them (与…合作 partner, 由…提供财政支持 funder, 在…举行 venue,
  来自…的 origin); "^" opens at the start of the clause, "$" closes at the end
  of its scope (the sentence, after a list introducer "：" or before "例如");
* a *prefix* governs the entities after it to the end of the clause (受益国是 …);
* a *suffix* follows a list of entities (韩国信托基金资助的 …);
* a *joint* name or list puts an organisation beside the actor (产权组织-世贸组织…);
* a *head* noun after an entity gives a role when nothing else does
  (喀麦隆、马来西亚…的发展议程项目).

The innermost trigger around an entity wins; triggers marked ``adds``
(来自…的) add their role to it. Coordinated lists ("摩洛哥、沙特阿拉伯和突尼斯")
are governed as a whole. An entity type that cannot take a trigger's role gets
the lexicon's fallback (a country inside a partner's frame is the partner's
origin). A place nested in an organisation's name with no role of its own takes
one from the organisation's. Event words adjust venues: an online event has no
venue but serves the place, a national one held in a place also serves it.

The result is ``doc.spans["roles"]``: one span per entity and role, labelled
with the role and with the entity key as ``id_``; ``evidence(doc, span)`` gives
the trigger words' character offsets and whether a place is only an
organisation's home (kept per role in ``doc._.kg_role_triggers``: spaCy keeps a
span extension per stretch of text, and one stretch may have several roles). Entities without a span here are merely mentioned. Grouping
roles into activities is kg/graph/relations.py's job.

The rules are read from the lexicon by kg/nlp/role_rules.py and the triggers found by
kg/nlp/role_triggers.py; this module chooses the roles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.language.lexicon import load_lexicon
from kg.nlp.clauses import Layout
from kg.nlp.entities import ENTITIES, PLACE_LABELS
from kg.nlp.role_rules import kind_of
from kg.nlp.role_triggers import NOT_TAKERS, Lists, Names, Trigger, TriggerFinder
from kg.nlp.text import text_of

ROLES = "roles"

if not Doc.has_extension("kg_role_triggers"):
    Doc.set_extension("kg_role_triggers", default=None)


@dataclass(frozen=True)
class Evidence:
    words: tuple[tuple[int, int], ...] = ()  # character offsets of the trigger words
    # A place that is only where a partner, funder or host is from (中国 in 中国信托基金,
    # 巴西 in 与巴西…的学院合作): its origin, not a place the activity reached.
    home: bool = False


def evidence(doc: Doc, span: Span) -> Evidence:
    """How a role span got its role."""
    return (doc._.kg_role_triggers or {}).get((span.start_char, span.end_char, span.label_), Evidence())


def triggers(doc: Doc, span: Span) -> tuple[tuple[int, int], ...]:
    """The character offsets of the words that gave a role span its role."""
    return evidence(doc, span).words


if not Span.has_extension("kg_triggers"):
    # ``span._.kg_triggers`` of a role span: computed per role, not stored per stretch of text.
    Span.set_extension("kg_triggers", getter=lambda span: triggers(span.doc, span))


class RoleFinder(TriggerFinder):
    """The ``kg_roles`` component: the roles the triggers around each entity give it (the
    rules are read by :class:`~kg.nlp.role_rules.RoleRules`, the triggers found by
    :class:`~kg.nlp.role_triggers.TriggerFinder`)."""

    def _role(self, span: Span, role: str) -> str | None:
        kind = kind_of(span)
        if role in self.allowed.get(kind, ()):
            return role
        return self.fallback.get(f"{kind}_in_{role}")

    def _home(self, span: Span, role: str) -> bool:
        """Whether a trigger's role reaches a place only as an organisation's home (与巴西…的学院合作)."""
        return kind_of(span) == "PLACE" and role not in self.allowed.get("PLACE", ()) \
            and f"PLACE_in_{role}" in self.fallback

    def _event_roles(self, text: str, layout: Layout, trigger: Trigger, role: str) -> list[str]:
        if role != "venue" or not trigger.words:
            return [role]
        clause = layout.clause_at(trigger.words[0][0])
        words = text[clause.start:clause.end]
        if any(w in words for w in self.virtual):
            return ["beneficiary"]
        if any(w in words for w in self.national):
            return ["venue", "beneficiary"]
        return [role]

    def __call__(self, doc: Doc) -> Doc:
        text = _lower_text(text_of(doc))
        every = sorted(doc.spans.get(ENTITIES, []), key=lambda s: (s.start_char, -s.end_char))
        names = Names(text, every)
        layout = Layout(text, self.clause_end, self.sentence_end, self.opaque, self.list_introducers,
                        self.example_markers, self.insertions)
        lists = Lists(text, self._lists(text, layout, names.outer), layout, self)

        places: dict[tuple[str, bool], list[int]] = {}

        def where(word: str, opening: bool) -> list[int]:
            """Where ``word`` stands outside names (and, for an opening, outside not_triggers words)."""
            key = (word, opening)
            if key not in places:
                places[key] = [at for at in self._find(text, word, 0, len(text)) if names.free(at, len(word))
                               and not (opening and self._blocked(text, at, word))]
            return places[key]

        by_sentence: dict[int, list[Trigger]] = defaultdict(list)
        for sentence, trigger in self._frame_triggers(text, layout, names, lists, where):
            by_sentence[sentence].append(trigger)
        for trigger in self._joint(text, layout, lists.groups, names.outer) + self._suffixes(text, layout, lists.groups):
            by_sentence[layout.clause_at(trigger.governs_from).sentence].append(trigger)

        takers = [s for s in every if s.label_ not in NOT_TAKERS and s.id_ != self.actor]
        organisations = [s for s in every if s.label_ == "ORG"]
        taker_names = [(s.start_char, s.end_char) for s in takers]
        found: dict[tuple[int, int], dict[str, Evidence]] = {}
        nested_places = []
        for span in takers:
            clause = layout.clause_at(span.start_char)
            around = self._around(span, by_sentence[clause.sentence], self._possessed(text, layout, span, organisations))
            roles, main = self._from_triggers(text, layout, span, around)
            container = next((o for o in organisations if o is not span and o.start_char <= span.start_char
                              and span.end_char <= o.end_char), None) if span.label_ in PLACE_LABELS else None
            if main is None and container is not None:
                nested_places.append((span, container, roles))
            elif main is None:
                head = self._head(text, span, lists.end_of((span.start_char, span.end_char), span.end_char),
                                  clause, taker_names)
                if head is not None and (role := self._role(span, head[0])) is not None:
                    roles.setdefault(role, Evidence(head[1], self._home(span, head[0])))
            found[(span.start_char, span.end_char)] = roles

        # A place named inside an organisation's name: its role follows the organisation's.
        for span, container, roles in nested_places:
            for role in found.get((container.start_char, container.end_char), {}):
                if role in self.nested and not roles:
                    roles[self.nested[role]] = Evidence((), self.nested[role] == "origin")

        spans, words_of = [], {}
        for span in takers:
            for role, words in sorted(found[(span.start_char, span.end_char)].items()):
                spans.append(Span(doc, span.start, span.end, label=role, span_id=span.id_))
                words_of[(span.start_char, span.end_char, role)] = words
        doc.spans[ROLES] = spans
        doc._.kg_role_triggers = words_of
        return doc

    @staticmethod
    def _around(span: Span, candidates: list[Trigger], possessed: Span | None) -> list[Trigger]:
        """The triggers governing ``span``, innermost first; none that governs the name it modifies."""
        def governs(t: Trigger, s: Span) -> bool:
            return t.governs_from <= s.start_char and s.end_char <= t.governs_to

        return sorted((t for t in candidates if governs(t, span) and not (possessed and governs(t, possessed))),
                      key=lambda t: (t.width, t.governs_from))

    def _from_triggers(self, text: str, layout: Layout, span: Span, around: list[Trigger]):
        """The roles the triggers give: the innermost one that fits the entity's type, and the adding ones."""
        roles: dict[str, Evidence] = {}
        main = None
        for trigger in around:
            if kind_of(span) not in trigger.types or (role := self._role(span, trigger.role)) is None:
                continue
            if trigger.adds:
                roles.setdefault(role, Evidence(trigger.words, self._home(span, trigger.role)))
            elif main is None:
                main = trigger
                for r in self._event_roles(text, layout, trigger, role):
                    roles.setdefault(r, Evidence(trigger.words, self._home(span, trigger.role)))
        return roles, main

    def _possessed(self, text: str, layout: Layout, span: Span, organisations: list[Span]) -> Span | None:
        """The organisation an organisation's name modifies: 西印度群岛大学的圣奥古斯丁校区."""
        if span.label_ != "ORG":
            return None
        after = self._after_name(layout, span.end_char)
        if not text.startswith("的", after):
            return None
        return next((o for o in organisations if o.start_char == after + 1), None)


def _lower_text(text: str) -> str:
    """``text`` in lower case, every offset kept: a character whose lower case is longer is
    left alone. ``str.lower`` does it in one pass unless a character grows (the length tells)
    or lowers by context (only the Greek capital sigma does)."""
    lowered = text.lower()
    if len(lowered) == len(text) and "\u03a3" not in text:
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@Language.factory("kg_roles", default_config={"lexicon": "zh"})
def create_roles(nlp: Language, name: str, lexicon: str):
    return RoleFinder(load_lexicon(lexicon))

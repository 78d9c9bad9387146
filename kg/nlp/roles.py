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
roles into activities is kg/relations.py's job.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import DataError
from kg.knowledge.registry import load_registry
from kg.language.lexicon import Lexicon, load_lexicon
from kg.nlp.clauses import Layout
from kg.nlp.entities import ENTITIES, PLACE_LABELS
from kg.nlp.text import text_of

ROLES = "roles"
CLAUSE_START = "^"
END_OF_SCOPE = "$"
ROLE_NAMES = ("partner", "funder", "host", "beneficiary", "venue", "origin")
TYPES = ("ORG", "PLACE")

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


@dataclass(frozen=True)
class Trigger:
    role: str
    governs_from: int  # entities starting at or after this offset …
    governs_to: int  # … and ending at or before this one are governed
    words: tuple[tuple[int, int], ...]  # character offsets of the trigger words
    adds: bool = False
    types: frozenset[str] = frozenset(TYPES)

    @property
    def width(self) -> int:
        return self.governs_to - self.governs_from


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


def _kind(span: Span) -> str:
    return "PLACE" if span.label_ in PLACE_LABELS else span.label_


class RoleFinder:
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

    # -- text ------------------------------------------------------------------

    @staticmethod
    def _find(text: str, word: str, start: int, end: int):
        """Where ``word`` occurs in ``text[start:end]``; a Latin word only as a whole word ("for" is not in "form")."""
        head = word[:1].isascii() and word[:1].isalnum()
        tail = word[-1:].isascii() and word[-1:].isalnum()
        position = text.find(word, start, end)
        while position >= 0:
            after = position + len(word)
            if after <= end and not (head and position > 0 and text[position - 1].isalnum()) \
                    and not (tail and after < len(text) and text[after].isalnum()):
                yield position
            position = text.find(word, position + 1, end)

    def _blocked(self, text: str, at: int, word: str) -> bool:
        """Whether ``word`` at ``at`` is part of a longer word that is no trigger (为 in 作为)."""
        for longer in self.not_triggers:
            if longer == word or word not in longer:
                continue
            offset = longer.find(word)
            while offset >= 0:
                if text.startswith(longer, at - offset):
                    return True
                offset = longer.find(word, offset + 1)
        return False

    # -- lists -----------------------------------------------------------------

    def _lists(self, text: str, layout: Layout, outer: list[Span]) -> list[list[Span]]:
        """Coordinated lists of outermost entity names: 摩洛哥、沙特阿拉伯和突尼斯."""
        lists: list[list[Span]] = []
        reach = -1  # past the last member's name and its bracketed short form
        for span in outer:
            if span.start_char < reach:
                continue  # the short form itself: 东南亚国家联盟（东盟）
            if lists and self.separator.fullmatch(text[reach:span.start_char]):
                lists[-1].append(span)
            else:
                lists.append([span])
            reach = self._after_name(layout, span.end_char)
        return lists

    @staticmethod
    def _after_name(layout: Layout, end: int) -> int:
        """Past a name's acronym or short form in brackets: 国际贸易中心（ITC）, "the Agency (AFD)"."""
        start = end + 1 if layout.text[end:end + 1] == " " else end
        bracket = layout.parenthetical_at(start)
        return bracket if bracket is not None and bracket - end <= 24 else end

    # -- triggers ----------------------------------------------------------------

    def _frame_triggers(self, text: str, layout: Layout, names: "_Names", lists: "_Lists",
                        where) -> list[tuple[int, Trigger]]:
        """(sentence, trigger) of every frame and prefix; ``where(word, opening)`` lists a word's places."""
        found = []

        def first(word: str, lo: int, hi: int) -> int | None:
            positions = where(word, False)
            index = bisect.bisect_left(positions, lo)
            if index < len(positions) and positions[index] + len(word) <= hi:
                return positions[index]
            return None

        for frame in self.frames:
            for opening in frame.openings:
                if opening == CLAUSE_START:
                    places = [(c, c.start, c.start) for c in layout.clauses]
                else:
                    places = [(layout.clause_at(at), at, at + len(opening)) for at in where(opening, True)]
                for clause, at, after in places:
                    if after > clause.end:
                        continue  # the word runs past its clause's end
                    opened = ((at, after),) if after > at else ()
                    for closing in frame.closings:
                        if closing == END_OF_SCOPE:
                            stop, words = clause.scope_end, opened
                        else:
                            stop = first(closing, after, clause.end)
                            if stop is None:
                                continue
                            words = opened + ((stop, stop + len(closing)),)
                        if frame.list_only and not lists.only_list(after, min(stop, clause.end), names):
                            continue
                        governs = (after, stop)
                        if frame.next_list:
                            following = lists.after(after, stop)
                            if not following:
                                continue
                            governs = (following[0].start_char, following[-1].end_char)
                        found.append((clause.sentence, Trigger(frame.role, *governs, words, frame.adds, frame.types)))
                        if frame.subject and opening != CLAUSE_START:
                            subject = lists.before(at)
                            if subject:
                                found.append((clause.sentence, Trigger(frame.role, subject[0].start_char,
                                                                       subject[-1].end_char, words, frame.adds,
                                                                       frame.types)))
        return found

    def _joint(self, text: str, layout: Layout, lists: list[list[Span]], outer: list[Span]) -> list[Trigger]:
        """Organisations beside the actor: 产权组织-世贸组织…, 世卫组织、产权组织、世贸组织."""
        if not self.joint_role:
            return []
        found = []
        starts = [s.start_char for s in outer]
        for group in lists:
            actors = tuple((s.start_char, s.end_char) for s in group if s.id_ == self.actor)
            for span in group:
                if actors and span.id_ != self.actor:
                    found.append(Trigger(self.joint_role, span.start_char, span.end_char, actors))
        # By the actor's name rather than its mention: the name may open a programme's
        # (产权组织-巴西知识产权与气候问题暑期班).
        for name in self.actor_names:
            for link in self.joint_links:
                for at in self._find(text, name + link, 0, len(text)):
                    after = at + len(name)
                    position = after + len(link)
                    chain = []
                    index = bisect.bisect_left(starts, position)
                    while index < len(outer) and outer[index].start_char == position:
                        chain.append(outer[index])
                        position = self._after_name(layout, outer[index].end_char)
                        index += 1
                    if chain:
                        found.append(Trigger(self.joint_role, chain[0].start_char, chain[-1].end_char,
                                             ((after, after + len(link)),)))
        return found

    def _suffixes(self, text: str, layout: Layout, lists: list[list[Span]]) -> list[Trigger]:
        found = []
        for group in lists:
            after = self._after_name(layout, group[-1].end_char)
            for role, words in self.suffixes:
                word = next((w for w in sorted(words, key=len, reverse=True) if text.startswith(w, after)), None)
                if word is not None:
                    found.append(Trigger(role, group[0].start_char, group[-1].end_char,
                                         ((after, after + len(word)),)))
                    break
        return found

    def _head(self, text: str, span: Span, list_end: int, clause, names) -> tuple[str, tuple] | None:
        """The role a noun after the entity gives it: the nearest head in its clause."""
        kind = _kind(span)
        own = (span.start_char, span.end_char)
        best = None
        for head in self.heads:
            if kind not in head.types:
                continue
            origin = list_end if head.adjacent else span.end_char
            for word in head.words:
                for at in self._find(text, word, origin, clause.end):
                    if any(a < at + len(word) and at < b for a, b in names if (a, b) != own):
                        continue  # inside another organisation's or place's name
                    gap = text[origin:at]
                    if head.adjacent and not self.adjacent_gap.match(gap):
                        break
                    if not head.adjacent and any(b in gap for b in head.barriers):
                        break
                    if any(text.startswith(w, at + len(word)) for w in head.not_before):
                        break
                    if best is None or at < best[0]:
                        best = (at, head.role, ((at, at + len(word)),))
                    break
        return (best[1], best[2]) if best else None

    # -- roles -------------------------------------------------------------------

    def _role(self, span: Span, role: str) -> str | None:
        kind = _kind(span)
        if role in self.allowed.get(kind, ()):
            return role
        return self.fallback.get(f"{kind}_in_{role}")

    def _home(self, span: Span, role: str) -> bool:
        """Whether a trigger's role reaches a place only as an organisation's home (与巴西…的学院合作)."""
        return _kind(span) == "PLACE" and role not in self.allowed.get("PLACE", ()) \
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
        names = _Names(text, every)
        layout = Layout(text, self.clause_end, self.sentence_end, self.opaque, self.list_introducers,
                        self.example_markers, self.insertions)
        lists = _Lists(text, self._lists(text, layout, names.outer), layout, self)

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

        takers = [s for s in every if s.label_ != "PROGRAMME" and s.id_ != self.actor]
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
            if _kind(span) not in trigger.types or (role := self._role(span, trigger.role)) is None:
                continue
            if trigger.adds:
                roles.setdefault(role, Evidence(trigger.words, self._home(span, trigger.role)))
            elif main is None:
                main = trigger
                for r in self._event_roles(text, layout, trigger, role):
                    roles.setdefault(r, Evidence(trigger.words, self._home(span, trigger.role)))
        return roles, main

    def _head_noun_gap(self, gap: str) -> bool:
        """Whether ``gap`` is 的 and a head noun ("…秘鲁的知识产权局" before 与)."""
        gap = gap.strip()
        if not gap.startswith("的"):
            return False
        nouns = [w for h in self.heads if h.adjacent and "PLACE" in h.types for w in h.words]
        return any(gap[1:].strip().endswith(n) and len(gap) <= len(n) + 6 for n in nouns)

    def _possessed(self, text: str, layout: Layout, span: Span, organisations: list[Span]) -> Span | None:
        """The organisation an organisation's name modifies: 西印度群岛大学的圣奥古斯丁校区."""
        if span.label_ != "ORG":
            return None
        after = self._after_name(layout, span.end_char)
        if not text.startswith("的", after):
            return None
        return next((o for o in organisations if o.start_char == after + 1), None)


class _Names:
    """The entity names of a text: where they are, and which are outermost."""

    def __init__(self, text: str, spans: list[Span]):
        self.outer, reach = [], -1
        for span in spans:  # sorted by start, longest first: a name inside an earlier one is nested
            if span.label_ == "PROGRAMME":
                continue  # a programme's name may hold names of its own (产权组织-巴西…暑期班)
            if span.end_char > reach:
                self.outer.append(span)
                reach = span.end_char
        self.outer_starts = [s.start_char for s in self.outer]
        covered = bytearray(len(text))
        for span in spans:
            covered[span.start_char:span.end_char] = b"\1" * (span.end_char - span.start_char)
        self._named = [0] * (len(text) + 1)  # how many of the first i characters are in a name
        for i, flag in enumerate(covered):
            self._named[i + 1] = self._named[i] + flag

    def free(self, at: int, length: int) -> bool:
        """Whether no name overlaps [at, at + length): 联合 in 联合国 is no trigger."""
        return self._named[at + length] == self._named[at]


class _Lists:
    """The coordinated lists of a text, found by where they start and stop."""

    def __init__(self, text: str, groups: list[list[Span]], layout: Layout, finder: RoleFinder):
        self.text, self.groups, self.layout, self.finder = text, groups, layout, finder
        self.starts = [group[0].start_char for group in groups]
        self.stops = [finder._after_name(layout, group[-1].end_char) for group in groups]
        self._stop_of = {(s.start_char, s.end_char): stop for group, stop in zip(groups, self.stops) for s in group}

    def end_of(self, key: tuple[int, int], default: int) -> int:
        """Where the list an entity belongs to stops (past a short form in brackets)."""
        return self._stop_of.get(key, default)

    def before(self, position: int) -> list[Span]:
        """The list that ends right before ``position`` (allowing a head noun: …的知识产权局与)."""
        index = bisect.bisect_right(self.stops, position) - 1
        if index < 0:
            return []
        gap = self.text[self.stops[index]:position]
        return self.groups[index] if not gap.strip() or self.finder._head_noun_gap(gap) else []

    def after(self, position: int, limit: int) -> list[Span]:
        """The list that starts right after ``position`` (past an article: "funded by the …")."""
        text = self.text
        while position < limit and text[position].isspace():
            position += 1
        article = next((a for a in self.finder.articles if text.startswith(a, position)), "")
        for start in (position, position + len(article)):
            index = bisect.bisect_left(self.starts, start)
            if index < len(self.groups) and self.starts[index] == start and self.groups[index][-1].end_char <= limit:
                return self.groups[index]
        return []

    def only_list(self, start: int, end: int, names: _Names) -> bool:
        """Whether [start, end) holds nothing but a list of entities (and the clause's end mark)."""
        inside = []
        for span in names.outer[bisect.bisect_left(names.outer_starts, start):]:
            if span.start_char >= end:
                break
            if span.end_char <= end:
                inside.append(span)
        if not inside:
            return False
        rest, cursor = [], start
        for span in inside:
            if span.start_char < cursor:
                continue  # a short form in brackets after the name
            rest.append(self.text[cursor:span.start_char])
            cursor = self.finder._after_name(self.layout, span.end_char)
        rest.append(self.text[cursor:end].strip().rstrip(self.finder.clause_end))
        separator = self.finder.separator
        return not rest[0].strip() and not rest[-1].strip() and \
            all(not piece.strip() or separator.fullmatch(piece) for piece in rest[1:-1])


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

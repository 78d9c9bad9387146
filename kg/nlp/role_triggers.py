"""Finding the role triggers of a text: the words that give the entities around them a role.

Frames and prefixes govern the entities between their words or to the end of the
clause's scope, suffixes the list before them, joint names the organisations beside the
actor, head nouns the entity before them (see :mod:`kg.nlp.roles`). Triggers match outside
entity names only, Latin words as whole words; coordinated lists of names are found here
too, since a trigger governs a list as a whole.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Span

from kg.knowledge.registry import NAMED_LABELS
from kg.nlp.clauses import Layout
from kg.nlp.role_rules import CLAUSE_START, END_OF_SCOPE, TYPES, RoleRules, kind_of

# Names that play no role themselves: every named thing but an organisation.
NOT_TAKERS = tuple(label for label in NAMED_LABELS if label != "ORG")


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


# A Latin trigger word right after "and"/"or" repeats the one before it, within this reach.
COORDINATION_REACH = 160
_COORDINATED = re.compile(r"\b(?:and|or)\s+$")


class TriggerFinder(RoleRules):
    """Finds the triggers of a text by a language's rules (the base of :class:`~kg.nlp.roles.RoleFinder`)."""

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
        """Whether ``word`` at ``at`` is part of a longer word that is no trigger (为 in 作为), or a
        coordinated repeat of one ("filed with the authorities of Senegal and with OAPI")."""
        for longer in self.not_triggers:
            if longer == word or word not in longer:
                continue
            offset = longer.find(word)
            while offset >= 0:
                if text.startswith(longer, at - offset):
                    return True
                offset = longer.find(word, offset + 1)
        before = text[max(0, at - COORDINATION_REACH):at]
        if word[:1].isascii() and _COORDINATED.search(before):
            previous = before.rfind(word, 0, len(before) - len(_COORDINATED.search(before).group(0)))
            if previous >= 0 and not any(mark in before[previous:] for mark in ".;:"):
                return self._blocked(text, at - len(before) + previous, word)
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

    def _frame_triggers(self, text: str, layout: Layout, names: "Names", lists: "Lists",
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
        kind = kind_of(span)
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

    def _head_noun_gap(self, gap: str) -> bool:
        """Whether ``gap`` is 的 and a head noun ("…秘鲁的知识产权局" before 与)."""
        gap = gap.strip()
        if not gap.startswith("的"):
            return False
        nouns = [w for h in self.heads if h.adjacent and "PLACE" in h.types for w in h.words]
        return any(gap[1:].strip().endswith(n) and len(gap) <= len(n) + 6 for n in nouns)


class Names:
    """The entity names of a text: where they are, and which are outermost."""

    def __init__(self, text: str, spans: list[Span]):
        self.outer, reach = [], -1
        for span in spans:  # sorted by start, longest first: a name inside an earlier one is nested
            if span.label_ in NOT_TAKERS:
                continue  # a programme's (work's, treaty's) name may hold names of its own (产权组织-巴西…暑期班)
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


class Lists:
    """The coordinated lists of a text, found by where they start and stop."""

    def __init__(self, text: str, groups: list[list[Span]], layout: Layout, finder: TriggerFinder):
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

    def only_list(self, start: int, end: int, names: Names) -> bool:
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

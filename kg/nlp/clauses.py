"""Clauses and sentences of a text, for the role triggers that must fit in one.

A clause ends at a clause mark (，。；： …) that stands outside brackets and
quotation marks: "（非洲地区两个，亚洲及太平洋地区五个）" and "“…：…”" hold no
clause end, nor does the comma before an insertion ("向成员国，特别是最不发达国家提供"),
nor an ASCII mark that no space follows ("4.3", "13,164"). A clause has a *scope*: where what governs "to the end of the
clause" stops. It is the clause's own end, except for a clause that introduces
a list (it ends with a colon) or is followed by examples ("…的援助，例如，…"):
its scope runs to the end of the sentence.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    scope_end: int
    sentence: int  # index of the sentence the clause is in


def bracketed(text: str, pairs: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """The (start, end) of every matched bracket pair; a line break closes what is still open."""
    closers = {close: open_ for open_, close in pairs}
    openers = {open_ for open_, _ in pairs}
    ranges, stack = [], []
    for i, char in enumerate(text):
        if char == "\n":
            stack = []
        elif char in closers and stack and stack[-1][0] == closers[char]:
            ranges.append((stack.pop()[1], i + 1))
        elif char in openers:
            stack.append((char, i))
    return sorted(ranges)


class Layout:
    """The clauses and sentences of ``text``."""

    def __init__(self, text: str, clause_end: str, sentence_end: str, opaque: list[tuple[str, str]],
                 list_introducers: tuple[str, ...], example_markers: tuple[str, ...],
                 insertions: tuple[str, ...] = ()):
        self.text = text
        self.opaque = bracketed(text, opaque)
        inside = [False] * len(text)
        for start, end in self.opaque:
            for i in range(start + 1, end - 1):
                inside[i] = True
        # A comma before an insertion ("向成员国，特别是最不发达国家提供") ends no clause.
        def mark(i: int, c: str, marks: str) -> bool:
            # An ASCII mark ends something only before a space or the end ("4.3", "13,164" do not).
            return c in marks and not inside[i] and (not c.isascii() or c.isspace() or i + 1 >= len(text)
                                                     or text[i + 1].isspace())

        hard = [i + 1 for i, c in enumerate(text) if mark(i, c, clause_end)
                and not (c in "，," and text[i + 1:i + 9].lstrip().startswith(insertions or ("\0",)))]
        sentence_ends = [i + 1 for i, c in enumerate(text) if c == "\n" or mark(i, c, sentence_end)]
        sentence_ends.append(len(text))
        self.sentence_ends = sentence_ends
        bounds = [0] + hard + ([len(text)] if not hard or hard[-1] != len(text) else [])
        clauses = []
        for start, end in zip(bounds, bounds[1:]):
            sentence = bisect.bisect_left(sentence_ends, end)
            sentence = min(sentence, len(sentence_ends) - 1)
            clauses.append([start, end, end, sentence])
        for index, clause in enumerate(clauses):
            start, end, _, sentence = clause
            following = text[end:clauses[index + 1][1]].lstrip() if index + 1 < len(clauses) else ""
            if text[start:end].rstrip().endswith(tuple(list_introducers)) or following.startswith(tuple(example_markers)):
                clause[2] = max(end, sentence_ends[sentence])
        self.clauses = [Clause(*c) for c in clauses]
        self._starts = [c.start for c in self.clauses]

    def clause_at(self, offset: int) -> Clause:
        return self.clauses[max(0, bisect.bisect_right(self._starts, offset) - 1)]

    def parenthetical_at(self, offset: int) -> int | None:
        """The end of the bracketed stretch that starts at ``offset``, if one does."""
        index = bisect.bisect_left(self.opaque, (offset, -1))
        if index < len(self.opaque) and self.opaque[index][0] == offset:
            return self.opaque[index][1]
        return None

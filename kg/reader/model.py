"""The structure recovered from a report: what the reader hands to the rest of kg.

Offsets are Unicode code points. ``start``/``end`` of a text unit index its own
``text``; ``source_start``/``source_end`` index the decoded source file (after any
byte-order mark), so every fact can be traced to the exact place it came from.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from pathlib import Path

from kg.errors import ReportWarning


@dataclass
class OffsetMap:
    """Maps offsets in a cleaned text back to offsets in the source file.

    Cleaning joins broken lines and drops page furniture, so a unit's text is a
    sequence of verbatim runs of the source; each run is kept as
    ``(text_offset, source_offset, length)``.
    """

    runs: list[tuple[int, int, int]] = field(default_factory=list)

    def add(self, text_offset: int, source_offset: int, length: int) -> None:
        if length:
            self.runs.append((text_offset, source_offset, length))

    def to_source(self, offset: int) -> int:
        """Source offset of the character at ``offset`` (or of the run boundary after it)."""
        if not self.runs:
            raise ValueError("empty offset map")
        i = bisect.bisect_right(self.runs, (offset, float("inf"), 0)) - 1
        if i < 0:
            return self.runs[0][1]
        text_offset, source_offset, length = self.runs[i]
        if offset < text_offset + length:
            return source_offset + (offset - text_offset)
        # A separator the cleaner inserted (space or newline): it has no source
        # character, so it maps to the start of the next run.
        if i + 1 < len(self.runs):
            return self.runs[i + 1][1]
        return source_offset + length

    def span_to_source(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            s = self.to_source(start)
            return s, s
        return self.to_source(start), self.to_source(end - 1) + 1


@dataclass
class Item:
    """A bullet item inside a paragraph; ``start``/``end`` index the paragraph's text."""

    number: int
    start: int
    end: int
    line: int


@dataclass
class FootnoteMark:
    number: int
    offset: int  # in the paragraph text, where the superscript stood
    line: int


@dataclass
class Paragraph:
    number: int
    text: str
    line: int
    offsets: OffsetMap
    items: list[Item] = field(default_factory=list)
    marks: list[FootnoteMark] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    part: int | None = None  # Part.number
    section: int | None = None  # Section.ordinal
    language: str = "und"  # BCP 47 tag of its text: zh-Hans, zh-Hant, en (kg/reader/language.py)

    @property
    def source_span(self) -> tuple[int, int]:
        return self.offsets.span_to_source(0, len(self.text))

    def item_at(self, offset: int) -> Item | None:
        for item in self.items:
            if item.start <= offset < item.end:
                return item
        return None


@dataclass
class Footnote:
    number: int
    text: str
    line: int
    offsets: OffsetMap
    paragraph: int | None = None  # the paragraph whose text carries the mark
    language: str = "und"

    @property
    def source_span(self) -> tuple[int, int]:
        return self.offsets.span_to_source(0, len(self.text))


@dataclass
class Part:
    number: int
    title: str
    line: int


@dataclass
class Section:
    """A heading between paragraphs; in a CDIP report, one per SDG."""

    ordinal: int
    title: str
    line: int
    goal: int | None = None
    part: int | None = None


@dataclass
class Metadata:
    symbol: str | None = None
    language: str | None = None
    original_language: str | None = None
    date: date | None = None
    committee: str | None = None
    committee_acronym: str | None = None
    session: int | None = None
    session_start: date | None = None
    session_end: date | None = None
    session_place: str | None = None
    title: str | None = None
    title_language: str | None = None
    # The title's translation in a bilingual text: (BCP 47 tag, title).
    other_titles: list[tuple[str, str]] = field(default_factory=list)
    prepared_by: str | None = None


@dataclass
class Document:
    path: Path
    text: str
    sha256: str
    encoding: str
    metadata: Metadata
    parts: list[Part] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # URLs met before the first paragraph
    warnings: list[ReportWarning] = field(default_factory=list)
    kind: str = "report"  # which reader read it: "report" (numbered paragraphs) or "article"
    # Pairs of paragraph numbers whose texts translate each other (a bilingual text).
    translations: list[tuple[int, int]] = field(default_factory=list)

    @property
    def language(self) -> str:
        """The document's BCP 47 tag: its paragraphs' one tag, or ``mul`` when they are in several."""
        return self.metadata.language or "und"

    @property
    def languages(self) -> list[str]:
        """The tags of its paragraphs, in order of first appearance."""
        return list(dict.fromkeys(p.language for p in self.paragraphs if p.language != "und"))

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [match.end() for match in re.finditer("\n", self.text)]

    def line_at(self, source_offset: int) -> int:
        """The 1-based line of the source file that holds ``source_offset``."""
        return bisect.bisect_right(self._line_starts, source_offset)

    def paragraph(self, number: int) -> Paragraph:
        # Paragraphs are numbered 1, 2, 3 … (the reader refuses anything else), so
        # the number is almost always the index; the scan is the fallback.
        if 0 < number <= len(self.paragraphs) and self.paragraphs[number - 1].number == number:
            return self.paragraphs[number - 1]
        for paragraph in self.paragraphs:
            if paragraph.number == number:
                return paragraph
        raise KeyError(number)

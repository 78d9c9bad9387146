"""The lines of a text file, and the text units a reader assembles from them.

Both readers (reports and articles) see a file as numbered lines, each with the
source offset of its first character; a text unit (a paragraph, a footnote, a
heading) is assembled from fragments of several lines, keeping the offset of
every fragment in the source (:class:`~kg.reader.model.OffsetMap`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.language.characters import join_separator
from kg.reader.model import OffsetMap


@dataclass
class Line:
    number: int  # 1-based line number in the file
    offset: int  # source offset of the first character of ``raw``
    raw: str

    @property
    def empty(self) -> bool:
        return self.raw == ""


@dataclass
class TextBuilder:
    """A text unit being assembled from line fragments.

    The fragments are kept in a list and joined once at the end: growing a
    string line by line would copy it once per line, quadratic in the length
    of a paragraph that runs over many lines.
    """

    parts: list[str] = field(default_factory=list)
    length: int = 0
    offsets: OffsetMap = field(default_factory=OffsetMap)

    def _add(self, piece: str) -> None:
        if piece:
            self.parts.append(piece)
            self.length += len(piece)

    @property
    def text(self) -> str:
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""

    def last_char(self) -> str:
        """The last character that is not whitespace ("" if none)."""
        for piece in reversed(self.parts):
            stripped = piece.rstrip()
            if stripped:
                return stripped[-1]
        return ""

    def append(self, fragment: str, source_offset: int, separator: str | None = None) -> None:
        if not fragment:
            return
        if self.length:
            self._add(join_separator(self.parts[-1], fragment) if separator is None else separator)
        self.offsets.add(self.length, source_offset, len(fragment))
        self._add(fragment)

    def append_line(self, fragment: str, source_offset: int) -> int:
        """Add ``fragment`` on a line of its own (a list item); returns where it starts."""
        if self.length:
            self._add("\n")
        start = self.length
        self.offsets.add(start, source_offset, len(fragment))
        self._add(fragment)
        return start


def split_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    for number, raw in enumerate(text.split("\n"), 1):
        line_raw = raw[:-1] if raw.endswith("\r") else raw
        lines.append(Line(number, offset, line_raw))
        offset += len(raw) + 1
    return lines

"""Recover a UN report's structure from text extracted from its PDF.

The extracted text has one line of the page per line, lines separated by blank
lines, and page furniture in between. The rules below are the layout
conventions of such extractions, not quirks of one file:

* A page starts with a line that carries one leading space (or a form feed) and
  follows a non-empty line directly (a page-foot URL, a footnote, the last line
  of the previous page): that space is page furniture, not indentation.
* A list item starts with a line indented by a space (once the page-start space
  is removed) or with a bullet glyph.
* A footnote block is a whitespace-only line, a line holding only the
  footnote's number, then its text indented by two spaces; the block ends at a
  page-foot URL or at the next page.
* A footnote mark is a number alone on a line glued (no blank line) between two
  lines of running text.
* A line holding only a URL is a page-foot hyperlink: it becomes a link of the
  paragraph being read, never part of its text.

Everything language-specific (numbering, heading forms, header fields, dates)
comes from the lexicon (``data/lexicon/{lang}.toml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, ReportWarning
from kg.language.lexicon import Lexicon, load_lexicon
from kg.language.numerals import numeral
from kg.reader.header import HeaderReader
from kg.reader.language import detect_language, tag_document
from kg.reader.lines import Line, TextBuilder, split_lines
from kg.reader.model import Document, Footnote, FootnoteMark, Item, Paragraph, Part, Section
from kg.reader.parallel import pair_translations
from kg.reader.source import Source

_URL = re.compile(r"^(?:https?|ftp)://\S+$")
_MARK = re.compile(r"^\d{1,3}$")
# A line that starts like a numbered paragraph but with a number no report has (five digits or
# more): it is read as text of the paragraph before, and a warning says so.
_ABSURD_NUMBER = re.compile(r"^(\d{5,})\.\s+\S")


class NoNumberedParagraphs(InputError):
    """A text read as a report that has no numbered paragraph a report's layout allows."""


@dataclass
class _Paragraph:
    number: int
    line: int
    body: TextBuilder = field(default_factory=TextBuilder)
    items: list[Item] = field(default_factory=list)
    marks: list[FootnoteMark] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    part: int | None = None
    section: int | None = None


class ReportReader:
    """Reads one report. Use :func:`read_report`."""

    def __init__(self, source: Source, lexicon: Lexicon):
        self.source = source
        self.lex = lexicon
        self.lines = split_lines(source.text)
        self.warnings: list[ReportWarning] = list(source.warnings)  # what reading the file noticed
        self.header: list[tuple[Line, str]] = []
        self.paragraphs: list[_Paragraph] = []
        self.parts: list[Part] = []
        self.sections: list[Section] = []
        self.footnotes: list[tuple[Footnote, TextBuilder]] = []
        self.document_links: list[str] = []
        self.paragraph: _Paragraph | None = None
        self.open_heading: Section | Part | None = None
        self.open_title: TextBuilder | None = None  # the open heading's title, joined when it closes
        self.ended = False

    # -- line classification -------------------------------------------------

    def _content(self, index: int) -> tuple[str, int, bool, bool]:
        """``(content, source offset, page_start, indented)`` of a non-empty line."""
        line = self.lines[index]
        raw = line.raw
        previous_nonempty = index > 0 and not self.lines[index - 1].empty
        lead = len(raw) - len(raw.lstrip())
        page_start = raw.startswith("\f") or (lead > 0 and previous_nonempty)
        indent = lead - (1 if page_start and lead else 0)
        content = raw[lead:].rstrip()
        return content, line.offset + lead, page_start, indent > 0

    def _next_nonempty(self, index: int) -> int | None:
        for j in range(index + 1, len(self.lines)):
            if not self.lines[j].empty:
                return j
        return None

    def _starts_footnote(self, index: int) -> bool:
        """Whether line ``index`` (a bare number) opens a footnote: its text follows, indented by two."""
        following = index + 1
        if following >= len(self.lines):
            return False
        raw = self.lines[following].raw
        return raw.startswith("  ") and bool(raw.strip())

    def _bullet(self, content: str) -> str | None:
        """Content without its bullet glyph when the line starts with one."""
        for glyph in self.lex.bullets:
            if content.startswith(glyph) and (len(content) == len(glyph) or content[len(glyph)].isspace()):
                return content[len(glyph):].lstrip()
        return None

    # -- reading ---------------------------------------------------------------

    def read(self) -> Document:
        in_footnotes = False
        footnote: TextBuilder | None = None
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            if line.empty:
                index += 1
                continue
            content, offset, page_start, indented = self._content(index)

            if not content:  # a whitespace-only line: page-foot separator or furniture
                following = self._next_nonempty(index)
                if following is not None and _MARK.match(self.lines[following].raw.strip()) \
                        and self._starts_footnote(following):
                    in_footnotes = True
                index += 1
                continue

            if _URL.match(content):
                in_footnotes, footnote = False, None
                self._link(content)
                index += 1
                continue

            if in_footnotes:
                # A footnote's first line is indented like a page start; only a
                # page start that does not follow a footnote number ends the block.
                awaiting_body = footnote is not None and not footnote.length
                if awaiting_body or not page_start:
                    if not awaiting_body and _MARK.match(content) and self._starts_footnote(index):
                        footnote = self._new_footnote(int(content), line)
                    elif footnote is not None:
                        footnote.append(content, offset)
                    index += 1
                    continue
                in_footnotes, footnote = False, None

            if _MARK.match(content) and not indented:
                if self._starts_footnote(index):  # a footnote block without separator line
                    in_footnotes = True
                    footnote = self._new_footnote(int(content), line)
                    index += 1
                    continue
                glued = (index > 0 and not self.lines[index - 1].empty and index + 1 < len(self.lines)
                         and not self.lines[index + 1].empty)
                if glued and self.paragraph is not None:
                    self.paragraph.marks.append(FootnoteMark(int(content), self.paragraph.body.length,
                                                             line.number))
                    index += 1
                    continue

            if any(p.match(content) for p in self.lex.end_of_document):
                self.ended = True
                index += 1
                continue
            if any(p.match(content) for p in self.lex.furniture) or self._repeated_symbol(content):
                index += 1
                continue

            self._text_line(line, content, offset, indented)
            index += 1
        return self._finish()

    def _repeated_symbol(self, content: str) -> bool:
        """A running page header repeating the document symbol (English editions print one)."""
        return bool(self.paragraphs) and any(
            self.lex.header["symbol"].match(h) and h == content for _, h in self.header)

    def _link(self, url: str) -> None:
        links = self.paragraph.links if self.paragraph is not None else self.document_links
        if url not in links:
            links.append(url)

    def _new_footnote(self, number: int, line: Line) -> TextBuilder:
        text = TextBuilder()
        self.footnotes.append((Footnote(number, "", line.number, text.offsets), text))
        return text

    def _current_ended_sentence(self) -> bool:
        if self.paragraph is None:
            return True
        last = self.paragraph.body.last_char()
        return not last or last in self.lex.sentence_end

    def _heading(self, content: str, line: Line) -> bool:
        if not self._current_ended_sentence() or content[-1] in self.lex.heading_must_not_end_with \
                or any(c in content for c in self.lex.heading_must_not_contain):
            return False
        match = self.lex.section_heading.match(content)
        if match:
            goal = int(match.group(1))
            section = Section(ordinal=len(self.sections) + 1, title=content, line=line.number,
                              goal=goal if 1 <= goal <= 17 else None,
                              part=self.parts[-1].number if self.parts else None)
            if section.goal is None:
                self._warn(f"section heading names goal {goal}, which does not exist", line=line.number)
            self.sections.append(section)
            self._open(section)
            self.paragraph = None
            return True
        match = self.lex.part_heading.match(content)
        if match:
            try:
                number = numeral(match.group(1), self.lex.part_number)
            except ValueError:
                return False
            if number != len(self.parts) + 1:  # parts are numbered in sequence; anything else is a list
                return False
            part = Part(number=number, title=match.group(2).strip(), line=line.number)
            self.parts.append(part)
            self._open(part)
            self.paragraph = None
            return True
        return False

    def _text_line(self, line: Line, content: str, offset: int, indented: bool) -> None:
        unbulleted = self._bullet(content)
        is_item = indented or unbulleted is not None
        if unbulleted is not None:
            offset += len(content) - len(unbulleted)
            content = unbulleted

        if not is_item:
            match = self.lex.paragraph.match(content)
            if match:
                self._start_paragraph(int(match.group(1)), line)
                body = match.group(2)
                self.paragraph.body.append(body, offset + match.start(2))
                return
            absurd = _ABSURD_NUMBER.match(content)
            if absurd:
                number = absurd.group(1)
                shown = number if len(number) <= 12 else number[:6] + "…" + number[-3:]
                within = (f"paragraph {self.paragraph.number}" if self.paragraph is not None
                          else "the header")
                self._warn(f"'{shown}.' starts the line like a paragraph number, but no report has "
                           f"{len(number)}-digit paragraph numbers: read as text of {within}",
                           line=line.number, paragraph=self.paragraph.number if self.paragraph else None)
            if self._heading(content, line):
                return

        if self.paragraph is not None:
            if is_item:
                start = self.paragraph.body.append_line(content, offset)
                self.paragraph.items.append(Item(len(self.paragraph.items) + 1, start, start, line.number))
            else:
                self.paragraph.body.append(content, offset)
            return
        if self.open_heading is not None:  # a heading wrapped onto a second line
            self.open_title.append(content, offset)
            return
        self.header.append((line, content))

    def _open(self, heading: Section | Part | None) -> None:
        """Close the open heading (its title is complete) and open ``heading``."""
        if self.open_heading is not None:
            self.open_heading.title = self.open_title.text
        self.open_heading = heading
        self.open_title = None
        if heading is not None:
            self.open_title = TextBuilder()
            self.open_title.append(heading.title, 0)

    def _start_paragraph(self, number: int, line: Line) -> None:
        self._open(None)
        section = self.sections[-1] if self.sections else None
        part = self.parts[-1] if self.parts else None
        # A section belongs to the part it was opened in; a later part closes it.
        if section is not None and part is not None and section.part != part.number:
            section = None
        self.paragraph = _Paragraph(number=number, line=line.number,
                                    part=part.number if part else None,
                                    section=section.ordinal if section else None)
        self.paragraphs.append(self.paragraph)

    def _warn(self, message: str, *, line: int | None = None, paragraph: int | None = None) -> None:
        self.warnings.append(ReportWarning(str(self.source.path), message, line=line, paragraph=paragraph))

    # -- assembling the document ---------------------------------------------

    def _finish(self) -> Document:
        path = self.source.path
        self._open(None)
        if not self.paragraphs:
            raise NoNumberedParagraphs("no numbered paragraphs found (expected lines such as '1. ...')", path=path)
        self._check_numbering()

        paragraphs = []
        for p in self.paragraphs:
            text = p.body.text
            items = p.items
            for i, item in enumerate(items):
                item.end = items[i + 1].start - 1 if i + 1 < len(items) else len(text)
            paragraphs.append(Paragraph(number=p.number, text=text, line=p.line, offsets=p.body.offsets,
                                        items=items, marks=p.marks, links=p.links, part=p.part,
                                        section=p.section))

        footnotes = []
        marked = {}
        for paragraph in paragraphs:
            for mark in paragraph.marks:
                marked.setdefault(mark.number, (paragraph, mark))
        first_line: dict[int, int] = {}
        for footnote, text in self.footnotes:
            if footnote.number in first_line:
                self._warn(f"footnote {footnote.number} appears twice (first at line {first_line[footnote.number]}); "
                           "this one is left out", line=footnote.line)
                continue
            first_line[footnote.number] = footnote.line
            footnote.text = text.text
            if footnote.number in marked:
                footnote.paragraph = marked[footnote.number][0].number
            else:
                self._warn(f"footnote {footnote.number} has no mark in the text", line=footnote.line)
            footnotes.append(footnote)
        numbers = {f.number for f in footnotes}
        for number, (paragraph, mark) in sorted(marked.items()):
            if number not in numbers:
                self._warn(f"footnote mark {number} has no footnote", line=mark.line,
                           paragraph=paragraph.number)

        metadata = HeaderReader(self.lex, self._warn).metadata(self.header)
        return Document(path=path, text=self.source.text, sha256=self.source.sha256,
                        encoding=self.source.encoding, metadata=metadata, parts=self.parts,
                        sections=self.sections, paragraphs=paragraphs, footnotes=footnotes,
                        links=self.document_links, warnings=self.warnings)

    def _check_numbering(self) -> None:
        seen: dict[int, int] = {}
        later = {}
        for p in self.paragraphs:
            later.setdefault(p.number, p)
        expected = 1
        for p in self.paragraphs:
            if p.number in seen:
                raise InputError(f"paragraph {p.number} appears twice (first at line {seen[p.number]})",
                                 path=self.source.path, line=p.line)
            if p.number != expected:
                if p.number > expected and expected in later:
                    raise InputError(f"paragraphs out of order: paragraph {p.number} comes before paragraph "
                                     f"{expected} (line {later[expected].line})", path=self.source.path,
                                     line=p.line)
                if p.number > expected:
                    missing = (f"paragraph {expected} is missing" if p.number == expected + 1 else
                               f"paragraphs {expected}-{p.number - 1} are missing")
                    raise InputError(f"{missing} (paragraph {p.number} follows paragraph {expected - 1})",
                                     path=self.source.path, line=p.line)
                raise InputError(f"paragraph {p.number} is out of order (after paragraph {expected - 1})",
                                 path=self.source.path, line=p.line)
            seen[p.number] = p.line
            expected += 1


def read_report(source: Source, language: str | None = None) -> Document:
    """Read ``source`` as a numbered-paragraph report in ``language`` (detected when None)."""
    language = language or detect_language(source.text)
    if language == "und":
        raise InputError("no letters in the text: not a report", path=source.path)
    document = ReportReader(source, load_lexicon(language)).read()
    tag_document(document)
    document.translations = pair_translations(document.paragraphs)
    return document


def read_report_file(path: Path | str, language: str | None = None) -> Document:
    from kg.reader.source import read_source

    return read_report(read_source(Path(path)), language)

"""Read a plain article: a title, then paragraphs without numbers, numbered by position.

News items, magazine articles and web pages saved as text have no paragraph
numbers. The layout rules:

* **Header.** Before the title, a line that is a document symbol
  (``PR/2024/912``) or a dateline (``Geneva, November 3, 2022``,
  ``2025年9月1日``) gives the article's symbol or date (the lexicon's
  ``[header] symbol`` and ``[article] dateline`` patterns).
* **Title.** The first other line is the title when it reads like one: at most
  ``[article] title_max`` characters, not ending a sentence. In a bilingual text
  the next line, in the other language and also title-like, is its translation.
* **Paragraphs.** When blank lines separate the body's lines, each run of lines
  between blank lines is a paragraph, its broken lines joined (as in a report);
  when there are no blank lines, each line is a paragraph. Either way a line in
  another language than the line before it starts a paragraph of its own: a
  bilingual page sets a line and its translation one under the other.
* A line that is only a URL is a link of the paragraph before it; a line with no
  letters (``* * *``, a page number) is furniture and dropped.

A text with no paragraph left (only a title, only furniture) is refused with a
one-line error. Traditional characters are matched against the (Simplified)
patterns through a character-aligned Simplified copy of each line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kg.errors import InputError
from kg.language.characters import join_separator
from kg.language.lexicon import Lexicon, load_lexicon
from kg.language.script import to_simplified
from kg.reader.language import UNDETERMINED, detect_language, tag_document
from kg.reader.lines import Line, split_lines
from kg.reader.model import Document, Metadata, OffsetMap, Paragraph
from kg.reader.parallel import pair_translations
from kg.reader.source import Source

_URL = re.compile(r"^(?:https?|ftp)://\S+$")
HEADER_LINES = 3  # a symbol or dateline only counts among the first lines
TITLE_MAX = 200  # characters, unless the lexicon's [article] title_max says otherwise


@dataclass
class _Line:
    line: Line
    content: str  # stripped
    offset: int  # source offset of content[0]
    language: str  # "zh", "en" or "und" (no letters)
    blank_before: bool

    @property
    def matching(self) -> str:
        """The content as the (Simplified) lexicon patterns see it: same length, same offsets."""
        return to_simplified(self.content) if self.language == "zh" else self.content


def parse_date(lexicon: Lexicon, text: str) -> date | None:
    match = lexicon.date.search(text)
    if not match:
        return None
    groups = match.groupdict()
    month = groups.get("m") or groups.get("month")
    if month is not None and not month.isdigit():
        try:
            month = lexicon.months.index(month.capitalize()) + 1
        except ValueError:
            return None
    try:
        return date(int(groups["y"]), int(month), int(groups["d"]))
    except (TypeError, ValueError):
        return None


class ArticleReader:
    """Reads one article. Use :func:`read_article`."""

    def __init__(self, source: Source):
        self.source = source
        self.lines: list[_Line] = []
        blank = True
        for line in split_lines(source.text):
            # A form feed (a page break) is whitespace to strip(); one inside a line stays
            # as it is, so that the offsets of the text still point at the same characters.
            raw = line.raw
            content = raw.strip()
            if not content:
                blank = True
                continue
            lead = len(raw) - len(raw.lstrip())
            self.lines.append(_Line(line, content, line.offset + lead, detect_language(content), blank))
            blank = False

    def _lexicon(self, entry: _Line) -> Lexicon:
        return load_lexicon(entry.language if entry.language != UNDETERMINED else "en")

    def _title_like(self, entry: _Line) -> bool:
        lexicon = self._lexicon(entry)
        limit = lexicon.article.get("title_max", TITLE_MAX)
        return (entry.language != UNDETERMINED and len(entry.content) <= limit
                and entry.content[-1] not in lexicon.sentence_end and not _URL.match(entry.content))

    def read(self) -> Document:
        meta = Metadata()
        lines = self.lines
        index = 0
        # The header: a symbol or a dateline among the first lines.
        while index < min(len(lines), HEADER_LINES):
            entry = lines[index]
            lexicon = self._lexicon(entry)
            text = entry.matching
            if meta.symbol is None and lexicon.header["symbol"].match(text):
                meta.symbol = entry.content
            elif meta.date is None and "dateline" in lexicon.article and lexicon.article["dateline"].match(text):
                meta.date = parse_date(lexicon, text)
                if meta.date is None:
                    break
            else:
                break
            index += 1
        # The title, and its translation beside it.
        if index < len(lines) and self._title_like(lines[index]):
            meta.title = lines[index].content
            index += 1
            if index < len(lines) and self._title_like(lines[index]) \
                    and lines[index].language != lines[index - 1].language:
                meta.other_titles.append((lines[index].language, lines[index].content))
                index += 1
        body = lines[index:]
        by_blocks = any(entry.blank_before for entry in body[1:])
        paragraphs, links = self._paragraphs(body, by_blocks)
        if not paragraphs:
            what = "only a title" if meta.title else "no text with letters"
            raise InputError(f"no paragraphs found ({what}; expected paragraphs separated by blank lines "
                             "or line breaks)", path=self.source.path)
        document = Document(path=self.source.path, text=self.source.text, sha256=self.source.sha256,
                            encoding=self.source.encoding, metadata=meta, paragraphs=paragraphs,
                            links=links, kind="article", warnings=list(self.source.warnings))
        return document

    def _paragraphs(self, body: list[_Line], by_blocks: bool) -> tuple[list[Paragraph], list[str]]:
        paragraphs: list[Paragraph] = []
        document_links: list[str] = []
        # The paragraph's pieces, joined when it closes (adding to a string line by line
        # would copy it once per line: quadratic in a paragraph of many lines).
        parts, length, offsets, first, language = [], 0, OffsetMap(), None, None

        def close() -> None:
            nonlocal parts, length, offsets, first, language
            if length:
                paragraphs.append(Paragraph(number=len(paragraphs) + 1, text="".join(parts), line=first.line.number,
                                            offsets=offsets))
            parts, length, offsets, first, language = [], 0, OffsetMap(), None, None

        for entry in body:
            if _URL.match(entry.content):
                close()
                links = paragraphs[-1].links if paragraphs else document_links
                if entry.content not in links:
                    links.append(entry.content)
                continue
            if entry.language == UNDETERMINED:
                continue  # furniture: no letters
            if not by_blocks or entry.blank_before or (language is not None and entry.language != language):
                close()
            if length:
                separator = join_separator(parts[-1], entry.content)  # the last piece is never empty
                if separator:
                    parts.append(separator)
                    length += len(separator)
            else:
                first, language = entry, entry.language
            offsets.add(length, entry.offset, len(entry.content))
            parts.append(entry.content)
            length += len(entry.content)
        close()
        return paragraphs, document_links


def read_article(source: Source) -> Document:
    """Read ``source`` as an article: title and unnumbered paragraphs, each tagged with its language."""
    document = ArticleReader(source).read()
    tag_document(document)
    document.translations = pair_translations(document.paragraphs)
    return document

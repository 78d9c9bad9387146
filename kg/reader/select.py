"""Choosing the reader of a file by its content: a numbered report or a plain article."""

from __future__ import annotations

from kg.errors import InputError, KgError
from kg.language.lexicon import Lexicon, load_lexicon
from kg.reader.article import read_article
from kg.reader.language import UNDETERMINED, detect_language
from kg.reader.lines import split_lines
from kg.reader.model import Document
from kg.reader.report import NoNumberedParagraphs, read_report
from kg.reader.source import Source

FORMATS = ("auto", "report", "article")


def looks_like_report(text: str, lexicon: Lexicon) -> bool:
    """Whether ``text`` is laid out as a report: a paragraph numbered 1 (``1. …``) and another
    numbered paragraph after it (any number: a gap is the report reader's to report)."""
    numbers = []
    for line in split_lines(text):
        match = lexicon.paragraph.match(line.raw.strip())
        if match:
            numbers.append(int(match.group(1)))
            if len(numbers) >= 2 and 1 in numbers[:-1]:
                return True
    return False


def read_document(source: Source, format: str = "auto") -> Document:
    """Read ``source`` with the reader ``format`` names, or (``auto``) the one its layout calls for."""
    if format not in FORMATS:
        raise KgError(f"unknown format {format!r} (choose from: {', '.join(FORMATS)})")
    language = detect_language(source.text)
    if language == UNDETERMINED:
        raise InputError("no letters in the text: not a document", path=source.path)
    if format == "auto":
        if looks_like_report(source.text, load_lexicon(language)):
            try:
                return read_report(source, language)
            except NoNumberedParagraphs:
                pass  # numbered lines that are no report's paragraphs (a speech's points): an article
        return read_article(source)
    return read_report(source, language) if format == "report" else read_article(source)

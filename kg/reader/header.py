"""A report's header: the lines before its first numbered paragraph, read into its :class:`Metadata`.

Each line is tried against the lexicon's ``[header]`` patterns (symbol, original
language, date, committee, session, the session's dates and place, who prepared
it); a line that matches none is part of the title.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from kg.language.characters import join_separator
from kg.language.dates import find_date, find_date_range
from kg.language.lexicon import Lexicon
from kg.language.numerals import numeral
from kg.reader.lines import Line
from kg.reader.model import Metadata


class HeaderReader:
    """Reads the header lines of one report; problems go to ``warn`` (the report reader's)."""

    def __init__(self, lexicon: Lexicon, warn: Callable[..., None]):
        self.lex = lexicon
        self._warn = warn

    def metadata(self, header: list[tuple[Line, str]]) -> Metadata:
        meta = Metadata(language=self.lex.language)
        fields = self.lex.header
        title_lines = []
        for line, content in header:
            match = None
            for field_name, pattern in fields.items():
                match = pattern.match(content)
                if match and self._header_field(meta, field_name, match, line):
                    break
                match = None
            if match is None:
                title_lines.append(content)
        if title_lines:
            title = title_lines[0]
            for more in title_lines[1:]:
                title += join_separator(title, more) + more
            meta.title = title
        return meta

    def _header_field(self, meta: Metadata, name: str, match: re.Match[str], line: Line) -> bool:
        """Store a header field; False when the line only looked like one."""
        value = match.group(1).strip()
        if name == "symbol":
            if meta.symbol:
                return False
            meta.symbol = value
        elif name == "original_language":
            meta.original_language = self.lex.language_names.get(value, value)
        elif name == "date":
            meta.date = self._date(value, line)
            return meta.date is not None
        elif name == "committee":
            meta.committee = value
            meta.committee_acronym = match.group(2)
        elif name == "session":
            try:
                meta.session = numeral(value, "english-ordinal" if self.lex.language == "en" else "chinese-numeral")
            except ValueError:
                return False
        elif name == "session_dates_place":
            dates, place = match.group(1), match.group(2)
            if self.lex.place_first:
                dates, place = place, dates
            span = self._date_range(dates)
            if span is None:
                return False
            meta.session_start, meta.session_end = span
            meta.session_place = place.strip()
        elif name == "prepared_by":
            meta.prepared_by = value
        return True

    def _date(self, text: str, line: Line) -> date | None:
        if not self.lex.date.search(text):
            self._warn(f"cannot read the date {text!r}", line=line.number)
            return None
        found = find_date(self.lex, text)
        if found is None:
            self._warn(f"not a valid date: {text!r}", line=line.number)
        return found

    def _date_range(self, text: str) -> tuple[date, date] | None:
        return find_date_range(self.lex, text)

"""Dates in a lexicon's form: "2023 年 3 月 1 日", "2023年 5月 15日至 17日", "May 3, 2023", "March 1 to 3, 2023".

The patterns are the lexicon's ``[dates]``: named groups ``y``/``m``/``d`` (a
month may be a number, ``m``, or a name from ``months``, ``month``), and for a
range also ``y2``/``m2``/``month2``/``d2``, each of which may be missing (the
end takes the start's year and month).
"""

from __future__ import annotations

import re
from datetime import date

from kg.language.lexicon import Lexicon


def month_number(lexicon: Lexicon, match: re.Match[str], key: str) -> int | None:
    value = match.groupdict().get(key)
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    try:
        return lexicon.months.index(value.capitalize()) + 1
    except ValueError:
        return None


def find_date(lexicon: Lexicon, text: str) -> date | None:
    """The first whole date in ``text``, if it is a valid one."""
    match = lexicon.date.search(text)
    if not match:
        return None
    month = month_number(lexicon, match, "m") or month_number(lexicon, match, "month")
    try:
        return date(int(match.group("y")), month or 0, int(match.group("d")))
    except (TypeError, ValueError):
        return None


def find_date_range(lexicon: Lexicon, text: str) -> tuple[date, date] | None:
    """The first date range in ``text`` as (first day, last day), if it is a valid one."""
    match = lexicon.date_range.search(text)
    if not match:
        return None
    groups = match.groupdict()
    year = int(groups["y"])
    month = month_number(lexicon, match, "m") or month_number(lexicon, match, "month")
    month2 = month_number(lexicon, match, "m2") or month_number(lexicon, match, "month2") or month
    try:
        return (date(year, month, int(groups["d"])),
                date(int(groups.get("y2") or year), month2, int(groups["d2"])))
    except (TypeError, ValueError):
        return None

"""Numerals in the forms headings and session numbers are written in: Chinese, Roman, English ordinals."""

from __future__ import annotations

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_numeral(text: str) -> int:
    """Value of a Chinese numeral up to 9999 ("三十二" → 32, "十" → 10)."""
    if not text:
        raise ValueError("empty numeral")
    total, digit = 0, None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + (digit or 0)


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_numeral(text: str) -> int:
    values = [_ROMAN[c] for c in text.upper()]
    total = 0
    for i, value in enumerate(values):
        total += -value if i + 1 < len(values) and values[i + 1] > value else value
    return total


_ORDINAL_UNITS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                  "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
                  "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
                  "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19}
_ORDINAL_TENS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
                 "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}


def english_ordinal(text: str) -> int:
    """Value of an English ordinal ("Thirty-Second" → 32, "32nd" → 32)."""
    word = text.strip().lower()
    digits = word.rstrip("stndrdth")
    if digits.isdigit():
        return int(digits)
    if word in _ORDINAL_UNITS:
        return _ORDINAL_UNITS[word]
    if word in _ORDINAL_TENS:
        return _ORDINAL_TENS[word]
    tens, _, unit = word.replace(" ", "-").partition("-")
    if tens in _TENS and unit in _ORDINAL_UNITS and _ORDINAL_UNITS[unit] < 10:
        return _TENS[tens] + _ORDINAL_UNITS[unit]
    raise ValueError(f"not an English ordinal: {text!r}")


def numeral(text: str, kind: str) -> int:
    """Parse a heading or session number written as ``kind`` (a lexicon setting)."""
    if text.isdigit():
        return int(text)
    if kind == "chinese-numeral":
        return chinese_numeral(text)
    if kind == "roman-numeral":
        return roman_numeral(text)
    if kind == "english-ordinal":
        return english_ordinal(text)
    raise ValueError(f"unknown numeral kind {kind!r}")

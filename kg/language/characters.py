"""Characters and lines: which characters are CJK or Han (scripts written without spaces between
words), and what goes between two lines of running text that a PDF broke apart."""

from __future__ import annotations


# Han ideographs, CJK punctuation, full-width forms, kana and Hangul: text in
# these scripts is written without spaces between words.
_CJK_RANGES = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # kana
    (0x3100, 0x312F),  # bopomofo
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xAC00, 0xD7AF),  # Hangul
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
    (0x20000, 0x3134F),  # extensions B-G
)


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def is_han(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or code >= 0x20000


def join_separator(left: str, right: str) -> str:
    """What goes between two lines of running text that a PDF broke apart.

    Chinese is written without spaces, so a break next to a CJK character is
    simply closed; a break between two Latin words ("WIPO" / "GREEN") stands for
    a space; a break after a hyphenated word part keeps the hyphen and no space.
    """
    if not left or not right:
        return ""
    last, first = left[-1], right[0]
    if is_cjk(last) or is_cjk(first):
        return ""
    if last in "-\u2010" and first.isalpha() and first.islower():
        return ""
    return " "

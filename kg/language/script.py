"""Chinese scripts: telling Traditional from Simplified characters, and converting
Traditional text to Simplified for matching, character for character.

kg's gazetteers, registries and lexicon are written in Simplified characters
(the UN's Chinese). A text in Traditional characters (a Hong Kong or Taiwan
source) is matched against them through a Simplified copy of it made with
OpenCC (the ``opencc`` package). The copy must keep every offset: a mention found
at characters 12-18 of the copy is reported at characters 12-18 of the
original, with the original's surface. OpenCC's character tables map one
character to one character; its phrase tables can map a phrase to one of
another length (``tw2sp``: 網際網路 → 互联网), so :func:`to_simplified` checks
the length of every converted run and falls back to converting character by
character where a phrase changed it. The OpenCC configurations used are data
(``[script]`` of ``data/lexicon/zh.toml``).
"""

from __future__ import annotations

from functools import cache

from kg.errors import DataError
from kg.language.characters import is_han

SIMPLIFIED = "zh-Hans"
TRADITIONAL = "zh-Hant"


@cache
def _config() -> dict:
    from kg.language.lexicon import load_lexicon

    lexicon = load_lexicon("zh")
    scripts = lexicon.scripts
    if not scripts.get("to_simplified") or not scripts.get("to_traditional"):
        raise DataError("missing [script] to_simplified / to_traditional (OpenCC configurations)",
                        path=lexicon.path)
    return scripts


@cache
def _converters(direction: str) -> tuple:
    try:
        import opencc
    except ImportError:  # a declared dependency: only a broken install lands here
        raise DataError("the opencc package is not installed (pip install opencc)") from None
    names = _config()[direction]
    try:
        return tuple(opencc.OpenCC(name) for name in names)
    except Exception as exc:  # OpenCC raises RuntimeError or its own errors for unknown configs
        raise DataError(f"cannot load the OpenCC configuration(s) {names}: {exc}".splitlines()[0]) from None


def _convert(text: str, direction: str) -> str:
    for converter in _converters(direction):
        text = converter.convert(text)
    return text


def _runs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of Han characters."""
    runs, start = [], None
    for i, char in enumerate(text):
        if is_han(char):
            if start is None:
                start = i
        elif start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(text)))
    return runs


def _aligned(text: str, direction: str) -> str:
    converted = _convert(text, direction)
    if len(converted) == len(text):
        return converted
    # A phrase conversion changed the length somewhere: convert run by run, and
    # character by character in a run whose length changed.
    chars = list(text)
    for start, end in _runs(text):
        run = text[start:end]
        out = _convert(run, direction)
        if len(out) != len(run):
            out = "".join(c if len(c) == 1 else original
                          for original, c in ((o, _convert(o, direction)) for o in run))
        chars[start:end] = out
    return "".join(chars)


def to_simplified(text: str) -> str:
    """``text`` with Traditional characters replaced by Simplified ones; always the same length."""
    return _aligned(text, "to_simplified")


def script_counts(text: str) -> tuple[int, int]:
    """``(traditional, simplified)``: how many characters of ``text`` only one script writes that way.

    A character that conversion to Simplified changes is a Traditional form; one
    that conversion to Traditional changes is a Simplified form. Characters both
    scripts share (中, 国际 is not: 國際) count for neither.
    """
    traditional = sum(a != b for a, b in zip(text, _aligned(text, "to_simplified")))
    simplified = sum(a != b for a, b in zip(text, _aligned(text, "to_traditional")))
    return traditional, simplified


def chinese_script(text: str, default: str = SIMPLIFIED) -> str:
    """``zh-Hant`` when Traditional forms outnumber Simplified ones in ``text``, ``zh-Hans`` when
    the reverse, ``default`` when neither (a text of shared characters only)."""
    traditional, simplified = script_counts(text)
    if traditional > simplified:
        return TRADITIONAL
    if simplified > traditional:
        return SIMPLIFIED
    return default

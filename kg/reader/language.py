"""Which language a text is written in, judged from its script (no model, no network)."""

from __future__ import annotations

from kg.text import is_han


def detect_language(text: str, sample: int = 20000) -> str:
    """``"zh"`` when Han characters dominate the letters of ``text``, else ``"en"``.

    Latin acronyms and programme names (WIPO GREEN, PATENTSCOPE) are common in
    the Chinese edition, so Chinese wins from a third of the letters on.
    """
    letters = [c for c in text[:sample] if c.isalpha()]
    if not letters:
        return "und"
    han = sum(1 for c in letters if is_han(c))
    return "zh" if han / len(letters) >= 0.3 else "en"

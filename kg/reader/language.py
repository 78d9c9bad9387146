"""Which language a text is written in, judged from its script and characters (no model, no network).

Two judgements:

* :func:`detect_language` picks the lexicon a whole file is read with (``zh`` or
  ``en``): Chinese when Han characters make up a third of its letters.
* :func:`text_language` tags one paragraph with a BCP 47 tag: ``zh-Hans``
  (Simplified characters), ``zh-Hant`` (Traditional characters) or ``en``
  (Latin script; kg reads no other Latin-script language). Simplified and
  Traditional are told apart by the characters only one of the two scripts
  writes that way (kg/language/script.py); a Chinese paragraph of shared characters
  only takes the script of the rest of its document.

kg tags every text of a document with the paragraph's tag. Vocabulary labels
(places, organisations, SDG goals) keep the plain ``zh`` of their UN sources;
see docs/languages.md for why the two differ and how to query both.
"""

from __future__ import annotations

from collections import Counter

from kg.language.characters import is_han
from kg.language.script import SIMPLIFIED, TRADITIONAL, chinese_script, script_counts

ENGLISH = "en"
UNDETERMINED = "und"
MULTIPLE = "mul"  # ISO 639-2 "multiple languages": the tag of a document in several
HAN_SHARE = 0.3


def detect_language(text: str, sample: int = 20000) -> str:
    """``"zh"`` when Han characters dominate the letters of ``text``, else ``"en"``.

    Latin acronyms and programme names (WIPO GREEN, PATENTSCOPE) are common in
    the Chinese edition, so Chinese wins from a third of the letters on.
    """
    letters = [c for c in text[:sample] if c.isalpha()]
    if not letters:
        return UNDETERMINED
    han = sum(1 for c in letters if is_han(c))
    return "zh" if han / len(letters) >= HAN_SHARE else ENGLISH


def is_chinese(text: str) -> bool:
    return detect_language(text) == "zh"


def text_language(text: str, chinese_default: str = SIMPLIFIED) -> str:
    """The BCP 47 tag of one paragraph: ``zh-Hans``, ``zh-Hant``, ``en``, or ``und`` without letters."""
    language = detect_language(text)
    if language == "zh":
        return chinese_script(text, chinese_default)
    return language


def document_script(texts: list[str]) -> str:
    """The Chinese script of a whole document: the one most of its distinguishing characters are in."""
    traditional = simplified = 0
    for text in texts:
        if is_chinese(text):
            t, s = script_counts(text)
            traditional, simplified = traditional + t, simplified + s
    return TRADITIONAL if traditional > simplified else SIMPLIFIED


def document_language(tags: list[str]) -> str:
    """One tag for a document whose texts carry ``tags``: theirs if they agree, ``mul`` if not."""
    found = Counter(t for t in tags if t != UNDETERMINED)
    if not found:
        return UNDETERMINED
    return next(iter(found)) if len(found) == 1 else MULTIPLE


def key_language(tag: str) -> str:
    """The language part of a document's IRIs (``doc/cdip-32-3-zh``).

    Simplified characters are the UN's Chinese, so a ``zh-Hans`` document keeps
    the plain ``zh`` kg has always used; ``zh-Hant`` and ``mul`` say what they are.
    """
    return "zh" if tag == SIMPLIFIED else tag.lower()


def tag_document(document) -> None:
    """Tag each paragraph, footnote and the title of a read :class:`~kg.reader.model.Document`,
    and the document itself (its one tag, or ``mul``)."""
    texts = [p.text for p in document.paragraphs] + [f.text for f in document.footnotes]
    default = document_script(texts)
    for unit in [*document.paragraphs, *document.footnotes]:
        unit.language = text_language(unit.text, default)
    document.metadata.language = document_language([p.language for p in document.paragraphs])
    meta = document.metadata
    if meta.title:
        tag = text_language(meta.title, default)
        meta.title_language = tag if tag != UNDETERMINED else document.metadata.language
    meta.other_titles = [(text_language(title, default), title) for _, title in meta.other_titles]

"""Per-language layout and citation vocabulary, loaded from ``data/lexicon/{lang}.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.errors import DataError
from kg.resources import data_file


@dataclass(frozen=True)
class Lexicon:
    language: str
    path: Path
    paragraph: re.Pattern[str]
    part_heading: re.Pattern[str]
    part_number: str
    section_heading: re.Pattern[str]
    sentence_end: str
    heading_must_not_end_with: str
    heading_must_not_contain: str
    end_of_document: tuple[re.Pattern[str], ...]
    furniture: tuple[re.Pattern[str], ...]
    bullets: tuple[str, ...]
    header: dict[str, re.Pattern[str]]
    language_names: dict[str, str]
    place_first: bool
    date: re.Pattern[str]
    date_range: re.Pattern[str]
    months: tuple[str, ...]
    goal_keywords: tuple[str, ...]
    target_keywords: tuple[str, ...]
    separators: tuple[str, ...]
    organisation_heads: tuple[str, ...]
    weak_heads: tuple[str, ...]
    direct_heads: tuple[str, ...]
    titles: tuple[str, ...]
    organisation_parts: bool
    type_heads: dict[str, tuple[str, ...]]
    capitalised_name_connectors: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    not_heads: tuple[str, ...]
    generic_names: tuple[str, ...]
    generic_determiners: tuple[str, ...]
    name_as_modifier: re.Pattern[str] | None
    event_heads: tuple[str, ...]
    min_place_led_middle: int
    stop_words: tuple[str, ...]
    run_stop_words: tuple[str, ...]
    max_name_length: int
    definition_brackets: tuple[tuple[str, str], ...]
    title_brackets: tuple[tuple[str, str], ...]
    place_suffix_exclusions: tuple[str, ...]
    place_word_continuations: tuple[tuple[str, str], ...]
    name_joiners: tuple[str, ...]
    relations: dict
    # Languages whose place names this language's texts also print (an English title or name in
    # Chinese text: "Inviting Taiwan to participate", 與Japan合作); matched as written, capitalised.
    foreign_place_names: tuple[str, ...] = ()
    scripts: dict = field(default_factory=dict)
    article: dict = field(default_factory=dict)
    # Two-character words (entities.words, a file beside the lexicon): a name the model proposes does
    # not start or end inside one.
    words: frozenset[str] = frozenset()


HEADER_FIELDS = ("symbol", "original_language", "date", "committee", "session",
                 "session_dates_place", "prepared_by")


def available_languages() -> list[str]:
    return sorted(p.stem for p in data_file("lexicon").glob("*.toml"))


def base_language(tag: str) -> str:
    """The primary subtag of a BCP 47 tag: the lexicon and pipeline of ``zh-Hans`` and ``zh-Hant`` are ``zh``'s."""
    return tag.split("-")[0].lower()


def load_lexicon(language: str) -> Lexicon:
    """The lexicon of ``language``, a lexicon name or a BCP 47 tag (``zh-Hant`` reads ``zh.toml``)."""
    return _load_lexicon(base_language(language))


@cache
def _load_lexicon(language: str) -> Lexicon:
    path = data_file("lexicon", f"{language}.toml")
    if not path.is_file():
        raise DataError(f"no lexicon for language {language!r} (have: {', '.join(available_languages())})",
                        path=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the place only in the message: "... (at line 13, column 26)".
        place = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
        message = str(exc)[:place.start()] + f" (column {place.group(2)})" if place else str(exc)
        raise DataError(f"not valid TOML: {message}", path=path,
                        line=int(place.group(1)) if place else None) from None

    def get(table: str, key: str):
        try:
            return raw[table][key] if table else raw[key]
        except KeyError:
            raise DataError(f"missing key {table + '.' if table else ''}{key}", path=path) from None

    def compile_(pattern: str, key: str) -> re.Pattern[str]:
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise DataError(f"{key}: bad regular expression: {exc}", path=path) from None

    layout = "layout"
    header = {name: compile_(get("header", name), f"header.{name}") for name in HEADER_FIELDS}
    return Lexicon(
        language=get("", "language"),
        path=path,
        paragraph=compile_(get(layout, "paragraph"), "layout.paragraph"),
        part_heading=compile_(get(layout, "part_heading"), "layout.part_heading"),
        part_number=get(layout, "part_number"),
        section_heading=compile_(get(layout, "section_heading"), "layout.section_heading"),
        sentence_end=get(layout, "sentence_end"),
        heading_must_not_end_with=get(layout, "heading_must_not_end_with"),
        heading_must_not_contain=get(layout, "heading_must_not_contain"),
        end_of_document=tuple(compile_(p, "layout.end_of_document") for p in get(layout, "end_of_document")),
        furniture=tuple(compile_(p, "layout.furniture") for p in get(layout, "furniture")),
        bullets=tuple(get(layout, "bullets")),
        header=header,
        language_names=dict(get("header", "language_names")),
        place_first=bool(raw["header"].get("place_first", False)),
        date=compile_(get("dates", "date"), "dates.date"),
        date_range=compile_(get("dates", "range"), "dates.range"),
        months=tuple(raw["dates"].get("months", ())),
        goal_keywords=tuple(get("citations", "goal_keywords")),
        target_keywords=tuple(get("citations", "target_keywords")),
        separators=tuple(get("citations", "separators")),
        organisation_heads=tuple(get("entities", "organisation_heads")),
        weak_heads=tuple(get("entities", "weak_heads")),
        direct_heads=tuple(get("entities", "direct_heads")),
        titles=tuple(get("entities", "titles")),
        organisation_parts=bool(get("entities", "organisation_parts")),
        type_heads={label: tuple(words) for label, words in raw["entities"].get("type_heads", {}).items()},
        capitalised_name_connectors=tuple(get("entities", "capitalised_name_connectors")),
        company_suffixes=tuple(get("entities", "company_suffixes")),
        not_heads=tuple(get("entities", "not_heads")),
        generic_names=tuple(get("entities", "generic_names")),
        generic_determiners=tuple(get("entities", "generic_determiners")),
        name_as_modifier=compile_(get("entities", "name_as_modifier"), "entities.name_as_modifier")
        if get("entities", "name_as_modifier") else None,
        event_heads=tuple(get("entities", "event_heads")),
        min_place_led_middle=int(get("entities", "min_place_led_middle")),
        stop_words=tuple(get("entities", "stop_words")),
        run_stop_words=tuple(get("entities", "run_stop_words")),
        max_name_length=int(get("entities", "max_name_length")),
        definition_brackets=tuple(tuple(pair) for pair in get("entities", "definition_brackets")),
        title_brackets=tuple(tuple(pair) for pair in get("entities", "title_brackets")),
        place_suffix_exclusions=tuple(get("entities", "place_suffix_exclusions")),
        place_word_continuations=tuple(tuple(pair) for pair in get("entities", "place_word_continuations")),
        name_joiners=tuple(get("entities", "name_joiners")),
        foreign_place_names=tuple(raw["entities"].get("foreign_place_names", ())),
        relations=dict(raw.get("relations", {})),
        scripts=dict(raw.get("script", {})),
        article={name: compile_(value, f"article.{name}") if isinstance(value, str) else value
                 for name, value in raw.get("article", {}).items()},
        words=_read_words(path.parent / raw["entities"]["words"]) if "words" in raw.get("entities", {}) else frozenset(),
    )


def _read_words(path: Path) -> frozenset[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the word list: {exc}", path=path) from None
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))

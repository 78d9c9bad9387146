"""Countries, territories, regions and country groups, with every name they go by.

Assembled at run time from the UN tables shipped in ``data/vocab`` (M49 official
names, UNTERM short and formal names), the CLDR names in Babel, and the curated
files in ``data/gazetteers`` (see its README). Each place links to the UN SDG
code-list IRI ``http://metadata.un.org/sdg/codes/geoArea/{M49}``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel import Locale
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.errors import DataError
from kg.namespaces import GEOAREA
from kg.rdfio import parse_into
from kg.resources import data_file

M49_TABLES = {"zh": ("vocab", "datahub-UNSD-m49-cn.csv"), "en": ("vocab", "datahub-UNSD-m49-en.csv")}
COUNTRY_CODES = ("vocab", "datahub-country-codes.csv")
SDG_CODES = ("vocab", "lod4stats-sdg-codes.ttl")
GROUPS = ("gazetteers", "m49_groups.csv")
ALIASES = ("gazetteers", "place_aliases.csv")
EXCLUSIONS = ("gazetteers", "place_exclusions.csv")
# Sub-national divisions whose names open organisations' names (北京市知识产权局): not places kg links.
OPENERS = {"zh": ("gazetteers", "subnational_cn.csv")}

# CLDR locales whose territory names Traditional-character texts use (Taiwan, Hong Kong).
TRADITIONAL_LOCALES = ("zh_Hant", "zh_Hant_HK")
TRADITIONAL = "zh-Hant"

# Rows the datahub copy adds to the UNSD M49 table (see data/vocab/README.md).
NOT_IN_M49 = {"158"}
REGION_COLUMNS = (("Region Code", "Region Name"), ("Sub-region Code", "Sub-region Name"),
                  ("Intermediate Region Code", "Intermediate Region Name"))


@dataclass
class Place:
    key: str  # ISO 3166-1 alpha-3 for countries and territories, the M49 code for regions and groups
    kind: str  # "COUNTRY" or "REGION"
    m49: str  # three digits
    iso3: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # the UN name per language
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    regions: list[str] = field(default_factory=list)  # M49 codes of the regions it lies in
    groups: set[str] = field(default_factory=set)  # M49 codes of the groups it belongs to (199 …)
    wikidata: URIRef | None = None
    sdg_types: set[URIRef] = field(default_factory=set)  # geoArea/ldc, geoArea/sids … from the code list
    # The code list's own skos:prefLabel per language (en, zh), which kg's description of the UN's
    # IRI must not contradict (kg.graph.describe.describe_places).
    un_labels: dict[str, str] = field(default_factory=dict)

    @property
    def iri(self) -> URIRef:
        return GEOAREA[self.m49]


def read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a CSV data file (see :func:`numbered_rows`)."""
    return [row for _, row in numbered_rows(path, required)]


def numbered_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """``(line, row)`` of each row of a CSV data file, ``line`` being where the row ends.
    A file that is not UTF-8, a missing column, a row with the wrong number of fields
    or broken quoting is a :class:`DataError` with its line."""
    if not path.is_file():
        raise DataError("missing data file", path=path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        data = path.read_bytes()
        raise DataError(f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded", path=path,
                        line=data.count(b"\n", 0, exc.start) + 1) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        header = next(reader, None) or []
        missing = [c for c in required if c not in header]
        if missing:
            raise DataError(f"missing column(s): {', '.join(missing)}", path=path, line=1)
        rows = []
        for fields in reader:
            line = reader.line_num
            if not fields:  # a blank line
                continue
            if len(fields) != len(header):
                raise DataError(f"row has {len(fields)} field(s), expected {len(header)} "
                                f"({', '.join(header)})", path=path, line=line)
            rows.append((line, {k: v.strip() for k, v in zip(header, fields)}))
    except csv.Error as exc:
        raise DataError(f"malformed CSV: {exc}", path=path, line=reader.line_num or line) from None
    return rows


_M49 = re.compile(r"^[0-9]{1,3}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


def _check_phrase(row: dict[str, str], column: str, path: Path, line: int) -> None:
    """A curated row names a phrase in a language kg reads."""
    from kg.language.lexicon import available_languages

    languages = available_languages()
    if not row[column]:
        raise DataError(f"{column} is empty", path=path, line=line)
    if row["language"] not in languages:
        raise DataError(f"language {row['language']!r} is not one of: {', '.join(languages)}", path=path, line=line)


def _clean_english(name: str) -> str:
    """UNTERM's "Republic of Korea (the)" and "the Republic of Chile" → without the article."""
    return re.sub(r"^the\s+|\s*\(the\)$", "", name).strip()


class Gazetteer:
    def __init__(self, places: dict[str, Place], exclusions: dict[str, set[str]]):
        self.places = places
        self.exclusions = exclusions
        self.by_m49 = {p.m49: p for p in places.values()}

    def place(self, key: str) -> Place | None:
        return self.places.get(key) or self.by_m49.get(key)

    def names(self, language: str) -> dict[str, str]:
        """Every name in ``language`` → the key of the place it names; names shared by two places are left out.

        ``zh-Hant`` gives the Chinese names and the Traditional-only ones, in Simplified form."""
        languages = ("zh", TRADITIONAL) if language == TRADITIONAL else (language,)
        owners: dict[str, set[str]] = defaultdict(set)
        for place in self.places.values():
            for name in {n for lang in languages for n in place.names.get(lang, ())}:
                owners[name].add(place.key)
        return {name: next(iter(keys)) for name, keys in owners.items() if len(keys) == 1}


def _load() -> Gazetteer:
    places: dict[str, Place] = {}
    regions: dict[str, Place] = {}

    def region(code: str) -> Place:
        if code not in regions:
            regions[code] = Place(key=code, kind="REGION", m49=code)
        return regions[code]

    for language, parts in M49_TABLES.items():
        path = data_file(*parts)
        for line, row in numbered_rows(path, ("M49 Code", "ISO-alpha3 Code", "Country or Area")):
            if not _M49.match(row["M49 Code"]) or not _ISO3.match(row["ISO-alpha3 Code"]) \
                    or not row["Country or Area"]:
                raise DataError(f"M49 Code {row['M49 Code']!r}, ISO-alpha3 Code {row['ISO-alpha3 Code']!r}, "
                                f"Country or Area {row['Country or Area']!r}: expected 1-3 digits, three capital "
                                "letters and a name", path=path, line=line)
            m49 = row["M49 Code"].zfill(3)
            if m49 in NOT_IN_M49:
                continue
            iso3 = row["ISO-alpha3 Code"]
            place = places.setdefault(iso3, Place(key=iso3, kind="COUNTRY", m49=m49, iso3=iso3))
            place.labels[language] = row["Country or Area"]
            place.names[language].add(row["Country or Area"])
            for code_column, name_column in REGION_COLUMNS:
                if row[code_column]:
                    code = row[code_column].zfill(3)
                    node = region(code)
                    node.labels[language] = row[name_column]
                    node.names[language].add(row[name_column])
                    if code not in place.regions:
                        place.regions.append(code)

    groups_path = data_file(*GROUPS)
    groups = numbered_rows(groups_path, ("m49", "key", "name_zh", "name_en", "membership_column"))
    m49_zh = read_csv(data_file(*M49_TABLES["zh"]), ("M49 Code",))
    for line, group in groups:
        if not _M49.match(group["m49"]) or group["membership_column"] not in m49_zh[0]:
            raise DataError(f"m49 {group['m49']!r} is not an M49 code, or membership_column "
                            f"{group['membership_column']!r} is not a column of {M49_TABLES['zh'][1]}",
                            path=groups_path, line=line)
        node = region(group["m49"])
        node.labels.update(zh=group["name_zh"], en=group["name_en"])
        node.names["zh"].add(group["name_zh"])
        node.names["en"].add(group["name_en"])
        for row in m49_zh:
            iso3 = row.get("ISO-alpha3 Code")
            if row.get(group["membership_column"]) and iso3 in places:
                places[iso3].groups.add(group["m49"])

    codes_path = data_file(*COUNTRY_CODES)
    for row in read_csv(codes_path, ("ISO3166-1-Alpha-3", "UNTERM Chinese Short", "UNTERM Chinese Formal",
                                     "UNTERM English Short", "UNTERM English Formal")):
        place = places.get(row["ISO3166-1-Alpha-3"])
        if place is None:
            continue
        for column in ("UNTERM Chinese Short", "UNTERM Chinese Formal"):
            if row[column]:
                place.names["zh"].add(row[column])
        for column in ("UNTERM English Short", "UNTERM English Formal", "official_name_en"):
            if row.get(column):
                place.names["en"].add(_clean_english(row[column]))

    # CLDR: the short names people write (美国, 英国, 拉丁美洲) and region names.
    for language in ("zh", "en"):
        territories = Locale.parse(language).territories
        for place in places.values():
            iso2 = _iso2(place)
            if iso2 and iso2 in territories:
                place.names[language].add(territories[iso2])
        for code, node in regions.items():
            if code in territories:
                node.names[language].add(territories[code])

    # CLDR's Traditional Chinese names (Taiwan: 紐西蘭, 奈及利亞; Hong Kong: 尼日利亞 …), in
    # the Simplified form the Simplified copy of a Traditional text shows them in
    # (kg/language/script.py). Kept apart under "zh-Hant": in Simplified text some of them
    # mean something else (中美 is Central America in Taiwan, China and the US here).
    from kg.language.script import to_simplified

    for locale in TRADITIONAL_LOCALES:
        territories = Locale.parse(locale).territories
        for place in [*places.values(), *regions.values()]:
            code = _iso2(place) if place.kind == "COUNTRY" else place.key
            if code and code in territories:
                name = to_simplified(territories[code])
                if name not in place.names["zh"]:
                    place.names[TRADITIONAL].add(name)

    all_places = {**places, **regions}
    by_m49 = {p.m49: p for p in all_places.values()}
    aliases_path = data_file(*ALIASES)
    for line, row in numbered_rows(aliases_path, ("key", "language", "alias")):
        place = all_places.get(row["key"]) or by_m49.get(row["key"].zfill(3))
        if place is None:
            raise DataError(f"unknown place key {row['key']!r}", path=aliases_path, line=line)
        _check_phrase(row, "alias", aliases_path, line)
        if row.get("preferred", "") not in ("", "yes"):
            raise DataError(f"preferred is {row['preferred']!r}, not 'yes' or empty", path=aliases_path, line=line)
        place.names[row["language"]].add(row["alias"])
        if row.get("preferred") == "yes":
            place.labels[row["language"]] = row["alias"]

    _add_code_list(all_places, data_file(*SDG_CODES))

    exclusions: dict[str, set[str]] = defaultdict(set)
    exclusions_path = data_file(*EXCLUSIONS)
    for line, row in numbered_rows(exclusions_path, ("phrase", "language")):
        _check_phrase(row, "phrase", exclusions_path, line)
        exclusions[row["language"]].add(row["phrase"])
    return Gazetteer(all_places, exclusions)


_ISO2: dict[str, str] = {}


def _iso2(place: Place) -> str | None:
    if not _ISO2:
        for row in read_csv(data_file(*COUNTRY_CODES), ("ISO3166-1-Alpha-3", "ISO3166-1-Alpha-2")):
            if row["ISO3166-1-Alpha-3"]:
                _ISO2[row["ISO3166-1-Alpha-3"]] = row["ISO3166-1-Alpha-2"]
    return _ISO2.get(place.iso3 or "")


def _add_code_list(places: dict[str, Place], path: Path) -> None:
    """Wikidata matches and SDG group types from the UN SDG code list."""
    graph = Graph()
    parse_into(graph, path, DataError)
    geoarea = str(GEOAREA)
    by_m49 = {p.m49: p for p in places.values()}
    for subject, match in graph.subject_objects(SKOS.exactMatch):
        code = str(subject)[len(geoarea):]
        if code in by_m49 and "wikidata.org/entity/" in str(match):
            by_m49[code].wikidata = URIRef(match)
    for code, place in by_m49.items():
        for kind in graph.objects(GEOAREA[code], URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")):
            if str(kind).startswith(geoarea) and str(kind)[len(geoarea):] in ("ldc", "sids", "dc", "ddc"):
                place.sdg_types.add(URIRef(kind))
        for label in sorted(graph.objects(GEOAREA[code], SKOS.prefLabel)):
            if getattr(label, "language", None) in ("en", "zh"):
                place.un_labels.setdefault(label.language, str(label))


@cache
def load_gazetteer() -> Gazetteer:
    return _load()


@cache
def name_openers(language: str) -> frozenset[str]:
    """Names of sub-national divisions that may open an organisation's name in ``language`` text
    (full and short forms: 辽宁省, 辽宁); none for a language without such a list."""
    parts = OPENERS.get(language)
    if parts is None:
        return frozenset()
    path = data_file(*parts)
    names = set()
    for line, row in numbered_rows(path, ("name", "short")):
        if not row["name"]:
            raise DataError("name is empty", path=path, line=line)
        names.add(row["name"])
        if row["short"]:
            names.add(row["short"])
    return frozenset(names)

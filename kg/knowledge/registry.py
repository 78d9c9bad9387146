"""The curated registries of organisations, WIPO programmes, works and treaties (``data/registry``).

Adding a row to one of the four files is the only step needed for kg to recognise and
link a new entity: the pipeline builds its patterns from these files every run.

=====================  ============  ===========================================
file                   label         what a row is
=====================  ============  ===========================================
``organisations.csv``  ``ORG``       an organisation or a named part of one
``programmes.csv``     ``PROGRAMME`` a WIPO programme, service, system or body
                       ``PROJECT``   (``kind`` project) a one-off named project, an activity
``works.csv``          ``WORK``      a publication: report, index, periodical, guide
``treaties.csv``       ``TREATY``    a treaty, convention, agreement, protocol or act
=====================  ============  ===========================================

Every row names the list its names come from (``source``); a work may name its publisher
and a treaty the organisation that administers it, both by organisation id.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from rdflib import URIRef

from kg.errors import DataError
from kg.knowledge.gazetteer import numbered_rows
from kg.namespaces import WD
from kg.resources import data_file

ORGANISATIONS = ("registry", "organisations.csv")
PROGRAMMES = ("registry", "programmes.csv")
WORKS = ("registry", "works.csv")
TREATIES = ("registry", "treaties.csv")
# Phrases inside which a registered name is no name: 发展议程 (WIPO's Development Agenda) in 可持续发展议程.
EXCLUSIONS = ("registry", "name_exclusions.csv")

ORGANISATION_KINDS = ("un-body", "igo", "ngo", "ip-office", "government", "university", "research",
                      "company", "fund", "bank", "other")
PROGRAMME_KINDS = ("programme", "platform", "database", "system", "body", "sector", "division",
                   "external-office", "service", "classification", "standard", "project", "initiative",
                   "award")
WORK_KINDS = ("report", "index", "periodical", "guide", "plan", "survey", "collection", "charter")
TREATY_KINDS = ("treaty", "convention", "agreement", "protocol", "act")

# The labels a registered name can carry, and where each lives under the base IRI.
LABEL_PATHS = {"ORG": "org", "PROGRAMME": "programme", "PROJECT": "project", "WORK": "work",
               "TREATY": "treaty"}
NAMED_LABELS = tuple(LABEL_PATHS)
# What an activity is carried out under: a standing programme, or a project of its own.
PROGRAMME_LABELS = ("PROGRAMME", "PROJECT")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


@dataclass
class Entity:
    id: str
    label: str  # one of NAMED_LABELS
    kind: str
    name_en: str
    name_zh: str
    acronym: str = ""
    short_zh: str = ""
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    country: str | None = None  # ISO alpha-3 of its home country
    parent: str | None = None  # organisation id
    publisher: str | None = None  # organisation id (works)
    administered_by: str | None = None  # organisation id (treaties)
    wikidata: URIRef | None = None
    source: str = ""
    file: tuple[str, str] = ORGANISATIONS
    line: int = 0

    @property
    def path(self) -> str:
        """The IRI path under the base: ``org/{id}``, ``programme/{id}``, ``work/{id}`` …"""
        return f"{LABEL_PATHS[self.label]}/{self.id}"


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


class Registry:
    def __init__(self, entities: list[Entity], exclusions: dict[str, set[str]] | None = None):
        self.entities = {(e.label, e.id): e for e in entities}
        self.exclusions = exclusions or {}

    def get(self, label: str, entity_id: str) -> Entity | None:
        return self.entities.get((label, entity_id))

    def names(self, language: str) -> dict[str, tuple[str, str]]:
        """Every surface form usable in ``language`` text → ``(label, id)``."""
        table: dict[str, tuple[str, str]] = {}
        for entity in self.entities.values():
            for name in entity.names.get(language, ()):
                table.setdefault(name, (entity.label, entity.id))
        return table


def _load_file(parts: tuple[str, str], label: str, kinds: tuple[str, ...], countries: set[str]) -> list[Entity]:
    path = data_file(*parts)
    columns = ("id", "kind", "name_en", "acronym", "name_zh", "aliases_zh", "aliases_en", "wikidata", "source")
    entities = []
    for line, row in numbered_rows(path, columns):
        def fail(message: str):
            return DataError(message, path=path, line=line)

        if not _ID.match(row["id"]):
            raise fail(f"id {row['id']!r} is not a lowercase slug (letters, digits, hyphens)")
        if row["kind"] not in kinds:
            raise fail(f"kind {row['kind']!r} is not one of: {', '.join(kinds)}")
        if not row["name_en"] or not row["name_zh"]:
            raise fail(f"{row['id']}: name_en and name_zh are required")
        if not row["source"]:
            raise fail(f"{row['id']}: source is required (the list or document the names come from)")
        if row["wikidata"] and not _QID.match(row["wikidata"]):
            raise fail(f"{row['id']}: wikidata {row['wikidata']!r} is not a Q-identifier")
        country = row.get("country") or None
        if country and (not _ISO3.match(country) or country not in countries):
            raise fail(f"{row['id']}: country {country!r} is not an ISO 3166-1 alpha-3 code of an M49 country")
        entity = Entity(id=row["id"], label="PROJECT" if row["kind"] == "project" else label, kind=row["kind"],
                        name_en=row["name_en"], name_zh=row["name_zh"], acronym=row["acronym"],
                        short_zh=row.get("short_zh", ""), country=country, parent=row.get("parent") or None,
                        publisher=row.get("publisher") or None, administered_by=row.get("administered_by") or None,
                        wikidata=WD[row["wikidata"]] if row["wikidata"] else None, source=row["source"],
                        file=parts, line=line)
        zh = {row["name_zh"], *_split(row["aliases_zh"])}
        if entity.short_zh:
            zh.add(entity.short_zh)
        en = {row["name_en"], *_split(row["aliases_en"])}
        latin = {row["acronym"]} if row["acronym"] else set()
        # Chinese text writes acronyms and Latin names as they are ("ITC", "WIPO GREEN").
        entity.names["zh"] = zh | latin | {n for n in en if n.isascii() and n.upper() == n}
        entity.names["en"] = en | latin
        entities.append(entity)
    return entities


def _check(entities: list[Entity]) -> None:
    seen: dict[tuple[str, str], Entity] = {}
    by_surface: dict[tuple[str, str], Entity] = {}
    organisations = {e.id for e in entities if e.label == "ORG"}
    for entity in entities:
        path = data_file(*entity.file)
        # Projects live in programmes.csv beside programmes: one id space per file.
        key = (entity.file[1], entity.id)
        if key in seen:
            raise DataError(f"duplicate id {entity.id!r} (first at line {seen[key].line})", path=path,
                            line=entity.line)
        seen[key] = entity
        for column in ("parent", "publisher", "administered_by"):
            reference = getattr(entity, column)
            if reference and reference not in organisations:
                raise DataError(f"{entity.id}: {column} {reference!r} is not an organisation id", path=path,
                                line=entity.line)
        for language, names in entity.names.items():
            for name in names:
                other = by_surface.setdefault((language, name), entity)
                if other is not entity:
                    raise DataError(f"{entity.id}: name {name!r} already belongs to {other.id} "
                                    f"({other.file[1]} line {other.line})", path=path, line=entity.line)


@cache
def load_registry() -> Registry:
    from kg.knowledge.gazetteer import load_gazetteer

    countries = {p.iso3 for p in load_gazetteer().places.values() if p.iso3}
    entities = (_load_file(ORGANISATIONS, "ORG", ORGANISATION_KINDS, countries)
                + _load_file(PROGRAMMES, "PROGRAMME", PROGRAMME_KINDS, countries)
                + _load_file(WORKS, "WORK", WORK_KINDS, countries)
                + _load_file(TREATIES, "TREATY", TREATY_KINDS, countries))
    _check(entities)
    exclusions: dict[str, set[str]] = defaultdict(set)
    for _, row in numbered_rows(data_file(*EXCLUSIONS), ("phrase", "language")):
        exclusions[row["language"]].add(row["phrase"])
    return Registry(entities, exclusions)

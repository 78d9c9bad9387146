"""The curated registries of partner organisations and WIPO programmes (``data/registry``).

Adding a row to ``organisations.csv`` or ``programmes.csv`` is the only step
needed for kg to recognise and link a new entity: the pipeline builds its
patterns from these files every run.
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

ORGANISATION_KINDS = ("un-body", "igo", "ngo", "ip-office", "government", "university", "research",
                      "company", "fund", "bank", "other")
PROGRAMME_KINDS = ("programme", "platform", "database", "system", "body", "project", "initiative",
                   "award", "publication")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


@dataclass
class Entity:
    id: str
    label: str  # "ORG" or "PROGRAMME"
    kind: str
    name_en: str
    name_zh: str
    acronym: str = ""
    short_zh: str = ""
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    country: str | None = None  # ISO alpha-3 of its home country
    parent: str | None = None
    wikidata: URIRef | None = None
    line: int = 0

    @property
    def path(self) -> str:
        """The IRI path under the base: ``org/{id}`` or ``programme/{id}``."""
        return f"{'org' if self.label == 'ORG' else 'programme'}/{self.id}"


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


class Registry:
    def __init__(self, entities: list[Entity]):
        self.entities = {(e.label, e.id): e for e in entities}

    def get(self, label: str, entity_id: str) -> Entity | None:
        return self.entities.get((label, entity_id))

    def of_label(self, label: str) -> list[Entity]:
        return [e for (l, _), e in self.entities.items() if l == label]

    def names(self, language: str) -> dict[str, tuple[str, str]]:
        """Every surface form usable in ``language`` text → ``(label, id)``."""
        table: dict[str, tuple[str, str]] = {}
        for entity in self.entities.values():
            for name in entity.names.get(language, ()):
                table.setdefault(name, (entity.label, entity.id))
        return table


def _load_file(parts: tuple[str, str], label: str, kinds: tuple[str, ...], countries: set[str]) -> list[Entity]:
    path = data_file(*parts)
    columns = ("id", "kind", "name_en", "acronym", "name_zh", "aliases_zh", "aliases_en", "wikidata")
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
        if row["wikidata"] and not _QID.match(row["wikidata"]):
            raise fail(f"{row['id']}: wikidata {row['wikidata']!r} is not a Q-identifier")
        country = row.get("country") or None
        if country and (not _ISO3.match(country) or country not in countries):
            raise fail(f"{row['id']}: country {country!r} is not an ISO 3166-1 alpha-3 code of an M49 country")
        entity = Entity(id=row["id"], label=label, kind=row["kind"], name_en=row["name_en"],
                        name_zh=row["name_zh"], acronym=row["acronym"], short_zh=row.get("short_zh", ""),
                        country=country, parent=row.get("parent") or None,
                        wikidata=WD[row["wikidata"]] if row["wikidata"] else None, line=line)
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
    ids = {(e.label, e.id) for e in entities}
    for entity in entities:
        path = data_file(*(ORGANISATIONS if entity.label == "ORG" else PROGRAMMES))
        key = (entity.label, entity.id)
        if key in seen:
            raise DataError(f"duplicate id {entity.id!r} (first at line {seen[key].line})", path=path,
                            line=entity.line)
        seen[key] = entity
        if entity.parent and ("ORG", entity.parent) not in ids:
            raise DataError(f"{entity.id}: parent {entity.parent!r} is not an organisation id", path=path,
                            line=entity.line)
        for language, names in entity.names.items():
            for name in names:
                other = by_surface.setdefault((language, name), entity)
                if other is not entity:
                    raise DataError(f"{entity.id}: name {name!r} already belongs to {other.id} "
                                    f"(line {other.line})", path=path, line=entity.line)


@cache
def load_registry() -> Registry:
    from kg.knowledge.gazetteer import load_gazetteer

    countries = {p.iso3 for p in load_gazetteer().places.values() if p.iso3}
    entities = (_load_file(ORGANISATIONS, "ORG", ORGANISATION_KINDS, countries)
                + _load_file(PROGRAMMES, "PROGRAMME", PROGRAMME_KINDS, countries))
    _check(entities)
    return Registry(entities)

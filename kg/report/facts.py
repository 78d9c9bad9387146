"""What the site shows, asked of the graph through the stored queries (``queries/*.rq``) only.

The site is a view of what ``kg query`` answers, not a second reading of the graph: every
fact on a page is a row of a stored query, run with :func:`kg.store.binding.run` exactly as
``kg query NAME --param …`` runs it (parameters bound as RDF terms). Whole-graph queries run
once; the questions about one entity (``programmes-for-target``, ``activities-of-programme``,
``active-in-country`` …) run once per entity page, with the entity's IRI as the parameter.
The network is the one the GEXF export writes (:func:`kg.exports.network.project`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph

from kg.exports.network import project
from kg.store.binding import data_base, run
from kg.store.queries import stored_query

# The kinds of entity that get a page of their own, and the stored questions asked about each.
PROGRAMME_KINDS = ("programme", "project")
PLACE_KINDS = ("country", "region", "country-group")
SDG_KINDS = ("goal", "target")
PAGE_KINDS = PROGRAMME_KINDS + ("organisation",) + PLACE_KINDS + SDG_KINDS


def value(term):
    """A query's cell as plain Python: integers as ``int``, anything else by its lexical form."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value.endswith("#integer"):
        return int(term.value)
    return term.value


def ask(store: pyoxigraph.Store, name: str, **params: str) -> list[dict]:
    """The rows of stored query ``name``, each a dict by variable, as ``kg query`` would give them."""
    result, _ = run(store, stored_query(name), params)
    names = [v.value for v in result.variables]
    return [{n: value(row[n]) for n in names} for row in result]


@dataclass
class Entity:
    """One row of ``entities``: a programme, organisation, place, goal or target the text names."""

    iri: str
    type: str
    name_en: str | None
    name_zh: str | None
    acronym: str | None
    code: str | None
    iso3: str | None
    m49: str | None
    mentions: int
    paragraphs: int

    def name(self, lang: str) -> str:
        first, second = (self.name_zh, self.name_en) if lang == "zh" else (self.name_en, self.name_zh)
        return first or second or self.acronym or self.code or self.iri

    def label(self, lang: str) -> str:
        """How a list or a chart shows it: SDG codes before a goal's or target's long name."""
        if self.type == "goal" and self.code:
            return f"SDG {self.code}"
        if self.type == "target" and self.code:
            return self.code
        return self.name(lang)


@dataclass
class Link:
    """One link of an activity (``activity-evidence``): who conducts it, what it advances, who takes part."""

    link: str
    entity: str
    role: str | None
    mention: str | None
    surface: str | None
    mention_paragraph: str | None
    mention_number: int | None
    start: int | None
    end: int | None


@dataclass
class Activity:
    """An activity, where its description stands, and its links with their evidence."""

    iri: str
    paragraph: str
    number: int
    item: int | None
    start: int
    end: int
    links: list[Link] = field(default_factory=list)

    def entities(self, link: str) -> list[str]:
        return sorted({x.entity for x in self.links if x.link == link})


@dataclass
class Paragraph:
    iri: str
    document: str
    symbol: str | None
    number: int
    text: str
    mentions: list[dict] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)


@dataclass
class Facts:
    """Everything the pages show, each part the answer of a stored query."""

    base: str
    documents: list[dict]
    entities: dict[str, Entity]
    coverage: list[dict]
    partners: list[dict]
    cooccurrence: list[dict]
    countries: list[dict]
    goals: list[dict]
    paragraphs: dict[str, Paragraph]
    activities: dict[str, Activity]
    network: nx.DiGraph
    about: dict[str, dict[str, list[dict]]]  # entity IRI → stored query name → its rows
    linked: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (link, entity) → activity IRIs

    def __post_init__(self) -> None:
        for activity in self.activities.values():
            for x in activity.links:
                self.linked.setdefault((x.link, x.entity), set()).add(activity.iri)

    def of_kind(self, *kinds: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.type in kinds]


def collect(store: pyoxigraph.Store, network: nx.DiGraph | None = None) -> Facts:
    """Ask the graph every question the site answers (``network``: the export's projection, if made already)."""
    entities = {row["entity"]: Entity(**{k: row[k] for k in (
        "type", "name_en", "name_zh", "acronym", "code", "iso3", "m49", "mentions", "paragraphs")}, iri=row["entity"])
        for row in ask(store, "entities")}
    paragraphs = _paragraphs(store)
    activities = _activities(store)
    for activity in activities.values():
        if activity.paragraph in paragraphs:
            paragraphs[activity.paragraph].activities.append(activity.iri)
    return Facts(
        base=data_base(store),
        documents=ask(store, "documents"),
        entities=entities,
        coverage=ask(store, "coverage-by-programme"),
        partners=ask(store, "partners-by-activities"),
        cooccurrence=ask(store, "partner-cooccurrence"),
        countries=ask(store, "countries-by-activities"),
        goals=ask(store, "targets-per-goal"),
        paragraphs=paragraphs,
        activities=activities,
        network=network if network is not None else project(store),
        about=_about(store, entities, activities),
    )


def _paragraphs(store: pyoxigraph.Store) -> dict[str, Paragraph]:
    found = {row["paragraph"]: Paragraph(row["paragraph"], row["document"], row["symbol"], row["number"], row["text"])
             for row in ask(store, "paragraphs")}
    for row in ask(store, "mentions-in-paragraph"):
        if row["paragraph"] in found:
            found[row["paragraph"]].mentions.append(row)
    return found


def _activities(store: pyoxigraph.Store) -> dict[str, Activity]:
    found: dict[str, Activity] = {}
    for row in ask(store, "activity-evidence"):
        activity = found.setdefault(row["activity"], Activity(
            row["activity"], row["paragraph"], row["number"], row["item"], row["start"], row["end"]))
        activity.links.append(Link(row["link"], row["entity"], row["role"], row["mention"], row["surface"],
                                   row["mention_paragraph"], row["mention_number"], row["mention_start"],
                                   row["mention_end"]))
    return found


def _about(store: pyoxigraph.Store, entities: dict[str, Entity],
           activities: dict[str, Activity]) -> dict[str, dict[str, list[dict]]]:
    """The stored questions about each entity that has a page, asked with its IRI."""
    conductors = {x.entity for a in activities.values() for x in a.links if x.link == "conductedBy"}
    about: dict[str, dict[str, list[dict]]] = defaultdict(dict)
    for iri, entity in entities.items():
        if entity.type not in PAGE_KINDS:
            continue
        term = f"<{iri}>"
        asked = about[iri]
        if entity.type in PROGRAMME_KINDS or iri in conductors:
            asked["activities-of-programme"] = ask(store, "activities-of-programme", programme=term)
            asked["partners-of-programme"] = ask(store, "partners-of-programme", programme=term)
            asked["countries-of-programme"] = ask(store, "countries-of-programme", programme=term)
        if entity.type in SDG_KINDS:
            asked["programmes-for-target"] = ask(store, "programmes-for-target", target=term)
            asked["paragraphs-citing-target"] = ask(store, "paragraphs-citing-target", target=term)
        if entity.type in PLACE_KINDS:
            asked["active-in-country"] = ask(store, "active-in-country", place=term)
    return dict(about)

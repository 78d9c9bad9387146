"""The graphs documents share, made from their contributions: SDG concepts, places, registry, relations, editions.

Each is a function of the documents' :class:`~kg.build.document.Contribution`
records, not of the documents themselves, so a corpus build (:mod:`kg.build.corpus`)
makes them once at the end from every document's record, rebuilt or kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from rdflib import URIRef

from kg.build.document import Builder, Contribution, DocumentResult
from kg.errors import ReportWarning
from kg.graph.describe import describe_places, describe_registered
from kg.graph.document import add_relations, add_sdg_concepts
from kg.graph.editions import add_editions, edition_pairs, edition_warnings
from kg.graph.relations import Relation

SDG_GRAPH = "sdg-kos"
GEO_GRAPH = "geo"
REGISTRY_GRAPH = "registry"
RELATIONS_GRAPH = "relations"
EDITIONS_GRAPH = "editions"


def merge_relations(contributions: Iterable[Contribution]) -> list[Relation]:
    """The programme relations over every document: the union of each one's support."""
    support: dict[tuple[str, str, str], set] = defaultdict(set)
    for contribution in contributions:
        for kind, subject, obj, refs in contribution.relations:
            support[(kind, subject, obj)].update(tuple(r) for r in refs)
    return [Relation(kind, URIRef(subject), URIRef(obj), tuple(sorted(refs)))
            for (kind, subject, obj), refs in sorted(support.items())]


def add_shared_graphs(builder: Builder, contributions: list[Contribution],
                      graph_for: Callable[[URIRef], object], relations: bool = True) -> dict[str, list[ReportWarning]]:
    """The graphs documents share: the SDG concepts, places and registry entries they
    mention, and (with ``relations``) the programme relations over all their activities and
    the links between the language editions of one document. Returns the warnings about
    editions that do not match, by document key."""
    iris, sdg, gazetteer, registry = builder.iris, builder.sdg, builder.gazetteer, builder.registry
    # Every goal and target a document cites or is inferred to address is described.
    concepts = {URIRef(iri) for c in contributions for iri in (*c.cited, *c.addressed)}
    add_sdg_concepts(graph_for(iris.vocabulary_graph(SDG_GRAPH)), sdg, concepts)

    places = {key: gazetteer.place(key) for c in contributions for key in c.places}
    entities = {(label, key): registry.get(label, key) for c in contributions for label, key in c.entities}
    # The reporting organisation conducts the activities that name no programme.
    for actor in sorted({actor for c in contributions for actor in c.actors}):
        entities[("ORG", actor)] = registry.get("ORG", actor)
    # A mentioned entity's parent organisation, publisher, administering organisation and home
    # country are described too, so every IRI the registry graph points to is described somewhere.
    pending = list(entities.values())
    while pending:  # parents have parents (UNOG → UN)
        entity = pending.pop()
        for organisation in (entity.parent, entity.publisher, entity.administered_by):
            if organisation and ("ORG", organisation) not in entities:
                entities[("ORG", organisation)] = registry.get("ORG", organisation)
                pending.append(entities[("ORG", organisation)])
    for entity in entities.values():
        if entity.country:
            places[entity.country] = gazetteer.places[entity.country]
    for place in list(places.values()):
        for code in [*place.regions, *place.groups]:
            places[code] = gazetteer.place(code)
    describe_places(graph_for(iris.vocabulary_graph(GEO_GRAPH)), places.values(), gazetteer)
    warnings: dict[str, list[ReportWarning]] = {}
    if relations:
        # Language editions of one document: paragraph n of each linked to paragraph n of the others.
        pairs, warnings = editions_of(contributions)
        add_editions(graph_for(iris.vocabulary_graph(EDITIONS_GRAPH)), pairs, iris)
        add_relations(graph_for(iris.vocabulary_graph(RELATIONS_GRAPH)), merge_relations(contributions), iris)
    describe_registered(graph_for(iris.vocabulary_graph(REGISTRY_GRAPH)), entities.values(), iris, gazetteer,
                        {e.id: e for (label, _), e in entities.items() if label == "ORG"})
    return warnings


def editions_of(contributions: list[Contribution]):
    """The pairs of language editions among ``contributions`` (kg.graph.editions.edition_pairs) and the
    warnings about editions that do not match, by document key."""
    pairs = edition_pairs([(c.key, c.edition()) for c in contributions])
    warnings: dict[str, list[ReportWarning]] = {}
    for c in contributions:
        found = edition_warnings(c.key, c.edition(), pairs)
        if found:
            warnings[c.key] = found
    return pairs, warnings


def add_edition_warnings(documents: list[DocumentResult], warnings: dict[str, list[ReportWarning]]) -> None:
    """Put the warnings about other editions with the documents (and their report.json entries)."""
    for d in documents:
        for warning in warnings.get(d.key, []):
            d.warnings.append(warning)
            d.entry = {**d.entry, "warnings": [*d.entry["warnings"], {
                "file": d.file, "line": warning.line, "paragraph": warning.paragraph, "message": warning.message}]}

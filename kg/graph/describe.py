"""Describing the entities mentions link to: places, registered organisations, programmes, works and treaties.

Descriptions live in graphs of their own, apart from the documents' graphs, so
that each fact says where it came from: places come from the UN tables
(``graph/geo``), organisations and programmes from our registry
(``graph/registry``). An organisation found only by the form of its name is
described in the graph of the document that names it: the text is its only
source.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, SKOS

from kg.graph.iris import Iris
from kg.graph.linking import Unregistered
from kg.knowledge.gazetteer import Gazetteer, Place
from kg.knowledge.registry import Entity
from kg.namespaces import GEOAREA, KGO

# The UNSD M49 standard, which the shipped tables reproduce (data/vocab/README.md).
M49_SOURCE = URIRef("https://unstats.un.org/unsd/methodology/m49/")

ORGANISATION_CLASSES = {
    "un-body": KGO.UNBody,
    "igo": KGO.IntergovernmentalOrganisation,
    "ngo": KGO.NonGovernmentalOrganisation,
    "ip-office": KGO.IPOffice,
    "government": KGO.GovernmentBody,
    "university": KGO.University,
    "research": KGO.ResearchInstitute,
    "company": KGO.Company,
    "fund": KGO.Fund,
    "bank": KGO.Bank,
    "other": KGO.Organisation,
}
PROGRAMME_CLASSES = {
    "programme": KGO.Programme,
    "platform": KGO.Platform,
    "database": KGO.Database,
    "system": KGO.RegistrationSystem,
    "body": KGO.WipoBody,
    "sector": KGO.WipoBody,
    "division": KGO.WipoBody,
    "external-office": KGO.WipoBody,
    "service": KGO.Service,
    "classification": KGO.Classification,
    "standard": KGO.TechnicalStandard,
    "initiative": KGO.Initiative,
    "award": KGO.Award,
}
# The class of what each label names (kinds refine ORG and PROGRAMME).
LABEL_CLASSES = {"ORG": KGO.Organisation, "PROGRAMME": KGO.Programme, "PROJECT": KGO.Project,
                 "WORK": KGO.Work, "TREATY": KGO.Treaty}


def describe_places(graph: Graph, places: Iterable[Place], gazetteer: Gazetteer) -> None:
    for place in sorted(places, key=lambda p: p.m49):
        node = place.iri
        graph.add((node, RDF.type, KGO.Country if place.kind == "COUNTRY" else
                   KGO.CountryGroup if place.m49 in {g for p in gazetteer.places.values() for g in p.groups}
                   else KGO.Region))
        # The UN's IRI keeps the UN's name: where the SDG code list has a preferred label in a
        # language, that label is the preferred one (the UN's own triple, repeated so the graph
        # reads alone) and kg's name, if it differs, an alternative label; a merge with the code
        # list then has one skos:prefLabel per language (docs/exports.md).
        for language, label in sorted(place.labels.items()):
            theirs = place.un_labels.get(language)
            graph.add((node, SKOS.prefLabel, Literal(theirs or label, lang=language)))
            if theirs is not None and theirs != label:
                graph.add((node, SKOS.altLabel, Literal(label, lang=language)))
        # The M49 code as the UN writes it ("76"; the IRI has the three digits, geoArea/076).
        graph.add((node, KGO.m49Code, Literal(str(int(place.m49)))))
        if place.iso3:
            graph.add((node, SKOS.notation, Literal(place.iso3, datatype=KGO.ISO3166Alpha3)))
        for region in place.regions:
            graph.add((node, KGO.inRegion, GEOAREA[region]))
        for group in sorted(place.groups):
            graph.add((node, KGO.inGroup, GEOAREA[group]))
        # The UN code list's own group types (geoArea/ldc …), repeated so queries
        # on either vocabulary work without the code list loaded.
        for kind in sorted(place.sdg_types):
            graph.add((node, RDF.type, kind))
        if place.wikidata is not None:
            graph.add((node, OWL.sameAs, place.wikidata))
    graph.add((graph.identifier, PROV.wasDerivedFrom, M49_SOURCE))


def entity_iri(iris: Iris, entity: Entity) -> URIRef:
    return URIRef(iris.base + entity.path)


def describe_registered(graph: Graph, entities: Iterable[Entity], iris: Iris, gazetteer: Gazetteer,
                        parents: dict[str, Entity]) -> None:
    for entity in sorted(entities, key=lambda e: (e.label, e.id)):
        node = entity_iri(iris, entity)
        graph.add((node, RDF.type, LABEL_CLASSES[entity.label]))
        if entity.label == "ORG":
            graph.add((node, RDF.type, ORGANISATION_CLASSES[entity.kind]))
        elif entity.label == "PROGRAMME":
            graph.add((node, RDF.type, PROGRAMME_CLASSES[entity.kind]))

        graph.add((node, DCTERMS.identifier, Literal(entity.id)))
        graph.add((node, SKOS.prefLabel, Literal(entity.name_zh, lang="zh")))
        graph.add((node, SKOS.prefLabel, Literal(entity.name_en, lang="en")))
        for language in ("zh", "en"):
            preferred = entity.name_zh if language == "zh" else entity.name_en
            for name in sorted(entity.names.get(language, ())):
                if name != preferred and name != entity.acronym and not (language == "zh" and name.isascii()):
                    graph.add((node, SKOS.altLabel, Literal(name, lang=language)))
        if entity.acronym:
            graph.add((node, KGO.acronym, Literal(entity.acronym)))
        if entity.country:
            graph.add((node, KGO.homeCountry, gazetteer.places[entity.country].iri))
        if entity.parent:
            graph.add((node, ORG.subOrganizationOf, entity_iri(iris, parents[entity.parent])))
        if entity.publisher:
            graph.add((node, DCTERMS.publisher, entity_iri(iris, parents[entity.publisher])))
        if entity.administered_by:
            graph.add((node, KGO.administeredBy, entity_iri(iris, parents[entity.administered_by])))
        if entity.wikidata is not None:
            graph.add((node, OWL.sameAs, entity.wikidata))


def describe_unregistered(graph: Graph, unregistered: Iterable[Unregistered], language: str) -> None:
    for entry in sorted(unregistered, key=lambda u: str(u.iri)):
        graph.add((entry.iri, RDF.type, LABEL_CLASSES[entry.label]))
        graph.add((entry.iri, RDF.type, KGO.UnregisteredEntity))
        graph.add((entry.iri, SKOS.prefLabel, Literal(entry.name, lang=entry.language or language)))

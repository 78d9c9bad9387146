"""RDF namespaces, declared once for the whole package.

``KGO`` is our vocabulary (``ontology/kg.ttl``); it is a closed
:class:`~rdflib.namespace.DefinedNamespace`, so a misspelt term fails at import
time instead of producing a triple nobody can query. A test checks that every
term declared here is defined in the ontology and the other way round.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import (DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, VOID, XSD,
                              DefinedNamespace)
from rdflib.term import URIRef

ONTOLOGY_IRI = "https://w3id.org/sdg-kg/ontology"
DEFAULT_BASE_IRI = "https://w3id.org/sdg-kg/id/"


class KGO(DefinedNamespace):
    """The kg ontology: documents, their structure, mentions and what they refer to."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # documents and their structure
    Document: URIRef
    Article: URIRef
    Report: URIRef
    DocumentComponent: URIRef
    TextSpan: URIRef
    TextUnit: URIRef
    Part: URIRef
    Section: URIRef
    Paragraph: URIRef
    Item: URIRef
    Footnote: URIRef
    number: URIRef
    text: URIRef
    sourceStart: URIRef
    sourceEnd: URIRef
    start: URIRef
    end: URIRef
    inDocument: URIRef
    inPart: URIRef
    inSection: URIRef
    inParagraph: URIRef
    inItem: URIRef
    hasItem: URIRef
    hasFootnote: URIRef
    markOffset: URIRef
    goal: URIRef
    sourceFile: URIRef
    sha256: URIRef
    originalLanguage: URIRef
    committee: URIRef
    committeeAcronym: URIRef
    session: URIRef
    sessionStart: URIRef
    sessionEnd: URIRef
    sessionPlace: URIRef
    preparedBy: URIRef
    # languages, translations and editions
    hasTranslation: URIRef
    otherEdition: URIRef
    # what the text cites and names
    citesTarget: URIRef
    citesGoal: URIRef
    mentionsCountry: URIRef
    mentionsRegion: URIRef
    mentionsOrganisation: URIRef
    mentionsProgramme: URIRef
    # mentions and their provenance
    Mention: URIRef
    ExtractionMethod: URIRef
    refersTo: URIRef
    surface: URIRef
    method: URIRef
    CitationPattern: URIRef
    GazetteerMatch: URIRef
    NameForm: URIRef
    AcronymReuse: URIRef
    # places
    Place: URIRef
    Country: URIRef
    Region: URIRef
    CountryGroup: URIRef
    m49Code: URIRef
    inRegion: URIRef
    inGroup: URIRef
    ISO3166Alpha3: URIRef
    # organisations and programmes
    Organisation: URIRef
    UNBody: URIRef
    IntergovernmentalOrganisation: URIRef
    NonGovernmentalOrganisation: URIRef
    IPOffice: URIRef
    GovernmentBody: URIRef
    University: URIRef
    ResearchInstitute: URIRef
    Company: URIRef
    Fund: URIRef
    Bank: URIRef
    UnregisteredEntity: URIRef
    acronym: URIRef
    homeCountry: URIRef
    Programme: URIRef
    Platform: URIRef
    Database: URIRef
    RegistrationSystem: URIRef
    WipoBody: URIRef
    Project: URIRef
    Initiative: URIRef
    Award: URIRef
    Publication: URIRef
    # activities, roles and relations
    Activity: URIRef
    describedIn: URIRef
    descriptionStart: URIRef
    descriptionEnd: URIRef
    conductedBy: URIRef
    advances: URIRef
    evidence: URIRef
    year: URIRef
    startDate: URIRef
    endDate: URIRef
    hasParticipation: URIRef
    Participation: URIRef
    participant: URIRef
    role: URIRef
    trigger: URIRef
    Trigger: URIRef
    Role: URIRef
    Partner: URIRef
    Funder: URIRef
    Host: URIRef
    Beneficiary: URIRef
    Venue: URIRef
    Origin: URIRef
    Mentioned: URIRef
    contributesTo: URIRef
    partnersWith: URIRef
    activeIn: URIRef
    Relation: URIRef
    relationType: URIRef
    relationSource: URIRef
    relationTarget: URIRef
    weight: URIRef
    supportedBy: URIRef


SDG = Namespace("http://metadata.un.org/sdg/")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
GEOAREA = Namespace("http://metadata.un.org/sdg/codes/geoArea/")
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")

PREFIXES = {
    "kgo": KGO._NS,
    "sdg": SDG,
    "sdgo": SDGO,
    "geo": GEOAREA,
    "oa": OA,
    "prov": PROV,
    "dct": DCTERMS,
    "skos": SKOS,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "org": ORG,
    "schema": SDO,
    "foaf": FOAF,
    "dcat": DCAT,
    "void": VOID,
    "wd": WD,
    "rdf": RDF,
}


def bind_prefixes(graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)

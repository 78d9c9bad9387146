"""The dataset description an export carries for catalogues: DCAT and VoID.

One ``dcat:Dataset`` (also a ``void:Dataset``) for everything the build holds,
at ``{base}dataset``, with

* what ``data/exports/dataset.toml`` says (title, description, keywords,
  publisher, licence, where the files are published);
* what the graph says, computed here: ``dct:issued``/``dct:modified`` (the
  dates of the oldest and newest source document, never the clock),
  ``dct:language`` (the documents' languages), ``dct:spatial`` (the UN geoArea
  IRIs of the places the documents mention), ``dct:temporal`` (the span of the
  dated activities), ``dcat:theme`` (the SDG goals, as SDG KOS concepts),
  ``prov:wasDerivedFrom``/``dct:source`` (the source documents);
* a ``dcat:Distribution`` per export format, with media type, file type and
  download URL;
* VoID statistics (triples, entities, classes, properties, distinct subjects
  and objects, a class and a property partition for each class and property)
  and a ``void:Linkset`` to the UN SDG KOS and one to the UN geoArea code list,
  each split by link predicate; each named graph is a ``void:subset``.

Every node has an IRI under ``{base}dataset`` (no blank nodes), so a catalogue
can refer to each of them. The description lives in the named graph
``{base}graph/dataset`` and is computed over the other graphs only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, VOID, XSD

from kg.errors import KgError
from kg.exports.config import DatasetSettings, dataset_settings
from kg.graph.iris import Iris
from kg.namespaces import ONTOLOGY_IRI, PREFIXES, SPARQL_PREFIXES, bind_prefixes, split_iri

DESCRIPTION_GRAPH = "dataset"
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
# What the description conforms to, and what its SPARQL service speaks.
DCAT_AP = URIRef("http://data.europa.eu/r5r/")  # DCAT-AP's namespace, its IRI as a standard (DCAT-AP 3.0.1)
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")


@dataclass(frozen=True)
class Source:
    """A source document of the build (a kgo:Report or kgo:Article), as the store describes it."""

    iri: str
    graph: str
    date: date | None
    languages: tuple[str, ...]  # EU language IRIs (a bilingual text has two)


@dataclass(frozen=True)
class Distribution:
    key: str  # the entry in dataset.toml's [distributions]
    file: str  # the file name it is published under


def sources(store: pyoxigraph.Store) -> tuple[str, list[Source]]:
    """The base IRI the store was built with and its documents (a kg build has at least one)."""
    rows = store.query(SPARQL_PREFIXES + """
        SELECT ?graph ?doc ?date ?language WHERE {
          VALUES ?kind { kgo:Report kgo:Article }
          GRAPH ?graph { ?doc a ?kind OPTIONAL { ?doc dct:date ?date } OPTIONAL { ?doc dct:language ?language } }
        }""")
    found: dict[str, tuple[str, date | None, set[str]]] = {}
    bases = set()
    for row in rows:
        doc, graph = row["doc"].value, row["graph"].value
        base, key = doc[:doc.rfind("doc/")], doc[doc.rfind("doc/") + 4:]
        if not key or graph != base + "graph/" + key:
            raise KgError(f"document {doc} is not in its own named graph {base}graph/{key}: not a kg build?")
        bases.add(base)
        when = date.fromisoformat(row["date"].value) if row["date"] is not None else None
        _, _, languages = found.setdefault(doc, (graph, when, set()))
        if row["language"] is not None:
            languages.add(row["language"].value)
    if not found:
        raise KgError("the graph holds no kgo:Report or kgo:Article: not the output of `kg build`?")
    if len(bases) > 1:
        raise KgError(f"the documents were built with different base IRIs ({', '.join(sorted(bases))})")
    return bases.pop(), [Source(doc, graph, when, tuple(sorted(languages)))
                         for doc, (graph, when, languages) in sorted(found.items())]


def description_graph(base: str) -> URIRef:
    return Iris(base).vocabulary_graph(DESCRIPTION_GRAPH)


class _Counter:
    """SPARQL over the distinct triples of the store's graphs other than the description's."""

    def __init__(self, store: pyoxigraph.Store, base: str):
        self.store = store
        self.base = base
        self.data = (f"{{ SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                     f"FILTER (?g != <{description_graph(base)}>) }} }}")

    def rows(self, query: str):
        return self.store.query(SPARQL_PREFIXES + query.replace("$DATA", self.data).replace("$BASE", self.base))

    def number(self, query: str) -> int:
        return int(next(iter(self.rows(query)))["n"].value)

    def grouped(self, query: str) -> dict[str, int]:
        return {row["key"].value: int(row["n"].value) for row in self.rows(query)}


def _name(iri: str) -> str:
    """A readable, IRI-safe name for a class or property: ``kgo-Paragraph``, ``dct-title``."""
    split = split_iri(iri)
    return f"{split[0]}-{quote(split[1], safe='')}" if split else quote(iri, safe="")


def describe(store: pyoxigraph.Store, distributions: list[Distribution],
             settings: DatasetSettings | None = None) -> tuple[URIRef, Graph]:
    """The description graph of ``store`` and its IRI."""
    settings = settings or dataset_settings()
    base, documents = sources(store)
    count = _Counter(store, base)
    graph = Graph()
    bind_prefixes(graph)
    add = graph.add
    node = Iris(base).dataset
    dataset = node()
    dates = sorted(d.date for d in documents if d.date is not None)
    issued = Literal(dates[0].isoformat(), datatype=XSD.date) if dates else None
    modified = Literal(dates[-1].isoformat(), datatype=XSD.date) if dates else None
    licence = URIRef(settings.licence)

    def dated(subject: URIRef) -> None:
        if issued is not None:
            add((subject, DCTERMS.issued, issued))
            add((subject, DCTERMS.modified, modified))

    def typed(value: URIRef, cls: URIRef) -> URIRef:
        """``value`` with the class DCAT-AP expects of it stated (dct:Location, dct:LicenseDocument …)."""
        add((value, RDF.type, cls))
        return value

    # -- the catalogue record ----------------------------------------------------
    record = description_graph(base)
    add((record, RDF.type, VOID.DatasetDescription))
    add((record, RDF.type, DCAT.CatalogRecord))
    add((record, DCTERMS.title, Literal("Description of the kg dataset (DCAT, VoID)", lang="en")))
    add((record, FOAF.primaryTopic, dataset))
    add((record, DCTERMS.conformsTo, typed(DCAT_AP, DCTERMS.Standard)))
    dated(record)  # when it was last changed (DCAT-AP): the date of the newest source document

    # -- the dataset -------------------------------------------------------------
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, RDF.type, DCAT.Resource))  # what a catalogue record's primary topic is (DCAT-AP)
    add((dataset, RDF.type, VOID.Dataset))
    for language, text in sorted(settings.title.items()):
        add((dataset, DCTERMS.title, Literal(text, lang=language)))
    for language, text in sorted(settings.description.items()):
        add((dataset, DCTERMS.description, Literal(" ".join(text.split()), lang=language)))
    for language, words in sorted(settings.keywords.items()):
        for word in words:
            add((dataset, DCAT.keyword, Literal(word, lang=language)))
    publisher = URIRef(settings.publisher)
    add((dataset, DCTERMS.publisher, publisher))
    add((publisher, RDF.type, FOAF.Agent))
    add((publisher, RDF.type, FOAF.Organization))
    if settings.publisher_type:
        kind = typed(URIRef(settings.publisher_type), SKOS.Concept)
        add((publisher, DCTERMS.type, kind))
        for language, label in sorted(settings.publisher_type_label.items()):
            add((kind, SKOS.prefLabel, Literal(label, lang=language)))
    for language, name in sorted(settings.publisher_name.items()):
        add((publisher, FOAF.name, Literal(name, lang=language)))
    if settings.publisher_homepage:
        add((publisher, FOAF.homepage, typed(URIRef(settings.publisher_homepage), FOAF.Document)))
    typed(licence, DCTERMS.LicenseDocument)
    add((dataset, DCTERMS.license, licence))
    dated(dataset)
    add((dataset, DCTERMS.conformsTo, typed(URIRef(ONTOLOGY_IRI), DCTERMS.Standard)))
    languages = sorted({language for d in documents for language in d.languages})
    for language in languages:
        add((dataset, DCTERMS.language, typed(URIRef(language), DCTERMS.LinguisticSystem)))
    # The reports the graph is read from: prov:wasDerivedFrom (dct:source, in DCAT-AP, is for a dataset a
    # dataset comes from, and a report is a document, not a dcat:Dataset).
    for document in documents:
        add((dataset, PROV.wasDerivedFrom, URIRef(document.iri)))
    for row in count.rows("SELECT DISTINCT ?place WHERE { $DATA FILTER (?p IN (kgo:mentionsCountry, "
                          "kgo:mentionsRegion)) BIND (?o AS ?place) }"):
        add((dataset, DCTERMS.spatial, typed(URIRef(row["place"].value), DCTERMS.Location)))
    for row in count.rows("SELECT DISTINCT ?goal WHERE { $DATA FILTER (?p = rdf:type && ?o = sdgo:Goal) "
                          "BIND (?s AS ?goal) }"):
        add((dataset, DCAT.theme, typed(URIRef(row["goal"].value), SKOS.Concept)))
    # A theme is a concept with a name (DCAT-AP): the goals' own labels, the UN's triples as the build has them.
    for row in count.rows("SELECT DISTINCT ?goal ?label WHERE { GRAPH ?g { ?goal a sdgo:Goal ; skos:prefLabel ?label } }"):
        label = row["label"]
        add((URIRef(row["goal"].value), SKOS.prefLabel, Literal(label.value, lang=label.language)))
    span = next(iter(count.rows("SELECT (MIN(?start) AS ?first) (MAX(?end) AS ?last) WHERE { "
                                "GRAPH ?g { ?activity kgo:startDate ?start ; kgo:endDate ?end } }")))
    if span["first"] is not None:
        period = node("temporal")
        add((dataset, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        add((period, DCAT.startDate, Literal(span["first"].value, datatype=XSD.date)))
        add((period, DCAT.endDate, Literal(span["last"].value, datatype=XSD.date)))

    # -- the SPARQL service and the catalogue ------------------------------------
    endpoint = URIRef(settings.sparql_endpoint or base + "sparql")
    service = node("service/sparql")
    add((dataset, VOID.sparqlEndpoint, endpoint))
    add((service, RDF.type, DCAT.DataService))
    add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint of the kg dataset", lang="en")))
    add((service, DCAT.endpointURL, endpoint))
    add((service, DCAT.servesDataset, dataset))
    add((service, DCTERMS.conformsTo, typed(SPARQL_PROTOCOL, DCTERMS.Standard)))
    add((service, DCTERMS.publisher, publisher))
    add((service, DCTERMS.license, licence))
    catalog = node("catalog")
    add((catalog, RDF.type, DCAT.Catalog))
    for language, text in sorted((settings.catalog_title or settings.title).items()):
        add((catalog, DCTERMS.title, Literal(text, lang=language)))
    for language, text in sorted((settings.catalog_description or settings.description).items()):
        add((catalog, DCTERMS.description, Literal(" ".join(text.split()), lang=language)))
    add((catalog, DCTERMS.publisher, publisher))
    add((catalog, DCTERMS.license, licence))
    add((catalog, DCAT.dataset, dataset))
    add((catalog, DCAT.service, service))
    add((catalog, DCAT.record, record))
    for language in languages:
        add((catalog, DCTERMS.language, URIRef(language)))
    dated(catalog)

    # -- the distributions -----------------------------------------------------
    downloads = settings.download_base or base + "dump/"
    for distribution in distributions:
        entry = settings.distributions.get(distribution.key)
        if entry is None:
            raise KgError(f"no [distributions.{distribution.key}] entry", path=settings.path)
        subject = node(f"distribution/{distribution.key}")
        url = URIRef(downloads + distribution.file)
        add((dataset, DCAT.distribution, subject))
        add((subject, RDF.type, DCAT.Distribution))
        add((subject, DCTERMS.title, Literal(entry["title"], lang="en")))
        add((subject, DCAT.accessURL, url))
        add((subject, DCAT.downloadURL, url))
        if entry.get("media_type"):
            add((subject, DCAT.mediaType, typed(URIRef(IANA + entry["media_type"]), DCTERMS.MediaType)))
        if entry.get("file_type"):
            add((subject, DCTERMS.format, typed(URIRef(FILE_TYPE + entry["file_type"]), DCTERMS.MediaTypeOrExtent)))
        if entry.get("conforms_to"):
            add((subject, DCTERMS.conformsTo, typed(URIRef(entry["conforms_to"]), DCTERMS.Standard)))
        add((subject, DCTERMS.license, licence))
        add((subject, DCAT.accessService, service))
        dated(subject)
        if entry.get("media_type") in ("application/n-quads", "text/turtle", "application/ld+json"):
            add((dataset, VOID.dataDump, url))

    # -- VoID statistics -------------------------------------------------------
    add((dataset, VOID.uriSpace, Literal(base)))
    totals = {
        VOID.triples: "SELECT (COUNT(*) AS ?n) WHERE { $DATA }",
        VOID.entities: "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { $DATA FILTER (isIRI(?s) && STRSTARTS(STR(?s), '$BASE')) }",
        VOID.distinctSubjects: "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { $DATA }",
        VOID.distinctObjects: "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { $DATA }",
        VOID.properties: "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { $DATA }",
        VOID.classes: "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { $DATA FILTER (?p = rdf:type) }",
    }
    for predicate, query in totals.items():
        add((dataset, predicate, Literal(count.number(query))))
    classes = count.grouped("SELECT (?o AS ?key) (COUNT(DISTINCT ?s) AS ?n) WHERE { $DATA FILTER (?p = rdf:type) } "
                            "GROUP BY ?o")
    properties = count.grouped("SELECT (?p AS ?key) (COUNT(*) AS ?n) WHERE { $DATA } GROUP BY ?p")
    for cls, n in sorted(classes.items()):
        subject = node(f"class/{_name(cls)}")
        add((dataset, VOID.classPartition, subject))
        add((subject, VOID["class"], URIRef(cls)))
        add((subject, VOID.entities, Literal(n)))
    for prop, n in sorted(properties.items()):
        subject = node(f"property/{_name(prop)}")
        add((dataset, VOID.propertyPartition, subject))
        add((subject, VOID.property, URIRef(prop)))
        add((subject, VOID.triples, Literal(n)))
    for prefix in sorted({split[0] for split in map(split_iri, [*classes, *properties]) if split}):
        add((dataset, VOID.vocabulary, URIRef(str(PREFIXES[prefix]))))

    # -- the named graphs --------------------------------------------------------
    of_document = {d.graph: d.iri for d in documents}
    graphs = count.grouped(f"SELECT (?g AS ?key) (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                           f"FILTER (?g != <{record}>) }} GROUP BY ?g")
    for name, n in sorted(graphs.items()):
        subject = URIRef(name)
        add((dataset, VOID.subset, subject))
        add((subject, RDF.type, VOID.Dataset))
        add((subject, VOID.triples, Literal(n)))
        if name in of_document:
            add((subject, PROV.wasDerivedFrom, URIRef(of_document[name])))

    # -- link sets to the UN vocabularies --------------------------------------
    for linkset in settings.linksets:
        target = URIRef(linkset.target) if linkset.target else node(f"target/{linkset.name}")
        if not linkset.target:
            add((target, RDF.type, VOID.Dataset))
            add((target, DCTERMS.title, Literal(linkset.title, lang="en")))
            add((target, VOID.uriSpace, Literal(linkset.uri_space)))
            if linkset.data_dump:
                add((target, VOID.dataDump, URIRef(linkset.data_dump)))
        pattern = linkset.pattern.replace("\\", "\\\\").replace('"', '\\"')
        links = count.grouped(f'SELECT (?p AS ?key) (COUNT(*) AS ?n) WHERE {{ $DATA FILTER (isIRI(?o) && '
                              f'STRSTARTS(STR(?s), "$BASE") && REGEX(STR(?o), "{pattern}")) }} GROUP BY ?p')
        parent = node(f"linkset/{linkset.name}")
        _linkset(add, parent, dataset, target, linkset.title, sum(links.values()))
        for prop, n in sorted(links.items()):
            child = node(f"linkset/{linkset.name}/{_name(prop)}")
            _linkset(add, child, dataset, target, None, n)
            add((child, VOID.linkPredicate, URIRef(prop)))
            add((parent, VOID.subset, child))
    return record, graph


def _linkset(add, subject: URIRef, dataset: URIRef, target: URIRef, title: str | None, triples: int) -> None:
    add((dataset, VOID.subset, subject))
    add((subject, RDF.type, VOID.Linkset))
    add((subject, VOID.subjectsTarget, dataset))
    add((subject, VOID.objectsTarget, target))
    add((subject, VOID.triples, Literal(triples)))
    if title:
        add((subject, DCTERMS.title, Literal(title, lang="en")))


def description_quads(store: pyoxigraph.Store, distributions: list[Distribution],
                      settings: DatasetSettings | None = None) -> list[pyoxigraph.Quad]:
    """The description as pyoxigraph quads in its named graph, ready to go next to the data."""
    record, graph = describe(store, distributions, settings)
    data = graph.serialize(format="nt", encoding="utf-8")
    name = pyoxigraph.NamedNode(str(record))
    return [pyoxigraph.Quad(t.subject, t.predicate, t.object, name)
            for t in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES)]

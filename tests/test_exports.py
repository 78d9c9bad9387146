"""kg export: the Gephi network (GEXF, GraphML, CSV), the RDF exports with their DCAT/VoID
description, the join with the UN vocabularies, and kg publish to a real Oxigraph server."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
from lxml import etree
from networkx.readwrite.gexf import GEXFWriter
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, VOID, XSD

from kg.build.run import build
from kg.errors import KgError
from kg.exports import FORMATS, Exporter, distributions
from kg.exports.config import dataset_settings, network_style
from kg.exports.context import render_context, shipped_context
from kg.exports.network import Projection, project
from kg.exports.publish import Credentials, publish
from kg.namespaces import CONTEXT_IRI, EU_LANGUAGE, GEOAREA, KGO, SDG, SPARQL_PREFIXES
from kg.store.open import open_store
from conftest import ROOT, write_report

BASE = "https://w3id.org/sdg-kg/id/"
DATASET = URIRef(BASE + "dataset")
DESCRIPTION = URIRef(BASE + "graph/dataset")
DOC = URIRef(BASE + "doc/cdip-32-3-zh")
WIPO = BASE + "org/wipo"
GEXF_RNG = ROOT / "tests" / "schemas" / "gexf" / "1.3" / "gexf.rng"
GRAPHML_XSD = ROOT / "tests" / "schemas" / "graphml-1.0" / "graphml.xsd"
VOCAB = ROOT / "data" / "vocab"
ISO3 = URIRef("http://metadata.un.org/sdg/codes/geoArea#iso3code")


def kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def store(built):
    return open_store(built[1])


@pytest.fixture(scope="module")
def build_quads(built) -> list[pyoxigraph.Quad]:
    return list(pyoxigraph.parse(path=str(built[1] / "graph.nq"), format=pyoxigraph.RdfFormat.N_QUADS))


@pytest.fixture(scope="module")
def exporter(store):
    return Exporter(store)


@pytest.fixture(scope="module")
def exported(exporter, tmp_path_factory) -> Path:
    """Every format written once, with the default names."""
    directory = tmp_path_factory.mktemp("exported")
    for name in FORMATS:
        for path, data in exporter.files(name, None, directory):
            path.write_bytes(data)
    return directory


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    results = store.query(SPARQL_PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]


def relations(store, min_weight: int = 1) -> set[tuple[str, str, str]]:
    """(source, relation, target) of every kgo:Relation, read straight from the graph."""
    rows = select(store, f"""SELECT ?s ?t ?o WHERE {{ ?r a kgo:Relation ; kgo:relationSource ?s ;
        kgo:relationType ?t ; kgo:relationTarget ?o ; kgo:weight ?w FILTER (?w >= {min_weight}) }}""")
    return {(r["s"], r["t"].rsplit("#", 1)[1], r["o"]) for r in rows}


# -- the network projection ---------------------------------------------------------------


def test_the_network_has_a_node_per_relation_end_and_an_edge_per_relation(exporter, store):
    graph = exporter.network
    expected = relations(store)
    assert {(u, d["relation"], v) for u, v, d in graph.edges(data=True)} == expected
    assert set(graph.nodes) == {end for s, _, o in expected for end in (s, o)}
    # weights and paragraphs are the relation's own
    weights = {(r["s"], r["o"]): int(r["w"]) for r in select(
        store, "SELECT ?s ?o ?w WHERE { ?r a kgo:Relation ; kgo:relationSource ?s ; kgo:relationTarget ?o ; "
               "kgo:weight ?w }")}
    assert {(u, v): d["weight"] for u, v, d in graph.edges(data=True)} == weights
    assert all(1 <= d["paragraphs"] <= d["weight"] for *_, d in graph.edges(data=True))


def test_node_attributes_come_from_the_graph(exporter):
    graph = exporter.network
    target = graph.nodes[str(SDG["4.3"])]
    assert target["type"] == "target" and target["label"] == "4.3" and target["goal"] == 4
    assert target["label_en"].startswith("By 2030, ensure equal access for all women and men to affordable")
    assert target["label_zh"].startswith("到2030年")  # the UN's Chinese wording of the target (open-sdg), which the KOS lacks
    goal = graph.nodes[str(SDG["4"])]
    assert (goal["type"], goal["label"], goal["goal"], goal["label_zh"]) == (
        "goal", "SDG 4", 4, "确保包容和公平的优质教育，让全民终身享有学习机会")
    wipo = graph.nodes[WIPO]
    assert (wipo["type"], wipo["kind"], wipo["label"], wipo["label_zh"]) == (
        "organisation", "UNBody", "WIPO", "世界知识产权组织")
    countries = [d for _, d in graph.nodes(data=True) if d["type"] == "country"]
    assert countries and all(re.fullmatch(r"[0-9]{3}", d["m49"]) and re.fullmatch(r"[A-Z]{3}", d["iso3"])
                             and d["iri"] == str(GEOAREA[d["m49"]]) for d in countries)
    assert all(d["paragraphs"] >= 1 for _, d in graph.nodes(data=True) if d["type"] == "target")


def test_node_paragraph_counts_are_the_paragraphs_that_mention_the_entity(exporter, store):
    rows = select(store, "SELECT ?p WHERE { ?m kgo:refersTo <http://metadata.un.org/sdg/4.3> ; kgo:inParagraph ?p }")
    assert exporter.network.nodes[str(SDG["4.3"])]["paragraphs"] == len({r["p"] for r in rows}) > 0


def test_projection_options_choose_node_types_and_the_least_weight(store):
    graph = project(store, Projection(types=("programme", "target")))
    assert {d["type"] for _, d in graph.nodes(data=True)} == {"programme", "target"}
    assert {d["relation"] for *_, d in graph.edges(data=True)} == {"contributesTo"}
    heavy = project(store, Projection(min_weight=2))
    assert {(u, d["relation"], v) for u, v, d in heavy.edges(data=True)} == relations(store, min_weight=2)
    assert 0 < heavy.number_of_edges() < len(relations(store))
    chinese = project(store, Projection(label_language="zh"))
    countries = [d for _, d in chinese.nodes(data=True) if d["type"] == "country"]
    assert countries and all(d["label"] == d["label_zh"] for d in countries)
    assert chinese.nodes[WIPO]["label"] == "WIPO"  # an acronym, in either language
    with pytest.raises(KgError, match="unknown node type"):
        project(store, Projection(types=("programme", "planet")))
    with pytest.raises(KgError, match="at least 1"):
        project(store, Projection(min_weight=0))


# -- GEXF, GraphML, CSV -----------------------------------------------------------------------


def test_gexf_validates_against_the_gexf_1_3_schema(exported):
    schema = etree.RelaxNG(etree.parse(str(GEXF_RNG)))
    document = etree.parse(str(exported / "network.gexf"))
    assert schema.validate(document), schema.error_log
    root = document.getroot()
    assert root.get("version") == "1.3"
    meta = root.find("{http://gexf.net/1.3}meta")
    assert meta.get("lastmodifieddate") == "2024-03-20"  # the report's date, not today's
    assert meta.findtext("{http://gexf.net/1.3}creator").startswith("kg ")


def test_inferred_edges_come_only_when_asked_and_flagged(store):
    from kg.exports.gephi import gexf
    from kg.exports.network import Projection, project

    plain = project(store)
    assert all("inferred" not in data for *_, data in plain.edges(data=True))
    both = project(store, Projection(inferred=True))
    inferred = [(u, v, d) for u, v, d in both.edges(data=True) if d["inferred"]]
    assert inferred and len(both.edges) == len(plain.edges) + len(inferred)
    for u, v, data in inferred:
        assert data["relation"] == "addresses" and not plain.has_edge(u, v)
        assert both.nodes[v]["type"] in ("goal", "target") and data["weight"] >= 1
    assert all(not d["inferred"] for u, v, d in both.edges(data=True) if plain.has_edge(u, v))
    schema = etree.RelaxNG(etree.parse(str(GEXF_RNG)))
    assert schema.validate(etree.fromstring(gexf(both))), schema.error_log


def test_networkx_own_gexf_does_not_validate(exporter):
    """Why kg mends networkx's output: as written, GEXF 1.3 from networkx fails the schema."""
    schema = etree.RelaxNG(etree.parse(str(GEXF_RNG)))
    writer = GEXFWriter(version="1.3")
    writer.add_graph(exporter.network)
    assert not schema.validate(etree.fromstring(str(writer).encode("utf-8")))
    assert any("name" in str(e) or "schemaLocation" in str(e) for e in schema.error_log)


def test_gexf_reads_back_in_networkx_with_every_node_edge_and_attribute(exporter, exported):
    original = exporter.network
    read = nx.read_gexf(exported / "network.gexf")
    assert (read.number_of_nodes(), read.number_of_edges()) == (original.number_of_nodes(),
                                                                original.number_of_edges())
    for node, data in original.nodes(data=True):
        back = dict(read.nodes[node])
        back.pop("viz")
        assert back == data, node
    assert read.nodes[str(SDG["4"])]["label_zh"] == "确保包容和公平的优质教育，让全民终身享有学习机会"
    assert read.nodes[WIPO]["label_zh"] == "世界知识产权组织"
    for u, v, data in original.edges(data=True):
        back = read.edges[u, v]
        assert (back["id"], back["relation"], back["weight"], back["paragraphs"]) == (
            data["id"], data["relation"], float(data["weight"]), data["paragraphs"])


def test_gexf_colours_nodes_by_type_and_sizes_them_by_degree(exporter, exported):
    style = network_style()
    colours = {t.name: t.colour for t in style.types}
    read = nx.read_gexf(exported / "network.gexf")
    degree = dict(exporter.network.degree())
    for node, data in read.nodes(data=True):
        viz = data["viz"]
        assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == colours[data["type"]]
    sizes = {n: d["viz"]["size"] for n, d in read.nodes(data=True)}
    by_degree = sorted(read.nodes, key=lambda n: degree[n])
    assert [sizes[n] for n in by_degree] == sorted(sizes.values())
    assert sizes[by_degree[0]] == style.min_size and sizes[by_degree[-1]] == style.max_size
    assert max(degree, key=degree.get) == WIPO


def test_graphml_validates_against_the_graphml_1_0_schema(exported):
    schema = etree.XMLSchema(etree.parse(str(GRAPHML_XSD)))
    document = etree.parse(str(exported / "network.graphml"))
    assert schema.validate(document), [f"{e.line}: {e.message}" for e in schema.error_log][:5]
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = document.findall("g:key", ns)
    # A node attribute and an edge attribute of the same name are two keys with two ids.
    assert len({k.get("id") for k in keys}) == len(keys)
    assert {k.get("for") for k in keys if k.get("attr.name") == "paragraphs"} == {"node", "edge"}
    ids = [n.get("id") for n in document.iterfind(".//g:node", ns)]
    assert "sdg:4.4" in ids and "geo:152" in ids and "kg:org.wipo" in ids


def test_graphml_reads_back_with_the_same_nodes_edges_and_attributes(exporter, exported):
    original = exporter.network
    read = nx.read_graphml(exported / "network.graphml")
    # Node ids are NMTOKENs; the IRI, the projection's node, is the iri attribute.
    by_iri = nx.relabel_nodes(read, {n: d["iri"] for n, d in read.nodes(data=True)})
    assert dict(by_iri.nodes(data=True)) == dict(original.nodes(data=True))
    assert {(u, v): d for u, v, d in by_iri.edges(data=True)} == {(u, v): d for u, v, d in original.edges(data=True)}
    assert read.is_directed()


def test_csv_pair_has_a_row_per_node_and_per_edge(exporter, exported):
    original = exporter.network
    with (exported / "network-nodes.csv").open(encoding="utf-8", newline="") as stream:
        nodes = list(csv.DictReader(stream))
    with (exported / "network-edges.csv").open(encoding="utf-8", newline="") as stream:
        edges = list(csv.DictReader(stream))
    assert [row["Id"] for row in nodes] == list(original.nodes)
    wipo = next(row for row in nodes if row["Id"] == WIPO)
    assert (wipo["Label"], wipo["type"], wipo["label_zh"], wipo["goal"]) == ("WIPO", "organisation", "世界知识产权组织", "")
    assert [(row["Source"], row["Target"]) for row in edges] == list(original.edges)
    assert all(row["Type"] == "Directed" for row in edges)
    assert [int(row["Weight"]) for row in edges] == [d["weight"] for *_, d in original.edges(data=True)]


# -- RDF exports --------------------------------------------------------------------------------


def test_nq_export_is_the_build_plus_the_description_graph(build_quads, exported):
    lines = (exported / "dataset.nq").read_bytes().splitlines()
    assert lines == sorted(set(lines))
    exported_quads = set(pyoxigraph.parse(path=str(exported / "dataset.nq"), format=pyoxigraph.RdfFormat.N_QUADS))
    extra = exported_quads - set(build_quads)
    assert set(build_quads) <= exported_quads
    assert extra and {q.graph_name.value for q in extra} == {str(DESCRIPTION)}


def test_ttl_export_holds_the_distinct_triples_of_all_graphs(exported):
    quads = pyoxigraph.Store()
    quads.load(path=str(exported / "dataset.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    triples = {q.triple for q in quads}
    parsed = {q.triple for q in pyoxigraph.parse(path=str(exported / "dataset.ttl"), format=pyoxigraph.RdfFormat.TURTLE)}
    assert parsed == triples


def test_jsonld_uses_the_shipped_context_and_holds_the_same_quads(exported):
    document = json.loads((exported / "dataset.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == CONTEXT_IRI
    document["@context"] = shipped_context()  # what a processor fetches from CONTEXT_IRI
    dataset = Dataset()
    dataset.parse(data=json.dumps(document), format="json-ld")
    back = {line for line in dataset.serialize(format="nquads", encoding="utf-8").splitlines() if line.strip()}
    assert back == set((exported / "dataset.nq").read_bytes().splitlines())
    text = (exported / "dataset.jsonld").read_text(encoding="utf-8")
    assert '"citesTarget"' in text and '"@type": "Paragraph"' in text  # compacted with the context's terms


def test_the_shipped_context_is_generated_from_the_ontology():
    assert (ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8") == render_context(), \
        "ontology/context.jsonld is stale: run `kg docs`"
    context = shipped_context()
    assert context["citesTarget"] == {"@id": "kgo:citesTarget", "@type": "@id"}
    assert context["weight"] == {"@id": "kgo:weight", "@type": "xsd:integer"}
    assert context["text"] == "kgo:text"  # a language-tagged string: no coercion


def test_exports_are_deterministic(built, exported, tmp_path):
    """Another process, with another hash seed, writes the same bytes."""
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    for name, file in (("jsonld", "dataset.jsonld"), ("gexf", "network.gexf")):
        done = kg("export", "--format", name, "--from", str(built[1]), "--out", str(tmp_path / file), env=env)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / file).read_bytes() == (exported / file).read_bytes(), name


def test_no_blank_nodes_in_any_rdf_export(exported):
    for name in ("dataset.nq", "dataset.ttl", "dataset-description.ttl"):
        fmt = pyoxigraph.RdfFormat.from_extension(name.rsplit(".", 1)[1])
        for item in pyoxigraph.parse(path=str(exported / name), format=fmt):
            assert not any(isinstance(t, pyoxigraph.BlankNode) for t in (item.subject, item.object)), (name, item)


# -- the dataset description (DCAT, VoID) --------------------------------------------------------


@pytest.fixture(scope="module")
def description(exported) -> Graph:
    return Graph().parse(exported / "dataset-description.ttl", format="turtle")


def test_dcat_dataset_has_what_a_catalogue_needs(description, store):
    g = description
    assert (DATASET, RDF.type, DCAT.Dataset) in g and (DATASET, RDF.type, VOID.Dataset) in g
    settings = dataset_settings()
    assert g.value(DATASET, DCTERMS.license) == URIRef(settings.licence)
    assert {str(t) for t in g.objects(DATASET, DCTERMS.title)} == set(settings.title.values())
    publisher = g.value(DATASET, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Organization) in g and g.value(publisher, FOAF.name) is not None
    report_date = Literal("2024-03-20", datatype=XSD.date)
    assert g.value(DATASET, DCTERMS.issued) == g.value(DATASET, DCTERMS.modified) == report_date
    assert set(g.objects(DATASET, DCTERMS.language)) == {EU_LANGUAGE.ZHO}
    assert set(g.objects(DATASET, PROV.wasDerivedFrom)) == {DOC}
    mentioned = {r["o"] for r in select(store, "SELECT DISTINCT ?o WHERE { ?p kgo:mentionsCountry|kgo:mentionsRegion ?o }")}
    assert {str(o) for o in g.objects(DATASET, DCTERMS.spatial)} == mentioned
    assert all(str(o).startswith(str(GEOAREA)) for o in g.objects(DATASET, DCTERMS.spatial))
    period = g.value(DATASET, DCTERMS.temporal)
    assert isinstance(period, URIRef) and (period, RDF.type, DCTERMS.PeriodOfTime) in g
    dates = select(store, "SELECT (MIN(?s) AS ?first) (MAX(?e) AS ?last) WHERE { ?a kgo:startDate ?s ; kgo:endDate ?e }")[0]
    assert (str(g.value(period, DCAT.startDate)), str(g.value(period, DCAT.endDate))) == (dates["first"], dates["last"])
    goals = {r["g"] for r in select(store, "SELECT DISTINCT ?g WHERE { ?g a <http://metadata.un.org/sdg/ontology#Goal> }")}
    assert {str(t) for t in g.objects(DATASET, DCAT.theme)} == goals


DCAT_AP = ROOT / "tests" / "schemas" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"


def dcat_ap_shapes() -> Graph:
    """The official DCAT-AP 3.0.1 shapes, less two references to shapes only its ranges.ttl defines
    (tests/schemas/dcat-ap-3.0.1/README.md): pySHACL stops on them at any dcat:DataService."""
    from rdflib.namespace import SH

    shapes = Graph().parse(DCAT_AP, format="turtle")
    for shape, prop in list(shapes.subject_objects(SH.property)):
        if next(shapes.predicate_objects(prop), None) is None:
            shapes.remove((shape, SH.property, prop))
    return shapes


def test_the_description_conforms_to_dcat_ap_3(description, mixed):
    import pyshacl

    shapes = dcat_ap_shapes()
    for graph in (description, Graph().parse(data=Exporter(open_store(mixed[1])).render("dcat")[0], format="turtle")):
        conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=False)
        assert conforms, text[:3000]
    g = description
    # Every value is typed with the class DCAT-AP expects of it.
    for subject, predicate, cls in ((DATASET, DCTERMS.spatial, DCTERMS.Location), (DATASET, DCTERMS.license,
                                    DCTERMS.LicenseDocument), (DATASET, DCTERMS.language, DCTERMS.LinguisticSystem),
                                    (DATASET, DCTERMS.conformsTo, DCTERMS.Standard), (DATASET, DCAT.theme, SKOS.Concept)):
        values = set(g.objects(subject, predicate))
        assert values and all((v, RDF.type, cls) in g for v in values), (predicate, cls)
    for distribution in g.objects(DATASET, DCAT.distribution):
        assert (g.value(distribution, DCTERMS.format), RDF.type, DCTERMS.MediaTypeOrExtent) in g
    publisher = g.value(DATASET, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in g and (g.value(publisher, DCTERMS.type), RDF.type, SKOS.Concept) in g
    # A report is a document, not a dataset: the sources are prov:wasDerivedFrom, never dct:source.
    assert list(g.triples((None, DCTERMS.source, None))) == []


def test_the_catalogue_its_record_and_the_sparql_service(description, store):
    g = description
    catalog = URIRef(BASE + "dataset/catalog")
    record = URIRef(BASE + "graph/dataset")
    service = URIRef(BASE + "dataset/service/sparql")
    endpoint = URIRef(BASE + "sparql")  # dataset.toml's sparql_endpoint is empty: {base}sparql
    assert (catalog, RDF.type, DCAT.Catalog) in g
    assert (g.value(catalog, DCAT.dataset), g.value(catalog, DCAT.record), g.value(catalog, DCAT.service)) == (
        DATASET, record, service)
    assert (record, RDF.type, DCAT.CatalogRecord) in g and g.value(record, FOAF.primaryTopic) == DATASET
    assert g.value(record, DCTERMS.modified) == Literal("2024-03-20", datatype=XSD.date)
    assert (service, RDF.type, DCAT.DataService) in g and g.value(service, DCAT.servesDataset) == DATASET
    assert g.value(service, DCAT.endpointURL) == g.value(DATASET, VOID.sparqlEndpoint) == endpoint
    assert re.match(r"^\w+:(/?/?)[^\s]+$", str(endpoint))  # what the left-out range check of DCAT-AP asks
    # The link set's code list points at its Turtle file, not at a web page about it.
    dump = g.value(URIRef(BASE + "dataset/target/sdg-geoarea"), VOID.dataDump)
    assert str(dump).startswith("https://raw.githubusercontent.com/") and str(dump).endswith(".ttl")


def test_the_sparql_endpoint_is_a_setting(store, tmp_path, monkeypatch):
    import dataclasses

    from kg.exports.description import describe

    settings = dataclasses.replace(dataset_settings(), sparql_endpoint="https://example.org/kg/sparql")
    _, g = describe(store, distributions(), settings)
    endpoint = URIRef("https://example.org/kg/sparql")
    assert g.value(DATASET, VOID.sparqlEndpoint) == endpoint
    assert g.value(URIRef(BASE + "dataset/service/sparql"), DCAT.endpointURL) == endpoint


def test_one_distribution_per_export_file_with_media_type_and_licence(description):
    g = description
    found = {str(d).rsplit("/", 1)[1]: d for d in g.objects(DATASET, DCAT.distribution)}
    assert sorted(found) == sorted(d.key for d in distributions())
    assert set(found) == set(dataset_settings().distributions)
    iana = "http://www.iana.org/assignments/media-types/"
    expected = {"nq": "application/n-quads", "ttl": "text/turtle", "jsonld": "application/ld+json",
                "csv-nodes": "text/csv", "csv-edges": "text/csv"}
    for key, node in found.items():
        assert (node, RDF.type, DCAT.Distribution) in g
        assert g.value(node, DCTERMS.license) is not None and g.value(node, DCTERMS.format) is not None
        assert g.value(node, DCAT.downloadURL) == g.value(node, DCAT.accessURL) == URIRef(
            BASE + "dump/" + next(d.file for d in distributions() if d.key == key))
        media = g.value(node, DCAT.mediaType)
        assert (str(media) if media else None) == (iana + expected[key] if key in expected else None)
    assert str(g.value(found["gexf"], DCTERMS.conformsTo)) == "http://gexf.net/1.3"


def test_void_statistics_are_counted_from_the_graph(description, build_quads):
    g = description
    triples = {(str(q.subject.value), str(q.predicate.value), q.object) for q in build_quads}
    number = lambda p: int(g.value(DATASET, p))  # noqa: E731
    rdf_type = str(RDF.type)
    assert number(VOID.triples) == len(triples)
    assert number(VOID.properties) == len({p for _, p, _ in triples})
    assert number(VOID.classes) == len({o for _, p, o in triples if p == rdf_type})
    assert number(VOID.distinctSubjects) == len({s for s, _, _ in triples})
    assert number(VOID.entities) == len({s for s, _, _ in triples if s.startswith(BASE)})
    partitions = {str(g.value(n, VOID["class"])): int(g.value(n, VOID.entities))
                  for n in g.objects(DATASET, VOID.classPartition)}
    paragraph = pyoxigraph.NamedNode(str(KGO.Paragraph))
    assert partitions[str(KGO.Paragraph)] == len({s for s, p, o in triples if p == rdf_type and o == paragraph})
    properties = {str(g.value(n, VOID.property)): int(g.value(n, VOID.triples))
                  for n in g.objects(DATASET, VOID.propertyPartition)}
    assert properties == dict(Counter(p for _, p, _ in triples))
    graphs = {str(s): int(g.value(s, VOID.triples)) for s in g.objects(DATASET, VOID.subset)
              if (s, RDF.type, VOID.Dataset) in g}
    assert graphs == dict(Counter(q.graph_name.value for q in build_quads))
    assert g.value(URIRef(BASE + "graph/cdip-32-3-zh"), PROV.wasDerivedFrom) == DOC


def test_linksets_to_the_sdg_kos_and_the_geoarea_code_list(description, build_quads):
    g = description
    triples = {(q.subject.value, q.predicate.value, q.object) for q in build_quads}
    un_void = Graph().parse(VOCAB / "lod4stats-void.ttl", format="turtle")
    for linkset in dataset_settings().linksets:
        node = URIRef(f"{BASE}dataset/linkset/{linkset.name}")
        assert (node, RDF.type, VOID.Linkset) in g and g.value(node, VOID.subjectsTarget) == DATASET
        target = g.value(node, VOID.objectsTarget)
        pattern = re.compile(linkset.pattern)
        links = Counter(p for s, p, o in triples if isinstance(o, pyoxigraph.NamedNode) and s.startswith(BASE)
                        and pattern.search(o.value))
        assert int(g.value(node, VOID.triples)) == sum(links.values()) > 0
        by_predicate = {str(g.value(c, VOID.linkPredicate)): int(g.value(c, VOID.triples))
                        for c in g.objects(node, VOID.subset)}
        assert by_predicate == dict(links)
        if linkset.name == "sdg-kos":  # the UN's own VoID dataset: the descriptions join
            assert (target, RDF.type, VOID.Dataset) in un_void
            assert {str(KGO.citesTarget), str(KGO.contributesTo)} <= set(by_predicate)
        else:
            assert str(g.value(target, VOID.uriSpace)) == str(GEOAREA)
            assert {str(KGO.mentionsCountry), str(KGO.activeIn)} <= set(by_predicate)


def test_the_description_of_a_mixed_build_lists_reports_and_articles_and_their_languages(mixed):
    store = open_store(mixed[1])
    documents = select(store, """SELECT ?doc ?date WHERE { GRAPH ?g { ?doc a ?kind OPTIONAL { ?doc dct:date ?date }
        VALUES ?kind { kgo:Report kgo:Article } } }""")
    assert {r["doc"] for r in documents} >= {BASE + "doc/wipo-academy-news-2022-11-03-en", str(DOC)}
    exporter = Exporter(store)
    g = Graph().parse(data=exporter.render("dcat")[0], format="turtle")
    assert {str(o) for o in g.objects(DATASET, PROV.wasDerivedFrom)} == {r["doc"] for r in documents}
    dates = sorted(r["date"] for r in documents if "date" in r)
    assert (str(g.value(DATASET, DCTERMS.issued)), str(g.value(DATASET, DCTERMS.modified))) == (dates[0], dates[-1])
    assert set(g.objects(DATASET, DCTERMS.language)) == {EU_LANGUAGE.ZHO, EU_LANGUAGE.ENG}
    schema = etree.RelaxNG(etree.parse(str(GEXF_RNG)))
    assert schema.validate(etree.fromstring(exporter.render("gexf")[0]))


# -- joining with the UN vocabularies ------------------------------------------------------------


def test_export_joins_the_un_sdg_kos_and_code_list_without_mapping(exported, store):
    """Our export and the two UN files in one store: the English labels of the targets the
    default report's programmes contribute to come from the SDG KOS, the ISO codes of the
    countries they are active in from the SDG code list, for every target and country we link."""
    joined = pyoxigraph.Store()
    joined.load(path=str(exported / "dataset.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    kos, codes = pyoxigraph.NamedNode("urn:un:sdg-kos"), pyoxigraph.NamedNode("urn:un:sdg-codes")
    joined.load(path=str(VOCAB / "lod4stats-sdg-kos-goals-targets-indicators.ttl"),
                format=pyoxigraph.RdfFormat.TURTLE, to_graph=kos)
    joined.load(path=str(VOCAB / "lod4stats-sdg-codes.ttl"), format=pyoxigraph.RdfFormat.TURTLE, to_graph=codes)
    query = f"""PREFIX kgo: <https://w3id.org/sdg-kg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX sdgo: <http://metadata.un.org/sdg/ontology#>
        SELECT ?programme ?target ?label ?country ?iso WHERE {{
          GRAPH ?g {{ ?programme a kgo:Programme }}
          {{ GRAPH ?r {{ ?programme kgo:contributesTo ?target }}
             GRAPH {kos} {{ ?target a sdgo:Target ; skos:prefLabel ?label FILTER (lang(?label) = "en") }} }}
          UNION
          {{ GRAPH ?r {{ ?programme kgo:activeIn ?country }} GRAPH ?geo {{ ?country a kgo:Country }}
             GRAPH {codes} {{ ?country <http://metadata.un.org/sdg/codes/geoArea#iso3code> ?iso }} }}
        }}"""
    rows = list(joined.query(query))
    targets: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        if r["target"] is not None:
            targets.setdefault((r["programme"].value, r["target"].value), set()).add(r["label"].value)
    countries = {(r["programme"].value, r["country"].value): r["iso"].value for r in rows if r["country"] is not None}

    linked_targets = {(r["p"], r["t"]) for r in select(
        store, "SELECT ?p ?t WHERE { ?p a kgo:Programme ; kgo:contributesTo ?t . ?t a <http://metadata.un.org/sdg/ontology#Target> }")}
    linked_countries = {(r["p"], r["c"]): r["iso"] for r in select(
        store, "SELECT ?p ?c ?iso WHERE { ?p a kgo:Programme ; kgo:activeIn ?c . ?c a kgo:Country ; skos:notation ?iso }")}
    assert linked_targets and linked_countries
    assert set(targets) == linked_targets  # a row for every target a programme contributes to
    assert countries == linked_countries  # and every country, with the ISO code we give it
    un_kos = Graph().parse(VOCAB / "lod4stats-sdg-kos-goals-targets-indicators.ttl", format="turtle")
    for (_, target), labels in targets.items():  # the UN's own labels (12.3 has two in the KOS)
        assert labels == {str(o) for o in un_kos.objects(URIRef(target), SKOS.prefLabel) if o.language == "en"}
    assert next(iter(targets[next(k for k in targets if k[1] == str(SDG["4.3"]))])).startswith(
        "By 2030, ensure equal access")
    assert len(rows) == sum(map(len, targets.values())) + len(countries)  # no mapping, no duplicates


# -- kg build --export and the command line -----------------------------------------------------


def test_merged_with_the_un_code_lists_no_skos_label_clash(built):
    """Loaded with the UN's own files (the SDG KOS, its goals as metadata.un.org serves them, the SDG code
    list), what kg says about the UN's IRIs adds no second skos:prefLabel in a language (SKOS S14), no
    alternative label that is a preferred one (S13), and the M49 codes as the UN writes them."""
    from collections import defaultdict

    un = Graph()
    for name in ("lod4stats-sdg-kos-goals-targets-indicators.ttl", "issa-sdgs-metadata-goals.ttl",
                 "lod4stats-sdg-codes.ttl"):
        un.parse(VOCAB / name, format="turtle")
    dataset = Dataset()
    dataset.parse(built[1] / "graph.nq", format="nquads")
    ours = Graph()
    for s, p, o, _ in dataset.quads():
        ours.add((s, p, o))
    merged = un + ours

    def labels(graph, predicate):
        found = defaultdict(set)
        for s, o in graph.subject_objects(predicate):
            if str(s).startswith("http://metadata.un.org/"):
                found[(s, o.language)].add(str(o))
        return found

    theirs, together = labels(un, SKOS.prefLabel), labels(merged, SKOS.prefLabel)
    described = {s for s in ours.subjects() if str(s).startswith("http://metadata.un.org/")}
    assert len(described) > 100
    clashes = {key: names for key, names in together.items() if len(names) > 1 and len(theirs.get(key, ())) < len(names)}
    assert clashes == {}  # (the UN's own: target 12.3 has two English labels in the KOS; not kg's doing)
    for (subject, language), names in labels(ours, SKOS.altLabel).items():
        assert not names & together.get((subject, language), set()), (subject, language)
    # Our names stay, as alternative labels where the UN prefers another (Türkiye; 中国 for 中华人民共和国).
    turkey = GEOAREA["792"]
    assert (turkey, SKOS.prefLabel, Literal("Turkey", lang="en")) in ours
    assert (turkey, SKOS.altLabel, Literal("Türkiye", lang="en")) in ours
    # M49 codes as the UN's code list writes them ("76", not "076"; the IRI keeps geoArea/076).
    m49 = URIRef("http://metadata.un.org/sdg/codes/geoArea#m49code")
    codes = {s: str(o) for s, o in ours.subject_objects(KGO.m49Code)}
    assert codes[GEOAREA["076"]] == "76"
    for place, code in codes.items():
        for written in un.objects(place, m49):
            assert str(written) == code, place
    # The country groups the UN's lists lack are kg's own IRIs in the geoArea pattern (docs/exports.md).
    groups = {GEOAREA["199"], GEOAREA["432"], GEOAREA["722"]}
    for group in groups & described:
        assert not set(un.predicate_objects(group)) and (group, RDF.type, KGO.CountryGroup) in ours
        assert {o.language for o in ours.objects(group, SKOS.prefLabel)} == {"en", "zh"}
    text = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    assert all(f"geoArea/{code}" in text for code in ("199", "432", "722"))


def test_build_export_writes_the_same_files_as_kg_export(tmp_path):
    report = write_report(tmp_path, ["1. WIPO学院与联合国教科文组织合作，在智利举办了讲习班，促进实现具体目标 4.3。"])
    out = tmp_path / "out"
    result = build([report], out, exports=["gexf", "dcat"])
    assert [p.name for p in result.outputs][-2:] == ["network.gexf", "dataset-description.ttl"]
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["outputs"][-2:] == [
        "network.gexf", "dataset-description.ttl"]
    again = Exporter(open_store(out))
    assert (out / "network.gexf").read_bytes() == again.render("gexf")[0]
    assert (out / "dataset-description.ttl").read_bytes() == again.render("dcat")[0]
    network = nx.read_gexf(out / "network.gexf")
    assert network.has_edge(str(URIRef(BASE + "programme/wipo-academy")), str(SDG["4.3"]))


def test_cli_export_and_its_errors(built, tmp_path):
    out = tmp_path / "net.csv"
    done = kg("export", "--format", "csv", "--from", str(built[1]), "--out", str(out),
              "--node-types", "programme,goal,target", "--min-weight", "2")
    assert done.returncode == 0, done.stderr
    with (tmp_path / "net-edges.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert rows and all(row["relation"] == "contributesTo" and int(row["Weight"]) >= 2 for row in rows)
    assert not out.exists()

    bad = kg("export", "--format", "pdf", "--from", str(built[1]))
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "'pdf' is unknown" in bad.stderr
    bad = kg("export", "--format", "gexf", "--node-types", "planet", "--from", str(built[1]), "--out", str(tmp_path / "x.gexf"))
    assert bad.returncode == 2 and "unknown node type(s) planet" in bad.stderr and not (tmp_path / "x.gexf").exists()
    bad = kg("publish", "--endpoint", "http://127.0.0.1:9/store", "--from", str(built[1]), "--token-env", "KG_NO_SUCH")
    assert bad.returncode == 2 and "KG_NO_SUCH holds no token" in bad.stderr
    bad = kg("build", "--export", "pdf", "--out", str(tmp_path / "never"))
    assert bad.returncode == 2 and "'pdf' is unknown" in bad.stderr and not (tmp_path / "never").exists()


# -- kg publish ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


@pytest.fixture()
def oxigraph_server(tmp_path):
    beside = Path(sys.executable).parent / "oxigraph"
    binary = beside if beside.exists() else shutil.which("oxigraph")
    assert binary, "the oxigraph server (PyPI package oxigraph, in the test extras) is not installed"
    port = free_port()
    server = subprocess.Popen([str(binary), "serve", "--location", str(tmp_path / "store"),
                               "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def served_quads(server: str) -> list[bytes]:
    request = urllib.request.Request(f"{server}/store", headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return [line for line in response.read().splitlines() if line.strip()]


def test_publish_twice_to_oxigraph_leaves_exactly_our_graph_once(built, exporter, oxigraph_server):
    planned = publish(exporter.quads(), f"{oxigraph_server}/store", dry_run=True)
    assert {s.status for s in planned} == {None} and served_quads(oxigraph_server) == []
    assert sum(s.triples for s in planned) == len(exporter.quads())
    for _ in range(2):
        done = kg("publish", "--endpoint", f"{oxigraph_server}/store", "--from", str(built[1]))
        assert done.returncode == 0, done.stderr
    served = served_quads(oxigraph_server)
    expected = exporter.render("nq")[0].splitlines()
    assert sorted(served) == expected  # every quad of the export, each once, in its named graph
    query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    request = urllib.request.Request(f"{oxigraph_server}/query?{query}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        count = json.loads(response.read())["results"]["bindings"][0]["n"]["value"]
    assert int(count) == len(expected)
    with pytest.raises(KgError, match="HTTP 404"):
        publish(exporter.quads(), f"{oxigraph_server}/nothing-here")


class _Recorder(BaseHTTPRequestHandler):
    """A Graph Store stand-in that wants a bearer token and records what it is sent."""

    seen: list[tuple[str, str | None, str | None, int]] = []

    def do_PUT(self):  # noqa: N802 (the http.server API)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((self.path, self.headers.get("Authorization"), self.headers.get("Content-Type"),
                                len(body.splitlines())))
        ok = self.headers.get("Authorization") in ("Bearer s3cret", "Basic dXNlcjpwYXNz")
        self.send_response(204 if ok else 401, None if ok else "Unauthorized")
        if not ok:
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
        self.end_headers()

    def log_message(self, *args):
        pass


def test_publish_authenticates_with_a_bearer_token_or_basic_credentials(exporter):
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_port}/store"
    graph = BASE + "graph/geo"
    try:
        with pytest.raises(KgError, match="HTTP 401"):
            publish(exporter.quads(), endpoint, [graph])
        sent = publish(exporter.quads(), endpoint, [graph], Credentials(token="s3cret"))
        assert [(s.graph, s.status) for s in sent] == [(graph, 204)]
        # User credentials go only once the server asks for them, in the scheme it names.
        publish(exporter.quads(), endpoint, [graph], Credentials(user="user", password="pass"), warn=lambda m: None)
    finally:
        server.shutdown()
    assert [a for _, a, _, _ in _Recorder.seen] == [None, "Bearer s3cret", None, "Basic dXNlcjpwYXNz"]
    assert {p for p, *_ in _Recorder.seen} == {"/store?graph=https%3A%2F%2Fw3id.org%2Fsdg-kg%2Fid%2Fgraph%2Fgeo"}
    assert {t for _, _, t, _ in _Recorder.seen} == {"application/n-triples"}
    geo = sum(1 for q in exporter.quads() if q.graph_name.value == graph)
    assert {n for *_, n in _Recorder.seen} == {geo}  # one N-Triples line per triple of the graph
    with pytest.raises(KgError, match="not both"):
        Credentials(user="u", password="p", token="t").header()
    with pytest.raises(KgError, match="password is needed"):
        Credentials(user="u").header()
    with pytest.raises(KgError, match="no such named graph"):
        publish(exporter.quads(), endpoint, ["http://example.org/nothing"])

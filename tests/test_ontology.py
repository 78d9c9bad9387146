"""The ontology parses, documents every term, and matches what kg publishes."""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.build.run import build
from kg.namespaces import KGO
from kg.resources import shipped
from conftest import write_report

KGO_NS = str(KGO._NS)
TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDFS.Datatype, OWL.NamedIndividual}


def ontology() -> Graph:
    return Graph().parse(shipped("ontology") / "kg.ttl", format="turtle")


def used_terms(dataset: Dataset) -> set[URIRef]:
    used = set()
    for s, p, o, _ in dataset.quads():
        used.add(p)
        if p == RDF.type:
            used.add(o)
        if isinstance(o, Literal) and o.datatype and not str(o.datatype).startswith(str(XSD)):
            used.add(o.datatype)
        if isinstance(o, URIRef) and str(o).startswith(KGO_NS):
            used.add(o)  # method individuals
    return used


def test_metadata_and_labels():
    graph = ontology()
    onto = URIRef("https://w3id.org/sdg-kg/ontology")
    assert (onto, RDF.type, OWL.Ontology) in graph
    for predicate in (OWL.versionInfo, OWL.versionIRI, URIRef("http://purl.org/dc/terms/license"),
                      URIRef("http://purl.org/dc/terms/creator"),
                      URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")):
        assert graph.value(onto, predicate) is not None, predicate
    for term in {s for s in graph.subjects() if str(s).startswith(KGO_NS)}:
        for predicate in (RDFS.label, RDFS.comment):
            languages = {o.language for o in graph.objects(term, predicate)}
            assert {"en", "zh"} <= languages, (term, predicate)
        kinds = set(graph.objects(term, RDF.type))
        assert kinds & TERM_TYPES, term
        if kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}:
            assert graph.value(term, RDFS.domain) is not None and graph.value(term, RDFS.range) is not None, term


def test_own_classes_and_properties_are_aligned_to_established_vocabularies():
    graph = ontology()
    own = {s for s in graph.subjects() if str(s).startswith(KGO_NS)}
    classes = [t for t in own if (t, RDF.type, OWL.Class) in graph]
    outside = [c for c in classes
               if not any(not str(parent).startswith(KGO_NS) for parent in graph.transitive_objects(c, RDFS.subClassOf))]
    assert outside == [KGO.UnregisteredEntity]  # a status of our registry, with nothing to specialise


def test_the_python_namespace_declares_exactly_the_ontologys_terms():
    declared = {str(s)[len(KGO_NS):] for s in ontology().subjects() if str(s).startswith(KGO_NS)}
    assert declared == set(KGO.__annotations__)


def test_every_term_kg_publishes_is_declared_and_every_declared_term_is_published(built, mixed, tmp_path,
                                                                                   monkeypatch):
    graph = ontology()
    # The default report, and a report with an organisation the registry lacks
    # and its acronym reused (name-form and acronym-reuse mentions); the mixed
    # folder has articles, a bilingual text and two editions of one report.
    # (and a classification and a service WIPO runs, which the default report does not name).
    # That report is built as where no SDG classifier is installed: its inferred links name the lexicon alone.
    other = write_report(tmp_path, ["1. 与加勒比可持续发展研究协会（CSDRA）合作。", "2. CSDRA 又组织了讲习班。",
                                    "3. 讲习班介绍了国际专利分类和产权组织数字查询服务。",
                                    "4. 讲习班帮助农村妇女和小农户利用地理标志提高农业生产率和收入，减少贫困。"])
    monkeypatch.setattr("kg.inference.classifier.load_classifier", lambda language: None)
    build([other], tmp_path / "out")
    monkeypatch.undo()
    used = set()
    for out in (built[1], tmp_path / "out", mixed[1]):
        dataset = Dataset()
        dataset.parse(out / "graph.nq", format="nquads")
        used |= used_terms(dataset)

    declared = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    undeclared = sorted(str(t) for t in used - declared if t != RDF.type)
    assert undeclared == []

    abstract = set()
    for term in used:
        abstract |= set(graph.transitive_objects(term, RDFS.subClassOf))
        abstract |= set(graph.objects(term, RDF.type))  # the class of a used individual
        abstract |= set(graph.objects(term, OWL.inverseOf))  # stated one way, declared both for reasoners
    unused = sorted(str(t)[len(KGO_NS):] for t in declared - used - abstract if str(t).startswith(KGO_NS))
    assert unused == []


def test_the_model_page_is_generated_from_the_ontology():
    from kg.exports.model_page import render_model_page
    from conftest import ROOT

    assert (ROOT / "docs" / "model.md").read_text(encoding="utf-8") == render_model_page(), \
        "docs/model.md is stale: run `kg docs`"

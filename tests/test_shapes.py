"""Every shape has a graph that must pass and one that must fail for the reason the shape exists.

``tests/shapes/valid.ttl`` conforms; each case below changes it with a SPARQL
Update so that exactly one shape is violated (the W3C SHACL test-suite habit).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from kg.knowledge.sdg import load_sdg_registry
from kg.shacl.engines import validate_graph
from kg.shacl.shapes import load_shapes

HERE = Path(__file__).resolve().parent
PREFIXES = """
PREFIX kgo:  <https://w3id.org/sdg-kg/ontology#>
PREFIX sdg:  <http://metadata.un.org/sdg/>
PREFIX sdgo: <http://metadata.un.org/sdg/ontology#>
PREFIX geo:  <http://metadata.un.org/sdg/codes/geoArea/>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
"""
REPORT = "<http://example.org/id/doc/t-zh>"


def graph() -> Graph:
    return Graph().parse(HERE / "shapes" / "valid.ttl", format="turtle")


def test_the_valid_graph_conforms():
    result = validate_graph(graph())
    assert result.conforms, result.violations


CASES = {
    "ReportShape": f"DELETE WHERE {{ {REPORT} kgo:sha256 ?digest }}",
    "ComponentShape": "DELETE { <http://example.org/id/doc/t-zh/p/2> kgo:number 2 } INSERT { <http://example.org/id/doc/t-zh/p/2> kgo:number 0 } WHERE {}",
    "PartShape": "DELETE WHERE { <http://example.org/id/doc/t-zh/part/1> dct:title ?title }",
    "SectionShape": "DELETE { <http://example.org/id/doc/t-zh/section/1> kgo:goal sdg:4 } INSERT { <http://example.org/id/doc/t-zh/section/1> kgo:goal sdg:18 } WHERE {}",
    "UniquePartNumberShape": f"""INSERT DATA {{ <http://example.org/id/doc/t-zh/part/9> a kgo:Part ; kgo:number 1 ; dct:title "重复"@zh ;
                                 kgo:inDocument {REPORT} }}""",
    # A duplicated paragraph number.
    "UniqueParagraphNumberShape": "DELETE { <http://example.org/id/doc/t-zh/p/2> kgo:number 2 } INSERT { <http://example.org/id/doc/t-zh/p/2> kgo:number 1 } WHERE {}",
    "UniqueFootnoteNumberShape": f"""INSERT DATA {{ <http://example.org/id/doc/t-zh/fn/2> a kgo:Footnote ; kgo:number 1 ; kgo:text "又一个"@zh ;
                                     kgo:sourceStart 80 ; kgo:sourceEnd 83 ; kgo:inDocument {REPORT} }}""",
    "TextUnitShape": """DELETE { <http://example.org/id/doc/t-zh/p/2> kgo:text ?text } INSERT { <http://example.org/id/doc/t-zh/p/2> kgo:text "在非洲。" }
                        WHERE { <http://example.org/id/doc/t-zh/p/2> kgo:text ?text }""",
    "ParagraphShape": f"INSERT DATA {{ <http://example.org/id/doc/t-zh/p/2> dct:isPartOf <http://example.org/id/doc/t-zh/section/1> }}",
    # A target IRI that is not an SDG target (backed by its mention, so only the closed list fails).
    "LinkShape": """INSERT DATA { <http://example.org/id/doc/t-zh/p/2> kgo:citesTarget sdg:9.6 .
                    <http://example.org/id/doc/t-zh/p/2/m/1-2> a kgo:Mention ; kgo:refersTo sdg:9.6 ;
                    kgo:inParagraph <http://example.org/id/doc/t-zh/p/2> ; kgo:surface "非" ; kgo:start 1 ;
                    kgo:end 2 ; kgo:sourceStart 63 ; kgo:sourceEnd 64 ; kgo:method kgo:CitationPattern }""",
    "LinkBackedByMentionShape": "INSERT DATA { <http://example.org/id/doc/t-zh/p/2> kgo:mentionsCountry geo:152 }",
    "MentionLinkedShape": """INSERT DATA { <http://example.org/id/doc/t-zh/p/2/m/0-1> a kgo:Mention ; kgo:refersTo geo:152 ;
                             kgo:inParagraph <http://example.org/id/doc/t-zh/p/2> ; kgo:surface "在" ; kgo:start 0 ; kgo:end 1 ;
                             kgo:sourceStart 62 ; kgo:sourceEnd 63 ; kgo:method kgo:GazetteerMatch }""",
    "ItemShape": "DELETE { <http://example.org/id/doc/t-zh/p/1/item/1> kgo:start 35 } INSERT { <http://example.org/id/doc/t-zh/p/1/item/1> kgo:start 50 } WHERE {}",
    "FootnoteShape": """DELETE { <http://example.org/id/doc/t-zh/fn/1> kgo:markOffset 2 } INSERT { <http://example.org/id/doc/t-zh/fn/1> kgo:markOffset -1 } WHERE {}""",
    # A mention without provenance: no surface, no offsets, no method.
    "MentionShape": """DELETE WHERE { <http://example.org/id/doc/t-zh/p/1/m/0-2> kgo:surface ?s ; kgo:start ?a ; kgo:end ?b ;
                                      kgo:sourceStart ?c ; kgo:sourceEnd ?d ; kgo:method ?m }""",
    # An offset past the end of the paragraph's text (44 characters).
    "SpanWithinTextShape": """DELETE { <http://example.org/id/doc/t-zh/p/1/item/1> kgo:end 44 } INSERT { <http://example.org/id/doc/t-zh/p/1/item/1> kgo:end 99 } WHERE {}""",
    "SurfaceAtOffsetsShape": """DELETE { <http://example.org/id/doc/t-zh/p/1/m/0-2> kgo:surface "智利" }
                                INSERT { <http://example.org/id/doc/t-zh/p/1/m/0-2> kgo:surface "巴西" } WHERE {}""",
    "TargetShape": "INSERT DATA { sdg:9.6 a sdgo:Target }",
    "GoalShape": "INSERT DATA { sdg:18 a sdgo:Goal }",
    "PlaceShape": """DELETE WHERE { geo:005 skos:prefLabel "南美洲"@zh }""",
    "M49MatchesIriShape": """DELETE { geo:005 kgo:m49Code "5" } INSERT { geo:005 kgo:m49Code "6" } WHERE {}""",
    # A country without a notation.
    "CountryShape": "DELETE WHERE { geo:152 skos:notation ?code }",
    "EntityShape": "INSERT DATA { <http://example.org/id/org/fao> owl:sameAs <http://dbpedia.org/resource/FAO> }",
    "RegisteredEntityLabelsShape": "DELETE WHERE { <http://example.org/id/programme/wipo-green> skos:prefLabel ?label . FILTER (lang(?label) = 'en') }",
    "OrganisationShape": "INSERT DATA { <http://example.org/id/org/fao> kgo:homeCountry geo:002 }",
    "WorkShape": "INSERT DATA { <http://example.org/id/work/state-of-food-security> dct:publisher <http://example.org/id/programme/wipo-green> }",
    "TreatyShape": "INSERT DATA { <http://example.org/id/treaty/itpgrfa> kgo:administeredBy <http://example.org/id/programme/wipo-green> }",
    # A publication typed as a programme too (publications are works, not programmes).
    "NamedThingsApartShape": "INSERT DATA { <http://example.org/id/work/state-of-food-security> a kgo:Programme }",
    # A confidence on a mention a gazetteer found (only the model's mentions have one).
    "MentionConfidenceShape": "INSERT DATA { <http://example.org/id/doc/t-zh/p/1/m/3-7> kgo:confidence 0.5 }",
    "ActivityShape": "DELETE WHERE { <http://example.org/id/doc/t-zh/p/1/activity/1> kgo:conductedBy ?programme }",
    # An activity said to advance a target with nothing in the text behind it.
    "AdvancedTargetHasEvidenceShape": "INSERT DATA { <http://example.org/id/doc/t-zh/p/1/activity/1> kgo:advances sdg:4.7 }",
    "ParticipationShape": "DELETE WHERE { <http://example.org/id/doc/t-zh/p/1/activity/1/participation/1> kgo:evidence ?m }",
    "TriggerShape": "DELETE WHERE { <http://example.org/id/doc/t-zh/p/1/t/2-3> kgo:inParagraph ?p }",
    "RelationShape": "DELETE WHERE { ?a kgo:supports <http://example.org/id/relation/contributes-to/1> }",
    # A translation link stated one way only.
    "TranslationShape": "DELETE DATA { <http://example.org/id/doc/t-en/p/2> kgo:hasTranslation <http://example.org/id/doc/t-zh/p/2> }",
    # Two "editions" that do not share a symbol.
    "EditionShape": "DELETE DATA { <http://example.org/id/doc/t-en> dct:identifier \"CDIP/99/1\" }",
    # An inferred link with no inference behind it.
    "InferredLinkBackedShape": "INSERT DATA { <http://example.org/id/doc/t-zh/p/2> kgo:addressesGoal sdg:4 }",
    # An inferred "goal" that is a target (its inference says the same).
    "InferredLinkShape": """DELETE { <http://example.org/id/doc/t-zh/p/1> kgo:addressesGoal sdg:4 .
                                     <http://example.org/id/doc/t-zh/p/1/sdg/4> kgo:addresses sdg:4 }
                            INSERT { <http://example.org/id/doc/t-zh/p/1> kgo:addressesGoal sdg:4.4 .
                                     <http://example.org/id/doc/t-zh/p/1/sdg/4> kgo:addresses sdg:4.4 } WHERE {}""",
    "SdgInferenceShape": """DELETE { <http://example.org/id/doc/t-zh/p/1/sdg/4> kgo:score ?score }
                            INSERT { <http://example.org/id/doc/t-zh/p/1/sdg/4> kgo:score 1.5 }
                            WHERE { <http://example.org/id/doc/t-zh/p/1/sdg/4> kgo:score ?score }""",
    "EvidenceSpanShape": "DELETE WHERE { <http://example.org/id/doc/t-zh/p/1/e/35-40> kgo:conceptTerm ?term }",
    "RelationWeightShape": """DELETE { <http://example.org/id/relation/contributes-to/1> kgo:weight 1 }
                              INSERT { <http://example.org/id/relation/contributes-to/1> kgo:weight 3 } WHERE {}""",
}


def test_every_shape_has_a_failing_case():
    shapes = load_shapes()
    names = {str(s).rsplit("#", 1)[1] for s in shapes.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape"))}
    assert names == set(CASES)


@pytest.mark.parametrize("shape", sorted(CASES))
def test_shape_fails_for_its_reason(shape):
    data = graph()
    update = CASES[shape]
    if update.lstrip().startswith("DELETE WHERE") and "FILTER" in update:
        # DELETE WHERE allows no FILTER: spell it as DELETE … WHERE.
        body = update.split("{", 1)[1].rsplit("}", 1)[0]
        pattern = body.split(". FILTER")[0]
        update = f"DELETE {{ {pattern} }} WHERE {{ {body} }}"
    data.update(PREFIXES + update)
    result = validate_graph(data)
    assert not result.conforms
    assert {v.shape for v in result.violations} == {shape}, result.violations
    assert all(v.message and v.focus for v in result.violations)


def test_closed_lists_are_the_official_goals_and_targets():
    shapes = load_shapes()
    registry = load_sdg_registry()
    sdg_goals = URIRef("https://w3id.org/sdg-kg/shapes#SdgGoals")
    kgs = "https://w3id.org/sdg-kg/shapes#"
    link = URIRef(kgs + "LinkShape")
    sh = "http://www.w3.org/ns/shacl#"
    lists = []
    for prop in shapes.objects(link, URIRef(sh + "property")):
        values = shapes.value(prop, URIRef(sh + "in"))
        if values is not None:
            lists.append({str(v) for v in Collection(shapes, values)})
    assert {str(c.iri) for c in registry.targets.values()} in lists
    assert {str(c.iri) for c in registry.goals.values()} in lists
    assert sdg_goals is not None


def kg(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_kg_validate_exit_status_and_report(tmp_path):
    good = HERE / "shapes" / "valid.ttl"
    result = kg("validate", str(good))
    assert (result.returncode, result.stdout.strip()) == (0, "Conforms: the graph satisfies every shape.")

    data = graph()
    data.update(PREFIXES + "DELETE WHERE { geo:152 skos:notation ?code }")
    bad = tmp_path / "bad.ttl"
    data.serialize(bad, format="turtle")
    report = tmp_path / "report.ttl"
    result = kg("validate", str(bad), "--report", str(report))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Does not conform: 1 result(s) in 1 shape(s)."
    assert lines[1] == "CountryShape: 1"
    assert "geo:152 skos:notation" in lines[2] and "ISO 3166-1 alpha-3" in lines[2]
    conforms = list(Graph().parse(report).objects(None, URIRef("http://www.w3.org/ns/shacl#conforms")))
    assert [c.toPython() for c in conforms] == [False]


def test_a_broken_shape_file_is_one_clear_error(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<x:S> a sh:NodeShape ;\n    sh:targetClass .\n")
    result = kg("validate", str(HERE / "shapes" / "valid.ttl"), "--shapes", str(broken))
    assert result.returncode == 2
    assert result.stderr.startswith(f"kg: error: {broken}:4: not valid turtle:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_built_graph_conforms(built):
    result, _ = built
    assert result.validation is not None and result.validation.conforms


def test_both_engines_find_the_same_results_for_every_case():
    """pyshacl-turbo (the default) and pySHACL agree on the valid graph and on every failing case."""
    for shape in [None, *sorted(CASES)]:
        data = graph()
        if shape is not None:
            update = CASES[shape]
            if update.lstrip().startswith("DELETE WHERE") and "FILTER" in update:
                body = update.split("{", 1)[1].rsplit("}", 1)[0]
                update = f"DELETE {{ {body.split('. FILTER')[0]} }} WHERE {{ {body} }}"
            data.update(PREFIXES + update)
        turbo, reference = validate_graph(data, engine="turbo"), validate_graph(data, engine="pyshacl")
        assert turbo.conforms == reference.conforms == (shape is None), shape
        assert {(v.shape, v.focus, v.path) for v in turbo.violations} == \
            {(v.shape, v.focus, v.path) for v in reference.violations}, shape


# -- messages and independence from the ontology (interop) --------------------------------------

SH = "http://www.w3.org/ns/shacl#"


def test_core_constraint_messages_hold_no_placeholders():
    """pySHACL and pyshacl-turbo fill {?var} and {$this} in SPARQL constraints only: a core constraint's
    message is printed as written, so it must read right as written (the report gives node and value)."""
    shapes = load_shapes()
    sparql_constraints = set(shapes.objects(None, URIRef(SH + "sparql")))
    for shape, message in shapes.subject_objects(URIRef(SH + "message")):
        if shape not in sparql_constraints:
            assert "{$" not in message and "{?" not in message, (shape, str(message))


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_every_finding_prints_real_values(engine):
    for shape in sorted(CASES):
        data = graph()
        update = CASES[shape]
        if update.lstrip().startswith("DELETE WHERE") and "FILTER" in update:
            body = update.split("{", 1)[1].rsplit("}", 1)[0]
            update = f"DELETE {{ {body.split('. FILTER')[0]} }} WHERE {{ {body} }}"
        data.update(PREFIXES + update)
        for violation in validate_graph(data, engine=engine).violations:
            assert "{$" not in violation.message and "{?" not in violation.message, (shape, violation.message)


def test_kg_validate_shows_the_offending_value(tmp_path):
    data = graph()
    data.update(PREFIXES + CASES["LinkShape"])  # a citation of sdg:9.6, which is no SDG target
    bad = tmp_path / "bad.ttl"
    data.serialize(bad, format="turtle")
    result = kg("validate", str(bad))
    line = next(line for line in result.stdout.splitlines() if "kgo:citesTarget" in line)
    assert "= sdg:9.6" in line and "{$value}" not in line and "one of the 169 SDG targets" in line


def test_the_built_graph_alone_conforms_in_pyshacl_and_pyshacl_turbo(built):
    """The graph as published (graph.nq, nothing added: no ontology, no inference) and the shapes file as
    shipped, given straight to both engines' own validate() as any user of them would."""
    import pyshacl
    import pyshacl_turbo
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(built[1] / "graph.nq", format="nquads")
    data = Graph()
    for s, p, o, _ in dataset.quads():
        data.add((s, p, o))
    assert not list(data.triples((None, URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"), None)))
    shapes = Graph().parse(HERE.parent / "shapes" / "kg-shapes.ttl", format="turtle")
    for engine in (pyshacl_turbo, pyshacl):
        conforms, _, text = engine.validate(data, shacl_graph=shapes, advanced=True, inference="none",
                                            allow_warnings=True)
        assert conforms, f"{engine.__name__}: {text[:2000]}"


def test_apache_jenas_shacl_finds_what_kg_finds_on_the_graph_alone(built, tmp_path):
    """Jena's own SHACL command (``shacl.shacl validate``, Debian's libapache-jena-java) on the graph as
    published, nothing added: the build conforms, and a graph that breaks a shape does not."""
    from engines import jena_classpath, jena_unavailable

    reason = jena_unavailable()
    if reason:
        pytest.skip(reason)
    from rdflib import Dataset

    classpath = jena_classpath(tmp_path)

    def jena_conforms(data: Graph) -> tuple[bool, str]:
        path = tmp_path / "data.nt"
        data.serialize(path, format="nt", encoding="utf-8")
        done = subprocess.run(["java", "-Xmx1g", "-cp", classpath, "shacl.shacl", "validate", "--shapes",
                               str(HERE.parent / "shapes" / "kg-shapes.ttl"), "--data", str(path)],
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        report = Graph().parse(data=done.stdout, format="turtle")
        conforms = report.value(predicate=RDF.type, object=URIRef(SH + "ValidationReport"))
        return str(report.value(conforms, URIRef(SH + "conforms"))) == "true", done.stdout

    dataset = Dataset()
    dataset.parse(built[1] / "graph.nq", format="nquads")
    published = Graph()
    for s, p, o, _ in dataset.quads():
        published.add((s, p, o))
    conforms, report = jena_conforms(published)
    assert conforms, report[:3000]
    broken = graph()
    broken.update(PREFIXES + CASES["LinkShape"])  # a citation of sdg:9.6, which is no SDG target
    conforms, report = jena_conforms(broken)
    assert not conforms and "one of the 169 SDG targets" in report and "{$value}" not in report

"""kg build writes the graph: structure, links to the SDG KOS, provenance, determinism."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kg.namespaces import EU_LANGUAGE, KGO, SDG, SDGO
from conftest import ROOT, write_report

BASE = "https://w3id.org/sdg-kg/id/"
DOC = URIRef(BASE + "doc/cdip-32-3-zh")
GRAPH = URIRef(BASE + "graph/cdip-32-3-zh")


LINKS = (KGO.citesTarget, KGO.citesGoal, KGO.mentionsCountry, KGO.mentionsRegion, KGO.mentionsOrganisation,
         KGO.mentionsProgramme, KGO.mentionsProject, KGO.mentionsWork, KGO.mentionsTreaty)


def p(n: int) -> URIRef:
    return URIRef(f"{DOC}/p/{n}")


def load(out: Path) -> Dataset:
    dataset = Dataset()
    dataset.parse(out / "graph.nq", format="nquads")
    return dataset


def kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_structure_counts(built):
    graph = load(built[1]).graph(GRAPH)
    assert len(set(graph.subjects(RDF.type, KGO.Paragraph))) == 164
    assert len(set(graph.subjects(RDF.type, KGO.Part))) == 3
    assert len(set(graph.subjects(RDF.type, KGO.Section))) == 14
    assert len(set(graph.subjects(RDF.type, KGO.Item))) == 82
    assert len(set(graph.subjects(RDF.type, KGO.Footnote))) == 6


def test_document_metadata(built):
    graph = load(built[1]).graph(GRAPH)
    assert graph.value(DOC, RDF.type) == KGO.Report
    assert graph.value(DOC, DCTERMS.identifier) == Literal("CDIP/32/3")
    assert graph.value(DOC, DCTERMS.date) == Literal("2024-03-20", datatype=XSD.date)
    assert graph.value(DOC, DCTERMS.language) == EU_LANGUAGE.ZHO
    assert graph.value(DOC, KGO.originalLanguage) == EU_LANGUAGE.ENG
    assert graph.value(DOC, KGO.session) == Literal(32)
    assert graph.value(DOC, DCTERMS.title) == Literal(
        "关于产权组织对落实可持续发展目标及其相关具体目标所作贡献的报告", lang="zh-Hans")


def test_paragraph_node_links_to_section_part_document_and_targets(built):
    graph = load(built[1]).graph(GRAPH)
    node = p(53)
    assert graph.value(node, KGO.number) == Literal(53)
    assert str(graph.value(node, KGO.text)).startswith("无障碍图书联合会（ABC）继续切实执行《马拉喀什条约》")
    assert graph.value(node, KGO.text).language == "zh-Hans"
    section = graph.value(node, KGO.inSection)
    assert graph.value(node, DCTERMS.isPartOf) == section
    assert graph.value(section, KGO.goal) == SDG["4"]
    assert graph.value(node, KGO.inPart) == URIRef(f"{DOC}/part/1")
    assert graph.value(node, KGO.inDocument) == DOC
    assert set(graph.objects(node, KGO.citesTarget)) == {SDG["4.3"], SDG["4.4"], SDG["4.5"], SDG["4.7"]}
    assert set(graph.objects(p(7), KGO.citesGoal)) == {SDG[g] for g in ("1", "2", "4", "5", "15")}


def test_items_are_nodes_with_their_own_citations(built):
    graph = load(built[1]).graph(GRAPH)
    items = sorted(graph.objects(p(62), KGO.hasItem), key=lambda i: int(str(i).rsplit("/", 1)[1]))
    assert len(items) == 21
    first = items[0]
    assert graph.value(first, KGO.inParagraph) == p(62)
    assert set(graph.objects(first, KGO.citesTarget)) == {SDG["5.5"]}
    wep = items[4]  # the WEP item
    assert str(graph.value(wep, KGO.text)).startswith("产权组织土著人民和当地社区女企业家知识产权培训")
    assert set(graph.objects(wep, KGO.citesTarget)) == {SDG["5.5"], SDG["4.4"], SDG["4.5"], SDG["4.7"],
                                                        SDG["8.3"]}


def test_every_link_has_a_mention_with_provenance(built):
    graph = load(built[1]).graph(GRAPH)
    source = (ROOT / "data" / "corpus" / "CDIP_32_3_zh.txt").read_text(encoding="utf-8")
    mentions = set(graph.subjects(RDF.type, KGO.Mention))
    citations = {m for m in mentions if graph.value(m, KGO.method) == KGO.CitationPattern}
    assert len(citations) == 355
    for mention in mentions:
        paragraph = graph.value(mention, KGO.inParagraph)
        text = str(graph.value(paragraph, KGO.text))
        surface = str(graph.value(mention, KGO.surface))
        start, end = int(graph.value(mention, KGO.start)), int(graph.value(mention, KGO.end))
        assert text[start:end] == surface
        source_start, source_end = int(graph.value(mention, KGO.sourceStart)), int(graph.value(mention, KGO.sourceEnd))
        # A name the PDF broke across lines (or pages) spans the break in the source.
        assert source[source_start] == surface[0] and source[source_end - 1] == surface[-1]
        if "\n" not in source[source_start:source_end]:
            assert source[source_start:source_end] == surface
        assert graph.value(mention, KGO.method) in {KGO.CitationPattern, KGO.GazetteerMatch, KGO.NameForm,
                                                    KGO.AcronymReuse, KGO.StatisticalModel}
        if graph.value(mention, KGO.method) == KGO.StatisticalModel:
            assert 0 <= float(graph.value(mention, KGO.confidence)) <= 1
        entity = graph.value(mention, KGO.refersTo)
        assert any((paragraph, link, entity) in graph for link in LINKS)
    # ...and every link (of a paragraph or of an item) is backed by a mention.
    for unit, predicate, target in [t for link in LINKS for t in graph.triples((None, link, None))]:
        via = KGO.inItem if (unit, RDF.type, KGO.Item) in graph else KGO.inParagraph
        assert any(graph.value(m, via) == unit for m in graph.subjects(KGO.refersTo, target)), (unit, target)


def test_cited_goals_and_targets_carry_the_uns_labels(built):
    dataset = load(built[1])
    kos = dataset.graph(URIRef(BASE + "graph/sdg-kos"))
    assert (SDG["4.4"], RDF.type, SDGO.Target) in kos
    assert (SDG["4.4"], SDGO.isTargetOf, SDG["4"]) in kos
    assert str(kos.value(SDG["4.4"], SKOS.prefLabel)).startswith("By 2030")
    zh = [label for label in kos.objects(SDG["4"], SKOS.prefLabel) if label.language == "zh"]
    assert zh == [Literal("确保包容和公平的优质教育，让全民终身享有学习机会", lang="zh")]
    assert (SDG["9.6"], None, None) not in kos


def test_build_is_byte_identical_across_runs(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = kg("build", "--out", str(out), "--quiet")
        assert result.returncode == 0, result.stderr
    nquads = (first / "graph.nq").read_bytes()
    assert nquads == (second / "graph.nq").read_bytes()
    lines = nquads.decode("utf-8").splitlines()
    assert lines == sorted(set(lines))
    assert (first / "graph.ttl").read_bytes() == (second / "graph.ttl").read_bytes()
    assert (first / "report.json").read_bytes() == (second / "report.json").read_bytes()
    assert "warning: " in result.stderr and "paragraph 83: SDG target 9.6 does not exist" in result.stderr


def test_summary_table(tmp_path):
    result = kg("build", "--out", str(tmp_path))
    assert result.returncode == 0
    assert "CDIP_32_3_zh.txt" in result.stdout
    assert "mentions: SDG targets" in result.stdout and " 321 " in result.stdout
    assert "mentions: SDG goals" in result.stdout and " 34 " in result.stdout
    assert "graph.nq" in result.stdout and "unregistered.csv" in result.stdout


def test_base_iri_is_configurable(tmp_path):
    result = kg("build", "--out", str(tmp_path), "--quiet", "--base-iri", "http://example.org/kg/")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "graph.nq").read_text(encoding="utf-8")
    assert "<http://example.org/kg/doc/cdip-32-3-zh/p/53>" in text
    assert BASE not in text


def test_bad_input_is_one_line_and_leaves_earlier_outputs(tmp_path):
    out = tmp_path / "out"
    assert kg("build", "--out", str(out), "--quiet").returncode == 0
    before = (out / "graph.nq").read_bytes()
    bad = write_report(tmp_path, ["1. 第一段。", "3. 第三段。"])
    result = kg("build", str(bad), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"kg: error: {bad}:11: paragraph 2 is missing "
                                     "(paragraph 3 follows paragraph 1)")
    assert "Traceback" not in result.stderr
    assert (out / "graph.nq").read_bytes() == before
    # Nothing left over: kg's own folder holds the current generation and the link to it, no more.
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".kg"]
    assert len(list((out / ".kg").iterdir())) == 2 and (out / ".kg" / "current").is_symlink()


def test_missing_file_and_empty_folder(tmp_path):
    result = kg("build", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out"))
    assert (result.returncode, result.stderr.strip()) == (2, f"kg: error: {tmp_path / 'nope.txt'}: no such file")
    (tmp_path / "empty").mkdir()
    result = kg("build", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"kg: error: {tmp_path / 'empty'}: no report files (.txt) in this directory"


def test_help_explains_the_commands():
    result = kg("--help")
    assert result.returncode == 0 and "build" in result.stdout
    result = kg("build", "--help")
    assert result.returncode == 0
    assert "--out" in result.stdout and "--base-iri" in result.stdout and "embedded" in result.stdout

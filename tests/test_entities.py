"""Entity extraction: segmentation, gazetteers, nested names, acronyms, linking, and the registry as data."""

from __future__ import annotations

import csv
import os
import json
import shutil
import subprocess
import sys

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from kg.namespaces import GEOAREA, KGO, WD
from kg.nlp.pipeline import load_pipeline
from kg.resources import shipped
from conftest import GOLD, write_report

BASE = "https://w3id.org/sdg-kg/id/"


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("zh")


def entities(nlp, text: str) -> list[tuple[str, str, str]]:
    doc = nlp(text)
    return [(span.text, span.label_, span.id_) for span in doc.spans["entities"]]


def test_han_characters_are_tokens_so_patterns_match_inside_longer_words(nlp):
    # A word segmenter would make 印度科技部 or 智利“普特雷… one unit and hide the
    # country inside it; one token per Han character puts a boundary everywhere.
    doc = nlp.make_doc("印度科技部生物技术局")
    assert [t.text for t in doc] == list("印度科技部生物技术局")
    pattern = nlp.make_doc("印度")
    assert [t.text for t in pattern] == [t.text for t in doc[:2]]
    # Latin runs stay whole words: an acronym cannot match inside a longer one.
    assert [t.text for t in nlp.make_doc("AFD和COVID-19，WIPO GREEN")] == ["AFD", "和", "COVID-19", "，", "WIPO", "GREEN"]
    assert ("AF", "ORG") not in [(t, l) for t, l, _ in entities(nlp, "法国开发署（AFD）")]


def test_nested_names_resolve_to_an_organisation_and_a_country(nlp):
    found = entities(nlp, "与印度科技部生物技术局共同发起")
    assert ("印度科技部生物技术局", "ORG", "india-dbt") in found
    assert ("印度", "COUNTRY", "IND") in found
    doc = nlp("与印度科技部生物技术局共同发起")
    assert [(e.text, e.label_) for e in doc.ents] == [("印度科技部生物技术局", "ORG")]


def test_aliases_the_report_uses(nlp):
    assert ("美利坚合众国", "COUNTRY", "USA") in entities(nlp, "包括德国、墨西哥、菲律宾和美利坚合众国")
    assert ("中华人民共和国香港特别行政区", "COUNTRY", "HKG") in entities(nlp, "伯利兹、中华人民共和国香港特别行政区、毛里求斯")
    assert ("中国", "COUNTRY", "CHN") not in entities(nlp, "中华人民共和国香港特别行政区")
    assert ("多民族玻利维亚国", "COUNTRY", "BOL") in entities(nlp, "巴西、菲律宾、多民族玻利维亚国和突尼斯")
    assert ("世卫组织", "ORG", "who") in entities(nlp, "与世界卫生组织（世卫组织）开展合作")
    assert ("粮农组织", "ORG", "fao") in entities(nlp, "联合国粮食及农业组织（粮农组织）")


def test_country_names_next_to_and_inside_product_names(nlp):
    assert ("智利", "COUNTRY", "CHL") in entities(nlp, "智利“普特雷山麓牛至”生产商得到了援助")
    assert ("哥斯达黎加", "COUNTRY", "CRI") in entities(nlp, "如“哥斯达黎加香蕉”")


def test_regions_versus_countries(nlp):
    found = entities(nlp, "非洲和南非；拉丁美洲和加勒比地区；发展中国家和最不发达国家")
    assert ("非洲", "REGION", "002") in found
    assert ("南非", "COUNTRY", "ZAF") in found
    assert ("拉丁美洲和加勒比地区", "REGION", "419") in found
    assert ("最不发达国家", "REGION", "199") in found
    assert not [f for f in found if f[2] in ("CHN", "029")]


def test_place_names_that_are_not_places(nlp):
    assert entities(nlp, "以英语、阿拉伯语、西班牙语、葡萄牙语提供课程") == []  # languages
    assert entities(nlp, "执法国家讲习班；波罗的海地区") == []  # 法国, 海地 inside other words
    assert [e for e in entities(nlp, "费利西亚·考克斯博士") if e[1] == "REGION"] == []  # a person's name
    assert ("印度", "COUNTRY", "IND") not in entities(nlp, "西印度群岛大学（UWI）")
    # 新加坡 inside the title of a treaty names the treaty, not Singapore; the title is the treaty's name
    assert entities(nlp, "根据《商标法新加坡条约》") == [("商标法新加坡条约", "TREATY", "singapore-treaty")]


def test_unregistered_organisation_is_found_by_form_and_its_acronym_reused(nlp):
    text = "本项目与加勒比可持续发展研究协会（CSDRA）合作。\n\n后来，CSDRA 又组织了讲习班。"
    found = entities(nlp, text)
    assert ("加勒比可持续发展研究协会", "ORG", "new:加勒比可持续发展研究协会") in found
    assert ("CSDRA", "ORG", "new:加勒比可持续发展研究协会") in found
    doc = nlp(text)
    assert {s._.kg_method for s in doc.spans["entities"] if s.label_ == "ORG"} == {"name-form", "acronym-reuse"}


def test_place_led_organisation_names(nlp):
    found = entities(nlp, "与卡塔尔工商部合作；塞内加尔当局；在塔吉克斯坦部署")
    assert ("卡塔尔工商部", "ORG", "qatar-moci") in found or ("卡塔尔工商部", "ORG", "new:卡塔尔工商部") in found
    assert not [f for f in found if f[0] in ("塞内加尔当局", "塔吉克斯坦部署")]


def test_acronym_introduced_for_a_registered_name_is_reused(nlp):
    found = entities(nlp, "国际贸易中心（ITC）合作实施。\n\n该项目是与 ITC 合作实施的。")
    assert {f for f in found if f[0] == "ITC"} == {("ITC", "ORG", "itc")}


def test_entities_in_the_graph(built):
    dataset = Dataset()
    dataset.parse(built[1] / "graph.nq", format="nquads")
    doc = dataset.graph(URIRef(BASE + "graph/cdip-32-3-zh"))
    geo = dataset.graph(URIRef(BASE + "graph/geo"))
    registry = dataset.graph(URIRef(BASE + "graph/registry"))
    p7 = URIRef(BASE + "doc/cdip-32-3-zh/p/7")
    fao = URIRef(BASE + "org/fao")
    assert {GEOAREA["152"], GEOAREA["116"], GEOAREA["768"], GEOAREA["686"]} <= set(doc.objects(p7, KGO.mentionsCountry))
    assert fao in set(doc.objects(p7, KGO.mentionsOrganisation))
    # Countries: the UN geoArea IRI, ISO alpha-3 as notation, labels in Chinese and English.
    chile = GEOAREA["152"]
    assert (chile, RDF.type, KGO.Country) in geo
    assert (chile, SKOS.notation, Literal("CHL", datatype=KGO.ISO3166Alpha3)) in geo
    assert (chile, SKOS.prefLabel, Literal("智利", lang="zh")) in geo
    assert (chile, SKOS.prefLabel, Literal("Chile", lang="en")) in geo
    assert (GEOAREA["050"], KGO.inGroup, GEOAREA["199"]) in geo  # Bangladesh is an LDC
    # Registered organisations: our IRI, labels, kind, Wikidata.
    assert (fao, RDF.type, KGO.UNBody) in registry
    assert (fao, SKOS.prefLabel, Literal("联合国粮食及农业组织", lang="zh")) in registry
    assert (fao, OWL.sameAs, WD.Q82151) in registry
    dbt = URIRef(BASE + "org/india-dbt")
    assert registry.value(dbt, KGO.homeCountry) == GEOAREA["356"]
    # A mention records how it was found.
    mention = next(m for m in doc.subjects(KGO.refersTo, fao) if doc.value(m, KGO.inParagraph) == p7)
    assert doc.value(mention, KGO.method) == KGO.GazetteerMatch
    assert str(doc.value(mention, KGO.surface)) in ("联合国粮食及农业组织", "粮农组织")


def test_the_pipeline_matches_the_hand_annotation(built):
    """Quality floor on the embedded report (bench/entities.py prints the full figures)."""
    gold = json.loads((GOLD / "entities.json").read_text(encoding="utf-8"))["paragraphs"]
    expected = {(int(n), label, key) for n, e in gold.items() for label, keys in e.items() for key in keys}
    (document,) = built[0].documents
    found = {(m.paragraph, m.label, m.key) for m in document.mentions if m.label in ("COUNTRY", "REGION", "ORG", "PROGRAMME")}
    for label, floor in (("COUNTRY", 0.98), ("REGION", 0.95), ("ORG", 0.93), ("PROGRAMME", 0.93)):
        g = {p for p in expected if p[1] == label}
        f = {p for p in found if p[1] == label}
        assert len(g & f) / len(f) >= floor, label
        assert len(g & f) / len(g) >= floor, label


def kg(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, cwd=cwd)


def test_adding_a_registry_row_is_all_it_takes(tmp_path, monkeypatch):
    report = write_report(tmp_path, ["1. 产权组织与加勒比可持续发展研究协会（CSDRA）在巴巴多斯合作。",
                                     "2. CSDRA 促进实现具体目标 9.5。"])
    out = tmp_path / "out"
    result = kg("build", str(report), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((out / "unregistered.csv").open(encoding="utf-8")))
    assert [(r["name"], r["paragraphs"]) for r in rows] == [("加勒比可持续发展研究协会", "1 2")]

    data = tmp_path / "data"
    shutil.copytree(shipped("data"), data)
    with (data / "registry" / "organisations.csv").open("a", encoding="utf-8", newline="") as stream:
        fields = next(csv.reader((data / "registry" / "organisations.csv").open(encoding="utf-8")))
        row = dict.fromkeys(fields, "")
        row.update(id="csdra", kind="research", name_en="Caribbean Sustainable Development Research Association",
                   acronym="CSDRA", name_zh="加勒比可持续发展研究协会", country="BRB", source="a test")
        csv.DictWriter(stream, fieldnames=fields, lineterminator="\n").writerow(row)
    import os
    result = kg("build", str(report), "--out", str(out), "--quiet", env={**os.environ, "KG_DATA": str(data)})
    assert result.returncode == 0, result.stderr
    assert list(csv.DictReader((out / "unregistered.csv").open(encoding="utf-8"))) == []
    nquads = (out / "graph.nq").read_text(encoding="utf-8")
    assert f"<{BASE}doc/cdip-99-1-zh/p/2> <{KGO.mentionsOrganisation}> <{BASE}org/csdra>" in nquads


def build_with_registry_row(tmp_path, file: str, row: str):
    """``kg build`` with a copy of the shipped data whose registry ``file`` has ``row`` appended:
    (the result, the file, the row's line number)."""
    import os

    data = tmp_path / "data"
    shutil.copytree(shipped("data"), data)
    path = data / "registry" / file
    lines = path.read_text(encoding="utf-8").splitlines() + [row]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = kg("build", "--out", str(tmp_path / "out"), env={**os.environ, "KG_DATA": str(data)})
    return result, path, len(lines)


def test_a_malformed_registry_row_is_one_clear_error(tmp_path):
    result, path, line = build_with_registry_row(tmp_path, "organisations.csv",
                                                 "bad id,university,Some University,,某大学,,,,,,,,a test")
    assert result.returncode == 2
    assert result.stderr.strip() == (f"kg: error: {path}:{line}: id 'bad id' is not a lowercase slug "
                                     "(letters, digits, hyphens)")


# -- names in context: generic uses, names as modifiers, possessives ------------------------

def test_a_registered_name_used_as_the_generic_term_is_no_mention(nlp):
    # 国家知识产权局 is CNIPA; after 的, 各 or a classifier it is "the national IP office(s)" of others.
    assert entities(nlp, "国家知识产权局局长出席") == [("国家知识产权局", "ORG", "cnipa")]
    for text in ("秘鲁的国家知识产权局", "各国家知识产权局", "13个国家知识产权局"):
        assert [e for e in entities(nlp, text) if e[1] == "ORG"] == [], text


def test_an_organisation_named_as_the_modifier_of_an_agenda_or_event_is_no_mention(nlp):
    assert [e for e in entities(nlp, "落实联合国2030年可持续发展议程") if e[0].startswith("联合国")] == []
    assert [e for e in entities(nlp, "联合国气候变化大会在迪拜举行") if e[0] == "联合国"] == []
    assert entities(nlp, "与联合国合作") == [("联合国", "ORG", "un")]
    assert entities(nlp, "出席联合国大会") == [("联合国大会", "ORG", "unga")]
    # A meeting named by its body and then "annual" or an ordinal still names the body.
    assert entities(nlp, "在居里研究所年度会议上") == [("居里研究所", "ORG", "institut-curie")]
    assert entities(nlp, "居里研究所第三届会议") == [("居里研究所", "ORG", "institut-curie")]
    english = load_pipeline("en")
    assert entities(english, "the UN 2030 Agenda for Sustainable Development") == []
    assert entities(english, "UN Sustainable Development Goals") == []
    assert entities(english, "a report of the United Nations") == [("United Nations", "ORG", "un")]


def test_a_name_inside_a_longer_phrase_it_is_no_name_of(nlp):
    # WIPO's Development Agenda (发展议程) inside the 2030 Agenda for Sustainable Development.
    assert [e for e in entities(nlp, "可持续发展议程") if e[1] == "PROGRAMME"] == []
    assert entities(nlp, "发展议程项目") == [("发展议程", "PROGRAMME", "development-agenda")]


def test_possessives_and_acronym_compounds_leave_the_name_whole():
    english = load_pipeline("en")
    assert entities(english, "WIPO's report and Kenya’s office") == [("WIPO", "ORG", "wipo"), ("Kenya", "COUNTRY", "KEN")]
    found = {(text, key) for text, _, key in entities(english, "the WIPO-ARIPO framework for WIPO-administered treaties")}
    assert {("WIPO", "wipo"), ("ARIPO", "aripo")} <= found
    assert [t.text for t in english.tokenizer("COVID-19, DL-101, e-commerce and O'Brien")] == \
        ["COVID-19", ",", "DL-101", ",", "e-commerce", "and", "O'Brien"]


def test_works_and_treaties_are_registered_with_their_publishers_and_administrators():
    from kg.knowledge.registry import load_registry

    registry = load_registry()
    gii, paris = registry.get("WORK", "global-innovation-index"), registry.get("TREATY", "paris-convention")
    assert (gii.path, gii.publisher) == ("work/global-innovation-index", "wipo")
    assert (paris.path, paris.administered_by) == ("treaty/paris-convention", "wipo")
    assert registry.get("PROJECT", "ghana-kente-gi").path == "project/ghana-kente-gi"
    assert all(e.source for e in registry.entities.values())


def test_a_work_naming_a_publisher_that_is_not_an_organisation_is_one_clear_error(tmp_path):
    result, _, line = build_with_registry_row(tmp_path, "works.csv",
                                              "some-report,report,Some Report,,某报告,,,no-such-org,,,a test")
    assert result.returncode == 2
    assert result.stderr.strip().endswith(f"works.csv:{line}: some-report: publisher 'no-such-org' is not an "
                                          "organisation id")


def test_the_model_reads_a_long_paragraph_in_sentence_ended_pieces(nlp):
    from kg.nlp.model_names import _paragraphs

    sentence = "产权组织与肯尼亚工业研究与发展研究所合作开展了培训。"
    doc = nlp.make_doc(sentence * 200 + "\n\n" + sentence)
    pieces = list(_paragraphs(doc, window=100, sentence_end=("。", "！", "？")))
    # Every token but the blank line, once and in order; no piece longer than the window.
    assert [i for a, b in pieces for i in range(a, b)] == [t.i for t in doc if "\n\n" not in t.text]
    assert max(b - a for a, b in pieces) <= 100 and len(pieces) > 200 * len(sentence) // 100
    # Each piece of the long paragraph ends where a sentence ends.
    assert all(doc[b - 1].text == "。" for a, b in pieces)
    # A sentence longer than the window is cut at the window; without one a paragraph is one piece.
    long = nlp.make_doc("产权组织" * 300)
    assert [b - a for a, b in _paragraphs(long, window=500)] == [500, 500, 200]
    assert list(_paragraphs(doc, window=0))[0] == (0, 200 * len(nlp.make_doc(sentence)))
    # What a long paragraph (100 sentences, past the pipeline's window of 1,000 tokens) yields, model
    # proposals and names, is what each of its sentences yields alone.
    sentence = "WIPO与深圳市大疆创新科技有限公司合作。"
    for group in ("model", "entities"):
        one, long = nlp(sentence), nlp(sentence * 100)
        alone = [(s.text, s.label_) for s in one.spans[group]]
        found = [(s.text, s.label_) for s in long.spans[group]]
        assert alone and found == alone * 100


def test_english_country_names_in_chinese_text_are_countries_as_printed(nlp):
    assert ("Japan", "COUNTRY", "JPN") in entities(nlp, "参与世界卫生大会(Inviting Japan to participate)")
    assert ("UK", "COUNTRY", "GBR") in entities(nlp, "英国(UK)的专利")
    # Only as printed with a capital: a lower-case English word is no country (chad, turkey).
    assert [e for e in entities(nlp, "the chad and turkey 样本") if e[1] == "COUNTRY"] == []
    # Common Chinese short forms (data/gazetteers/place_aliases.csv).
    assert entities(nlp, "中国大陆和香港特区") == [("中国大陆", "COUNTRY", "CHN"), ("香港特区", "COUNTRY", "HKG")]

"""Articles, Traditional Chinese, English, bilingual texts and language editions (docs/languages.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.errors import InputError
from kg.graph.editions import edition_pairs, edition_warnings
from kg.language.lexicon import load_lexicon
from kg.language.script import chinese_script, script_counts, to_simplified
from kg.namespaces import EU_LANGUAGE, GEOAREA, KGO, SDG
from kg.nlp.pipeline import load_pipeline, pipeline_name
from kg.reader.language import document_language, key_language, text_language
from kg.reader.parallel import pair_translations
from kg.reader.select import looks_like_report, read_document
from kg.reader.source import read_source
from kg.shacl.engines import validate_graph
from kg.shacl.partition import document_graphs, foreign_subjects
from kg.store.open import open_store
from conftest import MULTILINGUAL, ROOT, write_report

BASE = "https://w3id.org/sdg-kg/id/"
ZH = "cdip-32-3-zh"
EN = "cdip-32-3-en"
HANT = "hk-wipo-lex-judgments-2025-09-01-zh-hant"
ARTICLE = "wipo-academy-news-2022-11-03-en"
BILINGUAL = "world-ip-day-2024-zh-en-mul"


def doc(key: str) -> URIRef:
    return URIRef(f"{BASE}doc/{key}")


def p(key: str, n: int) -> URIRef:
    return URIRef(f"{BASE}doc/{key}/p/{n}")


def entity(path: str) -> URIRef:
    return URIRef(BASE + path)


def load(out: Path) -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(out / "graph.nq", format="nquads")
    return dataset


def links(graph, node) -> set:
    return {o for pred in (KGO.mentionsCountry, KGO.mentionsRegion, KGO.mentionsOrganisation, KGO.mentionsProgramme,
                           KGO.citesTarget, KGO.citesGoal) for o in graph.objects(node, pred)}


def read(tmp_path: Path, text: str, name: str = "t.txt", format: str = "auto"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_document(read_source(path), format)


# -- scripts -------------------------------------------------------------------

def test_traditional_is_converted_character_for_character():
    traditional = "香港特區政府與世界知識產權組織（WIPO）簽署「WIPO Lex裁判文書」諒解備忘錄"
    simplified = to_simplified(traditional)
    assert simplified == "香港特区政府与世界知识产权组织（WIPO）签署「WIPO Lex裁判文书」谅解备忘录"
    assert len(simplified) == len(traditional)
    assert to_simplified("已是简体的文字") == "已是简体的文字"


def test_a_phrase_conversion_that_changes_length_falls_back_to_characters(monkeypatch):
    import kg.language.script as script

    # tw2sp turns the Taiwan word 網際網路 into the mainland 互联网 (4 → 3 characters).
    monkeypatch.setattr(script, "_config", lambda: {"to_simplified": ["tw2sp"], "to_traditional": ["s2t"]})
    script._converters.cache_clear()
    try:
        text = "透過網際網路使用"
        converted = script.to_simplified(text)
        assert len(converted) == len(text)
        assert converted == "透过网际网路使用"
    finally:
        script._converters.cache_clear()


def test_scripts_are_told_apart_by_their_own_characters():
    assert script_counts("世界知識產權組織") == (5, 0)
    assert script_counts("世界知识产权组织") == (0, 5)
    assert chinese_script("臺灣的智慧財產局") == "zh-Hant"
    assert chinese_script("中国和巴西") == "zh-Hans"
    assert chinese_script("巴西和智利", default="zh-Hant") == "zh-Hant"  # shared characters only


def test_paragraph_languages_and_document_tags():
    assert text_language("WIPO GREEN helps Brazil.") == "en"
    assert text_language("产权组织与巴西合作。") == "zh-Hans"
    assert text_language("產權組織與巴西合作。") == "zh-Hant"
    assert text_language("4.4, 2023") == "und"
    assert document_language(["zh-Hans", "zh-Hans"]) == "zh-Hans"
    assert document_language(["zh-Hans", "en", "und"]) == "mul"
    assert [key_language(t) for t in ("zh-Hans", "zh-Hant", "en", "mul")] == ["zh", "zh-hant", "en", "mul"]


# -- readers -------------------------------------------------------------------

def test_article_with_dateline_title_and_blank_line_paragraphs(tmp_path):
    text = ("Geneva, April 26, 2024\n\nWIPO GREEN in Chile\n\nThe first paragraph is broken\nacross two lines.\n\n"
            "* * *\n\nhttps://www.wipo.int/green/\n\nA second paragraph.\n")
    document = read(tmp_path, text)
    assert document.kind == "article"
    assert (document.metadata.date.isoformat(), document.metadata.title) == ("2024-04-26", "WIPO GREEN in Chile")
    assert [p.text for p in document.paragraphs] == ["The first paragraph is broken across two lines.",
                                                     "A second paragraph."]
    assert document.paragraphs[0].links == ["https://www.wipo.int/green/"]
    assert [(p.number, p.line, p.language) for p in document.paragraphs] == [(1, 5, "en"), (2, 12, "en")]
    start, end = document.paragraphs[0].source_span
    assert text[start:end] == "The first paragraph is broken\nacross two lines."


def test_article_without_blank_lines_has_a_paragraph_per_line(tmp_path):
    document = read(tmp_path, "产权组织新闻\n第一段。\n第二段，\n仍是一段新的段落。\n")
    assert document.metadata.title == "产权组织新闻"
    assert [p.text for p in document.paragraphs] == ["第一段。", "第二段，", "仍是一段新的段落。"]


def test_a_line_in_the_other_language_starts_a_paragraph_of_its_own(tmp_path):
    document = read(tmp_path, "标题\nTitle\n\n产权组织与智利合作。\nWIPO works with Chile.\n\n第二段。\nSecond.\n")
    assert document.metadata.title == "标题" and document.metadata.other_titles == [("en", "Title")]
    assert [(p.number, p.language) for p in document.paragraphs] == [
        (1, "zh-Hans"), (2, "en"), (3, "zh-Hans"), (4, "en")]
    assert document.translations == [(1, 2), (3, 4)]
    assert document.language == "mul"


def test_translation_pairs_are_neighbours_in_different_languages(tmp_path):
    document = read(tmp_path, "第一段。\n第二段。\nThe second paragraph.\n第三段。\n")
    assert document.translations == [(2, 3)]
    assert pair_translations(read(tmp_path, "One.\nTwo.\n").paragraphs) == []


def test_texts_without_paragraphs_are_refused_in_one_line(tmp_path):
    for text, message in (("Only a title\n", "no paragraphs found (only a title; expected paragraphs separated "
                                             "by blank lines or line breaks)"),
                          ("* * *\n12\n", "no letters in the text: not a document")):
        with pytest.raises(InputError) as info:
            read(tmp_path, text)
        assert str(info.value) == f"{tmp_path / 't.txt'}: {message}"


def test_the_reader_is_chosen_by_content_and_can_be_forced(tmp_path):
    lexicon = load_lexicon("zh")
    assert looks_like_report("1. 第一段。\n\n3. 第三段。\n", lexicon)  # a gap is the report reader's to report
    assert not looks_like_report("第一段。\n\n2. 只有一个编号。\n", lexicon)
    report = write_report(tmp_path, ["1. 产权组织与智利合作。", "2. 第二段。"])
    assert read_document(read_source(report)).kind == "report"
    as_article = read_document(read_source(report), "article")
    assert as_article.kind == "article"
    assert [p.text for p in as_article.paragraphs][-2:] == ["1. 产权组织与智利合作。", "2. 第二段。"]
    with pytest.raises(InputError, match="no numbered paragraphs found"):
        read(tmp_path, "Title\n\nA paragraph.\n", format="report")


# -- the pipelines ---------------------------------------------------------------

def keys(text: str, language: str) -> list[tuple[str, str]]:
    doc = load_pipeline(language)(to_simplified(text) if language == "zh-Hant" else text)
    return sorted({(s.label_, s.id_) for s in [*doc.spans["entities"], *doc.spans["sdg"]]})


def test_the_same_entities_in_english_simplified_and_traditional():
    english = keys("The World Health Organization (WHO) and the WIPO Academy worked with the Plurinational State "
                   "of Bolivia and Viet Nam towards targets 4.3, 4.4 and 4.7 and SDG 9.", "en")
    simplified = keys("世界卫生组织（世卫组织）和 WIPO学院与多民族玻利维亚国和越南合作，"
                      "促进实现具体目标 4.3、4.4和 4.7以及可持续发展目标 9。", "zh-Hans")
    traditional = keys("世界衛生組織（世衛組織）和 WIPO學院與多民族玻利維亞國和越南合作，"
                       "促進實現具體目標 4.3、4.4和 4.7以及可持續發展目標 9。", "zh-Hant")
    assert english == simplified == traditional == [
        ("COUNTRY", "BOL"), ("COUNTRY", "VNM"), ("GOAL", "9"), ("ORG", "who"), ("PROGRAMME", "wipo-academy"),
        ("TARGET", "4.3"), ("TARGET", "4.4"), ("TARGET", "4.7")]


def test_traditional_text_knows_taiwan_and_hong_kong_names():
    assert pipeline_name("zh-Hant") == "zh-Hant" and pipeline_name("zh-Hans") == "zh"
    assert keys("世界智慧財產權組織與紐西蘭、奈及利亞合作。", "zh-Hant") == [
        ("COUNTRY", "NGA"), ("COUNTRY", "NZL"), ("ORG", "wipo")]
    # In Simplified text 中美 means China and the US, not Central America (Taiwan's 中美).
    assert ("REGION", "013") in keys("中美洲和中美。", "zh-Hant")
    assert keys("中美关系。", "zh-Hans") == []


def test_english_latin_words_match_whole_and_in_their_case():
    assert keys("Most of the training took place in Brazil.", "en") == [("COUNTRY", "BRA")]  # not MoST
    doc = load_pipeline("en")("Funded by the Funds-in-Trust China, the course was held in Chile in partnership "
                              "with UNCTAD.")
    # "Funded by" matches the trigger "funded by"; "in" inside "Funds-in-Trust" is no trigger.
    assert [(s.text, s.label_, s._.kg_triggers) for s in doc.spans["roles"]] == [
        ("Funds-in-Trust China", "funder", ((0, 9),)), ("China", "origin", ((0, 9),)),
        ("Chile", "venue", ((51, 58),)), ("UNCTAD", "partner", ((65, 84),))]


# -- one build of the mixed folder ------------------------------------------------

def test_the_mixed_folder_builds_into_one_conforming_graph(mixed):
    result, out = mixed
    assert result.validation is not None and result.validation.conforms
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(d["file"], d["format"], d["language"], d["paragraph_languages"], d["translations"])
            for d in report["documents"]] == [
        ("CDIP_32_3_en_p1-10.txt", "report", "en", {"en": 10}, 0),
        ("CDIP_32_3_zh_p1-10.txt", "report", "zh-Hans", {"zh-Hans": 10}, 0),
        ("hk-wipo-lex-judgments-2025-09-01-zh-hant.txt", "article", "zh-Hant", {"zh-Hant": 3}, 0),
        ("wipo-academy-news-2022-11-03-en.txt", "article", "en", {"en": 4}, 0),
        ("world-ip-day-2024-zh-en.txt", "article", "mul", {"en": 3, "zh-Hans": 3}, 3)]
    assert [d["iri"] for d in report["documents"]] == [str(doc(k)) for k in (EN, ZH, HANT, ARTICLE, BILINGUAL)]
    assert result.warnings == []


def test_the_same_iris_in_every_language_and_script(mixed):
    graph = load(mixed[1])
    wipo, hkg = entity("org/wipo"), GEOAREA["344"]
    for key, n in ((EN, 1), (ZH, 1), (HANT, 1), (ARTICLE, 4)):
        assert (p(key, n), KGO.mentionsOrganisation, wipo) in graph, key
    assert (p(BILINGUAL, 1), KGO.mentionsOrganisation, wipo) in graph  # 世界知识产权组织（WIPO）
    assert (p(BILINGUAL, 2), KGO.mentionsOrganisation, wipo) in graph  # World Intellectual Property Organization
    day = entity("programme/world-ip-day")
    assert {(n, day in links(graph, p(BILINGUAL, n))) for n in (1, 2, 3, 4)} == {(1, True), (2, True), (3, True),
                                                                                   (4, True)}
    assert hkg in links(graph, p(HANT, 1)) and hkg in links(graph, p(BILINGUAL, 5)) and hkg in links(graph, p(BILINGUAL, 6))
    assert entity("programme/wipo-lex-judgments") in links(graph, p(HANT, 1))
    # The two editions of CDIP/32/3 paragraph by paragraph: the same targets, goals and countries.
    for n in range(1, 11):
        zh, en = links(graph, p(ZH, n)), links(graph, p(EN, n))
        sdg = lambda found: {e for e in found if str(e).startswith(str(SDG)) and "geoArea" not in str(e)}  # noqa: E731
        assert sdg(zh) == sdg(en), n
    assert {e for e in links(graph, p(ZH, 8)) if "geoArea" not in str(e)} == {
        SDG[c] for c in ("1", "4", "5", "8", "10", "15", "17", "1.4", "2.4", "2.5", "4.4", "5.5", "8.2", "8.3", "15.6",
                         "17.16", "17.17")}
    countries = lambda found: {e for e in found if "geoArea" in str(e)}  # noqa: E731
    assert countries(links(graph, p(ZH, 6))) == countries(links(graph, p(EN, 6))) == {
        GEOAREA[m] for m in ("484", "152", "116", "496", "686", "768")}
    for path in ("org/fao", "org/oapi", "org/afd", "org/funds-in-trust-china", "programme/covid-19-response-package"):
        assert entity(path) in links(graph, p(ZH, 7)) and entity(path) in links(graph, p(EN, 7)), path


def test_traditional_mentions_keep_the_original_surface_and_offsets(mixed):
    graph = load(mixed[1])
    source = (MULTILINGUAL / "hk-wipo-lex-judgments-2025-09-01-zh-hant.txt").read_text(encoding="utf-8")
    text = str(graph.value(p(HANT, 1), KGO.text))
    assert graph.value(p(HANT, 1), KGO.text).language == "zh-Hant"
    found = {}
    for mention in graph.subjects(KGO.inParagraph, p(HANT, 1)):
        if (mention, RDF.type, KGO.Mention) not in graph:
            continue
        start, end = int(graph.value(mention, KGO.start)), int(graph.value(mention, KGO.end))
        s_start, s_end = int(graph.value(mention, KGO.sourceStart)), int(graph.value(mention, KGO.sourceEnd))
        surface = str(graph.value(mention, KGO.surface))
        assert text[start:end] == source[s_start:s_end] == surface
        found[surface] = graph.value(mention, KGO.refersTo)
    assert found["世界知識產權組織"] == entity("org/wipo")
    assert found["WIPO Lex裁判文書"] == entity("programme/wipo-lex-judgments")
    assert found["香港特區"] == GEOAREA["344"]  # inside 香港特區政府, the region by its short name


def test_bilingual_text_tags_links_translations_and_titles(mixed):
    graph = load(mixed[1]).graph(URIRef(f"{BASE}graph/{BILINGUAL}"))
    node = doc(BILINGUAL)
    assert (node, RDF.type, KGO.Article) in graph
    assert set(graph.objects(node, DCTERMS.language)) == {EU_LANGUAGE.ZHO, EU_LANGUAGE.ENG}
    assert set(graph.objects(node, DCTERMS.title)) == {Literal("世界知识产权日 2024", lang="zh-Hans"),
                                                        Literal("World IP Day 2024", lang="en")}
    assert [graph.value(p(BILINGUAL, n), KGO.text).language for n in range(1, 7)] == ["zh-Hans", "en"] * 3
    pairs = {(int(str(a).rsplit("/", 1)[1]), int(str(b).rsplit("/", 1)[1]))
             for a, b in graph.subject_objects(KGO.hasTranslation)}
    assert pairs == {(1, 2), (2, 1), (3, 4), (4, 3), (5, 6), (6, 5)}


def test_editions_are_linked_paragraph_by_paragraph(mixed):
    editions = load(mixed[1]).graph(URIRef(f"{BASE}graph/editions"))
    assert set(editions.subject_objects(KGO.otherEdition)) == {(doc(ZH), doc(EN)), (doc(EN), doc(ZH))}
    assert set(editions.subject_objects(KGO.hasTranslation)) == (
        {(p(ZH, n), p(EN, n)) for n in range(1, 11)} | {(p(EN, n), p(ZH, n)) for n in range(1, 11)})


def test_editions_with_different_paragraph_counts_are_linked_where_both_have_a_number(tmp_path):
    zh = read_document(read_source(write_report(tmp_path, ["1. 第一段。", "2. 第二段。"], name="zh.txt")))
    en_path = tmp_path / "en.txt"
    en_path.write_text("CDIP/99/1\n\n1. First.\n\n2. Second.\n\n3. Third.\n", encoding="utf-8")
    en = read_document(read_source(en_path))
    pairs = edition_pairs([("cdip-99-1-zh", zh), ("cdip-99-1-en", en), ("other", read(tmp_path, "A title\n\nText.\n"))])
    assert [(x.symbol, x.first, x.second, x.numbers) for x in pairs] == [
        ("CDIP/99/1", "cdip-99-1-en", "cdip-99-1-zh", (1, 2))]
    assert [w.message for w in edition_warnings("cdip-99-1-zh", zh, pairs)] == [
        "edition cdip-99-1-en of CDIP/99/1 has 3 paragraphs, this one 2: only the 2 paragraph(s) numbered in both "
        "are linked"]


def test_the_stored_query_shows_where_the_editions_disagree(mixed):
    store = open_store(mixed[1])
    query = (ROOT / "queries" / "edition-disagreements.rq").read_text(encoding="utf-8")
    rows = [(b["symbol"].value, int(b["paragraph"].value), b["entity"].value.replace(BASE, ""),
             b["link"].value.rsplit("#", 1)[1], b["foundIn"].value.rsplit("/", 1)[1], b["surface"].value,
             b["missingFrom"].value.rsplit("/", 1)[1])
            for b in store.query(query, use_default_graph_as_union=True)]
    geo = str(GEOAREA)
    assert rows == [
        ("CDIP/32/3", 7, geo + "250", "mentionsCountry", ZH, "法国", EN),  # 法国开发署: the French Development Agency
        ("CDIP/32/3", 7, geo + "002", "mentionsRegion", ZH, "非洲", EN),  # 非洲知识产权组织: "African" names no place
        ("CDIP/32/3", 9, "org/wipo", "mentionsOrganisation", ZH, "产权组织", EN),  # abridged in the English text
        ("CDIP/32/3", 9, "programme/dipcon-prepcom", "mentionsProgramme", ZH, "外交会议筹备委员会", EN),
        # (The English "United Nations Framework Convention on Climate Change" is the treaty, as 联合国气候变化框架公约 is.)
        # The English edition names the Egyptian Academy of Scientific Research and Technology (the model
        # proposes it); the Chinese one names Egypt alone.
        ("CDIP/32/3", 10, "org/unregistered/676e00a999b4", "mentionsOrganisation", EN,
         "Egyptian Academy of Scientific Research and Technology", ZH),
        ("CDIP/32/3", 10, geo + "818", "mentionsCountry", ZH, "埃及", EN),  # "Egyptian Academy…"
    ]


def test_document_titles_are_unique_per_language():
    data = Graph().parse(ROOT / "tests" / "shapes" / "valid.ttl", format="turtle")
    report = URIRef("http://example.org/id/doc/t-zh")
    data.add((report, DCTERMS.title, Literal("Test report", lang="en")))
    data.add((report, DCTERMS.language, EU_LANGUAGE.ENG))
    assert validate_graph(data).conforms  # a bilingual document: a title and a language each
    data.add((report, DCTERMS.title, Literal("Another test report", lang="en")))
    result = validate_graph(data)
    assert {v.shape for v in result.violations} == {"ReportShape"}


def test_format_option_and_a_one_line_refusal():
    article = MULTILINGUAL / "wipo-academy-news-2022-11-03-en.txt"
    result = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "build", str(article),
                             "--format", "report", "--out", "/nonexistent/never-written"],
                            capture_output=True, text=True)
    assert (result.returncode, result.stderr.strip()) == (
        2, f"kg: error: {article}: no numbered paragraphs found (expected lines such as '1. ...')")


def test_the_mixed_build_is_byte_identical_across_runs(mixed, tmp_path):
    from kg.build.run import build

    build([MULTILINGUAL], tmp_path, validate=False)
    for name in ("graph.nq", "report.json", "unregistered.csv"):
        assert (tmp_path / name).read_bytes() == (mixed[1] / name).read_bytes(), name
    # Names the registry lacks, which the statistical model proposes (香港特区政府 and 香港特别行政区政府知识产权署
    # are registered).
    assert [line.split(",")[0] for line in
            (tmp_path / "unregistered.csv").read_text(encoding="utf-8").splitlines()[1:]] == [
        "Egyptian Academy of Scientific Research and Technology", "BUMDA",
        "Malian Center for the Promotion of Industrial Property", "Malian Copyright Office"]


def test_the_query_takes_the_document_symbol(mixed):
    import pyoxigraph

    store = open_store(mixed[1])
    query = (ROOT / "queries" / "edition-disagreements.rq").read_text(encoding="utf-8")

    def count(symbol: str) -> int:
        return len(list(store.query(query, use_default_graph_as_union=True,
                                    substitutions={pyoxigraph.Variable("symbol"): pyoxigraph.Literal(symbol)})))

    assert (count("CDIP/32/3"), count("CDIP/99/9")) == (6, 0)


def test_every_document_graph_is_validated_as_a_document_reports_and_articles(mixed):
    # Validation by partition checks each document graph on its own; an article's graph is one too.
    store = open_store(mixed[1])
    assert [g.value.rsplit("/", 1)[1] for g in document_graphs(store)] == sorted(
        str(doc(k)).rsplit("/", 1)[1] for k in (EN, ZH, HANT, ARTICLE, BILINGUAL))
    # Its own nodes ({article} and {article}/...) are not taken for nodes another graph describes.
    article = ox.NamedNode(str(doc(ARTICLE)))
    graph = next(store.quads_for_pattern(article, None, None, None)).graph_name
    own = [s for s in foreign_subjects(list(store.quads_for_pattern(None, None, None, graph)))
           if isinstance(s, ox.NamedNode) and s.value.startswith(article.value)]
    assert own == []

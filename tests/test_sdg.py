"""SDG goals and targets a text addresses without citing them (kg.inference), with their evidence."""

from __future__ import annotations

from kg.inference.classifier import masked
from kg.inference.goals import Evidence, Parameters, ParagraphEvidence, infer, load_parameters
from kg.nlp.sdg_concepts import load_concepts
from kg.training.sdg import fit, printed_goals


def terms(text: str, *words: str) -> list[Evidence]:
    found = []
    for word in words:
        start = text.index(word)
        found.append(Evidence(start, start + len(word), word))
    return found


def test_printed_numbers_are_blanked_offsets_kept():
    text = "促进实现具体目标 4.4、4.5 和可持续发展目标 9。"
    blanked = masked(text)
    assert len(blanked) == len(text) and "4.4" not in blanked and "9" not in blanked
    assert blanked.startswith("促进实现") and printed_goals(text) == {"4", "9"}
    assert not any(c.isdigit() for c in masked("WIPO supports SDG 9 and Targets 4.3 and 4.4."))


def test_a_paragraph_about_accessible_books_addresses_goal_4_on_its_own_words():
    text = "马拉喀什条约帮助盲人和视力障碍者获得无障碍格式图书。"
    lexicon = load_concepts()
    words = [w for w in ("马拉喀什条约", "盲人", "视力障碍", "无障碍格式") if lexicon.codes("zh", w)]
    assert len(words) >= 2, "the concept lexicon knows these terms"
    links = infer([ParagraphEvidence(1, terms(text, *words))])
    goals = {link.code: link for link in links if link.is_goal}
    assert "4" in goals
    # Every link shows its evidence, words of the paragraph at their offsets.
    for link in links:
        assert link.evidence and all(text[e.start:e.end] == e.term for e in link.evidence)
        assert 0 < link.score <= 1


def test_no_words_no_link_whatever_the_classifier_says():
    # The classifier alone never links a goal: an inferred link needs the paragraph's own words.
    sure = {str(g): (0.99 if g == 13 else 0.01) for g in range(1, 18)}
    assert infer([ParagraphEvidence(1, [], classifier=sure)]) == []


def test_a_neighbours_subject_carries_a_paragraph_whose_words_are_few():
    lexicon = load_concepts()
    strong = "气候变化的减缓与适应，温室气体排放，可再生能源，气候变化。"
    weak = "此外还举办了气候讲习班。"
    strong_words = [w for w in ("气候变化", "温室气体", "可再生能源") if lexicon.codes("zh", w)]
    weak_words = [w for w in ("气候",) if lexicon.codes("zh", w)]
    assert strong_words and weak_words
    paragraphs = [ParagraphEvidence(1, terms(strong, *strong_words)), ParagraphEvidence(2, terms(weak, *weak_words))]
    alone = infer([paragraphs[1]])
    together = infer(paragraphs)
    assert "13" in {l.code for l in together if l.paragraph == 2 and l.is_goal}
    lonely = {l.code for l in alone if l.is_goal}
    # Alone, the weak paragraph is not enough (or at most as sure) for goal 13.
    score_alone = max((l.score for l in alone if l.code == "13"), default=0.0)
    score_together = max(l.score for l in together if l.code == "13" and l.paragraph == 2)
    assert score_together >= score_alone and ("13" not in lonely or score_alone < 1)


def test_stricter_parameters_link_less():
    text = "可再生能源和能源效率：清洁能源技术转让。"
    lexicon = load_concepts()
    words = [w for w in ("可再生能源", "能源效率", "清洁能源", "技术转让") if lexicon.codes("zh", w)]
    paragraph = [ParagraphEvidence(1, terms(text, *words))]
    usual = load_parameters()
    strict = Parameters(**{**usual.__dict__, "goal_threshold": 0.999, "local_threshold": 0.999})
    assert len(infer(paragraph, strict)) < len(infer(paragraph, usual))


def test_the_classifier_is_seeded_the_same_data_give_the_same_model():
    texts = [("可再生能源与清洁能源", {"7"}), ("盲人无障碍图书", {"4"}), ("气候变化适应", {"13"})]
    first, second = fit("zh", texts, epochs=2), fit("zh", texts, epochs=2)
    assert first.to_bytes() == second.to_bytes()
    assert set(first("清洁能源").cats) == {str(g) for g in range(1, 18)}


def test_the_default_build_keeps_inferred_links_apart_from_citations_with_evidence(built):
    import json

    from rdflib import Dataset
    from rdflib.namespace import RDF

    from kg.namespaces import KGO

    result, out = built
    dataset = Dataset()
    dataset.parse(out / "graph.nq", format="nquads")
    graph = dataset.graph(result.documents[0].graph_iri)
    inferences = set(graph.subjects(RDF.type, KGO.SdgInference))
    assert inferences
    for node in inferences:
        paragraph = graph.value(node, KGO.inParagraph)
        addressed = graph.value(node, KGO.addresses)
        link = graph.value(node, KGO.linkProperty)
        assert (paragraph, link, addressed) in graph
        text = str(graph.value(paragraph, KGO.text))
        spans = list(graph.objects(node, KGO.evidence))
        assert spans
        for span in spans:
            start, end = int(graph.value(span, KGO.start)), int(graph.value(span, KGO.end))
            assert text[start:end] == str(graph.value(span, KGO.surface))
    # Every direct inferred link is reified; citations stay kgo:citesTarget/kgo:citesGoal.
    for link in (KGO.addressesGoal, KGO.addressesTarget):
        for paragraph, _, addressed in graph.triples((None, link, None)):
            assert any(graph.value(n, KGO.inParagraph) == paragraph for n in graph.subjects(KGO.addresses, addressed))
    entry = json.loads((out / "report.json").read_text(encoding="utf-8"))["documents"][0]
    assert entry["inferred"]["links"] == len(inferences)
    assert entry["inferred"]["goals"] == sorted(
        {str(graph.value(n, KGO.addresses)).rsplit("/", 1)[1] for n in inferences
         if graph.value(n, KGO.linkProperty) == KGO.addressesGoal}, key=int)


def test_every_target_has_the_uns_chinese_wording():
    from kg.knowledge.sdg import load_sdg_registry

    registry = load_sdg_registry()
    assert all(t.labels.get("zh") for t in registry.targets.values())
    assert registry.target("4.4").labels["zh"].startswith("到2030年,大幅增加掌握就业、体面工作和创业所需相关技能")

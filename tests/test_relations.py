"""Activities, roles and weighted relations: who did what, with whom, where, for which targets."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kg.errors import DataError
from kg.language.lexicon import load_lexicon
from kg.nlp.pipeline import load_pipeline
from kg.nlp.roles import RoleFinder, triggers
from kg.store.open import open_store
from conftest import ROOT, write_report

BASE = "https://w3id.org/sdg-kg/id/"
DOC = BASE + "doc/cdip-32-3-zh"
PREFIXES = "PREFIX kgo: <https://w3id.org/sdg-kg/ontology#>\n"


@pytest.fixture(scope="module")
def activities(built):
    result, _ = built
    return result.documents[0].activities


@pytest.fixture(scope="module")
def store(built):
    return open_store(built[1])


def of(activities, paragraph: int, item: int | None = None):
    return [a for a in activities if a.paragraph == paragraph and (item is None or a.item == item)]


def roles(activity) -> set[tuple[str, str]]:
    return {(p.mention.key, p.role) for p in activity.participations}


def trigger_words(activity, key: str, role: str, text: str) -> list[str]:
    participation = next(p for p in activity.participations if p.mention.key == key and p.role == role)
    return [text[a:b] for a, b in participation.triggers]


def targets(activity) -> list[str]:
    return [str(t).rsplit("/", 1)[1] for t in activity.targets]


def select(store, query: str) -> list[tuple[str, ...]]:
    rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return sorted(tuple(term.value for term in row) for row in rows)


# -- the report ---------------------------------------------------------------


def test_a_funder_and_two_partners_in_one_sentence(activities, report):
    # ¶7 item 2: "该项目由中国信托基金（FIT）提供财政支持，并与联合国粮食及农业组织（粮农组织）
    # 和法国开发署（AFD）合作实施。其他项目也在中国信托基金的支持下在柬埔寨和多哥实施。"
    [activity] = of(activities, 7, item=2)
    text = report.paragraph(7).text
    assert roles(activity) == {
        ("funds-in-trust-china", "funder"), ("fao", "partner"), ("afd", "partner"),
        ("CHN", "origin"), ("FRA", "origin"),  # named in the funder's and a partner's names
        ("KHM", "beneficiary"), ("TGO", "beneficiary"),
        ("SEN", "mentioned"), ("oapi", "mentioned"), ("002", "mentioned"),  # inside OAPI's name
    }
    assert trigger_words(activity, "funds-in-trust-china", "funder", text) == ["提供财政支持", "由", "在", "的支持下"]
    assert trigger_words(activity, "fao", "partner", text) == ["与", "合作"]
    assert trigger_words(activity, "afd", "partner", text) == ["与", "合作"]
    assert activity.years == [2022, 2023]
    assert [k for k, _ in activity.programmes] == ["wipo"] and activity.by_actor


def test_the_funder_and_partners_in_the_graph(store):
    rows = select(store, f"""
        SELECT ?who ?role ?surface ?start WHERE {{
          <{DOC}/p/7/activity/2> kgo:hasParticipation ?p .
          ?p kgo:participant ?who ; kgo:role ?role ; kgo:trigger ?t .
          ?t kgo:surface ?surface ; kgo:start ?start .
          FILTER (?role IN (kgo:Funder, kgo:Partner))
        }}""")
    kgo = "https://w3id.org/sdg-kg/ontology#"
    org = BASE + "org/"
    assert rows == sorted([
        (org + "afd", kgo + "Partner", "与", "536"), (org + "afd", kgo + "Partner", "合作", "564"),
        (org + "fao", kgo + "Partner", "与", "536"), (org + "fao", kgo + "Partner", "合作", "564"),
        (org + "funds-in-trust-china", kgo + "Funder", "由", "516"),
        (org + "funds-in-trust-china", kgo + "Funder", "提供财政支持", "528"),
        (org + "funds-in-trust-china", kgo + "Funder", "在", "574"),
        (org + "funds-in-trust-china", kgo + "Funder", "的支持下", "581"),
    ])


def test_beneficiary_countries_listed_after_受益国是(activities, report):
    # ¶18: "该项目的受益国是摩洛哥、沙特阿拉伯、索马里、阿拉伯叙利亚共和国、突尼斯和阿拉伯联合酋长国。"
    [activity] = of(activities, 18)
    text = report.paragraph(18).text
    assert roles(activity) == {(c, "beneficiary") for c in ("MAR", "SAU", "SOM", "SYR", "TUN", "ARE")}
    for country in ("MAR", "ARE"):
        assert trigger_words(activity, country, "beneficiary", text) == ["受益国是"]
    assert targets(activity) == ["2.4", "2.a"]  # "该项目促进实现…" is said of the same project


def test_a_venue_country(activities, report):
    # ¶33 item 3: "第五届亚洲知识产权与创新研究人员（IPIRA）会议于 2023 年 3 月 1 日至 3日在新加坡举行"
    [activity] = of(activities, 33, item=3)
    assert roles(activity) == {("SGP", "venue"), ("142", "beneficiary")}  # an Asian regional conference
    assert trigger_words(activity, "SGP", "venue", report.paragraph(33).text) == ["在", "举行"]
    assert (activity.start_date, activity.end_date) == (date(2023, 3, 1), date(2023, 3, 3))
    assert targets(activity) == ["4.3"]  # from the list's lead


def test_an_online_event_has_no_venue_and_a_national_one_serves_its_country(activities):
    # ¶73 item 2: "在博茨瓦纳、…和赞比亚为知识产权局工作人员举办了马德里体系虚拟培训讲习班"
    [online] = of(activities, 73, item=2)
    assert roles(online) == {(c, "beneficiary") for c in ("BWA", "LSO", "MWI", "MOZ", "QAT", "GMB", "ZMB")}
    # ¶108 item 4: "在塞尔维亚贝尔格莱德举行的初创企业知识产权国家讲习班" (item 1 is an international conference)
    [national] = of(activities, 108, item=4)
    assert roles(national) == {("SRB", "venue"), ("SRB", "beneficiary")}
    [international] = of(activities, 108, item=1)
    assert roles(international) == {("POL", "venue")}


def test_targets_stated_for_these_activities_go_back_to_them(activities, report):
    # ¶8 is only "这些活动也促进实现可持续发展目标 1、4、5、8、10、15 和 17，特别是具体目标 1.4、…":
    # no activity of its own; its targets go to the section's activities before it (¶5-¶7).
    assert of(activities, 8) == []
    for activity in of(activities, 5) + of(activities, 6) + of(activities, 7):
        assert {"1.4", "2.4", "2.5", "4.4", "5.5", "8.2", "8.3", "15.6", "17.16", "17.17"} <= set(targets(activity))
        assert any(m.paragraph == 8 for m in activity.citations)
    # ¶15 "这些 WIPO GREEN举措也促进实现具体目标 13.1 和 13.3" names a programme: only
    # WIPO GREEN's activities since the last such reference receive the targets.
    assert of(activities, 15) == []
    received = sorted((a.paragraph, a.number) for a in activities if "13.1" in targets(a) and a.paragraph < 16)
    assert received == [(10, 1), (13, 1), (14, 1)]
    # Within a paragraph: ¶17's "这些项目还…促进实现具体目标 8.3，…9.b" joins the sentence before.
    [projects] = of(activities, 17)
    assert targets(projects) == ["2.3", "8.3", "9.b"]
    assert roles(projects) == {("OMN", "beneficiary"), ("GEO", "beneficiary")}  # "在阿曼，" "在格鲁吉亚，"


def test_the_bullets_of_paragraph_62_are_separate_activities(activities):
    found = of(activities, 62)
    # 21 items; items 4 and 6 each describe two activities (a sentence citing targets closes one).
    assert [(a.number, a.item) for a in found] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 4), (6, 5), (7, 6), (8, 6),
                                                   *[(n + 2, n) for n in range(7, 22)]]
    assert all("5" in targets(a) for a in found)  # the lead: "…促进了可持续发展目标 5 各项具体目标的实现："
    wep = of(activities, 62, item=5)[0]
    assert [k for k, _ in wep.programmes] == ["wep"]
    assert roles(wep) == {("inta", "partner"), ("ilo", "partner"), ("itc", "partner")}
    assert (wep.years, wep.start_date, wep.end_date) == ([2023, 2024], date(2023, 9, 18), date(2023, 9, 22))
    assert targets(wep) == ["4.4", "4.5", "4.7", "5", "5.5", "8.3"]
    kigali = of(activities, 62, item=8)[0]
    assert roles(kigali) == {("RWA", "venue"), ("002", "beneficiary"), ("002", "origin")}
    assert (kigali.start_date, kigali.end_date) == (date(2023, 5, 15), date(2023, 5, 17))
    korea = of(activities, 62, item=13)[0]
    assert roles(korea) == {("BGD", "beneficiary"), ("funds-in-trust-korea", "funder"), ("kipa", "partner"),
                            ("KOR", "origin")}


def test_activity_dates_and_years_in_the_graph(store):
    rows = select(store, f"""
        SELECT ?activity ?start ?end ?year WHERE {{
          ?activity kgo:describedIn ?item ; kgo:startDate ?start ; kgo:endDate ?end ; kgo:year ?year .
          ?item kgo:inParagraph <{DOC}/p/33> .
        }}""")
    assert rows == [(f"{DOC}/p/33/activity/{n}", start, end, "2023") for n, start, end in (
        (1, "2023-11-13", "2023-11-24"), (2, "2023-10-26", "2023-10-27"), (3, "2023-03-01", "2023-03-03"))]


def test_relation_weights_count_their_supporting_activities(store):
    rows = select(store, """
        SELECT ?relation ?weight (COUNT(DISTINCT ?activity) AS ?n) WHERE {
          ?relation a kgo:Relation ; kgo:weight ?weight .
          ?activity a kgo:Activity ; kgo:supports ?relation .
        } GROUP BY ?relation ?weight""")
    assert rows and all(weight == n for _, weight, n in rows)
    # Every reified relation states its direct triple too.
    missing = select(store, """
        SELECT ?relation WHERE {
          ?relation a kgo:Relation ; kgo:relationType ?p ; kgo:relationSource ?s ; kgo:relationTarget ?o .
          FILTER NOT EXISTS { ?s ?p ?o }
        }""")
    assert missing == []


def test_programme_relations(store):
    rows = select(store, f"""
        SELECT ?type ?target ?weight WHERE {{
          ?r kgo:relationSource <{BASE}programme/wipo-academy> ; kgo:relationType ?type ;
             kgo:relationTarget ?target ; kgo:weight ?weight .
          FILTER (?target IN (<{BASE}org/unesco>, <{BASE}org/kipo>, <http://metadata.un.org/sdg/4.c>,
                              <http://metadata.un.org/sdg/codes/geoArea/642>))
        }}""")
    kgo = "https://w3id.org/sdg-kg/ontology#"
    assert rows == sorted([
        (kgo + "partnersWith", BASE + "org/unesco", "1"),
        (kgo + "partnersWith", BASE + "org/kipo", "1"),
        (kgo + "contributesTo", "http://metadata.un.org/sdg/4.c", "4"),  # ¶41 and ¶42's three items
        (kgo + "activeIn", "http://metadata.un.org/sdg/codes/geoArea/642", "1"),  # Romania, ¶42 item 2
    ])


# -- the rules, on sentences of their own -------------------------------------------


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("zh")


def found(nlp, text: str) -> set[tuple[str, str, str]]:
    doc = nlp(text)
    return {(s.text, s.label_, "".join(text[a:b] for a, b in triggers(doc, s))) for s in doc.spans["roles"]}


def test_a_frame_governs_a_coordinated_list(nlp):
    assert found(nlp, "为来自摩洛哥、沙特阿拉伯和突尼斯的 30 名专家举办了讲习班。") == {
        (country, role, words) for country in ("摩洛哥", "沙特阿拉伯", "突尼斯")
        for role, words in (("origin", "来自的"), ("beneficiary", "为举办"))}


def test_a_list_before_a_suffix_and_before_a_symmetric_frame(nlp):
    # Both trust funds fund; the offices before 与 sign the agreement with WIPO, like it.
    assert found(nlp, "该项目由韩国信托基金和日本信托基金资助。") >= {
        ("韩国信托基金", "funder", "由资助"), ("日本信托基金", "funder", "由资助")}
    assert found(nlp, "智利、秘鲁的知识产权局与产权组织签署了一份谅解备忘录。") == {
        ("智利", "origin", "与签署"), ("秘鲁", "origin", "与签署")}


def test_an_organisation_named_beside_the_actor_is_a_partner(nlp):
    assert found(nlp, "第十九届产权组织-世贸组织知识产权教师座谈会于 2023 年 11 月举行。") == {("世贸组织", "partner", "-")}
    assert found(nlp, "世卫组织、产权组织、世贸组织的三方合作继续进行。") == {
        ("世卫组织", "partner", "产权组织"), ("世贸组织", "partner", "产权组织")}


def test_a_place_in_a_name_follows_the_organisation(nlp):
    # A mentioned organisation's place is mentioned; a beneficiary's is served.
    assert found(nlp, "申请提交给了非洲知识产权组织（OAPI）。") == set()
    assert found(nlp, "产权组织为阿联酋专利局工作人员举办了网络研讨会。") == {
        ("阿联酋专利局", "beneficiary", "为举办"), ("阿联酋", "beneficiary", "为举办")}


def test_topic_places_project_heads_and_talks(nlp):
    assert found(nlp, "在阿曼，58 名采摘者接受了培训。") == {("阿曼", "beneficiary", "在")}
    # Not a bare list between 在 and the comma: no role.
    assert found(nlp, "在俄罗斯联邦和突尼斯于 2023 年加入之后，可在 70 个国家获得保护。") == set()
    assert found(nlp, "喀麦隆和秘鲁主题为“知识产权、旅游和烹饪”的发展议程项目继续进行。") == {
        ("喀麦隆", "beneficiary", "项目"), ("秘鲁", "beneficiary", "项目")}
    assert found(nlp, "产权组织参加了与非洲和亚洲女性领导人的在线炉边谈话。") == {
        ("非洲", "origin", "与谈话"), ("亚洲", "origin", "与谈话")}


def test_an_opening_word_inside_a_longer_word_is_no_trigger(nlp):
    # 为 in 作为, 在 in 旨在: no frame opens there.
    assert found(nlp, "作为联合国国家工作队为佛得角开展的联合工作计划活动的一部分，提供了援助。") == {
        ("佛得角", "beneficiary", "为开展"), ("联合国国家工作队", "partner", "计划")}


def test_english_prefixes_govern_the_list_after_them():
    nlp = load_pipeline("en")
    text = "The beneficiary countries were Morocco, Saudi Arabia and Tunisia. A workshop was held in Chile for experts from Peru."
    doc = nlp(text)
    assert {(s.text, s.label_, "".join(text[a:b] for a, b in triggers(doc, s))) for s in doc.spans["roles"]} == {
        ("Morocco", "beneficiary", "beneficiary countries were"),
        ("Saudi Arabia", "beneficiary", "beneficiary countries were"),
        ("Tunisia", "beneficiary", "beneficiary countries were"),
        ("Chile", "venue", "held in"), ("Peru", "origin", "experts from")}


def test_a_bad_relations_section_is_one_clear_error():
    lexicon = load_lexicon("zh")
    broken = dict(lexicon.relations, frames=[{"role": "sponsor", "open": ["由"], "close": ["赞助"]}])
    with pytest.raises(DataError) as error:
        RoleFinder(replace(lexicon, relations=broken))
    message = str(error.value)
    assert message.startswith(str(lexicon.path)) and "unknown role(s) sponsor" in message
    assert len(message.splitlines()) == 1
    missing = {k: v for k, v in lexicon.relations.items() if k != "roles_by_type"}
    with pytest.raises(DataError, match=r"\[relations\]: missing key 'roles_by_type'"):
        RoleFinder(replace(lexicon, relations=missing))


def test_an_english_report_has_activities_with_roles_dates_and_back_references(tmp_path):
    from kg.build.document import Builder

    path = write_report(tmp_path, [
        "1. The project was implemented in cooperation with FAO and AFD. It contributes to target 4.3.",
        "2. A workshop was held in Peru on May 3, 2023, for experts from Chile and Mexico. "
        "These activities also contribute to target 8.3.",
    ], header="CDIP/99/2 \n\nORIGINAL: ENGLISH \n\nDATE: January 2, 2025 \n\nTest report \n\n")
    found = Builder().build_document(path).activities
    assert [(a.paragraph, a.number, targets(a), a.years, a.start_date) for a in found] == [
        (1, 1, ["4.3"], [], None), (2, 1, ["8.3"], [2023], date(2023, 5, 3))]
    assert roles(found[0]) == {("fao", "partner"), ("afd", "partner")}
    assert roles(found[1]) == {("PER", "venue"), ("CHL", "origin"), ("MEX", "origin")}


def test_a_partners_home_is_not_where_the_activity_went(store):
    # ¶7 item 2: Cambodia and Togo are reached; China and France are only where the
    # funder and a partner are from. The funder is active where its activity went.
    rows = select(store, f"""
        SELECT ?source ?place WHERE {{
          <{DOC}/p/7/activity/2> kgo:supports ?r .
          ?r kgo:relationType kgo:activeIn ;
             kgo:relationSource ?source ; kgo:relationTarget ?place .
        }}""")
    geo = "http://metadata.un.org/sdg/codes/geoArea/"
    assert rows == sorted((BASE + source, geo + place) for source in ("org/wipo", "org/funds-in-trust-china",
                                                                       "org/fao", "org/afd")
                          for place in ("116", "768"))


def test_the_english_edition_of_paragraph_7_has_the_same_funder_and_partners():
    from kg.build.document import Builder

    found = Builder().build_document(ROOT / "tests" / "data" / "multilingual" / "CDIP_32_3_en_p1-10.txt").activities
    [fit] = [a for a in found if a.paragraph == 7 and ("funds-in-trust-china", "funder") in roles(a)]
    # "financed by the Funds-in-Trust China (FIT China) and implemented in cooperation with the Food and
    # Agriculture Organization of the United Nations (FAO) and the French Development Agency (AFD)"
    assert {r for r in roles(fit) if r[1] != "mentioned"} == {
        ("funds-in-trust-china", "funder"), ("CHN", "origin"), ("fao", "partner"), ("afd", "partner"),
        ("KHM", "beneficiary"), ("TGO", "beneficiary")}


def test_a_relations_section_without_its_year_pattern_is_one_clear_error():
    from kg.graph.relations import ActivityFinder

    lexicon = load_lexicon("zh")
    broken = {k: v for k, v in lexicon.relations.items() if k != "year"}
    with pytest.raises(DataError, match=r"zh\.toml: \[relations\]: missing key 'year'$"):
        ActivityFinder(replace(lexicon, relations=broken), None)

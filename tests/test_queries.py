"""The stored queries: each one's exact answer on the default report, parameters bound as RDF terms.

Answers that rest on citations are checked against the hand annotation
(tests/gold/sdg_citations.json) or against the text itself; answers that rest on
the roles the pipeline reads are checked by hand where the text is plain, and
against an independent computation from the build's activities otherwise. Where
the pipeline disagrees with the text, the test states the text's answer and is
marked xfail(strict=True), so it flips as soon as the pipeline gets it right.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph
import pytest
from rdflib.namespace import RDF

from kg.build.run import build
from kg.errors import KgError
from kg.graph.relations import PARTNER_ROLES, materialise
from kg.namespaces import DEFAULT_BASE_IRI, GEOAREA, KGO, SDG
from kg.resources import shipped
from kg.store.binding import ParameterError, data_base, run
from kg.store.open import open_store
from kg.store.queries import catalogue, parse_query_file, readme, stored_query
from kg.store.sparql import (QueryError, Refused, check_query, execute, lateral_position, service_position,
                             update_keyword)
from conftest import GOLD, ROOT, write_report

BASE = DEFAULT_BASE_IRI
HOSTILE = '"> } ; DROP ALL #'


def iri(path: str) -> str:
    return BASE + path


def programme(key: str) -> str:
    """The IRI of a programmes.csv row: a standing programme (programme/…) or a project (project/…)."""
    from kg.knowledge.registry import load_registry

    entity = load_registry().get("PROGRAMME", key) or load_registry().get("PROJECT", key)
    return iri(entity.path)


def org(key: str) -> str:
    return iri(f"org/{key}")


def value(term):
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value
        if datatype.endswith("#integer"):
            return int(term.value)
        if datatype.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


@pytest.fixture(scope="module")
def store(built):
    return open_store(built[1])


@pytest.fixture(scope="module")
def document(built):
    (result,) = built[0].documents
    return result


def ask(store, name: str, **params) -> list[dict]:
    result, _ = run(store, stored_query(name), {k: str(v) for k, v in params.items()})
    names = [v.value for v in result.variables]
    return [{n: value(row[n]) for n in names} for row in result]


def ask_boolean(store, query: str) -> bool:
    from kg.namespaces import SPARQL_PREFIXES

    return bool(store.query(SPARQL_PREFIXES + query, use_default_graph_as_union=True))


def column(rows: list[dict], *names: str) -> list:
    return [tuple(r[n] for n in names) if len(names) > 1 else r[names[0]] for r in rows]


def gold_citations() -> dict[int, dict]:
    data = json.loads((GOLD / "sdg_citations.json").read_text(encoding="utf-8"))["paragraphs"]
    return {int(n): entry for n, entry in data.items()}


# -- the catalogue ---------------------------------------------------------------------

def test_at_least_fifteen_stored_queries_each_with_a_complete_header():
    found = catalogue()
    assert len(found) >= 15
    for query in found.values():
        assert query.question and query.question.endswith("?"), query.name
        assert re.search(r"[\u4e00-\u9fff]", query.question_zh), query.name
        assert query.examples and all(e.startswith(f"kg query {query.name}") for e in query.examples), query.name
        for parameter in query.parameters:
            assert re.search(rf"--param {parameter.name}=", " ".join(query.examples)), (query.name, parameter)
            assert re.search(rf"[?$]{parameter.name}\b", query.text), (query.name, parameter)
        # Every header states how parameter values are bound.
        assert "docs/queries.md" in query.text.split("PREFIX")[0], query.name


def test_queries_readme_lists_every_stored_query():
    assert (ROOT / "queries" / "README.md").read_text(encoding="utf-8") == readme(catalogue()), \
        "queries/README.md is stale: run `kg queries --markdown > queries/README.md`"


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_example_in_a_header_runs(store, name):
    query = stored_query(name)
    for example in query.examples:
        values = dict(re.findall(r"--param (\w+)=(\S+)", example))
        result, _ = run(store, query, values)
        assert not isinstance(result, pyoxigraph.QueryBoolean)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_order_by_decides_the_order_of_every_row(store, name):
    """Two different rows never tie on the ORDER BY keys: the order is the query's, not a store's whim
    (a store may put tied rows in any order, and pyoxigraph does so from one run to the next), so every
    store gives the same rows in the same order (tests/test_engines.py) and kg's output is deterministic."""
    query = stored_query(name)
    order = re.search(r"^ORDER BY (.+)$", query.text, re.M)
    if order is None:  # a CONSTRUCT: a set of triples, written sorted
        assert re.search(r"^CONSTRUCT\b", query.text, re.M), name
        return
    keys = list(dict.fromkeys(re.findall(r"\?(\w+)", order.group(1))))
    # The keys the query orders by but does not return, returned too for the check.
    select = re.search(r"^SELECT (DISTINCT )?(.*?)\n(?:WHERE|\{)", query.text, re.M | re.S)
    hidden = [k for k in keys if not re.search(rf"[?]{k}\b(?!\s*\))", select.group(2)) and f"AS ?{k})" not in select.group(2)]
    text = query.text[:select.end(1) if select.group(1) else select.start(2)] + "".join(f"?{k} " for k in hidden) + \
        query.text[select.start(2):]
    checked = dataclasses.replace(query, text=text)
    for example in query.examples:
        result, _ = run(store, checked, dict(re.findall(r"--param (\w+)=(\S+)", example)))
        names = [v.value for v in result.variables]
        rows = [tuple(row[n] for n in names) for row in result]
        by_key: dict[tuple, set] = {}
        for row in rows:
            by_key.setdefault(tuple(row[names.index(k)] for k in keys), set()).add(row)
        tied = {key: found for key, found in by_key.items() if len(found) > 1}
        assert not tied, f"{example}: {len(tied)} ties on ORDER BY {order.group(1)}, e.g. {next(iter(tied.values()))}"


# -- structure and citations: exact answers ------------------------------------------------

# Hand-checked against the text: the activities that advance target 4.4 and who conducts them
# (¶5-¶7 through ¶8's "这些活动也促进实现…4.4"; ¶39 the four WIPO Academy certification
# programmes; ¶49 the Arbitration and Mediation Center, ADR Young and World IP Day; …).
PROGRAMMES_FOR_4_4 = [
    # ¶5, ¶6 item 3, ¶7 item 2, ¶44, ¶54 (WIPO Pulse, a work: it conducts nothing), ¶57 (webinar),
    # ¶59 (Gambia), ¶62 item 8, ¶98, ¶99, ¶160
    (org("wipo"), 11),
    (programme("lisbon-system"), 2),  # ¶6 items 1 and 2
    (programme("wipo-academy"), 2),  # ¶39, ¶40
    (programme("abc"), 1), (programme("abc-tta"), 1),  # ¶53
    (programme("bahrain-tm-examination-guidelines"), 1),  # ¶58
    (programme("bridging-ip-ecosystem-gaps"), 1),  # ¶57
    (programme("cabo-verde-youth"), 1),  # ¶104
    (programme("covid-19-response-package"), 1),  # ¶7 item 1
    (programme("da-ip-tourism-gastronomy"), 1), (programme("development-agenda"), 1),  # ¶45
    (programme("dl-ip-life-sciences-course"), 1), (programme("dl-ip-tk-tce-course"), 1),  # ¶48
    (programme("ghana-kente-gi"), 1),  # ¶59
    (programme("indigenous-youth-photography-prize"), 1),  # ¶48
    (programme("ip-asset-management-certificate"), 1),  # ¶39
    (programme("ip-challenge-game"), 1), (programme("ip-citizen-journalism"), 1),  # ¶50
    (programme("patent-drafting-training"), 1), (programme("tisc-staff-certification"), 1),  # ¶39
    (programme("wep"), 1),  # ¶62 item 5
    (programme("wipo-adr-young"), 1), (programme("wipo-arbitration-mediation-center"), 1),  # ¶49
    (programme("wipo-aripo-ip-clubs"), 1),  # ¶50
    (programme("wipo-connect"), 1),  # ¶39
    (programme("world-ip-day"), 1),  # ¶49
    (programme("young-designers-pilot"), 1),  # ¶55
    (programme("youth-startup-mentoring"), 1),  # ¶100
]
# The query's order: most activities first, then by IRI (projects, under project/, after programmes).
PROGRAMMES_FOR_4_4.sort(key=lambda pair: (-pair[1], pair[0]))


def test_programmes_contributing_to_target_4_4(store):
    rows = ask(store, "programmes-for-target", target="4.4")
    assert column(rows, "programme", "activities") == PROGRAMMES_FOR_4_4
    assert {r["target"] for r in rows} == {str(SDG["4.4"])}
    academy = next(r for r in rows if r["programme"] == programme("wipo-academy"))
    assert (academy["name_en"], academy["name_zh"]) == ("WIPO Academy", "WIPO学院")


def test_programmes_for_a_goal_count_the_goal_and_its_targets(store, document):
    rows = ask(store, "programmes-for-target", target="4")
    expected: dict[str, set] = defaultdict(set)
    for activity in document.activities:
        if any(str(t) == str(SDG["4"]) or str(t).startswith(str(SDG["4."])) for t in activity.targets):
            for _, who in activity.programmes:
                expected[str(who)].add(activity.number + 1000 * activity.paragraph)
    assert {r["programme"]: r["activities"] for r in rows} == {k: len(v) for k, v in expected.items()}
    assert rows[0]["programme"] == org("wipo") and rows[0]["activities"] == 18
    # The same target however it is written.
    for spelling in ("sdg:4.4", f"<{SDG['4.4']}>"):
        assert column(ask(store, "programmes-for-target", target=spelling), "programme", "activities") == \
            PROGRAMMES_FOR_4_4


def test_paragraphs_citing_target_4_4_match_the_hand_annotation(store, document):
    rows = ask(store, "paragraphs-citing-target", target="4.4")
    gold = gold_citations()
    numbers = sorted(n for n, entry in gold.items() if "4.4" in entry["targets"])
    assert numbers == [8, 39, 40, 44, 45, 48, 49, 50, 53, 54, 55, 57, 58, 59, 62, 98, 99, 100, 104, 160]
    texts = {p.number: p.text for p in document.document.paragraphs}
    assert rows == [{"target": str(SDG["4.4"]), "document": "CDIP/32/3", "number": n, "text": texts[n]}
                    for n in numbers]
    assert rows[1]["text"].endswith("这些计划促进实现具体目标 4.4。")


def test_paragraphs_citing_a_goal_include_those_citing_its_targets(store):
    gold = gold_citations()
    expected = sorted(n for n, e in gold.items()
                      if 4 in e["goals"] or any(t.startswith("4.") for t in e["targets"]))
    assert column(ask(store, "paragraphs-citing-target", target="4"), "number") == expected


def test_paragraphs_addressing_a_target_without_citing_it(store, document):
    texts = {p.number: p.text for p in document.document.paragraphs}
    citing = {n for n, e in gold_citations().items() if "4.5" in e["targets"]}
    rows = ask(store, "paragraphs-addressing-target", target="4.5")
    # Paragraphs on accessible books for blind readers (the Marrakesh Treaty, the ABC) print no 4.5.
    assert rows and all(row["target"] == str(SDG["4.5"]) for row in rows)
    assert not {row["number"] for row in rows} & citing
    assert column(rows, "number", "evidence") == sorted(column(rows, "number", "evidence"))
    for row in rows:
        assert row["text"] == texts[row["number"]] and 0 < float(row["score"]) <= 1
        assert row["evidence"] in row["text"]
    assert "马拉喀什条约" in {row["evidence"] for row in rows}
    # For a goal: no row for a paragraph that cites the goal or any of its targets.
    goal_rows = ask(store, "paragraphs-addressing-target", target="4")
    citing_goal = {n for n, e in gold_citations().items()
                   if 4 in e["goals"] or any(t.startswith("4.") for t in e["targets"])}
    assert goal_rows and not {row["number"] for row in goal_rows} & citing_goal
    assert {row["number"] for row in rows} - citing_goal <= {row["number"] for row in goal_rows}


def test_goals_addressed_but_never_cited_per_programme(store):
    rows = ask(store, "goals-addressed-not-cited")
    assert rows
    cited = {(row["programme"], row["goal"]) for row in ask(store, "coverage-by-programme", link="cited")}
    inferred = {(row["programme"], row["goal"]): row["activities"]
                for row in ask(store, "coverage-by-programme", link="inferred")}
    for row in rows:
        key = (row["programme"], row["goal"])
        assert key not in cited  # never cited for this programme
        assert key in inferred and row["activities"] == inferred[key]
        assert row["goal_number"] == int(row["goal"].rsplit("/", 1)[1])


def _target_key(code: str):
    goal, local = code.split(".")
    return int(goal), len(local), local


def test_coverage_matrix_matches_the_hand_annotation(store):
    counts: dict[str, int] = defaultdict(int)
    for entry in gold_citations().values():
        for code in set(entry["targets"]):
            counts[code] += 1
    expected = [(str(SDG[code.split(".")[0]]), int(code.split(".")[0]), str(SDG[code]), code, counts[code])
                for code in sorted(counts, key=_target_key)]
    rows = ask(store, "coverage-matrix")
    assert column(rows, "goal", "goal_number", "target", "code", "paragraphs") == expected
    assert len(rows) == 65 and ("4.4", 20) in column(rows, "code", "paragraphs")


def test_targets_per_goal_match_the_hand_annotation(store):
    gold = gold_citations()
    expected = []
    for goal in range(1, 18):
        targets = {t for e in gold.values() for t in e["targets"] if t.split(".")[0] == str(goal)}
        paragraphs = {n for n, e in gold.items() if any(t.split(".")[0] == str(goal) for t in e["targets"])}
        goal_paragraphs = {n for n, e in gold.items() if goal in e["goals"]}
        expected.append((str(SDG[str(goal)]), goal, len(targets), len(paragraphs), len(goal_paragraphs)))
    rows = ask(store, "targets-per-goal")
    assert column(rows, "goal", "number", "targets", "paragraphs", "goal_paragraphs") == expected
    assert rows[3]["name_en"] == ("Ensure inclusive and equitable quality education and promote lifelong "
                                  "learning opportunities for all")


def test_programmes_by_number_of_targets(store, document):
    targets: dict[str, set] = defaultdict(set)
    activities: dict[str, set] = defaultdict(set)
    for activity in document.activities:
        codes = {str(t) for t in activity.targets if "." in str(t).rsplit("/", 1)[1]}
        for _, who in activity.programmes:
            if codes:
                targets[str(who)] |= codes
                activities[str(who)].add((activity.paragraph, activity.number))
    expected = sorted(((k, len(targets[k]), len(activities[k])) for k in targets),
                      key=lambda row: (-row[1], -row[2], row[0]))
    rows = ask(store, "programmes-by-targets")
    assert column(rows, "programme", "targets", "activities") == expected
    assert column(rows, "programme")[:3] == [
        org("wipo"), programme("development-agenda"), programme("wipo-academy")]


def test_goals_without_activity_on_the_default_report(store):
    # Every one of the 17 goals has at least one activity advancing it or one of its targets.
    assert ask(store, "goals-without-activity") == []


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A two-paragraph report naming an organisation the registry lacks and citing only target 9.5."""
    tmp = tmp_path_factory.mktemp("small")
    report = write_report(tmp, ["1. 产权组织与加勒比可持续发展研究协会（CSDRA）在巴巴多斯合作。",
                                "2. CSDRA 促进实现具体目标 9.5。"])
    result = build([report], tmp / "out")
    return result, open_store(tmp / "out")


def test_goals_without_activity_on_a_report_citing_one_target(small):
    rows = ask(small[1], "goals-without-activity")
    assert column(rows, "number") == [g for g in range(1, 18) if g != 9]
    assert rows[0] == {"goal": str(SDG["1"]), "number": 1, "name_en": None}  # not cited: not described


def test_unregistered_entities(store, document, small):
    # On the default report, the names only the statistical model proposes (the registry covers the rest).
    assert {row["entity"] for row in ask(store, "unregistered-entities")} == {
        str(entry.iri) for entry in document.unregistered.values()}
    assert len(document.unregistered) <= 3
    result, graph = small
    (entry,) = result.documents[0].unregistered.values()
    mentions = [m for m in result.documents[0].mentions if m.iri == entry.iri]
    rows = ask(graph, "unregistered-entities")
    assert rows == [{"entity": str(entry.iri), "name": "加勒比可持续发展研究协会",
                     "mentions": len(mentions), "paragraphs": 2}]
    assert {m.surface for m in mentions} == {"加勒比可持续发展研究协会", "CSDRA"}


def test_provenance_of_a_programme_target_link(store, document):
    rows = ask(store, "link-provenance", **{"from": "wipo-academy", "to": "4.4"})
    source = document.document.path.read_text(encoding="utf-8")
    texts = {p.number: p.text for p in document.document.paragraphs}
    assert column(rows, "paragraph", "surface") == [(39, "4.4"), (40, "4.4")]
    for row in rows:
        text = texts[row["paragraph"]]
        # The offsets are where the citation stands, in the paragraph and in the source file.
        assert (row["start"], row["end"]) == (text.rindex("4.4"), text.rindex("4.4") + 3)
        assert source[row["source_start"]:row["source_end"]] == "4.4"
        assert row["activity_text"] == text  # ¶39 and ¶40 are one activity each
        assert (row["from"], row["to"]) == (programme("wipo-academy"), str(SDG["4.4"]))


def test_provenance_of_a_partner_link_and_of_a_paragraph_citation(store):
    # The Green Technology Book is a work: the activity of making it is the WIPO GREEN database's (¶10).
    rows = ask(store, "link-provenance", **{"from": "wipo-green-database", "to": "ctcn"})
    assert column(rows, "paragraph", "surface", "start", "end") == [
        (10, "气候技术中心和网络", 237, 246), (10, "CTCN", 247, 251)]
    assert rows[0]["activity_text"].startswith("《绿色技术手册》第二版") and rows[0]["activity_text"].endswith(
        "合作打造的成果。")
    rows = ask(store, "link-provenance", **{"from": "kg:doc/cdip-32-3-zh/p/39", "to": "4.4"})
    assert column(rows, "paragraph", "activity_text", "surface") == [(39, "", "4.4")]


def test_mentions_of_an_entity_are_every_place_the_text_names_it(store, document):
    rows = ask(store, "mentions-of-entity", entity="itc")
    expected = []
    for paragraph in document.document.paragraphs:
        for name in ("国际贸易中心", "ITC"):
            expected += [(paragraph.number, name, m.start()) for m in re.finditer(name, paragraph.text)]
    expected.sort(key=lambda row: (row[0], row[2]))
    assert expected == [(60, "国际贸易中心", 393), (60, "ITC", 400), (62, "国际贸易中心", 905),
                                (62, "ITC", 912), (62, "ITC", 2406)]
    assert column(rows, "paragraph", "surface", "start") == expected
    assert {r["method"] for r in rows} == {str(KGO.GazetteerMatch)}
    source = document.document.path.read_text(encoding="utf-8")
    assert all(source[r["source_start"]:r["source_end"]] == r["surface"] for r in rows)


def test_activities_of_a_programme(store, document):
    expected = []
    for activity in document.activities:
        if any(str(who) == programme("wipo-academy") for _, who in activity.programmes):
            codes = sorted(str(t) for t in activity.targets) or [None]
            expected += [(activity.paragraph, activity.item, activity.start, code) for code in codes]
    expected.sort(key=lambda row: (row[0], row[2], row[3] or ""))
    rows = ask(store, "activities-of-programme", programme="wipo-academy")
    assert column(rows, "paragraph", "item", "advances") == [(p, i, c) for p, i, _, c in expected]
    # By hand: ¶39's certification programmes and ¶40's joint projects advance 4.4 (the text says so).
    assert (39, None, str(SDG["4.4"])) in column(rows, "paragraph", "item", "advances")
    assert (40, None, str(SDG["4.4"])) in column(rows, "paragraph", "item", "advances")


def test_programme_target_network_is_the_weighted_contributions(store, document):
    result, _ = run(store, stored_query("programme-target-network"), {})
    triples = list(result)
    weights = {}
    for node in {t.subject for t in triples if t.predicate.value == str(KGO.weight)}:
        about = {t.predicate.value: t.object for t in triples if t.subject == node}
        weights[(about[str(KGO.relationSource)].value, about[str(KGO.relationTarget)].value)] = \
            int(about[str(KGO.weight)].value)
    relations = materialise({document.key: document.activities})
    assert weights == {(str(r.subject), str(r.object)): r.weight for r in relations if r.kind == "contributesTo"}
    direct = {(t.subject.value, t.object.value) for t in triples if t.predicate.value == str(KGO.contributesTo)}
    assert direct == set(weights)
    assert weights[(programme("wipo-academy"), str(SDG["4.4"]))] == 2  # ¶39, ¶40


# -- roles: hand-checked where the text is plain, else against the build's activities ----------

def test_the_green_technology_book_is_a_work_and_its_makers_partners_of_the_activity(store):
    # ¶10: "在 WIPO GREEN 创新技术和需求数据库中，超过 600 项…已收录进《绿色技术手册》。《绿色技术手册》是与
    # 气候技术中心和网络（CTCN）及埃及科学研究与技术学院（ASTR）合作打造的成果。" A publication is a work, not a
    # programme: it conducts no activity, and the activity of making it falls to the programme the text names.
    book = iri("work/green-technology-book")
    assert ask_boolean(store, f"ASK {{ <{book}> a kgo:Work FILTER NOT EXISTS {{ <{book}> a kgo:Programme }} }}")
    rows = ask(store, "partners-of-programme", programme="wipo-green-database")
    assert {(r["partner"], r["role"]) for r in rows} >= {(org("asrt"), str(KGO.Partner)), (org("ctcn"), str(KGO.Partner))}


def test_partners_of_wep(store):
    # ¶62 item 5: "WEP 是与国际商标协会（INTA）、国际劳工组织（劳工组织）和国际贸易中心（ITC）合作实施的"
    rows = ask(store, "partners-of-programme", programme="wep")
    assert column(rows, "partner", "role") == [(org("ilo"), str(KGO.Partner)), (org("inta"), str(KGO.Partner)),
                                               (org("itc"), str(KGO.Partner))]


@pytest.mark.xfail(strict=True, reason="the text's partners of WIPO GREEN are CTCN and ASRT (¶10: the Green "
                   "Technology Book of the WIPO GREEN programme is made with them) and the Japan Patent Office "
                   "(¶116: it funds the WIPO GREEN initiative); the pipeline credits ¶10's partners to the Green "
                   "Technology Book and the WIPO GREEN Database only. (¶13's partners, the national IP offices of "
                   "Argentina, Brazil, Chile and Peru, are not in the registry.)")
def test_partners_of_wipo_green_as_the_text_states_them(store):
    rows = ask(store, "partners-of-programme", programme="wipo-green")
    assert sorted(set(column(rows, "partner"))) == [org("asrt"), org("ctcn"), org("jpo")]


@pytest.mark.parametrize("key, countries", [
    ("young-designers-pilot", ["076", "152"]),  # ¶55: 与巴西和智利的高等教育设计学院合作
    ("stem-women-ip-project", ["032", "152", "170", "188", "214", "484", "604", "858"]),  # ¶62 item 15
    ("cabo-verde-youth", ["132"]),  # ¶104
])
def test_countries_reached_by_a_programme(store, key, countries):
    rows = ask(store, "countries-of-programme", programme=key)
    assert column(rows, "m49") == countries
    assert all(r["country"] and r["programme"] == programme(key) for r in rows)


def test_countries_reached_by_the_women_entrepreneurship_projects(store):
    rows = ask(store, "countries-of-programme", programme="ip-women-entrepreneurship-projects")
    # ¶62: Pakistan, Brazil (在巴西，该项目支持基隆博非洲裔妇女…); Bangladesh, Egypt, Jordan, Namibia;
    # Belize, Saint Lucia, Saint Vincent and the Grenadines, "four Caribbean countries" (the Caribbean, 029).
    assert sorted(column(rows, "m49")) == ["029", "050", "076", "084", "400", "516", "586", "662", "670", "818"]


def _partner_participations(document):
    for activity in document.activities:
        for participation in activity.participations:
            if participation.mention.label == "ORG" and participation.role in PARTNER_ROLES:
                yield activity, participation


def test_partners_by_number_of_activities(store, document):
    activities: dict[str, set] = defaultdict(set)
    programmes: dict[str, set] = defaultdict(set)
    for activity, participation in _partner_participations(document):
        who = str(participation.mention.iri)
        activities[who].add((activity.paragraph, activity.number))
        programmes[who] |= {str(p) for _, p in activity.programmes}
    expected = sorted(((k, len(v), len(programmes[k])) for k, v in activities.items()),
                      key=lambda row: (-row[1], row[0]))
    rows = ask(store, "partners-by-activities")
    assert column(rows, "organisation", "activities", "programmes") == expected
    # By hand: ITC is a partner in ¶60 (IPGAP's partnerships), ¶62 item 5 (WEP) and ¶62's women
    # innovators projects ("该项目是与 ITC合作实施的").
    assert next(r["activities"] for r in rows if r["organisation"] == org("itc")) == 3


def test_partner_cooccurrence(store, document):
    shared: dict[tuple[str, str], set] = defaultdict(set)
    for activity in document.activities:
        partners = sorted({str(p.mention.iri) for p in activity.participations
                           if p.mention.label == "ORG" and p.role in PARTNER_ROLES})
        for i, first in enumerate(partners):
            for second in partners[i + 1:]:
                shared[(first, second)].add((activity.paragraph, activity.number))
    expected = sorted(((a, b, len(v)) for (a, b), v in shared.items()), key=lambda row: (-row[2], row[0], row[1]))
    rows = ask(store, "partner-cooccurrence")
    assert column(rows, "first", "second", "activities") == expected
    # By hand: ¶62 item 5, WEP with INTA, ILO and ITC.
    assert {(org("ilo"), org("inta")), (org("ilo"), org("itc")), (org("inta"), org("itc"))} <= \
        set(column(rows, "first", "second"))


def _reached(document):
    """(activity, place IRI, role) for every place an activity reaches, as the build materialises it."""
    for activity in document.activities:
        for participation in activity.participations:
            if participation.reached:
                yield activity, str(participation.mention.iri), participation.role


def test_countries_by_number_of_activities(store, document):
    relations = materialise({document.key: document.activities})
    support: dict[str, set] = defaultdict(set)
    for relation in relations:
        if relation.kind == "activeIn":
            support[str(relation.object)] |= set(relation.activities)
    named_countries = {str(m.iri) for m in document.mentions if m.label == "COUNTRY"}
    countries = {k: v for k, v in support.items() if k in named_countries}
    rows = ask(store, "countries-by-activities")
    iso = {r["country"]: r["iso3"] for r in rows}
    assert sorted(column(rows, "country", "activities"), key=lambda r: (-r[1], iso[r[0]])) == \
        column(rows, "country", "activities")
    assert dict(column(rows, "country", "activities")) == {k: len(v) for k, v in countries.items()}


def test_activities_in_least_developed_countries(store, document):
    ldc = {str(GEOAREA[code]) for code in _ldc_codes(store)}
    expected = {(str(BASE + f"doc/{document.key}/p/{a.paragraph}/activity/{a.number}"), a.paragraph, place,
                 f"{KGO}{role.capitalize()}")
                for a, place, role in _reached(document) if place in ldc}
    rows = ask(store, "activities-in-ldcs")
    assert set(column(rows, "activity", "paragraph", "country", "role")) == expected
    assert len(rows) == len(expected)
    # By hand: ¶47, WIPO's assistance on the Singapore Treaty to Angola, Guinea-Bissau, Mozambique and
    # Sao Tome and Principe (the LDCs among the eight countries it names).
    p47 = [r for r in rows if r["paragraph"] == 47]
    assert column(p47, "iso3", "role") == [("AGO", str(KGO.Beneficiary)), ("GNB", str(KGO.Beneficiary)),
                                           ("MOZ", str(KGO.Beneficiary)), ("STP", str(KGO.Beneficiary))]


def _ldc_codes(store) -> list[str]:
    rows = store.query("SELECT ?c WHERE { ?c <https://w3id.org/sdg-kg/ontology#inGroup> "
                       "<http://metadata.un.org/sdg/codes/geoArea/199> }", use_default_graph_as_union=True)
    return [r["c"].value.rsplit("/", 1)[1] for r in rows]


def test_active_in_a_country(store, document):
    relations = materialise({document.key: document.activities})
    chile = str(GEOAREA["152"])
    expected = {(str(r.subject), r.weight) for r in relations if r.kind == "activeIn" and str(r.object) == chile}
    rows = ask(store, "active-in-country", place="CHL")
    assert set(column(rows, "actor", "activities")) == expected and len(rows) == len(expected)
    # By hand: ¶55 (young designers, Brazil and Chile) and ¶62's STEM project reach Chile.
    assert {programme("young-designers-pilot"), programme("stem-women-ip-project")} <= set(column(rows, "actor"))
    assert {r["kind"] for r in rows if r["actor"] == org("autm")} == {"partner"}
    # The same place by M49 code, by name in Chinese or English, by CURIE.
    for spelling in ("152", "智利", "chile", "geo:152", f"<{chile}>"):
        assert ask(store, "active-in-country", place=spelling) == rows
    # An M49 code with its leading zero, as the IRI writes it (geoArea/076), or without, as the UN's code list
    # and kgo:m49Code write it (76): the same place, Brazil.
    brazil = ask(store, "active-in-country", place="076")
    assert brazil and {r["place"] for r in brazil} == {str(GEOAREA["076"])}
    assert ask(store, "active-in-country", place="76") == brazil == ask(store, "active-in-country", place="BRA")


# -- parameters are RDF terms -------------------------------------------------------------------

@pytest.mark.parametrize("name, parameter", [
    ("programmes-for-target", "target"), ("partners-of-programme", "programme"),
    ("active-in-country", "place"), ("mentions-of-entity", "entity"), ("paragraphs-citing-target", "target"),
])
def test_a_hostile_value_is_a_literal_that_matches_nothing(store, name, parameter):
    for hostile in (HOSTILE, "4.4 } UNION { ?s ?p ?o", "wipo-green> . ?x ?y ?z #", "' ; DELETE WHERE { ?s ?p ?o } #"):
        query = stored_query(name)
        result, _ = run(store, query, {parameter: hostile})
        assert list(result) == [], hostile


def test_a_hostile_value_is_bound_as_one_literal(store):
    from kg.store.binding import bind, prefixes_for

    term = bind(HOSTILE, stored_query("partners-of-programme").parameter("programme"), store, prefixes_for(BASE))
    assert term == pyoxigraph.Literal(HOSTILE)
    before = len(store)
    assert ask(store, "paragraphs-citing-target", target=HOSTILE) == []
    assert len(store) == before


def test_an_iri_parameter_must_be_a_valid_iri(store):
    with pytest.raises(ParameterError, match="not a valid IRI"):
        run(store, stored_query("programmes-for-target"), {"target": "<http://x/> } DROP ALL { <y>"})


def test_a_name_that_fits_two_entities_is_an_error(store):
    # "WIPO GREEN" is the English and Chinese name of one programme: found once.
    assert ask(store, "partners-of-programme", programme="WIPO GREEN")[0]["programme"] == programme("wipo-green")
    # The UN SDG KOS gives goals 14 and 15 the same Arabic name.
    shared = "حفظ المحيطات والبحار والموارد البحرية واستخدامها على نحو مستدام لتحقيق التنمية المستدامة"
    with pytest.raises(ParameterError, match="more than one entity .*sdg/14>, <.*sdg/15>"):
        run(store, stored_query("mentions-of-entity"), {"entity": shared})


def test_missing_unknown_and_malformed_parameters(store):
    with pytest.raises(ParameterError, match="missing --param target"):
        run(store, stored_query("programmes-for-target"), {})
    with pytest.raises(ParameterError, match="unknown parameter 'goal'"):
        run(store, stored_query("programmes-for-target"), {"target": "4.4", "goal": "4"})
    from kg.store.binding import parse_assignments
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_assignments(["target"])


# -- SPARQL checks ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, line", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 1),
    ("select * where {\n  service silent <http://example.org/sparql> { ?s ?p ?o } }", 2),
    ("SELECT * WHERE { SERVICE<http://example.org/>{ ?s ?p ?o } }", 1),
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", 1),
    ("SELECT * WHERE { ?s ?p \"x\" .SERVICE <http://e/> { ?s ?p ?o } }", 1),
    ("SELECT * WHERE { { SELECT * WHERE { Service <http://e/> { ?a ?b ?c } } } }", 1),
])
def test_service_is_found_wherever_it_is_a_keyword(text, line):
    assert service_position(text)[0] == line


@pytest.mark.parametrize("text", [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "SELECT * WHERE { ?s ?p \"SERVICE <http://e/> { }\" }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://e/> { }",
    "SELECT * WHERE { ?s <http://e/SERVICE> ?o }",
    "PREFIX service: <http://e/> SELECT * WHERE { ?s service:x ?o . ?s ?p service:SERVICE }",
    'SELECT * WHERE { ?s ?p """a " SERVICE "" b""" }',
])
def test_service_in_a_string_iri_comment_or_name_is_not_a_call(text):
    assert service_position(text) is None


@pytest.mark.parametrize("text", [
    # The audit's bypass: an escape in a prefixed name read as the start of a string.
    "PREFIX kgo: <http://x/> SELECT * WHERE { ?s kgo:a\\' ?o . SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } } #'",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "ASK { FILTER NOT EXISTS { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "DESCRIBE ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
])
def test_service_is_refused_from_the_parse_tree_whatever_the_text_hides(text):
    with pytest.raises(Refused, match="SERVICE is refused"):
        check_query(text)


def test_a_query_a_sparql_11_parser_cannot_read_never_reaches_the_engine():
    with pytest.raises(QueryError, match="syntax error"):
        check_query("PREFIX kgo: <http://x/> SELECT * WHERE { ?s kgo:a\\# ?o . SERVICE <http://127.0.0.1:9/> { } }")
    with pytest.raises(Refused, match="3000 deep"):
        check_query("SELECT * WHERE " + "{" * 3000 + "}" * 3000)
    check_query("SELECT * WHERE " + "{" * 20 + "?s ?p ?o" + "}" * 20)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_stored_query_is_standard_sparql_1_1(name):
    """No LATERAL (SEP-0006) or other extension: rdflib's SPARQL 1.1 parser reads every stored query
    as it is (tests/test_engines.py runs them on Virtuoso, Jena and rdflib too)."""
    from rdflib.plugins.sparql.parser import parseQuery

    text = stored_query(name).text
    assert lateral_position(text) is None
    parseQuery(text)


def test_lateral_is_refused_as_not_sparql_1_1():
    query = ("PREFIX kgo: <https://w3id.org/sdg-kg/ontology#>\nSELECT ?m WHERE {\n  ?m a kgo:Mention\n"
             "  LATERAL { ?m kgo:surface ?s }\n}\n")
    with pytest.raises(QueryError) as error:
        execute(pyoxigraph.Store(), query, path="q.rq")
    assert str(error.value).startswith("q.rq:4: SPARQL syntax error at column 3: LATERAL is not SPARQL 1.1")
    # The keyword in a string, an IRI, a name or a comment is not the keyword.
    assert lateral_position('SELECT * WHERE { ?s <http://e/LATERAL> "LATERAL" ; ex:lateral ?lateral } # LATERAL') is None


def test_updates_are_recognised():
    assert update_keyword("LOAD <http://example.org/data.ttl>") == "LOAD"
    assert update_keyword("PREFIX ex: <http://e/>\n# note\ndrop all") == "DROP"
    assert update_keyword("PREFIX insert: <http://e/> SELECT * { ?s insert:p ?o }") is None


def kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_kg_query_formats(built):
    out = str(built[1])
    csv_run = kg("query", "programmes-for-target", "--param", "target=4.4", "--format", "csv", "--from", out)
    assert csv_run.returncode == 0, csv_run.stderr
    lines = csv_run.stdout.splitlines()
    assert lines[0] == "target,programme,name_en,name_zh,activities"
    assert lines[1] == f"{SDG['4.4']},{org('wipo')},World Intellectual Property Organization,世界知识产权组织,11"
    assert len(lines) == 1 + len(PROGRAMMES_FOR_4_4)
    json_run = kg("query", "programmes-for-target", "-p", "target=4.4", "-f", "json", "-g", out)
    data = json.loads(json_run.stdout)
    assert data["head"]["vars"] == ["target", "programme", "name_en", "name_zh", "activities"]
    assert [(b["programme"]["value"], int(b["activities"]["value"])) for b in data["results"]["bindings"]] == \
        PROGRAMMES_FOR_4_4
    table_run = kg("query", "partners-of-programme", "-p", "programme=wipo-green-database", "-g", out)
    assert table_run.returncode == 0 and "kg:org/ctcn" in table_run.stdout and "kgo:Partner" in table_run.stdout
    turtle_run = kg("query", "programme-target-network", "-f", "turtle", "-g", out)
    assert turtle_run.returncode == 0 and "kgo:contributesTo sdg:4.4" in turtle_run.stdout
    assert kg("query", "programme-target-network", "-f", "csv", "-g", out).returncode == 2


def test_kg_query_errors_are_one_line(built, tmp_path):
    out = str(built[1])
    unknown = kg("query", "programmes-for-tagret", "-g", out)
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    assert "no stored query 'programmes-for-tagret'" in unknown.stderr and "programmes-for-target" in unknown.stderr
    broken = tmp_path / "broken.rq"
    broken.write_text("# my question\nPREFIX kgo: <https://w3id.org/sdg-kg/ontology#>\nSELECT ?p WHERE {\n"
                      "  ?p a kgo:Paragraph\n  FILTER(?p = )\n}\n", encoding="utf-8")
    result = kg("query", "--file", str(broken), "-g", out)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"kg: error: {broken}:5: SPARQL syntax error at column 3: ")
    service = tmp_path / "service.rq"
    service.write_text("SELECT * WHERE {\n  SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\n}\n", encoding="utf-8")
    result = kg("query", "--file", str(service), "-g", out)
    assert result.returncode == 2 and f"{service}:2: SERVICE is refused" in result.stderr
    hidden = tmp_path / "hidden.rq"  # the audit's bypass: kgo:a\' opened a fake string for a lexer
    hidden.write_text("SELECT * WHERE {\n  ?s kgo:a\\' ?o .\n  SERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c }\n} #'\n",
                      encoding="utf-8")
    result = kg("query", "--file", str(hidden), "-g", out)
    assert result.returncode == 2 and f"{hidden}:3: SERVICE is refused" in result.stderr
    update = tmp_path / "update.rq"
    update.write_text("DROP ALL\n", encoding="utf-8")
    result = kg("query", "--file", str(update), "-g", out)
    assert result.returncode == 2 and "DROP is a SPARQL update and updates are refused" in result.stderr


def test_a_broken_stored_query_names_the_file_and_line(tmp_path, monkeypatch, built):
    queries = tmp_path / "queries"
    queries.mkdir()
    text = (shipped("queries") / "programmes-for-target.rq").read_text(encoding="utf-8")
    lines = text.splitlines()
    broken_line = next(i for i, line in enumerate(lines) if line.startswith("ORDER BY")) + 1
    lines[broken_line - 1] += " )"
    (queries / "programmes-for-target.rq").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("KG_QUERIES", str(queries))
    with pytest.raises(QueryError) as error:
        run(open_store(built[1]), stored_query("programmes-for-target"), {"target": "4.4"})
    assert str(error.value).startswith(f"{queries / 'programmes-for-target.rq'}:{broken_line}: SPARQL syntax error")
    # A prefix the query does not declare: pyoxigraph's place.
    undeclared = text.replace("?programme skos:prefLabel ?name_en", "?programme nope:prefLabel ?name_en")
    line = next(i for i, l in enumerate(undeclared.splitlines(), start=1) if "nope:" in l)
    (queries / "programmes-for-target.rq").write_text(undeclared, encoding="utf-8")
    with pytest.raises(QueryError, match=rf"programmes-for-target.rq:{line}: SPARQL syntax error at column \d+: "):
        run(open_store(built[1]), stored_query("programmes-for-target"), {"target": "4.4"})
    (queries / "no-header.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(KgError, match=r"no-header.rq:1: the header has no '# Question:' line"):
        catalogue()


def test_kg_query_on_a_users_file_with_a_parameter(built, tmp_path):
    mine = tmp_path / "mine.rq"
    mine.write_text("PREFIX kgo: <https://w3id.org/sdg-kg/ontology#>\n"
                    "SELECT ?target (COUNT(?p) AS ?n) WHERE { ?p a kgo:Paragraph ; kgo:citesTarget ?target }\n"
                    "GROUP BY ?target\n",
                    encoding="utf-8")
    result = kg("query", "--file", str(mine), "-p", "target=4.4", "-f", "csv", "-g", str(built[1]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["target,n", f"{SDG['4.4']},20"]


def test_kg_queries_lists_every_query():
    result = kg("queries")
    assert result.returncode == 0
    for name in catalogue():
        assert name in result.stdout
    assert kg("queries", "--markdown").stdout == readme(catalogue())


def test_refused_is_a_query_error():
    assert issubclass(Refused, QueryError) and issubclass(QueryError, KgError)


def test_an_optional_parameter_may_be_left_unbound(store):
    query = stored_query("edition-disagreements")
    assert query.parameter("symbol").optional and query.parameter("symbol").types == ("xsd:string",)
    assert not stored_query("programmes-for-target").parameter("target").optional
    # The default report is read in one language: no edition disagrees with another.
    assert ask(store, "edition-disagreements") == []
    assert ask(store, "edition-disagreements", symbol="CDIP/32/3") == []


def test_the_readme_examples_are_real_output(built, tmp_path):
    """The commands of README.md's "Asking questions", run after `kg build`, print what it shows."""
    import os

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Asking questions"):]
    blocks = re.findall(r"```\n\$ (.+?)\n(.*?)```", section, re.S)
    assert len(blocks) == 3
    (tmp_path / "out").symlink_to(built[1])
    env = {**os.environ, "COLUMNS": "100", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command, shown in blocks:
        assert command.startswith("kg query ")
        result = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert result.stdout == shown, command


def test_literal_parameters_keep_their_datatype(store):
    from kg.store.binding import bind, prefixes_for
    from kg.store.queries import Parameter

    prefixes = prefixes_for(BASE)
    number = Parameter("n", ("xsd:integer",), "a number")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert bind(" 12", number, store, prefixes) == pyoxigraph.Literal("12", datatype=pyoxigraph.NamedNode(xsd + "integer"))
    with pytest.raises(ParameterError, match="not an integer"):
        bind("12 } #", number, store, prefixes)
    text = Parameter("symbol", ("xsd:string",), "a symbol")
    assert bind("sdg:4.4", text, store, prefixes) == pyoxigraph.Literal("sdg:4.4")  # not an IRI: a string
    # Without a declaration (a user's --file), a CURIE is its IRI and a target code the target.
    assert bind("geo:152", None, store, prefixes) == pyoxigraph.NamedNode(str(GEOAREA["152"]))
    assert bind("17.b", None, store, prefixes) == pyoxigraph.NamedNode(str(SDG["17.b"]))
    assert bind("kg:org/itc", None, store, prefixes) == pyoxigraph.NamedNode(org("itc"))
    assert bind("itc", None, store, prefixes) == pyoxigraph.Literal("itc")


@pytest.mark.parametrize("kind", ["Report", "Article"])
def test_the_base_iri_of_the_data_is_read_from_a_report_or_an_article(kind):
    # `kg:` in a parameter means the build's own --base-iri, found from its document node.
    store = pyoxigraph.Store()
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("https://example.org/kg/doc/news-1"),
                              pyoxigraph.NamedNode(str(RDF.type)), pyoxigraph.NamedNode(str(KGO[kind])),
                              pyoxigraph.NamedNode("https://example.org/kg/graph/doc/news-1")))
    assert data_base(store) == "https://example.org/kg/"
    assert data_base(pyoxigraph.Store()) == DEFAULT_BASE_IRI

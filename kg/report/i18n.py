"""The site's interface in English and Chinese: every word a page shows that is not data.

Names of entities come from the graph (``skos:prefLabel`` in each language, the other
language's where one is missing); the words around them come from here.
"""

from __future__ import annotations

from kg.errors import KgError

STRINGS: dict[str, tuple[str, str]] = {
    # key: (English, Chinese)
    "site": ("SDG knowledge graph", "可持续发展目标知识图谱"),
    "overview": ("Overview", "概览"),
    "programmes": ("Programmes", "计划"),
    "organisations": ("Organisations", "组织"),
    "places": ("Countries and regions", "国家和区域"),
    "goals": ("Goals and targets", "目标和具体目标"),
    "network": ("Network", "网络"),
    "search": ("Search", "搜索"),
    "search_placeholder": ("Name in English or Chinese, acronym or code", "中文或英文名称、缩写或代码"),
    "search_none": ("Nothing matches.", "没有匹配项。"),
    "other_language": ("中文", "English"),
    "documents": ("Documents", "文件"),
    "symbol": ("Symbol", "文号"),
    "title": ("Title", "标题"),
    "language": ("Language", "语言"),
    "date": ("Date", "日期"),
    "counts": ("In the graph", "图谱内容"),
    "paragraphs": ("Paragraphs", "段落"),
    "activities": ("Activities", "活动"),
    "mentions": ("Mentions", "提及"),
    "targets": ("Targets", "具体目标"),
    "countries": ("Countries", "国家"),
    "coverage": ("SDG coverage: activities of each programme by goal", "可持续发展目标覆盖：各计划按目标分列的活动数"),
    "coverage_note": ("Cited: the text cites the goal or one of its targets for the activity. Inferred: kg infers "
                      "that the paragraph addresses it (shown only when the graph has inferred links).",
                      "引用：文本为该活动引用了该目标或其具体目标。推断：kg 推断该段落涉及该目标（仅当图谱含推断链接时显示）。"),
    "coverage_top": ("The {n} programmes with the most activities; all of them are on the goals page.",
                     "活动最多的 {n} 个计划；全部计划见目标页面。"),
    "cited": ("cited", "引用"),
    "inferred": ("inferred", "推断"),
    "goal": ("Goal", "目标"),
    "programme": ("Programme", "计划"),
    "top_partners": ("Top partners", "主要合作伙伴"),
    "partner": ("Partner", "合作伙伴"),
    "world_map": ("Countries reached by activities", "活动惠及的国家"),
    "map_note": ("Countries by the number of activities that reach them (as beneficiary, venue or origin). "
                 "Not drawn at this scale: {codes}.",
                 "按惠及活动数量（作为受益方、举办地或来源地）显示各国。此比例尺下未绘出：{codes}。"),
    "map_note_all": ("Countries by the number of activities that reach them (as beneficiary, venue or origin).",
                     "按惠及活动数量（作为受益方、举办地或来源地）显示各国。"),
    "name": ("Name", "名称"),
    "kind": ("Kind", "类别"),
    "code": ("Code", "代码"),
    "claims": ("What the text says", "文本依据"),
    "claims_note": ("Each activity with the words that support its links marked; the paragraph link opens the "
                    "whole paragraph.", "每项活动中支持其链接的文字已标出；段落链接打开整个段落。"),
    "paragraph": ("Paragraph", "段落"),
    "item": ("item", "项"),
    "conducted_by": ("Conducted by", "开展者"),
    "advances": ("Advances", "推进"),
    "takes_part": ("Taking part", "参与方"),
    "evidence_elsewhere": ("Cited in another paragraph", "在其他段落中引用"),
    "named_in": ("Where the text names it", "文本提及之处"),
    "partners": ("Partners", "合作伙伴"),
    "role": ("Role", "角色"),
    "reached": ("Countries and regions reached", "惠及的国家和区域"),
    "contributes": ("Programmes contributing", "作出贡献的计划"),
    "citing": ("Paragraphs citing it", "引用它的段落"),
    "active_here": ("Programmes and partners active here", "在此开展活动的计划和合作伙伴"),
    "works_with": ("Programmes it works with", "与之合作的计划"),
    "co_partners": ("Organisations it works alongside", "共同合作的组织"),
    "part_in": ("Activities it takes part in", "参与的活动"),
    "of_goal": ("Targets of this goal cited", "该目标下被引用的具体目标"),
    "all_goals": ("The 17 goals", "17 个可持续发展目标"),
    "targets_cited": ("Targets cited", "被引用的具体目标"),
    "citing_paragraphs": ("Paragraphs citing", "引用段落"),
    "network_note": ("Programmes, partners, places, goals and targets linked by the weighted relations of the "
                     "graph (the data of the GEXF export), laid out with ForceAtlas2. Drag to pan, scroll to "
                     "zoom, click a node to open its page; the boxes and the slider filter by type and weight.",
                     "计划、合作伙伴、地点、目标和具体目标通过图谱中的加权关系相连（即 GEXF 导出的数据），"
                     "采用 ForceAtlas2 布局。拖动以平移，滚动以缩放，单击节点打开其页面；复选框和滑块按类型和权重筛选。"),
    "min_weight": ("minimum weight", "最小权重"),
    "weight": ("Weight", "权重"),
    "none": ("None.", "无。"),
    "generated": ("Made by kg {version} from the stored SPARQL queries; every page is static.",
                  "由 kg {version} 根据存储的 SPARQL 查询生成；所有页面均为静态页面。"),
    "choose_language": ("Choose a language", "选择语言"),
    "type_programme": ("programme", "计划"),
    "type_project": ("project", "项目"),
    "type_organisation": ("organisation", "组织"),
    "type_country": ("country", "国家"),
    "type_region": ("region", "区域"),
    "type_country-group": ("country group", "国家集团"),
    "type_goal": ("goal", "目标"),
    "type_target": ("target", "具体目标"),
    "role_Partner": ("partner", "合作方"),
    "role_Funder": ("funder", "资助方"),
    "role_Host": ("host", "主办方"),
    "role_Beneficiary": ("beneficiary", "受益方"),
    "role_Venue": ("venue", "举办地"),
    "role_Origin": ("origin", "来源地"),
    "role_Mentioned": ("mentioned", "提及"),
}


def text(key: str, lang: str, **values) -> str:
    """The interface string ``key`` in ``lang`` (``en`` or ``zh``), with ``{name}`` fields filled."""
    try:
        english, chinese = STRINGS[key]
    except KeyError:
        raise KgError(f"the site has no interface string {key!r}") from None
    chosen = chinese if lang == "zh" else english
    return chosen.format(**values) if values else chosen


def role_name(role_iri: str | None, lang: str) -> str:
    """``kgo:Partner`` → "partner" / "合作方"; an unknown role by its local name."""
    if not role_iri:
        return ""
    local = role_iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    key = f"role_{local}"
    return text(key, lang) if key in STRINGS else local

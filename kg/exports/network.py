"""The network projection of the graph for Gephi and other network tools (networkx).

Nodes are the two ends of the weighted programme relations that ``kg build``
materialises (``kgo:Relation`` in graph ``graph/relations``): programmes and
organisations, countries, regions and country groups, SDG goals and targets.
Edges are those relations, directed from the programme (or partner) to what
it contributes to, partners with or is active in, with

* ``relation``: ``contributesTo``, ``partnersWith`` or ``activeIn``;
* ``weight``: the number of activities supporting the relation (``kgo:weight``);
* ``paragraphs``: the number of paragraphs describing those activities;
* ``id``: the IRI of the ``kgo:Relation`` node.

With ``Projection(inferred=True)`` (``kg export --inferred``) the edges from a programme to the goals and
targets that the paragraphs describing its activities address, as kg infers them (kg.inference), come too,
where the text cites no such link: ``relation`` ``addresses`` and ``inferred`` true (false on every other
edge), so that Gephi can filter or colour them apart.

Node attributes: ``type`` (see ``data/exports/network.toml``), ``kind`` (the
entity's most specific kg or SDG class), ``label`` (what Gephi shows: the goal
or target code, an acronym, else the name), ``label_zh``, ``label_en``, ``iri``,
``goal`` (the goal number of a goal or target), ``m49`` and ``iso3`` (places)
and ``paragraphs`` (the number of paragraphs that mention the entity). An
attribute the entity has no value for is left out, not written empty.

The graph is built in a fixed order (nodes by IRI, edges by their ends), so
the files written from it are deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from typing import TYPE_CHECKING

import pyoxigraph

from kg.errors import KgError
from kg.exports.config import NetworkStyle, network_style
from kg.namespaces import KGO, SDGO, SPARQL_PREFIXES

if TYPE_CHECKING:
    import networkx as nx


_RELATIONS = SPARQL_PREFIXES + """
SELECT ?relation ?type ?source ?target ?weight (COUNT(DISTINCT ?paragraph) AS ?paragraphs) WHERE {
  ?relation a kgo:Relation ; kgo:relationType ?type ; kgo:relationSource ?source ;
            kgo:relationTarget ?target ; kgo:weight ?weight .
  OPTIONAL {
    ?relation ^kgo:supports/kgo:describedIn ?unit .
    OPTIONAL { ?unit kgo:inParagraph ?inside }
    BIND (COALESCE(?inside, ?unit) AS ?paragraph)
  }
} GROUP BY ?relation ?type ?source ?target ?weight
"""

# Inferred edges (--inferred): a programme to each goal or target the paragraphs describing its activities
# address (kgo:addressesGoal, kgo:addressesTarget; kg.inference), where no activity of it cites it.
_INFERRED = SPARQL_PREFIXES + """
SELECT ?source ?target (COUNT(DISTINCT ?activity) AS ?weight) (COUNT(DISTINCT ?paragraph) AS ?paragraphs) WHERE {
  ?activity kgo:conductedBy ?source ; kgo:describedIn ?unit .
  ?unit kgo:inParagraph? ?paragraph .
  ?paragraph a kgo:Paragraph ; kgo:addressesGoal|kgo:addressesTarget ?target .
  FILTER NOT EXISTS { ?cited kgo:conductedBy ?source ; kgo:advances ?target }
} GROUP BY ?source ?target
"""
_INFERRED_CLASSES = SPARQL_PREFIXES + """SELECT DISTINCT ?node ?class WHERE {
  { ?p kgo:addressesGoal|kgo:addressesTarget ?node } UNION { ?a kgo:conductedBy ?node }
  ?node a ?class }"""
_INFERRED_LABELS = SPARQL_PREFIXES + """SELECT DISTINCT ?node ?label WHERE {
  { ?p kgo:addressesGoal|kgo:addressesTarget ?node } UNION { ?a kgo:conductedBy ?node }
  ?node skos:prefLabel ?label FILTER (langMatches(lang(?label), "zh") || langMatches(lang(?label), "en")) }"""

_ENDS = "{ SELECT DISTINCT ?node WHERE { { ?r a kgo:Relation ; kgo:relationSource ?node } UNION " \
        "{ ?r a kgo:Relation ; kgo:relationTarget ?node } } }"

_CLASSES = SPARQL_PREFIXES + f"SELECT ?node ?class WHERE {{ {_ENDS} ?node a ?class }}"
_LABELS = SPARQL_PREFIXES + f"""SELECT ?node ?label WHERE {{ {_ENDS} ?node skos:prefLabel ?label
  FILTER (langMatches(lang(?label), "zh") || langMatches(lang(?label), "en")) }}"""
_VALUES = SPARQL_PREFIXES + f"""SELECT ?node ?key ?value WHERE {{ {_ENDS}
  {{ ?node kgo:acronym ?value BIND ("acronym" AS ?key) }}
  UNION {{ ?node kgo:m49Code ?code BIND (STRAFTER(STR(?node), "/geoArea/") AS ?value) BIND ("m49" AS ?key) }}
  UNION {{ ?node skos:notation ?value FILTER (datatype(?value) = kgo:ISO3166Alpha3) BIND ("iso3" AS ?key) }}
  UNION {{ ?node skos:notation ?value FILTER (datatype(?value) = sdgo:SDGCodeCompact) BIND ("code" AS ?key) }}
  UNION {{ ?node sdgo:isTargetOf/skos:notation ?value FILTER (datatype(?value) = sdgo:SDGCodeCompact)
          BIND ("goal" AS ?key) }}
}}"""
_PARAGRAPHS = SPARQL_PREFIXES + f"""SELECT ?node (COUNT(DISTINCT ?paragraph) AS ?n) WHERE {{ {_ENDS}
  ?mention kgo:refersTo ?node ; kgo:inParagraph ?paragraph }} GROUP BY ?node"""


@dataclass(frozen=True)
class Projection:
    """Which part of the graph to project: node types (``None``: all) and the least edge weight."""

    types: tuple[str, ...] | None = None
    min_weight: int = 1
    label_language: str = "en"
    inferred: bool = False  # add the inferred programme–goal/target edges, flagged (edge attribute "inferred")


def _rows(store: pyoxigraph.Store, query: str):
    return store.query(query, use_default_graph_as_union=True)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def check_projection(projection: Projection, style: NetworkStyle) -> None:
    if projection.types is not None:
        unknown = sorted(set(projection.types) - set(style.names))
        if unknown:
            raise KgError(f"unknown node type(s) {', '.join(unknown)} (use: {', '.join(style.names)})")
    if projection.min_weight < 1:
        raise KgError(f"the minimum edge weight must be at least 1, not {projection.min_weight}")
    if projection.label_language not in ("zh", "en"):
        raise KgError(f"the label language must be zh or en, not {projection.label_language!r}")


def project(store: pyoxigraph.Store, projection: Projection = Projection(),
            style: NetworkStyle | None = None) -> nx.DiGraph:
    """The network of the weighted relations in ``store`` (a build's output, see :func:`kg.store.open.open_store`)."""
    style = style or network_style()
    check_projection(projection, style)

    classes: dict[str, set[str]] = defaultdict(set)
    for row in [*_rows(store, _CLASSES), *(_rows(store, _INFERRED_CLASSES) if projection.inferred else ())]:
        classes[row["node"].value].add(row["class"].value)
    # Per language (zh, en), the label with the plainest tag: "zh" before "zh-Hans" before "zh-Hant".
    found: dict[str, dict[str, tuple[int, str, str]]] = defaultdict(dict)
    for row in [*_rows(store, _LABELS), *(_rows(store, _INFERRED_LABELS) if projection.inferred else ())]:
        tag, text = row["label"].language.lower(), row["label"].value
        language = tag.split("-")[0]
        candidate = (tag.count("-") + (tag == "zh-hant"), tag, text)
        chosen = found[row["node"].value]
        chosen[language] = min(candidate, chosen.get(language, candidate))
    labels = {node: {language: text for language, (*_, text) in chosen.items()} for node, chosen in found.items()}
    labels = defaultdict(dict, labels)
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _rows(store, _VALUES):
        found = values[row["node"].value]
        key, value = row["key"].value, row["value"].value
        found[key] = min(value, found[key]) if key in found else value
    paragraphs = {row["node"].value: int(row["n"].value) for row in _rows(store, _PARAGRAPHS)}

    def node_type(iri: str):
        return next((t for t in style.types if str(t.cls) in classes[iri]), None)

    wanted = set(projection.types) if projection.types is not None else set(style.names)
    edges = []
    for row in _rows(store, _RELATIONS):
        source, target = row["source"].value, row["target"].value
        weight = int(row["weight"].value)
        ends = node_type(source), node_type(target)
        if weight < projection.min_weight or any(t is None or t.name not in wanted for t in ends):
            continue
        edges.append((source, target, {"id": row["relation"].value, "relation": _local(row["type"].value),
                                       "weight": weight, "paragraphs": int(row["paragraphs"].value)}))
    if projection.inferred:
        cited = {(source, target) for source, target, _ in edges}
        for data in edges:
            data[2]["inferred"] = False
        for row in _rows(store, _INFERRED):
            source, target = row["source"].value, row["target"].value
            weight = int(row["weight"].value)
            ends = node_type(source), node_type(target)
            if ((source, target) in cited or weight < projection.min_weight
                    or any(t is None or t.name not in wanted for t in ends)):
                continue
            edges.append((source, target, {"id": f"{source} addresses {target}", "relation": "addresses",
                                           "weight": weight, "paragraphs": int(row["paragraphs"].value),
                                           "inferred": True}))
    edges.sort(key=lambda e: (e[0], e[1], e[2]["relation"]))

    import networkx as nx  # not loaded by commands that make no network (kg build)

    graph = nx.DiGraph()
    for iri in sorted({end for s, t, _ in edges for end in (s, t)}):
        graph.add_node(iri, **_attributes(iri, node_type(iri).name, classes[iri], labels[iri], values[iri],
                                          paragraphs.get(iri, 0), projection.label_language, style))
    for source, target, data in edges:
        if graph.has_edge(source, target):
            raise KgError(f"two relations between {source} and {target} "
                          f"({graph.edges[source, target]['relation']}, {data['relation']})")
        graph.add_edge(source, target, **data)
    return graph


def _kind(classes: set[str], style: NetworkStyle) -> str:
    """The most specific class among ours and the SDG ontology's (``IPOffice`` rather than ``Organisation``)."""
    own = sorted(c for c in classes if c.startswith((str(KGO._NS), str(SDGO))))
    general = {str(t.cls) for t in style.types}
    specific = [c for c in own if c not in general]
    return _local((specific or own)[0]) if own else ""


def _attributes(iri: str, type_name: str, classes: set[str], labels: dict[str, str], values: dict[str, str],
                paragraphs: int, language: str, style: NetworkStyle) -> dict:
    attributes: dict = {"type": type_name, "kind": _kind(classes, style)}
    if type_name == "goal" and "code" in values:
        display = f"SDG {values['code']}"
    elif type_name == "target" and "code" in values:
        display = values["code"]
    else:
        other = "zh" if language == "en" else "en"
        display = values.get("acronym") or labels.get(language) or labels.get(other) or iri
    attributes["label"] = display
    for lang in ("zh", "en"):
        if lang in labels:
            attributes[f"label_{lang}"] = labels[lang]
    attributes["iri"] = iri
    goal = values.get("code") if type_name == "goal" else values.get("goal")
    if goal is not None:
        attributes["goal"] = int(goal)
    for key in ("m49", "iso3"):
        if key in values:
            attributes[key] = values[key]
    attributes["paragraphs"] = paragraphs
    return attributes

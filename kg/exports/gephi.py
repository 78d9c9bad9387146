"""Writing the network projection as GEXF 1.3 (Gephi), GraphML and a pair of CSV files.

networkx writes the graphs; what its GEXF writer gets wrong for GEXF 1.3 is
mended in the element tree before it is serialised, so the file validates
against the official RELAX NG schema (``gexf.rng`` of gephi/gexf, which also
covers the ``viz:`` extension):

* it writes ``graph/@name`` (always, empty by default), which GEXF 1.3 does not have;
* it declares the XML Schema instance namespace as ``http://w3.org/2001/…``
  (``www.`` missing) for ``xsi:schemaLocation``; the schema allows no such
  attribute anyway, so both go;
* its ``meta/@lastmodifieddate`` is today's date, which would make the file
  differ from day to day: kg writes the date of the newest source document.

Nodes get ``viz:color`` by type and ``viz:size`` by degree (data/exports/network.toml).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from xml.etree.ElementTree import SubElement

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from kg import __version__
from kg.exports.config import NetworkStyle, network_style

GEXF_VERSION = "1.3"
NODE_COLUMNS = ("type", "kind", "label_zh", "label_en", "iri", "goal", "m49", "iso3", "paragraphs")


def with_viz(graph: nx.DiGraph, style: NetworkStyle | None = None) -> nx.DiGraph:
    """A copy of ``graph`` whose nodes carry Gephi's ``viz`` colour (by type) and size (by degree)."""
    style = style or network_style()
    colours = {t.name: t.colour for t in style.types}
    degrees = dict(graph.degree())
    low, high = (min(degrees.values()), max(degrees.values())) if degrees else (0, 0)
    span = high - low
    copy = graph.copy()
    for node, data in copy.nodes(data=True):
        r, g, b = colours[data["type"]]
        share = (degrees[node] - low) / span if span else 0.0
        size = round(style.min_size + (style.max_size - style.min_size) * share, 2)
        data["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "size": size}
    return copy


def gexf(graph: nx.DiGraph, modified: date | None = None, description: str = "",
         style: NetworkStyle | None = None) -> bytes:
    """The GEXF 1.3 document of ``graph``, valid against the 1.3 RELAX NG schema."""
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version=GEXF_VERSION)
    writer.add_graph(with_viz(graph, style))
    root = writer.xml
    for name in ("xmlns:xsi", "xsi:schemaLocation"):
        root.attrib.pop(name, None)
    writer.graph_element.attrib.pop("name", None)
    meta = root.find("meta")
    meta.find("creator").text = f"kg {__version__}"
    if modified is not None:
        meta.set("lastmodifieddate", modified.isoformat())
    else:
        meta.attrib.pop("lastmodifieddate", None)
    if description:
        SubElement(meta, "description").text = description
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


_NOT_NMTOKEN = re.compile(r"[^A-Za-z0-9._:\-]")


def nmtoken(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """A readable ``xs:NMTOKEN`` for an IRI, as GraphML wants for node ids: the IRI as a CURIE
    (``sdg:4.4``, ``geo:152``, ``kg:org.wipo``) with ``/`` read as ``.`` and any other character
    an NMTOKEN may not hold as ``_``."""
    prefixes = prefixes if prefixes is not None else {}
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is not None:
        prefix = next(p for p, ns in prefixes.items() if ns == best)
        iri = f"{prefix}:{iri[len(best):]}"
    return _NOT_NMTOKEN.sub("_", iri.replace("/", ".")) or "_"


def graphml_ids(graph: nx.DiGraph, base: str | None = None) -> dict[str, str]:
    """Each node's GraphML id (:func:`nmtoken`), unique: a clash gets ``-2``, ``-3`` … in node order."""
    from kg.namespaces import DEFAULT_BASE_IRI, PREFIXES

    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    prefixes["kg"] = base or DEFAULT_BASE_IRI
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for node in graph.nodes:
        candidate = nmtoken(str(node), prefixes)
        unique, n = candidate, 1
        while unique in taken:
            n += 1
            unique = f"{candidate}-{n}"
        taken.add(unique)
        ids[node] = unique
    return ids


def graphml(graph: nx.DiGraph, base: str | None = None) -> bytes:
    """GraphML 1.0, valid against its XSD, with the same attributes (no viz: GraphML has no standard for it).

    Node ids are NMTOKENs made from the IRIs (:func:`graphml_ids`; the IRI itself is the ``iri``
    attribute); keys get ids of their own (``d0``, ``d1`` …), one per attribute name and kind of
    element, so a node's ``paragraphs`` and an edge's are two keys; edges carry the IRI of their
    ``kgo:Relation`` as the ``id`` attribute, not as their XML id (an IRI is no NMTOKEN)."""
    relabelled = nx.relabel_nodes(graph, graphml_ids(graph, base), copy=True)
    stream = io.BytesIO()
    nx.write_graphml(relabelled, stream, encoding="utf-8", prettyprint=True, named_key_ids=False)
    return stream.getvalue()


def _csv(header: list[str], rows) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue().encode("utf-8")


def csv_pair(graph: nx.DiGraph) -> tuple[bytes, bytes]:
    """A nodes table and an edges table, with the column names Gephi's spreadsheet import
    recognises (``Id``, ``Label``; ``Source``, ``Target``, ``Type``, ``Weight``, ``Id``)."""
    nodes = _csv(["Id", "Label", *NODE_COLUMNS],
                 ([node, data["label"], *(data.get(c, "") for c in NODE_COLUMNS)]
                  for node, data in graph.nodes(data=True)))
    flagged = any("inferred" in data for *_, data in graph.edges(data=True))  # kg export --inferred
    edges = _csv(["Source", "Target", "Type", "Id", "Weight", "relation", "paragraphs", *(["inferred"] * flagged)],
                 ([u, v, "Directed", data["id"], data["weight"], data["relation"], data["paragraphs"],
                   *([str(data["inferred"]).lower()] if flagged else [])]
                  for u, v, data in graph.edges(data=True)))
    return nodes, edges

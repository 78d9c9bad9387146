"""``kg export`` and ``kg build --export``: the graph in the formats other tools read.

The last step of the flow before the build that calls it: exports are made from a store
(:mod:`kg.store`) and read the ontology (:mod:`kg.shacl.shapes`); this package also holds
what is published beside them, the JSON-LD context (:mod:`kg.exports.context`) and the
data-model page (:mod:`kg.exports.model_page`), and ``kg publish``
(:mod:`kg.exports.publish`). Nothing below it imports it.

=========  ==============================  ==========================================
format     default file(s)                 what
=========  ==============================  ==========================================
nq         dataset.nq                      N-Quads: the named graphs and the description
ttl        dataset.ttl                     Turtle: all graphs merged, and the description
jsonld     dataset.jsonld                  JSON-LD with kg's published ``@context``
dcat       dataset-description.ttl         the DCAT/VoID description alone, for catalogues
gexf       network.gexf                    the network projection for Gephi (GEXF 1.3)
graphml    network.graphml                 the network projection as GraphML
csv        network-nodes.csv, -edges.csv   the network projection as two tables
=========  ==============================  ==========================================

Every export is computed from a store (:func:`kg.store.open.open_store` of a
build's output, or the graph a build has just made) and is deterministic: the
same graph gives the same bytes. The RDF formats carry the dataset description
(:mod:`kg.exports.description`) in the named graph ``{base}graph/dataset``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from kg.errors import KgError
from kg.exports.description import Distribution, description_graph, description_quads, sources
from kg.exports.network import Projection, project

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class Format:
    name: str
    files: tuple[str, ...]  # default file names, in the order render() returns their contents
    distributions: tuple[str, ...]  # their entries in data/exports/dataset.toml


FORMATS = {f.name: f for f in (
    Format("nq", ("dataset.nq",), ("nq",)),
    Format("ttl", ("dataset.ttl",), ("ttl",)),
    Format("jsonld", ("dataset.jsonld",), ("jsonld",)),
    Format("dcat", ("dataset-description.ttl",), ()),
    Format("gexf", ("network.gexf",), ("gexf",)),
    Format("graphml", ("network.graphml",), ("graphml",)),
    Format("csv", ("network-nodes.csv", "network-edges.csv"), ("csv-nodes", "csv-edges")),
)}
NETWORK_FORMATS = ("gexf", "graphml")


def check_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise KgError(f"unknown export format {name!r} (use one of: {', '.join(FORMATS)})") from None


def distributions() -> list[Distribution]:
    """Every file kg exports, as the description lists it."""
    return [Distribution(key, file) for f in FORMATS.values() for key, file in zip(f.distributions, f.files)]


def output_paths(fmt: Format, out: Path | None, directory: Path) -> list[Path]:
    """Where ``fmt`` goes: ``out`` (a file, or for csv the stem of the two files, or a
    directory), else the default names in ``directory``."""
    if out is None or out.is_dir():
        return [(out or directory) / name for name in fmt.files]
    if len(fmt.files) == 1:
        return [out]
    stem = out.with_suffix("") if out.suffix == ".csv" else out
    return [stem.with_name(f"{stem.name}-{name.rsplit('-', 1)[1]}") for name in fmt.files]


class Exporter:
    """The exports of one store; the description and the network are computed once, when first needed."""

    def __init__(self, store: pyoxigraph.Store, projection: Projection = Projection(), inline_context: bool = False):
        self.store = store
        self.projection = projection
        self.inline_context = inline_context
        self.base, self.documents = sources(store)
        self.description_graph = description_graph(self.base)

    @cached_property
    def description(self) -> list[pyoxigraph.Quad]:
        return description_quads(self.store, distributions())

    def data_quads(self) -> list[pyoxigraph.Quad]:
        """The build's quads (without the description of an earlier export, if the store has one)."""
        graph = pyoxigraph.NamedNode(str(self.description_graph))
        return [q for q in self.store if q.graph_name != graph]

    def quads(self) -> list[pyoxigraph.Quad]:
        return self.data_quads() + self.description

    @cached_property
    def network(self) -> nx.DiGraph:
        return project(self.store, self.projection)

    @property
    def modified(self):
        dates = [d.date for d in self.documents if d.date is not None]
        return max(dates) if dates else None

    def render(self, name: str) -> list[bytes]:
        """The contents of the file(s) of format ``name``."""
        from kg.exports import gephi, rdf

        fmt = check_format(name).name
        if fmt == "nq":
            return [rdf.nquads(self.quads())]
        if fmt == "ttl":
            return [rdf.turtle(self.quads())]
        if fmt == "jsonld":
            return [rdf.jsonld(self.quads(), self.inline_context)]
        if fmt == "dcat":
            return [rdf.turtle(self.description)]
        if fmt == "gexf":
            from kg.exports.config import dataset_settings

            return [gephi.gexf(self.network, self.modified, dataset_settings().title.get("en", ""))]
        if fmt == "graphml":
            return [gephi.graphml(self.network, self.base)]
        return list(gephi.csv_pair(self.network))

    def files(self, name: str, out: Path | None, directory: Path) -> list[tuple[Path, bytes]]:
        return list(zip(output_paths(check_format(name), out, directory), self.render(name)))

"""The network page's layout: ForceAtlas2, computed once when the site is written.

The network is the GEXF export's (:func:`kg.exports.network.project`, with the colours and
sizes :func:`kg.exports.gephi.with_viz` gives Gephi), laid out with networkx's
ForceAtlas2 as Gephi would lay it out, so the browser only draws it. A fixed seed and the
projection's fixed node order make the positions, and so the page, the same on every run.
"""

from __future__ import annotations

import threading

import networkx as nx

SEED = 22
ITERATIONS = 100
# Gephi's default gravity (1) leaves a small component far from the rest, which squeezes the main one into
# a corner of the view; a stronger pull keeps every component in sight.
GRAVITY = 10.0


def forceatlas2(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Node → (x, y), rounded to three decimals; edge weights pull their ends together."""
    if graph.number_of_nodes() == 0:
        return {}
    undirected = nx.Graph()
    undirected.add_nodes_from(graph.nodes)
    undirected.add_weighted_edges_from((s, t, d.get("weight", 1)) for s, t, d in graph.edges(data=True))
    positions = nx.forceatlas2_layout(undirected, max_iter=ITERATIONS, seed=SEED, weight="weight",
                                      scaling_ratio=2.0, gravity=GRAVITY)
    return {node: (round(float(x), 3), round(float(y), 3)) for node, (x, y) in positions.items()}


class Layout:
    """:func:`forceatlas2` on a thread of its own (numpy works outside the GIL), while the graph is asked."""

    def __init__(self, graph: nx.DiGraph) -> None:
        self._result: dict[str, tuple[float, float]] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(graph,), name="kg-forceatlas2", daemon=True)
        self._thread.start()

    def _run(self, graph: nx.DiGraph) -> None:
        try:
            self._result = forceatlas2(graph)
        except BaseException as exc:  # noqa: BLE001 - raised again by result()
            self._error = exc

    def result(self) -> dict[str, tuple[float, float]]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result

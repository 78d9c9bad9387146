"""Draw the GEXF network the way Gephi lays it out (ForceAtlas2), as a PNG.

    python bench/render_network.py [GEXF] [--out docs/network.png] [--labels 25] [--seed 7]

GEXF defaults to out/network.gexf (`kg export --format gexf`). Nodes are drawn
with the colours and sizes the file carries (viz:color, viz:size: by type and by
degree), edges with a width that grows with their weight; the most connected
nodes are labelled with their label, or label_en where the label is not in Latin script
(the fonts matplotlib ships have no Chinese). Needs
matplotlib (`pip install -e '.[render]'`), which kg itself does not.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent


def layout(graph: nx.DiGraph, seed: int) -> dict:
    """ForceAtlas2 (Gephi's default layout) on the undirected graph, weighted, with a node's
    size as its halo so big nodes do not overlap."""
    sizes = {n: d["viz"]["size"] / 10 for n, d in graph.nodes(data=True)}
    return nx.forceatlas2_layout(graph.to_undirected(), max_iter=1000, scaling_ratio=2.0, gravity=1.0,
                                 strong_gravity=True, weight="weight", node_size=sizes, seed=seed)


def short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def draw(graph: nx.DiGraph, out: Path, labels: int, seed: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    positions = layout(graph, seed)
    colour = {n: tuple(d["viz"]["color"][c] / 255 for c in "rgb") for n, d in graph.nodes(data=True)}
    figure, axes = plt.subplots(figsize=(16, 12), dpi=100)
    weights = [d["weight"] for *_, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, positions, ax=axes, arrows=False, edge_color="#9a9a9a", alpha=0.35,
                           width=[0.3 + 0.5 * w ** 0.5 for w in weights])
    nodes = list(graph.nodes)
    nx.draw_networkx_nodes(graph, positions, nodelist=nodes, ax=axes, node_color=[colour[n] for n in nodes],
                           node_size=[graph.nodes[n]["viz"]["size"] ** 2 / 6 for n in nodes],
                           edgecolors="white", linewidths=0.5)
    degree = dict(graph.degree())
    top = sorted(nodes, key=lambda n: (-degree[n], n))[:labels]
    names = {n: short(label if (label := graph.nodes[n]["label"]).isascii()
                      else graph.nodes[n].get("label_en", label)) for n in top}
    nx.draw_networkx_labels(graph, positions, labels=names, ax=axes, font_size=9,
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7,
                                  "edgecolor": "none"})
    counts = Counter(d["type"] for _, d in graph.nodes(data=True))
    first = {d["type"]: n for n, d in reversed(list(graph.nodes(data=True)))}
    handles = [Line2D([], [], marker="o", linestyle="", markersize=10, color=colour[first[t]],
                      label=f"{t} ({counts[t]})") for t in sorted(counts, key=lambda t: -counts[t])]
    axes.legend(handles=handles, loc="lower left", frameon=False, fontsize=11)
    relations = Counter(d["relation"] for *_, d in graph.edges(data=True))
    axes.set_title(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} weighted relations ("
                   + ", ".join(f"{k} {v}" for k, v in sorted(relations.items())) + "); ForceAtlas2 layout",
                   fontsize=12)
    axes.set_axis_off()
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, metadata={"Software": None})
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gexf", nargs="?", type=Path, default=Path("out/network.gexf"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "network.png")
    parser.add_argument("--labels", type=int, default=20, help="How many of the most connected nodes to label.")
    parser.add_argument("--seed", type=int, default=7, help="Seed of the layout's initial positions.")
    args = parser.parse_args()
    if not args.gexf.is_file():
        print(f"{args.gexf}: no such file (run `kg export --format gexf` first)", file=sys.stderr)
        return 2
    graph = nx.read_gexf(args.gexf)
    draw(graph, args.out, args.labels, args.seed)
    print(f"wrote {args.out} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""SHACL engines against one node with many values on a path (why kg.validate.FANOUT exists).

    python bench/fanout.py [--values 5000,10000,20000] [--nodes 1]

A corpus's relations (graph/relations) have one kgo:supportedBy per activity behind them, in
every document: thousands of values on one predicate of one node. This builds the smallest
graph with that shape, ``--nodes`` nodes of class ``e:R`` with N values of ``e:p`` each, and
times one ``sh:minCount 1`` property shape on it with pyshacl-turbo and with pySHACL (best of
two runs each; the shapes compiled once, outside the timing).
"""

from __future__ import annotations

import argparse
import time

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix e: <http://e/> .
e:S a sh:NodeShape ; sh:targetClass e:R ; sh:property [ sh:path e:p ; sh:minCount 1 ] ."""


def _best(run, repeat: int = 2) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        conforms = run()
        times.append(time.perf_counter() - started)
        assert conforms, "the graph conforms: both engines must say so"
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", default="5000,10000,20000", help="Values per node, comma-separated.")
    parser.add_argument("--nodes", type=int, default=1)
    args = parser.parse_args()

    import pyoxigraph as ox
    import pyshacl
    import pyshacl_turbo
    from rdflib import RDF, Graph, URIRef

    shapes = Graph().parse(data=SHAPES, format="turtle")
    compiled = pyshacl_turbo.compile_shapes(shapes, advanced=True)
    print(f"{args.nodes} node(s) of class e:R, one sh:minCount 1 shape on e:p; seconds, best of 2")
    print()
    print("| values per node | pyshacl-turbo s | pySHACL s |")
    print("|---:|---:|---:|")
    for count in (int(v) for v in args.values.split(",")):
        store, graph = ox.Store(), Graph()
        for i in range(args.nodes):
            node = f"http://e/r{i}"
            store.add(ox.Quad(ox.NamedNode(node), ox.NamedNode(str(RDF.type)), ox.NamedNode("http://e/R")))
            graph.add((URIRef(node), RDF.type, URIRef("http://e/R")))
            for j in range(count):
                store.add(ox.Quad(ox.NamedNode(node), ox.NamedNode("http://e/p"), ox.NamedNode(f"http://e/a{i}_{j}")))
                graph.add((URIRef(node), URIRef("http://e/p"), URIRef(f"http://e/a{i}_{j}")))
        turbo = _best(lambda: compiled.validate(store)[0])
        reference = _best(lambda: pyshacl.validate(graph, shacl_graph=shapes)[0])
        print(f"| {count:,} | {turbo:.3f} | {reference:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

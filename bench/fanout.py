"""SHACL engines against one node with many values on a path (why kg.shacl.shared.FANOUT exists,
and why kg states a relation's support from its activities' side).

    python bench/fanout.py [--values 5000,10000,20000] [--nodes 1]

This builds ``--nodes`` nodes of class ``e:R`` with N values of ``e:p`` each and times one
``sh:minCount 1`` property shape on them with pyshacl-turbo and with pySHACL; then the same
values stated from their side (``e:a e:q e:r``) under ``sh:minCount 1`` on the inverse path
``[ sh:inversePath e:q ]``, with pyshacl-turbo (best of two runs each; the shapes compiled once,
outside the timing). A corpus's relations (graph/relations) had one such value per activity
behind them, in every document, until their support was stated as ``activity kgo:supports
relation``.
"""

from __future__ import annotations

import argparse
import time

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix e: <http://e/> .
e:S a sh:NodeShape ; sh:targetClass e:R ; sh:property [ sh:path e:p ; sh:minCount 1 ] ."""
INVERSE_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix e: <http://e/> .
e:S a sh:NodeShape ; sh:targetClass e:R ; sh:property [ sh:path [ sh:inversePath e:q ] ; sh:minCount 1 ] ."""


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
    inverse = pyshacl_turbo.compile_shapes(Graph().parse(data=INVERSE_SHAPES, format="turtle"), advanced=True)
    print(f"{args.nodes} node(s) of class e:R, one sh:minCount 1 shape; seconds, best of 2")
    print()
    print("| values per node | pyshacl-turbo, e:p s | pySHACL, e:p s | pyshacl-turbo, ^e:q s |")
    print("|---:|---:|---:|---:|")
    for count in (int(v) for v in args.values.split(",")):
        store, graph, inverse_store = ox.Store(), Graph(), ox.Store()
        for i in range(args.nodes):
            node = ox.NamedNode(f"http://e/r{i}")
            typed = ox.Quad(node, ox.NamedNode(str(RDF.type)), ox.NamedNode("http://e/R"))
            store.add(typed)
            inverse_store.add(typed)
            graph.add((URIRef(node.value), RDF.type, URIRef("http://e/R")))
            for j in range(count):
                value = ox.NamedNode(f"http://e/a{i}_{j}")
                store.add(ox.Quad(node, ox.NamedNode("http://e/p"), value))
                inverse_store.add(ox.Quad(value, ox.NamedNode("http://e/q"), node))
                graph.add((URIRef(node.value), URIRef("http://e/p"), URIRef(value.value)))
        turbo = _best(lambda: compiled.validate(store)[0])
        reference = _best(lambda: pyshacl.validate(graph, shacl_graph=shapes)[0])
        turbo_inverse = _best(lambda: inverse.validate(inverse_store)[0])
        print(f"| {count:,} | {turbo:.3f} | {reference:.3f} | {turbo_inverse:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""kg's layout: packages in layers that follow the data flow, and no import cycles.

Every import in kg counts, those inside functions too (a lazy import is still a
dependency). ``from kg.x import y`` depends on ``kg.x.y`` when that is a module,
else on ``kg.x``.
"""

from __future__ import annotations

import ast
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"

# kg's packages from the bottom up, in the order data flows through them: text → documents →
# mentions → entities → triples → validation → store and queries → exports, then the build that
# runs them all, the Python API (kg.api: build, query, export, validate) and the command line on top. "base" is kg's top-level modules (errors, resources,
# namespaces, RDF reading), which every layer may use. A module may import from its own layer and
# the layers below it, never from a layer above.
LAYERS = ("base", "language", "reader", "knowledge", "nlp", "inference", "graph", "shacl", "store", "exports", "build",
          "distributed", "report", "training", "api", "cli")


def kg_modules() -> dict[str, Path]:
    """Every module of kg by dotted name (a package by its ``__init__.py``)."""
    found = {}
    for path in sorted(KG.rglob("*.py")):
        parts = list(path.relative_to(KG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The kg modules ``name`` imports, anywhere in its code."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package, up level - 1 more
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {m for m in found if m == "kg" or m.startswith("kg.")}


def import_graph() -> dict[str, set[str]]:
    modules = kg_modules()
    return {name: imported(name, path, modules) for name, path in modules.items()}


def layer(module: str) -> str:
    """The layer of a module: its subpackage of kg, or "base" for kg itself and its top-level modules."""
    parts = module.split(".")
    if len(parts) == 1 or (len(parts) == 2 and (KG / f"{parts[1]}.py").is_file()):
        return "base"
    return parts[1]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_import_names_a_module_of_kg():
    graph = import_graph()
    missing = sorted(f"{source} imports {target}" for source, targets in graph.items() for target in targets
                     if target not in graph)
    assert not missing, "\n".join(missing)


def test_every_module_is_in_a_layer():
    unplaced = sorted(name for name in kg_modules() if layer(name) not in LAYERS)
    assert not unplaced, f"modules in no layer of LAYERS: {', '.join(unplaced)}"


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(component) for component in found)


def test_no_package_imports_from_a_higher_layer():
    rank = {name: i for i, name in enumerate(LAYERS)}
    upward = sorted(f"{source} ({layer(source)}) imports {target} ({layer(target)})"
                    for source, targets in import_graph().items() for target in targets
                    if rank.get(layer(target), -1) > rank.get(layer(source), len(LAYERS)))
    assert not upward, "\n".join(upward)

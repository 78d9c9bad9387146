"""kg: build an RDF knowledge graph from the UN system's SDG reporting.

The Python API (docs/api.md) is importable from here: ``kg.build_graph``, ``kg.query``,
``kg.export``, ``kg.validate``, ``kg.open_graph``, ``kg.stored_queries`` and their types. They
live in :mod:`kg.api` and are loaded on first use, so that ``import kg`` (which every module
of kg does) stays cheap; ``kg/__init__.pyi`` declares them for type checkers.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Bumped when the graph model changes in a way the code and data hashed by
# kg.resources.pipeline_version() do not show (a new meaning for an old term).
PIPELINE_VERSION = "1"

_API = ("Build", "GraphSource", "Row", "StoredQuery", "ValidationResult", "build_graph", "export", "open_graph",
        "query", "stored_queries", "validate")
__all__ = ["PIPELINE_VERSION", "__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module("kg.api"), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})

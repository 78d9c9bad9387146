# What `import kg` offers, for type checkers: the Python API of kg.api (loaded on first use by
# kg/__init__.py's __getattr__) and the version strings. Keep in step with kg/__init__.py's _API.
from kg.api import Build as Build
from kg.api import GraphSource as GraphSource
from kg.api import Row as Row
from kg.api import StoredQuery as StoredQuery
from kg.api import ValidationResult as ValidationResult
from kg.api import build_graph as build_graph
from kg.api import export as export
from kg.api import open_graph as open_graph
from kg.api import query as query
from kg.api import stored_queries as stored_queries
from kg.api import validate as validate

__version__: str
PIPELINE_VERSION: str
__all__: list[str]

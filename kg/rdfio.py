"""Reading RDF files: the format from the extension, and a one-line error naming file and line."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import KgError

FORMATS = {
    ".nq": "nquads", ".nt": "nt", ".ttl": "turtle", ".trig": "trig", ".jsonld": "json-ld",
    ".json": "json-ld", ".rdf": "xml", ".owl": "xml", ".xml": "xml",
}


def rdf_format(path: Path) -> str:
    try:
        return FORMATS[Path(path).suffix.lower()]
    except KeyError:
        raise KgError(f"unknown RDF file type {Path(path).suffix!r} (use one of: {', '.join(sorted(FORMATS))})",
                      path=path) from None


def _error(path: Path, exc: Exception, error: type[KgError]) -> KgError:
    if isinstance(exc, BadSyntax):
        reason = exc.args[4] if len(exc.args) > 4 else "bad syntax"  # BadSyntax(uri, lines, text, index, why)
        text, index = (exc.args[2], exc.args[3]) if len(exc.args) > 3 else (None, None)
        # The parser's own line count drifts (it counts some line breaks twice); the
        # offset of the error in the text it was parsing does not.
        line = text.count("\n", 0, index) + 1 if isinstance(text, str) and isinstance(index, int) else exc.lines + 1
        return error(f"not valid {rdf_format(path)}: {reason}", path=path, line=line)
    line = getattr(exc, "lineno", None) or getattr(exc, "line", None)
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return error(f"not valid {rdf_format(path)}: {message}", path=path,
                 line=line if isinstance(line, int) else None)


# Formats pyoxigraph reads into a plain graph (its parser is some ten times faster than rdflib's).
_FAST_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES"}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# A language tag with a capital letter after a closing quote (``"..."@zh-Hans``).
_MIXED_CASE_TAG = re.compile(rb'["\']@[A-Za-z0-9-]*[A-Z]')


def _parse_fast(target: Graph, path: Path, fmt: str) -> bool:
    """Parse ``path`` with pyoxigraph into ``target`` (its prefixes bound as rdflib binds them);
    False, with ``target`` untouched, if pyoxigraph refuses the file (rdflib then reads it, and
    words the error as usual)."""
    import pyoxigraph as ox

    data = path.read_bytes()
    if _MIXED_CASE_TAG.search(data):
        return False  # pyoxigraph writes language tags in lower case (zh-hans); rdflib keeps them as written
    parser = ox.parse(data, format=getattr(ox.RdfFormat, _FAST_FORMATS[fmt]))
    iris: dict[str, URIRef] = {}  # an IRI is made (and checked by rdflib) once, however often it occurs

    def term(node):
        kind = type(node)
        if kind is ox.NamedNode:
            found = iris.get(node.value)
            if found is None:
                found = iris[node.value] = URIRef(node.value)
            return found
        if kind is ox.BlankNode:
            return BNode(node.value)
        if node.language:
            return Literal(node.value, lang=node.language)
        datatype = node.datatype.value
        return Literal(node.value) if datatype == _XSD_STRING else Literal(node.value, datatype=term(node.datatype))

    try:
        triples = [(term(q.subject), term(q.predicate), term(q.object)) for q in parser]
    except (SyntaxError, ValueError, OSError):
        return False
    for prefix, namespace in parser.prefixes.items():
        target.bind(prefix, namespace, override=False)
    target.addN((s, p, o, target) for s, p, o in triples)
    return True


def parse_into(target: Graph | Dataset, path: Path, error: type[KgError] = KgError) -> None:
    """Parse ``path`` into ``target`` (a dataset keeps the named graphs of quad formats)."""
    path = Path(path)
    if not path.is_file():
        raise error("no such file", path=path)
    fmt = rdf_format(path)
    if fmt in _FAST_FORMATS and type(target) is Graph and _parse_fast(target, path, fmt):
        return
    try:
        target.parse(path, format=fmt)
    except Exception as exc:  # rdflib's parsers raise many unrelated exception types
        raise _error(path, exc, error) from None


def load_dataset(paths: list[Path], error: type[KgError] = KgError) -> Dataset:
    dataset = Dataset()
    for path in paths:
        parse_into(dataset, path, error)
    return dataset

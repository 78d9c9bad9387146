"""Turning ``--param key=value`` into the RDF term a query's variable is bound to.

The convention, the same for every stored query (and documented in each header):

1. For an ``xsd:`` datatype, the value is a literal of that type (an integer is
   checked), whatever it looks like.
2. Otherwise ``<…>`` is that IRI; a CURIE with kg's prefixes (``sdg:4.4``, ``geo:152``,
   ``kgo:Partner`` …, and ``kg:`` for the graph's own base IRI, as the table
   output shows it) is the IRI it stands for.
3. For a parameter declared as an SDG target or goal, a code (``4.4``, ``4``,
   ``17.b``) is that target's or goal's UN IRI. Without a declaration (a user's
   own ``--file`` query) a target code is the target's IRI too.
4. For a parameter declared as a class of entity (``kgo:Programme``,
   ``kgo:Country`` …), another value is looked up among the entities of that
   class in the graph by registry id, code (M49 with or without its leading zeros,
   ISO 3166 alpha-3, SDG notation), acronym or name, ignoring case; a value naming two entities is an
   error that lists them.
5. Anything else is a plain literal: it matches nothing that is an IRI, and
   never changes what the query means.

The lookup is itself a query with the value substituted as a literal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph

from kg.errors import KgError
from kg.namespaces import DEFAULT_BASE_IRI, SDG
from kg.store.queries import Parameter, StoredQuery
from kg.store.sparql import PREFIX_IRIS, execute

DATA_PREFIX = "kg"
_CURIE = re.compile(r"^([A-Za-z][\w-]*):([^\s<>\"{}|^`\\]*)$")
_TARGET_CODE = re.compile(r"^(1[0-7]|[1-9])\.([0-9]{1,2}|[a-z])$")
_GOAL_CODE = re.compile(r"^(1[0-7]|[1-9])$")
_SDG_CLASSES = {"sdgo:Target", "sdgo:Goal"}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = re.compile(r"^[+-]?[0-9]+$")

_LOOKUP = """
SELECT DISTINCT ?entity ?value ?class WHERE {
  VALUES ?key { dct:identifier kgo:m49Code skos:notation kgo:acronym skos:prefLabel skos:altLabel }
  ?entity ?key ?name .
  FILTER(LCASE(STR(?name)) = LCASE(STR(?value)))
  ?entity a ?class .
} ORDER BY ?entity LIMIT 6
"""
_LOOKUP_ANY = _LOOKUP.replace("  ?entity a ?class .\n", "")
_ANY = "http://www.w3.org/2000/01/rdf-schema#Resource"  # a parameter of any kind of entity


class ParameterError(KgError):
    """A ``--param`` that cannot be bound."""


def data_base(store: pyoxigraph.Store) -> str:
    """The base IRI the graph's own resources were minted under (``kg build --base-iri``)."""
    found = execute(store, "SELECT ?doc WHERE { VALUES ?kind { kgo:Report kgo:Article } ?doc a ?kind } "
                           "ORDER BY ?doc LIMIT 1")
    for row in found:
        iri = row["doc"].value
        if "/doc/" in iri:
            return iri[:iri.rindex("/doc/") + 1]
    return DEFAULT_BASE_IRI


def prefixes_for(base: str) -> dict[str, str]:
    """kg's prefixes plus ``kg:`` for the graph's base IRI."""
    return {**PREFIX_IRIS, DATA_PREFIX: base}


def _iri(value: str) -> pyoxigraph.NamedNode:
    try:
        return pyoxigraph.NamedNode(value)
    except ValueError as exc:
        raise ParameterError(f"{value!r} is not a valid IRI ({exc})") from None


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """``["key=value", …]`` → ``{key: value}``; a malformed one is an error."""
    values: dict[str, str] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"\w+", name):
            raise ParameterError(f"--param {assignment!r}: expected NAME=VALUE")
        if name in values:
            raise ParameterError(f"--param {name} is given twice")
        values[name] = value
    return values


def bind(value: str, parameter: Parameter | None, store: pyoxigraph.Store, prefixes: Mapping[str, str]):
    """The pyoxigraph term for ``value`` under ``parameter``'s declaration (see the module doc)."""
    if parameter is not None and parameter.datatype is not None:
        # A literal parameter is a literal of its type, whatever it looks like.
        datatype = parameter.datatype.split(":", 1)[1]
        if datatype == "integer" and not _INTEGER.match(value.strip()):
            raise ParameterError(f"--param {parameter.name}: {value!r} is not an integer")
        return pyoxigraph.Literal(value.strip() if datatype == "integer" else value,
                                  datatype=pyoxigraph.NamedNode(_XSD + datatype))
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1])
    curie = _CURIE.match(value)
    if curie and curie.group(1) in prefixes:
        return _iri(prefixes[curie.group(1)] + curie.group(2))
    types = set(parameter.types) if parameter is not None else set()
    if (not types or "sdgo:Target" in types) and _TARGET_CODE.match(value):
        return pyoxigraph.NamedNode(str(SDG) + value)
    if "sdgo:Goal" in types and _GOAL_CODE.match(value):
        return pyoxigraph.NamedNode(str(SDG) + value)
    if types - _SDG_CLASSES:
        return _look_up(value, parameter, store, prefixes)
    return pyoxigraph.Literal(value)


def _look_up(value: str, parameter: Parameter, store: pyoxigraph.Store, prefixes: Mapping[str, str]):
    classes = []
    for curie in parameter.types:
        prefix, _, local = curie.partition(":")
        if prefix not in prefixes:
            raise ParameterError(f"parameter {parameter.name}: unknown prefix in {curie!r}")
        classes.append(prefixes[prefix] + local)
    found = []
    # An M49 code as the IRI writes it (076) or as the UN's code list and kgo:m49Code do (76).
    spellings = [value] + ([str(int(value))] if value.isdigit() and str(int(value)) != value else [])
    for cls in classes:
        query = _LOOKUP_ANY if cls == _ANY else _LOOKUP
        for spelling in spellings:
            bound = {"value": pyoxigraph.Literal(spelling)}
            if cls != _ANY:
                bound["class"] = pyoxigraph.NamedNode(cls)
            found.extend(row["entity"] for row in execute(store, query, substitutions=bound)
                         if row["entity"] not in found)
    if len(found) > 1:
        names = ", ".join(f"<{e.value}>" for e in found[:5])
        raise ParameterError(f"--param {parameter.name}={value!r} names more than one entity ({names}); "
                             "give the IRI")
    return found[0] if found else pyoxigraph.Literal(value)


def substitutions(values: Mapping[str, str], parameters: tuple[Parameter, ...], query_text: str,
                  store: pyoxigraph.Store, prefixes: Mapping[str, str], *, declared: bool) -> dict[str, object]:
    """Bind every value; with ``declared`` (a stored query) the names must be its parameters, all given."""
    by_name = {p.name: p for p in parameters}
    if declared or parameters:
        unknown = sorted(set(values) - set(by_name))
        if unknown:
            allowed = ", ".join(by_name) or "none"
            raise ParameterError(f"unknown parameter {unknown[0]!r} (this query's parameters: {allowed})")
        missing = [p for p in parameters if p.name not in values and not p.optional]
        if missing:
            first = missing[0]
            raise ParameterError(f"missing --param {first.name}=… ({first.description})")
    for name in values:
        if not re.search(rf"[?$]{re.escape(name)}\b", query_text):
            raise ParameterError(f"--param {name}: the query has no variable ?{name}")
    return {name: bind(value, by_name.get(name), store, prefixes) for name, value in values.items()}



def run(store: pyoxigraph.Store, query: StoredQuery, values: Mapping[str, str], *, stored: bool = True):
    """Run a stored query (or a user's file, ``stored=False``) with ``values`` bound: (result, prefixes)."""
    prefixes = prefixes_for(data_base(store))
    bound = substitutions(values, query.parameters, query.text, store, prefixes, declared=stored)
    return execute(store, query.text, path=query.path, substitutions=bound), prefixes

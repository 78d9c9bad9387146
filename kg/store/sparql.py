"""Running SPARQL over a built graph: checks, parameters bound as RDF terms, one-line errors.

Everything that asks the graph a question — ``kg query``, ``kg serve`` and the
tests — goes through :func:`execute`, which

* refuses ``SERVICE`` (a query must not make kg call other hosts: pyoxigraph
  would fetch a ``SERVICE`` clause over HTTP). The query is parsed by a SPARQL 1.1
  parser (rdflib's) and its parse tree searched for a service pattern, so no lexical
  trick can hide one; a query that parser cannot read is refused as a syntax error
  (so pyoxigraph's extensions, ``LATERAL`` among them, are not reachable: kg answers
  standard SPARQL 1.1, which any store answers the same), as is one nested deeper than
  :data:`MAX_NESTING` (a deep nesting crashes parsers);
* binds parameters by SEP-0007 substitution (``substitutions=`` of
  :meth:`pyoxigraph.Store.query`): a value is an RDF term placed in the query's
  algebra, never text spliced into it, so no value can change what a query means;
* turns a syntax error into a :class:`~kg.errors.KgError` naming the file and line.

Queries see the union of the named graphs (each document is a named graph).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph

from kg.errors import KgError
from kg.namespaces import PREFIXES

PREFIX_IRIS = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


class QueryError(KgError):
    """A query that cannot be run: bad syntax, a refused feature, a bad parameter."""


class Refused(QueryError):
    """A query that asks for something kg does not do (``SERVICE``)."""


# The lexical pieces of SPARQL that can hide a keyword: strings (long and short,
# with escapes), IRI references (with \u escapes, as the grammar allows) and
# comments. Whatever is left is keywords, names, variables and punctuation.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"
    r"|#[^\n\r]*"
    # A prefixed name, whose local part may hold escapes (PN_LOCAL_ESC: kgo:a\' is one name,
    # not a name and the start of a string) and %-escapes.
    r"|(?:[^\W\d_](?:[\w.\-]*[\w\-])?)?:(?:[\w:\-]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
    r"|\.(?=[\w:\-%\\]))*",
    re.S,
)
# SERVICE as a keyword: not part of a variable (?service), a prefixed name
# (ex:service, service:x) or a longer word. Anything else that reads as the
# keyword is refused, even where the parser would not accept it.
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:])", re.I)
# LATERAL (SEP-0006), an extension pyoxigraph and Jena parse but SPARQL 1.1 does not have, as a keyword.
_LATERAL = re.compile(r"(?<![\w?$:])LATERAL(?![\w:])", re.I)


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def lateral_position(query: str) -> tuple[int, int] | None:
    """(line, column) of the first LATERAL keyword outside strings, IRIs and comments, if any."""
    code = _OPAQUE.sub(_blank, query)
    match = _LATERAL.search(code)
    if match is None:
        return None
    line = code.count("\n", 0, match.start()) + 1
    return line, match.start() - (code.rfind("\n", 0, match.start()) + 1) + 1


def service_position(query: str) -> tuple[int, int] | None:
    """(line, column) of the first SERVICE keyword outside strings, IRIs and comments, if any."""
    code = _OPAQUE.sub(_blank, query)
    match = _SERVICE.search(code)
    if match is None:
        return None
    line = code.count("\n", 0, match.start()) + 1
    return line, match.start() - (code.rfind("\n", 0, match.start()) + 1) + 1


# Prefixed names and IRIs are blanked before this is matched: "PREFIX kgo: <…>" reads "PREFIX      …".
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+(?:[^\s:]*:)?\s*|BASE\s*)<?[ ]*>?\s*)*", re.I)
_UPDATE = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)


def update_keyword(query: str) -> str | None:
    """The operation an update opens with (LOAD, DROP …), if ``query`` is an update rather than a query."""
    code = _OPAQUE.sub(_blank, query)
    match = _UPDATE.match(code, _PROLOGUE.match(code).end())
    return match.group(1).upper() if match else None


# Deeper nesting than any real query needs; rdflib's parser recurses about 25 Python frames per
# level (it gives up near 50) and pyoxigraph's overflows its stack near 3,000.
MAX_NESTING = 24


def nesting(query: str) -> tuple[int, int]:
    """The deepest nesting of brackets and braces outside strings, IRIs and comments, and its line."""
    code = _OPAQUE.sub(_blank, query)
    depth = deepest = 0
    line = at = 1
    for index, char in enumerate(code):
        if char == "\n":
            line += 1
        elif char in "{([":
            depth += 1
            if depth > deepest:
                deepest, at = depth, line
        elif char in "})]":
            depth -= 1
    return deepest, at


def _has_service(node) -> bool:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                return True
            stack.extend(item.values())
        elif isinstance(item, (ParseResults, list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False


@functools.lru_cache(maxsize=512)
def _verdict(query: str) -> tuple[str, str, int] | None:
    """Why ``query`` is refused, as (kind, message, line), or None: computed once per query text."""
    operation = update_keyword(query)
    if operation is not None:
        return ("refused", f"{operation} is a SPARQL update and updates are refused: kg only answers queries", 1)
    deepest, line = nesting(query)
    if deepest > MAX_NESTING:
        return ("refused", f"the query nests brackets and braces {deepest} deep; kg answers queries nested "
                           f"at most {MAX_NESTING} deep", line)
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(query)
    except ParseException as error:
        lateral = lateral_position(query)
        if lateral is not None:
            return ("syntax", f"SPARQL syntax error at column {lateral[1]}: LATERAL is not SPARQL 1.1 (an extension, "
                              "SEP-0006, that other stores reject): kg answers standard SPARQL 1.1 only", lateral[0])
        reason = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)$", "", str(error)).strip()
        return ("syntax", f"SPARQL syntax error at column {error.col}: {reason}", error.lineno)
    except RecursionError:
        return ("refused", f"the query nests too deep for kg's SPARQL parser (at most {MAX_NESTING} levels)", 1)
    found = service_position(query)
    if found is not None or _has_service(tree):
        return ("refused", "SERVICE is refused: kg answers from its own graph and does not query other hosts",
                found[0] if found else 1)
    return None


def check_query(query: str, *, path: Path | str | None = None) -> None:
    """Refuse what a query must not do before pyoxigraph sees it.

    Updates, SERVICE and deep nesting are :class:`Refused`; a query a SPARQL 1.1 parser cannot
    read is a :class:`QueryError` (pyoxigraph never sees it, so its extensions are not reachable).
    """
    verdict = _verdict(query)
    if verdict is None:
        return
    kind, message, line = verdict
    raise (Refused if kind == "refused" else QueryError)(message, path=path or "query", line=line)


_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.S)


def syntax_error(exc: SyntaxError, query: str, path: Path | str | None) -> QueryError:
    """A syntax error as ``FILE:LINE: SPARQL syntax error at column C: …``.

    pyoxigraph's parser reports the farthest point it reached, which is often the
    end of the query; rdflib's SPARQL parser (pyparsing) points at the clause that
    does not parse, so its place is used when it rejects the query too. A query only pyoxigraph rejects (an
    undefined prefix, say) keeps pyoxigraph's place.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(query)
    except ParseException as other:
        reason = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)$", "", str(other)).strip()
        return QueryError(f"SPARQL syntax error at column {other.col}: {reason}", path=path or "query",
                          line=other.lineno)
    except Exception:  # noqa: BLE001 - rdflib could not say; fall back on pyoxigraph's account
        pass
    message = str(exc).strip()
    match = _POSITION.match(message)
    if match:
        line, column, reason = match.groups()
        return QueryError(f"SPARQL syntax error at column {column}: {reason.splitlines()[0]}",
                          path=path or "query", line=int(line))
    return QueryError(f"SPARQL syntax error: {message.splitlines()[0]}", path=path or "query")


def execute(store: pyoxigraph.Store, query: str, *, path: Path | str | None = None,
            substitutions: Mapping[str, object] | None = None, default_graph=None, named_graphs=None):
    """Run ``query`` over ``store``: a QuerySolutions, QueryTriples or QueryBoolean.

    ``substitutions`` maps variable names to pyoxigraph terms (SEP-0007). Without
    ``default_graph`` the default graph is the union of all graphs.
    """
    check_query(query, path=path)
    options = {"prefixes": PREFIX_IRIS}
    if default_graph is not None:
        options["default_graph"] = default_graph
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs is not None:
        options["named_graphs"] = named_graphs
    if substitutions:
        options["substitutions"] = {pyoxigraph.Variable(name): term for name, term in substitutions.items()}
    try:
        return store.query(query, **options)
    except SyntaxError as exc:
        raise syntax_error(exc, query, path) from None
    except RuntimeError as exc:
        # SEP-0007 binds only variables the query projects.
        if "SELECT projection" in str(exc):
            raise QueryError(f"{exc}: a bound variable must be one of the SELECT columns (SEP-0007)",
                             path=path or "query") from None
        raise


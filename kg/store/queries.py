"""The stored SPARQL queries (``queries/*.rq``): one question per file, described by its header.

Each file opens with a comment header that says what the query asks, in English
and Chinese, which parameters it takes and how to run it::

    # Question: Which programmes contribute to a given SDG target or goal?
    # 问题：哪些计划促进实现某一具体目标或可持续发展目标？
    # Parameter: target (sdgo:Target or sdgo:Goal): a target or goal code (4.4, 4) …
    # Example: kg query programmes-for-target --param target=4.4

``Question``, ``问题`` and at least one ``Example`` are required; a ``Parameter``
line declares each variable that ``--param`` binds, with the classes (or the
``xsd:`` datatype) its value must have, and ``optional`` if the query may run
with it unbound. The header is the only description of
a query: ``kg queries`` and ``queries/README.md`` are made from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.resources import shipped

_FIELD = re.compile(r"^#\s*(Question|问题|Parameter|Example|Returns)\s*[:：]\s*(.*?)\s*$")
_PARAMETER = re.compile(r"^(\w+)\s*\(([^)]*)\)\s*[:：]\s*(.+)$")
_TYPE = re.compile(r"^[a-z][a-z0-9]*:[A-Za-z][\w-]*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    types: tuple[str, ...]  # CURIEs: classes its value is looked up in, or one xsd: datatype
    description: str
    optional: bool = False  # declared "(TYPE, optional)": left unbound when not given

    @property
    def datatype(self) -> str | None:
        """The ``xsd:`` datatype of a literal parameter (``None`` for a resource)."""
        return self.types[0] if len(self.types) == 1 and self.types[0].startswith("xsd:") else None


@dataclass(frozen=True)
class StoredQuery:
    name: str
    path: Path
    text: str
    question: str
    question_zh: str
    parameters: tuple[Parameter, ...] = ()
    examples: tuple[str, ...] = ()
    returns: str = ""
    header_lines: int = 0

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


@dataclass
class _Header:
    fields: dict[str, list[str]] = field(default_factory=dict)
    line_of: dict[tuple[str, int], int] = field(default_factory=dict)  # (field, index) → line number
    lines: int = 0


def _read_header(text: str) -> _Header:
    header = _Header()
    last = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        header.lines = number
        match = _FIELD.match(line)
        if match:
            last = match.group(1)
            values = header.fields.setdefault(last, [])
            header.line_of[(last, len(values))] = number
            values.append(match.group(2))
        elif last in ("Question", "问题", "Returns", "Parameter") and line[1:].startswith("   ") and line[1:].strip():
            # An indented continuation line belongs to the field above it.
            header.fields[last][-1] += " " + line[1:].strip()
        elif not line[1:].strip():
            last = None
    return header


def parse_query_file(path: Path, *, require_header: bool = True) -> StoredQuery:
    """Read one ``.rq`` file; a stored query's header must be complete (a user's file need not)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KgError("no such query file", path=path) from None
    except UnicodeDecodeError as exc:
        raise KgError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    header = _read_header(text)
    fields = header.fields
    if require_header:
        for name in ("Question", "问题", "Example"):
            if not fields.get(name):
                raise KgError(f"the header has no '# {name}:' line", path=path, line=1)
    parameters = []
    for index, line_text in enumerate(fields.get("Parameter", [])):
        line = header.line_of[("Parameter", index)]
        match = _PARAMETER.match(line_text)
        if not match:
            raise KgError(f"cannot read the parameter declaration {line_text!r} "
                          "(expected: NAME (TYPE or TYPE): description)", path=path, line=line)
        types = tuple(t.strip() for t in re.split(r"\s+or\s+|,", match.group(2)) if t.strip())
        optional = "optional" in types
        types = tuple(t for t in types if t != "optional")
        if not types or not all(_TYPE.match(t) for t in types):
            raise KgError(f"parameter {match.group(1)!r}: types must be CURIEs such as kgo:Programme or xsd:integer",
                          path=path, line=line)
        parameters.append(Parameter(match.group(1), types, match.group(3), optional))
    return StoredQuery(
        name=path.stem, path=path, text=text,
        question=" ".join(fields.get("Question", [""])[:1]),
        question_zh=" ".join(fields.get("问题", [""])[:1]),
        parameters=tuple(parameters),
        examples=tuple(fields.get("Example", [])),
        returns=" ".join(fields.get("Returns", [""])[:1]),
        header_lines=header.lines,
    )


def query_dir() -> Path:
    return shipped("queries")


def catalogue(directory: Path | None = None) -> dict[str, StoredQuery]:
    """Every stored query, by name (the file name without ``.rq``), in name order."""
    directory = Path(directory) if directory is not None else query_dir()
    return {path.stem: parse_query_file(path) for path in sorted(directory.glob("*.rq"))}


def stored_query(name: str, directory: Path | None = None) -> StoredQuery:
    """The stored query called ``name``; an unknown name lists the available ones."""
    directory = Path(directory) if directory is not None else query_dir()
    path = directory / f"{name}.rq"
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) and path.is_file():
        return parse_query_file(path)
    known = ", ".join(catalogue(directory)) or "(none)"
    raise KgError(f"no stored query {name!r}; the stored queries are: {known} "
                  "(`kg queries` lists them with their questions)")


def readme(queries: dict[str, StoredQuery]) -> str:
    """``queries/README.md``: the list of stored queries, made from their headers."""
    lines = [
        "# queries/",
        "",
        "<!-- Generated from the query headers by `kg queries --markdown`: do not edit by hand. -->",
        "",
        "Stored SPARQL queries, one question per `.rq` file, each with a header comment giving the",
        "question in English and Chinese, its parameters and an example. `kg queries` lists them,",
        "`kg query NAME --param key=value` runs one over the built graph, and `kg serve` answers",
        "the same queries over HTTP. How parameter values become RDF terms (never text spliced",
        "into the query) is explained in [docs/queries.md](../docs/queries.md).",
        "",
        "| query | question | 问题 | parameters | example |",
        "|---|---|---|---|---|",
    ]
    for query in queries.values():
        parameters = "<br>".join(f"`{p.name}` ({' or '.join(p.types)}{', optional' if p.optional else ''})"
                                 for p in query.parameters) or "none"
        example = "<br>".join(f"`{e}`" for e in query.examples)
        lines.append(f"| [`{query.name}`]({query.name}.rq) | {query.question} | {query.question_zh} "
                     f"| {parameters} | {example} |")
    return "\n".join(lines) + "\n"

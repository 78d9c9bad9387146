"""Format names on the command line: one set of spellings for ``kg query``, ``kg export`` and ``kg build --export``.

Each format has one name a command uses inside (``turtle`` for ``kg query``, ``ttl`` for
``kg export``) and the spellings people type for it (``ttl``, ``turtle``, ``text/turtle`` …), all
accepted, in any case, by every command that writes that format. A spelling of a format a command
does not write is refused with the list of what it does write.
"""

from __future__ import annotations

from kg.errors import KgError

# Spellings of each format, the first being the format's own name here.
SPELLINGS = {
    "turtle": ("turtle", "ttl", "text/turtle"),
    "ntriples": ("ntriples", "nt", "n-triples", "application/n-triples"),
    "nquads": ("nquads", "nq", "n-quads", "application/n-quads"),
    "trig": ("trig", "application/trig"),
    "jsonld": ("jsonld", "json-ld", "application/ld+json"),
    "rdfxml": ("rdfxml", "rdf/xml", "rdf-xml", "rdf+xml", "rdf", "application/rdf+xml"),
    "csv": ("csv", "text/csv"),
    "tsv": ("tsv", "text/tab-separated-values"),
    "json": ("json", "application/sparql-results+json"),
    "xml": ("xml", "application/sparql-results+xml"),
    "table": ("table",),
    "gexf": ("gexf",),
    "graphml": ("graphml",),
    "dcat": ("dcat",),
}
_FORMAT_OF = {spelling: name for name, spellings in SPELLINGS.items() for spelling in spellings}

# What each command calls the formats it writes.
QUERY_NAMES = {"table": "table", "csv": "csv", "tsv": "tsv", "json": "json", "xml": "xml",
               "turtle": "turtle", "ntriples": "ntriples", "nquads": "nquads", "trig": "trig",
               "jsonld": "jsonld", "rdfxml": "rdfxml"}
EXPORT_NAMES = {"nquads": "nq", "turtle": "ttl", "jsonld": "jsonld", "dcat": "dcat", "gexf": "gexf",
                "graphml": "graphml", "csv": "csv"}


def canonical(spelling: str) -> str | None:
    """The format ``spelling`` names (``"TTL"`` → ``"turtle"``), or None."""
    return _FORMAT_OF.get(spelling.strip().lower())


def _choose(spelling: str, names: dict[str, str], command: str) -> str:
    found = canonical(spelling)
    if found is None or found not in names:
        listed = ", ".join(SPELLINGS[name][0] if SPELLINGS[name][0] == spoken else f"{spoken} ({SPELLINGS[name][0]})"
                           for name, spoken in names.items())
        what = "unknown format" if found is None else "a format this command does not write"
        raise KgError(f"--format {spelling!r} is {what}; {command} writes: {listed}")
    return names[found]


def query_format(spelling: str) -> str:
    """The ``kg query`` format ``spelling`` names."""
    return _choose(spelling, QUERY_NAMES, "kg query")


def export_format(spelling: str) -> str:
    """The ``kg export`` (and ``kg build --export``) format ``spelling`` names."""
    return _choose(spelling, EXPORT_NAMES, "kg export")

"""The JSON-LD ``@context`` kg publishes (``ontology/context.jsonld``), derived from the ontology.

It maps the prefixes of :mod:`kg.namespaces` and a short term for every term of
the kg ontology: a class or individual to its IRI, an object property to its
IRI with ``"@type": "@id"``, a datatype property to its IRI with its range as
``@type`` (none for strings and language-tagged strings). Exported JSON-LD
refers to the file by its IRI (:data:`kg.namespaces.CONTEXT_IRI`); ``kg docs``
regenerates it and a test checks the shipped copy is current.
"""

from __future__ import annotations

import json
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.errors import DataError
from kg.namespaces import KGO, PREFIXES, split_iri
from kg.resources import shipped

CONTEXT_FILE = "context.jsonld"
_KGO = str(KGO._NS)
_UNTYPED = {str(XSD.string), str(RDF.langString), str(RDFS.Literal)}


def _compact(iri: str) -> str:
    split = split_iri(iri)
    return f"{split[0]}:{split[1]}" if split else iri


def render_context(ontology: Graph | None = None) -> str:
    """The context document, as text (sorted keys, so it is the same for the same ontology)."""
    if ontology is None:
        from kg.shacl.shapes import load_ontology

        ontology = load_ontology()
    terms: dict[str, object] = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    for term in sorted({s for s in ontology.subjects(RDF.type, None)
                        if isinstance(s, URIRef) and str(s).startswith(_KGO) and str(s) != _KGO}):
        name = str(term)[len(_KGO):]
        kinds = set(ontology.objects(term, RDF.type))
        definition: object = _compact(str(term))
        if OWL.ObjectProperty in kinds:
            definition = {"@id": _compact(str(term)), "@type": "@id"}
        elif OWL.DatatypeProperty in kinds:
            range_ = ontology.value(term, RDFS.range)
            if isinstance(range_, URIRef) and str(range_) not in _UNTYPED:
                definition = {"@id": _compact(str(term)), "@type": _compact(str(range_))}
        terms[name] = definition
    return json.dumps({"@context": terms}, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@cache
def shipped_context() -> dict:
    """The ``@context`` object of the shipped ``ontology/context.jsonld``."""
    path = shipped("ontology") / CONTEXT_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    except FileNotFoundError:
        raise DataError("missing JSON-LD context (run `kg docs`)", path=path) from None
    except (ValueError, KeyError) as exc:
        raise DataError(f"not a JSON-LD context document: {exc}", path=path) from None

"""Minting IRIs for our own resources.

Every IRI is a function of the base IRI and of what the resource is in the text
(document symbol and language, paragraph number, character offsets), never of
the order of processing or of a counter, so the same input always gives the
same IRIs. The scheme, under the base ``B``:

=================  ==========================================
document           ``B doc/{doc}``  (``{doc}`` = symbol + language, e.g. ``cdip-32-3-zh``)
its named graph    ``B graph/{doc}``
part / section     ``B doc/{doc}/part/{n}`` / ``.../section/{n}``
paragraph          ``B doc/{doc}/p/{n}``
bullet item        ``B doc/{doc}/p/{n}/item/{i}``
footnote           ``B doc/{doc}/fn/{n}``
mention            ``B doc/{doc}/p/{n}/m/{start}-{end}`` (offsets in the paragraph text)
trigger word       ``B doc/{doc}/p/{n}/t/{start}-{end}``
activity           ``B doc/{doc}/p/{n}/activity/{k}``
participation      ``{activity}/participation/{hash of entity and role}``
relation           ``B relation/{kind}/{hash of its two ends}``
dataset (exports)  ``B dataset``, its parts ``B dataset/{part}``
                   (``distribution/nq``, ``class/kgo-Paragraph``, ``linkset/sdg-kos`` …)
=================  ==========================================
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import URIRef

from kg.errors import KgError
from kg.namespaces import DEFAULT_BASE_IRI


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens ("CDIP/32/3" → "cdip-32-3")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def check_base_iri(base: str) -> str:
    if not re.match(r"^[a-z][a-z0-9+.-]*://[^\s<>\"{}|\\^`]+$", base, re.I):
        raise KgError(f"base IRI {base!r} is not an absolute IRI")
    if not base.endswith(("/", "#")):
        raise KgError(f"base IRI {base!r} must end with '/' or '#'")
    return base


class Iris:
    def __init__(self, base: str = DEFAULT_BASE_IRI):
        self.base = check_base_iri(base)

    def _iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def document(self, doc: str) -> URIRef:
        return self._iri(f"doc/{doc}")

    def graph(self, doc: str) -> URIRef:
        return self._iri(f"graph/{doc}")

    def vocabulary_graph(self, name: str) -> URIRef:
        return self._iri(f"graph/{name}")

    def part(self, doc: str, number: int) -> URIRef:
        return self._iri(f"doc/{doc}/part/{number}")

    def section(self, doc: str, ordinal: int) -> URIRef:
        return self._iri(f"doc/{doc}/section/{ordinal}")

    def paragraph(self, doc: str, number: int) -> URIRef:
        return self._iri(f"doc/{doc}/p/{number}")

    def item(self, doc: str, paragraph: int, number: int) -> URIRef:
        return self._iri(f"doc/{doc}/p/{paragraph}/item/{number}")

    def footnote(self, doc: str, number: int) -> URIRef:
        return self._iri(f"doc/{doc}/fn/{number}")

    def mention(self, doc: str, paragraph: int, start: int, end: int) -> URIRef:
        return self._iri(f"doc/{doc}/p/{paragraph}/m/{start}-{end}")

    def trigger(self, doc: str, paragraph: int, start: int, end: int) -> URIRef:
        return self._iri(f"doc/{doc}/p/{paragraph}/t/{start}-{end}")

    def inference(self, doc: str, paragraph: int, code: str) -> URIRef:
        """An inferred link from a paragraph to SDG goal or target ``code`` (``4``, ``4.5``)."""
        return self._iri(f"doc/{doc}/p/{paragraph}/sdg/{code}")

    def evidence(self, doc: str, paragraph: int, start: int, end: int) -> URIRef:
        """A concept term of a paragraph that carries an inferred link."""
        return self._iri(f"doc/{doc}/p/{paragraph}/e/{start}-{end}")

    def activity(self, doc: str, paragraph: int, number: int) -> URIRef:
        return self._iri(f"doc/{doc}/p/{paragraph}/activity/{number}")

    def participation(self, activity: URIRef, entity: URIRef, role: str) -> URIRef:
        digest = hashlib.sha1(f"{entity} {role}".encode()).hexdigest()[:12]
        return URIRef(f"{activity}/participation/{digest}")

    def relation(self, kind: str, subject: URIRef, obj: URIRef) -> URIRef:
        digest = hashlib.sha1(f"{subject} {obj}".encode()).hexdigest()[:16]
        name = slug(re.sub("([A-Z])", r"-\1", kind))  # contributesTo → contributes-to
        return self._iri(f"relation/{name}/{digest}")

    def dataset(self, part: str = "") -> URIRef:
        """The exported dataset (its DCAT/VoID description) and the nodes of that description."""
        return self._iri(f"dataset/{part}" if part else "dataset")


def document_key(symbol: str | None, language: str, fallback: str) -> str:
    """The ``{doc}`` part of a document's IRIs: its UN symbol and language when it has one."""
    stem = slug(symbol) if symbol else slug(fallback) or "document"
    suffix = slug(language) or "und"
    if not symbol and stem.endswith(f"-{suffix}"):  # a file named for its language already (news-zh-hant.txt)
        return stem
    return f"{stem}-{suffix}"

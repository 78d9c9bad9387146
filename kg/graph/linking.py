"""From the spans the pipeline found to mentions, each linked to one entity IRI.

Linking is where a found code or name meets the registries:

* an SDG code is checked against the official 17 goals and 169 targets; a code
  that is not on the list is reported as a warning with its paragraph and is
  not linked;
* a place links to its UN SDG code-list IRI (``geoArea/{M49}``);
* an organisation, programme, project, work or treaty of the registry links to
  our IRI for it;
* a name the registry lacks (found by the form of its name or proposed by the
  statistical model) gets a stable IRI of ours, derived from its type and name,
  and is listed for a curator to add to the registry.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field

from rdflib import URIRef
from spacy.tokens import Doc

from kg.errors import ReportWarning
from kg.graph.iris import Iris
from kg.knowledge.gazetteer import Gazetteer
from kg.knowledge.registry import LABEL_PATHS, Registry
from kg.knowledge.sdg import SdgRegistry
from kg.nlp.citations import CHARS as CITATION_CHARS
from kg.nlp.citations import METHOD as CITATION_METHOD
from kg.nlp.citations import SPANS_KEY as SDG_SPANS
from kg.nlp.entities import ENTITIES, NEW
from kg.reader.model import Document, Paragraph

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True, order=True)
class Mention:
    """A stretch of a paragraph's text that refers to one entity."""

    paragraph: int
    start: int  # offsets in the paragraph's text
    end: int
    label: str  # TARGET, GOAL, COUNTRY, REGION, ORG, PROGRAMME, PROJECT, WORK, TREATY
    key: str  # the code, ISO/M49 code or registry id the pipeline read
    iri: URIRef
    surface: str
    method: str
    item: int | None = None
    confidence: float | None = None  # the model's score, for a mention the model proposed


@dataclass
class Unregistered:
    """A name found in the text that the registry lacks: what a curator needs to add it."""

    name: str
    iri: URIRef
    paragraphs: list[int] = field(default_factory=list)
    language: str | None = None  # BCP 47 tag of ``name`` (set where it is known)
    label: str = "ORG"


def document_text(document: Document) -> tuple[str, list[int]]:
    """The text the pipeline reads for a document: its paragraphs, separated by a blank line."""
    starts, offset = [], 0
    for paragraph in document.paragraphs:
        starts.append(offset)
        offset += len(paragraph.text) + len(PARAGRAPH_SEPARATOR)
    return PARAGRAPH_SEPARATOR.join(p.text for p in document.paragraphs), starts


def unregistered_iri(iris: Iris, name: str, label: str = "ORG") -> URIRef:
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
    return URIRef(f"{iris.base}{LABEL_PATHS[label]}/unregistered/{digest}")


class Linker:
    def __init__(self, sdg: SdgRegistry, gazetteer: Gazetteer, registry: Registry, iris: Iris):
        self.sdg = sdg
        self.gazetteer = gazetteer
        self.registry = registry
        self.iris = iris

    def link(self, doc: Doc, document: Document, starts: list[int], paragraphs: list[Paragraph] | None = None
             ) -> tuple[list[Mention], list[ReportWarning], dict[str, Unregistered]]:
        """Link the spans of ``doc``, the text of ``paragraphs`` (default: all the document's) joined
        by blank lines, each starting at ``starts``. A mention's surface is the paragraph's own text
        at its offsets (the pipeline may have read a Simplified copy of Traditional text)."""
        path = str(document.path)
        paragraphs = document.paragraphs if paragraphs is None else paragraphs
        mentions: list[Mention] = []
        warnings: list[ReportWarning] = []
        unregistered: dict[str, Unregistered] = {}
        cited = doc.spans[SDG_SPANS] if SDG_SPANS in doc.spans else []
        # A code's own characters: its span may cover a longer token ("8.3/9.b").
        exact = cited.attrs.get(CITATION_CHARS) if cited else None
        spans = [(s, CITATION_METHOD, exact[i] if exact else None) for i, s in enumerate(cited)]
        spans += [(s, s._.kg_method, None) for s in doc.spans.get(ENTITIES, [])]
        for span, method, chars in spans:
            begin, finish = chars or (span.start_char, span.end_char)
            index = bisect.bisect_right(starts, begin) - 1
            paragraph = paragraphs[index]
            start, end = begin - starts[index], finish - starts[index]
            if end > len(paragraph.text):
                continue  # never in practice: names and citations do not cross paragraphs
            resolved = self._resolve(span.label_, span.id_)
            if resolved is None:
                kind = {"TARGET": "target", "GOAL": "goal"}.get(span.label_, span.label_.lower())
                warnings.append(ReportWarning(path, f"SDG {kind} {span.id_} does not exist (not linked)"
                                              if span.label_ in ("TARGET", "GOAL") else
                                              f"{kind} {span.id_!r} is not in the gazetteer or registry",
                                              line=document.line_at(paragraph.offsets.to_source(start)),
                                              paragraph=paragraph.number))
                continue
            iri, key = resolved
            if span.id_.startswith(NEW):
                entry = unregistered.setdefault(str(iri), Unregistered(span.id_[len(NEW):], iri, label=span.label_))
                if paragraph.number not in entry.paragraphs:
                    entry.paragraphs.append(paragraph.number)
            item = paragraph.item_at(start)
            confidence = span._.kg_score if method == "model" else None
            mentions.append(Mention(paragraph.number, start, end, span.label_, key, iri, paragraph.text[start:end], method,
                                    item.number if item else None, confidence))
        return sorted(mentions), warnings, unregistered

    def _resolve(self, label: str, key: str) -> tuple[URIRef, str] | None:
        """The entity IRI and canonical key of a span, or None when nothing has that key."""
        if label in ("TARGET", "GOAL"):
            concept = self.sdg.target(key) if label == "TARGET" else self.sdg.goal(key)
            return (concept.iri, concept.code) if concept else None
        if label in ("COUNTRY", "REGION"):
            place = self.gazetteer.place(key)
            return (place.iri, place.key) if place else None
        if key.startswith(NEW):
            return unregistered_iri(self.iris, key[len(NEW):], label), key
        entity = self.registry.get(label, key)
        return (URIRef(self.iris.base + entity.path), entity.id) if entity else None

"""From spans the pipeline found to mentions linked to one entity IRI each.

Linking is where a found code or name meets the registries: an SDG code is
checked against the official list of 169 targets and 17 goals; a code that is
not on it is reported as a warning with its paragraph and is not linked.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from spacy.tokens import Doc

from kg.errors import ReportWarning
from kg.nlp.citations import METHOD as CITATION_METHOD
from kg.nlp.citations import SPANS_KEY as SDG_SPANS
from kg.reader.model import Paragraph
from kg.sdg import SdgRegistry


@dataclass(frozen=True, order=True)
class Mention:
    """A stretch of a paragraph's text that refers to one entity."""

    paragraph: int
    start: int  # offsets in the paragraph's text
    end: int
    label: str  # TARGET, GOAL, ...
    key: str  # the code or registry key the pipeline read
    iri: URIRef
    surface: str
    method: str
    item: int | None = None


def link_sdg(doc: Doc, paragraph: Paragraph, registry: SdgRegistry, path: str
             ) -> tuple[list[Mention], list[ReportWarning]]:
    mentions, warnings = [], []
    for span in doc.spans.get(SDG_SPANS, []):
        concept = registry.target(span.id_) if span.label_ == "TARGET" else registry.goal(span.id_)
        if concept is None:
            kind = "target" if span.label_ == "TARGET" else "goal"
            warnings.append(ReportWarning(path, f"SDG {kind} {span.id_} does not exist (not linked)",
                                          paragraph=paragraph.number))
            continue
        item = paragraph.item_at(span.start_char)
        mentions.append(Mention(paragraph.number, span.start_char, span.end_char, span.label_,
                                concept.code, concept.iri, span.text, CITATION_METHOD,
                                item.number if item else None))
    return mentions, warnings

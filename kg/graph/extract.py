"""From a read document to its mentions and activities, one pipeline run per language.

A document's paragraphs are grouped by the pipeline their language calls for
(``zh-Hans`` and ``zh-Hant`` → ``zh``, ``en`` → ``en``); each group is one
spaCy ``Doc`` (its paragraphs joined by blank lines, so an acronym introduced in
one paragraph is known in the next of the same language). Paragraphs in
Traditional characters are run through a character-aligned Simplified copy
(kg/language/script.py): the pipeline matches the copy, and every mention is reported at
the same offsets of the original text, with the original's surface.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rdflib import URIRef
from spacy.tokens import Doc

from kg.errors import ReportWarning
from kg.graph.linking import PARAGRAPH_SEPARATOR, Linker, Mention, Unregistered
from kg.graph.relations import Activity, ActivityFinder, role_findings
from kg.inference.goals import Evidence, ParagraphEvidence
from kg.knowledge.registry import Registry
from kg.language.lexicon import base_language, load_lexicon
from kg.language.script import TRADITIONAL, to_simplified
from kg.nlp.pipeline import load_pipeline, pipeline_name
from kg.nlp.sdg_concepts import SPANS_KEY as CONCEPT_SPANS
from kg.reader.model import Document, Paragraph

# The tag of names the pipeline of a language reads (organisations found by the
# form of their name are named in the Simplified copy of Chinese text).
NAME_LANGUAGE = {"zh": "zh-Hans", "zh-Hant": "zh-Hans"}


@dataclass
class Group:
    """The paragraphs of one document that one pipeline reads, and what it made of them."""

    language: str  # the pipeline's (kg/nlp/pipeline.py): "zh", "zh-Hant", "en"
    paragraphs: list[Paragraph]
    starts: list[int]  # offset of each paragraph in the pipeline's text
    doc: Doc | None = None


@dataclass
class Extraction:
    mentions: list[Mention] = field(default_factory=list)
    warnings: list[ReportWarning] = field(default_factory=list)
    unregistered: dict[str, Unregistered] = field(default_factory=dict)
    activities: list[Activity] = field(default_factory=list)


def matching_text(paragraph: Paragraph) -> str:
    """The text the pipeline reads for a paragraph: a Simplified copy of Traditional text, else the text."""
    return to_simplified(paragraph.text) if paragraph.language == TRADITIONAL else paragraph.text


def groups(document: Document) -> list[Group]:
    """The document's paragraphs by pipeline language, in a fixed order (by language)."""
    by_language: dict[str, list[Paragraph]] = {}
    for paragraph in document.paragraphs:
        tag = paragraph.language if paragraph.language != "und" else document.language
        language = pipeline_name(tag) if tag not in ("und", "mul") else "en"
        by_language.setdefault(language, []).append(paragraph)
    found = []
    for language in sorted(by_language):
        paragraphs = by_language[language]
        starts, offset = [], 0
        for paragraph in paragraphs:
            starts.append(offset)
            offset += len(paragraph.text) + len(PARAGRAPH_SEPARATOR)
        found.append(Group(language, paragraphs, starts))
    return found


def run_pipelines(document: Document) -> list[Group]:
    """Each group of the document read by its language's pipeline."""
    found = groups(document)
    for group in found:
        text = PARAGRAPH_SEPARATOR.join(matching_text(p) for p in group.paragraphs)
        group.doc = load_pipeline(group.language)(text)
    return found


def actor_iri(registry: Registry, base: str, language: str) -> URIRef:
    """The IRI of the reporting organisation the lexicon of ``language`` names (WIPO)."""
    return URIRef(base + registry.get("ORG", load_lexicon(language).relations["actor"]).path)


def link_and_relate(document: Document, found: list[Group], linker: Linker, registry: Registry) -> Extraction:
    """Mentions (linked to their entities) and activities of every group, merged in paragraph order."""
    result = Extraction()
    for group in found:
        mentions, warnings, unregistered = linker.link(group.doc, document, group.starts, group.paragraphs)
        view = replace(document, paragraphs=group.paragraphs)
        finder = ActivityFinder(load_lexicon(group.language),
                                actor_iri(registry, linker.iris.base, group.language))
        result.activities += finder.find(view, mentions, role_findings(group.doc, view, group.starts))
        result.mentions += mentions
        result.warnings += warnings
        for key, entry in unregistered.items():
            if key in result.unregistered:
                result.unregistered[key].paragraphs = sorted({*result.unregistered[key].paragraphs,
                                                              *entry.paragraphs})
            else:
                entry.language = NAME_LANGUAGE.get(group.language, group.language)
                result.unregistered[key] = entry
    result.mentions.sort()
    result.activities.sort(key=lambda a: (a.paragraph, a.number))
    return result


def concept_evidence(document: Document, found: list[Group]) -> list[ParagraphEvidence]:
    """Each paragraph's SDG concept terms (``doc.spans["sdg_concepts"]``), at its own offsets, in the
    document's reading order: what :func:`kg.inference.goals.infer` reads."""
    by_paragraph: dict[int, ParagraphEvidence] = {}
    for group in found:
        language = base_language(group.language)
        ends = [start + len(p.text) for start, p in zip(group.starts, group.paragraphs)]
        evidence = [ParagraphEvidence(p.number, [], language=language) for p in group.paragraphs]
        spans = group.doc.spans[CONCEPT_SPANS] if group.doc is not None and CONCEPT_SPANS in group.doc.spans else []
        index = 0
        for span in spans:  # in text order, as the groups' paragraphs are
            while index < len(ends) and span.start_char >= ends[index]:
                index += 1
            if index == len(ends) or span.end_char > ends[index]:
                continue  # (a term never crosses the blank line between paragraphs)
            start = span.start_char - group.starts[index]
            evidence[index].terms.append(Evidence(start, start + len(span.text), span.id_))
        for paragraph, found_terms in zip(group.paragraphs, evidence):
            by_paragraph[id(paragraph)] = found_terms
    return [by_paragraph[id(p)] for p in document.paragraphs if id(p) in by_paragraph]

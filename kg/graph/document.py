"""Building the RDF graph of a document: its structure, what it cites, and the mentions behind each link.

The model (documented in ``ontology/kg.ttl`` and ``docs/model.md``):

* ``kgo:Report`` ← ``kgo:Part`` ← ``kgo:Section`` ← ``kgo:Paragraph`` ← ``kgo:Item``,
  each linked to its container with ``dct:isPartOf`` and, for easy querying,
  to the document, part and section with ``kgo:inDocument``/``kgo:inPart``/``kgo:inSection``.
* A paragraph (and an item) links straight to what it cites:
  ``kgo:citesTarget``/``kgo:citesGoal`` to the UN SDG KOS IRIs.
* Every such link is backed by a ``kgo:Mention`` (a Web Annotation: its body is
  the entity, ``kgo:refersTo``; its target the paragraph, ``kgo:inParagraph``)
  carrying the exact surface string, its offsets in the paragraph text
  (``kgo:start``/``kgo:end``) and in the source file
  (``kgo:sourceStart``/``kgo:sourceEnd``), and how it was found (``kgo:method``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.graph.iris import Iris
from kg.graph.linking import Mention
from kg.knowledge.sdg import SdgRegistry
from kg.namespaces import EU_LANGUAGE, KGO, SDGO
from kg.reader.model import Document

# ISO 639-1 → the EU Publications Office language authority that DCAT catalogues use.
_EU_LANGUAGE_CODES = {"zh": "ZHO", "en": "ENG", "fr": "FRA", "es": "SPA", "ru": "RUS", "ar": "ARA"}

METHODS = {
    "citation-pattern": KGO.CitationPattern,
    "gazetteer": KGO.GazetteerMatch,
    "name-form": KGO.NameForm,
    "acronym-reuse": KGO.AcronymReuse,
    "model": KGO.StatisticalModel,
}

# The direct link from a paragraph (or item) to what a mention of each label refers to.
LINKS = {
    "TARGET": KGO.citesTarget,
    "GOAL": KGO.citesGoal,
    "COUNTRY": KGO.mentionsCountry,
    "REGION": KGO.mentionsRegion,
    "ORG": KGO.mentionsOrganisation,
    "PROGRAMME": KGO.mentionsProgramme,
    "PROJECT": KGO.mentionsProject,
    "WORK": KGO.mentionsWork,
    "TREATY": KGO.mentionsTreaty,
}


def language_iri(code: str) -> URIRef | None:
    eu = _EU_LANGUAGE_CODES.get(code.split("-")[0])
    return EU_LANGUAGE[eu] if eu else None


def _text(value: str, language: str | None) -> Literal:
    return Literal(value, lang=language if language not in (None, "und") else None)


def add_document(graph: Graph, document: Document, key: str, mentions: Iterable[Mention],
                 iris: Iris) -> None:
    """Add the triples of ``document`` and its ``mentions`` to ``graph``."""
    add = graph.add
    lang = document.language
    meta = document.metadata
    doc = iris.document(key)

    add((doc, RDF.type, KGO.Article if document.kind == "article" else KGO.Report))
    add((doc, KGO.sourceFile, Literal(document.path.name)))
    add((doc, KGO.sha256, Literal(document.sha256)))
    if meta.symbol:
        add((doc, DCTERMS.identifier, Literal(meta.symbol)))
    if meta.title:
        add((doc, DCTERMS.title, _text(meta.title, meta.title_language or lang)))
    for title_language, title in meta.other_titles:
        add((doc, DCTERMS.title, _text(title, title_language)))
    if meta.date:
        add((doc, DCTERMS.date, Literal(meta.date)))
    for language in document.languages or [lang]:
        if (iri := language_iri(language)) is not None:
            add((doc, DCTERMS.language, iri))
    if meta.original_language and (iri := language_iri(meta.original_language)) is not None:
        add((doc, KGO.originalLanguage, iri))
    if meta.committee:
        add((doc, KGO.committee, _text(meta.committee, lang)))
    if meta.committee_acronym:
        add((doc, KGO.committeeAcronym, Literal(meta.committee_acronym)))
    if meta.session is not None:
        add((doc, KGO.session, Literal(meta.session)))
    if meta.session_start:
        add((doc, KGO.sessionStart, Literal(meta.session_start)))
    if meta.session_end:
        add((doc, KGO.sessionEnd, Literal(meta.session_end)))
    if meta.session_place:
        add((doc, KGO.sessionPlace, _text(meta.session_place, lang)))
    if meta.prepared_by:
        add((doc, KGO.preparedBy, _text(meta.prepared_by, lang)))
    for url in document.links:
        add((doc, RDFS.seeAlso, URIRef(url)))

    parts = {}
    for part in document.parts:
        node = parts[part.number] = iris.part(key, part.number)
        add((node, RDF.type, KGO.Part))
        add((node, KGO.number, Literal(part.number)))
        add((node, DCTERMS.title, _text(part.title, lang)))
        add((node, DCTERMS.isPartOf, doc))
        add((node, KGO.inDocument, doc))

    sections = {}
    for section in document.sections:
        node = sections[section.ordinal] = iris.section(key, section.ordinal)
        add((node, RDF.type, KGO.Section))
        add((node, KGO.number, Literal(section.ordinal)))
        add((node, DCTERMS.title, _text(section.title, lang)))
        add((node, KGO.inDocument, doc))
        if section.goal is not None:
            add((node, KGO.goal, SdgRegistry.goal_iri(section.goal)))
        if section.part is not None:
            add((node, DCTERMS.isPartOf, parts[section.part]))
            add((node, KGO.inPart, parts[section.part]))
        else:
            add((node, DCTERMS.isPartOf, doc))

    paragraphs = {}
    for paragraph in document.paragraphs:
        node = paragraphs[paragraph.number] = iris.paragraph(key, paragraph.number)
        source_start, source_end = paragraph.source_span
        add((node, RDF.type, KGO.Paragraph))
        add((node, KGO.number, Literal(paragraph.number)))
        add((node, KGO.text, _text(paragraph.text, paragraph.language)))
        add((node, KGO.sourceStart, Literal(source_start)))
        add((node, KGO.sourceEnd, Literal(source_end)))
        add((node, KGO.inDocument, doc))
        container = doc
        if paragraph.part is not None:
            container = parts[paragraph.part]
            add((node, KGO.inPart, container))
        if paragraph.section is not None:
            container = sections[paragraph.section]
            add((node, KGO.inSection, container))
        add((node, DCTERMS.isPartOf, container))
        for url in paragraph.links:
            add((node, RDFS.seeAlso, URIRef(url)))
        for item in paragraph.items:
            item_node = iris.item(key, paragraph.number, item.number)
            item_source = paragraph.offsets.span_to_source(item.start, item.end)
            add((node, KGO.hasItem, item_node))
            add((item_node, RDF.type, KGO.Item))
            add((item_node, KGO.number, Literal(item.number)))
            add((item_node, KGO.text, _text(paragraph.text[item.start:item.end], paragraph.language)))
            add((item_node, KGO.start, Literal(item.start)))
            add((item_node, KGO.end, Literal(item.end)))
            add((item_node, KGO.sourceStart, Literal(item_source[0])))
            add((item_node, KGO.sourceEnd, Literal(item_source[1])))
            add((item_node, DCTERMS.isPartOf, node))
            add((item_node, KGO.inParagraph, node))
            add((item_node, KGO.inDocument, doc))

    for footnote in document.footnotes:
        node = iris.footnote(key, footnote.number)
        source_start, source_end = footnote.source_span
        add((node, RDF.type, KGO.Footnote))
        add((node, KGO.number, Literal(footnote.number)))
        add((node, KGO.text, _text(footnote.text, footnote.language)))
        add((node, KGO.sourceStart, Literal(source_start)))
        add((node, KGO.sourceEnd, Literal(source_end)))
        add((node, KGO.inDocument, doc))
        if footnote.paragraph is not None:
            paragraph = document.paragraph(footnote.paragraph)
            mark = next(m for m in paragraph.marks if m.number == footnote.number)
            add((paragraphs[footnote.paragraph], KGO.hasFootnote, node))
            add((node, KGO.inParagraph, paragraphs[footnote.paragraph]))
            add((node, KGO.markOffset, Literal(mark.offset)))

    # A bilingual text: each paragraph and the one beside it that translates it.
    for first, second in document.translations:
        add((paragraphs[first], KGO.hasTranslation, paragraphs[second]))
        add((paragraphs[second], KGO.hasTranslation, paragraphs[first]))

    for mention in mentions:
        paragraph = document.paragraph(mention.paragraph)
        p_node = paragraphs[mention.paragraph]
        node = iris.mention(key, mention.paragraph, mention.start, mention.end)
        source_start, source_end = paragraph.offsets.span_to_source(mention.start, mention.end)
        add((node, RDF.type, KGO.Mention))
        add((node, KGO.refersTo, mention.iri))
        add((node, KGO.inParagraph, p_node))
        add((node, KGO.surface, Literal(mention.surface)))
        add((node, KGO.start, Literal(mention.start)))
        add((node, KGO.end, Literal(mention.end)))
        add((node, KGO.sourceStart, Literal(source_start)))
        add((node, KGO.sourceEnd, Literal(source_end)))
        add((node, KGO.method, METHODS[mention.method]))
        if mention.confidence is not None:
            # Three decimals, written in the canonical form (1, 0.95) every store gives back: a store that
            # reads "1.000" holds "1", and the file and the store must hold the same statements.
            score = format(Decimal(f"{mention.confidence:.3f}").normalize(), "f")
            add((node, KGO.confidence, Literal(score, datatype=XSD.decimal)))
        predicate = LINKS[mention.label]
        add((p_node, predicate, mention.iri))
        if mention.item is not None:
            item_node = iris.item(key, mention.paragraph, mention.item)
            add((node, KGO.inItem, item_node))
            add((item_node, predicate, mention.iri))


# What we repeat from the UN SDG KOS about each goal and target we cite, so the
# graph carries their labels; the triples are the UN's own, byte for byte, so a
# merge with the KOS adds nothing twice.
_KOS_PREDICATES = (RDF.type, SKOS.prefLabel, SKOS.notation, SKOS.inScheme, SKOS.broader,
                   SDGO.isTargetOf)


def add_sdg_concepts(graph: Graph, registry: SdgRegistry, iris: Iterable[URIRef]) -> None:
    """Add the UN's description of each cited goal or target (and of the goal of each target)."""
    wanted = set(iris)
    for iri in list(wanted):
        wanted.update(registry.kos.objects(iri, SDGO.isTargetOf))
    for iri in sorted(wanted):
        for predicate in _KOS_PREDICATES:
            for value in registry.kos.objects(iri, predicate):
                graph.add((iri, predicate, value))
        concept = registry.goals.get(str(iri).rsplit("/", 1)[-1])
        if concept is not None:
            for language, label in sorted(concept.labels.items()):
                graph.add((iri, SKOS.prefLabel, Literal(label, lang=language)))
    graph.add((graph.identifier, PROV.wasDerivedFrom, URIRef("http://metadata.un.org/sdg")))


ROLES = {
    "partner": KGO.Partner,
    "funder": KGO.Funder,
    "host": KGO.Host,
    "beneficiary": KGO.Beneficiary,
    "venue": KGO.Venue,
    "origin": KGO.Origin,
    "mentioned": KGO.Mentioned,
}
RELATIONS = {"contributesTo": KGO.contributesTo, "partnersWith": KGO.partnersWith, "activeIn": KGO.activeIn}


def add_activities(graph: Graph, document: Document, key: str, activities, iris: Iris) -> None:
    """Activities, what they advance, and who takes part in what role, with the trigger words."""
    add = graph.add
    for activity in activities:
        paragraph = document.paragraph(activity.paragraph)
        node = iris.activity(key, activity.paragraph, activity.number)
        unit = (iris.item(key, activity.paragraph, activity.item) if activity.item is not None
                else iris.paragraph(key, activity.paragraph))
        add((node, RDF.type, KGO.Activity))
        add((node, KGO.describedIn, unit))
        add((node, KGO.descriptionStart, Literal(activity.start)))
        add((node, KGO.descriptionEnd, Literal(activity.end)))
        for _, programme in activity.programmes:
            add((node, KGO.conductedBy, programme))
        for citation in activity.citations:
            add((node, KGO.advances, citation.iri))
            add((node, KGO.evidence, iris.mention(key, citation.paragraph, citation.start, citation.end)))
        for year in activity.years:
            add((node, KGO.year, Literal(str(year), datatype=XSD.gYear)))
        if activity.start_date:
            add((node, KGO.startDate, Literal(activity.start_date)))
        if activity.end_date:
            add((node, KGO.endDate, Literal(activity.end_date)))
        for participation in activity.participations:
            mention = participation.mention
            part = iris.participation(node, mention.iri, participation.role)
            add((node, KGO.hasParticipation, part))
            add((part, RDF.type, KGO.Participation))
            add((part, KGO.participant, mention.iri))
            add((part, KGO.role, ROLES[participation.role]))
            for evidence in participation.evidence:
                add((part, KGO.evidence, iris.mention(key, evidence.paragraph, evidence.start, evidence.end)))
            for start, end in participation.triggers:
                trigger = iris.trigger(key, activity.paragraph, start, end)
                source_start, source_end = paragraph.offsets.span_to_source(start, end)
                add((part, KGO.trigger, trigger))
                add((trigger, RDF.type, KGO.Trigger))
                add((trigger, KGO.surface, Literal(paragraph.text[start:end])))
                add((trigger, KGO.start, Literal(start)))
                add((trigger, KGO.end, Literal(end)))
                add((trigger, KGO.sourceStart, Literal(source_start)))
                add((trigger, KGO.sourceEnd, Literal(source_end)))
                add((trigger, KGO.inParagraph, iris.paragraph(key, activity.paragraph)))


def add_relations(graph: Graph, relations, iris: Iris) -> None:
    """The weighted programme relations: each both a direct triple and a node its activities support."""
    add = graph.add
    for relation in relations:
        predicate = RELATIONS[relation.kind]
        node = iris.relation(relation.kind, relation.subject, relation.object)
        add((relation.subject, predicate, relation.object))
        add((node, RDF.type, KGO.Relation))
        add((node, KGO.relationType, predicate))
        add((node, KGO.relationSource, relation.subject))
        add((node, KGO.relationTarget, relation.object))
        add((node, KGO.weight, Literal(relation.weight)))
        for doc, paragraph, number in relation.activities:
            # Stated from the activity's side: a relation has an activity behind it in every
            # document of a corpus, an activity a few relations (docs/relations.md).
            add((iris.activity(doc, paragraph, number), KGO.supports, node))

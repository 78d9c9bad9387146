"""Activities and who did what, with whom, where, for which targets.

A report describes activities; its paragraphs cite targets and name partners,
but a paragraph is not an activity. The rules here, all driven by the
lexicon's ``[relations]`` section:

* **Units.** A paragraph without bullet items is one unit of text; a paragraph
  with items has its lead (the text before the first item) and one unit per item.
* **Activities.** Within a unit, sentences accumulate into an activity until a
  sentence cites targets or goals, which closes it. Sentences after the last
  citing sentence form one more activity (¶30's 2025 conference). A unit with
  no citation at all is one activity.
* **References back.** A citing sentence that opens with a back reference
  ("这些项目还…", "上述活动…") and has nothing of its own gives its targets to
  the activity before it in the unit; if there is none (the whole paragraph is
  "这些活动也促进实现…", ¶8), to the activities of the paragraphs before it in
  the same section, back to the previous such paragraph; naming a programme
  ("这些 WIPO GREEN 举措", ¶15) restricts it to that programme's activities.
* **Leads.** A lead that ends with a colon introduces its items: its targets,
  and the organisations and places it names (in their roles), go to every
  item's activity ("以下活动促进实现具体目标 4.3：", "在最不发达国家制定了…项目。
  以下项目…："); a lead saying the items are some of the previous paragraph's
  activities ("其中一些活动") gives them that paragraph's targets.
* **Programmes.** An activity is conducted by the programmes it names, else by
  those of its paragraph's lead, else by the reporting organisation as a whole.
* **Roles.** Every organisation and place named in an activity plays the role
  the pipeline's ``kg_roles`` component found for it (with its trigger words),
  or is "mentioned". The reporting organisation itself is the actor, not a
  participant.

Relations are then materialised per (programme, entity) pair with the number of
activities that support them: programme → contributes to → target or goal,
programme → partners with → organisation (as partner, funder or host),
programme → active in → place (as beneficiary, venue or origin), and
partner → active in → place for the places of its activities.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from rdflib import URIRef
from spacy.tokens import Doc

from kg.knowledge.registry import NAMED_LABELS, PROGRAMME_LABELS
from kg.errors import DataError
from kg.graph.linking import Mention
from kg.language.dates import find_date, find_date_range
from kg.language.lexicon import Lexicon
from kg.nlp.roles import ROLES, evidence
from kg.reader.model import Document, Paragraph

PARTNER_ROLES = ("partner", "funder", "host")
PLACE_ROLES = ("beneficiary", "venue", "origin")

# What makes a clause an activity of its own: it names someone, something or somewhere.
NAMED_OR_PLACE = (*NAMED_LABELS, "COUNTRY", "REGION")


@dataclass(frozen=True)
class RoleFinding:
    paragraph: int
    start: int
    end: int
    role: str
    triggers: tuple[tuple[int, int], ...]  # offsets in the paragraph's text
    home: bool = False  # a place only named as where a partner, funder or host is from


@dataclass
class Participation:
    mention: Mention  # the first mention; ``evidence`` holds them all
    role: str
    triggers: tuple[tuple[int, int], ...] = ()
    home: bool = False  # only where a partner, funder or host is from (中国 in 中国信托基金)
    evidence: list[Mention] = field(default_factory=list)

    @property
    def reached(self) -> bool:
        """Whether this is a place the activity reached (not where a partner is from)."""
        return self.mention.label in ("COUNTRY", "REGION") and self.role in PLACE_ROLES and not self.home


@dataclass
class Activity:
    paragraph: int
    number: int  # position among the activities of its paragraph, from 1
    item: int | None
    start: int  # the stretch of the paragraph's text that describes it
    end: int
    programmes: list[tuple[str, URIRef]] = field(default_factory=list)  # (key, IRI), in order
    citations: list[Mention] = field(default_factory=list)  # the citation mentions behind its targets
    participations: list[Participation] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    by_actor: bool = False  # no programme named: the reporting organisation as a whole

    @property
    def targets(self) -> list[URIRef]:
        return sorted({m.iri for m in self.citations})


@dataclass(frozen=True)
class Relation:
    kind: str  # "contributesTo", "partnersWith", "activeIn"
    subject: URIRef
    object: URIRef
    activities: tuple[tuple[str, int, int], ...]  # (document key, paragraph, activity number)

    @property
    def weight(self) -> int:
        return len(self.activities)


def role_findings(doc: Doc, document: Document, starts: list[int]) -> dict[tuple[int, int, int], list[RoleFinding]]:
    """The roles ``kg_roles`` found (one or more per entity), keyed by (paragraph, start, end) in paragraph offsets."""
    found: dict[tuple[int, int, int], list[RoleFinding]] = defaultdict(list)
    for span in doc.spans.get(ROLES, []):
        index = bisect.bisect_right(starts, span.start_char) - 1
        base = starts[index]
        number = document.paragraphs[index].number
        key = (number, span.start_char - base, span.end_char - base)
        how = evidence(doc, span)
        found[key].append(RoleFinding(number, *key[1:], span.label_,
                                      tuple((a - base, b - base) for a, b in how.words), how.home))
    return dict(found)


class ActivityFinder:
    def __init__(self, lexicon: Lexicon, actor_iri: URIRef):
        config = lexicon.relations
        self.lexicon = lexicon
        self.actor_iri = actor_iri
        try:
            self.actor = config["actor"]
            self.sentence_end = config["sentence_end"]
            self.back_reference = re.compile(config["back_reference"])
            self.lead_end = config["lead_end"]
            self.lead_back_reference = re.compile(config["lead_back_reference"])
            self.year = re.compile(config["year"])
        except KeyError as exc:
            raise DataError(f"[relations]: missing key {exc}", path=lexicon.path) from None
        except re.error as exc:
            raise DataError(f"[relations]: bad regular expression: {exc}", path=lexicon.path) from None

    # -- text ------------------------------------------------------------------

    def _sentences(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        sentences, begin = [], start
        for i in range(start, end):
            # An ASCII mark ends a sentence only before a space or the end ("4.3" does not).
            if text[i] in self.sentence_end and (not text[i].isascii() or i + 1 >= end or text[i + 1].isspace()):
                sentences.append((begin, i + 1))
                begin = i + 1
        if text[begin:end].strip():
            sentences.append((begin, end))
        return sentences

    @staticmethod
    def _units(paragraph: Paragraph) -> list[tuple[int, int, int | None, bool]]:
        """(start, end, item number, is lead) of each unit of text of a paragraph."""
        if not paragraph.items:
            return [(0, len(paragraph.text), None, False)]
        units = [(0, paragraph.items[0].start, None, True)]
        units += [(item.start, item.end, item.number, False) for item in paragraph.items]
        return units

    def _dates(self, activity: Activity, text: str) -> None:
        span = text[activity.start:activity.end]
        activity.years = sorted({int(y) for y in self.year.findall(span)})
        found = find_date_range(self.lexicon, span)
        if found is None and (single := find_date(self.lexicon, span)) is not None:
            found = (single, single)
        activity.start_date, activity.end_date = found or (None, None)

    # -- activities --------------------------------------------------------------

    def find(self, document: Document, mentions: list[Mention],
             roles: dict[tuple[int, int, int], list[RoleFinding]]) -> list[Activity]:
        by_paragraph: dict[int, list[Mention]] = defaultdict(list)
        for mention in mentions:
            by_paragraph[mention.paragraph].append(mention)
        activities: list[Activity] = []
        since_reference: list[Activity] = []  # activities since the last paragraph-level back reference
        current_section = None

        for paragraph in document.paragraphs:
            if paragraph.section != current_section:
                current_section, since_reference = paragraph.section, []
            found = sorted(by_paragraph[paragraph.number], key=lambda m: m.start)
            found_starts = [m.start for m in found]

            def inside(a: int, b: int, found=found, starts=found_starts) -> list[Mention]:
                # Only mentions starting in [a, b) can lie inside: a slice, not a scan of the
                # paragraph's every mention per unit (quadratic in a very long paragraph).
                return [m for m in found[bisect.bisect_left(starts, a):bisect.bisect_left(starts, b)]
                        if m.end <= b]
            text = paragraph.text
            made: list[Activity] = []
            lead_citations: list[Mention] = []
            lead_programmes: list[tuple[str, URIRef]] = []
            lead_names: list[Mention] = []  # organisations and places a lead introducing its items names
            back_to_previous_paragraph: list[Mention] = []

            for start, end, item, is_lead in self._units(paragraph):
                if is_lead:
                    lead_programmes = self._programmes(inside(start, end))
                    if text[start:end].rstrip().endswith(tuple(self.lead_end)):
                        lead_citations = [m for m in inside(start, end) if m.label in ("TARGET", "GOAL")]
                        lead_names = [m for m in inside(start, end) if m.label in ("ORG", "COUNTRY", "REGION")]
                        if self.lead_back_reference.search(text[start:end]) and activities:
                            previous = [a for a in activities if a.paragraph == paragraph.number - 1]
                            lead_citations += [m for a in previous for m in a.citations]
                        continue  # a lead introducing its items is not an activity of its own
                unit_made: list[Activity] = []
                pending: tuple[int, int] | None = None
                carried: list[Mention] = []  # citations in passing, for the activity being described
                for s_start, s_end in self._sentences(text, start, end):
                    citing = [m for m in inside(s_start, s_end) if m.label in ("TARGET", "GOAL")]
                    # A goal cited in passing, in parentheses ("（可持续发展目标 2）"),
                    # does not close the activity it is said of.
                    closing = [m for m in citing if not self._parenthesised(text, m)]
                    if not closing:
                        pending = (pending[0] if pending else s_start, s_end)
                        carried.extend(citing)
                        continue
                    refers_back = bool(self.back_reference.match(text[s_start:s_end]))
                    if refers_back and pending is None:
                        if unit_made:
                            unit_made[-1].citations += citing
                            unit_made[-1].end = s_end
                        elif not made and item is None:
                            back_to_previous_paragraph += citing
                        elif made:
                            made[-1].citations += citing
                        continue
                    a_start = pending[0] if pending else s_start
                    citations = [m for m in carried if a_start <= m.start] + citing
                    carried = []
                    unit_made.append(self._activity(paragraph, len(made) + len(unit_made) + 1, item,
                                                    a_start, s_end, citations))
                    pending = None
                if pending is not None:
                    names_something = any(m.label in NAMED_OR_PLACE
                                          and m.key != self.actor for m in inside(*pending))
                    if not unit_made or names_something:
                        unit_made.append(self._activity(paragraph, len(made) + len(unit_made) + 1, item,
                                                        pending[0], pending[1], carried))
                    else:
                        unit_made[-1].end = pending[1]
                        unit_made[-1].citations += carried
                carried = []
                made += unit_made

            for activity in made:
                named = inside(activity.start, activity.end)
                if activity.item is not None:
                    activity.citations = lead_citations + activity.citations
                    named = lead_names + named
                self._fill(activity, named, roles, lead_programmes, text)

            if back_to_previous_paragraph:
                named = self._programmes(inside(0, len(text)))
                keys = {k for k, _ in named}
                receivers = [a for a in since_reference if not keys or keys & {k for k, _ in a.programmes}]
                for activity in receivers:
                    activity.citations += back_to_previous_paragraph
                since_reference = []
            activities += made
            since_reference += made
        return activities

    @staticmethod
    def _parenthesised(text: str, mention: Mention) -> bool:
        before = text[:mention.start]
        opening = max(before.rfind("（"), before.rfind("("))
        closing = max(before.rfind("）"), before.rfind(")"))
        return opening > closing

    def _activity(self, paragraph: Paragraph, number: int, item: int | None, start: int, end: int,
                  citations: list[Mention]) -> Activity:
        return Activity(paragraph.number, number, item, start, end, citations=list(citations))

    def _programmes(self, mentions: list[Mention]) -> list[tuple[str, URIRef]]:
        seen: dict[str, URIRef] = {}
        for mention in mentions:
            if mention.label in PROGRAMME_LABELS:
                seen.setdefault(mention.key, mention.iri)
        return list(seen.items())

    def _fill(self, activity: Activity, mentions: list[Mention], roles: dict, lead_programmes, text: str) -> None:
        activity.programmes = self._programmes(mentions) or lead_programmes
        if not activity.programmes:
            activity.by_actor = True
            activity.programmes = [(self.actor, self.actor_iri)]
        found: dict[tuple[URIRef, str], Participation] = {}
        for mention in mentions:
            if mention.label not in ("ORG", "COUNTRY", "REGION") or mention.key == self.actor:
                continue
            for finding in roles.get((mention.paragraph, mention.start, mention.end)) or [None]:
                role = finding.role if finding else "mentioned"
                home = finding is not None and finding.home
                participation = found.get((mention.iri, role))
                if participation is None:
                    participation = found[(mention.iri, role)] = Participation(mention, role, (), home)
                if finding is not None:
                    participation.triggers += tuple(t for t in finding.triggers if t not in participation.triggers)
                participation.home = participation.home and home  # reached if any mention says so
                participation.evidence.append(mention)
        # "Mentioned" is what is left: not for an entity that plays a role here.
        with_role = {iri for iri, role in found if role != "mentioned"}
        activity.participations = [p for (iri, role), p in found.items() if role != "mentioned" or iri not in with_role]
        self._dates(activity, text)


def materialise(activities: dict[str, list[Activity]]) -> list[Relation]:
    """The weighted programme relations over every document's activities."""
    support: dict[tuple[str, URIRef, URIRef], set[tuple[str, int, int]]] = defaultdict(set)
    for key, found in activities.items():
        for activity in found:
            ref = (key, activity.paragraph, activity.number)
            for _, programme in activity.programmes:
                for target in activity.targets:
                    support[("contributesTo", programme, target)].add(ref)
                for participation in activity.participations:
                    mention = participation.mention
                    if mention.label == "ORG" and participation.role in PARTNER_ROLES:
                        support[("partnersWith", programme, mention.iri)].add(ref)
                    elif participation.reached:
                        support[("activeIn", programme, mention.iri)].add(ref)
            partners = {p.mention.iri for p in activity.participations
                        if p.mention.label == "ORG" and p.role in PARTNER_ROLES}
            places = {p.mention.iri for p in activity.participations
                      if p.reached and p.role in ("beneficiary", "venue")}
            for partner in partners:
                for place in places:
                    support[("activeIn", partner, place)].add(ref)
    return [Relation(kind, subject, obj, tuple(sorted(refs)))
            for (kind, subject, obj), refs in sorted(support.items())]

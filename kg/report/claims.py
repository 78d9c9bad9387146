"""A claim as a reader checks it: an activity's words with the spans that support its links marked.

An activity is what the graph's relations rest on (a programme contributes to a target, works
with a partner or reaches a country because some activity says so), so a page shows each
claim as the activity's description, cut from its paragraph's text, with the mentions that are
the evidence marked from their offsets. Evidence that stands outside the description (¶8's
"这些活动也促进实现…4.4" for the activities of ¶5-¶7) is shown as a snippet of its own
paragraph. Every claim links to the paragraph's page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from kg.report.facts import Activity, Facts, Link
from kg.report.highlight import Span, highlight

SNIPPET = 60  # characters of context on each side of evidence shown outside its activity


@dataclass
class Evidence:
    """A mention outside the activity's description, with its paragraph's words around it."""

    paragraph: str
    number: int
    start: int
    end: int
    text: Markup


@dataclass
class Claim:
    activity: Activity
    text: Markup
    conductors: list[str] = field(default_factory=list)
    advances: list[str] = field(default_factory=list)
    participants: list[tuple[str, str]] = field(default_factory=list)  # (entity, role IRI)
    elsewhere: list[Evidence] = field(default_factory=list)


def _span(link: Link, facts: Facts, lang: str, focus: set[str]) -> Span:
    entity = facts.entities.get(link.entity)
    return Span(link.start, link.end, link.mention, entity.type if entity else "other",
                entity.name(lang) if entity else link.surface or "", link.entity in focus)


def claim(activity: Activity, facts: Facts, lang: str, focus: set[str]) -> Claim:
    """``activity`` as a claim; ``focus`` are the entities of the page, whose marks stand out."""
    paragraph = facts.paragraphs[activity.paragraph]
    inside, outside = [], []
    for link in activity.links:
        if link.mention is None or link.start is None:
            continue
        within = (link.mention_paragraph == activity.paragraph
                  and activity.start <= link.start and link.end <= activity.end)
        (inside if within else outside).append(link)
    text = highlight(paragraph.text, [_span(x, facts, lang, focus) for x in inside],
                     activity.start, activity.end, ids=False)
    found = Claim(activity, text,
                  conductors=activity.entities("conductedBy"),
                  advances=activity.entities("advances"),
                  participants=sorted({(x.entity, x.role or "") for x in activity.links if x.link == "participant"}))
    seen = set()
    for link in sorted(outside, key=lambda x: (x.mention_number or 0, x.start, x.end)):
        if link.mention in seen or link.mention_paragraph not in facts.paragraphs:
            continue
        seen.add(link.mention)
        other = facts.paragraphs[link.mention_paragraph]
        lo, hi = max(0, link.start - SNIPPET), min(len(other.text), link.end + SNIPPET)
        snippet = highlight(other.text, [_span(link, facts, lang, focus)], lo, hi, ids=False)
        found.elsewhere.append(Evidence(other.iri, other.number, link.start, link.end,
                                        Markup(("…" if lo else "") + snippet + ("…" if hi < len(other.text) else ""))))
    return found


def activities_of(facts: Facts, entity: str, links: tuple[str, ...] = ("conductedBy", "advances", "participant"),
                  also: frozenset[str] = frozenset()) -> list[Activity]:
    """The activities linked to ``entity`` (or to one of ``also``) by one of ``links``, in text order."""
    found = {iri for link in links for who in {entity} | set(also) for iri in facts.linked.get((link, who), ())}
    return sorted((facts.activities[iri] for iri in found), key=lambda a: (a.number, a.start, a.iri))

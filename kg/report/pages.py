"""The pages of the site, one language at a time: which pages there are and what each one shows.

:class:`Pages` turns the :class:`~kg.report.facts.Facts` into HTML with the Jinja templates
of ``kg/report/templates`` (autoescaped: every name and text from the graph is shown as text,
never read as markup). Links are relative, so the site opens from ``file://`` and can be
moved as a folder; a link is made only to a page the site has.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from kg import __version__
from kg.report import charts
from kg.report.assets import script_json
from kg.report.claims import activities_of, claim
from kg.report.facts import PAGE_KINDS, PLACE_KINDS, PROGRAMME_KINDS, Activity, Facts
from kg.report.highlight import Span, highlight
from kg.report.i18n import role_name, text
from kg.report.paths import LANGUAGES, page_path, relative, root_of
from kg.report.world import drawn_codes

TOP_PROGRAMMES = 25  # rows of the overview's heatmap
TOP_PARTNERS = 15
LABELLED_NODES = 30  # the network's biggest nodes, which carry a label
CITATION_CONTEXT = 80  # characters each side of a citation on a goal's or target's page
FIXED = ("index.html", "programmes.html", "organisations.html", "places.html", "goals.html", "network.html",
         "search.html")


def environment() -> Environment:
    return Environment(loader=PackageLoader("kg.report", "templates"), autoescape=select_autoescape(default=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


class Pages:
    """Every page of one language tree, as (path in the tree, HTML bytes)."""

    def __init__(self, facts: Facts, lang: str, env: Environment, layout: dict[str, tuple[float, float]]):
        self.facts = facts
        self.lang = lang
        self.env = env
        self.layout = layout
        self.paths = {iri: page_path(iri, facts.base) for iri, e in facts.entities.items() if e.type in PAGE_KINDS}
        self.paths.update({iri: page_path(iri, facts.base) for iri in facts.paragraphs})
        self.paths = {iri: path for iri, path in self.paths.items() if path}
        self.named: dict[str, list[dict]] = defaultdict(list)
        for paragraph in facts.paragraphs.values():
            for row in paragraph.mentions:
                self.named[row["entity"]].append(row)
        self.involved = Counter(e for a in facts.activities.values() for e in {x.entity for x in a.links})
        self.current = "index.html"
        self._links: dict[tuple[str, str], Markup] = {}
        self._relative: dict[tuple[str, str], str] = {}
        self._claims: dict[tuple, Markup] = {}

    # -- what the templates call ------------------------------------------------------------

    def t(self, key: str, **values) -> str:
        return text(key, self.lang, **values)

    def name(self, iri: str) -> str:
        entity = self.facts.entities.get(iri)
        if entity is not None:
            return entity.label(self.lang) if entity.type in ("goal", "target") else entity.name(self.lang)
        node = self.facts.network.nodes.get(iri, {})
        return node.get(f"label_{self.lang}") or node.get("label") or iri.rsplit("/", 1)[-1]

    def full_name(self, iri: str) -> str:
        entity = self.facts.entities.get(iri)
        return entity.name(self.lang) if entity else self.name(iri)

    def link(self, iri: str) -> str | None:
        path = self.paths.get(iri)
        if not path:
            return None
        key = (posixpath.dirname(self.current), path)
        found = self._relative.get(key)
        if found is None:
            found = self._relative[key] = relative(self.current, path)
        return found

    def entity_html(self, iri: str) -> Markup:
        """The entity's name, linked to its page if it has one (made once per folder and entity)."""
        key = (posixpath.dirname(self.current), iri)
        found = self._links.get(key)
        if found is None:
            href, label = self.link(iri), escape(self.name(iri))
            found = Markup(f'<a href="{escape(href)}">{label}</a>') if href else Markup(label)
            self._links[key] = found
        return found

    def paragraph_link(self, iri: str) -> str:
        return self.link(iri) or "#"

    def claims_html(self, activities: list[Activity], focus: set[str]) -> Markup:
        """The claims of ``activities`` as a list; each made once per folder and marked entities."""
        if not activities:
            return Markup(f'<p class="note">{escape(self.t("none"))}</p>')
        items = []
        for activity in activities:
            marked = frozenset(focus & {x.entity for x in activity.links})
            key = (activity.iri, marked, posixpath.dirname(self.current))
            found = self._claims.get(key)
            if found is None:
                found = self._claims[key] = self._claim_html(claim(activity, self.facts, self.lang, set(marked)))
            items.append(found)
        return Markup('<ol class="claims">\n' + "".join(items) + "</ol>\n")

    def _claim_html(self, c) -> str:
        a, t, e = c.activity, self.t, self.entity_html
        where = f"{t('paragraph')} {a.number}" + (f", {t('item')} {a.item}" if a.item else "")
        href = f"{self.paragraph_link(a.paragraph)}#{self.anchor(a)}"
        lines = [f'<li class="claim" id="{self.anchor(a)}">',
                 f'<div class="where"><a href="{escape(href)}">{escape(where)}</a></div>',
                 f'<div class="text">{c.text}</div>', '<div class="links">']
        if c.conductors:
            lines.append(f'<div>{escape(t("conducted_by"))}: {", ".join(e(x) for x in c.conductors)}</div>')
        if c.advances:
            lines.append(f'<div>{escape(t("advances"))}: {", ".join(e(x) for x in c.advances)}</div>')
        if c.participants:
            named = ", ".join(f"{e(x)} ({escape(role_name(r, self.lang))})" for x, r in c.participants)
            lines.append(f'<div>{escape(t("takes_part"))}: {named}</div>')
        for ev in c.elsewhere:
            link = escape(f"{self.paragraph_link(ev.paragraph)}#m-{ev.start}-{ev.end}")
            lines.append(f'<div class="note">{escape(t("evidence_elsewhere"))} <a href="{link}">'
                         f'{escape(t("paragraph"))} {ev.number}</a>: <span class="text">{ev.text}</span></div>')
        lines.append("</div>\n</li>\n")
        return "\n".join(lines)

    @staticmethod
    def anchor(activity: Activity) -> str:
        """The activity's id on a page: its IRI's path in the document (``a-cdip-32-3-zh-p-39-activity-1``)."""
        return "a-" + re.sub(r"[^A-Za-z0-9_-]+", "-", activity.iri.rsplit("/doc/", 1)[-1])

    def _render(self, template: str, path: str, title: str, **context) -> tuple[str, bytes]:
        self.current = path
        root = root_of(path)
        other = LANGUAGES[1 - LANGUAGES.index(self.lang)]
        context = {"charts": False, "world": False, "searching": False, **context}
        html = self.env.get_template(template).render(
            lang=self.lang, t=self.t, name=self.name, full_name=self.full_name, link=self.link, entity_html=self.entity_html,
            claims_html=self.claims_html,
            paragraph_link=self.paragraph_link, anchor=self.anchor, role_name=lambda r: role_name(r, self.lang),
            root=root, assets=root + "../assets/", other=f"{root}../{other}/{path}", other_lang=other,
            title=title, version=__version__, **context)
        return path, html.encode("utf-8")

    # -- the pages --------------------------------------------------------------------------

    def all(self):
        """Every page of this language tree, in a fixed order."""
        yield self.overview()
        yield from self.lists()
        yield self.network_page()
        yield self.search_page()
        for iri, entity in sorted(self.facts.entities.items()):
            if iri in self.paths:
                yield self.entity_page(entity)
        for iri in sorted(self.facts.paragraphs):
            if iri in self.paths:
                yield self.paragraph_page(iri)

    def overview(self):
        """The documents, the counts, the coverage heatmap, the top partners and the world map."""
        facts = self.facts
        self.current = "index.html"
        counts = [("paragraphs", len(facts.paragraphs)), ("activities", len(facts.activities)),
                  ("programmes", len(facts.of_kind(*PROGRAMME_KINDS))),
                  ("organisations", len(facts.of_kind("organisation"))),
                  ("countries", len(facts.of_kind("country"))),
                  ("targets", len(facts.of_kind("target"))),
                  ("mentions", sum(len(p.mentions) for p in facts.paragraphs.values()))]
        heatmap = charts.coverage_heatmap(self._coverage_rows(TOP_PROGRAMMES), self.lang)
        partners = [{"name": self.name(r["organisation"]), "href": self.link(r["organisation"]) or "",
                     "activities": r["activities"]} for r in facts.partners[:TOP_PARTNERS]]
        countries = [{"iso3": r["iso3"], "name": self.name(r["country"]), "href": self.link(r["country"]) or "",
                      "activities": r["activities"]} for r in facts.countries]
        undrawn = sorted({r["iso3"] for r in facts.countries} - drawn_codes())
        return self._render(
            "overview.html", "index.html", self.t("overview"), charts=True, world=True,
            documents=facts.documents, counts=counts, partners=facts.partners[:TOP_PARTNERS],
            heatmap=Markup(script_json(heatmap)), partners_chart=Markup(script_json(charts.partners_bar(partners, self.lang))),
            map=Markup(script_json(charts.world_map(countries, self.lang))), countries=facts.countries,
            undrawn="; ".join(self.name(r["country"]) for r in facts.countries if r["iso3"] in undrawn),
            top=TOP_PROGRAMMES)

    def _coverage_rows(self, top: int | None = None) -> list[dict]:
        """coverage-by-programme as the heatmap's rows, programmes by their activities, most first."""
        totals: Counter = Counter()
        for row in self.facts.coverage:
            totals[row["programme"]] += row["activities"]
        ranked = sorted(totals, key=lambda p: (-totals[p], self.name(p), p))[:top]
        labels = _unique_labels({p: self.name(p) for p in ranked})
        chosen = set(ranked)
        rows = [{"programme": labels[r["programme"]], "href": self.link(r["programme"]) or "",
                 "goal_number": r["goal_number"], "link": r["link"], "activities": r["activities"]}
                for r in self.facts.coverage if r["programme"] in chosen]
        rank = {labels[p]: i for i, p in enumerate(ranked)}
        return sorted(rows, key=lambda r: (rank[r["programme"]], r["goal_number"], r["link"]))

    def _by_activity(self, *kinds: str):
        """The entities of ``kinds``, those in the most activities first."""
        return sorted(self.facts.of_kind(*kinds), key=lambda e: (-self.involved[e.iri], self.name(e.iri), e.iri))

    def lists(self):
        """The lists of programmes, organisations and places, and the goals page."""
        facts = self.facts
        by_kind = self._by_activity
        yield self._render("list.html", "programmes.html", self.t("programmes"),
                           entities=by_kind(*PROGRAMME_KINDS), involved=self.involved)
        yield self._render("list.html", "organisations.html", self.t("organisations"),
                           entities=by_kind("organisation"), involved=self.involved)
        yield self._render("list.html", "places.html", self.t("places"),
                           entities=by_kind(*PLACE_KINDS), involved=self.involved)
        self.current = "goals.html"
        heatmap = charts.coverage_heatmap(self._coverage_rows(), self.lang)
        targets = sorted(facts.of_kind("target"), key=lambda e: _code_key(e.code))
        yield self._render("goals.html", "goals.html", self.t("goals"), charts=True, goals=facts.goals,
                           targets=targets, involved=self.involved, heatmap=Markup(script_json(heatmap)))

    def network_page(self):
        """The GEXF export's network (its colours and sizes too) at the laid-out positions, as one chart."""
        from kg.exports.config import network_style
        from kg.exports.gephi import with_viz

        self.current = "network.html"
        graph = with_viz(self.facts.network)  # the colours and sizes the GEXF export gives Gephi
        style = network_style()
        heaviest: Counter = Counter()
        for source, target, data in graph.edges(data=True):
            heaviest[source] = max(heaviest[source], data["weight"])
            heaviest[target] = max(heaviest[target], data["weight"])
        biggest = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["viz"]["size"], n))[:LABELLED_NODES]
        nodes = [{"id": node, "x": self.layout[node][0], "y": self.layout[node][1], "type": data["type"],
                  "kind": self.t(f"type_{data['type']}"), "label": _short(self._node_label(node, data)),
                  "name": self.full_name(node), "href": self.link(node) or "", "size": data["viz"]["size"],
                  "weight": heaviest[node], "labelled": node in biggest}
                 for node, data in graph.nodes(data=True)]
        edges = [{"x": self.layout[s][0], "y": self.layout[s][1], "x2": self.layout[t][0], "y2": self.layout[t][1],
                  "source_type": graph.nodes[s]["type"], "target_type": graph.nodes[t]["type"],
                  "weight": d["weight"], "relation": d["relation"]} for s, t, d in graph.edges(data=True)]
        present = {data["type"] for _, data in graph.nodes(data=True)}
        types = [(t.name, self.t(f"type_{t.name}"), "#%02x%02x%02x" % t.colour) for t in style.types if t.name in present]
        spec = charts.network(nodes, edges, types, self.lang)
        return self._render("network.html", "network.html", self.t("network"), charts=True,
                            spec=Markup(script_json(spec)), nodes=len(nodes), edges=len(edges))

    def _node_label(self, node: str, data: dict) -> str:
        """What the network shows by a node: the GEXF label (a code, an acronym), else the name in this language."""
        if data["type"] in ("goal", "target") or data.get("label") != data.get("label_en", data.get("label")):
            return data["label"]
        return self.name(node)

    def search_page(self):
        """The search box; the names are in assets/search.js, shared by both languages."""
        return self._render("search.html", "search.html", self.t("search"), searching=True)

    def entity_page(self, entity):
        """A programme's, organisation's, place's, goal's or target's page: the stored questions about it,
        and every activity linked to it as a claim."""
        iri = entity.iri
        path = self.paths[iri]
        self.current = path
        about = self.facts.about.get(iri, {})
        targets = self._targets_of(entity)  # a goal's page shows its targets' citations and activities too
        focus = {iri} | targets
        context = dict(entity=entity, other_name=entity.name("en" if self.lang == "zh" else "zh"),
                       kind=self.t(f"type_{entity.type}"), about=about,
                       named=[dict(r, paragraph_iri=r["paragraph"], paragraph=r["number"]) for r in self.named[iri]])
        if "activities-of-programme" in about:
            context["advanced"] = self._advanced(about["activities-of-programme"])
        if entity.type == "organisation":
            context["works_with"] = self._works_with(iri)
            context["co_partners"] = [(r["second"] if r["first"] == iri else r["first"], r["activities"])
                                      for r in self.facts.cooccurrence if iri in (r["first"], r["second"])]
        if entity.type in ("goal", "target"):
            context["targets"] = sorted((self.facts.entities[t] for t in targets), key=lambda e: _code_key(e.code))
            context["citations"] = self._citations(about.get("paragraphs-citing-target", []), focus)
        linked = _merge(activities_of(self.facts, iri, ("conductedBy",)),
                        activities_of(self.facts, iri, ("advances",), frozenset(targets)),
                        activities_of(self.facts, iri, ("participant",)))
        context["claims"] = self.claims_html(linked, focus)
        return self._render("entity.html", path, entity.name(self.lang), **context)

    def _targets_of(self, entity) -> set[str]:
        """The targets of a goal that the graph holds (none for anything else)."""
        if entity.type != "goal":
            return set()
        return {e.iri for e in self.facts.of_kind("target") if (e.code or "").split(".")[0] == entity.code}

    def _advanced(self, rows: list[dict]) -> list[tuple[str, int]]:
        """(target or goal, activities) from activities-of-programme's rows, in SDG code order."""
        advanced = Counter(row["advances"] for row in rows if row["advances"])
        return sorted(advanced.items(), key=lambda pair: (_code_key(self.name(pair[0])), pair[0]))

    def _works_with(self, iri: str) -> list[tuple[str, str, int]]:
        """(programme, role, activities) for the activities the organisation takes part in."""
        found: Counter = Counter()
        for activity in activities_of(self.facts, iri, ("participant",)):
            roles = {x.role for x in activity.links if x.link == "participant" and x.entity == iri}
            for programme in activity.entities("conductedBy"):
                for role in roles:
                    found[(programme, role or "")] += 1
        return sorted(((p, r, n) for (p, r), n in found.items()), key=lambda row: (-row[2], self.name(row[0]), row[1]))

    def _citations(self, rows: list[dict], focus: set[str]) -> list[dict]:
        """The paragraphs citing a goal or target, each citation with the words around it."""
        found = []
        for row in rows:
            paragraph = next((p for p in self.facts.paragraphs.values()
                              if p.number == row["number"] and (p.symbol or p.document) == row["document"]), None)
            if paragraph is None:
                continue
            for mention in (m for m in paragraph.mentions if m["entity"] in focus):
                lo = max(0, mention["start"] - CITATION_CONTEXT)
                hi = min(len(paragraph.text), mention["end"] + CITATION_CONTEXT)
                span = Span(mention["start"], mention["end"], mention["mention"],
                            self.facts.entities[mention["entity"]].type if mention["entity"] in self.facts.entities
                            else "other", self.name(mention["entity"]), True)
                found.append({"paragraph": paragraph, "start": mention["start"], "end": mention["end"],
                              "text": Markup(("…" if lo else "") + highlight(paragraph.text, [span], lo, hi, ids=False)
                                             + ("…" if hi < len(paragraph.text) else ""))})
        return found

    def paragraph_page(self, iri: str):
        """A paragraph's whole text with every mention marked (each mark an anchor), and its activities."""
        facts = self.facts
        paragraph = facts.paragraphs[iri]
        path = self.paths[iri]
        self.current = path
        spans = [Span(m["start"], m["end"], m["mention"],
                      facts.entities[m["entity"]].type if m["entity"] in facts.entities else "other",
                      self.full_name(m["entity"])) for m in paragraph.mentions]
        ordered = sorted((p for p in facts.paragraphs.values() if p.document == paragraph.document),
                         key=lambda p: p.number)
        at = ordered.index(paragraph)
        activities = sorted((facts.activities[a] for a in paragraph.activities), key=lambda a: (a.start, a.iri))
        entities = sorted({m["entity"] for m in paragraph.mentions}, key=lambda e: (self.name(e), e))
        return self._render(
            "paragraph.html", path, f"{paragraph.symbol or ''} ¶{paragraph.number}", paragraph=paragraph,
            text=highlight(paragraph.text, spans), entities=entities,
            previous=ordered[at - 1] if at > 0 else None,
            next=ordered[at + 1] if at + 1 < len(ordered) else None,
            claims=self.claims_html(activities, set()))


def _short(label: str, most: int = 24) -> str:
    return label if len(label) <= most else label[:most - 1] + "…"


def _merge(*lists: list[Activity]) -> list[Activity]:
    seen, merged = set(), []
    for activity in sorted((a for found in lists for a in found), key=lambda a: (a.number, a.start, a.iri)):
        if activity.iri not in seen:
            seen.add(activity.iri)
            merged.append(activity)
    return merged


def _code_key(code: str | None):
    """SDG codes in their own order: 4.4 before 4.10 before 4.a."""
    goal, _, local = (code or "").removeprefix("SDG ").partition(".")
    return (int(goal) if goal.isdigit() else 99, len(local), local)


def _unique_labels(names: dict[str, str]) -> dict[str, str]:
    """Chart labels, one per programme: a name two programmes share gets its IRI's last part."""
    counts = Counter(names.values())
    return {iri: name if counts[name] == 1 else f"{name} ({iri.rsplit('/', 1)[-1]})" for iri, name in names.items()}


def search_entries(facts: Facts) -> list[list[str]]:
    """The search index: [English name, Chinese name, codes and acronym, kind (en / zh), path], by path."""
    entries = []
    for iri, entity in facts.entities.items():
        path = page_path(iri, facts.base) if entity.type in PAGE_KINDS else None
        if not path:
            continue
        codes = " ".join(c for c in (entity.acronym, entity.code, entity.iso3, entity.m49) if c)
        kind = f"{text('type_' + entity.type, 'en')} / {text('type_' + entity.type, 'zh')}"
        entries.append([entity.name_en or "", entity.name_zh or "", codes, kind, path])
    return sorted(entries, key=lambda e: e[4])

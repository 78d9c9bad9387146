"""The site's plots, as Vega-Lite specifications made with Altair and drawn in the browser by Vega.

Each function turns the rows of a stored query into one chart's specification (a dict);
the pages embed it as JSON and ``static/site.js`` hands it to vega-embed, whose
JavaScript ships with the site (:mod:`kg.report.assets`). Data are inline, except the
world's outlines, which the map names (``world``) and the page adds from ``assets/world.js``
so that the two language trees share one copy. Every chart is drawn as SVG, so a test can
find its marks in the page.
"""

from __future__ import annotations

import altair as alt

from kg.report.i18n import text

WORLD = "world"  # the named data set of the map's outlines (window.KG_WORLD in assets/world.js)
_FONT = "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"


def _spec(chart, **data: list[dict]) -> dict:
    """The chart's Vega-Lite specification, validated by Altair against the schema, with the rows of
    each named data set added afterwards (validating thousands of rows would take seconds and checks
    nothing the schema says about them)."""
    spec = chart.configure(font=_FONT).configure_view(stroke=None).to_dict()
    spec.setdefault("datasets", {}).update(data)
    return spec


def coverage_heatmap(rows: list[dict], lang: str, width: int = 340) -> dict:
    """Programmes × goals, a cell the number of activities; a second panel for inferred links, if any.

    ``rows``: programme (label), href, goal_number, link ("cited" or "inferred"), activities.
    Programmes are listed in the order the rows give them (most activities first).
    """
    order = list(dict.fromkeys(r["programme"] for r in rows))
    goals = list(range(1, 18))
    panels = []
    for link, scheme in (("cited", "blues"), ("inferred", "oranges")):
        chosen = [r for r in rows if r["link"] == link]
        if not chosen and link == "inferred":
            continue  # no inferred links in this graph: no second panel
        panel = alt.Chart(alt.Data(name=f"coverage_{link}"), title=text(link, lang)).mark_rect(stroke="white").encode(
            x=alt.X("goal_number:O", title=text("goal", lang), scale=alt.Scale(domain=goals),
                    axis=alt.Axis(labelAngle=0, orient="top")),
            y=alt.Y("programme:N", title=None, sort=order, scale=alt.Scale(domain=order)),
            color=alt.Color("activities:Q", title=f"{text('activities', lang)} ({text(link, lang)})",
                            scale=alt.Scale(scheme=scheme)),
            href="href:N",
            tooltip=[alt.Tooltip("programme:N", title=text("programme", lang)),
                     alt.Tooltip("goal_number:O", title=text("goal", lang)),
                     alt.Tooltip("activities:Q", title=text("activities", lang))],
        ).properties(width=width, height=alt.Step(14))
        panels.append((panel, chosen))
    chart = panels[0][0] if len(panels) == 1 else alt.hconcat(*(p for p, _ in panels)).resolve_scale(color="independent")
    return _spec(chart, **{f"coverage_{link}": rows for link, rows in zip(("cited", "inferred"), (c for _, c in panels))})


def partners_bar(rows: list[dict], lang: str) -> dict:
    """Organisations by the number of activities they take part in. ``rows``: name, href, activities."""
    order = [r["name"] for r in rows]
    chart = alt.Chart(alt.Data(name="partners")).mark_bar(color="#f28e2b").encode(
        x=alt.X("activities:Q", title=text("activities", lang), axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("name:N", title=None, sort=order),
        href="href:N",
        tooltip=[alt.Tooltip("name:N", title=text("partner", lang)),
                 alt.Tooltip("activities:Q", title=text("activities", lang))],
    ).properties(width=360, height=alt.Step(18))
    return _spec(chart, partners=rows)


def world_map(rows: list[dict], lang: str) -> dict:
    """A choropleth of countries by activities over every outline in grey. ``rows``: iso3, name, href, activities."""
    outlines = alt.Data(name=WORLD)
    land = alt.Chart(outlines).mark_geoshape(fill="#dcdcdc", stroke="white", strokeWidth=0.4)
    reached = alt.Chart(outlines).mark_geoshape(stroke="white", strokeWidth=0.4).transform_lookup(
        lookup="properties.iso3",
        from_=alt.LookupData(data=alt.Data(name="countries"), key="iso3", fields=["name", "href", "activities"]),
    ).transform_filter("isValid(datum.activities)").encode(
        color=alt.Color("activities:Q", title=text("activities", lang), scale=alt.Scale(scheme="greens")),
        href="href:N",
        tooltip=[alt.Tooltip("name:N", title=text("name", lang)),
                 alt.Tooltip("activities:Q", title=text("activities", lang))],
    )
    chart = alt.layer(land, reached).project(type="equalEarth").properties(width=760, height=400)
    spec = _spec(chart, countries=rows)
    spec["usermeta"] = {"kgData": {WORLD: "KG_WORLD"}}  # site.js adds window.KG_WORLD as the named data
    return spec


def network(nodes: list[dict], edges: list[dict], types: list[tuple[str, str, str]], lang: str) -> dict:
    """The network: edges as rules, nodes as circles at their laid-out positions, pan and zoom
    on the scales, a checkbox per node type and a slider for the least edge weight.

    ``nodes``: id, x, y, type, label, name, href, size, weight (its heaviest edge);
    ``edges``: x, y, x2, y2, source_type, target_type, weight, relation;
    ``types``: (type, its name in ``lang``, colour), in the legend's order.
    """
    heaviest = max((e["weight"] for e in edges), default=1)
    weight = alt.param(name="min_weight", value=1,
                       bind=alt.binding_range(min=1, max=max(heaviest, 2), step=1, name=text("min_weight", lang) + " "))
    shown = {name: alt.param(name=f"show_{_identifier(name)}", value=True,
                             bind=alt.binding_checkbox(name=f"{label} "))
             for name, label, _ in types}

    def visible(field: str) -> str:
        return "(" + " || ".join(f"(datum.{field} == '{name}' && show_{_identifier(name)})" for name in shown) + ")"

    zoom = alt.selection_interval(bind="scales", name="view")
    axis = alt.Axis(title=None, labels=False, ticks=False, grid=False, domain=False)
    x = alt.X("x:Q", axis=axis)
    y = alt.Y("y:Q", axis=axis)
    names = " : ".join(f"datum.label == '{name}' ? '{label}'" for name, label, _ in types) + " : datum.label"
    colour = alt.Color("type:N", title=None, legend=alt.Legend(orient="bottom", labelExpr=names),
                       scale=alt.Scale(domain=[t for t, _, _ in types], range=[c for _, _, c in types]))
    links = alt.Chart(alt.Data(name="edges")).mark_rule(color="#9aa0a6").encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.StrokeWidth("weight:Q", legend=None, scale=alt.Scale(range=[0.4, 4])),
        opacity=alt.value(0.45),
    ).transform_filter(
        f"datum.weight >= min_weight && {visible('source_type')} && {visible('target_type')}")
    points = alt.Chart(alt.Data(name="nodes")).mark_circle(opacity=0.9, stroke="white", strokeWidth=0.5).encode(
        x=x, y=y, color=colour,
        size=alt.Size("size:Q", legend=None, scale=alt.Scale(range=[25, 1400], zero=False)),
        href="href:N",
        tooltip=[alt.Tooltip("name:N", title=text("name", lang)),
                 alt.Tooltip("kind:N", title=text("kind", lang)),
                 alt.Tooltip("weight:Q", title=text("weight", lang))],
    ).transform_filter(f"datum.weight >= min_weight && {visible('type')}").add_params(zoom)
    labels = alt.Chart(alt.Data(name="nodes")).transform_filter("datum.labelled").mark_text(
        dy=-9, fontSize=10, color="#333").encode(x=x, y=y, text="label:N").transform_filter(
        f"datum.weight >= min_weight && {visible('type')}")
    chart = alt.layer(links, points, labels).add_params(weight, *shown.values()).properties(width=900, height=640)
    return _spec(chart, nodes=nodes, edges=edges)


def _identifier(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)

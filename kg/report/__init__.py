"""``kg report``: a static site over a build's graph, for readers who will not write SPARQL.

The site shows what the stored queries answer (:mod:`kg.report.facts`: no second reading of
the graph) as pages in English and Chinese (:mod:`kg.report.pages`, :mod:`kg.report.i18n`):
an overview with the SDG coverage heatmap, the top partners and a world map; a page per
programme, organisation, place, goal, target and paragraph, where every claim is shown as
the text that supports it with the evidence marked (:mod:`kg.report.claims`,
:mod:`kg.report.highlight`); the network of the GEXF export laid out with ForceAtlas2
(:mod:`kg.report.layout`); and a search over the names. Charts are Vega-Lite made with
Altair (:mod:`kg.report.charts`), drawn by Vega's JavaScript that ships with the site
(:mod:`kg.report.assets`); the map's outlines come from a package (:mod:`kg.report.world`).
Nothing is fetched when the site is written or read: it opens from ``file://``.

It sits above the build (it writes its output the way the build does,
:class:`kg.build.output.Staging`) and below the command line; :func:`write_site` is its entry.
"""

from kg.report.site import Written, write_site

__all__ = ["Written", "write_site"]

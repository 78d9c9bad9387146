"""``kg report``: the static site of the default build, its stored queries, and the site in a real browser.

The site is written once for the module by the ``kg`` command, from the session's default build.
Static checks read its files (links, determinism, the network's data); the browser checks open it
from ``file://`` in headless Chromium (Debian's ``chromium`` and ``chromium-driver``, through
Selenium), one browser for all of them: no console errors, the target 4.4 page against ``kg query``,
marks against the mentions' surfaces, the map and the heatmap drawn (in the DOM and in a
screenshot's pixels), the network's filters and the search. Without Chromium they are skipped, and
say why; ``.ci/run`` installs it, so CI runs them.

Each stored query the site added has a test of its exact answer and one of an answer it must not
give (a value that matches nothing, a graph without what it asks for).
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

import networkx as nx
import pyoxigraph
import pytest

from kg.namespaces import DEFAULT_BASE_IRI, KGO, SDG
from kg.report.facts import ask
from kg.store.open import open_store

FIXTURE = Path(__file__).parent / "data" / "report" / "inferred.trig"
BASE = DEFAULT_BASE_IRI
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,1000",
                  # Any request for a name would fail (and show in the console): the site must need none.
                  "--host-resolver-rules=MAP * ~NOTFOUND")


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args],
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def store(built):
    return open_store(built[1])


@pytest.fixture(scope="module")
def document(built):
    (result,) = built[0].documents
    return result


@pytest.fixture(scope="module")
def site(built, tmp_path_factory) -> Path:
    """``kg report`` of the default build, through the command line."""
    out = tmp_path_factory.mktemp("report") / "site"
    result = kg("report", "--from", str(built[1]), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert re.match(r"kg report: \d+ pages \(\d+ files\) in [\d.]+ s; open ", result.stderr), result.stderr
    return out


@pytest.fixture(scope="module")
def inferred(tmp_path_factory) -> Path:
    """A build directory holding the small graph with inferred links (tests/data/report/inferred.trig)."""
    out = tmp_path_factory.mktemp("inferred")
    store = pyoxigraph.Store()
    store.load(path=str(FIXTURE), format=pyoxigraph.RdfFormat.TRIG)
    store.dump(out / "graph.nq", pyoxigraph.RdfFormat.N_QUADS)
    return out


def chart_spec(page: Path, chart: str) -> dict:
    html = page.read_text(encoding="utf-8")
    found = re.search(rf'<script type="application/json" data-chart="{chart}">(.*?)</script>', html, re.S)
    assert found, f"no chart {chart!r} in {page}"
    return json.loads(found.group(1))


# -- the stored queries the site added: an exact answer, and one they must not give ------------------------

def test_activity_evidence_gives_every_link_of_every_activity_with_its_words(store, document):
    rows = ask(store, "activity-evidence")
    texts = {p.number: p.text for p in document.document.paragraphs}
    found: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        found[row["activity"]][row["link"]].add((row["entity"], row["role"]))
        if row["mention"] is not None:  # the offsets are where the surface stands
            assert texts[row["mention_number"]][row["mention_start"]:row["mention_end"]] == row["surface"], row
        if row["link"] == "conductedBy" and row["mention"] is not None:
            assert row["start"] <= row["mention_start"] < row["mention_end"] <= row["end"]
    expected: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for a in document.activities:
        iri = f"{BASE}doc/{document.key}/p/{a.paragraph}/activity/{a.number}"
        expected[iri]["conductedBy"] = {(str(who), None) for _, who in a.programmes}
        expected[iri]["advances"] = {(str(t), None) for t in a.targets}
        expected[iri]["participant"] = {(str(p.mention.iri), f"{KGO}{p.role.capitalize()}") for p in a.participations}
    assert {k: {link: v for link, v in d.items() if v} for k, d in found.items()} == \
        {k: {link: v for link, v in d.items() if v} for k, d in expected.items()}
    # By hand: ¶39's activity is the WIPO Academy's certification programmes, which advance 4.4 (¶39 says so).
    p39 = [r for r in rows if r["activity"] == f"{BASE}doc/{document.key}/p/39/activity/1"]
    assert ("advances", str(SDG["4.4"]), "4.4", 39) in {(r["link"], r["entity"], r["surface"], r["mention_number"])
                                                          for r in p39}
    assert (f"{BASE}programme/wipo-academy", "WIPO 学院") in {(r["entity"], r["surface"]) for r in p39
                                                              if r["link"] == "conductedBy"}


def test_activity_evidence_of_one_activity_and_of_a_value_that_is_none(store, document):
    one = ask(store, "activity-evidence", activity=f"kg:doc/{document.key}/p/39/activity/1")
    assert one and {r["activity"] for r in one} == {f"{BASE}doc/{document.key}/p/39/activity/1"}
    assert ask(store, "activity-evidence", activity="p/39/activity/1 } UNION { ?s ?p ?o") == []
    assert ask(store, "activity-evidence", activity=f"<{BASE}doc/{document.key}/p/39>") == []  # a paragraph


def test_entities_are_every_kind_with_names_and_counts(store, document):
    rows = ask(store, "entities")
    kinds = Counter(r["type"] for r in rows)
    assert kinds["goal"] == 17 and kinds["target"] == 65
    named = {str(m.iri) for m in document.mentions}
    by_iri = {r["entity"]: r for r in rows}
    academy = by_iri[f"{BASE}programme/wipo-academy"]
    assert (academy["type"], academy["name_en"], academy["name_zh"]) == ("programme", "WIPO Academy", "WIPO学院")
    assert academy["mentions"] == sum(1 for m in document.mentions if str(m.iri) == academy["entity"])
    chile = by_iri["http://metadata.un.org/sdg/codes/geoArea/152"]
    assert (chile["type"], chile["iso3"], chile["m49"], chile["name_zh"]) == ("country", "CHL", "152", "智利")
    assert by_iri[str(SDG["4.4"])]["code"] == "4.4"
    # Every programme, organisation and place the text names is there, once.
    assert len(by_iri) == len(rows)
    assert {r["entity"] for r in rows if r["mentions"]} >= {i for i in named if i in by_iri}


def test_entities_of_a_type_and_of_a_type_that_is_none(store):
    assert {r["type"] for r in ask(store, "entities", type="country")} == {"country"}
    assert ask(store, "entities", type="Country") == []
    assert ask(store, "entities", type='programme" } UNION { ?s ?p ?o } #') == []


def test_documents_counts_what_the_build_read(store, document):
    (row,) = ask(store, "documents")
    assert (row["symbol"], row["paragraphs"], row["activities"], row["mentions"]) == (
        "CDIP/32/3", len(document.document.paragraphs), len(document.activities), len(document.mentions))
    assert row["date"] == "2024-03-20" and row["title"].startswith("关于产权组织")


def test_documents_of_a_graph_without_a_document_is_nothing():
    assert ask(pyoxigraph.Store(), "documents") == []


def test_paragraphs_are_the_texts_in_order(store, document):
    rows = ask(store, "paragraphs", document="CDIP/32/3")
    assert [(r["number"], r["text"]) for r in rows] == [(p.number, p.text) for p in document.document.paragraphs]
    assert ask(store, "paragraphs") == rows


def test_paragraphs_of_a_document_that_is_not_there_are_none(store):
    assert ask(store, "paragraphs", document="CDIP/99/9") == []
    assert ask(store, "paragraphs", document="CDIP/32/3' } #") == []


def test_mentions_in_a_paragraph_are_where_the_text_names_them(store, document):
    rows = ask(store, "mentions-in-paragraph", paragraph=f"kg:doc/{document.key}/p/39")
    text = next(p.text for p in document.document.paragraphs if p.number == 39)
    expected = sorted(((m.start, m.surface, str(m.iri)) for m in document.mentions if m.paragraph == 39),
                      key=lambda m: m[0])
    assert [(r["start"], r["surface"], r["entity"]) for r in rows] == expected
    assert all(text[r["start"]:r["end"]] == r["surface"] for r in rows)
    assert len(ask(store, "mentions-in-paragraph")) == len(document.mentions)


def test_mentions_in_a_paragraph_that_is_none(store):
    assert ask(store, "mentions-in-paragraph", paragraph="39") == []
    assert ask(store, "mentions-in-paragraph", paragraph=f"<{SDG['4.4']}>") == []


def test_coverage_by_programme_cited_cells_are_the_programmes_for_each_goal(store):
    rows = ask(store, "coverage-by-programme")
    assert {r["link"] for r in rows} == {"cited", "inferred"}  # kg infers SDG links on the default build too
    for goal in range(1, 18):
        expected = {r["programme"]: r["activities"] for r in ask(store, "programmes-for-target", target=str(goal))}
        assert {r["programme"]: r["activities"] for r in rows
                if r["goal_number"] == goal and r["link"] == "cited"} == expected, goal


def test_coverage_by_programme_keeps_inferred_links_apart(inferred):
    rows = ask(open_store(inferred), "coverage-by-programme")
    alpha = f"{BASE}programme/alpha"
    assert [(r["programme"], r["goal_number"], r["link"], r["activities"]) for r in rows] == [
        (alpha, 7, "cited", 1), (alpha, 7, "inferred", 1), (alpha, 13, "inferred", 1)]
    assert ask(open_store(inferred), "coverage-by-programme", link="inferred") == [r for r in rows
                                                                                   if r["link"] == "inferred"]
    assert ask(open_store(inferred), "coverage-by-programme", link="guessed") == []


# -- the site's files ------------------------------------------------------------------------------------

_LINK = re.compile(r'\s(?:href|src)="([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')


def test_every_internal_link_resolves(site):
    # kg writes every attribute in double quotes, so a pattern finds them all (a parser would take 20 s here).
    root = str(site.resolve())
    pages = {str(path.resolve()): path.read_text(encoding="utf-8") for path in sorted(site.rglob("*.html"))}
    files = {str(path.resolve()) for path in site.rglob("*") if path.is_file()}
    assert len(pages) > 1000
    ids = {path: {html.unescape(i) for i in _ID.findall(text)} for path, text in pages.items()}
    broken = []
    for path, text in pages.items():
        folder = os.path.dirname(path)
        for link in {html.unescape(x) for x in _LINK.findall(text)}:
            parts = urlsplit(link)
            assert parts.scheme == "" and not link.startswith("//"), f"{path}: {link} leaves the site"
            target = os.path.normpath(os.path.join(folder, unquote(parts.path))) if parts.path else path
            if target not in files or not target.startswith(root + os.sep):
                broken.append(f"{path[len(root):]}: {link}")
            elif parts.fragment and target.endswith(".html") and parts.fragment not in ids[target]:
                broken.append(f"{path[len(root):]}: {link} (no id {parts.fragment})")
    assert not broken, "\n".join(broken[:20])


def test_the_site_holds_what_a_browser_needs_and_nothing_from_elsewhere(site):
    for text in (p.read_text(encoding="utf-8") for p in site.rglob("*.html")):
        assert not re.search(r'(src|href)="(https?:)?//', text)
    assert (site / "assets" / "vega.js").stat().st_size > 500_000
    manifest = json.loads((site / "kg-site.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()} - {"kg-site.json"}
    for lang in ("en", "zh"):  # one page per programme, organisation, place, goal, target and paragraph
        for page in ("sdg/4.4.html", "sdg/4.html", "programme/wipo-academy.html", "org/itc.html", "geo/152.html",
                     "doc/cdip-32-3-zh/p/39.html", "network.html", "search.html", "goals.html"):
            assert (site / lang / page).is_file(), (lang, page)


def test_the_network_is_the_gexf_exports(site, store):
    from kg.exports import Exporter

    exported = nx.read_gexf(io.BytesIO(Exporter(store).render("gexf")[0]))
    spec = chart_spec(site / "en" / "network.html", "network")
    nodes, edges = spec["datasets"]["nodes"], spec["datasets"]["edges"]
    assert sorted(n["id"] for n in nodes) == sorted(exported.nodes)
    assert len(edges) == exported.number_of_edges()
    assert sorted(e["weight"] for e in edges) == sorted(d["weight"] for _, _, d in exported.edges(data=True))
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)  # laid out, not stacked


def test_the_heatmap_keeps_cited_and_inferred_links_apart_on_the_default_build(site):
    spec = chart_spec(site / "en" / "goals.html", "heatmap")
    assert [panel["title"] for panel in spec["hconcat"]] == ["cited", "inferred"]
    assert {r["link"] for r in spec["datasets"]["coverage_cited"]} == {"cited"}
    assert {r["link"] for r in spec["datasets"]["coverage_inferred"]} == {"inferred"}


def test_the_heatmap_has_a_second_panel_for_inferred_links(inferred, tmp_path):
    from kg.report import write_site

    written = write_site(inferred, tmp_path / "site")
    spec = chart_spec(written.path / "zh" / "index.html", "heatmap")
    assert [panel["title"] for panel in spec["hconcat"]] == ["引用", "推断"]
    assert [(r["goal_number"], r["activities"]) for r in spec["datasets"]["coverage_inferred"]] == [(7, 1), (13, 1)]
    assert [(r["goal_number"], r["activities"]) for r in spec["datasets"]["coverage_cited"]] == [(7, 1)]
    # The fixture's text holds markup; it is shown as text.
    page = (written.path / "en" / "doc" / "test-1-en" / "p" / "1.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;young&lt;/b&gt;" in page and "<b>young</b>" not in page


def test_a_new_run_reuses_the_vega_bundle_of_the_site_it_replaces_only_if_it_is_intact(inferred, tmp_path,
                                                                                        monkeypatch):
    from kg.errors import KgError
    from kg.report import assets, write_site

    out = write_site(inferred, tmp_path / "site").path
    bundle = (out / "assets" / "vega.js").read_bytes()

    def no_bundle(version):
        raise RuntimeError("not made again")

    monkeypatch.setattr(assets, "_bundle", no_bundle)
    write_site(inferred, out)
    assert (out / "assets" / "vega.js").read_bytes() == bundle
    (out / "assets" / "vega.js").write_bytes(bundle + b"alert(1);")  # not what the manifest lists: made anew
    with pytest.raises(KgError, match="cannot bundle Vega's JavaScript"):
        write_site(inferred, out)


def test_the_same_build_gives_a_byte_identical_site(site, built, tmp_path):
    from kg.report import write_site

    again = write_site(built[1], tmp_path / "again").path
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert [f for f in files if (site / f).read_bytes() != (again / f).read_bytes()] == []


def test_a_failed_run_leaves_the_previous_site(built, tmp_path, monkeypatch):
    from kg.report import site as writer

    monkeypatch.setattr(writer, "render", lambda source, previous=None: {"index.html": b"first"})
    out = tmp_path / "site"
    writer.write_site(built[1], out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(files):
        raise RuntimeError("disk full halfway")

    monkeypatch.setattr(writer, "render", lambda source, previous=None: {"index.html": b"second", "en/index.html": b"x"})
    monkeypatch.setattr(writer, "manifest", broken)
    with pytest.raises(RuntimeError):
        writer.write_site(built[1], out)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging left behind


def test_bad_input_is_one_line(built, tmp_path):
    missing = kg("report", "--from", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert missing.stderr.startswith(f"kg: error: {tmp_path / 'nowhere'}: no such directory")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x", encoding="utf-8")
    not_a_build = kg("report", "--from", str(tmp_path / "notes"))
    assert not_a_build.returncode == 2 and "not the output of `kg build`" in not_a_build.stderr
    over_build = kg("report", "--from", str(built[1]), "--out", str(built[1]))
    assert over_build.returncode == 2 and "cannot be written over the build" in over_build.stderr
    other = kg("report", "--from", str(built[1]), "--out", str(tmp_path / "notes"))
    assert other.returncode == 2 and "is not a site `kg report` wrote" in other.stderr
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["a.txt"]


# -- the site in a browser -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for every browser check; skipped, with the reason, where there is none."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium chromium-driver; "
                    ".ci/run installs them)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[test]')")
    import tempfile

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    session = webdriver.Chrome(service=Service(driver), options=options)
    session.set_page_load_timeout(60)
    yield session
    session.quit()
    shutil.rmtree(profile, ignore_errors=True)


def visit(browser, page: Path, charts: int | None = None) -> list[dict]:
    """Open ``page``; wait for its charts to be drawn; its console's errors (none expected)."""
    browser.get(page.as_uri())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        drawn = browser.execute_script("return document.documentElement.getAttribute('data-charts')")
        if drawn is not None:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"{page}: the charts were not drawn within 60 s")
    if charts is not None:
        assert int(drawn) == charts, page
    return [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def requested(browser) -> set[str]:
    """The URLs pages asked for since the last call (from the performance log; not Chromium's own chrome:
    pages, nor data: and blob: URLs, which are made in the page)."""
    found = set()
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            found.add(message["params"]["request"]["url"])
    return {url for url in found if not url.startswith(("chrome:", "chrome-untrusted:", "data:", "blob:", "about:"))}


def pixels(browser, element) -> Counter:
    """The colours of ``element``'s screenshot, counted."""
    from PIL import Image

    image = Image.open(io.BytesIO(element.screenshot_as_png)).convert("RGB")
    return Counter({colour: n for n, colour in image.getcolors(maxcolors=1 << 24)})


def test_the_site_in_a_browser(browser, site, built, store):
    from selenium.webdriver.common.by import By

    errors = {}
    requests: set[str] = set()
    # The overview: both languages, three charts each; every request the page makes is for a file of the site.
    for lang in ("en", "zh"):
        errors[f"{lang}/index.html"] = visit(browser, site / lang / "index.html", charts=3)
        requests |= requested(browser)
    assert requests and all(url.startswith(site.as_uri() + "/") for url in requests), sorted(requests)[:5]
    # The heatmap: a rect per (programme, goal) cell, drawn blue.
    heatmap = browser.find_element(By.ID, "heatmap")
    cells = heatmap.find_elements(By.CSS_SELECTOR, "g.mark-rect.role-mark path")
    # (Two panels on the default build: cited links and, since kg infers SDG links, inferred ones.)
    datasets = chart_spec(site / "zh" / "index.html", "heatmap")["datasets"]
    expected = datasets["coverage_cited"] + datasets.get("coverage_inferred", [])
    assert len(cells) == len(expected) > 50
    colours = pixels(browser, heatmap)
    blue = sum(n for (r, g, b), n in colours.items() if b > r + 40 and b > g + 10)
    assert blue > 2000, "the heatmap's cells are not in the screenshot"
    # The map: every country's outline, those reached by activities in green, most reached darkest.
    world = browser.find_element(By.ID, "map")
    shapes = world.find_elements(By.CSS_SELECTOR, "g.mark-shape.role-mark path")
    reached = chart_spec(site / "zh" / "index.html", "map")["datasets"]["countries"]
    from kg.report.world import drawn_codes

    drawable = [r for r in reached if r["iso3"] in drawn_codes()]
    assert len(shapes) == len(drawn_codes()) + len(drawable) and len(drawable) > 80
    colours = pixels(browser, world)
    green = sum(n for (r, g, b), n in colours.items() if g > r + 25 and g > b + 15)
    grey = colours[(220, 220, 220)]
    assert green > 5000 and grey > 5000, "the map's countries are not in the screenshot"

    # Target 4.4: the programmes of `kg query programmes-for-target --param target=4.4`, in its order.
    answer = kg("query", "programmes-for-target", "--param", "target=4.4", "--format", "csv", "--from", str(built[1]))
    assert answer.returncode == 0, answer.stderr
    programmes = [row["programme"] for row in csv.DictReader(io.StringIO(answer.stdout))]
    errors["en/sdg/4.4.html"] = visit(browser, site / "en" / "sdg" / "4.4.html", charts=0)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.programmes tr[data-programme]")
    assert [r.get_attribute("data-programme") for r in rows] == programmes and len(programmes) > 20

    # A mark's text is its mention's surface, on the target's page and on a paragraph's page.
    surfaces = {r["mention"]: r["surface"] for r in ask(store, "mentions-in-paragraph")}
    marks = browser.find_elements(By.CSS_SELECTOR, "mark[data-mention]")
    assert len(marks) > 20
    assert all(m.get_attribute("textContent") == surfaces[m.get_attribute("data-mention")] for m in marks)
    assert {m.get_attribute("textContent") for m in marks if "focus" in m.get_attribute("class")} == {"4.4"}
    errors["zh/doc/cdip-32-3-zh/p/62.html"] = visit(browser, site / "zh" / "doc" / "cdip-32-3-zh" / "p" / "62.html")
    marks = browser.find_elements(By.CSS_SELECTOR, ".paragraph-text mark[data-mention]")
    assert len(marks) > 50
    assert all(m.get_attribute("textContent") == surfaces[m.get_attribute("data-mention")] for m in marks)

    # The network: drawn, and its filters work (hiding targets hides their nodes).
    errors["en/network.html"] = visit(browser, site / "en" / "network.html", charts=1)
    assert all(url.startswith(site.as_uri() + "/") for url in requested(browser))
    circles = lambda: len(browser.find_elements(By.CSS_SELECTOR, "#network g.mark-symbol.role-mark path"))
    shown = circles()
    assert shown == len(chart_spec(site / "en" / "network.html", "network")["datasets"]["nodes"])
    browser.find_element(By.CSS_SELECTOR, "input[type=checkbox][name=show_target]").click()
    deadline = time.monotonic() + 10
    while circles() == shown and time.monotonic() < deadline:
        time.sleep(0.1)
    nodes = chart_spec(site / "en" / "network.html", "network")["datasets"]["nodes"]
    assert circles() == shown - Counter(n["type"] for n in nodes)["target"]
    # The weight slider at its top keeps only the nodes of the heaviest edges.
    heaviest = max(n["weight"] for n in nodes)
    browser.execute_script("var s = document.querySelector('input[type=range][name=min_weight]'); s.value = arguments[0];"
                           "s.dispatchEvent(new Event('input', {bubbles: true}));", heaviest)
    deadline = time.monotonic() + 10
    while circles() == shown - Counter(n["type"] for n in nodes)["target"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert circles() == sum(1 for n in nodes if n["weight"] >= heaviest and n["type"] != "target") > 0

    # Search, in Chinese and in English.
    errors["zh/search.html"] = visit(browser, site / "zh" / "search.html")
    box = browser.find_element(By.ID, "search-box")
    box.send_keys("WIPO学院")
    found = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#search-results a")]
    assert any(href.endswith("/zh/programme/wipo-academy.html") for href in found)
    browser.get((site / "en" / "search.html").as_uri() + "?q=chile")
    found = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#search-results a")]
    assert "Chile" in found
    errors["en/search.html?q=chile"] = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]

    # The landing page opens a language tree.
    browser.get((site / "index.html").as_uri())
    assert re.search(r"/(en|zh)/index\.html$", browser.current_url)
    errors["index.html"] = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert {page: found for page, found in errors.items() if found} == {}

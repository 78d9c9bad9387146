"""Writing the site: ask the graph, lay out the network, render both language trees, swap it in.

The site is written into a staging directory beside its destination and put in place in
one rename (:class:`kg.build.output.Staging`), so a run that fails or is interrupted leaves
the previous site as it was. A file ``kg-site.json`` at its root lists every file with its
SHA-256 (and what Vega's bundle was made from, so that the next run can reuse it); a destination that exists without it is not a site kg wrote, and is refused rather
than replaced. Everything is a function of the graph: the same build gives a byte-identical
site.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from kg import __version__
from kg.build.output import Staging
from kg.errors import KgError
from kg.report import assets
from kg.report.facts import collect
from kg.exports.network import project
from kg.report.layout import Layout
from kg.report.pages import Pages, environment, search_entries
from kg.report.paths import LANGUAGES
from kg.store.open import GRAPH_FILE, STORE_DIR, open_store

MANIFEST = "kg-site.json"


@dataclass(frozen=True)
class Written:
    """What a run wrote: where, how many pages and files, and how long it took."""

    path: Path
    pages: int
    files: int
    seconds: float


def check_source(source: Path) -> Path:
    """``source`` must be what ``kg build`` wrote: a directory with ``graph.nq`` or a ``store/``."""
    source = Path(source)
    if not source.exists():
        raise KgError("no such directory (run `kg build` first?)", path=source)
    if not source.is_dir() or not ((source / GRAPH_FILE).is_file() or (source / STORE_DIR).is_dir()):
        raise KgError(f"not the output of `kg build` (no {GRAPH_FILE} or {STORE_DIR}/ in it)", path=source)
    return source


def check_destination(out: Path, source: Path) -> Path:
    """``out`` may be new, empty or an earlier site; never the build itself or a folder holding it."""
    out = Path(out)
    resolved, build = out.resolve(), source.resolve()
    if resolved == build or resolved in build.parents:
        raise KgError("the site cannot be written over the build it is made from; give another --out", path=out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        raise KgError(f"exists and is not a site `kg report` wrote (no {MANIFEST}); give another --out or "
                      "remove it", path=out)
    return out


def landing(lang_names: dict[str, str]) -> bytes:
    """The site's ``index.html``: opens the tree of the reader's language, and links to both."""
    links = " · ".join(f'<a href="{lang}/index.html" hreflang="{lang}">{name}</a>' for lang, name in lang_names.items())
    return ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>SDG knowledge graph · 可持续发展目标知识图谱</title>\n"
            "<link rel=\"stylesheet\" href=\"assets/site.css\">\n"
            "<script>(function(){var zh=(navigator.language||'').toLowerCase().indexOf('zh')===0;"
            "location.replace((zh?'zh':'en')+'/index.html');})();</script>\n"
            f"</head>\n<body>\n<main>\n<h1>SDG knowledge graph · 可持续发展目标知识图谱</h1>\n<p>{links}</p>\n"
            "</main>\n</body>\n</html>\n").encode("utf-8")


def previous_bundle(out: Path) -> bytes | None:
    """The Vega bundle of the site already at ``out``, if it is the one this run would make (same label, and
    its bytes those its manifest lists): making one takes seconds, and it is the same script."""
    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        data = (out / assets.VEGA).read_bytes()
    except (OSError, ValueError):
        return None
    if (isinstance(listed, dict) and listed.get("vega") == assets.bundle_label()
            and listed.get("files", {}).get(assets.VEGA) == hashlib.sha256(data).hexdigest()):
        return data
    return None


def render(source: Path, previous: Path | None = None) -> dict[str, bytes]:
    """Every file of the site, by its path in the site, from the build at ``source`` (``previous``: the
    site being replaced, whose Vega bundle is reused when it is the same)."""
    # Vega's bundle is made on its own thread while the graph is asked and the pages written.
    bundle = assets.VegaBundle(previous_bundle(previous) if previous is not None else None)
    store = open_store(source)
    network = project(store)
    layout = Layout(network)  # on its own thread while the graph is asked
    facts = collect(store, network)
    layout = layout.result()
    env = environment()
    files: dict[str, bytes] = {"index.html": landing({"en": "English", "zh": "中文"})}
    for lang in LANGUAGES:
        for path, html in Pages(facts, lang, env, layout).all():
            files[f"{lang}/{path}"] = html
    files[assets.WORLD] = assets.world_script()
    files[assets.SEARCH] = assets.search_script(search_entries(facts))
    files[assets.STYLE] = assets.static("site.css")
    files[assets.SCRIPT] = assets.static("site.js")
    files[assets.VEGA] = bundle.result()
    return files


def manifest(files: dict[str, bytes]) -> bytes:
    listing = {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}
    return (json.dumps({"generator": f"kg {__version__}", "vega": assets.bundle_label(), "files": listing},
                       indent=1, sort_keys=True)
            + "\n").encode("utf-8")


def write_site(source: Path, out: Path | None = None) -> Written:
    """Write the site of the build at ``source`` to ``out`` (default ``source/site``), atomically."""
    started = time.perf_counter()
    source = check_source(source)
    out = check_destination(out if out is not None else source / "site", source)
    files = render(source, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with Staging(out.parent) as staging:
        root = staging.file(out.name)
        for path, data in sorted(files.items()):
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (root / MANIFEST).write_bytes(manifest(files))
        staging.commit()
    pages = sum(1 for path in files if path.endswith(".html"))
    return Written(out, pages, len(files) + 1, time.perf_counter() - started)

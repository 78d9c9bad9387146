"""The files every page shares: Vega's JavaScript, the map's outlines, the style sheet and script.

Vega, Vega-Lite and vega-embed come from the ``vl-convert-python`` package, which carries
them inside its library and bundles them into one script (:func:`vl_convert.javascript_bundle`)
with no network; the bundle takes a few seconds to make, so :class:`VegaBundle` makes it on a
thread (the work is in Rust, outside the GIL) while the pages are being written. The bundle
defines ``window.vegaEmbed``; its Vega-Lite is the version Altair writes specifications for.
"""

from __future__ import annotations

import functools
import json
import threading
from importlib import resources

import altair as alt

from kg.errors import KgError
from kg.report.world import world_features

VEGA = "assets/vega.js"
WORLD = "assets/world.js"
SEARCH = "assets/search.js"
STYLE = "assets/site.css"
SCRIPT = "assets/site.js"


def vegalite_version() -> str:
    """The Vega-Lite version (``6.4``) to bundle: Altair's, or the newest vl-convert has."""
    import vl_convert

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    known = vl_convert.get_vegalite_versions()
    return wanted if wanted in known else known[-1]


def bundle_label() -> str:
    """What the bundle is made of (``vl-convert-python 1.9.0, Vega-Lite 6.4``): the same label, the same bytes."""
    import vl_convert

    return f"vl-convert-python {getattr(vl_convert, '__version__', '?')}, Vega-Lite {vegalite_version()}"


class VegaBundle:
    """vega-embed, Vega-Lite and Vega as one script, made on a thread of its own.

    ``previous`` is the bundle of an earlier site with the same :func:`bundle_label` (its bytes
    checked against that site's manifest), which is the same script: it is used as it is.
    """

    def __init__(self, previous: bytes | None = None) -> None:
        self._result: str | None = previous.decode("utf-8") if previous is not None else None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._make, name="kg-vega-bundle", daemon=True)
        if previous is None:
            self._thread.start()

    def _make(self) -> None:
        try:
            self._result = _bundle(vegalite_version())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller of result()
            self._error = exc

    def result(self) -> bytes:
        if self._thread.is_alive() or self._result is None:
            self._thread.join()
        if self._error is not None:
            raise KgError(f"cannot bundle Vega's JavaScript (vl-convert-python): {self._error}")
        return self._result.encode("utf-8")


@functools.cache
def _bundle(version: str) -> str:
    """The bundle for one Vega-Lite version: the same on every call, so made once per process."""
    import vl_convert

    return vl_convert.javascript_bundle(vl_version=version)


def script_json(value) -> str:
    """JSON to put inside a ``<script>`` element: no ``<`` (so no ``</script>``), sorted keys."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("<", "\\u003c")


def world_script() -> bytes:
    """``assets/world.js``: the country outlines as ``window.KG_WORLD``."""
    return f"window.KG_WORLD={script_json(list(world_features()))};\n".encode("utf-8")


def search_script(entries: list[list[str]]) -> bytes:
    """``assets/search.js``: the names to search, ``window.KG_SEARCH``."""
    return f"window.KG_SEARCH={script_json(entries)};\n".encode("utf-8")


def static(name: str) -> bytes:
    """A file of ``kg/report/static`` (the style sheet, the page script)."""
    return (resources.files("kg.report") / "static" / name).read_bytes()

"""The world map's shapes: the country outlines the ``countryinfo`` package ships, nothing fetched.

``countryinfo`` (MIT) ships one JSON file per country holding, among other things, its
outline as GeoJSON (from the public-domain Natural Earth data at 1:110m, the scale of a world
map); the features are keyed by ISO 3166 alpha-3 code, which is how kg's countries carry
their ``skos:notation``. Countries too small for that scale (Bahrain, Barbados, Cabo Verde …)
have no outline and are listed beside the map instead. Coordinates are rounded to 0.01°
(about a kilometre), which keeps the map's data small without changing what it shows.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from kg.errors import KgError


# Antarctica: no country's activities are there, and a ring around a pole has no planar winding to check.
NOT_DRAWN = frozenset({"ATA"})


def _signed_area(ring: list[list[float]]) -> float:
    """Twice the ring's area in the lon/lat plane: positive when it runs counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))


def _d3_polygon(rings: list) -> list:
    """A polygon's rings wound as d3-geo (Vega's projections) reads them: the outer ring clockwise, holes
    counter-clockwise. A ring wound the other way would be read as the whole globe outside it."""
    fixed = []
    for index, ring in enumerate(rings):
        clockwise = _signed_area(ring) < 0
        fixed.append(ring if clockwise == (index == 0) else ring[::-1])
    return fixed


def _geometry(geometry: dict) -> dict:
    if geometry["type"] == "Polygon":
        coordinates = _d3_polygon(_rounded(geometry["coordinates"]))
    else:
        coordinates = [_d3_polygon(polygon) for polygon in _rounded(geometry["coordinates"])]
    return {"type": geometry["type"], "coordinates": coordinates}


def _rounded(coordinates):
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [round(float(c), 2) for c in coordinates]
    return [_rounded(part) for part in coordinates]


@cache
def world_features() -> tuple[dict, ...]:
    """Every country outline as a GeoJSON feature with ``properties.iso3``, in code order."""
    try:
        folder = resources.files("countryinfo") / "data"
        files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise KgError(f"the world map's outlines (the countryinfo package) are not installed: {exc}") from None
    features = {}
    for path in files:
        country = json.loads(path.read_text(encoding="utf-8"))
        iso3 = (country.get("ISO") or {}).get("alpha3")
        for feature in ((country.get("geoJSON") or {}).get("features") or [])[:1]:
            geometry = feature.get("geometry") or {}
            if iso3 and iso3 not in NOT_DRAWN and geometry.get("type") in ("Polygon", "MultiPolygon"):
                features[iso3] = {"type": "Feature", "properties": {"iso3": iso3}, "geometry": _geometry(geometry)}
    return tuple(features[code] for code in sorted(features))


def drawn_codes() -> frozenset[str]:
    """The ISO 3166 alpha-3 codes the map can draw."""
    return frozenset(f["properties"]["iso3"] for f in world_features())

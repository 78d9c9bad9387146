"""The shipped settings of the exports: ``data/exports/network.toml`` and ``data/exports/dataset.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import URIRef

from kg.errors import DataError
from kg.namespaces import PREFIXES
from kg.resources import data_file


def _load(name: str) -> tuple[Path, dict]:
    path = data_file("exports", name)
    if not path.is_file():
        raise DataError("missing export settings", path=path)
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML: {exc}", path=path) from None


def _get(raw: dict, path: Path, *keys: str):
    value = raw
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise DataError(f"missing key {'.'.join(keys)}", path=path)
        value = value[key]
    return value


def expand(name: str, path: Path) -> URIRef:
    """``kgo:Programme`` → the full IRI, with the prefixes of :mod:`kg.namespaces`."""
    prefix, _, local = name.partition(":")
    if prefix not in PREFIXES or not local:
        raise DataError(f"{name!r} is not a prefixed name with a known prefix ({', '.join(PREFIXES)})", path=path)
    return URIRef(str(PREFIXES[prefix]) + local)


@dataclass(frozen=True)
class NodeType:
    name: str
    cls: URIRef
    colour: tuple[int, int, int]


@dataclass(frozen=True)
class NetworkStyle:
    types: tuple[NodeType, ...]
    min_size: float
    max_size: float

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.types)


_COLOUR = re.compile(r"^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$")


@cache
def network_style() -> NetworkStyle:
    path, raw = _load("network.toml")
    types = []
    for i, entry in enumerate(_get(raw, path, "types")):
        where = f"types[{i}]"
        try:
            name, cls, colour = entry["name"], entry["class"], entry["colour"]
        except KeyError as exc:
            raise DataError(f"{where}: missing key {exc.args[0]}", path=path) from None
        match = _COLOUR.match(colour)
        if not match:
            raise DataError(f"{where}: colour {colour!r} is not #rrggbb", path=path)
        types.append(NodeType(name, expand(cls, path), tuple(int(g, 16) for g in match.groups())))
    if len({t.name for t in types}) != len(types):
        raise DataError("node type names must be unique", path=path)
    low, high = float(_get(raw, path, "sizes", "min")), float(_get(raw, path, "sizes", "max"))
    if not 0 < low <= high:
        raise DataError("sizes: need 0 < min <= max", path=path)
    return NetworkStyle(tuple(types), low, high)


@dataclass(frozen=True)
class Linkset:
    name: str
    title: str
    target: str  # the linked dataset's IRI, or "" for one kg describes itself
    uri_space: str
    pattern: str
    data_dump: str


@dataclass(frozen=True)
class DatasetSettings:
    path: Path
    title: dict[str, str]
    description: dict[str, str]
    keywords: dict[str, list[str]]
    licence: str
    download_base: str
    publisher: str
    publisher_name: dict[str, str]
    publisher_homepage: str
    distributions: dict[str, dict[str, str]]
    linksets: tuple[Linkset, ...]
    publisher_type: str = ""  # a concept of the ADMS publisher-type scheme (DCAT-AP's dct:type of an agent)
    publisher_type_label: dict[str, str] = field(default_factory=dict)
    sparql_endpoint: str = ""  # where the graph is queried; empty: "{base}sparql"
    catalog_title: dict[str, str] = field(default_factory=dict)
    catalog_description: dict[str, str] = field(default_factory=dict)


@cache
def dataset_settings() -> DatasetSettings:
    path, raw = _load("dataset.toml")
    linksets = []
    for i, entry in enumerate(_get(raw, path, "linksets")):
        try:
            linksets.append(Linkset(entry["name"], entry["title"], entry["target"], entry["uri_space"],
                                    entry["pattern"], entry.get("data_dump", "")))
            re.compile(entry["pattern"])
        except KeyError as exc:
            raise DataError(f"linksets[{i}]: missing key {exc.args[0]}", path=path) from None
        except re.error as exc:
            raise DataError(f"linksets[{i}]: bad pattern: {exc}", path=path) from None
    return DatasetSettings(
        path=path,
        title=dict(_get(raw, path, "dataset", "title")),
        description=dict(_get(raw, path, "dataset", "description")),
        keywords={k: list(v) for k, v in _get(raw, path, "dataset", "keywords").items()},
        licence=_get(raw, path, "dataset", "licence"),
        download_base=raw["dataset"].get("download_base", ""),
        publisher=_get(raw, path, "publisher", "iri"),
        publisher_name=dict(_get(raw, path, "publisher", "name")),
        publisher_homepage=raw["publisher"].get("homepage", ""),
        distributions={k: dict(v) for k, v in _get(raw, path, "distributions").items()},
        linksets=tuple(linksets),
        publisher_type=raw["publisher"].get("type", ""),
        publisher_type_label=dict(raw["publisher"].get("type_label", {})),
        sparql_endpoint=raw["dataset"].get("sparql_endpoint", ""),
        catalog_title=dict(raw.get("catalog", {}).get("title", {})),
        catalog_description=dict(raw.get("catalog", {}).get("description", {})),
    )

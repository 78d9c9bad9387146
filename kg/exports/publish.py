"""``kg publish``: send the named graphs to a SPARQL 1.1 Graph Store HTTP Protocol endpoint.

Each named graph (one per document, the reference graphs and the dataset
description) is sent with ``PUT {endpoint}?graph={IRI}`` as N-Triples, which
replaces whatever the store held in that graph: publishing twice leaves the
store as publishing once. Graphs are sent one by one; a failure stops at that
graph and says which graphs were already replaced.

Authentication: HTTP Basic (user and password) or a bearer token.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pyoxigraph

from kg import __version__
from kg.errors import KgError
from kg.exports.rdf import sorted_triples

MEDIA_TYPE = "application/n-triples"


@dataclass(frozen=True)
class Credentials:
    user: str | None = None
    password: str | None = None
    token: str | None = None

    def header(self) -> str | None:
        if self.token and self.user:
            raise KgError("give either a user and password or a bearer token, not both")
        if self.token:
            return f"Bearer {self.token}"
        if self.user:
            if self.password is None:
                raise KgError(f"a password is needed for user {self.user!r} (--password or KG_PUBLISH_PASSWORD)")
            return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        return None


@dataclass(frozen=True)
class Sent:
    graph: str
    triples: int
    status: int | None  # None: not sent (dry run)


def graphs_of(quads: list[pyoxigraph.Quad]) -> dict[str, list[pyoxigraph.Quad]]:
    found: dict[str, list[pyoxigraph.Quad]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.graph_name, pyoxigraph.NamedNode):
            found[quad.graph_name.value].append(quad)
    return dict(sorted(found.items()))


def graph_url(endpoint: str, graph: str) -> str:
    return f"{endpoint}{'&' if '?' in endpoint else '?'}graph={quote(graph, safe='')}"


def check_endpoint(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KgError(f"the endpoint must be an http(s) URL, not {endpoint!r}")
    return endpoint


def publish(quads: list[pyoxigraph.Quad], endpoint: str, only: list[str] | None = None,
            credentials: Credentials = Credentials(), timeout: float = 120.0, dry_run: bool = False) -> list[Sent]:
    """PUT every named graph of ``quads`` (or those in ``only``) to the Graph Store endpoint."""
    check_endpoint(endpoint)
    graphs = graphs_of(quads)
    if only:
        missing = sorted(set(only) - set(graphs))
        if missing:
            raise KgError(f"no such named graph in the build: {', '.join(missing)} "
                          f"(have: {', '.join(graphs)})")
        graphs = {name: graphs[name] for name in sorted(set(only))}
    authorization = credentials.header()
    sent: list[Sent] = []
    for name, graph_quads in graphs.items():
        triples = sorted_triples(graph_quads)
        if dry_run:
            sent.append(Sent(name, len(triples), None))
            continue
        body = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        request = urllib.request.Request(graph_url(endpoint, name), data=body, method="PUT")
        request.add_header("Content-Type", MEDIA_TYPE)
        request.add_header("User-Agent", f"kg/{__version__}")
        if authorization:
            request.add_header("Authorization", authorization)
        done = f" ({len(sent)} graph(s) already replaced)" if sent else ""
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip().splitlines()
            raise KgError(f"{endpoint}: PUT of graph <{name}> refused: HTTP {exc.code} {exc.reason}"
                          f"{': ' + detail[0] if detail else ''}{done}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise KgError(f"{endpoint}: cannot send graph <{name}>: {reason}{done}") from None
        sent.append(Sent(name, len(triples), status))
    return sent

"""``kg publish``: send the named graphs to a SPARQL 1.1 Graph Store HTTP Protocol endpoint.

Each named graph (one per document, the reference graphs and the dataset
description) is sent with ``PUT {endpoint}?graph={IRI}`` as N-Triples, which
replaces whatever the store held in that graph: publishing twice leaves the
store as publishing once. Graphs are sent one by one over one HTTP connection
(httpx, kept alive between graphs where the server allows it).

* **Authentication.** A user and password answer whatever the server asks for:
  HTTP Digest (Virtuoso's ``/sparql-graph-crud-auth``) or Basic (Fuseki, GraphDB).
  Nothing is sent before the server asks: a ``HEAD`` of the first graph's URL draws
  its ``401`` and the scheme it names; the graphs then go with the credentials
  straight away (Digest with the server's nonce and a count). Basic
  credentials (and a bearer token) over plain ``http`` are readable by anyone on
  the network: kg says so in a warning. A bearer token is sent as is.
* **Deadline.** ``timeout`` bounds each graph's whole exchange (connecting, sending,
  the answer), however slowly a server answers: a server that drips its answer a
  byte at a time is cut off at the deadline, not kept waiting on.
* **Failure.** A graph the server refuses (an HTTP error), a connection that fails
  or a deadline that passes stops the publication with one error that names the
  graph, the reason, the graphs already replaced and those not sent. Each graph is
  replaced atomically by the server, the whole set is not: publish again to finish.
* **Hygiene.** A password never appears in a message (an endpoint given as
  ``http://user:password@host/…`` is shown without it); what a server writes back
  is shown with its control characters escaped, so it cannot move the cursor,
  retitle the terminal or fake a line of kg's own.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Generator
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import httpx
import pyoxigraph

from kg import __version__
from kg.errors import KgError
from kg.exports.rdf import sorted_triples

MEDIA_TYPE = "application/n-triples"


class InsecureCredentials(UserWarning):
    """Credentials sent in the clear: Basic authentication or a bearer token over plain http."""


@dataclass(frozen=True)
class Credentials:
    user: str | None = None
    password: str | None = None
    token: str | None = None

    def check(self) -> None:
        if self.token and self.user:
            raise KgError("give either a user and password or a bearer token, not both")
        if self.user and self.password is None:
            raise KgError(f"a password is needed for user {self.user!r} (--password or KG_PUBLISH_PASSWORD)")

    def header(self) -> str | None:
        """The ``Authorization`` header sent with every request: a bearer token's (user
        credentials are sent only as the server asks, see :class:`ChallengeAuth`)."""
        self.check()
        return f"Bearer {self.token}" if self.token else None

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.password, self.token) if s)


class ChallengeAuth(httpx.Auth):
    """A user and password for whichever scheme the server's ``401`` asks for: Digest (preferred)
    or Basic. The first request goes without credentials; once the server has named its scheme,
    later requests carry them from the start (Digest with the server's nonce and a count)."""

    requires_request_body = True

    def __init__(self, user: str, password: str, warn: Callable[[str], None]):
        self._digest = httpx.DigestAuth(user, password)
        self._basic = "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
        self._scheme: str | None = None
        self._warn = warn

    def _use_basic(self, request: httpx.Request) -> None:
        if self._scheme != "basic":
            self._scheme = "basic"
            if request.url.scheme == "http":
                self._warn(f"{request.url.host} asks for HTTP Basic authentication over plain http: the user "
                           "name and password cross the network readable by anyone on the way (use https)")
        request.headers["Authorization"] = self._basic

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme == "basic":
            request.headers["Authorization"] = self._basic
            yield request
            return
        digest = self._digest.auth_flow(request)
        response = yield next(digest)
        try:
            retry = digest.send(response)
        except StopIteration:
            # No Digest challenge: Basic, if that is what the server asks for.
            offered = [h.split(None, 1)[0].lower() for h in response.headers.get_list("www-authenticate") if h]
            if response.status_code == 401 and "basic" in offered:
                self._use_basic(request)
                yield request
            return
        self._scheme = "digest"
        yield retry


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


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str, limit: int = 200) -> str:
    """``text`` on one line with every control or format character shown as an escape (\\x1b, \\u202e):
    what a server writes cannot drive the terminal."""
    shown = _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def split_endpoint(endpoint: str) -> tuple[str, str | None, str | None]:
    """The endpoint without user information, and the user and password it held (if any)."""
    check_endpoint(endpoint)
    parts = urlsplit(endpoint)
    if parts.username is None and parts.password is None:
        return endpoint, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return (bare, unquote(parts.username) if parts.username is not None else None,
            unquote(parts.password) if parts.password is not None else None)


def redact(endpoint: str) -> str:
    """``endpoint`` as it may be shown: without the password it may carry."""
    try:
        parts = urlsplit(endpoint)
        if parts.password is None:
            return endpoint
        netloc = parts.netloc.rsplit("@", 1)[1]
        user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
        return urlunsplit((parts.scheme, f"{user}@{netloc}", parts.path, parts.query, parts.fragment))
    except ValueError:
        return "(the endpoint)"


def check_endpoint(endpoint: str) -> str:
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in endpoint):
        raise KgError("the endpoint URL holds spaces or control characters (percent-encode them: %20)")
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError as exc:
        raise KgError(f"the endpoint is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KgError(f"the endpoint must be an http(s) URL, not {printable(redact(endpoint))!r}")
    return endpoint


def check_timeout(timeout: float) -> float:
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise KgError(f"the timeout must be a positive number of seconds, not {timeout!r}")
    return float(timeout)


def _warn(message: str) -> None:
    warnings.warn(message, InsecureCredentials, stacklevel=3)


def publish(quads: list[pyoxigraph.Quad], endpoint: str, only: list[str] | None = None,
            credentials: Credentials = Credentials(), timeout: float = 120.0, dry_run: bool = False,
            warn: Callable[[str], None] | None = None) -> list[Sent]:
    """PUT every named graph of ``quads`` (or those in ``only``) to the Graph Store endpoint.

    ``timeout`` is the most one graph may take, all told; ``warn`` receives the warnings (credentials
    in the clear), by default as :class:`InsecureCredentials` warnings."""
    warn = warn or _warn
    bare, url_user, url_password = split_endpoint(endpoint)
    if url_user is not None and credentials.user is None and credentials.token is None:
        credentials = Credentials(url_user, url_password, None)
    credentials.check()
    timeout = check_timeout(timeout)
    graphs = graphs_of(quads)
    if only:
        missing = sorted(set(only) - set(graphs))
        if missing:
            raise KgError(f"no such named graph in the build: {', '.join(missing)} "
                          f"(have: {', '.join(graphs)})")
        graphs = {name: graphs[name] for name in sorted(set(only))}
    bodies = {name: sorted_triples(graph_quads) for name, graph_quads in graphs.items()}
    if dry_run:
        return [Sent(name, len(triples), None) for name, triples in bodies.items()]
    sending = _send(bodies, bare, credentials, timeout, warn)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(sending)
    # Called from a running event loop (a notebook): send from a thread with a loop of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, sending).result()


async def _send(bodies: dict[str, list[pyoxigraph.Triple]], endpoint: str, credentials: Credentials,
                timeout: float, warn: Callable[[str], None]) -> list[Sent]:
    auth: httpx.Auth | None = None
    headers = {"Content-Type": MEDIA_TYPE, "User-Agent": f"kg/{__version__}"}
    insecure = urlsplit(endpoint).scheme == "http"
    if credentials.token:
        headers["Authorization"] = f"Bearer {credentials.token}"
        if insecure:
            warn(f"a bearer token goes to {urlsplit(endpoint).hostname} over plain http, readable by anyone on "
                 "the way (use https)")
    elif credentials.user:
        auth = ChallengeAuth(credentials.user, credentials.password or "", warn)
    shown = printable(redact(endpoint))
    secrets = credentials.secrets()
    sent: list[Sent] = []
    names = list(bodies)
    # One client, one connection pool of one: the graphs go one after another over one connection.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(auth=auth, timeout=httpx.Timeout(timeout), limits=limits,
                                 follow_redirects=False, trust_env=False) as client:
        if auth is not None and names:
            # Ask first with HEAD (no body, no effect): the server names its scheme in a 401 without kg
            # sending a whole graph unauthenticated only to have it refused (Virtuoso closes the
            # connection on a 401, mid-upload). Whatever the answer, the graphs follow.
            try:
                async with asyncio.timeout(timeout):
                    await client.head(graph_url(endpoint, names[0]), headers={"User-Agent": headers["User-Agent"]})
            except (TimeoutError, httpx.HTTPError, OSError):
                pass
        for index, name in enumerate(names):
            triples = bodies[name]
            body = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
            try:
                async with asyncio.timeout(timeout):
                    response = await client.put(graph_url(endpoint, name), content=body, headers=headers)
                    detail = (await response.aread())[:300] if response.status_code >= 400 else b""
            except TimeoutError:
                reason = f"no complete answer within {timeout:g} s (--timeout)"
            except httpx.HTTPError as exc:
                reason = f"cannot send it: {type(exc).__name__}: {exc}" if str(exc) else \
                    f"cannot send it: {type(exc).__name__}"
            except OSError as exc:
                reason = f"cannot send it: {exc}"
            else:
                if response.status_code < 400:
                    sent.append(Sent(name, len(triples), response.status_code))
                    continue
                lines = detail.decode("utf-8", "replace").strip().splitlines()
                reason = f"refused: HTTP {response.status_code} {response.reason_phrase}" + \
                         (f": {lines[0]}" if lines else "")
            raise KgError(_failure(shown, name, reason, [s.graph for s in sent], names[index + 1:], secrets))
    return sent


def _failure(endpoint: str, graph: str, reason: str, replaced: list[str], unsent: list[str],
             secrets: tuple[str, ...]) -> str:
    def listed(graphs: list[str]) -> str:
        return f"{len(graphs)} ({', '.join(f'<{g}>' for g in graphs)})" if graphs else "none"

    message = (f"{endpoint}: PUT of graph <{graph}> {reason}; already replaced: {listed(replaced)}; "
               f"not sent: {listed(unsent)}; publish again to finish")
    for secret in secrets:
        message = message.replace(secret, "***")
    return printable(message, limit=4000)

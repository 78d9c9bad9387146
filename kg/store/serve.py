"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over a build's graph.

The HTTP side is Starlette served by uvicorn; the queries run in a pool of
worker processes (pebble), each holding its own pyoxigraph store opened with
:func:`kg.store.open.open_store`. That split is what bounds a query:

* **time**: a query still running after ``timeout`` seconds is stopped by
  ending its worker process (pebble starts a fresh one), and the client gets
  503; pyoxigraph cannot be interrupted inside a query, a process can;
* **result size**: a worker writes the serialised result into a buffer that
  refuses to grow past ``max_result_bytes`` (the client gets 422), so a huge
  answer never reaches memory whole;
* **request size**: a query text longer than ``max_query_bytes`` gets 413;
* **load**: at most ``max_pending`` queries wait or run at once (then 503).

It is read-only: SPARQL updates (the ``update`` parameter, an
``application/sparql-update`` body) are refused with 403, and so is ``LOAD``,
which is an update; a query with ``SERVICE`` is refused with 403 before it is
run, so the endpoint never calls other hosts; an on-disk store is opened
read-only and an in-memory one is a private copy in each worker. It binds to
127.0.0.1 unless told otherwise, and stops cleanly on Ctrl-C or SIGTERM
(in-flight requests finish, the workers are ended).

It answers only requests whose ``Host`` header names it (:func:`allowed_hosts`;
others get 400): a web page cannot reach an endpoint on the user's loopback by
pointing a name of its own at 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import ipaddress
import multiprocessing
import signal
import socket
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph

from kg.errors import KgError
from kg.store.sparql import QueryError, Refused, check_query, execute

QUERY_PATH = "/sparql"

SOLUTION_TYPES = {
    "application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
    "application/json": pyoxigraph.QueryResultsFormat.JSON,
    "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
    "application/xml": pyoxigraph.QueryResultsFormat.XML,
    "text/csv": pyoxigraph.QueryResultsFormat.CSV,
    "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}
DEFAULT_SOLUTION_TYPE = "application/sparql-results+json"
DEFAULT_GRAPH_TYPE = "text/turtle"


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds a query may run
    max_result_bytes: int = 16 * 1024 * 1024  # size of a serialised answer
    max_query_bytes: int = 64 * 1024  # size of a query's text
    workers: int = 2  # worker processes
    max_pending: int = 64  # queries waiting or running at once

    def check(self) -> None:
        if self.timeout <= 0:
            raise KgError("--timeout must be more than 0 seconds")
        for name in ("max_result_bytes", "max_query_bytes", "workers", "max_pending"):
            if getattr(self, name) < 1:
                raise KgError(f"--{name.replace('_', '-')} must be at least 1")


# --- in a worker process ----------------------------------------------------------

_store: pyoxigraph.Store | None = None


def _open(source: str) -> None:
    global _store
    from kg.store.open import open_store

    _store = open_store(Path(source))


class _TooLarge(Exception):
    pass


class _Bounded(io.RawIOBase):
    """A binary sink that refuses to hold more than ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge()
        self.parts.append(bytes(data))
        return len(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


def _accepted(accept: str) -> list[str]:
    """Media types of an Accept header, most preferred first (q=0 dropped)."""
    ranked = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    quality = float(f[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, media))
    return [media for _, _, media in sorted(ranked)]


def negotiate(accept: str, kinds: dict, default: str) -> str | None:
    """The media type to answer in, or ``None`` if the client accepts none we write."""
    if not accept.strip():
        return default
    for media in _accepted(accept):
        if media in kinds:
            return media
        if media == "*/*":
            return default
        if media.endswith("/*"):
            family = media[:-1]
            if default.startswith(family):
                return default
            match = next((m for m in kinds if m.startswith(family)), None)
            if match is not None:
                return match
    return None


def answer(query: str, accept: str, default_graph: list[str], named_graphs: list[str],
           max_bytes: int) -> tuple[int, str, bytes]:
    """Run one query in this worker: (HTTP status, media type, body)."""
    assert _store is not None, "worker has no store"
    options = {}
    try:
        if default_graph:
            options["default_graph"] = [pyoxigraph.NamedNode(iri) for iri in default_graph]
        if named_graphs:
            options["named_graphs"] = [pyoxigraph.NamedNode(iri) for iri in named_graphs]
    except ValueError as exc:
        return 400, "text/plain", f"not a valid graph IRI: {exc}\n".encode()
    try:
        result = execute(_store, query, path="query", **options)
    except Refused as exc:
        return 403, "text/plain", f"{exc}\n".encode()
    except QueryError as exc:
        return 400, "text/plain", f"{exc}\n".encode()
    graph = isinstance(result, pyoxigraph.QueryTriples)
    kinds, default = (GRAPH_TYPES, DEFAULT_GRAPH_TYPE) if graph else (SOLUTION_TYPES, DEFAULT_SOLUTION_TYPE)
    media = negotiate(accept, kinds, default)
    if media is None:
        return 406, "text/plain", f"this query's results can be had as: {', '.join(kinds)}\n".encode()
    sink = _Bounded(max_bytes)
    try:
        if graph:
            pyoxigraph.serialize(result, sink, kinds[media])
        else:
            result.serialize(sink, kinds[media])
    except _TooLarge:
        return 422, "text/plain", (f"the result is larger than this endpoint's limit of {max_bytes} bytes; "
                                   "ask for less (LIMIT, fewer columns)\n").encode()
    return 200, media, sink.value()


# --- in the server process ----------------------------------------------------------

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def allowed_hosts(host: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The names a request's ``Host`` may give for an endpoint listening on ``host``.

    On a loopback address, the loopback names only; on another address, that address and
    this machine's names; on a wildcard address (0.0.0.0, ::), this machine's names and
    addresses. ``extra`` adds names (a proxy's public name); ``*`` accepts any.
    """
    names: set[str] = set(extra)
    if is_loopback(host):
        names.update(LOOPBACK_NAMES)
    else:
        names.update({socket.gethostname(), socket.getfqdn()})
        if host in ("0.0.0.0", "::", ""):
            names.update(LOOPBACK_NAMES)
            with contextlib.suppress(OSError):
                names.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None))
        else:
            names.add(host)
    return sorted(name.strip("[]").lower() for name in names if name)


def create_app(source: Path, limits: Limits, hosts: list[str] | None = None):
    """The Starlette application: ``/sparql`` (GET and POST), read-only; only ``hosts`` answered."""
    from pebble import ProcessPool
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    state: dict = {"pending": 0}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        pool = ProcessPool(max_workers=limits.workers, initializer=_open, initargs=(str(source),),
                           context=multiprocessing.get_context("spawn"))
        state["pool"] = pool
        try:
            yield
        finally:
            pool.stop()
            pool.join(timeout=10)

    def text(status: int, message: str) -> PlainTextResponse:
        return PlainTextResponse(message if message.endswith("\n") else message + "\n", status_code=status)

    async def sparql(request: Request) -> Response:
        params = {k: v for k, v in parse_qs(request.url.query, keep_blank_values=True).items()}
        body_query = None
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if len(body) > limits.max_query_bytes + 4096:
                return text(413, f"request larger than this endpoint's limit of {limits.max_query_bytes} bytes")
            if content_type == "application/sparql-update":
                return text(403, "read-only endpoint: SPARQL updates are refused")
            if content_type == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
                except UnicodeDecodeError:
                    return text(400, "the form is not UTF-8")
                for key, values in form.items():
                    params.setdefault(key, []).extend(values)
            elif content_type == "application/sparql-query":
                try:
                    body_query = body.decode("utf-8")
                except UnicodeDecodeError:
                    return text(400, "the query is not UTF-8")
            else:
                return text(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
        if "update" in params:
            return text(403, "read-only endpoint: SPARQL updates are refused")
        queries = params.get("query", []) + ([body_query] if body_query is not None else [])
        if len(queries) != 1:
            return text(400, "give exactly one query (the 'query' parameter or an application/sparql-query body)")
        query = queries[0]
        if len(query.encode("utf-8")) > limits.max_query_bytes:
            return text(413, f"query longer than this endpoint's limit of {limits.max_query_bytes} bytes")
        try:
            check_query(query)
        except Refused as exc:
            return text(403, str(exc))
        except QueryError as exc:
            return text(400, str(exc))
        if state["pending"] >= limits.max_pending:
            return text(503, "too many queries at once; try again")
        state["pending"] += 1
        try:
            future = state["pool"].schedule(answer, args=(query, request.headers.get("accept", ""),
                                                          params.get("default-graph-uri", []),
                                                          params.get("named-graph-uri", []),
                                                          limits.max_result_bytes),
                                            timeout=limits.timeout)
            try:
                status, media, payload = await asyncio.wrap_future(future)
            except FutureTimeout:
                return text(503, f"the query ran longer than this endpoint's limit of {limits.timeout:g} s "
                                 "and was stopped")
            except Exception as exc:  # a worker that died (pebble.ProcessExpired) or failed
                return text(500, f"the query failed: {type(exc).__name__}: {exc}")
        finally:
            state["pending"] -= 1
        return Response(payload, status_code=status, media_type=media)

    async def index(request: Request) -> Response:
        return text(200, f"kg: read-only SPARQL 1.1 endpoint at {QUERY_PATH} (GET ?query=… or POST)")

    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)] if hosts is not None else []
    return Starlette(routes=[Route(QUERY_PATH, sparql, methods=["GET", "POST"]), Route("/", index)],
                     lifespan=lifespan, middleware=middleware)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one); a clear error if that fails."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(512)
    except OSError as exc:
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def serve(source: Path, host: str = "127.0.0.1", port: int = 7878, limits: Limits = Limits(),
          access_log: bool = False, announce=None, allow_hosts: tuple[str, ...] = ()) -> None:
    """Serve ``source`` until interrupted (Ctrl-C, SIGTERM); requests naming other hosts get 400."""
    import uvicorn

    from kg.store.open import open_store

    limits.check()
    open_store(source)  # a missing or broken graph is a one-line error now, not in every worker
    sock = listen(host, port)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    if announce is not None:
        announce(f"http://{shown}:{bound[1]}{QUERY_PATH}", is_loopback(host))
    config = uvicorn.Config(create_app(Path(source), limits, allowed_hosts(host, allow_hosts)), log_level="warning", access_log=access_log,
                            lifespan="on", timeout_graceful_shutdown=max(5, int(limits.timeout) + 5))
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGINT and SIGTERM, then raises the signal again for
    # whoever handled it before; a stop asked for is a normal end here (exit status 0).
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()

"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over a build's graph.

The HTTP side is Starlette served by uvicorn; the queries run in a pool of
worker processes (pebble), each holding its own pyoxigraph store opened with
:func:`kg.store.open.open_store`. That split is what bounds a query:

* **time**: a query still running after ``timeout`` seconds is stopped by
  ending its worker process (pebble starts a fresh one), and the client gets
  503; pyoxigraph cannot be interrupted inside a query, a process can. Checking a
  query (parsing it) runs in the worker too, under the same limit: a query that
  takes a parser long never holds up the server;
* **memory**: each worker may grow by at most ``max_memory`` bytes past its size once it
  has loaded the graph (``RLIMIT_AS``, set when it starts); a query that needs more ends
  its worker (pebble starts a fresh one) and the client gets 503;
* **stack**: a query is answered on a thread with a deep stack
  (:func:`kg.processes.run_on_deep_stack`), so a long flat query (thousands of ``BIND``
  or ``+``), which pyoxigraph evaluates by deep recursion, cannot crash a worker; nesting
  deeper than :data:`kg.store.sparql.MAX_NESTING` is refused before anything parses it;
* **result size**: a worker writes the serialised result into a buffer that
  refuses to grow past ``max_result_bytes`` (the client gets 422), so a huge
  answer never reaches memory whole;
* **request size**: a query text longer than ``max_query_bytes`` gets 413, and a request
  body is counted as it arrives: the server stops reading it (413) as soon as it is
  too long, whatever its ``Content-Length`` says or does not say;
* **slow and idle clients**: a connection must send a request's headers within
  ``request_timeout`` seconds of opening (or of its previous answer), and its body
  within as long again (408); an idle keep-alive connection is closed after
  ``idle_timeout``; at most ``max_connections`` connections are served at once;
* **load**: at most ``max_pending`` queries wait or run at once (then 503), and one
  client address never has more than ``per_client`` of them running (the rest of its
  queries wait), so a client sending expensive queries cannot take every worker;
* **disconnects**: a client that goes away is one line in the log, and the query it
  left running is stopped.

Workers end with the server, even a server killed with ``kill -9``
(:func:`kg.processes.die_with_parent`).

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

For tools: ``GET /sparql`` without a query answers a SPARQL 1.1 Service Description
(Turtle, or any RDF format the ``Accept`` header asks for); answers carry CORS
headers (``Access-Control-Allow-Origin``, any origin by default: the data is public
and nothing is sent with credentials), so browser tools such as YASGUI can use it;
a CONSTRUCT or DESCRIBE answer can also be had as N-Quads or TriG (its triples in
the default graph).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import ipaddress
import math
import multiprocessing
import os
import signal
import socket
import sys
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph

from kg.errors import KgError
from kg.store.sparql import MAX_NESTING, QueryError, Refused, execute, nesting, update_keyword

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
    # A graph's triples are a dataset's default graph: N-Quads and TriG write them as they are.
    "application/n-quads": pyoxigraph.RdfFormat.N_QUADS,
    "application/trig": pyoxigraph.RdfFormat.TRIG,
}
DEFAULT_SOLUTION_TYPE = "application/sparql-results+json"
DEFAULT_GRAPH_TYPE = "text/turtle"
MAX_TIMEOUT = 24 * 3600.0  # seconds: the longest --timeout (and request timeout) accepted
MAX_PORT = 65535


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds a query may run
    max_result_bytes: int = 16 * 1024 * 1024  # size of a serialised answer
    max_query_bytes: int = 64 * 1024  # size of a query's text
    workers: int = 2  # worker processes
    max_pending: int = 64  # queries waiting or running at once
    max_memory: int = 1024 * 1024 * 1024  # bytes a worker may grow by while answering
    request_timeout: float = 10.0  # seconds to send a request's headers, and again its body
    idle_timeout: float = 5.0  # seconds an idle keep-alive connection stays open
    max_connections: int = 256  # connections served at once
    per_client: int | None = None  # queries one client address may have running (default: workers - 1, at least 1)

    def check(self) -> None:
        for name in ("timeout", "request_timeout", "idle_timeout"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and 0 < value <= MAX_TIMEOUT):
                option = "--timeout" if name == "timeout" else f"--{name.replace('_', '-')}"
                raise KgError(f"{option} must be more than 0 seconds and at most {MAX_TIMEOUT:g}, not {value}")
        for name in ("max_result_bytes", "max_query_bytes", "workers", "max_pending", "max_connections"):
            if getattr(self, name) < 1:
                raise KgError(f"--{name.replace('_', '-')} must be at least 1")
        if self.max_memory < 64 * 2**20:
            raise KgError("--max-memory must be at least 64 (MiB)")
        if self.per_client is not None and self.per_client < 1:
            raise KgError("--per-client must be at least 1")

    @property
    def client_share(self) -> int:
        return self.per_client if self.per_client is not None else max(1, self.workers - 1)


# --- in a worker process ----------------------------------------------------------

_store: pyoxigraph.Store | None = None
_runner = None  # the worker's deep-stack thread (a one-thread executor)
DEEP_STACK = 256 * 2**20  # bytes: a 64 KiB query cannot recurse deeper in pyoxigraph


def _virtual_size() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _open(source: str, max_memory: int | None = None, quiet: bool = False) -> None:
    """A worker's start: die with the server, open the store, start the deep-stack thread, and
    cap the memory it may take from here on at ``max_memory`` bytes more (``RLIMIT_AS``).
    ``quiet``: what the worker itself would print (a Rust allocation failure's lines as the
    memory cap stops a query) goes nowhere; the server says in one line what happened."""
    global _store, _runner
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from kg.store.open import open_store

    if quiet:
        os.environ["RUST_BACKTRACE"] = "0"
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
    _store = open_store(Path(source))
    previous = threading.stack_size()
    threading.stack_size(DEEP_STACK)
    try:
        _runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-query")
        _runner.submit(lambda: None).result()  # the thread exists (its stack reserved) before the cap
    finally:
        threading.stack_size(previous)
    if max_memory:
        import resource

        limit = _virtual_size() + max_memory
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


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


def _answer(query: str, accept: str, default_graph: list[str], named_graphs: list[str],
            max_bytes: int) -> tuple[int, str, bytes]:
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


def _answer_on_thread(*args) -> tuple[int, str, bytes]:
    try:
        return _answer(*args)
    except BaseException as exc:
        from kg.processes import _forget_frames

        # pyoxigraph's results may only be dropped by the thread that made them: not by the one
        # this exception goes to.
        _forget_frames(exc)
        raise


def answer(query: str, accept: str, default_graph: list[str], named_graphs: list[str],
           max_bytes: int) -> tuple[int, str, bytes]:
    """Run one query in this worker: (HTTP status, media type, body). On the worker's deep-stack
    thread when it has one (see :func:`_open`)."""
    try:
        if _runner is None:
            return _answer(query, accept, default_graph, named_graphs, max_bytes)
        return _runner.submit(_answer_on_thread, query, accept, default_graph, named_graphs, max_bytes).result()
    except MemoryError:
        return 503, "text/plain", b"the query needed more memory than this endpoint allows a query; ask for less\n"


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML")


def describe(endpoint: str, accept: str) -> tuple[int, str, bytes]:
    """The SPARQL 1.1 Service Description of this endpoint (in this worker): what it answers, in
    which formats, over which dataset (the named graphs, with their sizes; the default graph is
    their union)."""
    assert _store is not None, "worker has no store"
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple

    media = negotiate(accept, GRAPH_TYPES, DEFAULT_GRAPH_TYPE)
    if media is None:
        return 406, "text/plain", f"the service description can be had as: {', '.join(GRAPH_TYPES)}\n".encode()
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    xsd_integer = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    service, dataset, default = NamedNode(endpoint), BlankNode("dataset"), BlankNode("union")
    triples = [Triple(service, rdf_type, NamedNode(SD + "Service")),
               Triple(service, NamedNode(SD + "endpoint"), service),
               Triple(service, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Query")),
               Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "UnionDefaultGraph")),
               Triple(service, NamedNode(SD + "defaultDataset"), dataset),
               Triple(dataset, rdf_type, NamedNode(SD + "Dataset")),
               Triple(dataset, NamedNode(SD + "defaultGraph"), default),
               Triple(default, rdf_type, NamedNode(SD + "Graph"))]
    triples += [Triple(service, NamedNode(SD + "resultFormat"), NamedNode(FORMATS_NS + name))
                for name in RESULT_FORMATS]
    for index, name in enumerate(sorted(_store.named_graphs(), key=lambda g: str(g))):
        named, graph = BlankNode(f"n{index}"), BlankNode(f"g{index}")
        size = sum(1 for _ in _store.quads_for_pattern(None, None, None, name))
        triples += [Triple(dataset, NamedNode(SD + "namedGraph"), named),
                    Triple(named, rdf_type, NamedNode(SD + "NamedGraph")),
                    Triple(named, NamedNode(SD + "name"), name),
                    Triple(named, NamedNode(SD + "graph"), graph),
                    Triple(graph, rdf_type, NamedNode(SD + "Graph")),
                    Triple(graph, NamedNode(VOID_TRIPLES), Literal(str(size), datatype=xsd_integer))]
    prefixes = {"sd": SD, "formats": FORMATS_NS, "void": "http://rdfs.org/ns/void#"}
    try:
        body = pyoxigraph.serialize(triples, format=GRAPH_TYPES[media], prefixes=prefixes)
    except (TypeError, ValueError):
        body = pyoxigraph.serialize(triples, format=GRAPH_TYPES[media])
    return 200, media, body


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


def _log(message: str) -> None:
    try:
        print(f"kg serve: {message}", file=sys.stderr, flush=True)
    except OSError:
        pass


class _BodyTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


def create_app(source: Path, limits: Limits, hosts: list[str] | None = None,
               cors_origins: tuple[str, ...] = ("*",), log: Callable[[str], None] = _log,
               quiet_workers: bool = True):
    """The Starlette application: ``/sparql`` (GET and POST), read-only; only ``hosts`` answered;
    CORS headers for ``cors_origins`` (none: no CORS headers)."""
    from pebble import ProcessExpired, ProcessPool
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    state: dict = {"pending": 0, "clients": {}, "descriptions": {}}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        from kg.processes import start_worker

        pool = ProcessPool(max_workers=limits.workers, initializer=start_worker,
                           initargs=(os.getpid(), f"{__name__}:_open", str(source), limits.max_memory, quiet_workers),
                           context=multiprocessing.get_context("spawn"))
        state["pool"] = pool
        state["slots"] = asyncio.Semaphore(limits.workers)
        try:
            yield
        finally:
            pool.stop()
            pool.join(timeout=10)

    def text(status: int, message: str, close: bool = False) -> PlainTextResponse:
        response = PlainTextResponse(message if message.endswith("\n") else message + "\n", status_code=status)
        if close:
            response.headers["Connection"] = "close"
        return response

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    async def read_body(request: Request) -> bytes:
        """The request body, refused as soon as it passes the limit, within ``request_timeout``."""
        limit = limits.max_query_bytes + 4096
        declared = request.headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            raise _BodyTooLarge()
        parts, size = [], 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limits.request_timeout
        receive = request.receive
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            message = await asyncio.wait_for(receive(), remaining)
            if message["type"] == "http.disconnect":
                raise _ClientGone()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _BodyTooLarge()
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)

    async def run_in_worker(request: Request, function, args: tuple, timeout: float | None):
        """``function(*args)`` in a worker, this client taking no more than its share of them; the
        client going away stops it."""
        client = client_of(request)
        entry = state["clients"].get(client)
        if entry is None:  # [its share of the workers, its requests waiting or running]
            entry = state["clients"][client] = [asyncio.Semaphore(limits.client_share), 0]
        entry[1] += 1
        try:
            async with entry[0], state["slots"]:
                future = state["pool"].schedule(function, args=args, timeout=timeout)
                waiting = asyncio.ensure_future(asyncio.wrap_future(future))
                gone = asyncio.ensure_future(_disconnected(request))
                try:
                    done, _ = await asyncio.wait({waiting, gone}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    gone.cancel()
                if waiting not in done:
                    future.cancel()  # ends the worker running it (pebble starts another)
                    waiting.cancel()
                    raise _ClientGone()
                return waiting.result()
        finally:
            entry[1] -= 1
            if not entry[1]:
                state["clients"].pop(client, None)

    async def _disconnected(request: Request) -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return

    async def sparql(request: Request) -> Response:
        client = client_of(request)
        params = {k: v for k, v in parse_qs(request.url.query, keep_blank_values=True).items()}
        body_query = None
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type == "application/sparql-update":
                return text(403, "read-only endpoint: SPARQL updates are refused", close=True)
            if content_type not in ("application/x-www-form-urlencoded", "application/sparql-query"):
                return text(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded",
                            close=True)
            try:
                body = await read_body(request)
            except _BodyTooLarge:
                return text(413, f"request larger than this endpoint's limit of {limits.max_query_bytes} bytes",
                            close=True)
            except TimeoutError:
                log(f"{client}: the request body did not arrive within {limits.request_timeout:g} s; closed")
                return text(408, f"the request body did not arrive within {limits.request_timeout:g} s",
                            close=True)
            except _ClientGone:
                log(f"{client}: went away before sending the whole request")
                return text(400, "incomplete request", close=True)
            if content_type == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
                except UnicodeDecodeError:
                    return text(400, "the form is not UTF-8")
                for key, values in form.items():
                    params.setdefault(key, []).extend(values)
            else:
                try:
                    body_query = body.decode("utf-8")
                except UnicodeDecodeError:
                    return text(400, "the query is not UTF-8")
        if "update" in params:
            return text(403, "read-only endpoint: SPARQL updates are refused")
        queries = params.get("query", []) + ([body_query] if body_query is not None else [])
        if not queries and request.method in ("GET", "HEAD"):
            return await description(request)
        if len(queries) != 1:
            return text(400, "give exactly one query (the 'query' parameter or an application/sparql-query body)")
        query = queries[0]
        if len(query.encode("utf-8")) > limits.max_query_bytes:
            return text(413, f"query longer than this endpoint's limit of {limits.max_query_bytes} bytes")
        # What costs next to nothing to see is refused here; parsing runs in a worker, under its limits.
        operation = update_keyword(query)
        if operation is not None:
            return text(403, f"query:1: {operation} is a SPARQL update and updates are refused: kg only answers "
                             "queries")
        deepest, line = nesting(query)
        if deepest > MAX_NESTING:
            return text(403, f"query:{line}: the query nests brackets and braces {deepest} deep; kg answers queries "
                             f"nested at most {MAX_NESTING} deep")
        if state["pending"] >= limits.max_pending:
            return text(503, "too many queries at once; try again")
        state["pending"] += 1
        try:
            status, media, payload = await run_in_worker(
                request, answer, (query, request.headers.get("accept", ""), params.get("default-graph-uri", []),
                                  params.get("named-graph-uri", []), limits.max_result_bytes), limits.timeout)
        except FutureTimeout:
            return text(503, f"the query ran longer than this endpoint's limit of {limits.timeout:g} s "
                             "and was stopped")
        except _ClientGone:
            log(f"{client}: went away before its answer; its query was stopped")
            return text(400, "client went away", close=True)
        except ProcessExpired as exc:
            if exc.exitcode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, 134, 137):
                log(f"{client}: a query needed more than {limits.max_memory // 2**20} MiB and was stopped "
                    "(its worker was replaced)")
                return text(503, f"the query needed more memory than this endpoint allows a query "
                                 f"({limits.max_memory // 2**20} MiB) and was stopped; ask for less")
            log(f"{client}: the worker answering a query ended (exit status {exc.exitcode}) and was replaced")
            return text(500, f"the worker answering the query ended (exit status {exc.exitcode}); it was "
                             "replaced, try again")
        except Exception as exc:  # a worker that failed otherwise
            return text(500, f"the query failed: {type(exc).__name__}: {exc}")
        finally:
            state["pending"] -= 1
        return Response(payload, status_code=status, media_type=media)

    async def description(request: Request) -> Response:
        endpoint = f"{request.url.scheme}://{request.url.netloc}{QUERY_PATH}"
        key = (endpoint, request.headers.get("accept", ""))
        cached = state["descriptions"].get(key)
        if cached is None:
            try:
                cached = await run_in_worker(request, describe, key, limits.timeout)
            except _ClientGone:
                return text(400, "client went away", close=True)
            except Exception as exc:  # noqa: BLE001 - a worker that ended
                return text(500, f"the service description failed: {type(exc).__name__}: {exc}")
            if cached[0] == 200 and len(state["descriptions"]) < 64:
                state["descriptions"][key] = cached
        status, media, payload = cached
        return Response(payload, status_code=status, media_type=media)

    async def index(request: Request) -> Response:
        return text(200, f"kg: read-only SPARQL 1.1 endpoint at {QUERY_PATH} (GET ?query=… or POST; GET without "
                         "a query: its service description)")

    middleware = []
    if hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=hosts))
    if cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(cors_origins),
                                     allow_methods=["GET", "POST", "OPTIONS"],
                                     allow_headers=["Accept", "Content-Type"], max_age=600))
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
    if not isinstance(port, int) or not 0 <= port <= MAX_PORT:
        raise KgError(f"--port must be between 0 and {MAX_PORT} (0: any free port), not {port}")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(512)
    except (OSError, OverflowError, UnicodeError) as exc:
        raise KgError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}") from None
    return sock


def _protocol(limits: Limits, log: Callable[[str], None]):
    """uvicorn's HTTP/1.1 protocol with a deadline for a request's headers.

    uvicorn closes a keep-alive connection idle for ``timeout_keep_alive`` but has no deadline
    for the headers of a request: a client sending them a byte at a time (slowloris) would hold
    its connection for ever. Here every connection must have sent a whole request head within
    ``request_timeout`` of opening or of its previous answer, or it is closed.
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Protocol(H11Protocol):
        _deadline = None

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(limits.request_timeout, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if self.cycle is not None and not self.cycle.response_complete:
                return  # a request is being answered: its own limits apply
            if not self.transport.is_closing():
                client = self.client[0] if self.client else "unknown"
                log(f"{client}: no complete request within {limits.request_timeout:g} s; connection closed")
                self.transport.close()

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before and self.cycle is not None:
                self._disarm()  # a request head arrived

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

    return Protocol


def serve(source: Path, host: str = "127.0.0.1", port: int = 7878, limits: Limits = Limits(),
          access_log: bool = False, announce=None, allow_hosts: tuple[str, ...] = (),
          cors_origins: tuple[str, ...] = ("*",), log: Callable[[str], None] = _log,
          quiet_workers: bool = True) -> None:
    """Serve ``source`` until interrupted (Ctrl-C, SIGTERM); requests naming other hosts get 400."""
    import uvicorn

    from kg.store.open import open_store

    limits.check()
    if not isinstance(port, int) or not 0 <= port <= MAX_PORT:
        raise KgError(f"--port must be between 0 and {MAX_PORT} (0: any free port), not {port}")
    open_store(source)  # a missing or broken graph is a one-line error now, not in every worker
    sock = listen(host, port)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    if announce is not None:
        announce(f"http://{shown}:{bound[1]}{QUERY_PATH}", is_loopback(host))
    app = create_app(Path(source), limits, allowed_hosts(host, allow_hosts), cors_origins, log, quiet_workers)
    config = uvicorn.Config(app, log_level="warning", access_log=access_log, lifespan="on",
                            http=_protocol(limits, log), timeout_keep_alive=max(1, math.ceil(limits.idle_timeout)),
                            limit_concurrency=limits.max_connections,
                            timeout_graceful_shutdown=max(5, math.ceil(limits.timeout) + 5))
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

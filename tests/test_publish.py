"""kg publish against Graph Store stand-ins on the loopback interface: Digest and Basic authentication as the
server asks, one connection for all graphs, a deadline a dripping server cannot stretch, the graphs replaced
and not sent named on a failure, no password in any message, a warning for credentials in the clear.
(tests/test_engines.py publishes the default build into a real Virtuoso server and reads it back.)"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg.errors import KgError
from kg.exports import Exporter
from kg.exports.publish import Credentials, InsecureCredentials, printable, publish, redact, split_endpoint
from kg.store.open import open_store

USER, PASSWORD = "kg-user", "pa55:w0rd/€"
REALM, NONCE = "graphs", "0123456789abcdef"


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class Store(BaseHTTPRequestHandler):
    """A Graph Store stand-in. ``scheme``: what it asks for (None, "basic", "digest", "bearer"); ``fail_at``:
    the request (counted from 1) it answers 500 to; ``drip``: it answers one byte every 0.2 s, forever."""

    protocol_version = "HTTP/1.1"  # keep-alive: one connection can carry every graph
    scheme: str | None = None
    fail_at: int | None = None
    drip = False
    body = b"server says no"
    seen: list[dict] = []

    def _authorised(self) -> bool:
        given = self.headers.get("Authorization") or ""
        if self.scheme is None:
            return True
        if self.scheme == "bearer":
            return given == "Bearer s3cret-token"
        if self.scheme == "basic":
            import base64

            return given == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', given))
        if not given.startswith("Digest ") or fields.get("username") != USER:
            return False
        expected = md5(":".join([md5(f"{USER}:{REALM}:{PASSWORD}"), NONCE, fields.get("nc", ""),
                                 fields.get("cnonce", ""), "auth", md5(f"PUT:{fields.get('uri', '')}")]))
        return fields.get("response") == expected

    def do_PUT(self):  # noqa: N802 (the http.server API)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        authorised = self._authorised()
        type(self).seen.append({"port": self.client_address[1], "path": self.path, "lines": len(body.splitlines()),
                                "authorization": self.headers.get("Authorization"), "authorised": authorised})
        if self.drip:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            try:
                while True:
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                return
        if not authorised:
            self.send_response(401)
            if self.scheme == "digest":
                self.send_header("WWW-Authenticate", f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", '
                                                      'algorithm="MD5"')
            elif self.scheme == "basic":
                self.send_header("WWW-Authenticate", f'Basic realm="{REALM}"')
            else:
                self.send_header("WWW-Authenticate", f'Bearer realm="{REALM}"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.fail_at is not None and len([s for s in type(self).seen if s["authorised"]]) >= self.fail_at:
            self.send_response(500)
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)
            return
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def store_server():
    """Start a stand-in configured by keyword arguments; yields a function returning its URL."""
    servers = []

    def start(**settings):
        handler = type("Configured", (Store,), {**settings, "seen": []})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/store", handler

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def quads(built):
    return Exporter(open_store(built[1])).quads()


def graphs(quads) -> list[str]:
    return sorted({q.graph_name.value for q in quads})


def test_digest_as_the_server_asks_then_every_graph_on_one_connection(store_server, quads):
    endpoint, handler = store_server(scheme="digest")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Digest over http is no warning: the password never crosses the wire
        sent = publish(quads, endpoint, credentials=Credentials(USER, PASSWORD))
    assert [s.graph for s in sent] == graphs(quads) and {s.status for s in sent} == {204}
    seen = handler.seen
    # One unauthenticated request, its challenge, then each graph once with Digest credentials.
    assert seen[0]["authorization"] is None and not seen[0]["authorised"]
    assert all(s["authorised"] and s["authorization"].startswith("Digest ") for s in seen[1:])
    assert len(seen) == len(graphs(quads)) + 1
    assert len({s["port"] for s in seen}) == 1  # one connection for all graphs
    assert PASSWORD not in str(seen)


def test_basic_when_the_server_asks_for_it_with_a_warning_over_plain_http(store_server, quads):
    endpoint, handler = store_server(scheme="basic")
    told: list[str] = []
    publish(quads, endpoint, credentials=Credentials(USER, PASSWORD), warn=told.append)
    assert handler.seen[0]["authorization"] is None
    assert all(s["authorised"] for s in handler.seen[1:]) and len(handler.seen) == len(graphs(quads)) + 1
    assert len(told) == 1 and "Basic" in told[0] and "plain http" in told[0] and PASSWORD not in told[0]
    # Without a callback it is a Python warning of its own category.
    with pytest.warns(InsecureCredentials, match="plain http"):
        publish(quads, endpoint, [graphs(quads)[0]], Credentials(USER, PASSWORD))


def test_a_bearer_token_is_sent_as_is_with_a_warning_over_plain_http(store_server, quads):
    endpoint, handler = store_server(scheme="bearer")
    told: list[str] = []
    sent = publish(quads, endpoint, [graphs(quads)[0]], Credentials(token="s3cret-token"), warn=told.append)
    assert [s.status for s in sent] == [204] and handler.seen[0]["authorised"]
    assert told and "bearer token" in told[0] and "s3cret-token" not in told[0]


def test_credentials_in_the_endpoint_url_are_used_and_never_shown(store_server, quads):
    endpoint, handler = store_server(scheme="digest", fail_at=2)
    with_password = endpoint.replace("http://", f"http://{USER}:{PASSWORD.replace(':', '%3A').replace('/', '%2F')}@")
    assert split_endpoint(with_password) == (endpoint, USER, PASSWORD)
    assert PASSWORD.split(":")[0] not in redact(with_password) and redact(with_password).startswith("http://kg-user@")
    with pytest.raises(KgError) as error:
        publish(quads, with_password)
    message = str(error.value)
    assert "pa55" not in message and "HTTP 500" in message and message.startswith("http://127.0.0.1:")
    # The refused one and the rest are named, and what was replaced before it.
    names = graphs(quads)
    assert f"PUT of graph <{names[1]}> refused: HTTP 500" in message
    assert f"already replaced: 1 (<{names[0]}>)" in message
    assert f"not sent: {len(names) - 2} (" + ", ".join(f"<{g}>" for g in names[2:]) + ")" in message
    # Connection refused: the password is not in the message either.
    with pytest.raises(KgError, match="cannot send it") as refused:
        publish(quads, f"http://{USER}:{PASSWORD.replace('/', '%2F')}@127.0.0.1:9/store", [names[0]], timeout=5)
    assert "pa55" not in str(refused.value) and "already replaced: none" in str(refused.value)


def test_a_server_that_drips_its_answer_is_cut_off_at_the_deadline(store_server, quads):
    endpoint, _ = store_server(drip=True)
    start = time.monotonic()
    with pytest.raises(KgError, match=r"no complete answer within 1 s .*already replaced: none; not sent: "):
        publish(quads, endpoint, timeout=1)
    assert time.monotonic() - start < 5  # a byte every 0.2 s would keep a read timeout waiting forever


def test_what_a_server_writes_back_cannot_drive_the_terminal(store_server, quads):
    endpoint, _ = store_server(fail_at=1, body=b"\x1b]0;owned\x07\x1b[2J published OK\r\x1b[1A")
    with pytest.raises(KgError) as error:
        publish(quads, endpoint)
    message = str(error.value)
    assert not any(ord(c) < 32 or ord(c) == 127 for c in message)
    assert "\\x1b]0;owned\\x07\\x1b[2J published OK" in message
    assert printable("a\u202eb\nc") == "a\\u202eb\\nc"


@pytest.mark.parametrize("endpoint, timeout, problem", [
    ("http://127.0.0.1:9/st ore", 5, "spaces or control characters"),
    ("http://127.0.0.1:9/store\r\nX-Evil: 1", 5, "spaces or control characters"),
    ("ftp://127.0.0.1/store", 5, "http(s) URL"),
    ("http://127.0.0.1:99999/store", 5, "not a valid URL"),
    ("http://127.0.0.1:9/store", -1, "positive number of seconds"),
    ("http://127.0.0.1:9/store", float("nan"), "positive number of seconds"),
])
def test_a_bad_endpoint_or_timeout_is_one_error_before_anything_is_sent(quads, endpoint, timeout, problem):
    with pytest.raises(KgError, match=re.escape(problem)):
        publish(quads, endpoint, timeout=timeout)


def test_kg_publish_prints_the_basic_warning_as_one_line(built, store_server):
    endpoint, _ = store_server(scheme="basic")
    result = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "publish", "--endpoint",
                             endpoint, "--from", str(built[1]), "--user", USER, "--graph",
                             "https://w3id.org/sdg-kg/id/graph/geo"],
                            capture_output=True, text=True, env={**__import__("os").environ,
                                                                 "KG_PUBLISH_PASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "plain http" in result.stderr and PASSWORD not in result.stderr

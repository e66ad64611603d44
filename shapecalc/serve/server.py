"""The HTTP server of ``shapecalc serve``: the standard library's ``ThreadingHTTPServer``.

Why the standard library and not an ASGI framework: the page needs five JSON endpoints and a
few static files on the loopback interface for one user. ``http.server`` does that with no
dependency to install, pin or audit, starts in a few milliseconds, and every safety check
(Host header, origin, body size, headers) is a dozen visible lines here rather than a
middleware's configuration. Each request runs in its own thread, so a slow analysis (a large
symbolic spec) never holds up the others; what an ASGI stack would add (async, websockets,
HTTP/2) buys nothing for a page that sends a request per keystroke to its own machine.

What the server refuses (docs/serve.md, "Safety"):

- a ``Host`` header other than the address it is bound to (DNS rebinding);
- a ``POST`` from another origin (``Origin`` or ``Sec-Fetch-Site`` say so), or not JSON;
- a body without ``Content-Length`` or larger than :data:`MAX_BODY`;
- any path but the page, its static files and the API.

Every answer carries a strict Content-Security-Policy (:data:`CSP`): scripts, styles, fonts
and images only from the server itself, no inline script, no frames, no form posts.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from ..cli.spec import MAX_SPEC_BYTES
from ..errors import ShapecalcError
from . import api

#: The page and its assets.
STATIC = Path(__file__).parent / "static"
#: Largest request body: a spec at the command line's cap (1 MB), JSON-escaped (a newline is
#: two characters), and the options around it.
MAX_BODY = 2 * MAX_SPEC_BYTES + 64 * 1024
#: Seconds a connection may take to send its request before it is dropped (a client that
#: sends a byte a minute cannot hold a thread for ever).
REQUEST_TIMEOUT = 30
#: Content-Security-Policy of every answer. KaTeX sets its inline sizes through the DOM's style
#: properties, which the policy allows; no markup with a style attribute is ever inserted.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
#: Headers of every answer.
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
#: Static files served, by ending (anything else is 404).
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` headers the server answers: the bound address with its port, and
    ``localhost`` when it is bound to the loopback interface."""
    names = {host if ":" not in host else f"[{host}]"}
    if is_loopback(host):
        names |= {"localhost", "127.0.0.1"}
    return frozenset(f"{name}:{port}" for name in names)


class Handler(BaseHTTPRequestHandler):
    """One request: the checks of the module docstring, then the page, a file or the API."""

    server: PlaygroundServer
    timeout = REQUEST_TIMEOUT
    server_version = "shapecalc"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes: with Nagle's algorithm the second waits
    # for the client's delayed ACK, 40 ms on Linux, four times the analysis of VGG-16.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet unless the server was made with ``verbose`` (a page sends many requests)."""
        if self.server.verbose:
            super().log_message(format, *args)

    # -- answering

    def _send(
        self, status: int, data: bytes, media: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(data)))
        for name, value in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status: int, value: Any, extra: dict[str, str] | None = None) -> None:
        data = json.dumps(value, ensure_ascii=False).encode("utf-8")
        headers = {"Cache-Control": "no-store", **(extra or {})}
        self._send(status, data, "application/json; charset=utf-8", headers)

    def _refuse(self, status: HTTPStatus, why: str) -> None:
        self.close_connection = True
        self._json(status, {"ok": False, "error": {"message": why, "text": why}})

    # -- checks

    def _host_ok(self) -> bool:
        host = self.headers.get("Host", "")
        if host not in self.server.hosts:
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, f"Host {host!r} is not this server")
            return False
        return True

    def _same_origin(self) -> bool:
        origin = self.headers.get("Origin")
        site = self.headers.get("Sec-Fetch-Site")
        if origin is not None and urlsplit(origin).netloc not in self.server.hosts:
            self._refuse(HTTPStatus.FORBIDDEN, "cross-origin requests are refused")
            return False
        if site is not None and site not in ("same-origin", "none"):
            self._refuse(HTTPStatus.FORBIDDEN, "cross-origin requests are refused")
            return False
        return True

    # -- methods

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        """The page, a static file, or ``/api/examples`` and ``/api/draw-options``."""
        if not self._host_ok() or not self._same_origin():
            return
        path = urlsplit(self.path).path
        if path == "/api/examples":
            self._json(HTTPStatus.OK, api.examples())
        elif path == "/api/draw-options":
            self._json(HTTPStatus.OK, api.draw_options())
        elif path == "/":
            self._file(STATIC / "index.html")
        elif path.startswith("/static/"):
            self._file(STATIC / path.removeprefix("/static/"))
        else:
            self._refuse(HTTPStatus.NOT_FOUND, f"no page {path!r}")

    do_HEAD = do_GET

    def _file(self, path: Path) -> None:
        resolved = path.resolve()
        media = STATIC_TYPES.get(resolved.suffix)
        if media is None or not resolved.is_file() or not resolved.is_relative_to(STATIC.resolve()):
            self._refuse(HTTPStatus.NOT_FOUND, "no such file")
            return
        self._send(HTTPStatus.OK, resolved.read_bytes(), media, {"Cache-Control": "no-cache"})

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        """The JSON API: ``/api/analyze``, ``/api/draw``, ``/api/solve``, ``/api/export``."""
        if not self._host_ok() or not self._same_origin():
            return
        path = urlsplit(self.path).path
        if path not in api.JSON_ENDPOINTS and path != "/api/export":
            self._refuse(HTTPStatus.NOT_FOUND, f"no endpoint {path!r}")
            return
        media = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media != "application/json":
            self._refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
            return
        body = self._body()
        if body is None:
            return
        try:
            if path == "/api/export":
                data, kind, name = api.export(body)
                self._send(
                    HTTPStatus.OK,
                    data,
                    kind,
                    {"Content-Disposition": f'attachment; filename="{name}"'},
                )
                return
            answer = api.answer(path, body)
        except api.RequestError as err:
            self._refuse(HTTPStatus.BAD_REQUEST, str(err))
            return
        except (ShapecalcError, click.ClickException) as err:  # an export's spec or usage error
            failure = {"ok": False, "error": api.failure(err).to_json()}
            self._json(HTTPStatus.UNPROCESSABLE_ENTITY, failure)
            return
        self._json(HTTPStatus.OK, answer, {"Server-Timing": f"calc;dur={answer['ms']}"})

    def _body(self) -> dict[str, Any] | None:
        """The request's JSON object, or None after refusing it."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._refuse(HTTPStatus.LENGTH_REQUIRED, "send Content-Length, not chunks")
            return None
        length = self.headers.get("Content-Length", "")
        if not length.isascii() or not length.isdigit():
            self._refuse(HTTPStatus.LENGTH_REQUIRED, "send Content-Length")
            return None
        if int(length) > MAX_BODY:
            self._refuse(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request is larger than {MAX_BODY:,} bytes; specs are at most 1 MB",
            )
            return None
        raw = self.rfile.read(int(length))
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            self._refuse(HTTPStatus.BAD_REQUEST, "the body is not JSON")
            return None
        if not isinstance(body, dict):
            self._refuse(HTTPStatus.BAD_REQUEST, "the body is not a JSON object")
            return None
        return body


class PlaygroundServer(ThreadingHTTPServer):
    """The playground's server: one thread per request, the allowed Host headers of its
    address (:func:`allowed_hosts`)."""

    daemon_threads = True
    # Keystrokes come in bursts: a longer queue than socketserver's 5.
    request_queue_size = 64

    def __init__(self, host: str, port: int, verbose: bool = False) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
        self.verbose = verbose
        self.host = host
        self.port = int(self.server_address[1])
        self.hosts = allowed_hosts(host, self.port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about a page that went away mid-answer (a request aborted by a newer
        keystroke); anything else is reported as socketserver does."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        """The page's address, ``http://127.0.0.1:PORT/``."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{name}:{self.port}/"


def make_server(host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> PlaygroundServer:
    """A playground server bound to ``host``:``port`` (0: a free port), not yet serving."""
    return PlaygroundServer(host, port, verbose)


def serve_in_thread(server: PlaygroundServer) -> threading.Thread:
    """Serve ``server`` from a daemon thread (tests and benchmarks); ``server.shutdown()``
    stops it."""
    thread = threading.Thread(target=server.serve_forever, name="shapecalc-serve", daemon=True)
    thread.start()
    return thread


__all__ = ["CSP", "MAX_BODY", "Handler", "PlaygroundServer", "allowed_hosts", "make_server"]

"""What the playground server refuses (docs/serve.md, Safety), each through real HTTP to a
server in a thread of the test process: a foreign Host header (DNS rebinding), cross-origin
POSTs, bodies past the cap, the calculator's limits (a bomb is refused and the server keeps
answering), user text escaped, and the Content-Security-Policy of every answer."""

from __future__ import annotations

import json
import statistics
import threading
import time
from pathlib import Path

import pytest

from shapecalc.cli.spec import MAX_SPEC_BYTES
from shapecalc.serve import CSP, MAX_BODY, make_server
from shapecalc.serve.server import allowed_hosts

from .conftest import Client

STATIC = Path(__file__).resolve().parents[2] / "shapecalc" / "serve" / "static"


def test_binds_to_the_loopback_interface_by_default() -> None:
    server = make_server()
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert server.url == f"http://127.0.0.1:{server.port}/"
    finally:
        server.server_close()


@pytest.mark.parametrize(
    "host", ["evil.example:80", "evil.example", "127.0.0.1", "127.0.0.1:1", "", "localhost.evil:1"]
)
def test_a_foreign_host_header_is_refused(client: Client, host: str) -> None:
    if host.endswith(":1"):
        host = host[:-2] + ":1" + str(client.server.port)  # the right name, a wrong port
    for reply in (
        client.get("/", {"Host": host}),
        client.get("/api/examples", {"Host": host}),
        client.post("/api/analyze", {"spec": "8x8x1"}, {"Host": host, "Origin": f"http://{host}"}),
    ):
        assert reply.status == 421, (host, reply.status)
        assert b"shapecalc" not in reply.body.lower().replace(b"is not this server", b"")


def test_the_bound_names_are_accepted(client: Client) -> None:
    port = client.server.port
    assert allowed_hosts("127.0.0.1", port) == {f"127.0.0.1:{port}", f"localhost:{port}"}
    assert allowed_hosts("192.0.2.7", port) == {f"192.0.2.7:{port}"}
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        assert client.get("/", {"Host": host}).status == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:1"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_cross_origin_post_is_refused(client: Client, headers: dict[str, str]) -> None:
    for path in ("/api/analyze", "/api/export"):
        reply = client.post(path, {"spec": "8x8x1", "format": "json"}, headers)
        assert reply.status == 403, (headers, reply.status)
        assert "cross-origin" in reply.json()["error"]["message"]


def test_a_same_origin_post_is_answered(client: Client) -> None:
    reply = client.post("/api/analyze", {"spec": "8x8x1 | relu"}, {"Sec-Fetch-Site": "same-origin"})
    assert reply.status == 200 and reply.json()["ok"] is True


def test_only_json_posts_are_read(client: Client) -> None:
    # A form post (what a foreign page can send without a preflight) is not JSON.
    reply = client.post(
        "/api/analyze", b"spec=8x8x1", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.status == 415
    assert client.post("/api/analyze", b"[1, 2]").status == 400
    assert client.post("/api/analyze", b"{not json").status == 400


def test_the_body_is_capped(client: Client) -> None:
    assert MAX_BODY < 3 * MAX_SPEC_BYTES
    reply = client.request(
        "POST",
        "/api/analyze",
        b"{}",
        {"Content-Type": "application/json", "Content-Length": str(MAX_BODY + 1)},
    )
    assert reply.status == 413
    chunked = client.request(
        "POST",
        "/api/analyze",
        b"0\r\n\r\n",
        {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
    )
    assert chunked.status == 411


def test_a_spec_past_the_clis_cap_is_refused_as_the_cli_does(client: Client) -> None:
    spec = "8x8x1 | relu #" + "x" * MAX_SPEC_BYTES
    reply = client.post("/api/analyze", {"spec": spec})
    assert reply.status == 400
    assert "specs are at most 1 MB" in reply.json()["error"]["message"]


def test_a_bomb_is_refused_and_the_server_keeps_answering(client: Client) -> None:
    bombs = [
        "28x28x3 | ((conv3x3x8 same)x1000)x1000",
        "b(c) = conv3x3x{c} same | relu\n28x28x3 | b(8)x1000000",
        "28x28x3 | " + "(" * 10_000,
        "1x1x1 | (upsample" + str(10**18) + ")x8",
    ]
    answers: list[dict[str, object]] = []

    def send_bombs() -> None:
        for _ in range(3):
            for bomb in bombs:
                answers.append(Client(client.server).post("/api/analyze", {"spec": bomb}).json())

    thread = threading.Thread(target=send_bombs)
    thread.start()
    times = []
    while thread.is_alive() or not times:
        started = time.perf_counter()
        reply = client.post("/api/analyze", {"spec": "28x28x1 | conv3x3x16 same"})
        times.append(time.perf_counter() - started)
        assert reply.json()["ok"] is True
    thread.join(120)
    # Answered while the bombs were being refused (generous bounds: CI shares two cores).
    assert statistics.median(times) < 1.0 and max(times) < 5.0, times
    assert len(answers) == 3 * len(bombs)
    for answer in answers:
        assert answer["ok"] is False and answer["error"]["span"] is not None, answer  # type: ignore[index]


def test_user_text_is_escaped_in_the_svg(client: Client) -> None:
    spec = "# <script>alert(1)</script>\n28x28x1 | conv3x3x4 | flatten | dense10"
    answer = client.post(
        "/api/draw", {"spec": spec, "options": {"title": "<script>alert(2)</script>"}}
    ).json()
    assert answer["ok"] is True
    assert "<script" not in answer["svg"]
    assert "&lt;script&gt;alert(2)" in answer["svg"]


def test_the_page_inserts_text_never_markup() -> None:
    script = (STATIC / "app.js").read_text()
    assert "innerHTML" not in script and "outerHTML" not in script
    assert "insertAdjacentHTML" not in script and "eval(" not in script
    assert "<script>" not in (STATIC / "index.html").read_text().replace("<script src=", "")


def test_every_answer_carries_a_strict_csp(client: Client) -> None:
    replies = [
        client.get("/"),
        client.get("/static/app.js"),
        client.get("/api/examples"),
        client.post("/api/analyze", {"spec": "8x8x1"}),
        client.get("/nothing"),
        client.get("/", {"Host": "evil.example"}),
    ]
    for reply in replies:
        assert reply.headers["Content-Security-Policy"] == CSP
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert "unsafe" not in CSP and "*" not in CSP and "http" not in CSP
    assert directives["frame-ancestors"] == "'none'"


def test_no_path_leaves_the_static_folder(client: Client) -> None:
    for path in (
        "/static/../api.py",
        "/static/../../cli/serve.py",
        "/static/%2e%2e/api.py",
        "/static/katex/../../server.py",
    ):
        assert client.get(path).status == 404, path
    assert client.get("/static/katex/katex.min.js").status == 200


def test_the_page_and_its_assets_load_from_the_server_alone(client: Client) -> None:
    page = client.get("/").body.decode()
    assert "http://" not in page and "https://" not in page
    for asset in (
        "/static/app.js",
        "/static/app.css",
        "/static/katex/katex.min.js",
        "/static/katex/katex.min.css",
    ):
        assert client.get(asset).status == 200, asset
    fonts = list((STATIC / "katex" / "fonts").glob("*.woff2"))
    assert fonts and all(
        client.get(f"/static/katex/fonts/{f.name}").status == 200 for f in fonts[:3]
    )
    assert json.loads(client.get("/api/draw-options").body)

"""A playground server in a thread of the test process (no process is started), and a
client that can send any header."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from shapecalc.serve import PlaygroundServer, make_server, serve_in_thread


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Requests to the server, with the headers a same-origin page sends unless told."""

    def __init__(self, server: PlaygroundServer) -> None:
        self.server = server
        self.host = f"127.0.0.1:{server.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        sent = {"Host": self.host, **(headers or {})}
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in sent.items():
            connection.putheader(name, value)
        if body is not None and "Content-Length" not in sent:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        reply = Reply(response.status, response.headers, response.read())
        connection.close()
        return reply

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {
            "Content-Type": "application/json",
            "Origin": f"http://{self.host}",
            **(headers or {}),
        }
        return self.request("POST", path, data, sent)


@pytest.fixture(scope="session")
def server() -> Iterator[PlaygroundServer]:
    running = make_server()
    serve_in_thread(running)
    yield running
    running.shutdown()
    running.server_close()


@pytest.fixture()
def client(server: PlaygroundServer) -> Client:
    return Client(server)

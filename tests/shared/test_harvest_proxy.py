"""The harvester reaches nodes directly, whatever proxy the environment names (as the
operations guide says): a proxy would bypass the deadline on every socket."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.ingest.config import build_client
from shared.ingest.http import Limits, get_json

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


class _Node(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _RecordingProxy:
    """A listener that notes every connection made to it, and answers none of them."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.server.close()


@pytest.fixture
def node_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Node)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(monkeypatch) -> Iterator[_RecordingProxy]:
    recording = _RecordingProxy()
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, recording.url)
    # Nothing is exempt from the proxy: the node on 127.0.0.1 would be reached through it.
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    yield recording
    recording.close()


def test_the_harvester_ignores_proxies_named_in_the_environment(node_url, proxy):
    with build_client({"HARVEST_CA_FILE": ""}) as client:
        fetched = get_json(client, f"{node_url}/ldes", Limits(timeout=5, connect_timeout=2))
    assert (fetched.status, fetched.document) == (200, {"path": "/ldes"})
    assert proxy.connections == 0

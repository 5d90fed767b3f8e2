"""Bodies are bounded on every service, under gunicorn as deployed: one larger than
``MAX_CONTENT_LENGTH`` gets 413 in the error format before the server reads it, a chunked one
is read no further than the limit, and a body where none is expected is refused."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from services.reporting import db as reporting_db
from tests.deploy.processes import Running
from tests.deploy.test_servers import (  # noqa: F401 - node_url, search_url: fixtures
    node_url,
    search_url,
    settings_of,
    start_gunicorn,
)

SERVICES = ("registry", "publisher", "search", "reporting")
HUGE = 64 * 1024 * 1024
CHUNK = 64 * 1024
# The registry's default; the read-only services take no body at all (0).
LIMITS = {"registry": 1_048_576, "publisher": 0, "search": 0, "reporting": 0}


@pytest.fixture(scope="module")
def servers(
    node_url: str,  # noqa: F811
    search_url: str,  # noqa: F811
    database_factory: Callable[[], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, int]]:
    """Each service under gunicorn with its config file (one worker): its port."""
    tmp_path = tmp_path_factory.mktemp("bodies")
    reporting_url = database_factory()
    reporting_db.upgrade(reporting_url)
    running: list[Running] = []
    ports = {}
    try:
        for service in SERVICES:
            settings = _settings(service, node_url, search_url, reporting_url, tmp_path)
            server, ports[service] = start_gunicorn(service, settings, tmp_path)
            running.append(server)
        yield ports
    finally:
        for server in running:
            server.stop()


def _settings(
    service: str, node: str, search: str, reporting: str, tmp_path: Path
) -> dict[str, str]:
    if service == "reporting":
        settings = settings_of("search", node, search, tmp_path)
        settings.update(DATABASE_URL=reporting, INSTANCE_PATH=str(tmp_path / service))
    else:
        settings = settings_of(service, node, search, tmp_path)
    return settings | {"WEB_CONCURRENCY": "1"}


@pytest.mark.parametrize("service", SERVICES)
def test_a_declared_64_mib_body_gets_413_before_a_byte_is_read(servers, service):
    """The headers alone announce 64 MiB and nothing follows: a server that began to read the
    body would wait for it, so an answer at all proves it read none."""
    for method, path in (("GET", "/healthz"), ("POST", "/healthz"), ("PUT", "/x")):
        with socket.create_connection(("127.0.0.1", servers[service]), timeout=10) as sock:
            sock.sendall(_head(method, path, f"Content-Length: {HUGE}"))
            status, payload = _answer(sock)
        assert status == 413, (service, method, path)
        assert payload["code"] == 413 and payload["status"] == "Request Entity Too Large"
        assert "larger than this service accepts" in payload["message"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_chunked_64_mib_body_is_read_no_further_than_the_limit(servers, service):
    path = "/login" if service == "registry" else "/healthz"
    for method in ("POST", "GET"):
        status, payload, consumed = _send_chunked(servers[service], method, path)
        assert status == 413 and payload["code"] == 413, (service, method)
        # What left the client: the limit and what the kernel's socket buffers hold.
        assert consumed < LIMITS[service] + 16 * 1024 * 1024, (service, method, consumed)


@pytest.mark.parametrize("service", SERVICES)
def test_a_body_where_none_is_expected_is_refused(servers, service):
    for method in ("GET", "DELETE", "OPTIONS"):
        with socket.create_connection(("127.0.0.1", servers[service]), timeout=10) as sock:
            sock.sendall(_head(method, "/healthz", "Content-Length: 2") + b"{}")
            status, payload = _answer(sock)
        # The read-only services take no body on any request.
        expected = 400 if service == "registry" else 413
        assert status == expected and payload["code"] == expected, (service, method)


def test_a_chunked_body_within_the_limit_reaches_the_registry(servers):
    body = b"email=a%40b.no&password=x"
    with socket.create_connection(("127.0.0.1", servers["registry"]), timeout=10) as sock:
        headers = ("Content-Type: application/x-www-form-urlencoded", "Accept: text/html")
        sock.sendall(_head("POST", "/login", *headers, "Transfer-Encoding: chunked"))
        sock.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        data = _receive(sock)
    # The login form's own answer (its CSRF token is missing), not a refusal of the body.
    head = data.split(b"\r\n\r\n")[0]
    assert int(data.split()[1]) == 400 and b"text/html" in head


def _head(method: str, path: str, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _answer(sock: socket.socket) -> tuple[int, dict[str, Any]]:
    data = _receive(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def _receive(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        # The server closed with the rest of the body unread, as it should; what it answered
        # first has arrived.
        assert data, "reset before any answer"
    return data


def _send_chunked(port: int, method: str, path: str) -> tuple[int, dict[str, Any], int]:
    """Stream 64 MiB in chunks from another thread while this one waits for the answer; how
    many bytes the sender got rid of before the server closed is what it read at most."""
    consumed = 0
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)

    def chunks() -> Iterator[bytes]:
        for _ in range(HUGE // CHUNK):
            yield b"%x\r\n%s\r\n" % (CHUNK, b"x" * CHUNK)
        yield b"0\r\n\r\n"

    def send() -> None:
        nonlocal consumed
        try:
            for chunk in chunks():
                sock.sendall(chunk)
                consumed += CHUNK
        except OSError:
            return  # the server answered and closed: it reads no more

    with sock:
        sock.sendall(_head(method, path, "Transfer-Encoding: chunked"))
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        status, payload = _answer(sock)
        sender.join(timeout=15)  # the sender stops on the closed (or reset) connection
    assert not sender.is_alive()
    return status, payload, consumed

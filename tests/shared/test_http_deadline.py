"""The fetch's deadline on every socket operation, on real sockets (shared.ingest.http).

A harvest round gives each node a deadline (:func:`deadline`) and every fetch inside it its
own; each connect, write, read and TLS handshake of the harvester's client is told what is left
of it (or its own timeout, when that is sooner), and one begun when nothing is left ends at
once without asking the node anything. Here the node is a server on loopback, the timeouts are
read back from the socket the operating system was handed, and the expectations are written by
hand.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
import types
from collections.abc import Iterator

import httpcore
import pytest

from shared.ingest import http
from shared.ingest.http import FetchError, Limits, deadline, get_json, new_client
from tests.shared.hostile_nodes import (
    HostileNode,
    ServedApp,
    TestCA,
    answer,
    answer_json,
    closing_all,
    looping_feed,
)

ROOT = {"page_size": 2, "last_sequence": 10}
LIMITS = Limits(timeout=5.0, connect_timeout=5.0)
REQUEST = b"GET /ldes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture
def node() -> Iterator[HostileNode]:
    node = HostileNode(looping_feed)
    with closing_all(node):
        yield node


def _timeout_of(stream: httpcore.NetworkStream) -> float | None:
    """The timeout the socket under ``stream`` was last given."""
    sock: socket.socket = stream.get_extra_info("socket")
    return sock.gettimeout()


@contextlib.contextmanager
def _expired() -> Iterator[None]:
    """Inside a deadline whose time is already up (a round's, say)."""
    with deadline(0.01):
        time.sleep(0.05)
        yield


def _port(node: HostileNode) -> int:
    return int(node.url.rsplit(":", 1)[1])


def test_each_socket_operation_is_given_its_own_timeout_or_what_is_left_of_the_deadline(node):
    backend = http._DeadlineBackend()
    stream = backend.connect_tcp("127.0.0.1", _port(node), timeout=4.0)
    try:
        assert _timeout_of(stream) == 4.0
        stream.write(REQUEST, timeout=3.0)
        assert _timeout_of(stream) == 3.0
        assert stream.read(65536, timeout=2.5).startswith(b"HTTP/1.1 200 OK\r\n")
        assert _timeout_of(stream) == 2.5
        with deadline(2.0):
            stream.write(REQUEST, timeout=3.0)
            assert 1.0 < (_timeout_of(stream) or 0) <= 2.0
            stream.read(65536, timeout=3.0)
            assert 1.0 < (_timeout_of(stream) or 0) <= 2.0
            stream.write(REQUEST, timeout=0.5)  # sooner than the deadline: its own
            assert _timeout_of(stream) == 0.5
            stream.read(65536, timeout=None)
            assert 1.0 < (_timeout_of(stream) or 0) <= 2.0
    finally:
        stream.close()
    with deadline(2.0):
        stream = backend.connect_tcp("127.0.0.1", _port(node), timeout=4.0)
        stream.close()
        assert 1.0 < (_timeout_of(stream) or 0) <= 2.0
        stream = backend.connect_tcp("127.0.0.1", _port(node), timeout=0.5)
        stream.close()
        assert _timeout_of(stream) == 0.5


def test_a_socket_operation_begun_after_the_deadline_ends_at_once():
    listener = socket.create_server(("127.0.0.1", 0))
    backend = http._DeadlineBackend()
    try:
        port = listener.getsockname()[1]
        with _expired(), pytest.raises(httpcore.ConnectTimeout, match="ran out before it began"):
            backend.connect_tcp("127.0.0.1", port, timeout=4.0)
        stream = backend.connect_tcp("127.0.0.1", port, timeout=4.0)
        try:
            with _expired():
                with pytest.raises(httpcore.WriteTimeout, match="ran out before it began"):
                    stream.write(REQUEST, timeout=4.0)
                with pytest.raises(httpcore.ReadTimeout, match="ran out before it began"):
                    stream.read(65536, timeout=4.0)
        finally:
            stream.close()
    finally:
        listener.close()


def test_a_fetch_begun_after_the_rounds_time_is_up_asks_nothing(node):
    with new_client() as client:
        with _expired(), pytest.raises(FetchError) as refused:
            get_json(client, f"{node.url}/ldes", LIMITS)
        assert "took too long (ConnectTimeout: the time for it ran out before it began)" in str(
            refused.value
        )
        # Again on the connection a first fetch left open: nothing is written to it.
        assert get_json(client, f"{node.url}/ldes", LIMITS).document == ROOT
        with _expired(), pytest.raises(FetchError) as refused:
            get_json(client, f"{node.url}/ldes", LIMITS)
        assert "took too long (WriteTimeout: the time for it ran out before it began)" in str(
            refused.value
        )
    assert node.paths == ["/ldes"]


def test_the_tls_handshake_keeps_the_deadline_and_the_stream_after_it_too(tmp_path):
    ca = TestCA(tmp_path)
    served = ServedApp(tls=ca.server_context("node"))
    context = http.trust(str(ca.ca_file))
    backend = http._DeadlineBackend()
    with closing_all(served):
        port = int(served.url.rsplit(":", 1)[1])
        for timeout, expected in ((4.0, (1.0, 2.0)), (0.5, (0.5, 0.5))):
            with deadline(2.0):
                plain = backend.connect_tcp("127.0.0.1", port, timeout=4.0)
                secured = plain.start_tls(context, "127.0.0.1", timeout=timeout)
            try:
                sock = secured.get_extra_info("socket")
                assert isinstance(sock, ssl.SSLSocket)
                assert expected[0] <= (sock.gettimeout() or 0) <= expected[1]
                with _expired(), pytest.raises(httpcore.ReadTimeout, match="before it began"):
                    secured.read(65536, timeout=4.0)
            finally:
                secured.close()
        plain = backend.connect_tcp("127.0.0.1", port, timeout=4.0)
        try:
            with _expired(), pytest.raises(httpcore.ConnectTimeout, match="before it began"):
                plain.start_tls(context, "127.0.0.1", timeout=4.0)
        finally:
            plain.close()


def test_a_node_that_hangs_up_after_each_answer_is_read_again_on_a_new_connection():
    hung_up = threading.Event()

    def answer_and_hang_up(node: HostileNode, conn: socket.socket, path: str) -> None:
        answer_json(node, conn, ROOT)
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()
        hung_up.set()

    node = HostileNode(answer_and_hang_up)
    with closing_all(node), new_client() as client:
        assert get_json(client, f"{node.url}/ldes", LIMITS).document == ROOT
        assert hung_up.wait(5)
        time.sleep(0.05)  # the end of the connection reaches the harvester's side
        assert get_json(client, f"{node.url}/ldes", LIMITS).document == ROOT
    assert node.paths == ["/ldes", "/ldes"]


def test_the_node_is_reached_at_its_own_address():
    # On 127.0.0.2, which the harvester's machine answers too: a connection made to any other
    # address (localhost, say) finds no node there.
    node = HostileNode(looping_feed, host="127.0.0.2")
    with closing_all(node), new_client() as client:
        assert get_json(client, f"{node.url}/ldes", LIMITS).document == ROOT
    assert node.paths == ["/ldes"]


def test_the_client_holds_connections_as_httpx_would(monkeypatch):
    # HARVEST_CONCURRENCY has no upper bound: the client reads as many nodes at once as httpx
    # would (up to 100), keeps 20 connections open between fetches, and none idle for more
    # than 5 seconds (a node's server closes idle connections sooner or later). Each node
    # answers its first fetch only once all 21 fetches have reached it.
    everyone = threading.Barrier(21, timeout=5)

    def answer_when_all_have_come(node: HostileNode, conn: socket.socket, path: str) -> None:
        if len(node.paths) == 1:
            try:
                everyone.wait()
            except threading.BrokenBarrierError:
                answer(node, conn, "503 Service Unavailable")
                return
        answer_json(node, conn, ROOT)

    nodes = [HostileNode(answer_when_all_have_come) for _ in range(21)]
    answers: list[object] = []
    with closing_all(*nodes), new_client() as client:

        def fetch(node: HostileNode) -> None:
            try:
                answers.append(get_json(client, f"{node.url}/ldes", LIMITS).document)
            except FetchError as exc:
                answers.append(str(exc))

        threads = [threading.Thread(target=fetch, args=(node,)) for node in nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert answers == [ROOT] * 21
        # Again one by one: no more than 20 were kept open, so some are made again.
        for node in nodes:
            assert get_json(client, f"{node.url}/ldes", LIMITS).document == ROOT
        assert sum(node.connections for node in nodes) > 21
    # Idle for 4.9 seconds a connection is used again; for 5.1, a new one is made.
    node = HostileNode(looping_feed)
    with closing_all(node), new_client() as client:
        clock = _ShiftedClock(monkeypatch)
        for ahead, connections in ((0, 1), (4.9, 1), (5.1, 2)):
            clock.shift(ahead)
            assert get_json(client, f"{node.url}/ldes", LIMITS).document == ROOT
            assert node.connections == connections


class _ShiftedClock:
    """httpcore's clock for its connections (only), moved ahead by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import httpcore._sync.http11 as http11

        self.ahead = 0.0
        real = time.monotonic
        clock = types.SimpleNamespace(monotonic=lambda: real() + self.ahead)
        monkeypatch.setattr(http11, "time", clock)

    def shift(self, seconds: float) -> None:
        self.ahead += seconds


def test_no_more_than_100_connections_are_held_at_once():
    # A 101st fetch while a hundred are under way waits for a connection, here until its own
    # time runs out (the pool's wait keeps the fetch's timeout).
    go_on = threading.Event()

    def answer_when_told(node: HostileNode, conn: socket.socket, path: str) -> None:
        go_on.wait(10)
        answer_json(node, conn, ROOT)

    node = HostileNode(answer_when_told)
    answers: list[object] = []
    with closing_all(node), new_client() as client:
        threads = [
            threading.Thread(
                target=lambda: answers.append(get_json(client, f"{node.url}/ldes", LIMITS))
            )
            for _ in range(100)
        ]
        for thread in threads:
            thread.start()
        waited = time.monotonic() + 10
        while node.connections < 100 and time.monotonic() < waited:
            time.sleep(0.05)
        try:
            with pytest.raises(FetchError, match="took too long \\(PoolTimeout"):
                get_json(client, f"{node.url}/ldes", Limits(timeout=0.3, connect_timeout=0.3))
        finally:
            go_on.set()
            for thread in threads:
                thread.join(10)
        assert node.connections == 100 and len(answers) == 100

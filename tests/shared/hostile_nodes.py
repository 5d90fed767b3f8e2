"""Nodes that misbehave on real sockets on loopback, and a test CA for their certificates.

:class:`HostileNode` accepts connections on 127.0.0.1 (over TLS when given a server context)
and answers each request with a behaviour: never answering, dripping headers or body, sending
without end, redirecting, or serving a feed whose pages never advance. :func:`serve_app`
serves a real node's publisher app the same way, so a healthy node is harvested beside them.
Certificates are made at test time by :class:`TestCA`; nothing secret is kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server

LOOPBACK = "127.0.0.1"
DRIP_SECONDS = 0.05
CHUNK = b" " * 65536

Behaviour = Callable[["HostileNode", socket.socket, str], None]


class HostileNode:
    """A TCP server on loopback answering every request with ``behaviour``."""

    def __init__(
        self,
        behaviour: Behaviour,
        tls: ssl.SSLContext | None = None,
        at_connect: bool = False,
        host: str = LOOPBACK,
    ) -> None:
        self.behaviour = behaviour
        self.host = host
        self.tls = tls
        self.at_connect = at_connect  # behave as soon as the connection is made, before TLS
        self.paths: list[str] = []  # the request paths, in the order they came
        self.sent = 0  # bytes of answers written
        self.stop = threading.Event()
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(0.1)
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self._listener.getsockname()[1]}"

    @property
    def connections(self) -> int:
        """How many connections the node has accepted."""
        with self._lock:
            return len(self._connections)

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        with self._lock:
            self.sent += len(data)

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._connections.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the harvester hung up, or refused our certificate
            conn.settimeout(5)
            if self.at_connect:
                self.behaviour(self, conn, "")
                return
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            while True:
                request = b""
                while b"\r\n\r\n" not in request:
                    data = conn.recv(65536)
                    if not data:
                        return
                    request += data
                self.paths.append(request.split(b" ", 2)[1].decode())
                self.behaviour(self, conn, self.paths[-1])

    def close(self) -> None:
        self.stop.set()
        self._listener.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
        self._thread.join(timeout=5)


def answer(
    node: HostileNode, conn: socket.socket, status: str, body: bytes = b"", **headers: str
) -> None:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    node.send(conn, ("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def answer_json(node: HostileNode, conn: socket.socket, document: Any) -> None:
    answer(node, conn, "200 OK", json.dumps(document).encode(), Content_Type="application/json")


# --- behaviours --------------------------------------------------------------------------------


def silent(node: HostileNode, conn: socket.socket, path: str) -> None:
    """Accepts the request and never answers."""
    node.stop.wait()


def drip_headers(node: HostileNode, conn: socket.socket, path: str) -> None:
    """A status line, then a header one byte at a time, for ever (slow loris)."""
    node.send(conn, b"HTTP/1.1 200 OK\r\nX-Drip: ")
    while not node.stop.wait(DRIP_SECONDS):
        node.send(conn, b"a")


def drip_body(node: HostileNode, conn: socket.socket, path: str) -> None:
    """Headers at once, then a JSON body one byte at a time, for ever."""
    node.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
    while not node.stop.wait(DRIP_SECONDS):
        node.send(conn, b" ")


def drip_tls_handshake(node: HostileNode, conn: socket.socket, path: str) -> None:
    """The start of a TLS handshake record of 16 KiB, then its bytes one at a time."""
    node.send(conn, b"\x16\x03\x03\x40\x00")
    while not node.stop.wait(DRIP_SECONDS):
        node.send(conn, b"\x00")


def endless(node: HostileNode, conn: socket.socket, path: str) -> None:
    """A JSON answer of no declared length that never ends."""
    node.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
    while not node.stop.is_set():
        node.send(conn, CHUNK)


def redirect_to(elsewhere: str) -> Behaviour:
    def redirect(node: HostileNode, conn: socket.socket, path: str) -> None:
        answer(node, conn, "302 Found", Location=elsewhere + path)

    return redirect


def looping_feed(node: HostileNode, conn: socket.socket, path: str) -> None:
    """A stream of ten events whose pages all say they are complete and hold none of them:
    reading a page again would only say the same."""
    if path == "/ldes":
        answer_json(node, conn, {"page_size": 2, "last_sequence": 10})
    elif path.startswith("/ldes/pages/"):
        page = int(path.rsplit("/", 1)[1])
        answer_json(node, conn, {"page": page, "complete": True, "events": []})
    else:
        answer(node, conn, "404 Not Found")


# --- a healthy node on a real socket -------------------------------------------------------------


class ServedApp:
    """A WSGI app served on loopback; its address is known before the app is made."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.app: Any = None
        self._server = make_server(
            LOOPBACK, 0, lambda env, start: self.app(env, start), threaded=True, ssl_context=tls
        )
        self.url = f"{'https' if tls else 'http'}://{LOOPBACK}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# --- certificates --------------------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class TestCA:
    """A certificate authority made for one test run, and the certificates it issues."""

    __test__ = False  # not a test class

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(_name("Nettungen test CA"))
            .issuer_name(_name("Nettungen test CA"))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        self.ca_name = self.certificate.subject
        self.ca_file = folder / "test-ca.pem"
        self.ca_file.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def server_context(
        self,
        name: str,
        host: str = LOOPBACK,
        *,
        days: tuple[int, int] = (-1, 1),
        self_signed: bool = False,
    ) -> ssl.SSLContext:
        """A server's TLS context with a certificate for ``host``, valid from and until the
        ``days`` from now, issued by this CA (or by its own key)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        try:
            alternative: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            alternative = x509.DNSName(host)
        issuer_key, issuer = (key, _name(host)) if self_signed else (self.key, self.ca_name)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=days[0]))
            .not_valid_after(now + dt.timedelta(days=days[1]))
            .add_extension(x509.SubjectAlternativeName([alternative]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        if not self_signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        certificate = builder.sign(issuer_key, hashes.SHA256())
        chain, key_file = self.folder / f"{name}.pem", self.folder / f"{name}.key"
        chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain, key_file)
        return context


@contextlib.contextmanager
def closing_all(*servers: HostileNode | ServedApp) -> Iterator[None]:
    try:
        yield
    finally:
        for server in servers:
            server.close()

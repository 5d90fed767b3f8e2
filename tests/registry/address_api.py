"""A stand-in for Kartverket's address API: a real HTTP server on this machine answering
``GET <base>/sok`` with the recorded format examples in ``tests/registry/geonorge/``.

Three bases: ``/adresser/v1`` answers as the API does; ``/broken`` answers 500; ``/huge``
sends an answer larger than the client reads; ``/slow`` drips a real answer a byte every
half second, each byte well within any read timeout but the whole far past it. Every
request's query is kept, so a test can see what was asked.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ANSWERS = Path(__file__).parent / "geonorge"


def answer_file(words: str) -> Path:
    """The recorded answer for the search ``words`` (see the folder's README)."""
    slug = re.sub(r"[^0-9a-zæøå]+", "-", words.lower()).strip("-")
    found = ANSWERS / f"sok-{slug}.json"
    return found if found.exists() else ANSWERS / "sok-ingen-treff.json"


@dataclass
class AddressApi:
    url: str  # the base URL, as ADDRESS_SEARCH_URL takes it
    broken_url: str
    huge_url: str
    slow_url: str
    asked: list[dict[str, list[str]]] = field(default_factory=list)


@contextmanager
def address_api() -> Iterator[AddressApi]:
    """The stand-in, running until the block ends."""
    asked: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            asked.append(query)
            if parts.path == "/adresser/v1/sok":
                self._send(200, answer_file(query.get("sok", [""])[0]).read_bytes())
            elif parts.path == "/huge/sok":
                self._send(200, b'{"adresser": [' + b'{"adressetekst": "x"},' * 30_000 + b"{}]}")
            elif parts.path == "/slow/sok":
                self._drip(answer_file(query.get("sok", [""])[0]).read_bytes())
            elif parts.path == "/broken/sok":
                self._send(500, b'{"message": "Internal Server Error"}')
            else:
                self._send(404, b"{}")

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _drip(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for index in range(len(body)):
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                return  # the client gave up, as it should

        def log_message(self, *_args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield AddressApi(
            f"{base}/adresser/v1", f"{base}/broken", f"{base}/huge", f"{base}/slow", asked
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

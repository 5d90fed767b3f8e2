"""Fetching JSON from other nodes, bounded in time and size whatever the node does.

A node can be slow, hang, drip bytes, send gigabytes or answer with garbage; none of that may
stall or exhaust the service harvesting it. Every fetch has a connect and read timeout, a byte
limit, and an overall deadline that every socket operation keeps (:func:`deadline`): a node
dripping its headers or its TLS handshake a byte at a time gets no more time than one that
hangs. Anything beyond the limits, and any answer that is not JSON, is a :class:`FetchError`,
which the caller records against the node and moves on.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import time
import zlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import certifi
import httpcore
import httpx
import orjson

from shared.signing import VerificationKey

JWKS_PATH = "/.well-known/jwks.json"
JSON = "application/json"
JWKS_TYPES = ("application/jwk-set+json", JSON)
USER_AGENT = "Nettungen-harvester/1.0 (+https://nettungen.no)"
# A full feed page (250 signed events of a few kilobytes each) is about a megabyte; the limit
# leaves room for pages of long offers, while a parsed page costs some 25 times its size in
# memory (a 32 MiB page took 833 MB).
MAX_PAGE_BYTES = 8 * 1024 * 1024


class FetchError(Exception):
    """The node did not give a usable answer; the message says what happened."""


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0  # seconds for the whole response, body included
    connect_timeout: float = 5.0
    max_bytes: int = MAX_PAGE_BYTES


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when the ETag still matched
    document: Any
    etag: str | None


# The moment (time.monotonic) by which the fetches of this thread must be done, if any.
_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Every fetch inside ends within ``seconds`` (or the enclosing deadline, if sooner)."""
    outer = _deadline.get()
    moment = time.monotonic() + seconds
    token = _deadline.set(moment if outer is None else min(outer, moment))
    try:
        yield _deadline.get() or moment
    finally:
        _deadline.reset(token)


def _within_deadline(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` for one socket operation, cut to what is left of the deadline."""
    moment = _deadline.get()
    if moment is None:
        return timeout
    left = moment - time.monotonic()
    if left <= 0:
        raise expired("the time for it ran out before it began")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read, write and TLS handshake keeps the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # Python's TLS handshake keeps one socket timeout for the whole of it, however the
        # node drips its part.
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            super().connect_tcp(host, port, timeout, local_address, socket_options)
        )


# The limits httpx gives its own transport (``httpx.HTTPTransport``'s default): 100 connections
# at once, 20 kept open between fetches, none idle for more than 5 seconds. (``httpx.Limits()``
# alone sets no limit on the connections.)
POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5)


class _HarvestTransport(httpx.HTTPTransport):
    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        # httpx has no setting for the network backend; its pool is made again with ours and
        # with the rest as httpx makes it (HTTP/1.1, the limits above).
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=POOL_LIMITS.max_connections,
            max_keepalive_connections=POOL_LIMITS.max_keepalive_connections,
            keepalive_expiry=POOL_LIMITS.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )


def trust(ca_file: str | None = None) -> ssl.SSLContext:
    """Certificates verified against the public CAs, and those in ``ca_file`` too (a
    federation's own CA); host names checked."""
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def new_client(
    transport: httpx.BaseTransport | None = None, ca_file: str | None = None
) -> httpx.Client:
    """A client for harvesting: TLS certificates verified (``ca_file`` adds CAs to trust),
    no redirects to other hosts, every fetch within its deadline. Nodes are reached directly:
    a proxy named in the environment would bypass the deadline on every socket."""
    return httpx.Client(
        transport=transport or _HarvestTransport(trust(ca_file)),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        trust_env=False,
    )


def _is_json(content_type: str | None, accepted: tuple[str, ...]) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in accepted


def get_json(
    client: httpx.Client,
    url: str,
    limits: Limits,
    etag: str | None = None,
    accepted: tuple[str, ...] = (JSON,),
) -> Fetched:
    """GET ``url`` as JSON within ``limits``; ``etag`` makes it conditional. An answer of
    another media type than ``accepted`` (Turtle, JSON-LD, HTML ...) is refused unread."""
    headers = {"Accept": ", ".join(accepted), "Accept-Encoding": "gzip"}
    if etag:
        headers["If-None-Match"] = etag
    timeout = httpx.Timeout(limits.timeout, connect=limits.connect_timeout)
    try:
        with (
            deadline(limits.timeout) as must_end,
            client.stream("GET", url, headers=headers, timeout=timeout) as response,
        ):
            if response.status_code == 304:
                return Fetched(304, None, etag)
            if response.status_code != 200:
                raise FetchError(f"{url} answered {response.status_code}")
            if not _is_json(response.headers.get("Content-Type"), accepted):
                raise FetchError(
                    f"{url} is {response.headers.get('Content-Type') or 'of no media type'}, "
                    f"not {' or '.join(accepted)}"
                )
            body = _read_body(response, url, limits, must_end)
            new_etag = response.headers.get("ETag")
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url} took too long ({type(exc).__name__}: {exc})") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
    return Fetched(200, parse_json(body, url), new_etag)


def _read_body(response: httpx.Response, url: str, limits: Limits, must_end: float) -> bytearray:
    """The body, within the limits in bytes (decompressed) and time.

    httpx would inflate a gzip body a network read at a time, however large the result (a
    few kilobytes can inflate to gigabytes), so it is inflated here, never past the limit.
    """
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(f"{url} is {declared} bytes; the limit is {limits.max_bytes}")
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip"):
        raise FetchError(f"{url} is compressed as {encoding!r}, which was not asked for")
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding == "gzip" else None
    body = bytearray()
    for chunk in response.iter_raw() if inflate is not None else response.iter_bytes():
        if inflate is not None:
            try:
                chunk = inflate.decompress(chunk, limits.max_bytes - len(body) + 1)
            except zlib.error:
                raise FetchError(f"{url} is not usable gzip") from None
        body.extend(chunk)
        if len(body) > limits.max_bytes:
            raise FetchError(f"{url} is larger than {limits.max_bytes} bytes")
        if time.monotonic() > must_end:
            raise FetchError(f"{url} took longer than {limits.timeout} s")
    if inflate is not None and not inflate.eof:
        raise FetchError(f"{url} ends before its compressed body does")
    return body


# orjson reads an integer past 64 bits as a float; the standard library keeps it exact, as the
# signature over it needs. A text with an integer token of 19 digits or more is read by the
# standard library (a run of 19 digits inside a string, such as an event's sequence, is told
# apart by what stands before it).
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19


def _long_integer(body: bytes | bytearray) -> bool:
    flat = body.translate(_DIGITS_AS_ZEROS)
    at = flat.find(_LONG_RUN)
    while at != -1:
        before = at - 1
        while before >= 0 and flat[before] in b" \t\r\n-":
            before -= 1
        if before < 0 or flat[before] in b"[,:":
            return True
        end = at + len(_LONG_RUN)
        while end < len(flat) and flat[end] == ord("0"):
            end += 1
        at = flat.find(_LONG_RUN, end)
    return False


def parse_json(body: bytes | bytearray, what: str) -> Any:
    """JSON from elsewhere, or :class:`FetchError`: malformed text, numbers too long to
    convert, nesting too deep to parse and the constants JSON does not have (``NaN``,
    ``Infinity``) are all just bad input, never a crash.

    Read with orjson, which gives what the standard library gives for every text it accepts
    but long integers (``tests/shared/test_parse_json.py``); any text it refuses, or with a
    long integer, is read by the standard library, which accepts or refuses it, saying why,
    as it always has."""
    if not _long_integer(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise FetchError(f"{what} is not usable JSON: {type(exc).__name__}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def fetch_keys(client: httpx.Client, base_url: str, limits: Limits) -> list[VerificationKey]:
    """The node's public keys from its JWKS; keys of other kinds are skipped."""
    fetched = get_json(client, base_url + JWKS_PATH, limits, accepted=JWKS_TYPES)
    listed = fetched.document.get("keys") if isinstance(fetched.document, dict) else None
    if not isinstance(listed, list):
        raise FetchError(f"{base_url}{JWKS_PATH} is not a JSON Web Key Set")
    keys = []
    for document in listed:
        if isinstance(document, dict):
            try:
                keys.append(VerificationKey.from_jwk(document))
            except ValueError:
                continue  # not an Ed25519 key of ours, or malformed: never trusted
    if not keys:
        raise FetchError(f"{base_url}{JWKS_PATH} lists no Ed25519 key")
    return keys
